//! `drugchatter bench`: figures for BENCHMARKS.md (retrieval, import at scale, and in
//! `generation` answer generation against llama.cpp). Speed is measured here, never
//! asserted in tests.

pub mod generation;

use anyhow::{Context, Result};
use drugchatter_engine::bench::{
    embedding_texts, search, Ann, Bm25, Embedder, EngineParts, Index, Library, Vectors, MAX_TOKENS,
};
use drugchatter_engine::{Engine, Hit, ImportOptions, Paths, Progress, Stage, BUNDLED_LIBRARY};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Records when each build stage started, to time the embedding stage on its own, and
/// shows the progress bar meanwhile.
#[derive(Default)]
struct StageClock {
    marks: Mutex<Vec<(Stage, Instant, u64)>>,
    bar: Option<crate::progress_bar::Bar>,
}

impl Progress for StageClock {
    fn stage(&self, stage: Stage, total: u64) {
        self.marks.lock().unwrap().push((stage, Instant::now(), total));
        if let Some(bar) = &self.bar {
            bar.stage(stage, total);
        }
    }

    fn advance(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.advance(done);
        }
    }
}

impl StageClock {
    fn duration_of(&self, stage: Stage) -> Option<(Duration, u64)> {
        let marks = self.marks.lock().unwrap();
        let i = marks.iter().position(|m| m.0 == stage)?;
        let end = marks.get(i + 1).map_or_else(Instant::now, |m| m.1);
        Some((end - marks[i].1, marks[i].2))
    }
}

pub fn run(paths: Paths, questions: &Path, synthetic: usize, with_corpus: bool) -> Result<()> {
    println!("machine: {}", machine());
    if with_corpus {
        corpus(paths, questions)?;
    }
    if synthetic > 0 {
        synthetic_index(synthetic);
    }
    Ok(())
}

fn corpus(mut paths: Paths, questions: &Path) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    paths.data_dir = scratch.path().to_path_buf();
    println!("\n## Bundled corpus ({})", paths.corpus_dir.display());
    let started = Instant::now();
    let mut engine = Engine::open(paths.clone()).context("starting the engine")?;
    println!("embedder load: {:.2} s", started.elapsed().as_secs_f64());

    let clock = StageClock::default();
    let report = engine.update_index(None, &clock)?;
    let (embed_time, embedded) = clock.duration_of(Stage::Embedding).unwrap_or_default();
    println!("files {}, drugs {}, chunks {}", report.files, report.drugs, report.chunks);
    println!(
        "embedding: {} chunks in {:.1} s = {:.1} chunks/s",
        embedded,
        embed_time.as_secs_f64(),
        embedded as f64 / embed_time.as_secs_f64()
    );
    println!("index build (scan → write, incl. embedding): {:.1} s", report.elapsed.as_secs_f64());
    let index_dir = paths.index_dir(BUNDLED_LIBRARY);
    let mut loads: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            Index::load(&index_dir).map(|_| t.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<Result<_, _>>()?;
    loads.sort_by(f64::total_cmp);
    println!("index load: median {:.1} ms (5 loads), {:.1} MB on disk", loads[2], dir_size(&index_dir) as f64 / 1e6);

    let questions = read_questions(questions)?;
    let library = engine.library().expect("just built");
    measure_queries(&engine, library, &questions)?;
    println!("peak RSS so far: {:.0} MB", peak_rss_mb());
    Ok(())
}

/// Passages in the embedder's fixed sample: every n-th of the corpus's, in index order.
const EMBEDDING_SAMPLE: usize = 1000;

/// The embedder alone on a fixed sample of the corpus's passages, then a first index build
/// of the whole corpus in a scratch data folder (what a new install does on first use).
pub fn embedding(mut paths: Paths) -> Result<()> {
    println!("machine: {}", machine());
    let passages = embedding_texts(&paths.corpus_dir)?;
    let embedder = Embedder::load(&paths.models_dir)?;
    let step = (passages.len() / EMBEDDING_SAMPLE).max(1);
    let sample: Vec<&str> = passages.iter().step_by(step).take(EMBEDDING_SAMPLE).map(String::as_str).collect();
    let tokens: usize = embedder.token_ids(&sample, MAX_TOKENS)?.iter().map(Vec::len).sum();
    let started = Instant::now();
    embedder.embed_all(&sample, &mut |_| true)?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "embedding {} of {} passages ({tokens} tokens): {seconds:.1} s = {:.1} passages/s, {:.0} tokens/s",
        sample.len(),
        passages.len(),
        sample.len() as f64 / seconds,
        tokens as f64 / seconds
    );
    drop(embedder);

    let scratch = tempfile::tempdir()?;
    paths.data_dir = scratch.path().to_path_buf();
    let started = Instant::now();
    let mut engine = Engine::open(paths).context("starting the engine")?;
    let clock = StageClock::default();
    let report = engine.update_index(None, &clock)?;
    let total = started.elapsed().as_secs_f64();
    let (embed_time, embedded) = clock.duration_of(Stage::Embedding).unwrap_or_default();
    let all: Vec<&str> = passages.iter().map(String::as_str).collect();
    let all_tokens: usize = engine.embedder().token_ids(&all, MAX_TOKENS)?.iter().map(Vec::len).sum();
    println!(
        "first index build: {} passages ({all_tokens} tokens) in {total:.1} s with the embedder's load; \
         embedding {embedded} in {:.1} s = {:.1} passages/s",
        report.chunks,
        embed_time.as_secs_f64(),
        embedded as f64 / embed_time.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Imports label files into a scratch library and measures the import and the result.
pub fn import_scale(mut paths: Paths, inputs: &[std::path::PathBuf], embed_tokens: usize) -> Result<()> {
    println!("machine: {}", machine());
    let scratch = tempfile::tempdir()?;
    paths.data_dir = scratch.path().to_path_buf();
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    println!("\n## Import of {} (embedding the first {embed_tokens} tokens of each passage)", names.join(", "));
    let mut engine = Engine::open(paths.clone()).context("starting the engine")?;
    let clock = StageClock { bar: Some(crate::progress_bar::Bar::new()), ..Default::default() };
    let options = ImportOptions { library: "scale".into(), embed_max_tokens: embed_tokens };
    let started = Instant::now();
    let report = engine.import(inputs, &options, &clock)?;
    let wall = started.elapsed();
    if let Some(bar) = &clock.bar {
        bar.finish();
    }
    let build = report.build.as_ref().context("nothing was imported")?;
    let (read_time, _) = clock.duration_of(Stage::Reading).unwrap_or_default();
    let (embed_time, embedded) = clock.duration_of(Stage::Embedding).unwrap_or_default();
    println!(
        "records {}, labels {}, skipped {}, drugs {}, chunks {}",
        report.records, report.labels, report.skipped_count, report.drugs, build.chunks
    );
    println!(
        "wall time {:.1} s = {:.1} chunks/s overall; reading {:.1} s; embedding {} distinct passages in {:.1} s = {:.1}/s",
        wall.as_secs_f64(),
        build.chunks as f64 / wall.as_secs_f64(),
        read_time.as_secs_f64(),
        embedded,
        embed_time.as_secs_f64(),
        embedded as f64 / embed_time.as_secs_f64().max(1e-9)
    );
    println!("peak RSS during import: {:.0} MB", peak_rss_mb());
    let index_dir = paths.index_dir("scale");
    let mut loads: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            Index::load(&index_dir).map(|_| t.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<Result<_, _>>()?;
    loads.sort_by(f64::total_cmp);
    println!("index: {:.1} MB on disk, load median {:.0} ms (3 loads)", dir_size(&index_dir) as f64 / 1e6, loads[1]);

    engine.reload_libraries();
    let library = engine.libraries().iter().find(|l| l.name == "scale").context("library loads")?;
    // Eight consumer-style questions about every 5th drug of the library.
    let questions: Vec<(String, &str)> = library
        .index
        .drugs
        .iter()
        .step_by(5)
        .flat_map(|d| {
            let name = d.title.to_lowercase();
            [
                (format!("{name} dose for adults"), "Dosage"),
                (format!("side effects of {name}"), "Side Effects"),
                (format!("can I take {name} while pregnant"), "Pregnancy and Breastfeeding"),
                (format!("how does {name} work"), "How It Works"),
                // Phrased without the section's own words.
                (format!("what is {name} prescribed for"), "Usage"),
                (format!("what happens if I take too much {name}"), "Overdosage"),
                (format!("who should never use {name}"), "Contraindications"),
                (format!("where do I keep {name}"), "How Supplied and Storage"),
            ]
        })
        .collect();
    let texts: Vec<String> = questions.iter().map(|(q, _)| q.clone()).collect();
    let on_drug = measure_queries(&engine, library, &texts)?;
    println!("top hit on the named drug: {on_drug}/{}", questions.len());
    // Section hits count only questions whose drug has the section the question is about.
    let drug_sections: std::collections::HashSet<(&str, &str)> = library
        .index
        .chunks
        .iter()
        .filter_map(|c| Some((library.index.drug_of(c).slug.as_str(), c.section_path.first()?.as_str())))
        .collect();
    let (mut asked, mut at_1, mut at_5) = (0, 0, 0);
    for (q, section) in &questions {
        let results = engine.search(q, 5)?;
        let Some(drug) = results.drugs.first() else { continue };
        if !drug_sections.contains(&(drug.slug.as_str(), *section)) {
            continue;
        }
        asked += 1;
        let hit = |h: &Hit| h.drug_slug == drug.slug && h.section.starts_with(section);
        at_1 += usize::from(results.hits.first().is_some_and(hit));
        at_5 += usize::from(results.hits.iter().any(hit));
    }
    println!(
        "section hit@1 {:.1}%, @5 {:.1}% ({asked} questions whose drug has the section)",
        100.0 * at_1 as f64 / asked.max(1) as f64,
        100.0 * at_5 as f64 / asked.max(1) as f64
    );
    for q in ["metformin dose for adults", "sertraline and alcohol"] {
        let results = engine.search(q, 3)?;
        if let Some(hit) = results.hits.first() {
            println!("{q:?} → {} / {}", hit.drug, hit.section);
        }
    }
    println!("peak RSS: {:.0} MB", peak_rss_mb());
    Ok(())
}

/// Prints query latency (with and without the query's embedding) and HNSW recall over
/// `questions`; returns how many top hits were on the first drug the question names.
fn measure_queries(engine: &Engine, library: &Library, questions: &[String]) -> Result<usize> {
    let mut end_to_end = Vec::new();
    let mut retrieval_only = Vec::new();
    let (mut found, mut wanted, mut on_drug) = (0, 0, 0);
    for q in questions {
        let t = Instant::now();
        let results = engine.search(q, 10)?;
        end_to_end.push(t.elapsed());
        on_drug += usize::from(
            results.hits.first().is_some_and(|h| results.drugs.first().is_some_and(|d| h.drug_slug == d.slug)),
        );
        let vector = engine.embedder().embed_one(q)?;
        let t = Instant::now();
        search(&library.index, &library.catalog, q, &vector, 10);
        retrieval_only.push(t.elapsed());
        let exact: Vec<u32> = library.index.vectors.exact_search(&vector, 10, &|_| true).iter().map(|h| h.0).collect();
        let approx: Vec<u32> = library.index.ann_search(&vector, 10).iter().map(|h| h.0).collect();
        wanted += exact.len();
        found += exact.iter().filter(|id| approx.contains(id)).count();
    }
    println!(
        "query latency over {} questions, with query embedding: p50 {:.1} ms, p99 {:.1} ms",
        questions.len(),
        percentile(&mut end_to_end, 0.50),
        percentile(&mut end_to_end, 0.99)
    );
    println!(
        "query latency, retrieval only (resolve + vector + BM25 + fusion): p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut retrieval_only, 0.50),
        percentile(&mut retrieval_only, 0.99)
    );
    println!("recall@10, HNSW vs exact: {:.4}", found as f64 / wanted.max(1) as f64);
    Ok(on_drug)
}

fn synthetic_index(n: usize) {
    println!("\n## Synthetic index: {n} chunks (clustered 384-d unit vectors, Zipf-distributed text)");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let centroids: Vec<Vec<f32>> = (0..(n / 100).max(1)).map(|_| unit(&mut rng, None)).collect();
    let mut vectors = Vectors::new(384);
    for i in 0..n {
        vectors.push(&unit(&mut rng, Some(&centroids[i % centroids.len()])));
    }
    let t = Instant::now();
    let ann = Ann::build(&vectors);
    println!("HNSW build: {:.1} s ({:.0} vectors/s)", t.elapsed().as_secs_f64(), n as f64 / t.elapsed().as_secs_f64());
    let dir = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    ann.dump(dir.path()).expect("dump");
    std::fs::write(dir.path().join("vectors.bin"), vectors.to_bytes()).expect("write vectors");
    println!("write: {:.2} s, {:.0} MB on disk", t.elapsed().as_secs_f64(), dir_size(dir.path()) as f64 / 1e6);
    drop(ann);
    let t = Instant::now();
    let ann = Ann::load(dir.path()).expect("load");
    let bytes = std::fs::read(dir.path().join("vectors.bin")).expect("read vectors");
    let vectors = Vectors::from_bytes(384, &bytes).expect("vectors");
    println!("load (graph + vectors): {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);

    let queries: Vec<Vec<f32>> =
        (0..500).map(|i| unit(&mut rng, Some(&centroids[(i * 7919) % centroids.len()]))).collect();
    let mut latencies = Vec::new();
    let (mut found, mut wanted) = (0, 0);
    for q in &queries {
        let t = Instant::now();
        let approx: Vec<u32> = ann.search(q, 10).iter().map(|h| h.0).collect();
        latencies.push(t.elapsed());
        let exact: Vec<u32> = vectors.exact_search(q, 10, &|_| true).iter().map(|h| h.0).collect();
        wanted += exact.len();
        found += exact.iter().filter(|id| approx.contains(id)).count();
    }
    println!(
        "HNSW query (k=10, {} queries): p50 {:.2} ms, p99 {:.2} ms; recall@10 vs exact {:.4}",
        queries.len(),
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99),
        found as f64 / wanted as f64
    );

    let vocabulary: Vec<String> = (0..20_000).map(|i| format!("term{i}")).collect();
    let passages: Vec<String> = (0..n)
        .map(|_| (0..100).map(|_| vocabulary[zipf(&mut rng, vocabulary.len())].as_str()).collect::<Vec<_>>().join(" "))
        .collect();
    let t = Instant::now();
    let bm25 = Bm25::build(passages.iter().map(String::as_str));
    println!("BM25 build: {:.1} s", t.elapsed().as_secs_f64());
    let mut latencies = Vec::new();
    for i in 0..500 {
        let query = format!("{} {} {}", vocabulary[(i * 13) % 2000], vocabulary[(i * 31) % 500], vocabulary[i % 5000]);
        let t = Instant::now();
        bm25.search(&query, 50, &|_| true);
        latencies.push(t.elapsed());
    }
    println!(
        "BM25 query (top 50 of {n}): p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99)
    );
    println!("peak RSS: {:.0} MB", peak_rss_mb());
}

fn read_questions(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let value: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
            value["question"]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("{}:{}: no \"question\"", path.display(), i + 1))
        })
        .collect()
}

/// In milliseconds.
fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let meta = e.metadata().ok();
            match meta {
                Some(m) if m.is_dir() => dir_size(&e.path()),
                Some(m) => m.len(),
                None => 0,
            }
        })
        .sum()
}

/// Peak resident set size of this process (Linux `VmHWM`).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, {} threads", std::thread::available_parallelism().map_or(0, |n| n.get()))
}

/// xorshift64*: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A random unit vector, near `around` when given (like passages of one topic).
fn unit(rng: &mut Rng, around: Option<&[f32]>) -> Vec<f32> {
    let mut v: Vec<f32> = (0..384)
        .map(|i| {
            let noise = (0..4).map(|_| rng.next_f32()).sum::<f32>() - 2.0;
            around.map_or(noise, |c| c[i] * 12.0 + noise)
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

fn zipf(rng: &mut Rng, n: usize) -> usize {
    // Inverse-CDF approximation of Zipf(1): rank ≈ n^u.
    ((n as f32).powf(rng.next_f32()) as usize).saturating_sub(1).min(n - 1)
}
