//! Reading a library folder: one monograph per `*.md` file, parsed, with failures kept
//! (file and line) instead of aborting the whole library.

use crate::error::{Error, Result};
use crate::model_manifest::sha256_bytes;
use drugchatter_monograph::{parse, Faq, LabelSource, Monograph};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A drug in a library: what retrieval and the answer page need besides the chunks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Drug {
    /// Stable identifier: the file name without `.md`.
    pub slug: String,
    pub title: String,
    pub description: String,
    pub synonyms: Vec<String>,
    pub is_banned: bool,
    pub faqs: Vec<Faq>,
    /// The library the drug came from (`bundled`, or an imported library's name).
    pub library: String,
    /// The source file, relative to its library folder.
    pub source: PathBuf,
    /// sha256 of the file's bytes: the unit of incremental re-indexing.
    pub content_hash: String,
    /// Imported documents: the FDA labels they hold, newest first.
    pub labels: Vec<LabelSource>,
    /// Whether a bundled monograph's facts were checked against an FDA label.
    pub reviewed: bool,
    /// The labels it was checked against (`openfda:<set_id>`, `spl:<file>`, `pdf:<file>`).
    pub checked_against: Vec<String>,
}

/// A file that could not be read or parsed, with where and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileFailure {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for FileFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// A file found in the corpus folder, read but not yet parsed.
pub struct SourceFile {
    pub path: PathBuf,
    pub relative: PathBuf,
    pub bytes: Vec<u8>,
    pub content_hash: String,
}

impl SourceFile {
    pub fn slug(&self) -> String {
        self.relative.with_extension("").to_string_lossy().replace(['/', '\\'], "-")
    }
}

/// Lists and reads the `*.md` files of a folder (not recursive; `README.md` is skipped),
/// sorted by name so builds are deterministic.
pub fn scan(dir: &Path) -> Result<(Vec<SourceFile>, Vec<FileFailure>)> {
    let entries = std::fs::read_dir(dir).map_err(Error::io(dir))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    let mut failures = Vec::new();
    for path in paths {
        match read_monograph(&path) {
            Ok(Err(size)) => {
                failures.push(FileFailure { path, line: 1, message: drugchatter_monograph::too_large(size) })
            }
            Ok(Ok(bytes)) => files.push(SourceFile {
                relative: crate::paths::relative_to(&path, dir),
                content_hash: sha256_bytes(&bytes),
                bytes,
                path,
            }),
            Err(e) => failures.push(FileFailure { path, line: 0, message: format!("cannot read: {e}") }),
        }
    }
    Ok((files, failures))
}

/// A file's bytes, or its size when it is too large to be a monograph: the size is checked
/// before reading, and the read stops past the limit should the file grow meanwhile.
fn read_monograph(path: &Path) -> std::io::Result<std::result::Result<Vec<u8>, u64>> {
    let file = std::fs::File::open(path)?;
    let limit = drugchatter_monograph::MAX_MONOGRAPH_BYTES as u64;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > limit { Err(bytes.len() as u64) } else { Ok(bytes) })
}

/// Parses a source file into its drug record and monograph, or the first error in it.
pub fn parse_file(file: &SourceFile, library: &str) -> Result<(Drug, Monograph), FileFailure> {
    let parsed = parse(&file.bytes);
    for warning in parsed.diagnostics.iter().filter(|d| d.severity != drugchatter_monograph::Severity::Error) {
        tracing::debug!("{}:{}: {}", file.path.display(), warning.line, warning.message);
    }
    if let Some(error) = parsed.errors().next() {
        return Err(FileFailure { path: file.path.clone(), line: error.line, message: error.message.clone() });
    }
    let m = parsed.monograph;
    let drug = Drug {
        slug: file.slug(),
        title: m.title.clone(),
        description: m.description.clone(),
        synonyms: m.synonyms.clone(),
        is_banned: m.is_banned,
        faqs: m.faqs.clone(),
        library: library.to_string(),
        source: file.relative.clone(),
        content_hash: file.content_hash.clone(),
        labels: m.labels.clone(),
        reviewed: m.reviewed,
        checked_against: m.checked_against.clone(),
    };
    Ok((drug, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_monograph_is_reported_by_its_size_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        // Sparse: 64 GiB that takes no disk, which reading whole would try to allocate.
        std::fs::File::create(dir.path().join("huge.md")).unwrap().set_len(64 << 30).unwrap();
        std::fs::write(dir.path().join("small.md"), b"---\ntitle: Small\n---\n").unwrap();
        let (files, failures) = scan(dir.path()).unwrap();
        assert_eq!(files.iter().map(|f| f.slug()).collect::<Vec<_>>(), ["small"]);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].path.ends_with("huge.md"), "{failures:?}");
        assert_eq!(failures[0].message, "the file is 68719.5 MB; a monograph may be at most 2 MB");
    }
}
