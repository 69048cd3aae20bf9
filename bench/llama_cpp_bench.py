#!/usr/bin/env python3
"""Reference benchmark: llama.cpp (llama-cpp-python) on a GGUF model, to set beside DrugChatter's engine.

Usage (with the venv python printed by scripts/setup-llama-cpp.sh):
    python bench/llama_cpp_bench.py --model PATH --prompt-file FILE --threads 2 --max-tokens N [--repeat R]

The prompt file holds the full, already-templated prompt; it is tokenized with the model's own
tokenizer, add_bos=False, special=True (so put <bos> in the file if the model wants one).
Prefill is one llm.eval() of the prompt tokens (n_batch 512); decode is greedy, one token per
eval, stopping at an end-of-generation token (EOS/EOT) or after --max-tokens tokens.

Figures (each the median over the repeats; the KV cache is cleared before each repeat):
  load_ms      constructing Llama() (the file is mmapped, so page-ins fall partly on the first run)
  prefill_ms   eval of the prompt tokens;  prefill_tok_s = prompt_tokens / prefill_ms
  ttft_ms      start of prefill to the first token sampled
  decode_tok_s decode steps (one eval + one greedy sample each) per second, after the first token
  total_ms     start of prefill to the last token sampled (load excluded)
  peak_rss_mb  VmHWM of the process at the end; baseline_rss_mb the same before the model load
  loadavg_1m   the 1-minute load average at the start
  runs_cpu_util  per repeat, process CPU time / wall time: ~threads when the run had the cores to
               itself. On 2 cores anything else running (a cargo build) wrecks llama.cpp's spinning
               thread barriers (decode drops ~15x), so treat repeats well below `threads` as void.
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def rss_mb():
    """Peak RSS of this process. VmHWM belongs to this program's memory map; ru_maxrss
    would also report the parent's peak, inherited across fork."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # KiB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt-file", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ignore-eos", action="store_true",
                    help="decode exactly --max-tokens, past the end of the turn (fixed-length timing)")
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--n-batch", type=int, default=512)
    ap.add_argument("--no-repack", action="store_true",
                    help="use_extra_bufts=False: no CPU weight repacking / AMX buffers")
    args = ap.parse_args()

    import llama_cpp
    from llama_cpp import llama_cpp as ll

    if args.no_repack:  # Llama() takes no such argument; patch the defaults it starts from
        default_params = ll.llama_model_default_params

        def no_extra_bufts():
            p = default_params()
            p.use_extra_bufts = False
            return p

        ll.llama_model_default_params = no_extra_bufts

    with open(args.prompt_file, encoding="utf-8") as f:
        prompt = f.read()
    baseline = rss_mb()
    loadavg = os.getloadavg()[0]

    t0 = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=args.model, n_ctx=args.n_ctx, n_batch=args.n_batch, n_ubatch=args.n_batch,
        n_threads=args.threads, n_threads_batch=args.threads, verbose=False,
    )
    load_ms = (time.perf_counter() - t0) * 1e3

    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
    if len(tokens) + args.max_tokens > args.n_ctx:
        sys.exit(f"prompt ({len(tokens)}) + max tokens ({args.max_tokens}) exceed n_ctx {args.n_ctx}")
    vocab = llm._model.vocab
    sampler = ll.llama_sampler_init_greedy()

    runs = []
    for _ in range(max(1, args.repeat)):
        llm.reset()
        ll.llama_memory_clear(ll.llama_get_memory(llm.ctx), True)
        ll.llama_sampler_reset(sampler)

        c_start = time.process_time()
        t_start = time.perf_counter()
        llm.eval(tokens)
        t_prefill = time.perf_counter()
        out, steps, stop = [], 0, "max_tokens"
        tok = ll.llama_sampler_sample(sampler, llm.ctx, -1)
        t_first = time.perf_counter()
        while True:
            if ll.llama_vocab_is_eog(vocab, tok) and not args.ignore_eos:
                stop = "eog"
                break
            out.append(tok)
            if len(out) >= args.max_tokens:
                break
            llm.eval([tok])
            tok = ll.llama_sampler_sample(sampler, llm.ctx, -1)
            steps += 1
        t_end = time.perf_counter()
        c_end = time.process_time()

        decode_s = t_end - t_first
        runs.append({
            "prefill_ms": (t_prefill - t_start) * 1e3,
            "ttft_ms": (t_first - t_start) * 1e3,
            "decode_ms": decode_s * 1e3,
            "decode_tok_s": steps / decode_s if steps else 0.0,
            "total_ms": (t_end - t_start) * 1e3,
            "cpu_util": (c_end - c_start) / (t_end - t_start),
            "tokens": out,
            "stop": stop,
        })
    ll.llama_sampler_free(sampler)

    def med(key):
        return statistics.median(r[key] for r in runs)

    prefill_ms = med("prefill_ms")
    first = runs[0]
    result = {
        "engine": "llama.cpp",
        "version": "llama-cpp-python " + llama_cpp.__version__,
        "model": args.model,
        "threads": args.threads,
        "prompt_tokens": len(tokens),
        "generated_tokens": len(first["tokens"]),
        "stop": first["stop"],
        "repeats": len(runs),
        "load_ms": round(load_ms, 1),
        "prefill_ms": round(prefill_ms, 1),
        "prefill_tok_s": round(len(tokens) / prefill_ms * 1e3, 1),
        "ttft_ms": round(med("ttft_ms"), 1),
        "decode_ms": round(med("decode_ms"), 1),
        "decode_tok_s": round(med("decode_tok_s"), 1),
        "total_ms": round(med("total_ms"), 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "baseline_rss_mb": round(baseline, 1),
        "runs_prefill_tok_s": [round(len(tokens) / r["prefill_ms"] * 1e3, 1) for r in runs],
        "runs_decode_tok_s": [round(r["decode_tok_s"], 1) for r in runs],
        "runs_cpu_util": [round(r["cpu_util"], 2) for r in runs],
        "outputs_identical": all(r["tokens"] == first["tokens"] for r in runs),
        "loadavg_1m": round(loadavg, 2),
        "no_repack": args.no_repack,
        "system_info": ll.llama_print_system_info().decode("utf-8", "replace").strip(),
        "text": llm.detokenize(first["tokens"]).decode("utf-8", "replace"),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
