//! Validation of every IPC argument. The webview is treated as untrusted input: serde
//! checks the types (a wrong type never reaches a command), and these functions check
//! lengths, ranges and shapes before anything touches the engine or the file system.
//! It names no module of the app but `error` (the settings fuzz target includes it by path).

use crate::error::AppError;
use drugchatter_engine::{check_question, MAX_QUESTION_CHARS};
use std::path::PathBuf;

/// Most bytes accepted for a question before counting characters (4 bytes per char).
const MAX_QUESTION_BYTES: usize = MAX_QUESTION_CHARS * 4;
/// Search queries are short: names and a few words.
pub const MAX_QUERY_CHARS: usize = 200;
/// Drug slugs and library names are file and folder names.
const MAX_NAME_CHARS: usize = 128;
const MAX_PATH_BYTES: usize = 4096;
/// Most passages a search may return.
pub const MAX_RESULTS: usize = 50;
/// Most paths one import may name.
pub const MAX_IMPORT_PATHS: usize = 64;

/// A question, by the engine's own rule (`check_question`), so a bad one is refused before
/// it waits for its turn. The byte cap only spares counting the characters of megabytes.
pub fn question(text: &str) -> Result<String, AppError> {
    if text.len() > MAX_QUESTION_BYTES {
        return Err(too_long("question", MAX_QUESTION_CHARS));
    }
    check_question(text).map_err(|problem| AppError::invalid(problem.to_string()))
}

/// A search query: not empty, at most 200 characters.
pub fn query(text: &str) -> Result<String, AppError> {
    if text.len() > MAX_QUERY_CHARS * 4 || text.chars().count() > MAX_QUERY_CHARS {
        return Err(too_long("search", MAX_QUERY_CHARS));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid("the search is empty"));
    }
    Ok(trimmed.to_string())
}

/// How many results: 1 to 50.
pub fn result_count(k: u32) -> Result<usize, AppError> {
    let k = k as usize;
    if k == 0 || k > MAX_RESULTS {
        return Err(AppError::invalid(format!("the number of results must be between 1 and {MAX_RESULTS}")));
    }
    Ok(k)
}

/// A drug slug or library name: letters, digits, `-`, `_` and `.`, not starting with `.`.
/// They name files and folders, so no separators or `..` can get through.
pub fn name(kind: &str, value: &str) -> Result<String, AppError> {
    let ok = !value.is_empty()
        && value.chars().count() <= MAX_NAME_CHARS
        && !value.starts_with('.')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(format!("invalid {kind} name")))
    }
}

/// A drug class as the class list names it ("ACE inhibitors", "GLP-1 receptor agonists",
/// "angiotensin receptor blockers (ARBs)"): letters, digits, spaces and `-()/,'`.
pub fn class_name(value: &str) -> Result<String, AppError> {
    let ok = !value.trim().is_empty()
        && value.chars().count() <= MAX_NAME_CHARS
        && value.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')' | '/' | ',' | '\''));
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid("invalid drug class name"))
    }
}

/// A GGUF model file chosen by the user: an absolute path to an existing `.gguf` file.
pub fn model_path(path: &str) -> Result<PathBuf, AppError> {
    let path = absolute_path(path)?;
    let is_gguf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gguf"));
    if !is_gguf {
        return Err(AppError::invalid(format!("{} is not a .gguf model file", path.display())));
    }
    if !path.is_file() {
        return Err(AppError::invalid(format!("the model file {} does not exist", path.display())));
    }
    Ok(path)
}

/// A file or folder to import: an absolute path that exists.
pub fn import_path(path: &str) -> Result<PathBuf, AppError> {
    let path = absolute_path(path)?;
    if !path.exists() {
        return Err(AppError::invalid(format!("{} does not exist", path.display())));
    }
    Ok(path)
}

fn absolute_path(path: &str) -> Result<PathBuf, AppError> {
    if path.is_empty() || path.len() > MAX_PATH_BYTES || path.contains('\0') {
        return Err(AppError::invalid("invalid file path"));
    }
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(AppError::invalid("the file path must be absolute"));
    }
    Ok(path)
}

fn too_long(what: &str, max: usize) -> AppError {
    AppError::invalid(format!("the {what} is too long; keep it under {max} characters"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_trimmed_and_bounded() {
        assert_eq!(question("  How does imiquimod work?  ").unwrap(), "How does imiquimod work?");
        assert!(question("").is_err());
        assert!(question(" \n\t ").is_err());
        assert!(question(&"a".repeat(MAX_QUESTION_CHARS)).is_ok());
        assert!(question(&"a".repeat(MAX_QUESTION_CHARS + 1)).is_err());
        // Multi-byte characters count as one each.
        assert!(question(&"é".repeat(MAX_QUESTION_CHARS)).is_ok());
        assert!(question(&"x".repeat(100_000)).is_err());
    }

    #[test]
    fn names_cannot_escape_their_folder() {
        assert!(name("drug", "imiquimod").is_ok());
        assert!(name("drug", "co-trimoxazole_2.1").is_ok());
        for bad in ["", "../etc", "a/b", "a\\b", ".hidden", "a b", "x\0", &"a".repeat(200)] {
            assert!(name("drug", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn class_names_are_words_not_paths_or_markup() {
        for good in ["ACE inhibitors", "GLP-1 receptor agonists", "angiotensin receptor blockers (ARBs)"] {
            assert_eq!(class_name(good).unwrap(), good);
        }
        for bad in ["", "  ", "<img src=x>", "a\0b", "a;b", &"a".repeat(200)] {
            assert!(class_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn result_counts_are_bounded() {
        assert!(result_count(0).is_err());
        assert_eq!(result_count(5).unwrap(), 5);
        assert!(result_count(51).is_err());
    }

    #[test]
    fn model_paths_must_be_absolute_gguf_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.GGUF");
        std::fs::write(&file, b"GGUF").unwrap();
        assert!(model_path(file.to_str().unwrap()).is_ok());
        assert!(model_path("m.gguf").is_err());
        assert!(model_path(dir.path().join("missing.gguf").to_str().unwrap()).is_err());
        let txt = dir.path().join("m.txt");
        std::fs::write(&txt, b"x").unwrap();
        assert!(model_path(txt.to_str().unwrap()).is_err());
        assert!(model_path("/tmp/a\0.gguf").is_err());
    }
}
