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
    if question.kind == QuestionType::AppearanceIngredients && !describes_what_was_asked(&question.text, units) {
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

/// Forms a question may ask the look of, and how a line describing that form names it:
/// the look of "the XR capsules" is not answered by one generic's immediate-release tablets.
const FORMS: &[(&[&str], &str)] = &[
    (&["capsule"], "capsule"),
    (&["tablet", "caplet"], "tablet"),
    (&["liquid", "syrup", "solution", "suspension"], "liquid"),
    (&["patch"], "patch"),
    (&["cream", "ointment", "gel"], "cream"),
    (&["injection", "pen", "vial"], "inject"),
    (&["xr", "er", "extended-release"], "extended-release"),
    (&["chewable"], "chewable"),
];

/// Whether a line that answers a question on looks or contents describes what it asked:
/// the imprint it gives ("a round blue pill with M 30 on it") and the form it names.
fn describes_what_was_asked(question: &str, units: &[Unit]) -> bool {
    let answering: Vec<String> = units
        .iter()
        .filter(|u| u.fit >= 1.0 || u.context.contains("appearance"))
        .map(|u| u.text.to_lowercase())
        .collect();
    if let Some((letters, number)) = imprint_asked(question) {
        let states = |line: &String| {
            let words: Vec<String> =
                line.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string()).collect();
            let joined = format!("{letters}{number}");
            words.contains(&joined) || words.windows(2).any(|p| p[0] == letters && p[1] == number)
        };
        if !answering.iter().any(states) {
            return false;
        }
    }
    // Whole words: "gelatin" asks no gel, "pencil" no pen.
    let lower = question.to_lowercase().replace("extended release", "extended-release");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.strip_suffix("es").filter(|w| w.ends_with("ch")).or_else(|| w.strip_suffix('s')).unwrap_or(w))
        .collect();
    FORMS.iter().filter(|(asked, _)| asked.iter().any(|a| words.contains(a))).all(|(_, named)| {
        answering.iter().any(|line| line.contains(named) || (*named == "liquid" && line.contains("solution")))
    })
}

/// An imprint code the question gives, lower-cased: "M 30" → ("m", "30"). Capital
/// letters then a number, not a dose ("M 30 on it", "IP 109", not "5 mg" or "a 10 mg").
fn imprint_asked(question: &str) -> Option<(String, String)> {
    let words: Vec<&str> =
        question.split(|c: char| c.is_whitespace() || c == ',' || c == '?').filter(|w| !w.is_empty()).collect();
    words.windows(2).find_map(|pair| {
        let letters = pair[0].trim_matches('"');
        let number = pair[1].trim_matches(['"', '.']);
        let is_code = (1..=3).contains(&letters.len())
            && letters.chars().all(|c| c.is_ascii_uppercase())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit());
        is_code.then(|| (letters.to_lowercase(), number.to_string()))
    })
}

/// The words a question asks about, for saying what the library lacks.
pub(crate) fn asked_words(question: &Question, topic: &[String]) -> Vec<String> {
    crate::text::words(&question.text).into_iter().filter(|w| topic.contains(&fold(&terms(w).concat()))).collect()
}

#[cfg(test)]
mod tests {
    use super::imprint_asked;

    #[test]
    fn a_form_asked_is_a_whole_word() {
        use super::{describes_what_was_asked, Unit};
        use drugchatter_monograph::SectionKind;
        let unit = |text: &str| Unit {
            library: 0,
            chunk: 0,
            drug: 0,
            text: text.into(),
            kind: SectionKind::AlternateNames,
            context: "alternate names › appearance".into(),
            score: 0.0,
            fit: 1.0,
            position: 0,
            links_pair: false,
        };
        let tablets = [unit("Appearance: One generic immediate-release tablet is white, debossed \"G 10\".")];
        assert!(!describes_what_was_asked("what color are the adderall xr capsules", &tablets));
        assert!(describes_what_was_asked("what color is the 10 mg tablet", &tablets));
        assert!(describes_what_was_asked("is there gelatin in it", &tablets), "gelatin is no gel");
        assert!(describes_what_was_asked("is the G 10 pill adderall", &tablets));
        assert!(!describes_what_was_asked("is the M 30 pill adderall", &tablets));
    }

    #[test]
    fn imprints_are_capital_letters_then_a_number() {
        let code = |q: &str| imprint_asked(q).map(|(l, n)| format!("{l} {n}"));
        assert_eq!(code("found a round blue pill with M 30 on it. is that oxycodone?").as_deref(), Some("m 30"));
        assert_eq!(code("white pill IP 109").as_deref(), Some("ip 109"));
        assert_eq!(code("What does a 10 mg amlodipine pill look like?"), None);
        assert_eq!(code("What color is the 5 mg warfarin tablet?"), None);
    }
}
