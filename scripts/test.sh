#!/usr/bin/env bash
# The test command: installs what is missing (idempotent: models, the app's system and npm
# packages, tauri-driver), then runs every test of the workspace against the real models and
# the bundled corpus, then the desktop app's UI unit tests and end-to-end tests in its real
# webview under Xvfb.
#
#   bash scripts/test.sh              everything
#   bash scripts/test.sh -- NAME      cargo tests matching NAME only (no e2e); any cargo
#                                     test arguments work after the script name
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
# The tests also load a second architecture (Gemma 3) through the same code path.
python3 models/fetch.py gemma-3-270m-q4_k_m
# The desktop app (src-tauri) is a workspace member: compiling it needs WebKitGTK's headers.
bash scripts/app-deps.sh --e2e
cargo test --workspace --all-targets "$@"
# With a test filter, the caller wants a quick subset.
if [ $# -eq 0 ]; then
  E2E_SKIP_INSTALL=1 bash scripts/e2e.sh
fi
