#!/usr/bin/env bash
# Asks ASKS questions (default 200) one after another on the real model, with the app's
# answer length (160 tokens), and reports the process's memory before and after
# (crates/engine/tests/soak.rs; CI runs a short soak of 6 asks of 48 tokens). 200 asks took 41 min on
# 2 cores shared with a CI run (SECURITY.md).
#
#   bash scripts/soak.sh [ASKS]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
SOAK_ASKS="${1:-200}" SOAK_MAX_TOKENS="${SOAK_MAX_TOKENS:-160}" \
  cargo test -p drugchatter-engine --test soak -- --nocapture
