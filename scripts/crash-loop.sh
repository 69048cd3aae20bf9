#!/usr/bin/env bash
# Kills `drugchatter index` and `drugchatter import` with SIGKILL at random moments, TRIALS
# times each (default 25, so 50 kills), and checks after every kill that the index is the
# old or the new complete one, that the next run finishes the work and that search answers.
#
#   bash scripts/crash-loop.sh [TRIALS]        CRASH_SEED=N replays a run
#
# CI runs the same test with 3 trials of each (tests/crash_loop.rs). A trial takes from
# 10 s to over a minute on 2 cores, depending on how busy they are (SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
CRASH_TRIALS="${1:-25}" cargo test -p drugchatter --test crash_loop -- --nocapture
