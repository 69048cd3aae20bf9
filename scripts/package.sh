#!/usr/bin/env bash
# Builds the Linux .deb of the desktop app with the standard Tauri bundler: the UI, the
# app, the default models (MiniLM embedder, SmolLM2 generator) and the bundled library.
#
#   bash scripts/package.sh       → target/release/bundle/deb/DrugChatter_<version>_amd64.deb
#
# AppImage is not built: the bundler downloads linuxdeploy and its plugins from GitHub at
# build time, and this project builds only from crates.io, npm, PyPI and Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

python3 models/fetch.py
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund)
(cd ui && npm run build)
# The CLI finds src-tauri/ from the repository root; the extra config adds the resources.
ui/node_modules/.bin/tauri build --bundles deb --config src-tauri/tauri.bundle.conf.json
deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1)
echo "built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n '1,20p'
