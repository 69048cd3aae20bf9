//! The engine's embedding cache opened on arbitrary file bytes (`EmbeddingCache::open`):
//! it never panics and never fails on a readable file; it keeps only whole, checksummed
//! batches of vectors of its dimension; the file is cut to its last good batch, so opening
//! it again finds the same vectors, and a batch appended then is kept beside them.
//!
//! The stored-vectors reader (`index/stored_vectors.rs`) is not on this branch yet.
#![no_main]

use drugchatter_engine::testing::index::{cache_key, EmbeddingCache};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

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

fuzz_target!(|data: &[u8]| {
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
