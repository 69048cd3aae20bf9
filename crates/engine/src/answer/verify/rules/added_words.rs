//! A supported claim adds at most a couple of content words to its passage.
//!
//! The 135M model's correct sentences are near-copies that change a word or two ("turning
//! on" for "switches on"); its unsupported ones that pass every other check add a whole
//! thought in common words: "…, it may be a sign of an underlying condition", "…diarrhoea
//! caused by gas" where the passage has "diarrhoea with gas". The words are counted against
//! the supporting passage to which the claim adds the fewest, which [`super::opposites`] and
//! [`super::joined_words`] also compare it with.

use super::super::words::{accounted_for, missing_words, PassageWords, RESTATING};
use super::super::{Claim, Failure};
use crate::index::lexical::is_stopword;
use std::collections::HashSet;

/// The words a claim adds to one of its supporting passages.
pub struct Added {
    /// See [`novel_words`].
    pub words: Vec<String>,
    /// The source they are missing from.
    pub source: usize,
}

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let added = claim.fewest_added()?;
    (added.words.len() > claim.context.thresholds.novel_words)
        .then(|| Failure::unverified(format!("adds words the cited passage does not have: {}", added.words.join(", "))))
}

/// Of the cited passages that support `claim` (see [`super::support`]), the first of those to
/// which it adds the fewest words, with those words; none when no cited passage supports it.
pub fn fewest(claim: &Claim<'_>) -> Option<Added> {
    let mut fewest: Option<Added> = None;
    for &n in &claim.support().supporting {
        let words = novel_words(claim.text, &claim.context.words[n - 1], claim.names());
        if fewest.as_ref().is_none_or(|f| words.len() < f.words.len()) {
            fewest = Some(Added { words, source: n });
        }
    }
    fewest
}

/// The content words of `claim` (not stop words nor [`RESTATING`]) that `passage` lacks,
/// each once, in order: what the sentence adds to its source (see
/// [`crate::answer::Thresholds::novel_words`]).
pub fn novel_words(claim: &str, passage: &PassageWords, names: &HashSet<String>) -> Vec<String> {
    let mut novel =
        missing_words(claim, |w| accounted_for(w, passage, names) || is_stopword(w) || RESTATING.contains(&w));
    let mut seen = HashSet::new();
    novel.retain(|w| seen.insert(w.clone()));
    novel
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn added_words_are_counted_once_without_names_numbers_and_restating_words() {
        let passage = PassageWords::new("Dyrafen is combined with simethicone for diarrhoea with gas.");
        let names = HashSet::from(["dyrafen".to_string()]);
        let novel = |claim: &str| novel_words(claim, &passage, &names);
        assert_eq!(
            novel("Dyrafen is sometimes combined with simethicone for diarrhea caused by gas and gas."),
            ["sometimes", "caused"]
        );
        assert!(novel("Dyrafen may also be used with simethicone in 2 products.").contains(&"products".to_string()));
        assert_eq!(novel("Dyrafen may also be used with simethicone for gas."), Vec::<String>::new());
    }

    #[test]
    fn more_than_two_added_words_fail_against_the_closest_supporting_passage() {
        let fixture = Fixture::new(vec![
            source(1, "Dyrafen", "FAQs", SectionKind::Faqs, "Dyrafen is combined with simethicone for gas."),
            source(
                2,
                "Dyrafen",
                "Uses",
                SectionKind::Faqs,
                "Dyrafen is combined with simethicone for diarrhoea with gas.",
            ),
        ]);
        let claim = "Dyrafen is sometimes combined with simethicone for treating diarrhoea caused by gas";
        let reason = fixture.reason(&format!("{claim} [1][2]."), check);
        assert_eq!(reason.as_deref(), Some("adds words the cited passage does not have: sometimes, treating, caused"));
        assert_eq!(fixture.reason("Dyrafen is combined with simethicone for treating diarrhoea [1][2].", check), None);
        let fewest = |claim: &str| fixture.with_claim(claim, |c| c.fewest_added().map(|a| (a.source, a.words.len())));
        assert_eq!(fewest("Dyrafen is combined with simethicone for diarrhoea [1][2]."), Some((2, 0)));
        assert_eq!(fewest("Dyrafen is combined with simethicone for gas [1][2]."), Some((1, 0)));
    }
}
