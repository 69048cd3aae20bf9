//! The numbers of each part of the claim appear together in one sentence of the cited
//! passages.
//!
//! A passage that lists several products' schedules has every number of a claim that mixes
//! them: "2 doses of Heplisav-B at 0, 1 and 6 months" takes "2 doses" from one product's line
//! and "0, 1 and 6 months" from another's, and [`super::stated_numbers`] finds each of them.

use super::super::clauses::parts;
use super::super::{Claim, Failure};
use crate::answer::numbers::{quantities, supported, Quantity};

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    numbers_apart(claim.text, claim.cited_sentences()).map(Failure::unverified)
}

/// The quantities of each part of the claim (see [`parts`]) must appear together in one
/// sentence of the cited passages: "2 doses of Heplisav-B at 0, 1 and 6 months" takes its
/// numbers from two products' schedules, each of which is in the passage.
pub fn numbers_apart<'s>(claim: &str, cited_sentences: impl Iterator<Item = &'s str>) -> Option<String> {
    let available: Vec<Vec<Quantity>> = cited_sentences.map(quantities).collect();
    parts(claim).into_iter().find_map(|part| {
        let wanted = quantities(part);
        let together =
            wanted.is_empty() || available.iter().any(|sentence| wanted.iter().all(|q| supported(q, sentence)));
        (!together).then(|| {
            let listed: Vec<String> = wanted
                .iter()
                .map(|q| format!("\"{}\"", q.text.trim_matches(|c: char| !c.is_alphanumeric() && c != '%')))
                .collect();
            format!("{} do not appear together in one sentence of the cited passage", listed.join(", "))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn numbers_must_appear_together_in_one_sentence() {
        let passage = [
            "Vaxirex (20 years and older): 20 mcg at 0, 1 and 6 months.",
            "Immunova: 20 mcg at 0 and 1 month (2 doses).",
        ];
        let apart = |claim: &str| numbers_apart(claim, passage.iter().copied());
        assert!(apart("Immunova is 2 doses at 0, 1 and 6 months.").is_some());
        assert!(apart("Immunova is 2 doses at 0 and 1 month.").is_none());
        assert!(apart("Vaxirex is 20 mcg at 0, 1 and 6 months.").is_none());
        // Each clause may take its numbers from its own sentence.
        assert!(apart("Vaxirex is given at 0, 1 and 6 months; Immunova is 2 doses.").is_none());
        assert!(apart("It has no numbers.").is_none());
    }

    #[test]
    fn the_sentences_of_every_cited_passage_count() {
        let fixture = Fixture::new(vec![
            source(1, "Vaxirex", "Dosage", SectionKind::Dosage, "Vaxirex: 20 mcg at 0, 1 and 6 months."),
            source(2, "Immunova", "Dosage", SectionKind::Dosage, "Immunova: 20 mcg at 0 and 1 month (2 doses)."),
        ]);
        let reason = fixture.reason("It is 2 doses at 0, 1 and 6 months [1][2].", check).unwrap();
        assert!(reason.ends_with("do not appear together in one sentence of the cited passage"), "{reason}");
        assert_eq!(fixture.reason("Immunova is 2 doses at 0 and 1 month [1][2].", check), None);
        assert!(fixture.reason("Immunova is 2 doses at 0 and 1 month [1].", check).is_some());
    }
}
