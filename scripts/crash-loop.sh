#!/usr/bin/env bash
# Kills `drugchatter index` and `drugchatter import` with SIGKILL at random moments, TRIALS
# times each (default 50), and checks after every kill that the index is the old or the
# new complete one, that the next run finishes the work and that search answers.
#
#   bash scripts/crash-loop.sh [TRIALS]        CRASH_SEED=N replays a run
#
# CI runs the same test with 3 trials (tests/crash_loop.rs). About 1 minute per trial on
# 2 busy cores.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
CRASH_TRIALS="${1:-50}" cargo test --test crash_loop -- --nocapture
