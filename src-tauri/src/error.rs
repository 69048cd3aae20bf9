//! The error every command returns to the UI: a machine-readable kind and the message to
//! show. Engine errors keep their own text, which already says what to do.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppError {
    /// `invalid` (a bad argument), `not_ready` (still starting), `cancelled`, `engine`, `io`.
    pub kind: &'static str,
    pub message: String,
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError { kind: "invalid", message: message.into() }
    }

    pub fn not_ready(message: impl Into<String>) -> AppError {
        AppError { kind: "not_ready", message: message.into() }
    }

    pub fn io(message: impl Into<String>) -> AppError {
        AppError { kind: "io", message: message.into() }
    }

    pub fn cancelled() -> AppError {
        AppError { kind: "cancelled", message: "cancelled".into() }
    }
}

impl From<drugchatter_engine::Error> for AppError {
    fn from(error: drugchatter_engine::Error) -> AppError {
        match error {
            drugchatter_engine::Error::Cancelled => AppError::cancelled(),
            drugchatter_engine::Error::InvalidQuestion(message) => AppError::invalid(message),
            other => AppError { kind: "engine", message: other.to_string() },
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
