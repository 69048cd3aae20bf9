//! Libraries: the bundled monographs and each imported set of FDA labels. A library is a
//! folder of documents (its source) plus its own index; retrieval searches all of them.
//!
//! ```text
//! <data>/index/<name>/            the index of each library (see index::store)
//! <data>/libraries/<name>/
//!   documents/*.md                an imported library's documents, one per drug
//!   staging/                      an import in progress (see import)
//! ```

use crate::error::{Error, Result};
use crate::index::Index;
use crate::paths::Paths;
use crate::retrieve::{ClassIndex, DrugCatalog};
use crate::writer_lock::WriterLock;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The name of the library built from the bundled `corpus/`.
pub const BUNDLED_LIBRARY: &str = "bundled";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    Bundled,
    Imported,
}

/// A loaded library: its index and the name lookup over its drugs.
pub struct Library {
    pub name: String,
    pub kind: LibraryKind,
    /// The folder its documents are read from.
    pub source_dir: PathBuf,
    pub index: Index,
    pub catalog: DrugCatalog,
    /// Which of its drugs belong to which drug class.
    pub classes: ClassIndex,
}

impl Library {
    pub fn new(name: &str, kind: LibraryKind, source_dir: PathBuf, index: Index) -> Library {
        let catalog = DrugCatalog::new(&index.drugs).with_text(index.chunks.iter().map(|c| c.text.as_str()));
        let classes = ClassIndex::new(&index.drugs, &index.chunks);
        Library { name: name.to_string(), kind, source_dir, index, catalog, classes }
    }

    pub fn info(&self) -> LibraryInfo {
        LibraryInfo {
            name: self.name.clone(),
            kind: self.kind,
            drugs: self.index.drugs.len(),
            chunks: self.index.chunks.len(),
            documents: self.index.drugs.iter().map(|d| d.labels.len().max(1)).sum(),
            source_dir: self.source_dir.clone(),
        }
    }
}

/// What `library list` shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibraryInfo {
    pub name: String,
    pub kind: LibraryKind,
    pub drugs: usize,
    pub chunks: usize,
    /// Monographs, or FDA labels for an imported library.
    pub documents: usize,
    pub source_dir: PathBuf,
}

/// Where an imported library keeps its documents.
pub fn documents_dir(paths: &Paths, name: &str) -> PathBuf {
    paths.data_dir.join("libraries").join(name).join("documents")
}

/// The names of the imported libraries on disk, sorted.
pub fn imported_names(paths: &Paths) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(paths.data_dir.join("libraries")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A library name is also a folder name: short, lowercase letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name != BUNDLED_LIBRARY
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !name.starts_with(['-', '_']);
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidLibraryName(name.to_string()))
    }
}

/// Deletes an imported library: its documents, staging area and index. The folders are
/// first renamed aside, so a crash midway never leaves half a library visible.
pub fn remove(paths: &Paths, name: &str) -> Result<()> {
    check_name(name)?;
    let folder = paths.data_dir.join("libraries").join(name);
    let index = paths.index_dir(name);
    if !folder.exists() && !index.exists() {
        return Err(Error::NoSuchLibrary(name.to_string()));
    }
    // An import running into the library is not cut short; an index build (only ever part
    // of an import, for an imported library) is waited for. The locks are held while their
    // folders are moved away, so no writer works in a folder being deleted.
    let _import = WriterLock::try_acquire(&folder)?.ok_or_else(|| Error::Import {
        path: folder.clone(),
        reason: "an import into this library is running; remove it once the import has finished".into(),
    })?;
    let _index = WriterLock::acquire(&index, || {
        tracing::warn!("another process is writing the index at {}; waiting for it to finish", index.display())
    })?;
    for dir in [&index, &folder] {
        if dir.exists() {
            let trash = dir.with_file_name(format!(".removing-{name}"));
            let _ = std::fs::remove_dir_all(&trash);
            std::fs::rename(dir, &trash).map_err(Error::io(dir.as_path()))?;
            std::fs::remove_dir_all(&trash).map_err(Error::io(trash.as_path()))?;
        }
    }
    Ok(())
}

/// Loads a library's index if it exists and was built with `fingerprint`; a missing,
/// outdated or corrupt one is reported and treated as absent.
pub fn load(root: &Path, fingerprint: &str) -> Option<Index> {
    match Index::load(root) {
        Ok(index) if index.manifest.model_fingerprint == fingerprint => Some(index),
        Ok(_) => {
            tracing::warn!(
                "the index at {} was built with another embedding model; it will be rebuilt",
                root.display()
            );
            None
        }
        Err(Error::NoIndex { .. }) => None,
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_waits_for_no_import_and_deletes_everything_once_free() {
        let data = tempfile::tempdir().unwrap();
        let paths =
            Paths { data_dir: data.path().into(), models_dir: data.path().into(), corpus_dir: data.path().into() };
        let folder = data.path().join("libraries/fda");
        std::fs::create_dir_all(folder.join("labels")).unwrap();
        std::fs::create_dir_all(paths.index_dir("fda").join("gen-000001")).unwrap();
        let import = WriterLock::try_acquire(&folder).unwrap().expect("free");
        let refused = remove(&paths, "fda").unwrap_err().to_string();
        assert!(refused.contains("an import into this library is running"), "{refused}");
        assert!(folder.join("labels").exists() && paths.index_dir("fda").exists(), "nothing is deleted meanwhile");
        drop(import);
        remove(&paths, "fda").unwrap();
        assert!(!folder.exists() && !paths.index_dir("fda").exists());
        assert!(std::fs::read_dir(data.path().join("libraries")).unwrap().next().is_none(), "no trash left");
    }
}
