//! A claim opening on "It" or "This" is copied from a passage on the drug asked about.
//!
//! Such a sentence reads as being about the first drug asked about; copied from a passage
//! on another drug ("It also blocks aldosterone…" from the spironolactone passage, to a
//! question about lisinopril), it says the wrong thing of it, and its words all match.

use super::super::{Claim, Failure};
use crate::answer::Source;
use crate::retrieve::ResolvedDrug;

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    misread_pronoun(claim.text, claim.cited_sources(), claim.context.question_drugs).map(Failure::unverified)
}

/// A sentence opening on "It" or "This" reads as being about the first drug asked about;
/// copied from a passage on another drug ("It also blocks aldosterone…" from the
/// spironolactone passage, to a question about lisinopril), it says the wrong thing.
pub fn misread_pronoun<'s>(
    claim: &str,
    cited: impl Iterator<Item = &'s Source>,
    question_drugs: &[ResolvedDrug],
) -> Option<String> {
    let first: String = claim.split_whitespace().next()?.chars().filter(|c| c.is_alphabetic()).collect();
    let first = first.to_lowercase();
    let asked = question_drugs.first()?;
    let opens_on_pronoun = matches!(first.as_str(), "it" | "its" | "this" | "they" | "theyre" | "these");
    cited.filter(|_| opens_on_pronoun).find(|s| s.drug_slug != asked.slug).map(|s| {
        format!("opens on \"{first}\", which would read as {}, but the cited passage is about {}", asked.title, s.drug)
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{asked, source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn a_pronoun_from_another_drugs_passage_fails() {
        let mut fixture = Fixture::new(vec![
            source(1, "Calmaxine", "Interactions", SectionKind::DrugInteractions, "Calmaxine raises potassium levels."),
            source(2, "Dyrafen", "How It Works", SectionKind::HowItWorks, "It also blocks aldosterone in the kidney."),
        ]);
        fixture.question_drugs = vec![asked("Calmaxine"), asked("Dyrafen")];
        let reason = fixture.reason("It also blocks aldosterone in the kidney [2].", check);
        assert_eq!(
            reason.as_deref(),
            Some("opens on \"it\", which would read as Calmaxine, but the cited passage is about Dyrafen")
        );
        assert_eq!(fixture.reason("Dyrafen also blocks aldosterone in the kidney [2].", check), None);
        assert_eq!(fixture.reason("It raises potassium levels [1].", check), None);
        fixture.question_drugs = vec![asked("Dyrafen")];
        assert_eq!(fixture.reason("It also blocks aldosterone in the kidney [2].", check), None);
        // A question about no drug: nothing to misread it as.
        fixture.question_drugs.clear();
        assert_eq!(fixture.reason("It also blocks aldosterone in the kidney [2].", check), None);
    }
}
