#!/usr/bin/env bash
# The main job: fetch the models, build, and run DrugChatter. The index of the bundled
# library is built on first use (a few minutes on 2 cores) and loaded instantly afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 models/fetch.py
question="${1:-How does imiquimod work?}"
echo "Headless mode (the desktop app is not part of this build yet): answering a sample question with the CLI." >&2
echo "\$ drugchatter ask \"$question\"" >&2
# cargo run finds the binary wherever CARGO_TARGET_DIR puts it.
cargo run --release --bin drugchatter -- ask "$question"
