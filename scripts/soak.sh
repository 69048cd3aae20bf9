#!/usr/bin/env bash
# Asks ASKS questions (default 200) one after another on the real model and reports the
# process's memory before and after (tests/soak.rs; CI runs 20).
#
#   bash scripts/soak.sh [ASKS]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
SOAK_ASKS="${1:-200}" cargo test --test soak -- --nocapture
