//! The error every command returns to the UI: a machine-readable kind and the message to
//! show. Engine errors keep their own text, which already says what to do. (The app's own
//! errors convert to it beside their types.) It names no other module of the app, so the
//! settings fuzz target includes it by path, with `validate` and `settings`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
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

    pub fn engine(message: impl Into<String>) -> AppError {
        AppError { kind: "engine", message: message.into() }
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
            drugchatter_engine::Error::InvalidQuestion(problem) => AppError::invalid(problem.to_string()),
            other => AppError::engine(without_backtrace(&other.to_string())),
        }
    }
}

/// Drops the backtrace frames a library error carries when `RUST_BACKTRACE` is set
/// (candle's do): the message is for people; the frames are in the log.
fn without_backtrace(message: &str) -> String {
    let is_frame = |line: &str| {
        let line = line.trim_start();
        line.starts_with("at ")
            || line.split_once(": ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let kept: Vec<&str> = message.lines().filter(|line| !is_frame(line)).map(str::trim).collect();
    kept.join(" ").replace(" )", ")")
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::without_backtrace;

    #[test]
    fn backtraces_are_left_out_of_messages() {
        let message =
            "model /m/broken.gguf could not be loaded: not a readable GGUF file (unknown magic 0x73696874\n   \
                       0: candle_core::error::Error::bt\n             at /src/error.rs:260:25\n   1: try_from\n\
                       ); choose a complete GGUF";
        assert_eq!(
            without_backtrace(message),
            "model /m/broken.gguf could not be loaded: not a readable GGUF file (unknown magic 0x73696874); choose a \
             complete GGUF"
        );
        assert_eq!(without_backtrace("the index is damaged: 3 files"), "the index is damaged: 3 files");
    }
}
