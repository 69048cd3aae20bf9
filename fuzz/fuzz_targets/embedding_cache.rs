//! The engine's two readers of stored vectors on arbitrary file bytes, both seeded:
//!
//! - the embedding cache (`EmbeddingCache::open`): it never panics and never fails on a
//!   readable file; it keeps only whole, checksummed batches of vectors of its dimension; the
//!   file is cut to its last good batch, so opening it again finds the same vectors, and a
//!   batch appended then is kept beside them;
//! - the vectors stored with a corpus (`stored_vectors::load`, the bytes as one monograph's
//!   `.vec` file beside a sound one): it never panics, takes only finite vectors of its
//!   dimension, never loses the sound file's vector to a damaged neighbour, and what it took
//!   is saved and loaded back equal.
#![no_main]

use drugchatter_engine::testing::index::stored_vectors::{self, DrugVectors};
use drugchatter_engine::testing::index::{cache_key, EmbeddingCache};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, HashMap};

/// The identity and dimension scripts/fuzz.sh's seeds are written with.
const IDENTITY: &str = "fuzz-embedder";
const DIMENSION: usize = 3;

type Vectors = BTreeMap<[u8; 32], Vec<u32>>;

fn vectors(cache: &EmbeddingCache) -> Vectors {
    cache
        .keys()
        .map(|key| {
            let vector = cache.get(key).expect("a listed key has a vector");
            assert_eq!(vector.len(), DIMENSION, "a vector of another dimension");
            (*key, vector.iter().map(|x| x.to_bits()).collect())
        })
        .collect()
}

fn bits(vectors: &HashMap<[u8; 32], Vec<f32>>) -> Vectors {
    vectors.iter().map(|(key, vector)| (*key, vector.iter().map(|x| x.to_bits()).collect())).collect()
}

fn check_stored_vectors(data: &[u8]) {
    let corpus = tempfile::tempdir().expect("a temporary folder");
    let good_key = cache_key("a passage of a sound file");
    let good = [0.5f32, -0.25, 2.0];
    let sound = DrugVectors { slug: "sound", entries: vec![(good_key, &good[..])] };
    stored_vectors::save(corpus.path(), IDENTITY, &[sound]).expect("saves");
    std::fs::write(corpus.path().join(stored_vectors::DIR).join("fuzz.vec"), data).expect("writable");
    let loaded = stored_vectors::load(corpus.path(), IDENTITY, DIMENSION);
    for vector in loaded.values() {
        assert_eq!(vector.len(), DIMENSION, "a stored vector of another dimension");
        assert!(vector.iter().all(|x| x.is_finite()), "a stored vector that is not finite: {vector:?}");
    }
    if !data.windows(32).any(|w| w == good_key) {
        assert_eq!(loaded.get(&good_key).map(Vec::as_slice), Some(&good[..]), "a damaged file cost a sound one");
    }
    // What was taken is saved and read back bit for bit.
    let again = tempfile::tempdir().expect("a temporary folder");
    let entries: Vec<([u8; 32], &[f32])> = loaded.iter().map(|(key, vector)| (*key, vector.as_slice())).collect();
    stored_vectors::save(again.path(), IDENTITY, &[DrugVectors { slug: "all", entries }]).expect("saves");
    assert_eq!(
        bits(&stored_vectors::load(again.path(), IDENTITY, DIMENSION)),
        bits(&loaded),
        "saved vectors load back differently"
    );
}

fuzz_target!(|data: &[u8]| {
    check_stored_vectors(data);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("embeddings.cache");
    std::fs::write(&path, data).expect("writable");
    let cache = EmbeddingCache::open(&path, IDENTITY, DIMENSION).expect("a readable cache file opens");
    let first = vectors(&cache);
    drop(cache);
    let size = std::fs::metadata(&path).expect("the cache file").len();
    assert!(size <= data.len() as u64 || first.is_empty(), "the file grew from {} to {size} bytes", data.len());

    let mut cache = EmbeddingCache::open(&path, IDENTITY, DIMENSION).expect("reopens");
    assert_eq!(vectors(&cache), first, "opening again finds other vectors");
    let added = cache_key("a text embedded after the damage");
    cache.append(vec![(added, vec![0.25, -1.0, f32::MIN_POSITIVE])]).expect("appends");
    drop(cache);
    let cache = EmbeddingCache::open(&path, IDENTITY, DIMENSION).expect("reopens");
    let mut expected = first;
    expected.insert(added, [0.25f32, -1.0, f32::MIN_POSITIVE].iter().map(|x| x.to_bits()).collect());
    assert_eq!(vectors(&cache), expected, "an appended batch is lost or changes what was there");
});
