#!/usr/bin/env bash
# The main job. With a display (X11 or Wayland): build and launch the desktop app
# (scripts/app.sh). Headless: fetch the models, build the CLI and answer a sample question,
# saying why. The index of the bundled library is built on first use (a few minutes on
# 2 cores) and loaded in a second afterwards.
#
#   bash scripts/run.sh                       the app, or headless the CLI sample
#   bash scripts/run.sh "Aldara side effects" headless: the CLI answers this question
#   DRUGCHATTER_HEADLESS=1 bash scripts/run.sh   the CLI sample even with a display
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${DRUGCHATTER_HEADLESS:-0}" != 1 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec bash scripts/app.sh
fi
python3 models/fetch.py
question="${1:-How does imiquimod work?}"
if [ "${DRUGCHATTER_HEADLESS:-0}" = 1 ]; then
  reason="DRUGCHATTER_HEADLESS=1"
else
  reason="no display (DISPLAY and WAYLAND_DISPLAY are unset)"
fi
echo "CLI mode ($reason): the CLI answers a sample question instead of the desktop app." >&2
echo "\$ drugchatter ask \"$question\"" >&2
# cargo run finds the binary wherever CARGO_TARGET_DIR puts it.
cargo run --release --bin drugchatter -- ask "$question"
