//! On-disk layout of one library's index, and how a new version replaces the old.
//!
//! ```text
//! index/<library>/
//!   CURRENT            names the live generation, replaced atomically
//!   gen-000007/        one complete, immutable index
//!     manifest.json    format version, model and corpus hashes, per-file size + crc32
//!     library.bin      drugs and chunks (bincode)
//!     vectors.bin      f32 rows, little-endian
//!     lexical.bin      BM25 postings (bincode)
//!     vectors.hnsw.*   the HNSW graph (hnsw_rs dump)
//! ```
//!
//! A build writes a whole new generation into a temporary folder, syncs it, renames it into
//! place and only then points CURRENT at it. A crash at any moment leaves CURRENT naming a
//! complete generation: the old one or the new one.

use crate::atomic;
use crate::error::{Error, Result};
use crate::writer_lock::WriterLock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped whenever the files of a generation change shape; older generations are rebuilt.
pub const FORMAT_VERSION: u32 = 4;
const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileCheck {
    pub bytes: u64,
    pub crc32: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerationManifest {
    pub format_version: u32,
    pub library: String,
    pub model_fingerprint: String,
    /// sha256 over the sorted (file, content hash) pairs of the source folder.
    pub corpus_hash: String,
    pub source_dir: PathBuf,
    pub built_at_unix: u64,
    pub drugs: usize,
    pub chunks: usize,
    pub files: BTreeMap<String, FileCheck>,
}

/// The folder of the live generation, if there is one.
pub fn current_generation(root: &Path) -> Result<Option<PathBuf>> {
    let pointer = root.join(CURRENT);
    match std::fs::read(&pointer) {
        Ok(bytes) => {
            // A damaged pointer is a corrupt index (rebuilt), not an I/O failure.
            let name = String::from_utf8_lossy(&bytes);
            let name = name.trim();
            let well_formed = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if name.is_empty() || !well_formed {
                return Err(Error::IndexCorrupt { path: pointer, reason: format!("bad generation name {name:?}") });
            }
            Ok(Some(root.join(name)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io { path: pointer, source: e }),
    }
}

/// Reads a generation's manifest and checks every file it lists against its size and crc32.
pub fn open_generation(dir: &Path) -> Result<GenerationManifest> {
    let manifest_path = dir.join(MANIFEST);
    let corrupt = |reason: String| Error::IndexCorrupt { path: dir.to_path_buf(), reason };
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| corrupt(format!("{MANIFEST}: {e}")))?;
    let manifest: GenerationManifest = serde_json::from_str(&text).map_err(|e| corrupt(format!("{MANIFEST}: {e}")))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(corrupt(format!("format version {} (this build reads {FORMAT_VERSION})", manifest.format_version)));
    }
    for (name, check) in &manifest.files {
        let bytes = std::fs::read(dir.join(name)).map_err(|e| corrupt(format!("{name}: {e}")))?;
        if bytes.len() as u64 != check.bytes || crc32fast::hash(&bytes) != check.crc32 {
            return Err(corrupt(format!("{name} fails its checksum (truncated or altered)")));
        }
    }
    Ok(manifest)
}

/// A generation being written. Files go into a private temporary folder until `commit`.
pub struct NewGeneration {
    root: PathBuf,
    tmp: PathBuf,
    files: BTreeMap<String, FileCheck>,
}

impl NewGeneration {
    /// Starts a generation in the folder `lock` holds.
    pub fn start(lock: &WriterLock) -> Result<NewGeneration> {
        let root = lock.dir();
        atomic::create_dir_all(root)?;
        atomic::remove_temporaries(root, lock);
        let tmp = root.join(format!("{}{}", atomic::temporary_prefix(), unique_suffix()));
        std::fs::create_dir_all(&tmp).map_err(Error::io(&tmp))?;
        Ok(NewGeneration { root: root.to_path_buf(), tmp, files: BTreeMap::new() })
    }

    /// The temporary folder, for writers (hnsw_rs) that create their own files.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(name);
        std::fs::write(&path, bytes).map_err(Error::io(&path))?;
        Ok(())
    }

    /// Checksums every file in the folder (including ones written by others), syncs them,
    /// renames the folder into place and points CURRENT at it. Returns the folder and the
    /// manifest as written, checksums included.
    pub fn commit(mut self, mut manifest: GenerationManifest) -> Result<(PathBuf, GenerationManifest)> {
        let entries = std::fs::read_dir(&self.tmp).map_err(Error::io(&self.tmp))?;
        for entry in entries {
            let path = entry.map_err(Error::io(&self.tmp))?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
            std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(Error::io(&path))?;
            self.files.insert(name, FileCheck { bytes: bytes.len() as u64, crc32: crc32fast::hash(&bytes) });
        }
        manifest.format_version = FORMAT_VERSION;
        manifest.files = std::mem::take(&mut self.files);
        let manifest_json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
        atomic::write(&self.tmp.join(MANIFEST), &manifest_json)?;

        let next = next_generation_name(&self.root);
        let final_dir = self.root.join(&next);
        // The folder's entries first, then its new name, then CURRENT: each durable before
        // the next step depends on it.
        atomic::sync_dir(&self.tmp);
        std::fs::rename(&self.tmp, &final_dir).map_err(Error::io(&final_dir))?;
        atomic::sync_dir(&self.root);
        atomic::write(&self.root.join(CURRENT), next.as_bytes())?;
        remove_old_generations(&self.root, &next);
        Ok((final_dir, manifest))
    }
}

impl Drop for NewGeneration {
    fn drop(&mut self) {
        // After a successful commit the folder has been renamed away and this is a no-op.
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

fn unique_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix("gen-")?.parse().ok()
}

fn next_generation_name(root: &Path) -> String {
    let highest = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str().and_then(generation_number))
        .max()
        .unwrap_or(0);
    format!("gen-{:06}", highest + 1)
}

fn remove_old_generations(root: &Path, keep: &str) {
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if generation_number(&name).is_some() && name != keep {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
