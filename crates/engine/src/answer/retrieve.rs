//! Stage 2, retrieve: the passages of the drugs the question is about, ranked for it.

use super::understand::Question;
use super::Context;
use crate::error::{Error, Result};
use crate::library::BUNDLED_LIBRARY;
use crate::retrieve::{search_libraries, SearchResults};
use std::time::Instant;

/// What retrieval found, with the question's embedding, which later stages compare
/// sentences with.
pub(crate) struct Retrieved {
    pub results: SearchResults,
    pub query_vector: Vec<f32>,
}

pub(crate) fn retrieve(cx: &Context, question: &Question, sources: usize) -> Result<Retrieved> {
    if cx.libraries.is_empty() {
        return Err(Error::NoIndex { path: cx.paths.index_dir(BUNDLED_LIBRARY) });
    }
    let query_vector = cx.embedder.embed_one(&question.text)?;
    let indexes: Vec<_> = cx.libraries.iter().map(|l| &l.index).collect();
    let results = search_libraries(&indexes, question.resolutions.clone(), &question.text, &query_vector, sources);
    Ok(Retrieved { results, query_vector })
}

/// Milliseconds since `started`.
pub(crate) fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
