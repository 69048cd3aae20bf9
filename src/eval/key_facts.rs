//! Whether a shown sentence holds a gold key fact: the rule of `eval/README.md`, the same
//! as `eval/check_gold.py`'s `holds`, so the figures and the checker agree.

use serde::Deserialize;
use std::collections::HashSet;

/// A monograph line that answers a question (`eval/questions.jsonl`'s `key_facts`; its
/// `drug` says which monograph, which the match does not need).
#[derive(Debug, Clone, Deserialize)]
pub struct KeyFact {
    pub text: String,
}

/// Share of a key fact's content words a sentence must contain.
const THRESHOLD: f64 = 0.7;

/// Words a key-fact match ignores. Negations ("not", "never", "avoid") are content words.
const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before", "being",
    "below", "between", "both", "but", "can", "could", "did", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "her", "here", "hers", "him", "his", "how", "into", "its",
    "itself", "just", "more", "most", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
    "through", "too", "under", "until", "very", "was", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "would", "you", "your", "yours",
];

/// Lower-cased words of 3 or more letters or digits that are not stop words; a comma or
/// point inside a number is dropped ("3,900" is "3900"), other punctuation separates.
pub fn content_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut cleaned = String::with_capacity(lower.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside_number = matches!(c, '.' | ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if inside_number {
            continue;
        }
        cleaned.push(if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { ' ' });
    }
    cleaned.split_whitespace().filter(|w| w.len() >= 3 && !STOP_WORDS.contains(w)).map(str::to_string).collect()
}

/// Whether `sentence` holds `fact`: at least 70% of the fact's content words appear in it.
pub fn holds(sentence: &str, fact: &str) -> bool {
    let want = content_words(fact);
    if want.is_empty() {
        return false;
    }
    let have: HashSet<String> = content_words(sentence).into_iter().collect();
    let found = want.iter().filter(|w| have.contains(*w)).count();
    found as f64 >= THRESHOLD * want.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits_and_short_words_do_not_count() {
        assert_eq!(content_words("Up to 3,900 mg a day, 4.5 hours"), ["3900", "day", "hours"]);
        assert_eq!(content_words("Do NOT take it with food."), ["not", "take", "food"]);
    }

    #[test]
    fn a_sentence_holds_a_fact_when_most_of_its_words_are_there() {
        let fact =
            "ACE inhibitors, angiotensin receptor blockers, beta-blockers, diuretics: weaker blood-pressure control";
        assert!(holds("With ACE inhibitors, angiotensin receptor blockers, beta-blockers or diuretics, naproxen gives weaker blood-pressure control.", fact));
        assert!(!holds("Naproxen may cause heartburn and nausea.", fact));
        assert!(!holds("anything", ""));
    }
}
