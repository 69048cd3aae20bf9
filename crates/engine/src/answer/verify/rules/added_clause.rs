//! Each clause the claim adds (", which…", ", but…", ", especially…", "; …") is in the
//! cited sentence the whole is most similar to, or around it.
//!
//! A sentence copied from the source with an invented clause appended stays similar as a
//! whole: "…black bismuth sulfide, which can be fatal" where the passage says it is
//! harmless, "…toll-like receptor 7, which also lowers blood pressure".

use super::super::clauses::clauses;
use super::super::words::word_overlap;
use super::super::{Claim, Failure};
use crate::index::lexical::terms;

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let support = claim.support();
    let least = claim.context.thresholds.clause_overlap;
    let clause = support.supported().then(|| unsupported_clause(claim.text, &support.windows, least)).flatten();
    clause.map(|clause| Failure::unverified(format!("\"{}\" is not in the cited passage", clause.trim())))
}

/// The first clause of `claim` (see [`clauses`]) with content words that has less than
/// `least` word overlap with each of `windows` (the best cited sentences and their neighbours).
fn unsupported_clause<'c>(claim: &'c str, windows: &[String], least: f32) -> Option<&'c str> {
    clauses(claim).into_iter().find(|c| !terms(c).is_empty() && windows.iter().all(|w| word_overlap(c, w) < least))
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn a_clause_from_nowhere_near_the_copied_sentence_fails() {
        let passage = "Bismolin forms black bismuth sulfide, which is harmless. It can cause mild constipation.\n\
                       Stop it if your ears ring. Children recovering from flu should not take it.";
        let fixture = Fixture::new(vec![source(1, "Bismolin", "FAQs", SectionKind::Faqs, passage)]);
        let reason = fixture.reason("Bismolin forms black bismuth sulfide, which can be fatal [1].", check);
        assert_eq!(reason.as_deref(), Some("\"which can be fatal.\" is not in the cited passage"));
        assert_eq!(fixture.reason("Bismolin forms black bismuth sulfide, which is harmless [1].", check), None);
        // From the sentence after: a neighbour.
        assert_eq!(fixture.reason("Bismolin forms bismuth sulfide, but it can cause constipation [1].", check), None);
        // From elsewhere in the passage.
        let reason =
            fixture.reason("Bismolin forms black bismuth sulfide, especially in children with flu [1].", check);
        assert_eq!(reason.as_deref(), Some("\"especially in children with flu.\" is not in the cited passage"));
    }

    #[test]
    fn a_clause_without_content_words_is_not_checked() {
        assert_eq!(unsupported_clause("It is black, and it is.", &["It forms a black salt.".into()], 0.5), None);
        assert_eq!(
            unsupported_clause("It is black, which is odd.", &["It forms a black salt.".into()], 0.5),
            Some(" which is odd.")
        );
    }
}
