//! Stage 3, plan: whether the library can answer at all, and from which passages.

use super::retrieve::Retrieved;
use super::Source;
use crate::retrieve::{Hit, Intent, ResolvedDrug};

pub(crate) enum Plan {
    /// The question names no drug the library has, or nothing of them was found.
    Abstain {
        drugs: Vec<ResolvedDrug>,
        unknown: Vec<String>,
    },
    Answer(Evidence),
}

/// What an answer is drawn from.
pub(crate) struct Evidence {
    pub drugs: Vec<ResolvedDrug>,
    /// The sections the question asks about.
    pub intents: Vec<Intent>,
    /// The question's embedding.
    pub query_vector: Vec<f32>,
    /// Numbered in retrieval order: `[1]` is the best passage.
    pub sources: Vec<Source>,
}

pub(crate) fn plan(retrieved: Retrieved) -> Plan {
    let Retrieved { results, query_vector } = retrieved;
    if results.no_matching_drug || results.hits.is_empty() {
        return Plan::Abstain { drugs: results.drugs, unknown: results.unknown_drugs };
    }
    Plan::Answer(Evidence {
        sources: sources_from_hits(&results.hits),
        drugs: results.drugs,
        intents: results.intents,
        query_vector,
    })
}

pub(crate) fn sources_from_hits(hits: &[Hit]) -> Vec<Source> {
    hits.iter().enumerate().map(|(i, h)| Source { n: i + 1, passage: h.passage.clone() }).collect()
}
