#!/usr/bin/env bash
# Builds the Linux .deb of the desktop app with the standard Tauri bundler (the npm
# @tauri-apps/cli, pinned below): the UI, the app, the default models
# (MiniLM embedder, SmolLM2 generator) and the bundled library.
#
#   bash scripts/package.sh       → $CARGO_TARGET_DIR/release/bundle/deb/DrugChatter_<version>_amd64.deb
#
# No AppImage: Tauri's AppImage bundler downloads linuxdeploy, its GTK plugin and the
# AppImage runtime from GitHub while it bundles, and this project builds only from package
# registries (crates.io, npm, PyPI, Debian). See README, "The desktop app".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
TAURI_CLI_VERSION=2.12.5

bash scripts/app-deps.sh
# The bundler CLI lives outside ui/package-lock.json: its lock would have to list every
# platform's optional binary, and `npm ci` fails when a registry mirror lacks one of them.
# `npm install` of the pinned version fetches only this platform's binary.
cli_dir="$HOME/.cache/drugchatter/tauri-cli-$TAURI_CLI_VERSION"
if [ ! -x "$cli_dir/node_modules/.bin/tauri" ]; then
  npm install --prefix "$cli_dir" --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
python3 models/fetch.py
# fetch.py writes the model files owner-only (0600); the bundler keeps file modes, and an
# installed app runs as a user who must be able to read them.
chmod -R a+rX models/manifest.json models/all-minilm-l6-v2 models/smollm2-135m-instruct-q4_1 corpus
(cd ui && npm run build --silent)
# The CLI finds src-tauri/ from the repository root; the extra config adds the resources.
"$cli_dir/node_modules/.bin/tauri" build --bundles deb --config src-tauri/tauri.bundle.conf.json
deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1)
echo "built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n '1,20p'
