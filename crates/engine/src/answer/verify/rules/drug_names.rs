//! Every drug the claim names is one the question is about or the cited passages name.
//!
//! A passage on one drug often mentions others ("do not take with sertraline"), and the
//! model can turn that into a statement about the other drug, or name a drug the sources do
//! not discuss at all; sentence embeddings hardly tell one drug name from another.

use super::super::{Claim, Failure};
use crate::retrieve::ResolvedDrug;

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    foreign_drug(claim.named_drugs(), claim.cited_text(), claim.context.question_drugs).map(Failure::unverified)
}

/// The first of `named` (the drugs the claim names) that neither the question nor the `cited`
/// passages are about.
fn foreign_drug(named: &[ResolvedDrug], cited: &str, question_drugs: &[ResolvedDrug]) -> Option<String> {
    let cited_lower = cited.to_lowercase();
    named
        .iter()
        .find(|d| {
            !question_drugs.iter().any(|q| q.slug == d.slug)
                && !cited_lower.contains(&d.matched)
                && !cited_lower.contains(&d.title.to_lowercase())
        })
        .map(|d| format!("names {}, which neither the question nor the cited passage is about", d.title))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{asked, source, Fixture};
    use super::*;
    use crate::corpus::Drug;
    use crate::retrieve::DrugCatalog;
    use drugchatter_monograph::SectionKind;

    fn drug(title: &str, brand: &str) -> Drug {
        Drug {
            slug: title.to_lowercase(),
            title: title.into(),
            description: String::new(),
            synonyms: vec![brand.into()],
            is_banned: false,
            faqs: vec![],
            library: "bundled".into(),
            source: Default::default(),
            content_hash: String::new(),
            labels: vec![],
            reviewed: false,
            checked_against: vec![],
        }
    }

    #[test]
    fn a_drug_neither_asked_about_nor_cited_fails() {
        let mut fixture = Fixture::new(vec![source(
            1,
            "Calmaxine",
            "Interactions",
            SectionKind::DrugInteractions,
            "Calmaxine raises potassium levels. Do not take it with Serenavil.",
        )]);
        fixture.catalog =
            DrugCatalog::new(&[drug("Calmaxine", "Calmax"), drug("Dyrafen", "Serenavil"), drug("Ostavan", "Ostab")]);
        fixture.question_drugs = vec![asked("Calmaxine")];
        let reason = fixture.reason("Ostavan raises potassium levels [1].", check);
        assert_eq!(reason.as_deref(), Some("names Ostavan, which neither the question nor the cited passage is about"));
        // Named in the passage (by its brand), or asked about.
        assert_eq!(fixture.reason("Do not take Calmaxine with Serenavil [1].", check), None);
        fixture.question_drugs.push(asked("Ostavan"));
        assert_eq!(fixture.reason("Ostavan raises potassium levels [1].", check), None);
    }
}
