//! `drugchatter bench --generation`: our candle path and llama.cpp side by side, on the
//! same GGUF, the same prompt (a real answer prompt built from retrieval) and 2 threads.
//! llama.cpp runs through `bench/llama_cpp_bench.py` (llama-cpp-python built from source;
//! `scripts/setup-llama-cpp.sh` installs it) in a child process, one engine at a time.

use super::{machine, peak_rss_mb};
use anyhow::{Context, Result};
use drugchatter_engine::bench;
use drugchatter_engine::Engine;
use drugchatter_engine::{AskOptions, Conversation};
use drugchatter_llm::{GenerationParams, Llm};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct Options {
    pub question: String,
    pub model: Option<PathBuf>,
    pub max_tokens: usize,
    /// The Python with llama-cpp-python; None skips llama.cpp.
    pub llama_python: Option<PathBuf>,
    pub repeats: usize,
}

struct Figures {
    prompt_tokens: usize,
    generated_tokens: usize,
    prefill_tok_s: f64,
    ttft_ms: f64,
    decode_tok_s: f64,
    peak_rss_mb: f64,
}

pub fn run(engine: &Engine, options: &Options) -> Result<()> {
    println!("machine: {}", machine());
    let model_path = match &options.model {
        Some(path) => path.clone(),
        None => engine.default_generator_path()?,
    };
    println!("model: {}", model_path.display());
    let started = Instant::now();
    let mut llm = Llm::load(&model_path)?;
    println!("load: {:.2} s", started.elapsed().as_secs_f64());

    // Two prompts from real retrieval: the default answer prompt (4 sources), and one of
    // about 1,000 tokens (more sources), the size the first-token target is set for.
    let results = engine.search(&options.question, 10)?;
    let defaults = AskOptions::default();
    let prompts: Vec<(String, String)> = [(defaults.sources, defaults.prompt_budget), (10, 1100)]
        .into_iter()
        .map(|(sources, budget)| {
            let (kept, prompt) = bench::answer_prompt(&llm, &options.question, &results.hits, sources, budget);
            (format!("{kept} sources"), prompt)
        })
        .collect();

    println!("\n| prompt | engine | prompt tokens | prefill tok/s | first token | decode tok/s | peak RSS |");
    println!("|---|---|---|---|---|---|---|");
    for (label, prompt) in &prompts {
        let ours = candle(&mut llm, prompt, false, options)?;
        print_row(label, "candle (ours)", &ours);
        let kept = candle(&mut llm, prompt, true, options)?;
        print_row(label, "candle (ours), instruction kept", &kept);
        if let Some(python) = &options.llama_python {
            match llama_cpp(python, &model_path, prompt, options) {
                Ok(theirs) => print_row(label, "llama.cpp", &theirs),
                Err(e) => println!("| {label} | llama.cpp | failed: {e:#} | | | | |"),
            }
        }
    }

    // End to end through the engine: retrieval, first token, total.
    engine.load_generator(Some(&model_path))?;
    let mut conversation = Conversation::default();
    let options_ask = AskOptions { max_tokens: options.max_tokens, ..Default::default() };
    let answer = engine.ask(&options.question, &mut conversation, &options_ask, &mut |_| true)?;
    let t = &answer.timings;
    println!(
        "\nask end to end ({:?}): retrieval {:.0} ms, first token {:.0} ms, total {:.0} ms, {} prompt tokens, status {:?}",
        options.question,
        t.retrieval_ms,
        t.first_token_ms.unwrap_or(0.0),
        t.total_ms,
        t.prompt_tokens,
        answer.status
    );
    println!("peak RSS of this process (embedder, index and model): {:.0} MB", peak_rss_mb());
    Ok(())
}

fn print_row(prompt: &str, engine: &str, f: &Figures) {
    println!(
        "| {prompt} | {engine} | {} | {:.0} | {:.2} s | {:.1} ({} tokens) | {:.0} MB |",
        f.prompt_tokens,
        f.prefill_tok_s,
        f.ttft_ms / 1000.0,
        f.decode_tok_s,
        f.generated_tokens,
        f.peak_rss_mb
    );
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Our engine on `prompt`, computed in full each time, or, with `instruction_kept`, in the
/// state the engine keeps between questions: the opening instruction's keys and values
/// computed at load (see `Llm::prime`).
fn candle(llm: &mut Llm, prompt: &str, instruction_kept: bool, options: &Options) -> Result<Figures> {
    // Both engines decode exactly max_tokens, past the end of the turn: a reply of 9 tokens
    // says little about decoding speed.
    let params = GenerationParams { max_tokens: options.max_tokens, ignore_end_of_turn: true, ..Default::default() };
    let mut runs = Vec::new();
    for _ in 0..options.repeats.max(1) {
        llm.forget();
        if instruction_kept {
            llm.prime(&bench::instruction(llm))?;
        }
        runs.push(llm.generate(prompt, &params, &mut |_| true)?);
    }
    let last = runs.last().expect("at least one run");
    Ok(Figures {
        prompt_tokens: last.prompt_tokens,
        generated_tokens: last.generated_tokens,
        prefill_tok_s: median(
            runs.iter().map(|g| (g.prompt_tokens - g.reused_prompt_tokens) as f64 / g.prefill.as_secs_f64()).collect(),
        ),
        ttft_ms: median(runs.iter().map(|g| g.first_token.as_secs_f64() * 1000.0).collect()),
        decode_tok_s: median(runs.iter().map(|g| g.decode_tokens_per_second()).collect()),
        peak_rss_mb: peak_rss_mb(),
    })
}

fn llama_cpp(python: &Path, model: &Path, prompt: &str, options: &Options) -> Result<Figures> {
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), prompt)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/llama_cpp_bench.py");
    let output = std::process::Command::new(python)
        .arg(&script)
        .arg("--model")
        .arg(model)
        .arg("--prompt-file")
        .arg(file.path())
        .args(["--threads", "2", "--max-tokens", &options.max_tokens.to_string()])
        .args(["--repeat", &options.repeats.max(1).to_string(), "--ignore-eos"])
        .output()
        .with_context(|| format!("running {}", python.display()))?;
    anyhow::ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr).trim());
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).context("llama_cpp_bench.py printed no JSON")?;
    let number = |key: &str| v[key].as_f64().with_context(|| format!("no {key:?} in {v}"));
    Ok(Figures {
        prompt_tokens: number("prompt_tokens")? as usize,
        generated_tokens: number("generated_tokens")? as usize,
        prefill_tok_s: number("prefill_tok_s")?,
        ttft_ms: number("ttft_ms")?,
        decode_tok_s: number("decode_tok_s")?,
        // The whole Python process, as ours is the whole drugchatter process.
        peak_rss_mb: number("peak_rss_mb")?,
    })
}
