//! The model manifest (`models/manifest.json`) and verified access to model files.

use crate::error::{Error, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub models: Vec<ModelEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelEntry {
    pub id: String,
    // The manifest must say each model's role (models/fetch.py reads it, and a manifest
    // without one is refused here); the engine itself finds its models by id.
    #[expect(dead_code)]
    pub role: String,
    #[expect(dead_code)]
    #[serde(default)]
    pub license: String,
    pub files: Vec<ModelFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelFile {
    pub name: String,
    pub sha256: String,
}

/// The embedding model the engine is built around.
pub const EMBEDDER_ID: &str = "all-minilm-l6-v2";

impl Manifest {
    pub fn load(models_dir: &Path) -> Result<Manifest> {
        let path = models_dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Manifest {
            path: path.clone(),
            reason: format!("{e}; is {} the models folder of a DrugChatter checkout or install?", models_dir.display()),
        })?;
        serde_json::from_str(&text).map_err(|e| Error::Manifest { path, reason: e.to_string() })
    }

    pub fn model(&self, id: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.id == id)
    }
}

/// A model's files, each checked present and matching its pinned sha256.
#[derive(Debug, Clone)]
pub struct VerifiedModel {
    pub dir: PathBuf,
    /// The file names, in manifest order.
    pub files: Vec<String>,
    /// The combined identity of the files, recorded in indexes built with this model.
    pub fingerprint: String,
}

impl VerifiedModel {
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Checks a model's files. Hashing ~100 MB on every start would cost a third of a second,
/// so a verified file's size and mtime are remembered in a stamp beside it and the hash is
/// only recomputed when they change.
pub fn verify(models_dir: &Path, id: &str) -> Result<VerifiedModel> {
    let manifest = Manifest::load(models_dir)?;
    let entry = manifest.model(id).ok_or_else(|| Error::Manifest {
        path: models_dir.join("manifest.json"),
        reason: format!("no model with id `{id}`"),
    })?;
    let dir = models_dir.join(&entry.id);
    let mut fingerprint = Sha256::new();
    for file in &entry.files {
        let path = dir.join(&file.name);
        let meta = std::fs::metadata(&path).map_err(|_| Error::ModelMissing { path: path.clone() })?;
        let stamp_path = dir.join(format!(".{}.verified", file.name));
        let stamp = format!("{} {} {:?}", file.sha256, meta.len(), meta.modified().ok());
        if std::fs::read_to_string(&stamp_path).ok().as_deref() != Some(stamp.as_str()) {
            let actual = sha256_file(&path)?;
            if actual != file.sha256 {
                return Err(Error::ModelCorrupt { path, expected: file.sha256.clone(), actual });
            }
            // A failed stamp write only costs a re-hash next time.
            let _ = crate::atomic::write(&stamp_path, stamp.as_bytes());
        }
        fingerprint.update(file.sha256.as_bytes());
    }
    Ok(VerifiedModel {
        dir,
        files: entry.files.iter().map(|f| f.name.clone()).collect(),
        fingerprint: hex(&fingerprint.finalize()),
    })
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
