//! Whether the monographs state what was asked, and if not, what to say is missing.

use super::{fold, holds_term, Unit};
use crate::answer::understand::{Question, QuestionType};
use crate::index::lexical::terms;
use std::collections::HashSet;

/// Kinds whose sections every monograph has (a dose, how it works, pregnancy…): asked of a
/// drug in the library they are answered, whatever else the question's words say.
fn always_answered(kind: QuestionType, question: &str) -> bool {
    use QuestionType::*;
    let lower = question.to_lowercase();
    let beyond_the_label = ["cost", "price", "insurance", "switch"].iter().any(|c| lower.contains(c));
    match kind {
        AppearanceIngredients | SideEffects | SeriousWarnings | General | WhatIs | Storage => false,
        Dose => !beyond_the_label,
        _ => true,
    }
}

/// Questions about what no monograph of this library holds (price, maker, legal status,
/// drug tests, dose conversions): `(cues in the question, words a unit stating it would
/// have, what the answer says is missing)`.
const BEYOND_THE_LABEL: &[(&[&str], &[&str], &str)] = &[
    (&["who makes", "manufacturer", "what company"], &["manufactur", "made by", "marketed by"], "who makes it"),
    (&["cost", "price", "how much is the", "expensive", "coupon", "insurance"], &["cost", "price", "$"], "its price"),
    (
        &["controlled substance", "scheduled drug", "schedule ii", "schedule iv"],
        &["controlled substance", "schedule i", "schedule v"],
        "whether it is a controlled substance",
    ),
    (
        &["drug test", "drug screen", "urine test", "show up on"],
        &["drug test", "drug screen", "urine test"],
        "drug tests",
    ),
    (
        &["equivalent", "equals", "is the same", "same dose as", "convert", "conversion"],
        // A line that states an equivalence: "Conversion from other opioids: calculate
        // conservatively" or "converted in body tissues to T3" gives none.
        &["equivalent", "equals", "same total daily dose", "same unit dose", "same dose"],
        "dose conversions",
    ),
];

/// What the question asks that the monographs do not hold, when it asks about one of
/// [`BEYOND_THE_LABEL`].
pub(crate) fn beyond_the_monographs(question: &Question, units: &[Unit]) -> Option<&'static str> {
    let q = question.text.to_lowercase();
    let (_, evidence, asked) = BEYOND_THE_LABEL.iter().find(|(cues, _, _)| cues.iter().any(|c| q.contains(c)))?;
    let stated = units.iter().any(|u| {
        let lower = u.text.to_lowercase();
        evidence.iter().any(|e| lower.contains(e))
    });
    (!stated).then_some(*asked)
}

/// Whether the monographs state what the question asks: some unit of theirs holds a word
/// it asks about. `None` when the question asks nothing beyond its kind.
pub(crate) fn states_the_asked(question: &Question, topic: &[String], units: &[Unit]) -> Option<bool> {
    // Not every monograph says how it is stored or what it looks like: only a unit that
    // does answers.
    if matches!(question.kind, QuestionType::AppearanceIngredients | QuestionType::Storage)
        && !units.iter().any(|u| u.fit >= 1.0)
    {
        return Some(false);
    }
    if topic.is_empty() || always_answered(question.kind, &question.text) {
        return None;
    }
    // A unit's headings count too: "common" is in "Common Side Effects", not in its lines.
    Some(units.iter().any(|u| {
        let unit_terms: HashSet<String> = terms(&u.text).iter().chain(&terms(&u.context)).map(|t| fold(t)).collect();
        topic.iter().any(|t| holds_term(&unit_terms, t))
    }))
}

/// The words a question asks about, for saying what the library lacks.
pub(crate) fn asked_words(question: &Question, topic: &[String]) -> Vec<String> {
    crate::text::words(&question.text).into_iter().filter(|w| topic.contains(&fold(&terms(w).concat()))).collect()
}
