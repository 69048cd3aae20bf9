use std::path::PathBuf;

/// Everything loading or running a model can fail with. Messages say what went wrong, where,
/// and how to fix it; the engine passes them on as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("model file {path} is missing; fetch the models with `python3 models/fetch.py`")]
    ModelMissing { path: PathBuf },

    #[error("model {path} could not be loaded: {reason}")]
    ModelLoad { path: PathBuf, reason: String },

    #[error(
        "model {path} is {} MB, but only {} MB of memory is available; choose a smaller model or close other programs",
        size >> 20,
        available >> 20
    )]
    ModelTooLarge { path: PathBuf, size: u64, available: u64 },

    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("generation failed: {0}")]
    Generation(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
