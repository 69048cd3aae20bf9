//! A verified sentence is about what the question asks: it cites a passage of the section
//! the question asks about, or is similar enough to the question. An answer rule: it runs
//! last, on the sentences every other rule verified.
//!
//! Copying makes the model's sentences true to a passage, not necessarily about the
//! question: "It is not known to affect driving" for a question on flu-like symptoms. Such
//! a sentence is kept out of the answer as [`SentenceStatus::OffTopic`].

use super::super::{Question, Thresholds, Verifier};
use crate::answer::{AnswerSentence, SentenceStatus, Source};
use crate::embed::{cosine, Embedder};
use crate::error::Result;
use crate::retrieve::Intent;

pub fn mark(
    verifier: &Verifier<'_>,
    question: &Question<'_>,
    sources: &[Source],
    sentences: &mut [AnswerSentence],
) -> Result<()> {
    let (embedder, thresholds) = (verifier.embedder, &verifier.thresholds);
    mark_off_topic(embedder, thresholds, question.vector, question.intents, sources, sentences)
}

/// Marks the verified sentences that are about something else than the question
/// [`SentenceStatus::OffTopic`]: those that cite no passage of the section the question
/// asks about (`intents`) and are less similar to the question (`question_vector`) than
/// [`Thresholds::relevance`]. The section counts first because a short question is far
/// from each of its answers: "Lightening or darkening of the treated skin can occur" is
/// 0.17 similar to "aldara side effects".
pub fn mark_off_topic(
    embedder: &Embedder,
    thresholds: &Thresholds,
    question_vector: &[f32],
    intents: &[Intent],
    sources: &[Source],
    sentences: &mut [AnswerSentence],
) -> Result<()> {
    let candidates: Vec<&mut AnswerSentence> = sentences
        .iter_mut()
        .filter(|s| s.status == SentenceStatus::Verified && !in_asked_section(s, intents, sources))
        .collect();
    let texts: Vec<&str> = candidates.iter().map(|s| s.text.as_str()).collect();
    let vectors = embedder.embed_all(&texts, &mut |_| true)?;
    for (sentence, vector) in candidates.into_iter().zip(vectors) {
        let relevance = cosine(question_vector, &vector);
        if relevance < thresholds.relevance {
            sentence.status = SentenceStatus::OffTopic;
            sentence.reason =
                Some(format!("about something the question does not ask (similarity to it {relevance:.2})"));
        }
    }
    Ok(())
}

/// Whether `sentence` cites a passage of a section the question asks about.
fn in_asked_section(sentence: &AnswerSentence, intents: &[Intent], sources: &[Source]) -> bool {
    sentence
        .citations
        .iter()
        .filter_map(|&n| sources.get(n.wrapping_sub(1)))
        .any(|source| intents.iter().any(|i| i.matches(source.section_kind, &source.text)))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::source;
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn a_sentence_citing_the_section_asked_about_is_on_topic() {
        let sources = [
            source(1, "Imiquimod", "Storage", SectionKind::Storage, "Store the cream at room temperature."),
            source(2, "Imiquimod", "How It Works", SectionKind::HowItWorks, "It switches on the immune system."),
        ];
        let citing = |citations: Vec<usize>| AnswerSentence {
            text: "It works.".into(),
            citations,
            status: SentenceStatus::Verified,
            reason: None,
            support: None,
            related: false,
        };
        let mechanism = [Intent::Mechanism];
        assert!(in_asked_section(&citing(vec![2]), &mechanism, &sources));
        assert!(in_asked_section(&citing(vec![1, 2]), &mechanism, &sources));
        assert!(!in_asked_section(&citing(vec![1]), &mechanism, &sources));
        assert!(!in_asked_section(&citing(vec![0, 3]), &mechanism, &sources));
        assert!(!in_asked_section(&citing(vec![2]), &[], &sources));
    }
}
