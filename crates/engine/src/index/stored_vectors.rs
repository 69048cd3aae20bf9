//! Passage vectors stored beside a corpus (`<corpus>/vectors/<slug>.vec`), so that a fresh
//! checkout or a new install does not embed the bundled library again on first use: a
//! passage whose embedding text is unchanged takes its stored vector, found by the text's
//! hash, and only new or changed passages are embedded. Vectors are kept whole (f32), so
//! an index built from them is the one a full embedding would build, bit for bit.
//!
//! One file per monograph keeps an edit's churn in the repository to that monograph's
//! file. Each file names the embedder and setting that made it (the same identity as the
//! build's embedding cache) and is ignored under any other. A damaged or foreign file is
//! skipped with a warning: the passages it held are embedded as if it were absent.

use super::embed_cache::Key;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// The folder, inside the corpus folder, that holds the stored vectors.
pub const DIR: &str = "vectors";
const EXTENSION: &str = "vec";
const MAGIC: &[u8; 8] = b"DCVECS1\n";
/// A file holds one monograph's passages: far fewer than this.
const MAX_ENTRIES: usize = 100_000;

/// One monograph's stored vectors.
pub struct DrugVectors<'a> {
    pub slug: &'a str,
    pub entries: Vec<(Key, &'a [f32])>,
}

/// Every stored vector under `corpus_dir/vectors` made with `identity`, by text hash.
pub fn load(corpus_dir: &Path, identity: &str, dimension: usize) -> HashMap<Key, Vec<f32>> {
    let dir = corpus_dir.join(DIR);
    let mut vectors = HashMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return vectors };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_none_or(|x| x != EXTENSION) {
            continue;
        }
        match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|bytes| decode(&bytes, dimension)) {
            Ok((made_by, entries)) if made_by == identity => vectors.extend(entries),
            Ok((made_by, _)) => {
                tracing::debug!("{}: made by another embedder ({made_by}); not used", path.display())
            }
            Err(reason) => tracing::warn!("{}: not used ({reason})", path.display()),
        }
    }
    vectors
}

/// Writes one file per monograph (each atomically), and removes the files of monographs
/// no longer given. Returns how many files were written.
pub fn save(corpus_dir: &Path, identity: &str, drugs: &[DrugVectors]) -> Result<usize> {
    let dir = corpus_dir.join(DIR);
    crate::atomic::create_dir_all(&dir)?;
    let mut kept = std::collections::HashSet::new();
    for drug in drugs {
        let name = format!("{}.{EXTENSION}", drug.slug);
        crate::atomic::write(&dir.join(&name), &encode(identity, &drug.entries))?;
        kept.insert(name);
    }
    for entry in std::fs::read_dir(&dir).map_err(Error::io(&dir))?.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.extension().is_some_and(|x| x == EXTENSION) && !kept.contains(&name) {
            std::fs::remove_file(&path).map_err(Error::io(&path))?;
        }
    }
    Ok(drugs.len())
}

fn encode(identity: &str, entries: &[(Key, &[f32])]) -> Vec<u8> {
    let width = entries.first().map_or(0, |(_, v)| v.len());
    let mut out = Vec::with_capacity(24 + identity.len() + entries.len() * (32 + 4 * width));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(identity.len() as u32).to_le_bytes());
    out.extend_from_slice(identity.as_bytes());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (key, vector) in entries {
        out.extend_from_slice(key);
        for value in vector.iter() {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out
}

type Decoded = (String, Vec<(Key, Vec<f32>)>);

/// Reads a file's bytes in order, failing when they end early.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if self.bytes.len() < n {
            return Err("cut short".into());
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn number(&mut self) -> std::result::Result<usize, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")) as usize)
    }
}

fn decode(bytes: &[u8], dimension: usize) -> std::result::Result<Decoded, String> {
    let mut reader = Reader { bytes: bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a stored-vectors file")? };
    let identity_len = reader.number()?;
    let identity = String::from_utf8(reader.take(identity_len)?.to_vec()).map_err(|_| "identity is not UTF-8")?;
    let width = reader.number()?;
    let count = reader.number()?;
    if count > 0 && width != dimension {
        return Err(format!("vectors of {width} values, expected {dimension}"));
    }
    if count > MAX_ENTRIES {
        return Err(format!("{count} entries"));
    }
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let key: Key = reader.take(32)?.try_into().expect("32 bytes");
        let vector: Vec<f32> = reader
            .take(4 * width)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("four bytes")))
            .collect();
        if vector.iter().any(|v| !v.is_finite()) {
            return Err("a value that is not a finite number".into());
        }
        entries.push((key, vector));
    }
    if !reader.bytes.is_empty() {
        return Err("bytes after the last entry".into());
    }
    Ok((identity, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::embed_cache::key;

    #[test]
    fn vectors_round_trip_per_monograph_and_only_for_their_embedder() {
        let dir = tempfile::tempdir().unwrap();
        let a = [0.25f32, -1.0, 3.5];
        let b = [1.0f32, 0.0, -0.125];
        let drugs = [
            DrugVectors { slug: "ibuprofen", entries: vec![(key("one"), &a[..]), (key("two"), &b[..])] },
            DrugVectors { slug: "naproxen", entries: vec![(key("three"), &b[..])] },
        ];
        assert_eq!(save(dir.path(), "model-x", &drugs).unwrap(), 2);
        let loaded = load(dir.path(), "model-x", 3);
        assert_eq!(loaded.len(), 3);
        assert_eq!(loaded[&key("one")], a.to_vec());
        assert_eq!(loaded[&key("three")], b.to_vec());
        assert!(load(dir.path(), "model-y", 3).is_empty(), "another embedder's vectors are not used");
        assert!(load(dir.path(), "model-x", 4).is_empty(), "vectors of another width are not used");

        // A monograph no longer there loses its file.
        save(dir.path(), "model-x", &drugs[..1]).unwrap();
        assert!(!dir.path().join(DIR).join("naproxen.vec").exists());
        assert_eq!(load(dir.path(), "model-x", 3).len(), 2);
    }

    #[test]
    fn a_damaged_file_is_skipped_and_the_rest_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let a = [0.5f32, 0.5, 0.5];
        let drugs = [
            DrugVectors { slug: "good", entries: vec![(key("kept"), &a[..])] },
            DrugVectors { slug: "bad", entries: vec![(key("lost"), &a[..])] },
        ];
        save(dir.path(), "m", &drugs).unwrap();
        let bad = dir.path().join(DIR).join("bad.vec");
        let bytes = std::fs::read(&bad).unwrap();
        for damaged in [&bytes[..bytes.len() - 1], &bytes[..5], &[bytes.as_slice(), b"x"].concat()[..], b"" as &[u8]] {
            std::fs::write(&bad, damaged).unwrap();
            let loaded = load(dir.path(), "m", 3);
            assert_eq!(loaded.keys().collect::<Vec<_>>(), vec![&key("kept")]);
        }
        let mut nan = bytes.clone();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        std::fs::write(&bad, nan).unwrap();
        assert_eq!(load(dir.path(), "m", 3).len(), 1);
    }
}
