//! A verified sentence that copies a labelled line of its passage keeps the label, or the
//! question names it. An answer rule: it runs after every claim is checked.
//!
//! A label says whom or what a line is about: "40 mcg at 0, 1 and 6 months" copied from
//! "Hemodialysis: … 40 mcg at 0, 1 and 6 months" is true of patients on hemodialysis, and no
//! answer to how many shots adults need.

use super::super::words::{word_forms, word_overlap, PassageWords};
use super::super::{Question, Thresholds, Verifier};
use crate::answer::{AnswerSentence, SentenceStatus, Source};
use crate::error::Result;
use crate::index::lexical::is_stopword;

pub fn mark(
    verifier: &Verifier<'_>,
    question: &Question<'_>,
    sources: &[Source],
    sentences: &mut [AnswerSentence],
) -> Result<()> {
    mark_dropped_labels(&verifier.thresholds, question.text, sources, sentences);
    Ok(())
}

/// Marks a verified sentence unverified when it copies a labelled line of its passage
/// ("Hemodialysis: … 40 mcg at 0, 1 and 6 months") without the label, and the question
/// does not name it either: "40 mcg at 0, 1 and 6 months" is then no answer to how many
/// shots adults need. The label says whom or what the line is about.
pub fn mark_dropped_labels(
    thresholds: &Thresholds,
    question: &str,
    sources: &[Source],
    sentences: &mut [AnswerSentence],
) {
    for sentence in sentences.iter_mut().filter(|s| s.status == SentenceStatus::Verified) {
        let stated = PassageWords::new(&format!("{} {question}", sentence.text));
        let lines = sentence.citations.iter().filter_map(|&n| sources.get(n.wrapping_sub(1)));
        // The labelled line the sentence copies most of, if it copies most of one.
        let copied = lines
            .flat_map(|s| s.text.lines())
            .filter_map(labelled)
            .map(|(label, rest)| (label, word_overlap(&sentence.text, rest)))
            .filter(|&(_, overlap)| overlap >= thresholds.overlap)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let dropped = copied.filter(|(label, _)| {
            !word_forms(label).iter().any(|w| w.chars().count() >= 3 && !is_stopword(w) && stated.has(w))
        });
        if let Some((label, _)) = dropped {
            sentence.status = SentenceStatus::Unverified;
            sentence.reason = Some(format!("leaves out \"{label}\", which its passage says this is about"));
        }
    }
}

/// Labels that name a topic rather than whom or what a line is about: "Common: nausea…",
/// "Pharmacodynamics: …", an FAQ's "A: …".
const PLAIN_LABELS: &[&str] = &[
    "a",
    "q",
    "note",
    "common",
    "very common",
    "less common",
    "uncommon",
    "rare",
    "serious",
    "side effects",
    "common side effects",
    "serious side effects",
    "boxed warning",
    "warning",
    "warnings",
    "pharmacodynamics",
    "pharmacokinetics",
    "pharmacological classification",
    "classification",
    "drug class",
    "mechanism",
    "receptor binding",
    "cytokine release",
    "onset",
    "duration",
    "absorption",
    "metabolism",
    "elimination",
    "half-life",
    "overdose",
    "storage",
    "dosage",
    "brand names",
    "how it works",
];

/// A source line's label and the rest: "Hemodialysis: Engerix-B 40 mcg…" → ("Hemodialysis",
/// "Engerix-B 40 mcg…").
fn labelled(line: &str) -> Option<(&str, &str)> {
    let (label, rest) = line.split_once(": ")?;
    let label = label.trim();
    let words = label.split_whitespace().count();
    ((1..=8).contains(&words) && !PLAIN_LABELS.contains(&label.to_lowercase().as_str())).then_some((label, rest))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::source;
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn lines_are_labelled_by_whom_or_what_they_are_about() {
        assert_eq!(
            labelled("Hemodialysis: 40 mcg at 0, 1 and 6 months."),
            Some(("Hemodialysis", "40 mcg at 0, 1 and 6 months."))
        );
        assert_eq!(labelled("Common: nausea and headache."), None);
        assert_eq!(labelled("A: Take it with food."), None);
        assert_eq!(labelled("No label here."), None);
        assert_eq!(labelled("One two three four five six seven eight nine: too long to be a label."), None);
    }

    #[test]
    fn a_copied_line_without_its_label_is_marked_unless_the_question_names_it() {
        let sources = [source(
            1,
            "Hepatitis B Vaccine",
            "Dosage",
            SectionKind::Dosage,
            "Adults: 20 mcg at 0, 1 and 6 months.\nHemodialysis: 40 mcg at 0, 1 and 6 months.",
        )];
        let marked = |question: &str, text: &str, status: SentenceStatus| {
            let mut sentences = [AnswerSentence {
                text: text.into(),
                citations: vec![1],
                status,
                reason: None,
                support: Some(0.9),
                related: false,
            }];
            mark_dropped_labels(&Thresholds::default(), question, &sources, &mut sentences);
            let [sentence] = sentences;
            (sentence.status, sentence.reason)
        };
        let (status, reason) =
            marked("How many shots do adults need?", "It is 40 mcg at 0, 1 and 6 months.", SentenceStatus::Verified);
        assert_eq!(status, SentenceStatus::Unverified);
        assert_eq!(reason.as_deref(), Some("leaves out \"Hemodialysis\", which its passage says this is about"));
        let kept = (SentenceStatus::Verified, None);
        assert_eq!(
            marked("How many shots on hemodialysis?", "It is 40 mcg at 0, 1 and 6 months.", SentenceStatus::Verified),
            kept
        );
        assert_eq!(
            marked("How many shots?", "On hemodialysis, 40 mcg at 0, 1 and 6 months.", SentenceStatus::Verified),
            kept
        );
        assert_eq!(
            marked(
                "How many shots do adults need?",
                "Adults get 20 mcg at 0, 1 and 6 months.",
                SentenceStatus::Verified
            ),
            kept
        );
        // Only verified sentences are marked.
        let quoted = marked("How many shots?", "It is 40 mcg at 0, 1 and 6 months.", SentenceStatus::Quoted);
        assert_eq!(quoted, (SentenceStatus::Quoted, None));
    }
}
