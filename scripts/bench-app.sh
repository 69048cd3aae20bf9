#!/usr/bin/env bash
# App cold start to ready and to the first answer, on the release build (BENCHMARKS.md,
# "Desktop app cold start"). Each run is a new app process on the e2e suite's data folder
# (DRUGCHATTER_DATA_DIR, default target/e2e-data), whose index the suite built: run
# scripts/e2e.sh once first, or the first run measured here is a first run (index_ms shows it).
#
#   bash scripts/bench-app.sh           3 runs
#   RUNS=5 bash scripts/bench-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

bash scripts/app-deps.sh --e2e
python3 models/fetch.py
(cd ui && npm run build --silent)
cargo build --release -p drugchatter-app --features custom-protocol
export DRUGCHATTER_APP="$CARGO_TARGET_DIR/release/drugchatter-app"
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s "-screen 0 1600x1000x24" node e2e/bench/cold-start.mjs
