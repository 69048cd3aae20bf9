use std::path::PathBuf;

/// Everything the engine can fail with. Messages say what went wrong, where, and how to fix
/// it; the CLI and the app render them as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("model file {path} is missing; fetch the models with `python3 models/fetch.py`")]
    ModelMissing { path: PathBuf },

    #[error("model file {path} is corrupt (sha256 {actual}, expected {expected}); fetch it again with `python3 models/fetch.py`")]
    ModelCorrupt { path: PathBuf, expected: String, actual: String },

    #[error("model {path} could not be loaded: {reason}")]
    ModelLoad { path: PathBuf, reason: String },

    #[error("model manifest {path}: {reason}")]
    Manifest { path: PathBuf, reason: String },

    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("the corpus folder {path} holds no monographs (*.md files)")]
    EmptyCorpus { path: PathBuf },

    #[error("there is no index at {path} yet; build it with `drugchatter index`")]
    NoIndex { path: PathBuf },

    #[error("the index at {path} is unreadable ({reason}); rebuild it with `drugchatter index`")]
    IndexCorrupt { path: PathBuf, reason: String },

    #[error("the index at {path} was built with a different embedding model; rebuild it with `drugchatter index`")]
    IndexModelMismatch { path: PathBuf },

    #[error("embedding failed: {0}")]
    Embedding(String),

    #[error(transparent)]
    InvalidQuestion(#[from] crate::answer::QuestionProblem),

    /// Loading or running the generator model; its messages are the engine's style too.
    #[error(transparent)]
    Llm(#[from] drugchatter_llm::Error),

    #[error("{0:?} is not a usable library name: use 1–64 lowercase letters, digits, `-` or `_` (and not `bundled`)")]
    InvalidLibraryName(String),

    #[error("there is no imported library named {0:?}; `drugchatter library list` shows them")]
    NoSuchLibrary(String),

    #[error("there is no drug {0:?} in the library")]
    NoSuchDrug(String),

    #[error("there is no drug class {0:?} in the library")]
    NoSuchClass(String),

    #[error("{path}: {reason}")]
    Import { path: PathBuf, reason: String },

    #[error("cancelled")]
    Cancelled,
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
