#!/usr/bin/env bash
# End-to-end tests of the desktop app in its real webview (WebKitGTK), with the real models
# and the real index: tauri-driver + WebKitWebDriver under Xvfb, driven by WebdriverIO.
#
#   bash scripts/e2e.sh            install what is missing, UI unit tests, build, run the suite
#   E2E_SKIP_INSTALL=1 bash scripts/e2e.sh    skip apt/cargo install/npm ci (already set up)
#
# Screenshots of every step land in target/e2e-screenshots/ (with timings.json). The index
# is built on the first run into target/e2e-data/ (DRUGCHATTER_DATA_DIR overrides) and
# reused afterwards, so only the first run pays the few minutes of embedding.
# Idempotent: each install step runs only when its tool or package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

log() { printf '\n== %s\n' "$*"; }

if [ "${E2E_SKIP_INSTALL:-0}" != 1 ]; then
  # System packages: WebKitGTK (build and run), its WebDriver, a virtual X server.
  packages=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev webkit2gtk-driver xvfb xauth)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi

  # tauri-driver, from crates.io.
  if ! command -v tauri-driver >/dev/null 2>&1; then
    log "cargo install tauri-driver"
    cargo install tauri-driver --locked
  fi

  # The pinned models (idempotent: verifies hashes, downloads only what is missing).
  log "models"
  python3 models/fetch.py

  # Node packages, exactly as locked.
  log "npm ci (ui, e2e)"
  (cd ui && npm ci --no-audit --no-fund)
  (cd e2e && npm ci --no-audit --no-fund)
fi

log "UI unit tests (vitest)"
(cd ui && npm test)

# Build: the UI into ui/dist, then the app with the UI embedded (what `tauri build --debug
# --no-bundle` does, without needing the CLI). The dev profile optimises dependencies.
log "build the UI"
(cd ui && npm run build)
log "build the app"
cargo build -p drugchatter-app --features custom-protocol
export DRUGCHATTER_APP="$CARGO_TARGET_DIR/debug/drugchatter-app"

mkdir -p target/e2e-screenshots
rm -f target/e2e-screenshots/*.png

# WebKitGTK under Xvfb: no GPU, so no DMA-BUF renderer or accelerated compositing.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LIBGL_ALWAYS_SOFTWARE=1

log "e2e suite (xvfb-run)"
if [ -n "${DISPLAY:-}" ] && [ "${E2E_USE_DISPLAY:-0}" = 1 ]; then
  npm --prefix e2e test
else
  xvfb-run -a -s "-screen 0 1600x1000x24" npm --prefix e2e test
fi
log "screenshots: $(ls target/e2e-screenshots/*.png | wc -l) in target/e2e-screenshots/"
