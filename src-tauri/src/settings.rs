//! User settings, stored as JSON in the platform config directory
//! (`~/.config/org.drugchatter.app/settings.json` on Linux; `DRUGCHATTER_CONFIG_DIR`
//! overrides the folder, which the e2e tests use). Unknown fields are refused, so a
//! malformed file or IPC call cannot smuggle anything in; a file that does not parse is
//! replaced by the defaults with a warning.
//!
//! It names no module of the app but `error` and `validate`, which name no other: the
//! settings fuzz target includes the three by path, without building the app.

use crate::error::AppError;
use crate::validate;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const CONFIG_DIR_ENV: &str = "DRUGCHATTER_CONFIG_DIR";
const FILE_NAME: &str = "settings.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub model: ModelChoice,
    #[serde(default)]
    pub answer_length: AnswerLength,
    /// Show sentences that failed verification, marked, instead of dropping them.
    #[serde(default)]
    pub show_unverified: bool,
    #[serde(default)]
    pub theme: Theme,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelChoice {
    /// SmolLM2-135M, shipped with the app.
    #[default]
    Bundled,
    /// A GGUF file of the user's.
    File { path: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AnswerLength {
    Short,
    #[default]
    Medium,
    Long,
}

impl AnswerLength {
    /// The generation budget in tokens.
    pub fn max_tokens(self) -> usize {
        match self {
            AnswerLength::Short => 96,
            AnswerLength::Medium => 160,
            AnswerLength::Long => 256,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Settings {
    /// Checks what serde cannot: a chosen model must be an existing `.gguf` file.
    pub fn validate(&self) -> Result<(), AppError> {
        if let ModelChoice::File { path } = &self.model {
            validate::model_path(path)?;
        }
        Ok(())
    }

    pub fn model_path(&self) -> Option<PathBuf> {
        self.model.path()
    }
}

impl ModelChoice {
    /// The file chosen; `None` for the bundled model.
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            ModelChoice::Bundled => None,
            ModelChoice::File { path } => Some(PathBuf::from(path)),
        }
    }
}

pub fn file_in(config_dir: &Path) -> PathBuf {
    config_dir.join(FILE_NAME)
}

/// Reads the settings; a missing file gives the defaults, a bad one the defaults and a warning.
pub fn load(path: &Path) -> Settings {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Settings::default(),
        Err(e) => {
            tracing::warn!("cannot read {}: {e}; using the default settings", path.display());
            return Settings::default();
        }
    };
    match serde_json::from_slice::<Settings>(&bytes) {
        Ok(settings) => settings,
        Err(e) => {
            tracing::warn!("{} is not valid ({e}); using the default settings", path.display());
            Settings::default()
        }
    }
}

/// Writes the settings atomically (temp file, fsync, rename).
pub fn save(path: &Path, settings: &Settings) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::io(format!("{}: {e}", dir.display())))?;
    }
    let json = serde_json::to_vec_pretty(settings).map_err(|e| AppError::io(e.to_string()))?;
    drugchatter_engine::write_atomically(path, &json).map_err(|e| AppError::io(e.to_string()))
}

/// Writes newly chosen settings, keeping the model the file names: a newly chosen model is
/// written by [`save_loaded_model`] once it has loaded, so a model that crashes the app
/// while loading is not loaded again at every start.
pub fn save_choice(path: &Path, chosen: &Settings) -> Result<(), AppError> {
    save(path, &Settings { model: load(path).model, ..chosen.clone() })
}

/// Records in the file a model that has loaded.
pub fn save_loaded_model(path: &Path, model: &ModelChoice) -> Result<(), AppError> {
    let stored = load(path);
    if stored.model == *model {
        return Ok(());
    }
    save(path, &Settings { model: model.clone(), ..stored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        assert_eq!(load(&path), Settings::default());
        let settings = Settings {
            model: ModelChoice::Bundled,
            answer_length: AnswerLength::Long,
            show_unverified: true,
            theme: Theme::Dark,
        };
        save(&path, &settings).unwrap();
        assert_eq!(load(&path), settings);
    }

    #[test]
    fn a_chosen_model_is_written_only_once_it_has_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let chosen = Settings {
            model: ModelChoice::File { path: "/models/crashes.gguf".into() },
            theme: Theme::Dark,
            ..Default::default()
        };
        save_choice(&path, &chosen).unwrap();
        let stored = load(&path);
        assert_eq!((stored.model, stored.theme), (ModelChoice::Bundled, Theme::Dark), "the rest is written at once");
        save_loaded_model(&path, &chosen.model).unwrap();
        assert_eq!(load(&path), chosen);
    }

    #[test]
    fn unknown_fields_and_bad_files_give_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        std::fs::write(&path, br#"{"theme":"dark","evil":1}"#).unwrap();
        assert_eq!(load(&path), Settings::default());
        std::fs::write(&path, b"\xff\xfe not json").unwrap();
        assert_eq!(load(&path), Settings::default());
        std::fs::write(&path, br#"{"theme":"dark"}"#).unwrap();
        assert_eq!(load(&path).theme, Theme::Dark);
    }

    #[test]
    fn a_chosen_model_must_exist() {
        let settings =
            Settings { model: ModelChoice::File { path: "/nonexistent/x.gguf".into() }, ..Default::default() };
        assert!(settings.validate().is_err());
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn ipc_json_shape() {
        let s: Settings = serde_json::from_str(
            r#"{"model":{"kind":"file","path":"/m.gguf"},"answer_length":"short","show_unverified":false,"theme":"light"}"#,
        )
        .unwrap();
        assert_eq!(s.model, ModelChoice::File { path: "/m.gguf".into() });
        assert_eq!(s.answer_length.max_tokens(), 96);
        assert!(serde_json::from_str::<Settings>(r#"{"answer_length":"huge"}"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"show_unverified":"yes"}"#).is_err());
    }
}
