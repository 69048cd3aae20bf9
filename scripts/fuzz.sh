#!/usr/bin/env bash
# Fuzzes each target of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS (default 60).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# targets: monograph openfda spl question archive label_store render_many gguf settings
# embedding_cache (all by default).
#
# Seed corpora are made at run time from corpus/, eval/, ../shared/data and models/ (never
# copied into the repository; fuzz/corpus/ is git-ignored). The gguf target's seed is the
# bundled SmolLM2 file's metadata, fetched by `python3 models/fetch.py` when missing. A crash stops the script with the
# input saved under fuzz/artifacts/<target>/; replay it with
#   (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --dev -s none <target> artifacts/<target>/<file>)
# and turn it into a regression test in the crate whose code failed (see SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(monograph openfda spl question archive label_store render_many gguf settings \
  embedding_cache)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# libFuzzer's instrumentation flags are nightly-only; the machine has one stable toolchain.
export RUSTC_BOOTSTRAP=1
# Instrumented builds must not share a target folder with the normal ones.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"; fi

smollm=models/smollm2-135m-instruct-q4_1/SmolLM2-135M-Instruct.Q4_1.gguf
if [ ! -f "$smollm" ]; then
  python3 models/fetch.py smollm2-135m-instruct-q4_1 || echo "no $smollm: the gguf target starts from its small seeds"
fi

echo "== seed corpora"
python3 - "$PWD" "$smollm" <<'PY'
import gzip, io, json, os, struct, sys, zipfile, zlib
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

# archive: zips and gzips of the real files, and their entries as a DailyMed release holds them.
def zipped(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buffer.getvalue()

lines = "\n".join(json.dumps(r) for r in records[:3]) + "\n" if records else '{"set_id":["0027b8a3-73bf-4005-a7e3-b035f451a861"]}\n'
write("archive", "lines.jsonl.gz", gzip.compress(lines.encode()))
write("archive", "members.gz", gzip.compress(lines[: len(lines) // 2].encode()) + gzip.compress(lines[len(lines) // 2 :].encode()))
spl_seeds = sorted(os.listdir(out("spl")))[:2]
spl_xml = [(name, open(os.path.join(out("spl"), name), "rb").read()[:20000]) for name in spl_seeds]
inner = zipped(spl_xml[:1] + [("image.jpg", b"\xff\xd8\xff")])
write("archive", "release.zip", zipped([("labels.jsonl", lines), ("more.json.gz", gzip.compress(lines.encode())), ("spl/one.zip", inner), ("spl/deep.zip", zipped([("inner.zip", inner)]))] + spl_xml[1:]))
write("archive", "stored.zip", zipped([("a.json", lines)], zipfile.ZIP_STORED))

# label_store, render_many: libFuzzer's own bytes build the labels; a few seeds of varied
# length start it with more sections and labels.
for n, size in enumerate([64, 512, 4096, 32768]):
    for target in ["label_store", "render_many"]:
        write(target, f"bytes-{n}", bytes((i * 7919 + n) % 251 for i in range(size)))

# settings: what the app writes, and near misses.
settings = [
    {},
    {"model": {"kind": "bundled"}, "answer_length": "long", "show_unverified": True, "theme": "dark"},
    {"model": {"kind": "file", "path": "/tmp/model.gguf"}, "answer_length": "short", "show_unverified": False, "theme": "light"},
    {"model": {"kind": "file", "path": "relative.gguf"}},
    {"theme": "dark", "evil": 1},
]
for n, value in enumerate(settings):
    write("settings", f"settings-{n}.json", json.dumps(value, indent=2))

# embedding_cache: a cache as the engine writes it (identity and dimension as in the target),
# whole, cut inside its last batch, and of another identity.
def cache(identity, dimension, batches):
    data = b"DCEMBC1\n" + struct.pack("<II", dimension, len(identity)) + identity.encode()
    for batch in batches:
        body = struct.pack("<I", len(batch))
        for key, vector in batch:
            body += key + struct.pack(f"<{dimension}f", *vector)
        data += body + struct.pack("<I", zlib.crc32(body))
    return data
batches = [[(bytes([i]) * 32, [i, -i, 0.5]) for i in range(n + 1)] for n in range(3)]
whole = cache("fuzz-embedder", 3, batches)
write("embedding_cache", "whole.cache", whole)
write("embedding_cache", "torn.cache", whole[:-5])
write("embedding_cache", "other.cache", cache("another-model", 3, batches[:1]))
# …and vectors stored with a corpus (one monograph's `.vec` file), whole and cut short.
def stored(identity, dimension, entries):
    data = b"DCVECS1\n" + struct.pack("<I", len(identity)) + identity.encode()
    data += struct.pack("<II", dimension, len(entries))
    return data + b"".join(key + struct.pack(f"<{dimension}f", *vector) for key, vector in entries)
vectors = stored("fuzz-embedder", 3, batches[2])
write("embedding_cache", "monograph.vec", vectors)
write("embedding_cache", "cut.vec", vectors[:-3])

# gguf: the real SmolLM2 header and metadata (its vocabulary, merges and template) with a
# small tensor table that fits the file, and two tiny models, one per tokenizer kind.
def gguf_string(text):
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data

def gguf_value(value):
    if isinstance(value, bool):
        return struct.pack("<IB", 7, value)
    if isinstance(value, int):
        return struct.pack("<II", 4, value)
    if isinstance(value, float):
        return struct.pack("<If", 6, value)
    if isinstance(value, str):
        return struct.pack("<I", 8) + gguf_string(value)
    kind = 8 if isinstance(value[0], str) else (6 if isinstance(value[0], float) else 5)
    items = b"".join(gguf_string(v) if kind == 8 else struct.pack("<f" if kind == 6 else "<i", v) for v in value)
    return struct.pack("<IIQ", 9, kind, len(value)) + items

def gguf(metadata_bytes, metadata_count, tensors=32):
    data = b"GGUF" + struct.pack("<IQQ", 3, tensors, metadata_count) + metadata_bytes
    for i in range(tensors):
        data += gguf_string(f"t{i}") + struct.pack("<IQIQ", 1, 32, 0, i * 128)
    data += b"\0" * (-len(data) % 32)
    return data + b"\0" * (tensors * 128)

def tiny(tokenizer):
    tokens = ["<unk>", "<s>", "</s>", "<|im_end|>", "a", "b", "ab", "k", "ak", "T", "e"]
    metadata = {
        "general.architecture": "llama", "llama.embedding_length": 64, "llama.block_count": 2,
        "llama.attention.head_count": 4, "llama.attention.head_count_kv": 2, "llama.context_length": 1 << 20,
        "llama.rope.dimension_count": 16, "tokenizer.ggml.model": tokenizer, "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}",
    }
    if tokenizer == "gpt2":
        metadata.update({"tokenizer.ggml.merges": ["a b", "a k"], "tokenizer.ggml.pre": "smollm"})
    else:
        metadata.update({"tokenizer.ggml.scores": [float(-i) for i in range(len(tokens))],
                         "tokenizer.ggml.token_type": [2, 3, 3, 3] + [1] * (len(tokens) - 4),
                         "tokenizer.ggml.add_space_prefix": True, "tokenizer.ggml.unknown_token_id": 0})
    body = b"".join(gguf_string(k) + gguf_value(v) for k, v in metadata.items())
    return gguf(body, len(metadata), tensors=4)
write("gguf", "tiny-bpe.gguf", tiny("gpt2"))
write("gguf", "tiny-sentencepiece.gguf", tiny("llama"))
smollm = sys.argv[2]
if os.path.exists(smollm):
    with open(smollm, "rb") as f:
        head = f.read(8 << 20)
    _, _, _, count = struct.unpack_from("<4sIQQ", head, 0)
    fixed = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    def skip(kind, at):
        if kind in fixed:
            return at + fixed[kind]
        if kind == 8:
            return at + 8 + struct.unpack_from("<Q", head, at)[0]
        element, n = struct.unpack_from("<IQ", head, at)
        at += 12
        if element in fixed:
            return at + n * fixed[element]
        for _ in range(n):
            at = skip(element, at)
        return at
    at = 24
    for _ in range(count):
        at += 8 + struct.unpack_from("<Q", head, at)[0]
        at = skip(struct.unpack_from("<I", head, at)[0], at + 4)
    write("gguf", "smollm2-metadata.gguf", gguf(head[24:at], count))

for target in ["monograph", "openfda", "spl", "question", "archive", "label_store", "render_many", "gguf", "settings",
               "embedding_cache"]:
    print(f"{target}: {len(os.listdir(out(target)))} seeds")
PY

# Unoptimised (debug assertions and overflow checks on) and without AddressSanitizer: the
# code fuzzed is safe Rust, and an optimised, sanitised build of the engine's dependencies
# (candle) did not finish in 2 hours on the 2 shared cores of the CI machine.
build=(--dev --sanitizer none)
echo "== build"
(cd fuzz && cargo fuzz build "${build[@]}")

# Per target: the longest input libFuzzer makes (deep nesting and long lines need room; the
# gguf seed is SmolLM2's 1.8 MB of metadata), and the largest single allocation allowed
# (the archive target unpacks at most 4 MiB; a bigger allocation is a cap not applied).
limits() {
  case "$1" in
    archive) echo -max_len=1048576 -malloc_limit_mb=256 ;;
    label_store | render_many | settings | embedding_cache) echo -max_len=1048576 ;;
    gguf) echo -max_len=2097152 -malloc_limit_mb=1024 ;;
  esac
}

for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  # -timeout: an input taking longer than 120 s counts as a hang (a crash); generous, as
  # inputs of 300 KB take seconds unoptimised, and the clock is wall time on busy cores.
  # shellcheck disable=SC2046
  (cd fuzz && cargo fuzz run "${build[@]}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=120 -rss_limit_mb=4096 -print_final_stats=1 $(limits "$target"))
done
echo "fuzzing done: no crashes in ${#targets[@]} target(s), ${seconds}s each"
