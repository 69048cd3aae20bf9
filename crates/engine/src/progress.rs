//! Progress reporting and cancellation for long work, independent of how it is shown
//! (a terminal bar in the CLI, events in the app).

/// The phases of an import and of building an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Another process is writing the same library; this one waits for it to finish.
    Waiting,
    /// Import: reading label files (total in bytes).
    Reading,
    /// Import: writing one document per drug.
    Rendering,
    Scanning,
    Parsing,
    Embedding,
    Indexing,
    Writing,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Waiting => "waiting for another process writing this library",
            Stage::Reading => "reading labels",
            Stage::Rendering => "writing documents",
            Stage::Scanning => "scanning",
            Stage::Parsing => "parsing",
            Stage::Embedding => "embedding",
            Stage::Indexing => "indexing",
            Stage::Writing => "writing",
        }
    }
}

/// Receives progress; `total` is 0 when a stage has no count.
pub trait Progress: Sync {
    fn stage(&self, _stage: Stage, _total: u64) {}
    fn advance(&self, _done: u64) {}
    /// Polled between batches; returning true stops the work with `Error::Cancelled` and
    /// leaves the previous index untouched.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Ignores progress and never cancels.
pub struct Silent;

impl Progress for Silent {}
