#!/usr/bin/env bash
# Set up llama.cpp (llama-cpp-python, built from the PyPI sdist) for bench/llama_cpp_bench.py.
# Idempotent: exits at once when the venv already has the pinned version. The built wheel is
# cached in ~/.cache/drugchatter/wheels, keyed by the CMake flags and the CPU, so a rebuilt
# venv reuses it instead of compiling again (~15 min on 2 cores). Prints the venv's python.
#
# Env overrides: LLAMA_CPP_VERSION, LLAMA_VENV, LLAMA_WHEELS, CMAKE_ARGS.
set -euo pipefail

VER="${LLAMA_CPP_VERSION:-0.3.36}"
CACHE="${HOME}/.cache/drugchatter"
VENV="${LLAMA_VENV:-$CACHE/llama-venv}"
WHEELS="${LLAMA_WHEELS:-$CACHE/wheels}"
PY="$VENV/bin/python"

if [ -x "$PY" ] && "$PY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$VER')" 2>/dev/null; then
  echo "$PY"
  exit 0
fi

# Native build for a local bench. On CPUs with AMX, llama.cpp's native build segfaults on
# multi-token batches (AMX extra buffer type), so there build AVX-512 explicitly without AMX.
if [ -z "${CMAKE_ARGS:-}" ]; then
  if grep -qw amx_int8 /proc/cpuinfo; then
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
  else
    CMAKE_ARGS="-DGGML_NATIVE=ON"
  fi
fi
export CMAKE_ARGS
key=$( { echo "$CMAKE_ARGS"; grep -m1 '^model name' /proc/cpuinfo; grep -m1 '^flags' /proc/cpuinfo; } | sha256sum | cut -c1-12)
WDIR="$WHEELS/llama_cpp_python-$VER-$key"

[ -x "$PY" ] || python3 -m venv "$VENV"

whl=$(ls "$WDIR"/llama_cpp_python-"$VER"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$whl" ]; then
  echo "building llama-cpp-python $VER from source with CMAKE_ARGS='$CMAKE_ARGS' (about 15 min on 2 cores)" >&2
  mkdir -p "$WDIR"
  # Build tools as wheels (--no-binary :all: would compile cmake itself), no build isolation.
  "$PY" -m pip install -q --only-binary cmake,ninja cmake ninja "scikit-build-core>=0.9.2" >&2
  sdist=$(ls "$WHEELS"/llama[-_]cpp[-_]python-"$VER".tar.gz 2>/dev/null | head -n1 || true)
  if [ -z "$sdist" ]; then
    "$PY" -m pip download -q --no-deps --no-build-isolation --no-binary llama-cpp-python -d "$WHEELS" "llama-cpp-python==$VER" >&2
    sdist=$(ls "$WHEELS"/llama[-_]cpp[-_]python-"$VER".tar.gz | head -n1)
  fi
  start=$(date +%s)
  "$PY" -m pip wheel -v --no-deps --no-build-isolation -w "$WDIR" "$sdist" >"$WDIR/build.log" 2>&1 \
    || { tail -n 40 "$WDIR/build.log" >&2; exit 1; }
  echo "built in $(( $(date +%s) - start )) s; log: $WDIR/build.log" >&2
  echo "$CMAKE_ARGS" >"$WDIR/cmake-args.txt"
  whl=$(ls "$WDIR"/llama_cpp_python-"$VER"-*.whl | head -n1)
fi
"$PY" -m pip install -q "$whl" >&2
"$PY" -c "import llama_cpp" >&2
echo "$PY"
