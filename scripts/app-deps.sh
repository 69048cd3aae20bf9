#!/usr/bin/env bash
# Installs what building, testing and packaging the desktop app needs, from package
# registries only (Debian, crates.io, npm). Idempotent: each step runs only when its tool or
# package is missing or out of date, so a second run costs a few seconds.
#
#   bash scripts/app-deps.sh          WebKitGTK headers (to compile src-tauri) + the UI's npm packages
#   bash scripts/app-deps.sh --e2e    also WebKitWebDriver, Xvfb, tauri-driver and the e2e npm packages
#
# Called by .ci/run (before clippy, which compiles src-tauri), scripts/e2e.sh, app.sh and
# package.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=0
[ "${1:-}" = --e2e ] && e2e=1

log() { printf '== %s\n' "$*" >&2; }

# System packages. WebKitGTK 4.1 and friends to build the Tauri shell; for the e2e suite,
# Debian's WebKitWebDriver (which tauri-driver drives) and a virtual X server.
packages=(pkg-config libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev)
[ "$e2e" = 1 ] && packages+=(webkit2gtk-driver xvfb xauth)
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

# Node: Vite 8 needs 20.19 or later; Debian 12's own nodejs (18) is too old, so we only check.
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "scripts/app-deps.sh: Node.js 20.19 or later is needed to build the UI (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm packages exactly as locked; `npm ci` again only when the lock file changed.
npm_ci() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci ($dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci ui
if [ "$e2e" = 1 ]; then
  npm_ci e2e
  # tauri-driver, from crates.io (pinned: it speaks WebDriver for us; a new major could change that).
  if ! command -v tauri-driver >/dev/null 2>&1; then
    log "cargo install tauri-driver"
    cargo install tauri-driver --version 2.1.0 --locked
  fi
fi
