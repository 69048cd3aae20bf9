#!/usr/bin/env bash
# End-to-end tests of the desktop app in its real webview (WebKitGTK), with the real models
# and the real index: tauri-driver + WebKitWebDriver under Xvfb, driven by WebdriverIO.
#
#   bash scripts/e2e.sh                       install what is missing, UI unit tests, build, run the suite
#   E2E_SKIP_INSTALL=1 bash scripts/e2e.sh    skip the installs (already set up)
#
# Screenshots of every step land in target/e2e-screenshots/ (with timings.json). The index
# is built by the app on its first start into DRUGCHATTER_DATA_DIR (default
# target/e2e-data/) and kept, so only the first run pays the few minutes of embedding.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
started=$(date +%s)

log() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

if [ "${E2E_SKIP_INSTALL:-0}" != 1 ]; then
  log "set-up: system packages, tauri-driver, npm packages, models"
  bash scripts/app-deps.sh --e2e
  python3 models/fetch.py
fi

log "UI unit tests (vitest)"
(cd ui && npm test --silent)

# The UI into ui/dist, then the app with the UI embedded (what `tauri build --debug
# --no-bundle` does, without the CLI). Dev profile, so the dependencies are the ones the
# test suite already built (the workspace's dev profile optimises the engine).
log "build the UI"
(cd ui && npm run build --silent)
log "build the app"
cargo build -p drugchatter-app --features custom-protocol
export DRUGCHATTER_APP="$CARGO_TARGET_DIR/debug/drugchatter-app"

mkdir -p target/e2e-screenshots
rm -f target/e2e-screenshots/*.png target/e2e-screenshots/*.json

# WebKitGTK under Xvfb: no GPU, so no DMA-BUF renderer or accelerated compositing.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LIBGL_ALWAYS_SOFTWARE=1

log "e2e suite"
if [ -n "${DISPLAY:-}" ] && [ "${E2E_USE_DISPLAY:-0}" = 1 ]; then
  npm --prefix e2e test
else
  xvfb-run -a -s "-screen 0 1600x1000x24" npm --prefix e2e test
fi
log "done: $(ls target/e2e-screenshots/*.png | wc -l) screenshots in target/e2e-screenshots/"
