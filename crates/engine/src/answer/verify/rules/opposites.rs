//! No word of the claim is turned into its opposite.
//!
//! Sentence embeddings rate a sentence and its reversal close, and the reversal adds only
//! one word, within what [`super::added_words`] allows: "Black stools from Bismolin are
//! harmful" where the passage says "harmless", "uncommon" for "common".

use super::super::words::{stem, PassageWords};
use super::super::{Claim, Failure};

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let added = claim.fewest_added().map_or(&[][..], |added| added.words.as_slice());
    claim.cited.iter().find_map(|&n| reversed_word(added, &claim.context.words[n - 1])).map(|(said, passage_says)| {
        Failure::unverified(format!("says \"{said}\" where the cited passage says \"{passage_says}\""))
    })
}

/// Pairs of words of opposite meaning that share no affix.
const OPPOSITES: &[(&str, &str)] = &[
    ("increase", "decrease"),
    ("raise", "lower"),
    ("higher", "lower"),
    ("more", "less"),
    ("before", "after"),
    ("start", "stop"),
    ("maximum", "minimum"),
    ("above", "below"),
    ("safe", "unsafe"),
    ("always", "never"),
    ("common", "rare"),
    ("better", "worse"),
    ("early", "late"),
    ("high", "low"),
];

/// The first of `novel` (words the claim adds) whose opposite the passage has, with that
/// opposite: "harmful" where the passage says "harmless", "uncommon" for "common". Sentence
/// embeddings rate a sentence and its reversal close, and the reversal adds only one word.
pub fn reversed_word(novel: &[String], passage: &PassageWords) -> Option<(String, String)> {
    novel.iter().find_map(|word| {
        let mut opposites: Vec<String> = Vec::new();
        for prefix in ["un", "in", "im", "non", "dis"] {
            opposites.push(format!("{prefix}{word}"));
            // Only a remainder long enough to be a word of its own: "unless" is not "un" + "less".
            if let Some(rest) = word.strip_prefix(prefix).filter(|r| r.chars().count() >= 5) {
                opposites.push(rest.to_string());
            }
        }
        for (a, b) in [("less", "ful"), ("ful", "less")] {
            if let Some(base) = word.strip_suffix(a) {
                opposites.push(format!("{base}{b}"));
            }
        }
        for &(a, b) in OPPOSITES {
            if stem(word) == stem(a) {
                opposites.push(b.to_string());
            } else if stem(word) == stem(b) {
                opposites.push(a.to_string());
            }
        }
        opposites.into_iter().find(|o| passage.has(o)).map(|o| (word.clone(), o))
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn opposites_are_found_by_affix_and_by_list() {
        let passage = PassageWords::new("Black stools are harmless and common. Doses increase slowly before meals.");
        let reversed = |w: &str| reversed_word(&[w.to_string()], &passage).map(|(_, o)| o);
        assert_eq!(reversed("harmful").as_deref(), Some("harmless"));
        assert_eq!(reversed("uncommon").as_deref(), Some("common"));
        assert_eq!(reversed("decrease").as_deref(), Some("increase"));
        assert_eq!(reversed("after").as_deref(), Some("before"));
        assert_eq!(reversed("unless"), None);
        assert_eq!(reversed("slowly"), None);
    }

    #[test]
    fn a_supported_claim_with_a_reversed_word_fails() {
        let passage = "Black stools from Bismolin are harmless and go away.";
        let fixture = Fixture::new(vec![source(1, "Bismolin", "FAQs", SectionKind::Faqs, passage)]);
        let reason = fixture.reason("Black stools from Bismolin are harmful and go away [1].", check);
        assert_eq!(reason.as_deref(), Some("says \"harmful\" where the cited passage says \"harmless\""));
        assert_eq!(fixture.reason("Black stools from Bismolin are harmless [1].", check), None);
        // Only the words a supported claim adds are compared.
        let unsupported = Fixture { similarity: 0.2, ..Fixture::new(fixture.sources.clone()) };
        assert_eq!(unsupported.reason("Black stools from Bismolin are harmful and go away [1].", check), None);
    }
}
