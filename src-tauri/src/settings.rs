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

/// Settings as the webview sends them. The model is named by its kind only: a file is the
/// one the user last picked in the dialog that Rust opened (`choose_model_file`), or else
/// the one already set, so the webview never names a file to read (SECURITY.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    pub model: ModelRequest,
    pub answer_length: AnswerLength,
    pub show_unverified: bool,
    pub theme: Theme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelRequest {
    // Struct variants, so that `deny_unknown_fields` refuses a `path` (serde lets a unit
    // variant of an internally tagged enum carry any fields).
    Bundled {},
    /// The file last picked in the model dialog, or the file already set.
    File {},
}

impl SettingsRequest {
    /// The settings this request asks for: `picked` is the file last chosen in the dialog,
    /// `current` the settings in force.
    pub fn resolve(self, picked: Option<&Path>, current: &Settings) -> Result<Settings, AppError> {
        let model = match self.model {
            ModelRequest::Bundled {} => ModelChoice::Bundled,
            ModelRequest::File {} => match (picked, &current.model) {
                (Some(path), _) => ModelChoice::File { path: path.display().to_string() },
                (None, ModelChoice::File { path }) => ModelChoice::File { path: path.clone() },
                (None, ModelChoice::Bundled) => {
                    return Err(AppError::invalid("choose a model file with “Choose a GGUF file…” first"))
                }
            },
        };
        let settings = Settings {
            model,
            answer_length: self.answer_length,
            show_unverified: self.show_unverified,
            theme: self.theme,
        };
        settings.validate()?;
        Ok(settings)
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
    fn the_webview_names_a_model_by_kind_and_the_file_comes_from_the_dialog() {
        let dir = tempfile::tempdir().unwrap();
        let picked = dir.path().join("picked.gguf");
        std::fs::write(&picked, b"GGUF").unwrap();
        let request = |json: &str| serde_json::from_str::<SettingsRequest>(json);
        let file =
            request(r#"{"model":{"kind":"file"},"answer_length":"short","show_unverified":false,"theme":"light"}"#)
                .unwrap();
        // A path in the request is refused outright.
        for smuggled in [
            r#"{"model":{"kind":"file","path":"/etc/passwd.gguf"},"answer_length":"short","show_unverified":false,"theme":"light"}"#,
            r#"{"model":{"kind":"bundled","path":"/etc/passwd.gguf"},"answer_length":"short","show_unverified":false,"theme":"light"}"#,
        ] {
            assert!(request(smuggled).is_err(), "{smuggled}");
        }
        // Nothing picked and no file set: the user must choose one.
        let bundled = Settings::default();
        assert!(file.clone().resolve(None, &bundled).is_err());
        // The file picked in the dialog.
        let chosen = file.clone().resolve(Some(&picked), &bundled).unwrap();
        assert_eq!(chosen.model, ModelChoice::File { path: picked.display().to_string() });
        assert_eq!(chosen.answer_length, AnswerLength::Short);
        // Nothing newly picked: the file already set stays.
        assert_eq!(file.resolve(None, &chosen).unwrap().model, chosen.model);
        let back =
            request(r#"{"model":{"kind":"bundled"},"answer_length":"long","show_unverified":true,"theme":"dark"}"#)
                .unwrap()
                .resolve(Some(&picked), &chosen)
                .unwrap();
        assert_eq!(back.model, ModelChoice::Bundled);
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
