//! What kind of answer a question wants: a dose, a missed-dose rule, an interaction line…
//! Found from its wording; the first matching kind in [`CUES`] wins, so the narrower kinds
//! ("missed a dose", "kidney dose") come before the broader ones ("dose").

use serde::Serialize;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    Overdose,
    MissedDose,
    Stopping,
    AppearanceIngredients,
    FoodAlcohol,
    PregnancyBreastfeeding,
    DoseKidneyLiver,
    DoseChild,
    OnsetDuration,
    Storage,
    Dose,
    SeriousWarnings,
    SideEffects,
    Contraindications,
    Interaction,
    Mechanism,
    UsedFor,
    WhatIs,
    /// No cue: the best passages for the wording.
    General,
}

use QuestionType::*;

const DOSE: &[&str] = &[
    "dose",
    "dosage",
    "dosing",
    "how much",
    "how many",
    "how often",
    "times a day",
    "maximum",
    "max ",
    " mg",
    "milligram",
    "start with",
    "start on",
    "inject",
    "units of",
    "crush",
    "split",
    "chew",
    "swallow",
    "cut the",
];

/// Cues matched on the lower-cased question padded with spaces. `(kind, any of, and any of)`:
/// an empty second list needs no second cue.
const CUES: &[(QuestionType, &[&str], &[&str])] = &[
    (
        Overdose,
        &[
            "overdose",
            "too much",
            "too many",
            "double dose",
            "took extra",
            "twice by mistake",
            "injected my",
            "accidentally",
            "poison",
        ],
        &[],
    ),
    (MissedDose, &["missed", "miss a dose", "miss my", "forgot", "forget to", "skipped", "skip a dose"], &[]),
    (
        AppearanceIngredients,
        &[
            "look like",
            "looks like",
            "color",
            "colour",
            "imprint",
            "shape of",
            "ingredient",
            "gluten",
            "lactose",
            "dye",
            "gelatin",
            "pork",
            "mercury",
            "thimerosal",
            "contain",
            "made from",
            "made of",
            "in it?",
            "in it ",
            "vegan",
            "what's in",
            "what is in",
            "paraben",
            "besides the",
        ],
        &[],
    ),
    (
        FoodAlcohol,
        &[
            "alcohol",
            "drink",
            "beer",
            "wine",
            "food",
            " eat",
            "grapefruit",
            "empty stomach",
            "coffee",
            "caffeine",
            "milk",
            "meal",
            "juice",
        ],
        &[],
    ),
    (
        Stopping,
        &[
            "stop taking",
            "stop it",
            "stop my",
            "stop the",
            "stop using",
            " stop ",
            "quit",
            "come off",
            "coming off",
            "cold turkey",
            "taper",
            "wean",
            "all at once",
            "suddenly",
        ],
        &[],
    ),
    (PregnancyBreastfeeding, crate::retrieve::intent::PREGNANCY_CUES, &[]),
    (DoseKidneyLiver, &["kidney", "renal", "liver", "hepatic", "dialysis", "creatinine", "crcl", "egfr"], DOSE),
    (
        DoseChild,
        &[
            "child",
            "kid",
            " son ",
            "son's",
            "daughter",
            "baby",
            "toddler",
            "infant",
            "year old",
            "years old",
            "yr old",
            "pediatric",
            "paediatric",
            "teen",
        ],
        DOSE,
    ),
    (
        OnsetDuration,
        &[
            "how long",
            "how soon",
            "how quickly",
            "how fast",
            "when will",
            "start working",
            "kick in",
            "take effect",
            "start to work",
            "hours does",
            "last?",
            "wear off",
        ],
        &[],
    ),
    (
        Storage,
        &[
            "store",
            "storage",
            "fridge",
            "refrigerat",
            "room temperature",
            "expire",
            "expired",
            "in the car",
            "heat",
            "freez",
            "once you open",
            "after opening",
        ],
        &[],
    ),
    (Dose, DOSE, &[]),
    (
        SeriousWarnings,
        &[
            "dangerous",
            "serious",
            "warning",
            "boxed",
            "black box",
            "fatal",
            "deadly",
            "safe to drive",
            "drive",
            "risk",
            "addictive",
            "addiction",
        ],
        &[],
    ),
    (
        SideEffects,
        &[
            "side effect",
            "side-effect",
            "sideeffect",
            "adverse",
            "make me",
            "make you",
            "made me",
            "cause",
            "causing",
            "hair",
            "weight",
            "sleepy",
            "drowsy",
            "tired",
            "feel",
        ],
        &[],
    ),
    (
        Contraindications,
        &[
            "who should not",
            "who shouldn't",
            "contraindicat",
            "can't take",
            "cannot take",
            "should not take",
            "allergic to",
        ],
        &[],
    ),
    (Interaction, &["interact", "together", "combine", "mix ", "mixing", " with ", " and "], &[]),
    (
        Mechanism,
        &[
            "how does",
            "how do",
            "how it works",
            "mechanism",
            "what does it do",
            "work in the body",
            "why do",
            "why does",
        ],
        &[],
    ),
    (
        UsedFor,
        &[
            "used for",
            "use for",
            "what is it for",
            "what's it for",
            "treat",
            "indicat",
            "good for",
            "help with",
            "prescribed for",
            "for what",
        ],
        &[],
    ),
    (WhatIs, &["what is", "what's", "what are", "tell me about", "information on", "info on"], &[]),
];

/// The kind of answer `question` wants. `drugs` is how many medicines it names: "X with Y"
/// asks about an interaction only when both are medicines.
pub fn detect(question: &str, drugs: usize) -> QuestionType {
    let lower = format!(" {} ", question.to_lowercase().replace('’', "'"));
    for (kind, cues, also) in CUES {
        if *kind == Interaction && drugs < 2 {
            continue;
        }
        // Two medicines in one question ask how they go together, unless the question
        // asks something narrower about them (a missed dose, pregnancy, food).
        if drugs >= 2
            && matches!(kind, Dose | SeriousWarnings | SideEffects | Contraindications | Mechanism | UsedFor | WhatIs)
        {
            continue;
        }
        if cues.iter().any(|c| lower.contains(c)) && (also.is_empty() || also.iter().any(|c| lower.contains(c))) {
            // "How long does it take to work" is about onset, not how it works.
            return *kind;
        }
    }
    if drugs >= 2 {
        return Interaction;
    }
    General
}

impl QuestionType {
    /// Kinds whose answer belongs to one medicine: asked of a class ("a statin", "my
    /// blood thinner") they need to know which one is meant.
    pub fn needs_one_drug(self) -> bool {
        matches!(
            self,
            Dose | DoseChild
                | DoseKidneyLiver
                | MissedDose
                | Storage
                | OnsetDuration
                | General
                | WhatIs
                | UsedFor
                | Overdose
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(detect("How does imiquimod work?", 1), Mechanism);
        assert_eq!(detect("how long does it take to work", 1), OnsetDuration);
        assert_eq!(detect("what's the dose of ibuprofen for kids", 1), DoseChild);
        assert_eq!(detect("gabapentin dose with kidney disease", 1), DoseKidneyLiver);
        assert_eq!(detect("I missed a dose of metformin", 1), MissedDose);
        assert_eq!(detect("can I take naproxen with ramipril?", 2), Interaction);
        assert_eq!(detect("Can I drink alcohol with naproxen?", 1), FoodAlcohol);
        assert_eq!(detect("What does a 10 mg amlodipine pill look like?", 1), AppearanceIngredients);
        assert_eq!(detect("what is imiquimod used for", 1), UsedFor);
        assert_eq!(detect("Aldara side effects", 1), SideEffects);
        assert_eq!(detect("I think I took too much ibuprofen", 1), Overdose);
        assert_eq!(detect("can i stop zoloft cold turkey", 1), Stopping);
        assert_eq!(detect("ibuprofen", 1), General);
        assert_eq!(detect("tylenol and warfarin", 2), Interaction);
        // "Stop eating" is about food; "crush" about how to take it; "what's in" about ingredients.
        assert_eq!(detect("do i have to stop eating salad and spinach on warfarin", 1), FoodAlcohol);
        assert_eq!(detect("can i crush xarelto, my dad can't swallow pills", 1), Dose);
        assert_eq!(
            detect("i react to parabens. what's in aldara cream besides the imiquimod?", 1),
            AppearanceIngredients
        );
    }
}
