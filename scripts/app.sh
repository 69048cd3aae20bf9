#!/usr/bin/env bash
# Builds and launches the DrugChatter desktop app (needs a display: X11 or Wayland).
#
#   bash scripts/app.sh                      fetch models, build the UI and the app (release), run it
#   APP_PROFILE=debug bash scripts/app.sh    a dev build (shares the test suite's dependencies)
#
# The first start builds the library index (a few minutes on 2 cores, with progress in the
# window); later starts take a second or two. Without a display it says so and exits 3, so
# a caller can fall back to the CLI sample.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
profile="${APP_PROFILE:-release}"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "scripts/app.sh: no display (DISPLAY and WAYLAND_DISPLAY are unset); the desktop app needs one." >&2
  exit 3
fi

bash scripts/app-deps.sh
python3 models/fetch.py
(cd ui && npm run build --silent)
if [ "$profile" = release ]; then
  cargo build --release -p drugchatter-app --features custom-protocol
else
  cargo build -p drugchatter-app --features custom-protocol
fi
exec "$CARGO_TARGET_DIR/$profile/drugchatter-app" "$@"
