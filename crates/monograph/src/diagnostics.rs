use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document cannot be indexed.
    Error,
    /// The document is usable but departs from the format.
    Warning,
}

/// A problem found in a monograph, located by 1-based line. The file name is added by
/// whoever read the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn error(line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, line, message: message.into() }
    }

    pub fn warning(line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, line, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "line {}: {}: {}", self.line, level, self.message)
    }
}
