//! The embedder (our BERT encoder) against candle's BERT, the encoder it replaced: the same
//! token ids through both, pooled and normalised alike, must give the same vectors up to
//! rounding. candle's BERT is kept here, as the reference, and nowhere else.

mod common;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use drugchatter_engine::bench::{embedding_texts, Embedder, MAX_TOKENS};
use std::time::Instant;

fn candle_model() -> BertModel {
    let dir = common::models_dir().join("all-minilm-l6-v2");
    let config: Config = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let device = Device::Cpu;
    // SAFETY: the weights file is only read, by this test, while it runs.
    let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DTYPE, &device) }.unwrap();
    BertModel::load(vb, &config).unwrap()
}

/// The embedder's former `embed_batch`: the batch padded to its longest sequence, the
/// padding masked, the mean taken over real tokens, then L2-normalised.
fn candle_embed(model: &BertModel, sequences: &[Vec<u32>]) -> Vec<Vec<f32>> {
    let device = Device::Cpu;
    let rows = sequences.len();
    let width = sequences.iter().map(Vec::len).max().unwrap_or(0);
    let (mut ids, mut mask) = (Vec::new(), Vec::new());
    for sequence in sequences {
        ids.extend_from_slice(sequence);
        ids.extend(std::iter::repeat_n(0, width - sequence.len()));
        mask.extend(std::iter::repeat_n(1u32, sequence.len()));
        mask.extend(std::iter::repeat_n(0u32, width - sequence.len()));
    }
    let ids = Tensor::from_vec(ids, (rows, width), &device).unwrap();
    let mask = Tensor::from_vec(mask, (rows, width), &device).unwrap();
    let hidden = model.forward(&ids, &ids.zeros_like().unwrap(), Some(&mask)).unwrap();
    let mask = mask.to_dtype(DType::F32).unwrap().unsqueeze(2).unwrap();
    let mean = hidden.broadcast_mul(&mask).unwrap().sum(1).unwrap().broadcast_div(&mask.sum(1).unwrap()).unwrap();
    let norms = mean.sqr().unwrap().sum_keepdim(1).unwrap().sqrt().unwrap();
    mean.broadcast_div(&norms).unwrap().to_vec2::<f32>().unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum::<f64>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

/// Fifty texts: questions of a few tokens, real passages, passages run together past 256
/// tokens (cut to 256), and one word; batched (by both) so that short texts sit beside
/// long ones and the reference pads them heavily.
#[test]
fn vectors_match_candles_bert() {
    let passages = embedding_texts(&common::repo().join("corpus")).unwrap();
    let step = passages.len() / 30;
    let mut texts: Vec<String> = [
        "ibuprofen",
        "How does imiquimod work?",
        "Can I take sertraline while pregnant?",
        "metformin dose for adults",
        "what happens if I miss a dose of lisinopril",
        "Aldara side effects",
        "is it safe to drink alcohol with acetaminophen",
        "NSAIDs and blood thinners",
        "where do I keep insulin glargine",
        "a",
    ]
    .map(String::from)
    .to_vec();
    texts.extend((0..30).map(|i| passages[i * step].clone()));
    texts.extend((0..10).map(|i| passages[i * 7..i * 7 + 6].join(" ")));
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();

    let embedder = Embedder::load(&common::models_dir()).unwrap();
    let ids = embedder.token_ids(&refs, MAX_TOKENS).unwrap();
    assert!(ids.iter().filter(|s| s.len() == MAX_TOKENS).count() >= 10, "ten texts are cut to 256 tokens");
    assert!(ids.iter().any(|s| s.len() <= 4));
    let ours = embedder.embed_all(&refs, &mut |_| true).unwrap();

    let model = candle_model();
    let reference: Vec<Vec<f32>> = ids.chunks(16).flat_map(|batch| candle_embed(&model, batch)).collect();
    let mut worst = (f64::INFINITY, 0);
    for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
        assert_eq!(a.len(), 384);
        let similarity = cosine(a, b);
        if similarity < worst.0 {
            worst = (similarity, i);
        }
    }
    println!(
        "lowest cosine similarity to candle's BERT: 1 - {:.2e} (text {}, {} tokens)",
        1.0 - worst.0,
        worst.1,
        ids[worst.1].len()
    );
    assert!(worst.0 >= 0.9999, "text {} ({:?}): cosine {}", worst.1, &texts[worst.1], worst.0);
}

/// A text's vector does not depend on the texts it is embedded with.
#[test]
fn a_text_embeds_alike_alone_and_in_a_batch() {
    let embedder = Embedder::load(&common::models_dir()).unwrap();
    let texts = ["How does imiquimod work?", "ibuprofen", &"Take it with food. ".repeat(40)];
    let together = embedder.embed_all(&texts, &mut |_| true).unwrap();
    for (text, vector) in texts.iter().zip(&together) {
        assert_eq!(&embedder.embed_one(text).unwrap(), vector);
    }
}

/// Passages and tokens per second, candle's BERT against ours, on a fixed sample of 1,000
/// of the bundled corpus's passages, embedded as the index does (length-sorted batches of
/// 32). Run on purpose: `cargo test --release --test embedding -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, minutes long"]
fn embedding_throughput_candle_and_ours() {
    let passages = embedding_texts(&common::repo().join("corpus")).unwrap();
    let step = passages.len() / 1000;
    let sample: Vec<&str> = (0..1000).map(|i| passages[i * step].as_str()).collect();
    let embedder = Embedder::load(&common::models_dir()).unwrap();
    let ids = embedder.token_ids(&sample, MAX_TOKENS).unwrap();
    let tokens: usize = ids.iter().map(Vec::len).sum();
    println!("{} passages of {}, {tokens} tokens", sample.len(), passages.len());
    // CPU time beside wall time: on the shared machine the wall clock says as much about
    // the other programs as about the encoder.
    let report = |name: &str, started: (Instant, f64)| {
        let seconds = started.0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - started.1;
        println!(
            "{name}: {seconds:.1} s ({cpu:.1} CPU-s), {:.1} passages/s, {:.0} tokens/s; per CPU-second {:.1} passages, {:.0} tokens",
            sample.len() as f64 / seconds,
            tokens as f64 / seconds,
            sample.len() as f64 / cpu,
            tokens as f64 / cpu
        )
    };

    let started = (Instant::now(), cpu_seconds());
    embedder.embed_all(&sample, &mut |_| true).unwrap();
    report("ours", started);

    let model = candle_model();
    let mut order: Vec<usize> = (0..sample.len()).collect();
    order.sort_by_key(|&i| sample[i].len());
    let started = (Instant::now(), cpu_seconds());
    // Tokenizing included, as the embedder's time includes it.
    for batch in order.chunks(32) {
        let texts: Vec<&str> = batch.iter().map(|&i| sample[i]).collect();
        candle_embed(&model, &embedder.token_ids(&texts, MAX_TOKENS).unwrap());
    }
    report("candle", started);
}

/// User and system time of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
