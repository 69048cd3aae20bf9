//! Notices every answer may carry: emergencies first, banned drugs, and the research-preview
//! disclaimer of the DrugChatter answer page. The engine decides which; clients word them.

use super::Notice;
use crate::retrieve::ResolvedDrug;

/// Cues of an overdose, a poisoning or a severe allergic reaction, matched on the lower-cased question.
const EMERGENCY_CUES: &[&str] = &[
    "overdose",
    "overdosed",
    "too much",
    "too many",
    "took extra",
    "double dose",
    "doubled my dose",
    "extra dose",
    "twice by mistake",
    "by mistake",
    "accidentally took",
    "accidentally gave",
    "took it twice",
    "took two doses",
    "took 2 doses",
    "toxicity",
    "poison",
    "swallowed",
    "ate some",
    "ate a",
    "anaphyla",
    "allergic reaction",
    "can't breathe",
    "cannot breathe",
    "trouble breathing",
    "difficulty breathing",
    "throat is closing",
    "throat closing",
    "throat tight",
    "throat swelling",
    "swollen throat",
    "lips swelling",
    "lips are swelling",
    "face swelling",
    "tongue swelling",
    "passed out",
    "unconscious",
    "unresponsive",
    "not breathing",
    "seizure",
    "kill myself",
    "suicid",
    "end my life",
];

pub fn is_emergency(question: &str) -> bool {
    let lower = question.to_lowercase().replace('’', "'");
    EMERGENCY_CUES.iter().any(|cue| lower.contains(cue))
}

/// The notices for a question about `drugs`, emergency first, disclaimer last.
pub fn notices(question: &str, drugs: &[ResolvedDrug]) -> Vec<Notice> {
    let mut notices = Vec::new();
    if is_emergency(question) {
        notices.push(Notice::Emergency);
    }
    for drug in drugs.iter().filter(|d| d.is_banned) {
        notices.push(Notice::Banned { drug: drug.title.clone() });
    }
    notices.push(Notice::Disclaimer);
    notices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergencies() {
        assert!(is_emergency("My son swallowed a bottle of Tylenol"));
        assert!(is_emergency("I think I took too much ibuprofen"));
        assert!(is_emergency("throat tight after amoxicillin"));
        assert!(is_emergency("My grandmother took her digoxin twice today by mistake and sees yellow halos"));
        assert!(is_emergency("signs of lithium toxicity"));
        assert!(!is_emergency("I missed a dose of warfarin"));
        assert!(!is_emergency("How does imiquimod work?"));
        assert!(!is_emergency("what is the dose of metformin"));
    }
}
