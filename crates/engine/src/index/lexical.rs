//! BM25 over chunk text, drug names and section headings.
//!
//! A small module of our own rather than tantivy: the index is a few thousand to a few
//! hundred thousand short passages held in memory, we need per-query filtering to the
//! resolved drugs, and tantivy would add minutes of compile time and its own segment files
//! beside our atomic index generations.

use crate::text::words;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "should", "so", "than", "that",
    "the", "their", "then", "there", "these", "this", "to", "was", "what", "when", "where", "which", "while", "who",
    "why", "will", "with", "would", "you", "your", "am", "im", "get", "take", "taking", "about", "any", "much",
];

/// Whether a lower-case word is too common to carry meaning (for ranking and for
/// counting a sentence's content words).
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// Lower-cases, drops stop words and folds simple plurals, identically for passages and queries.
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| !is_stopword(w)).map(|w| stem(&w)).collect()
}

fn stem(word: &str) -> String {
    if word.len() > 4 && !word.chars().any(|c| c.is_ascii_digit()) {
        if let Some(base) = word.strip_suffix("ies") {
            return format!("{base}y");
        }
        if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && !word.ends_with("is") {
            return word[..word.len() - 1].to_string();
        }
    }
    word.to_string()
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Bm25 {
    /// term → (passage, term frequency), passages ascending.
    postings: HashMap<String, Vec<(u32, u16)>>,
    lengths: Vec<u32>,
    average_length: f32,
}

impl Bm25 {
    pub fn build<'a>(passages: impl IntoIterator<Item = &'a str>) -> Bm25 {
        let mut index = Bm25::default();
        for (id, text) in passages.into_iter().enumerate() {
            let terms = terms(text);
            index.lengths.push(terms.len() as u32);
            let mut counts: HashMap<String, u16> = HashMap::new();
            for t in terms {
                *counts.entry(t).or_default() += 1;
            }
            for (term, tf) in counts {
                index.postings.entry(term).or_default().push((id as u32, tf));
            }
        }
        let total: u64 = index.lengths.iter().map(|&l| l as u64).sum();
        index.average_length = total as f32 / index.lengths.len().max(1) as f32;
        index
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// The best `k` passages for the query, among those `keep` accepts, best first.
    pub fn search(&self, query: &str, k: usize, keep: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let n = self.lengths.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        for term in &query_terms {
            let Some(postings) = self.postings.get(term) else { continue };
            let df = postings.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(id, tf) in postings {
                if !keep(id) {
                    continue;
                }
                let tf = tf as f32;
                let norm = 1.0 - B + B * self.lengths[id as usize] as f32 / self.average_length.max(1.0);
                *scores.entry(id).or_default() += idf * tf * (K1 + 1.0) / (tf + K1 * norm);
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_rare_terms_higher() {
        let index = Bm25::build(["imiquimod cream for warts", "cream for dry skin", "ibuprofen for pain and fever"]);
        let hits = index.search("Imiquimod cream?", 3, &|_| true);
        assert_eq!(hits[0].0, 0);
        assert_eq!(hits.len(), 2);
        let filtered = index.search("cream", 3, &|id| id != 0);
        assert_eq!(filtered.iter().map(|h| h.0).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn plurals_fold() {
        assert_eq!(terms("Side effects of tablets"), ["side", "effect", "tablet"]);
    }
}
