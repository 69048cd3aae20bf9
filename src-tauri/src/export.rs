//! Saving an answer or a conversation as Markdown. The UI renders the Markdown (it already
//! holds the answers and their sources); the shell opens the save dialog and writes the
//! file where the user chose, so the webview never names a file.

use crate::error::AppError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Most bytes an export may hold: a conversation of 100 answers with their passages is a
/// few hundred KB.
pub const MAX_EXPORT_BYTES: usize = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("nothing to export")]
    Empty,
    #[error("the export is too large ({bytes} bytes; at most {MAX_EXPORT_BYTES})")]
    TooLarge { bytes: usize },
    #[error("could not save {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

impl From<ExportError> for AppError {
    fn from(error: ExportError) -> AppError {
        match error {
            ExportError::Empty | ExportError::TooLarge { .. } => AppError::invalid(error.to_string()),
            ExportError::Write { .. } => AppError::io(error.to_string()),
        }
    }
}

/// What is exported; it names the file the dialog suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Answer,
    Conversation,
}

impl ExportKind {
    pub fn file_name(self) -> &'static str {
        match self {
            ExportKind::Answer => "DrugChatter answer.md",
            ExportKind::Conversation => "DrugChatter conversation.md",
        }
    }
}

/// Checks the Markdown before any dialog opens.
pub fn check(markdown: &str) -> Result<(), ExportError> {
    if markdown.len() > MAX_EXPORT_BYTES {
        return Err(ExportError::TooLarge { bytes: markdown.len() });
    }
    if markdown.trim().is_empty() {
        return Err(ExportError::Empty);
    }
    Ok(())
}

/// Writes `markdown` to the file the user chose, atomically (an existing file is replaced
/// whole or not at all), adding `.md` when the name has no extension (the dialog does not).
/// Returns the path written.
pub fn save(chosen: &Path, markdown: &str) -> Result<PathBuf, ExportError> {
    check(markdown)?;
    let path = if chosen.extension().is_none() { chosen.with_extension("md") } else { chosen.to_path_buf() };
    drugchatter_engine::write_atomically(&path, markdown.as_bytes())
        .map_err(|e| ExportError::Write { path: path.clone(), reason: e.to_string() })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_where_chosen_adding_the_extension_only_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let written = save(&dir.path().join("answer"), "# Q\n").unwrap();
        assert_eq!(written, dir.path().join("answer.md"));
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "# Q\n");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "old").unwrap();
        assert_eq!(save(&text, "new").unwrap(), text);
        assert_eq!(std::fs::read_to_string(&text).unwrap(), "new", "an existing file is replaced");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn empty_or_oversized_exports_are_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        assert!(matches!(save(&path, "  \n"), Err(ExportError::Empty)));
        let huge = "x".repeat(MAX_EXPORT_BYTES + 1);
        assert!(matches!(save(&path, &huge), Err(ExportError::TooLarge { .. })));
        assert!(!path.exists());
        let error = save(&dir.path().join("missing/dir/a.md").join("\0"), "x").unwrap_err();
        assert!(error.to_string().starts_with("could not save"), "{error}");
    }
}
