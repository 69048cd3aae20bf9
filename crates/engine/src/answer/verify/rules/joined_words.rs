//! No two neighbouring words of the claim are joined from far apart in its passage.
//!
//! Joining words that are apart in the passage changes what it says while keeping its
//! words and its similarity: "Take one tablet on the morning of your usual day" from "…on
//! the morning after you remember, then return to your usual weekly day".

use super::super::words::{stem, RESTATING};
use super::super::{Claim, Failure};
use crate::index::lexical::is_stopword;
use std::collections::{HashMap, HashSet};

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let added = claim.fewest_added()?;
    let passage = &claim.context.sources[added.source - 1].text;
    apart_words(claim.text, passage, claim.names(), claim.context.thresholds.apart).map(|(first, second)| {
        Failure::unverified(format!("joins \"{first}\" and \"{second}\", which are apart in the cited passage"))
    })
}

/// The content words of `text` in order, stemmed, for measuring how far apart they are.
fn content_sequence(text: &str) -> Vec<String> {
    crate::text::words(text)
        .into_iter()
        .filter(|w| w.chars().count() > 1 && !is_stopword(w) && !RESTATING.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// Two neighbouring content words of one stretch of `claim` (see [`crate::answer::Thresholds::apart`])
/// between which `passage` has more than `max_gap` content words that the claim leaves out.
/// Words the passage lacks are skipped (they are [`super::added_words::novel_words`]), and so
/// are `names`, which may stand for the passage's own words ("ibuprofen" for "NSAIDs"). Order
/// may change, and words the claim has elsewhere do not count as left out: "It may make some
/// people drowsy" from "It may cause drowsiness, nausea and diarrhoea in some people" leaves
/// out two.
pub fn apart_words(claim: &str, passage: &str, names: &HashSet<String>, max_gap: usize) -> Option<(String, String)> {
    let sequence = content_sequence(passage);
    let in_claim: HashSet<String> =
        content_sequence(&claim.replace('-', " ")).into_iter().chain(content_sequence(claim)).collect();
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, w) in sequence.iter().enumerate() {
        positions.entry(w).or_default().push(i);
    }
    // The same word twice ("…weeks… weeks…") can sit at one position: nothing between.
    let left_out = |x: usize, y: usize| {
        sequence
            .get(x.min(y) + 1..x.max(y))
            .map_or(0, |between| between.iter().filter(|w| !in_claim.contains(*w)).count())
    };
    let stretches = claim.split([',', ';', ':']).flat_map(|s| {
        s.split(" and ").flat_map(|s| s.split(" or ")).flat_map(|s| s.split(" but ")).collect::<Vec<_>>()
    });
    for stretch in stretches {
        let found: Vec<(String, &Vec<usize>)> = crate::text::words(stretch)
            .into_iter()
            .filter(|w| !names.contains(w))
            .filter_map(|w| content_sequence(&w).pop().and_then(|s| positions.get(s.as_str())).map(|p| (w, p)))
            .collect();
        for pair in found.windows(2) {
            let ((first, a), (second, b)) = (&pair[0], &pair[1]);
            let gap = a.iter().flat_map(|&x| b.iter().map(move |&y| left_out(x, y))).min().unwrap_or(0);
            if gap > max_gap {
                return Some((first.clone(), second.clone()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn apart_words_measure_what_the_claim_leaves_out() {
        let names = HashSet::from(["ostavan".to_string()]);
        let passage = "Take one tablet on the morning after you remember, then return to your usual weekly day.";
        let apart = |claim: &str| apart_words(claim, passage, &names, 2);
        assert_eq!(
            apart("Take one tablet on the morning of your usual day."),
            Some(("morning".into(), "usual".into()))
        );
        assert_eq!(apart("Take one tablet on the morning after you remember."), None);
        // Words the claim states elsewhere, names and repeated words are not left out.
        assert_eq!(apart("Return to your usual day, the morning after you remember."), None);
        assert_eq!(apart("Take Ostavan on the morning after you remember."), None);
        assert_eq!(apart("One tablet, one tablet."), None);
    }

    #[test]
    fn a_supported_claim_joining_words_from_apart_fails() {
        let passage = "Take one tablet on the morning after you remember, then return to your usual weekly day.";
        let fixture = Fixture::new(vec![source(1, "Ostavan", "FAQs", SectionKind::Faqs, passage)]);
        let reason = fixture.reason("Take one tablet on the morning of your usual day [1].", check);
        assert_eq!(reason.as_deref(), Some("joins \"morning\" and \"usual\", which are apart in the cited passage"));
        assert_eq!(fixture.reason("Take one tablet on the morning after you remember [1].", check), None);
    }
}
