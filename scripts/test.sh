#!/usr/bin/env bash
# The test command: fetches the pinned models if needed (idempotent), then runs every test
# of the workspace against the real models and the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
# The tests also load a second architecture (Gemma 3) through the same code path.
python3 models/fetch.py gemma-3-270m-q4_k_m
cargo test --workspace --all-targets "$@"
