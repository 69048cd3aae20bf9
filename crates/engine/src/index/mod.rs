//! A library's persistent hybrid index: chunks, their embeddings (HNSW + exact), and BM25.
//!
//! Building is incremental: a monograph whose bytes and embedding model are unchanged keeps
//! its chunks and vectors from the previous generation, so adding, changing or removing one
//! file re-embeds only that file's chunks.

pub(crate) mod embed_cache;
pub(crate) mod lexical;
pub(crate) mod store;
pub(crate) mod stored_vectors;
pub(crate) mod vector;

use crate::chunk::{chunk_monograph, drop_repeats, Chunk};
use crate::corpus::{self, Drug, FileFailure};
use crate::embed::{Embedder, DIMENSION};
use crate::error::{Error, Result};
use crate::progress::{Progress, Stage};
use crate::writer_lock::WriterLock;
use lexical::Bm25;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::{GenerationManifest, NewGeneration};
use vector::{Ann, Vectors};

/// One library, loaded and searchable.
pub struct Index {
    pub manifest: GenerationManifest,
    /// The generation folder it was loaded from.
    pub dir: PathBuf,
    pub drugs: Vec<Drug>,
    pub chunks: Vec<Chunk>,
    pub vectors: Vectors,
    pub lexical: Bm25,
    ann: Option<Ann>,
}

#[derive(Serialize, Deserialize)]
struct LibraryFile {
    drugs: Vec<Drug>,
    chunks: Vec<Chunk>,
}

/// What a build did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BuildReport {
    pub library: String,
    pub files: usize,
    pub drugs: usize,
    pub chunks: usize,
    /// Chunks the embedder read in this build; the rest took a vector from the previous
    /// generation, the build's cache or the vectors stored with the corpus.
    pub embedded_chunks: usize,
    pub reused_chunks: usize,
    pub failures: Vec<FileFailure>,
    /// False when the corpus and model were unchanged and the live index was kept as it was.
    pub rebuilt: bool,
    #[cfg_attr(feature = "ts", ts(type = "{ secs: number, nanos: number }"))]
    pub elapsed: Duration,
    pub index_dir: PathBuf,
}

impl Index {
    /// Loads the live generation of the library rooted at `root` (`<data>/index/<library>`).
    pub fn load(root: &Path) -> Result<Index> {
        let dir = store::current_generation(root)?.ok_or_else(|| Error::NoIndex { path: root.to_path_buf() })?;
        let manifest = store::open_generation(&dir)?;
        let corrupt = |what: &str, e: &dyn std::fmt::Display| Error::IndexCorrupt {
            path: dir.clone(),
            reason: format!("{what}: {e}"),
        };
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| corrupt(name, &e));
        let library: LibraryFile =
            bincode::deserialize(&read("library.bin")?).map_err(|e| corrupt("library.bin", &e))?;
        let vectors = Vectors::from_bytes(DIMENSION, &read("vectors.bin")?)
            .ok_or_else(|| corrupt("vectors.bin", &"size is not a whole number of vectors"))?;
        let lexical: Bm25 = bincode::deserialize(&read("lexical.bin")?).map_err(|e| corrupt("lexical.bin", &e))?;
        if vectors.len() != library.chunks.len() || lexical.len() != library.chunks.len() {
            return Err(corrupt("index", &"chunk, vector and lexical counts disagree"));
        }
        let ann = if library.chunks.is_empty() { None } else { Some(Ann::load(&dir)?) };
        Ok(Index { manifest, dir, drugs: library.drugs, chunks: library.chunks, vectors, lexical, ann })
    }

    /// Approximate vector search over the whole library.
    pub fn ann_search(&self, query: &[f32], k: usize) -> Vec<(u32, f32)> {
        self.ann.as_ref().map(|a| a.search(query, k)).unwrap_or_default()
    }

    pub fn drug_of(&self, chunk: &Chunk) -> &Drug {
        &self.drugs[chunk.drug as usize]
    }
}

/// The text embedded for a chunk: the drug and section give a short passage its context.
pub fn embedding_text(drug: &Drug, chunk: &Chunk) -> String {
    // An imported label's heading ends in its set id and version: noise to the embedder.
    let path: Vec<&str> = chunk.section_path.iter().map(|h| h.split(" (set id ").next().unwrap_or(h)).collect();
    format!("{}. {}. {}", drug.title, path.join(" › "), chunk.text)
}

/// The text BM25 indexes for a chunk: passage, drug names and headings.
pub fn lexical_text(drug: &Drug, chunk: &Chunk) -> String {
    format!("{} {} {} {}", drug.title, drug.synonyms.join(" "), chunk.section_label(), chunk.text)
}

/// Embeds `texts` (in order), each distinct text once, reusing and extending the
/// on-disk cache when the options name one, and taking stored vectors where they name
/// one. Returns the vectors and how many of the texts the embedder actually read.
fn embed_missing(
    texts: &[String],
    embedder: &Embedder,
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<(Vec<Vec<f32>>, usize)> {
    use embed_cache::{key, EmbeddingCache, Key};
    let identity = embedding_identity(embedder, options.embed_max_tokens);
    let mut cache = match &options.embedding_cache {
        Some(path) => Some(EmbeddingCache::open(path, &identity, DIMENSION)?),
        None => None,
    };
    let stored = match &options.stored_vectors {
        Some(corpus_dir) => stored_vectors::load(corpus_dir, &identity, DIMENSION),
        None => HashMap::new(),
    };
    let keys: Vec<Key> = texts.iter().map(|t| key(t)).collect();
    let mut made: HashMap<Key, Vec<f32>> = HashMap::new();
    let mut missing: Vec<usize> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, k) in keys.iter().enumerate() {
        if stored.contains_key(k) || cache.as_ref().is_some_and(|c| c.get(k).is_some()) || !seen.insert(*k) {
            continue;
        }
        missing.push(i);
    }
    if !stored.is_empty() {
        tracing::info!("{} passages take their stored vectors", texts.len() - missing.len());
    }
    tracing::info!("{} passages to embed ({} distinct not yet embedded)", texts.len(), missing.len());
    progress.stage(Stage::Embedding, missing.len() as u64);
    let mut done = 0usize;
    for group in missing.chunks(EMBED_GROUP) {
        let group_texts: Vec<&str> = group.iter().map(|&i| texts[i].as_str()).collect();
        let vectors = embedder.embed_all_truncated(&group_texts, options.embed_max_tokens, &mut |n| {
            progress.advance((done + n) as u64);
            !progress.is_cancelled()
        })?;
        done += group.len();
        let entries: Vec<(Key, Vec<f32>)> = group.iter().map(|&i| keys[i]).zip(vectors).collect();
        match cache.as_mut() {
            Some(cache) => cache.append(entries)?,
            None => made.extend(entries),
        }
    }
    let vectors = keys
        .iter()
        .map(|k| match stored.get(k).map(Vec::as_slice).or_else(|| cache.as_ref().and_then(|c| c.get(k))) {
            Some(v) => v.to_vec(),
            None => made[k].clone(),
        })
        .collect();
    Ok((vectors, missing.len()))
}

/// Names what makes a vector: the embedder's weights and how much of a text it reads.
/// Cached and stored vectors are used only under the identity that made them.
pub fn embedding_identity(embedder: &Embedder, max_tokens: usize) -> String {
    format!("{} max_tokens={max_tokens}", embedder.fingerprint)
}

/// Writes the vectors of `index`, one file per monograph, beside its corpus
/// (`<corpus_dir>/vectors`), for later builds to take instead of embedding.
pub fn store_vectors(index: &Index, corpus_dir: &Path, embedder: &Embedder) -> Result<usize> {
    let identity = embedding_identity(embedder, crate::embed::MAX_TOKENS);
    let mut per_drug: Vec<stored_vectors::DrugVectors> = index
        .drugs
        .iter()
        .map(|d| stored_vectors::DrugVectors { slug: d.slug.as_str(), entries: Vec::new() })
        .collect();
    for (i, chunk) in index.chunks.iter().enumerate() {
        let drug = &index.drugs[chunk.drug as usize];
        per_drug[chunk.drug as usize]
            .entries
            .push((embed_cache::key(&embedding_text(drug, chunk)), index.vectors.row(i)));
    }
    stored_vectors::save(corpus_dir, &identity, &per_drug)
}

/// How a library is built.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Tokens of each passage the embedder reads (at most the model's 256).
    pub embed_max_tokens: usize,
    /// Where embeddings are kept while building, so an interrupted build resumes; None
    /// embeds in memory only.
    pub embedding_cache: Option<PathBuf>,
    /// A corpus folder whose stored vectors ([`stored_vectors`]) stand in for embedding
    /// the passages they hold.
    pub stored_vectors: Option<PathBuf>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { embed_max_tokens: crate::embed::MAX_TOKENS, embedding_cache: None, stored_vectors: None }
    }
}

/// Embeddings are made and saved in groups this size: the most work an interruption loses.
const EMBED_GROUP: usize = 128;

/// Builds (or brings up to date) the index of the monographs in `corpus_dir`, stored under
/// `root`. Returns the loaded index and what was done.
pub fn build(
    root: &Path,
    corpus_dir: &Path,
    library: &str,
    embedder: &Embedder,
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<(Index, BuildReport)> {
    let started = Instant::now();
    // Held until the new generation is committed: two builders would each delete the
    // other's generation. The second one waits, then finds the index up to date.
    let lock = WriterLock::acquire(root, || {
        tracing::warn!("another process is writing the index at {}; waiting for it to finish", root.display());
        progress.stage(Stage::Waiting, 0);
    })?;
    progress.stage(Stage::Scanning, 0);
    let (files, mut failures) = corpus::scan(corpus_dir)?;
    if files.is_empty() && failures.is_empty() {
        return Err(Error::EmptyCorpus { path: corpus_dir.to_path_buf() });
    }
    let corpus_hash = {
        let mut h = Sha256::new();
        for f in &files {
            h.update(f.relative.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(f.content_hash.as_bytes());
            h.update([b'\n']);
        }
        crate::model_manifest::sha256_bytes(&h.finalize())
    };

    // The previous generation, if readable and built with this model, supplies reusable work.
    let previous = match Index::load(root) {
        Ok(index) if index.manifest.model_fingerprint == embedder.fingerprint => Some(index),
        Ok(_) => None,
        Err(Error::NoIndex { .. }) => None,
        Err(e) => {
            tracing::warn!("ignoring the previous index: {e}");
            None
        }
    };
    if let Some(prev) = &previous {
        // Parse failures are not stored, so a corpus with failing files is always re-checked.
        if prev.manifest.corpus_hash == corpus_hash && failures.is_empty() && prev.drugs.len() == files.len() {
            let report = BuildReport {
                library: library.to_string(),
                files: files.len(),
                drugs: prev.drugs.len(),
                chunks: prev.chunks.len(),
                embedded_chunks: 0,
                reused_chunks: prev.chunks.len(),
                failures,
                rebuilt: false,
                elapsed: started.elapsed(),
                index_dir: prev.dir.clone(),
            };
            return Ok((previous.unwrap(), report));
        }
    }
    let reusable: HashMap<(&str, &str), usize> = previous
        .iter()
        .flat_map(|p| p.drugs.iter().enumerate().map(|(i, d)| ((d.slug.as_str(), d.content_hash.as_str()), i)))
        .collect();
    let mut chunks_of_previous: HashMap<u32, Vec<usize>> = HashMap::new();
    if let Some(prev) = &previous {
        for (i, c) in prev.chunks.iter().enumerate() {
            chunks_of_previous.entry(c.drug).or_default().push(i);
        }
    }

    progress.stage(Stage::Parsing, files.len() as u64);
    let mut drugs: Vec<Drug> = Vec::new();
    let mut chunks: Vec<Chunk> = Vec::new();
    // Per chunk: Some(previous chunk index) to reuse its vector, None to embed.
    let mut origin: Vec<Option<usize>> = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let drug_index = drugs.len() as u32;
        let slug = file.slug();
        if let (Some(prev), Some(&prev_drug)) = (&previous, reusable.get(&(slug.as_str(), file.content_hash.as_str())))
        {
            drugs.push(prev.drugs[prev_drug].clone());
            for &ci in chunks_of_previous.get(&(prev_drug as u32)).into_iter().flatten() {
                let mut chunk = prev.chunks[ci].clone();
                chunk.drug = drug_index;
                chunks.push(chunk);
                origin.push(Some(ci));
            }
        } else {
            match corpus::parse_file(file, library) {
                Ok((drug, monograph)) => {
                    let new_chunks = drop_repeats(chunk_monograph(&drug.slug, drug_index, &monograph));
                    origin.extend(std::iter::repeat_n(None, new_chunks.len()));
                    chunks.extend(new_chunks);
                    drugs.push(drug);
                }
                Err(failure) => failures.push(failure),
            }
        }
        progress.advance(n as u64 + 1);
    }

    let to_embed: Vec<usize> = (0..chunks.len()).filter(|&i| origin[i].is_none()).collect();
    let texts: Vec<String> =
        to_embed.iter().map(|&i| embedding_text(&drugs[chunks[i].drug as usize], &chunks[i])).collect();
    let (fresh, embedded_chunks) = embed_missing(&texts, embedder, options, progress)?;
    let mut fresh = fresh.into_iter();
    let mut vectors = Vectors::new(DIMENSION);
    for o in &origin {
        match o {
            Some(ci) => vectors.push(previous.as_ref().unwrap().vectors.row(*ci)),
            None => vectors.push(&fresh.next().expect("one fresh vector per new chunk")),
        }
    }
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }

    progress.stage(Stage::Indexing, chunks.len() as u64);
    let lexical_texts: Vec<String> = chunks.iter().map(|c| lexical_text(&drugs[c.drug as usize], c)).collect();
    let lexical = Bm25::build(lexical_texts.iter().map(String::as_str));
    let ann = (!chunks.is_empty()).then(|| Ann::build(&vectors));
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }

    progress.stage(Stage::Writing, 0);
    let mut generation = NewGeneration::start(&lock)?;
    let library_file = LibraryFile { drugs, chunks };
    generation.write("library.bin", &bincode::serialize(&library_file).expect("library serialises"))?;
    generation.write("vectors.bin", &vectors.to_bytes())?;
    generation.write("lexical.bin", &bincode::serialize(&lexical).expect("lexical index serialises"))?;
    if let Some(ann) = &ann {
        ann.dump(generation.dir())?;
    }
    let manifest = GenerationManifest {
        format_version: store::FORMAT_VERSION,
        library: library.to_string(),
        model_fingerprint: embedder.fingerprint.clone(),
        corpus_hash,
        source_dir: corpus_dir.to_path_buf(),
        built_at_unix: store::now_unix(),
        drugs: library_file.drugs.len(),
        chunks: library_file.chunks.len(),
        files: Default::default(),
    };
    let (dir, manifest) = generation.commit(manifest)?;
    let report = BuildReport {
        library: library.to_string(),
        files: files.len(),
        drugs: library_file.drugs.len(),
        chunks: library_file.chunks.len(),
        embedded_chunks,
        reused_chunks: library_file.chunks.len() - embedded_chunks,
        failures,
        rebuilt: true,
        elapsed: started.elapsed(),
        index_dir: dir.clone(),
    };
    let index = Index { manifest, dir, drugs: library_file.drugs, chunks: library_file.chunks, vectors, lexical, ann };
    Ok((index, report))
}
