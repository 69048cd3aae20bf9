//! The words of claims and passages as the rules compare them: forms (contractions cut,
//! hyphenated parts), spelling folded, stems, the words a passage has, negation and overlap.

use crate::answer::numbers::unit_of;
use crate::index::lexical::terms;
use std::collections::HashSet;

/// Words that turn a statement around. Sentence embeddings barely see them: "Doxycycline
/// does not make you burn easier in the sun" is 0.88 similar to "Does doxycycline make you
/// burn easier in the sun?".
const NEGATIONS: &[&str] =
    &["not", "no", "never", "cannot", "none", "nor", "neither", "nothing", "avoid", "without", "stop", "unsafe"];

/// Whether a sentence is negated (see [`NEGATIONS`]; "don't" and the like too).
pub fn negated(sentence: &str) -> bool {
    let lower = sentence.to_lowercase().replace('’', "'");
    lower.contains("n't") || crate::text::words(&lower).iter().any(|w| NEGATIONS.contains(&w.as_str()))
}

/// Share of the claim's content words that occur in the passage.
pub fn word_overlap(claim: &str, passage: &str) -> f32 {
    let claim_terms = terms(claim);
    if claim_terms.is_empty() {
        return 0.0;
    }
    let passage_terms: HashSet<String> = terms(passage).into_iter().collect();
    claim_terms.iter().filter(|t| passage_terms.contains(*t)).count() as f32 / claim_terms.len() as f32
}

/// The words of `text` for the word checks: lower case, contractions cut ("doesn't" →
/// "does"), with each part of a hyphenated word as well as the whole.
pub(super) fn word_forms(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace('’', "'");
    let mut out = Vec::new();
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')) {
        let word = raw.split("n't").next().and_then(|w| w.split('\'').next()).unwrap_or("").trim_matches('-');
        if word.is_empty() {
            continue;
        }
        out.push(word.to_string());
        if word.contains('-') {
            out.extend(word.split('-').filter(|p| !p.is_empty()).map(str::to_string));
        }
    }
    out
}

/// British and American spellings alike: "diarrhoea", "haemodialysis", "anaemia" →
/// "diarrhea", "hemodialysis", "anemia".
fn fold_spelling(word: &str) -> String {
    word.replace("ae", "e").replace("oe", "e")
}

/// A word's stem for matching inflections and derivations: "sedating", "sedation" and
/// "sedative" → "sedat"; "drowsiness" and "drowsy" → "drowsy"; "doses" and "dose" → "dose".
pub(super) fn stem(word: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "ating", "ated", "ates", "ate", "ings", "ing", "edly", "ed", "ness", "ities", "ity", "ives",
        "ive", "ions", "ion", "ancy", "ant", "ly", "es", "s", "e",
    ];
    let mut base = fold_spelling(word);
    if let Some(cut) = SUFFIXES.iter().find_map(|s| base.strip_suffix(s).filter(|b| b.chars().count() >= 4)) {
        base = cut.to_string();
    }
    if base.chars().count() > 4 && base.ends_with('e') {
        base.pop();
    }
    if base.ends_with('i') {
        base.pop();
        base.push('y');
    }
    base
}

/// The words of a passage as the word checks look them up: each word, spelling-folded and
/// stemmed, so "drowsiness" is found for "drowsy" and "diarrhoea" for "diarrhea".
pub struct PassageWords(HashSet<String>);

impl PassageWords {
    pub fn new(passage: &str) -> PassageWords {
        let mut words = HashSet::new();
        for w in word_forms(passage) {
            words.insert(fold_spelling(&w));
            words.insert(stem(&w));
        }
        PassageWords(words)
    }

    pub(super) fn has(&self, word: &str) -> bool {
        self.0.contains(&fold_spelling(word)) || self.0.contains(&stem(word))
    }
}

/// Words that restate rather than state: a sentence may add them to its passage freely.
pub(super) const RESTATING: &[&str] = &[
    "also",
    "may",
    "might",
    "usually",
    "often",
    "generally",
    "medicine",
    "medication",
    "drug",
    "work",
    "works",
    "via",
    "used",
    "use",
    "uses",
    "help",
    "helps",
    "called",
    "known",
    "like",
    "such",
    "including",
    "include",
    "includes",
    "however",
    "because",
    "not",
];

/// Whether the claim's `word` needs no source: in the passage, a name (see
/// [`super::Claim::names`]), a number or unit, or too short to mean much.
pub(super) fn accounted_for(word: &str, passage: &PassageWords, names: &HashSet<String>) -> bool {
    passage.has(word)
        || names.contains(word)
        || word.chars().any(|c| c.is_ascii_digit())
        || word.chars().count() < 3
        || unit_of(word).is_some()
}

/// The words of `claim` that `present` does not account for; a hyphenated word counts when
/// it is not whole in the passage and one of its parts is missing too.
pub(super) fn missing_words(claim: &str, present: impl Fn(&str) -> bool) -> Vec<String> {
    word_forms(claim)
        .into_iter()
        .filter(|w| !present(w) && (!w.contains('-') || w.split('-').any(|p| !p.is_empty() && !present(p))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation() {
        for s in ["Do not drive.", "It doesn't work.", "It can't be crushed.", "No, it is not safe.", "Avoid alcohol."]
        {
            assert!(negated(s), "{s}");
        }
        for s in ["Take it daily.", "Notice any rash.", "It is known to work.", "Does it make you burn in the sun?"] {
            assert!(!negated(s), "{s}");
        }
    }

    #[test]
    fn stems_match_inflections() {
        for (a, b) in [
            ("sedating", "sedation"),
            ("sedative", "sedate"),
            ("drowsy", "drowsiness"),
            ("doses", "dose"),
            ("urination", "urinate"),
            ("lightening", "lighten"),
            ("allergies", "allergy"),
            ("diarrhoea", "diarrhea"),
            ("haemodialysis", "hemodialysis"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        for (a, b) in [("antacrolls", "antacids"), ("doxycetabs", "doxycycline"), ("hypertension", "hypotension")] {
            assert_ne!(stem(a), stem(b), "{a} {b}");
        }
    }
}
