//! Drug-aware hybrid retrieval: resolve the drugs a question names, search vectors and BM25
//! (restricted to those drugs when there are any), fuse the rankings and favour the section
//! the question asks about.

pub(crate) mod classes;
pub(crate) mod intent;
#[cfg(test)]
mod names_test;
pub(crate) mod resolve;

use crate::index::Index;
pub use classes::{class_named_by, ClassIndex, NamedClass};
use drugchatter_monograph::{LabelSource, SectionKind, Span};
pub use intent::Intent;
pub use resolve::{without_salts, DrugCatalog, MatchKind, Resolution, ResolvedDrug};
use serde::Serialize;
use std::path::PathBuf;

/// Reciprocal-rank-fusion constant: damps the difference between the top few ranks.
const RRF_K: f32 = 60.0;
/// Each ranker contributes this many candidates to fusion.
const CANDIDATES: usize = 50;
/// A chunk from the section the question asks about gains as much as a first place in one ranker.
const SECTION_BOOST: f32 = 1.0 / (RRF_K + 1.0);

/// Stable JSON schema (see README): field names and meanings only ever grow.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchResults {
    pub query: String,
    /// The drugs the question names, in the order it names them.
    pub drugs: Vec<ResolvedDrug>,
    /// True when the question names no drug in the library; answers must then abstain.
    pub no_matching_drug: bool,
    /// Words that look like drug names the library does not have.
    pub unknown_drugs: Vec<String>,
    pub intents: Vec<Intent>,
    pub hits: Vec<Hit>,
}

/// A passage of a monograph: which drug and section it is, and where it is in its file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Passage {
    pub chunk_id: String,
    pub drug: String,
    pub drug_slug: String,
    pub library: String,
    pub section: String,
    pub section_path: Vec<String>,
    pub section_kind: SectionKind,
    /// Source file (relative to its library folder) and the passage's byte range in it.
    pub source: PathBuf,
    pub span: Span,
    pub text: String,
    /// For imported material: the FDA label the passage quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub label: Option<LabelSource>,
}

impl Passage {
    pub fn of_chunk(index: &Index, chunk: usize) -> Passage {
        let chunk = &index.chunks[chunk];
        let drug = index.drug_of(chunk);
        Passage {
            chunk_id: chunk.id.clone(),
            drug: drug.title.clone(),
            drug_slug: drug.slug.clone(),
            library: drug.library.clone(),
            section: chunk.section_label(),
            section_path: chunk.section_path.clone(),
            section_kind: chunk.section_kind,
            source: drug.source.clone(),
            span: chunk.span,
            text: chunk.text.clone(),
            label: drug.labels.iter().find(|l| chunk.section_path.iter().any(|h| h.contains(&l.set_id))).cloned(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hit {
    pub rank: usize,
    #[serde(flatten)]
    pub passage: Passage,
    /// Fused score: higher is better; comparable within one result list only.
    pub score: f32,
    /// Cosine similarity between question and passage.
    pub similarity: f32,
    pub vector_rank: Option<usize>,
    pub lexical_rank: Option<usize>,
}

impl std::ops::Deref for Hit {
    type Target = Passage;
    fn deref(&self) -> &Passage {
        &self.passage
    }
}

/// Retrieval with a precomputed query embedding, so callers decide how (and whether) to embed.
pub fn search(index: &Index, catalog: &DrugCatalog, query: &str, query_vector: &[f32], k: usize) -> SearchResults {
    search_resolved(index, catalog.resolve(query), query, query_vector, k)
}

/// Searches several libraries as one. Each resolves the question against its own drugs
/// (`resolutions[i]` belongs to `libraries[i]`); when any library has a drug the question
/// names, only such libraries are searched, so a drug-specific question never draws
/// passages about other drugs from a library that lacks it.
pub fn search_libraries(
    libraries: &[&Index],
    resolutions: Vec<Resolution>,
    query: &str,
    query_vector: &[f32],
    k: usize,
) -> SearchResults {
    let any_drug = resolutions.iter().any(|r| !r.drugs.is_empty());
    let mut merged: Option<SearchResults> = None;
    let mut searched = 0;
    let mut unknown: Option<Vec<String>> = None;
    for (library, resolution) in libraries.iter().zip(resolutions) {
        // A word is unknown only if no library knows it.
        let here = resolution.unknown.clone();
        unknown = Some(match unknown {
            None => here,
            Some(previous) => previous.into_iter().filter(|w| here.contains(w)).collect(),
        });
        if any_drug && resolution.drugs.is_empty() {
            continue;
        }
        let results = search_resolved(library, resolution, query, query_vector, k);
        searched += 1;
        merged = Some(match merged {
            None => results,
            Some(mut all) => {
                all.drugs.extend(results.drugs);
                all.hits.extend(results.hits);
                all
            }
        });
    }
    let mut results = merged.unwrap_or_else(|| SearchResults {
        query: query.to_string(),
        drugs: Vec::new(),
        no_matching_drug: true,
        unknown_drugs: Vec::new(),
        intents: intent::detect(query, 0),
        hits: Vec::new(),
    });
    results.unknown_drugs = unknown.unwrap_or_default();
    results.no_matching_drug = !any_drug;
    // Scores are reciprocal-rank sums, so they compare across libraries. One library's
    // order is kept as it is: it already makes room for each drug a question names.
    if searched > 1 {
        results.hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    results.hits.truncate(k);
    for (rank, hit) in results.hits.iter_mut().enumerate() {
        hit.rank = rank + 1;
    }
    results
}

/// Retrieval for drugs already resolved (a follow-up question keeps the previous turn's).
pub fn search_resolved(
    index: &Index,
    resolution: Resolution,
    query: &str,
    query_vector: &[f32],
    k: usize,
) -> SearchResults {
    let intents = intent::detect(query, resolution.drugs.len());
    let wanted: Vec<u32> = resolution.drugs.iter().map(|d| d.index as u32).collect();
    let keep = |chunk: u32| wanted.is_empty() || wanted.contains(&index.chunks[chunk as usize].drug);

    // Restricted to a few drugs the candidate set is small, so exact search is both cheaper
    // than a filtered graph walk and perfectly accurate.
    let vector_hits = if wanted.is_empty() {
        index.ann_search(query_vector, CANDIDATES)
    } else {
        index.vectors.exact_search(query_vector, CANDIDATES, &keep)
    };
    let lexical_hits = index.lexical.search(query, CANDIDATES, &keep);

    let mut fused: Vec<(u32, f32, Option<usize>, Option<usize>)> = Vec::new();
    let slot = |chunk: u32, fused: &mut Vec<(u32, f32, Option<usize>, Option<usize>)>| -> usize {
        match fused.iter().position(|f| f.0 == chunk) {
            Some(i) => i,
            None => {
                fused.push((chunk, 0.0, None, None));
                fused.len() - 1
            }
        }
    };
    for (rank, (chunk, _)) in vector_hits.iter().enumerate() {
        let i = slot(*chunk, &mut fused);
        fused[i].1 += 1.0 / (RRF_K + rank as f32 + 1.0);
        fused[i].2 = Some(rank + 1);
    }
    for (rank, (chunk, _)) in lexical_hits.iter().enumerate() {
        let i = slot(*chunk, &mut fused);
        fused[i].1 += 1.0 / (RRF_K + rank as f32 + 1.0);
        fused[i].3 = Some(rank + 1);
    }
    for entry in &mut fused {
        let chunk = &index.chunks[entry.0 as usize];
        if intents.iter().any(|i| i.matches(chunk.section_kind, &chunk.text)) {
            entry.1 += SECTION_BOOST;
        }
    }
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let fused = cover_each_drug(fused, &wanted, index, k);

    let hits = fused
        .into_iter()
        .take(k)
        .enumerate()
        .map(|(rank, (chunk_index, score, vector_rank, lexical_rank))| Hit {
            rank: rank + 1,
            passage: Passage::of_chunk(index, chunk_index as usize),
            score,
            similarity: crate::embed::cosine(index.vectors.row(chunk_index as usize), query_vector),
            vector_rank,
            lexical_rank,
        })
        .collect();
    SearchResults {
        query: query.to_string(),
        no_matching_drug: resolution.drugs.is_empty(),
        unknown_drugs: resolution.unknown,
        drugs: resolution.drugs,
        intents,
        hits,
    }
}

/// With several drugs named ("ibuprofen with lisinopril"), the best passage of each drug is
/// moved into the top k so no drug is crowded out by another's passages.
fn cover_each_drug<T: Copy>(
    mut ranked: Vec<(u32, f32, T, T)>,
    wanted: &[u32],
    index: &Index,
    k: usize,
) -> Vec<(u32, f32, T, T)> {
    if wanted.len() < 2 || k < wanted.len() {
        return ranked;
    }
    for &drug in wanted {
        let drug_of = |entry: &(u32, f32, T, T)| index.chunks[entry.0 as usize].drug;
        if ranked.iter().take(k).any(|e| drug_of(e) == drug) {
            continue;
        }
        if let Some(pos) = ranked.iter().position(|e| drug_of(e) == drug) {
            let entry = ranked.remove(pos);
            // Replace the last top-k entry of a drug that has more than one there.
            let insert_at = (0..k.min(ranked.len()))
                .rev()
                .find(|&i| ranked.iter().take(k).filter(|e| drug_of(e) == drug_of(&ranked[i])).count() > 1)
                .unwrap_or(k.min(ranked.len()));
            ranked.insert(insert_at, entry);
        }
    }
    ranked
}
