//! A claim cites at least one source, and only sources that exist.
//!
//! Every other rule compares the claim with the passages it cites: a sentence that cites
//! none ("Imiquimod activates the immune system.") or cites `[7]` of three sources cannot be
//! checked, however true it sounds, so it is never shown as fact.

use super::super::{Claim, Failure};
use crate::answer::SentenceStatus;

pub fn cites_a_source(claim: &Claim<'_>) -> Option<Failure> {
    claim.citations.is_empty().then(|| Failure { status: SentenceStatus::Uncited, reason: "cites no source".into() })
}

pub fn cites_sources_that_exist(claim: &Claim<'_>) -> Option<Failure> {
    let sources = claim.context.sources.len();
    (claim.cited.len() != claim.citations.len())
        .then(|| Failure::unverified(format!("cites a source that does not exist (there are {sources})")))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn a_claim_must_cite_sources_that_exist() {
        let fixture = Fixture::new(vec![
            source(1, "Imiquimod", "Storage", SectionKind::Storage, "Store the cream at room temperature."),
            source(2, "Imiquimod", "Dosage", SectionKind::Dosage, "Apply it at night."),
        ]);
        assert_eq!(fixture.reason("Store it at room temperature.", cites_a_source).as_deref(), Some("cites no source"));
        assert_eq!(fixture.reason("Store it at room temperature [1].", cites_a_source), None);
        for claim in ["Store it at room temperature [3].", "Store it cold [1, 7].", "Store it cold [0]."] {
            let reason = fixture.reason(claim, cites_sources_that_exist);
            assert_eq!(reason.as_deref(), Some("cites a source that does not exist (there are 2)"), "{claim}");
        }
        assert_eq!(fixture.reason("Store it at room temperature [1, 2].", cites_sources_that_exist), None);
        let uncited = fixture.judge("Store it at room temperature.");
        assert_eq!(uncited.status, SentenceStatus::Uncited);
    }
}
