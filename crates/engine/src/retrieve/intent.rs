//! What part of a monograph a question asks about, from its wording.

use drugchatter_monograph::SectionKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Dosage,
    PregnancyBreastfeeding,
    SideEffects,
    Interactions,
    Mechanism,
    MissedDose,
    Contraindications,
    Usage,
    Storage,
    Overdose,
}

impl Intent {
    /// Whether a chunk of this section, with this text, answers the intent.
    pub fn matches(self, kind: SectionKind, text: &str) -> bool {
        let faq_about = |needles: &[&str]| {
            kind == SectionKind::Faqs && {
                let lower = text.to_lowercase();
                let question = lower.lines().next().unwrap_or("");
                needles.iter().any(|n| question.contains(n))
            }
        };
        match self {
            Intent::Dosage => kind == SectionKind::Dosage,
            Intent::PregnancyBreastfeeding => kind == SectionKind::PregnancyBreastfeeding,
            Intent::SideEffects => kind == SectionKind::SideEffects,
            Intent::Interactions => kind == SectionKind::DrugInteractions,
            Intent::Mechanism => kind == SectionKind::HowItWorks,
            Intent::MissedDose => faq_about(&["miss", "forget", "forgot"]),
            Intent::Contraindications => kind == SectionKind::Contraindications,
            Intent::Usage => kind == SectionKind::Usage,
            Intent::Storage => kind == SectionKind::Storage || faq_about(&["store", "storage"]),
            Intent::Overdose => kind == SectionKind::Overdosage || faq_about(&["too much", "overdose", "too many"]),
        }
    }
}

/// How questions ask about pregnancy and breastfeeding (also a question kind's cues).
pub(crate) const PREGNANCY_CUES: &[&str] = &[
    "pregnan",
    "breastfeed",
    "breast-feed",
    "breast feed",
    // "Nursing" is about breastfeeding only with a baby, not in "nursing home".
    "while nursing",
    "am nursing",
    "i'm nursing",
    "im nursing",
    "nursing mother",
    "nursing my",
    "nursing a baby",
    "nursing baby",
    "lactat",
    "breast milk",
    "conceive",
    "morning sickness",
    "expecting a baby",
    "trying for a baby",
];

/// Keyword cues, matched against the lower-cased question.
const CUES: &[(Intent, &[&str])] = &[
    (Intent::MissedDose, &["missed", "miss a dose", "miss my", "forgot", "forget to", "skipped a dose", "skip a dose"]),
    (Intent::Overdose, &["overdose", "too much", "too many", "double dose", "took extra", "poison"]),
    (
        Intent::Dosage,
        &[
            "dose",
            "dosage",
            "dosing",
            "how much",
            "how often",
            "how many",
            "times a day",
            "maximum",
            "max ",
            " mg",
            "milligram",
        ],
    ),
    (Intent::PregnancyBreastfeeding, PREGNANCY_CUES),
    (Intent::SideEffects, &["side effect", "side-effect", "sideeffect", "adverse", "make me feel", "cause"]),
    (Intent::Interactions, &["interact", "together", "combine", "mix ", "mixing", "alcohol", "drink", "grapefruit"]),
    (Intent::Mechanism, &["how does", "how do", "how it works", "mechanism", "what does it do", "work in the body"]),
    (
        Intent::Contraindications,
        &["who should not", "who shouldn't", "contraindicat", "can't take", "cannot take", "not take"],
    ),
    (Intent::Usage, &["used for", "use for", "what is it for", "treat", "indicat", "good for"]),
    (Intent::Storage, &["store", "storage", "fridge", "refrigerat", "room temperature", "expire"]),
];

/// The intents a question shows. `drug_count` is how many drugs it names: "X with Y" asks
/// about an interaction only when X and Y are both drugs.
pub fn detect(question: &str, drug_count: usize) -> Vec<Intent> {
    let lower = format!("{} ", question.to_lowercase());
    let mut intents: Vec<Intent> = Vec::new();
    for (intent, cues) in CUES {
        if cues.iter().any(|c| lower.contains(c)) && !intents.contains(intent) {
            intents.push(*intent);
        }
    }
    if drug_count >= 2 && !intents.contains(&Intent::Interactions) {
        intents.push(Intent::Interactions);
    }
    // "How does it work" is about mechanism; "how long does it take to work" is not.
    if intents.contains(&Intent::Mechanism) && lower.contains("how long") {
        intents.retain(|i| *i != Intent::Mechanism);
    }
    // A missed dose is asked with the word "dose" but is not a dosing question.
    if intents.contains(&Intent::MissedDose) || intents.contains(&Intent::Overdose) {
        intents.retain(|i| *i != Intent::Dosage);
    }
    intents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues() {
        assert_eq!(detect("How does imiquimod work?", 1), [Intent::Mechanism]);
        assert_eq!(detect("what's the dose of ibuprofen for kids", 1), [Intent::Dosage]);
        assert_eq!(detect("Can I use imiquimod while breastfeeding?", 1), [Intent::PregnancyBreastfeeding]);
        assert_eq!(detect("Aldara side effects", 1), [Intent::SideEffects]);
        assert_eq!(detect("can I take ibuprofen with lisinopril?", 2), [Intent::Interactions]);
        assert_eq!(detect("I missed a dose of metformin", 1), [Intent::MissedDose]);
        assert_eq!(detect("how long does it take to work", 1), Vec::<Intent>::new());
    }
}
