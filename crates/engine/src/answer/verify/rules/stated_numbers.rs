//! Every number the claim states appears in the cited passages, with the same unit.
//!
//! Sentence embeddings barely see numbers: "apply it 7 times per week for 6 weeks" is as
//! similar to the passage's "5 times per week for 6 weeks" as a faithful copy, and a wrong
//! dose is the worst thing the answer could show.

use super::super::{Claim, Failure};
use crate::answer::numbers::{quantities, supported};

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    unsupported_number(claim.text, claim.cited_text()).map(Failure::unverified)
}

fn unsupported_number(claim: &str, cited: &str) -> Option<String> {
    let available = quantities(cited);
    quantities(claim)
        .into_iter()
        .find(|q| !supported(q, &available))
        .map(|q| format!("\"{}\" does not appear in the cited passage", q.text))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn a_number_the_cited_passages_lack_fails() {
        let fixture = Fixture::new(vec![
            source(1, "Imiquimod", "Dosage", SectionKind::Dosage, "Apply 5 times per week for 6 weeks."),
            source(2, "Imiquimod", "Dosage", SectionKind::Dosage, "Apply twice a week for 16 weeks."),
        ]);
        let reason = fixture.reason("Apply it 7 times per week for 6 weeks [1].", check).unwrap();
        assert!(reason.contains("7 times") && reason.ends_with("does not appear in the cited passage"), "{reason}");
        assert!(fixture.reason("Apply it for 16 weeks [1].", check).is_some());
        assert_eq!(fixture.reason("Apply it for 16 weeks [1][2].", check), None);
        assert_eq!(fixture.reason("Apply it 5 times per week [1].", check), None);
    }
}
