//! No bare "Yes" or "No" copied from an FAQ.
//!
//! A copied answer answers the FAQ's question, which may be put the other way round from
//! the user's: "No, not until you know how it affects you" answers "Can I drive?", and reads
//! as the opposite to someone asking "…drowsy enough that I shouldn't drive?". The quoting
//! fallback shows such an answer with its question instead.

use super::super::{Claim, Failure};

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    answers_yes_or_no(claim.text)
        .then(|| Failure::unverified("answers yes or no, which its passage said to another question".into()))
}

/// A leading bare "Yes," or "No.": copied from an FAQ, it answers the FAQ's question, which
/// may be put the other way round from the user's ("Can I drive?" against "…drowsy enough
/// that I shouldn't drive?"). "No more than 4 g a day" is a statement, not an answer.
pub fn answers_yes_or_no(sentence: &str) -> bool {
    let trimmed = sentence.trim_start();
    let first: String = trimmed.chars().take_while(|c| c.is_alphabetic()).collect();
    let after = trimmed[first.len()..].chars().next();
    matches!(first.to_lowercase().as_str(), "yes" | "no") && matches!(after, Some(',' | '.' | ';' | ':' | '!') | None)
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    #[test]
    fn yes_or_no_answers_are_told_from_statements() {
        assert!(answers_yes_or_no("No, not until you know how it affects you."));
        assert!(answers_yes_or_no("Yes. Take it with food."));
        assert!(answers_yes_or_no("yes"));
        assert!(!answers_yes_or_no("No more than 4 g a day."));
        assert!(!answers_yes_or_no("Nobody should take two doses."));
        assert!(!answers_yes_or_no("Yesterday's dose counts."));
    }

    #[test]
    fn a_copied_no_fails() {
        let faq = "Q: Can I drive after taking Calmaxine?\nA: No, not until you know how it affects you.";
        let fixture = Fixture::new(vec![source(1, "Calmaxine", "FAQs", SectionKind::Faqs, faq)]);
        let reason = fixture.reason("No, not until you know how it affects you [1].", check);
        assert_eq!(reason.as_deref(), Some("answers yes or no, which its passage said to another question"));
        assert_eq!(fixture.reason("Not until you know how it affects you [1].", check), None);
    }
}
