#!/usr/bin/env bash
# The test command: fetches the pinned models if needed (idempotent), then runs every test
# of the workspace against the real models and the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
cargo test --workspace --all-targets "$@"
