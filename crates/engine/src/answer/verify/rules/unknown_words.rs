//! Every word of the claim is in the cited passages (allowing for inflection and spelling),
//! a common English word, a name, a number or a unit.
//!
//! Sentence embeddings read a garbled or invented term as its near neighbour: "Keep
//! antacrolls, calcium… away from your dose" is 0.96 similar to the passage's "Keep antacids,
//! calcium…", and "…dopamine, histamine or NMDA receptors" adds a receptor the passage never
//! names.

use super::super::words::{accounted_for, missing_words, stem, PassageWords};
use super::super::{Claim, Failure};
use std::collections::HashSet;

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let passage = PassageWords::new(claim.cited_text());
    unknown_word(claim.text, &passage, claim.names(), claim.context.knows_word)
        .map(|w| Failure::unverified(format!("\"{w}\" is neither in the cited passage nor a common word")))
}

/// The first word of `claim` that is neither in `passage` (allowing for inflection and
/// spelling), nor a common English word (`known`), nor one of `names` (drug names, see
/// `Claim::names`), nor a number or unit. Sentence embeddings read a garbled or
/// invented term as its near neighbour: "Keep antacrolls, calcium… away from your dose" is
/// 0.96 similar to the passage's "Keep antacids, calcium…".
pub fn unknown_word(
    claim: &str,
    passage: &PassageWords,
    names: &HashSet<String>,
    known: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let present =
        |w: &str| accounted_for(w, passage, names) || known(w) || known(&stem(w)) || known(&format!("{}e", stem(w)));
    missing_words(claim, present).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    /// A stand-in for the embedder's vocabulary.
    const COMMON: &[&str] = &[
        "keep", "calcium", "iron", "away", "from", "your", "dose", "at", "least", "hours", "it", "does", "not", "make",
        "you", "may", "cause", "in", "some", "people", "and", "the", "a", "with", "take",
    ];

    #[test]
    fn unknown_words_are_found() {
        let known = |w: &str| COMMON.contains(&w);
        let passage = "Keep antacids, calcium and iron at least 2 hours away from your doxycycline dose. It may \
                       cause drowsiness and diarrhoea. Toll-like receptor 7.";
        let names: HashSet<String> = ["tetracyn".to_string()].into();
        let passage = PassageWords::new(passage);
        let unknown = |claim: &str| unknown_word(claim, &passage, &names, &known);
        assert_eq!(unknown("Keep antacrolls, calcium and iron away from your dose.").as_deref(), Some("antacrolls"));
        assert_eq!(unknown("It may cause NMDA drowsiness.").as_deref(), Some("nmda"));
        assert_eq!(unknown("Keep antacids 2 hours away from your doxycycline dose."), None);
        // Inflections, the other spelling, contractions, numbers and units, hyphenated words
        // and the names of the drugs asked about.
        assert_eq!(unknown("It may make you drowsy and cause diarrhea."), None);
        assert_eq!(unknown("It doesn't cause drowsiness in 250 mg doses."), None);
        assert_eq!(unknown("Take Tetracyn with toll-like receptor 7."), None);
        assert_eq!(unknown("Take it with toll-free receptor 7.").as_deref(), Some("toll-free"));
    }

    #[test]
    fn words_may_come_from_any_cited_passage_and_the_sources_labels() {
        let mut fixture = Fixture::new(vec![
            source(1, "Doxycycline", "Interactions", SectionKind::DrugInteractions, "Keep antacids away."),
            source(2, "Doxycycline", "Side Effects", SectionKind::SideEffects, "It may cause drowsiness."),
        ]);
        fixture.known = |w| COMMON.contains(&w);
        let reason = fixture.reason("Keep antacrolls away [1].", check);
        assert_eq!(reason.as_deref(), Some("\"antacrolls\" is neither in the cited passage nor a common word"));
        assert_eq!(fixture.reason("Keep antacids away, it may cause drowsiness [1][2].", check), None);
        assert!(fixture.reason("Keep antacids away, it may cause drowsiness [1].", check).is_some());
        assert_eq!(fixture.reason("Doxycycline (Side Effects) may cause drowsiness [2].", check), None);
    }
}
