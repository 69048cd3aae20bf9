//! A library's embeddings by text, kept on disk while a build runs, so a build stopped by
//! Ctrl-C or kill -9 resumes without re-embedding what it already did, and a text repeated
//! across documents is embedded once.
//!
//! The file is a header followed by appended batches, each with its own crc32. A batch cut
//! short by a crash fails its check; loading keeps every batch before it and cuts the file
//! there, so appending continues on a clean end.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"DCEMBC1\n";

pub type Key = [u8; 32];
type Batch = Vec<(Key, Vec<f32>)>;

pub fn key(text: &str) -> Key {
    Sha256::digest(text.as_bytes()).into()
}

pub struct EmbeddingCache {
    path: PathBuf,
    file: File,
    dimension: usize,
    vectors: HashMap<Key, Vec<f32>>,
}

impl EmbeddingCache {
    /// Opens the cache, starting afresh when it was made by another model or setting
    /// (`identity` names both) or is unreadable.
    pub fn open(path: &Path, identity: &str, dimension: usize) -> Result<EmbeddingCache> {
        let header = header(identity, dimension);
        let mut vectors = HashMap::new();
        let mut good_end = 0u64;
        if let Ok(mut file) = File::open(path) {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(Error::io(path))?;
            if bytes.starts_with(&header) {
                good_end = header.len() as u64;
                let mut at = header.len();
                while let Some((batch, next)) = read_batch(&bytes, at, dimension) {
                    vectors.extend(batch);
                    at = next;
                    good_end = next as u64;
                }
            }
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(Error::io(path))?;
        if good_end == 0 {
            file.set_len(0).map_err(Error::io(path))?;
            file.write_all(&header).map_err(Error::io(path))?;
            good_end = header.len() as u64;
        } else {
            file.set_len(good_end).map_err(Error::io(path))?;
        }
        file.seek(SeekFrom::Start(good_end)).map_err(Error::io(path))?;
        Ok(EmbeddingCache { path: path.to_path_buf(), file, dimension, vectors })
    }

    pub fn get(&self, key: &Key) -> Option<&[f32]> {
        self.vectors.get(key).map(Vec::as_slice)
    }

    /// The texts it holds vectors for, by key (the tests, the embedding cache fuzz target).
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.vectors.keys()
    }

    /// Adds a batch and makes it durable before returning.
    pub fn append(&mut self, entries: Batch) -> Result<()> {
        let mut batch = Vec::with_capacity(4 + entries.len() * (32 + 4 * self.dimension) + 4);
        batch.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (key, vector) in &entries {
            batch.extend_from_slice(key);
            for x in vector {
                batch.extend_from_slice(&x.to_le_bytes());
            }
        }
        let crc = crc32fast::hash(&batch);
        batch.extend_from_slice(&crc.to_le_bytes());
        self.file.write_all(&batch).map_err(Error::io(&self.path))?;
        self.file.sync_data().map_err(Error::io(&self.path))?;
        self.vectors.extend(entries);
        Ok(())
    }
}

fn header(identity: &str, dimension: usize) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&(dimension as u32).to_le_bytes());
    h.extend_from_slice(&(identity.len() as u32).to_le_bytes());
    h.extend_from_slice(identity.as_bytes());
    h
}

/// One batch starting at `at`, and where the next begins; None at the end or at damage.
fn read_batch(bytes: &[u8], at: usize, dimension: usize) -> Option<(Batch, usize)> {
    let count = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
    let record = 32 + 4 * dimension;
    let body_end = at.checked_add(4)?.checked_add(count.checked_mul(record)?)?;
    let crc = u32::from_le_bytes(bytes.get(body_end..body_end + 4)?.try_into().ok()?);
    if crc32fast::hash(&bytes[at..body_end]) != crc {
        return None;
    }
    let entries = bytes[at + 4..body_end]
        .chunks_exact(record)
        .map(|r| {
            let key: Key = r[..32].try_into().expect("32-byte key");
            let vector = r[32..].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
            (key, vector)
        })
        .collect();
    Some((entries, body_end + 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_torn_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.bin");
        let mut cache = EmbeddingCache::open(&path, "model-a", 2).unwrap();
        cache.append(vec![(key("one"), vec![1.0, 0.0])]).unwrap();
        cache.append(vec![(key("two"), vec![0.0, 1.0])]).unwrap();
        drop(cache);
        // A crash in the middle of the second batch.
        let len = std::fs::metadata(&path).unwrap().len();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 3).unwrap();

        let mut cache = EmbeddingCache::open(&path, "model-a", 2).unwrap();
        assert_eq!(cache.get(&key("one")), Some(&[1.0, 0.0][..]));
        assert_eq!(cache.get(&key("two")), None);
        cache.append(vec![(key("three"), vec![0.5, 0.5])]).unwrap();
        drop(cache);
        let cache = EmbeddingCache::open(&path, "model-a", 2).unwrap();
        assert_eq!(cache.keys().count(), 2);

        let other = EmbeddingCache::open(&path, "model-b", 2).unwrap();
        assert_eq!(other.keys().count(), 0, "another model's vectors are never reused");
    }
}
