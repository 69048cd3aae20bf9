//! The fallback answer: the sentences of the retrieved passages that best answer the
//! question, quoted with their citations. True to the sources by construction.

use super::{AnswerSentence, SentenceStatus, Source};
use crate::embed::{cosine, Embedder};
use crate::error::Result;
use crate::retrieve::Intent;

/// Sentences shorter than this are headings or fragments, not answers.
const MIN_WORDS: usize = 4;

/// What an answer already says, which quotes completing it must not repeat.
#[derive(Default)]
pub struct Said<'a> {
    pub sentences: Vec<&'a str>,
    /// Word overlap from which a quote repeats a sentence.
    pub overlap: f32,
}

impl Said<'_> {
    fn covers(&self, quote: &str) -> bool {
        self.sentences.iter().any(|s| super::verify::word_overlap(quote, s) >= self.overlap)
    }
}

pub fn extract(
    embedder: &Embedder,
    question_vector: &[f32],
    intents: &[Intent],
    sources: &[Source],
    max_sentences: usize,
    said: &Said,
) -> Result<Vec<AnswerSentence>> {
    // A question about one section (dose, side effects…) is answered from that section
    // when a source of it was retrieved.
    let on_topic = |s: &Source| intents.iter().any(|i| i.matches(s.section_kind, &s.text));
    let focused = sources.iter().any(on_topic);
    let mut candidates: Vec<(usize, String)> = Vec::new();
    for (i, source) in sources.iter().enumerate().filter(|(_, s)| !focused || on_topic(s)) {
        let mut question: Option<&str> = None;
        for sentence in crate::text::sentences(&source.text) {
            // FAQ passages are "Q: question\nA: answer"; the question is not an answer.
            if sentence.starts_with("Q: ") || sentence.ends_with('?') {
                question = Some(sentence.trim_start_matches("Q: ").trim());
                continue;
            }
            if super::prompt::addresses_the_model(sentence) {
                continue;
            }
            let sentence = sentence.trim_start_matches("A: ").trim();
            // A bare "No, not until…" answers the FAQ's question, which is quoted with it.
            let quoted = match (super::verify::answers_yes_or_no(sentence), question) {
                (false, _) => sentence.to_string(),
                (true, Some(question)) => format!("{question} {sentence}"),
                (true, None) => continue,
            };
            if quoted.split_whitespace().count() >= MIN_WORDS && !said.covers(&quoted) {
                candidates.push((i, quoted));
            }
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<&str> = candidates.iter().map(|(_, s)| s.as_str()).collect();
    let vectors = embedder.embed_all(&texts, &mut |_| true)?;
    // Better-ranked passages get an edge: retrieval already weighed drug, section and wording.
    let mut scored: Vec<(f32, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(c, (source, _))| (cosine(question_vector, &vectors[c]) - 0.05 * *source as f32, c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut chosen: Vec<usize> = Vec::new();
    let mut per_source = vec![0usize; sources.len()];
    for (_, c) in scored {
        let source = candidates[c].0;
        if per_source[source] < 2 && chosen.len() < max_sentences {
            per_source[source] += 1;
            chosen.push(c);
        }
    }
    // Read in source order, then passage order.
    chosen.sort();
    Ok(chosen
        .into_iter()
        .map(|c| AnswerSentence {
            text: candidates[c].1.clone(),
            citations: vec![candidates[c].0 + 1],
            status: SentenceStatus::Quoted,
            reason: None,
            support: None,
            related: false,
        })
        .collect())
}
