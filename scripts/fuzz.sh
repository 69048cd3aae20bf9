#!/usr/bin/env bash
# Fuzzes each target of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS (default 60).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     targets: monograph openfda spl question
#
# Seed corpora are made at run time from corpus/, eval/ and ../shared/data (never copied
# into the repository; fuzz/corpus/ is git-ignored). A crash stops the script with the
# input saved under fuzz/artifacts/<target>/; replay it with
#   (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --dev -s none <target> artifacts/<target>/<file>)
# and turn it into a regression test in the crate whose code failed (see SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(monograph openfda spl question)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# libFuzzer's instrumentation flags are nightly-only; the machine has one stable toolchain.
export RUSTC_BOOTSTRAP=1
# Instrumented builds must not share a target folder with the normal ones.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"; fi

echo "== seed corpora"
python3 - "$PWD" <<'PY'
import gzip, json, os, sys, zipfile
root = sys.argv[1]
shared = os.path.join(root, "..", "shared", "data")
out = lambda target: os.makedirs(os.path.join(root, "fuzz", "corpus", target), exist_ok=True) or os.path.join(root, "fuzz", "corpus", target)

def write(target, name, data):
    with open(os.path.join(out(target), name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def shorten(value, limit=400):
    # Real records keep their shape; their long texts are cut so mutations stay fast.
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, list):
        return [shorten(v, limit) for v in value[:3]]
    if isinstance(value, dict):
        return {k: shorten(v, limit) for k, v in value.items()}
    return value

corpus = os.path.join(root, "corpus")
for name in sorted(os.listdir(corpus)):
    if name.endswith(".md"):
        with open(os.path.join(corpus, name), "rb") as f:
            write("monograph", name, f.read())

records = []
labels = os.path.join(shared, "openfda", "labels-1130.jsonl.gz")
if os.path.exists(labels):
    with gzip.open(labels, "rt") as f:
        for n, line in enumerate(f):
            if n >= 40:
                break
            records.append(shorten(json.loads(line)))
for n, record in enumerate(records):
    write("openfda", f"record-{n:02}.json", json.dumps(record))
if records:
    write("openfda", "results.json", json.dumps({"meta": {}, "results": records[:3]}))
    write("openfda", "lines.jsonl", "\n".join(json.dumps(r) for r in records[:3]) + "\n")

spl = os.path.join(shared, "spl")
if os.path.isdir(spl):
    for name in sorted(os.listdir(spl)):
        path = os.path.join(spl, name)
        if name.endswith(".xml"):
            with open(path, "rb") as f:
                write("spl", name, f.read())
        elif name.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    if member.lower().endswith(".xml"):
                        write("spl", os.path.basename(member), z.read(member))

with open(os.path.join(root, "eval", "questions.jsonl")) as f:
    for n, line in enumerate(f):
        write("question", f"q{n:03}.txt", json.loads(line)["question"])
write("question", "with-output.txt", "ibuprofen dose\n---\nTake 200 mg [1]. It helps with pain [2, 3]. [4]")

for target in ["monograph", "openfda", "spl", "question"]:
    print(f"{target}: {len(os.listdir(out(target)))} seeds")
PY

# Unoptimised (debug assertions and overflow checks on) and without AddressSanitizer: the
# code fuzzed is safe Rust, and an optimised, sanitised build of the engine's dependencies
# (candle) did not finish in 2 hours on the 2 shared cores of the CI machine.
build=(--dev --sanitizer none)
echo "== build"
(cd fuzz && cargo fuzz build "${build[@]}")

for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  # -timeout: an input taking longer than 120 s counts as a hang (a crash); generous, as
  # inputs of 300 KB take seconds unoptimised, and the clock is wall time on busy cores.
  (cd fuzz && cargo fuzz run "${build[@]}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=120 -rss_limit_mb=4096 -print_final_stats=1)
done
echo "fuzzing done: no crashes in ${#targets[@]} target(s), ${seconds}s each"
