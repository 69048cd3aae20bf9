#!/usr/bin/env bash
# Builds and launches the DrugChatter desktop app (needs a display: X11 or Wayland).
#
#   bash scripts/app.sh              fetch models, build the UI and the app (release), run it
#   APP_PROFILE=debug bash scripts/app.sh
#
# The first start builds the library index (a few minutes on 2 cores, with progress in the
# window); later starts take about a second. Without a display it says so and exits 3, so
# a caller can fall back to the CLI sample.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
profile="${APP_PROFILE:-release}"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "scripts/app.sh: no display (DISPLAY and WAYLAND_DISPLAY are unset); the desktop app needs one." >&2
  exit 3
fi

# WebKitGTK and friends, to build the app (idempotent).
packages=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 models/fetch.py
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund)
(cd ui && npm run build)
if [ "$profile" = release ]; then
  cargo build --release -p drugchatter-app --features custom-protocol
else
  cargo build -p drugchatter-app --features custom-protocol
fi
exec "$CARGO_TARGET_DIR/$profile/drugchatter-app" "$@"
