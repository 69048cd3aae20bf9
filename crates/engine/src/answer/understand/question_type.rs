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
    "take 2",
    "take two",
    "take 3",
    "take three",
    "take another",
    "before or after",
    "shots do",
    "doses do",
];

/// With a child's age, these ask what a child may take: a dose, or whether at all.
const CHILD_ASKS: &[&str] =
    &["dose", "dosage", "dosing", "how much", "how many", "how often", "mg", "safe", "have", "give", "okay", " ok"];

/// Words that ask how two medicines go together.
const COMBINE: &[&str] = &[
    "interact",
    "together",
    "combine",
    "mix ",
    "mixing",
    " with ",
    "affect",
    "while on",
    "while taking",
    "at the same time",
    "same day",
    "can i take",
    "can i use",
    "can i have",
    "ok to take",
    "safe to take",
];

/// Words that ask about moving from one medicine or form to another: never how they go
/// together, even with "start with".
pub(crate) const SWITCHING: &[&str] =
    &["switch", "changing me", "changing from", "change me", "going from", "moving from", "instead of"];

/// Words that compare medicines rather than ask how they go together.
const COMPARE: &[&str] = &[
    " or ",
    "which",
    " vs",
    "versus",
    "better",
    "compare",
    "difference",
    "instead of",
    "same as",
    "same thing",
    " like ",
    "such as",
];

/// Whether `lower` asks how medicines go together in words that cannot just list them
/// ("like Lipitor and Zocor" lists examples).
pub(super) fn names_combining(lower: &str) -> bool {
    let padded = format!(" {lower} ");
    COMBINE.iter().any(|c| padded.contains(c))
}

/// Whether `lower` (a lower-cased question) asks how medicines go together.
pub(super) fn asks_how_they_combine(lower: &str) -> bool {
    // "Tylenol and warfarin?" asks about the pair; in a long story "and" joins anything.
    let short = lower.split_whitespace().count() <= 15;
    names_combining(lower) || short && format!(" {lower} ").contains(" and ")
}

/// Verbs of "how does X <verb>…" and "what does X do" that ask how a medicine works:
/// "how does ozempic make you lose weight", "how does finasteride stop hair loss".
const MECHANISM_VERBS: &[&str] = &[
    "work", "works", "help", "helps", "stop", "reverse", "make", "lower", "reduce", "prevent", "block", "act", "kill",
    "fight", "relieve", "do", "cause", "raise", "protect", "thin", "control",
];

/// "How does/do X <verb>", "what does X do", "why does/do X <verb>": the question asks how
/// a medicine works, whatever the verb's object ("stop hair loss" is not stopping the drug).
fn asks_how_it_works(lower: &str) -> bool {
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    words.windows(2).enumerate().any(|(i, pair)| {
        let opener = matches!(pair, ["how", "does" | "do" | "can"] | ["what", "does"] | ["why", "does" | "do"]);
        // "How do I take it" and "how do you stop it" ask what to do, not how it works.
        let asks_doing = words.get(i + 2).is_some_and(|w| matches!(*w, "i" | "you" | "we" | "my"));
        opener
            && !asks_doing
            && words.iter().skip(i + 3).take(4).any(|w| MECHANISM_VERBS.contains(w))
            && !words
                .iter()
                .any(|w| matches!(*w, "long" | "much" | "many" | "often" | "soon" | "store" | "quickly" | "feel"))
    })
}

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
            "swallowed",
            "ate some",
            "drank some",
            "got into",
            "ingested",
        ],
        &[],
    ),
    // A severe allergic reaction asks what the warning signs mean and what to do now.
    (
        SeriousWarnings,
        &[
            "anaphyla",
            "allergic reaction",
            "can't breathe",
            "trouble breathing",
            "throat feels tight",
            "throat tight",
            "throat is closing",
            "face is swelling",
            "face swelling",
            "lips swelling",
            "lips are swelling",
            "tongue swelling",
        ],
        &[],
    ),
    // "What are the symptoms of serotonin syndrome on sertraline" asks for the warning
    // signs, not what the medicine is.
    (
        SeriousWarnings,
        &["symptoms of", "signs of", "symptoms if", "signs if", "how do i know if", "how will i know if"],
        &["syndrome", "toxicity", "too high", "too low", "poisoning", "reaction", "bleeding", "damage", "problem"],
    ),
    (
        MissedDose,
        &[
            "missed",
            "miss a dose",
            "miss my",
            "misses",
            "miss the",
            "miss a",
            "missing a",
            "forgot",
            "forget to",
            "skipped",
            "skip a dose",
        ],
        &[],
    ),
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
            // "Found a round blue pill with M 30 on it" asks what a tablet looks like.
            " found a ",
            // Whole words: "around 40" is not a round tablet.
            " round ",
            " oval ",
            "pill that says",
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
            "once i open",
            "after opening",
            "once opened",
            "after i open",
            "good for after",
            "good for once",
            "is it good for",
            "where should i keep",
            "where do i keep",
            "where to keep",
        ],
        &[],
    ),
    // "How long does Imodium take to stop diarrhoea" asks how soon it works, not about
    // stopping it.
    (OnsetDuration, &[" take to ", " takes to "], &["how long", "how soon", "how quickly", "how fast"]),
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
            "get off",
            "getting off",
            "go off",
            "going off",
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
    // "My eGFR came back at 38. Can I keep taking metformin?", "Is duloxetine ok with kidney
    // or liver problems?": whether, and how much, with a kidney or liver like this.
    (
        DoseKidneyLiver,
        &["kidney", "renal", "liver", "hepatic", "dialysis", "creatinine", "crcl", "egfr"],
        &["keep taking", "still take", "ok with", "okay with", "safe with", "ok for", "okay for", "safe for"],
    ),
    (
        DoseChild,
        &[
            "child",
            " kid ",
            "kids",
            "kid's",
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
            "month old",
            "months old",
        ],
        CHILD_ASKS,
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
            "hard on",
            "damage",
            "harm",
            "rupture",
            "bad for",
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
            "worse",
            "raise",
            "give you",
            "give me",
            "gain",
        ],
        &[],
    ),
    (
        Contraindications,
        &[
            "can i still use",
            "can i still take",
            "who should not",
            "who shouldn't",
            "contraindicat",
            "can't take",
            "cannot take",
            "should not take",
            "allergic to",
            "if i have",
            "if you have",
            "if i had",
            "i have had",
            "i've had",
            "history of",
            "ok for my",
            "okay for my",
        ],
        &[],
    ),
    (Interaction, COMBINE, &[]),
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
    (
        WhatIs,
        &[
            "what is",
            "what's",
            "what are",
            "tell me about",
            "information on",
            "info on",
            // "Is Tylenol the same thing as paracetamol" asks what it is called.
            "what kind of drug",
            "what kind of medicine",
            "what type of drug",
            "what type of medicine",
            "what class of",
            "same thing",
            "same as",
            "same drug",
            "same medicine",
            "another name",
            "also called",
            "generic for",
            "generic of",
            "generic version",
        ],
        &[],
    ),
];

/// The kind of answer `question` wants. `drugs` is how many medicines it names: "X with Y"
/// asks about an interaction only when both are medicines.
pub fn detect(question: &str, drugs: usize) -> QuestionType {
    let lower = format!(" {} ", question.to_lowercase().replace('’', "'"));
    if asks_how_it_works(&lower) && !(drugs >= 2 && asks_how_they_combine(&lower)) {
        return Mechanism;
    }
    // Medicines compared ("zyrtec, claritin or allegra: which makes me least sleepy") are
    // asked about each; only words of combining make it an interaction question.
    let switching = SWITCHING.iter().any(|c| lower.contains(c));
    let combined = !switching && (asks_how_they_combine(&lower) || !COMPARE.iter().any(|c| lower.contains(c)));
    for (kind, cues, also) in CUES {
        if *kind == Interaction && drugs < 2 {
            continue;
        }
        // Two medicines in one question ask how they go together, unless the question
        // asks something narrower about them (a missed dose, pregnancy, food).
        if drugs >= 2
            && combined
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
        assert_eq!(detect("what are the symptoms of serotonin syndrome on sertraline", 1), SeriousWarnings);
        assert_eq!(detect("I've taken Xanax every night for a year. How do I get off it safely?", 1), Stopping);
        assert_eq!(detect("How long is my Symbicort good once I open the foil pouch?", 1), Storage);
        assert_eq!(detect("My eGFR came back at 38. Can I keep taking metformin?", 1), DoseKidneyLiver);
        assert_eq!(detect("Is duloxetine ok with kidney or liver problems?", 1), DoseKidneyLiver);
        assert_eq!(detect("I have heart disease and had a stent. Can I still use sumatriptan?", 1), Contraindications);
        assert_eq!(detect("what kind of drug is gabapentin, is it an opioid?", 1), WhatIs);
        assert_eq!(detect("how do I know if my potassium is too high on potassium chloride", 1), SeriousWarnings);
        assert_ne!(detect("does cetirizine help symptoms of hay fever", 1), SeriousWarnings);
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
        assert_eq!(detect("found a round blue pill with M 30 on it. is that oxycodone?", 1), AppearanceIngredients);
        assert_eq!(detect("can I take the pill with food", 1), FoodAlcohol);
        assert_eq!(detect("my creatinine clearance is around 40. does the dose need to change?", 1), DoseKidneyLiver);
        assert_eq!(detect("How long does Imodium take to stop diarrhea?", 1), OnsetDuration);
        assert_eq!(detect("is tylenol the same thing as paracetamol", 1), WhatIs);
        assert_eq!(detect("My doctor is changing me from Lantus to Tresiba. How many units do I start with?", 2), Dose);
        assert_eq!(detect("I take Flomax for my prostate. Can I use Viagra?", 2), Interaction);
        assert_eq!(detect("wellbutrin + tramadol seizure risk?", 2), Interaction);
        assert_eq!(detect("Does the Augmentin liquid for my kid have to go in the fridge?", 1), Storage);
        assert_eq!(detect("what does mupirocin treat", 1), UsedFor);
        assert_eq!(detect("i have this annoying dry cough on lisinopril", 1), General);
        assert_eq!(detect("how much benadryl can i give my 8 year old for hives", 1), DoseChild);
        // "Stop eating" is about food; "crush" about how to take it; "what's in" about ingredients.
        assert_eq!(detect("do i have to stop eating salad and spinach on warfarin", 1), FoodAlcohol);
        assert_eq!(detect("can i crush xarelto, my dad can't swallow pills", 1), Dose);
        assert_eq!(
            detect("i react to parabens. what's in aldara cream besides the imiquimod?", 1),
            AppearanceIngredients
        );
        // "How does X <verb>" asks how it works, whatever the verb ("stop", "make").
        assert_eq!(detect("how does finasteride stop hair loss", 1), Mechanism);
        assert_eq!(detect("how does ozempic make you lose weight", 1), Mechanism);
        assert_eq!(detect("What does Eliquis do to the blood?", 1), Mechanism);
        assert_eq!(detect("How does Narcan reverse an overdose?", 1), Mechanism);
        assert_eq!(detect("how do I stop taking sertraline", 1), Stopping);
        assert_eq!(detect("Can I take metformin if I have bad kidney disease?", 1), Contraindications);
        assert_eq!(detect("I have asthma. Is propranolol ok for my migraines?", 1), Contraindications);
        assert_eq!(detect("Can I take 2 Claritin if my allergies are really bad?", 1), Dose);
        assert_eq!(detect("can my 18 month old have imodium", 1), DoseChild);
        assert_eq!(detect("glargine pen, how long is it good for after i start using it", 1), Storage);
        assert_eq!(detect("Where should I keep my Narcan nasal spray?", 1), Storage);
        assert_eq!(detect("Can beta blockers make asthma worse?", 1), SideEffects);
        assert_eq!(detect("Are NSAIDs hard on your kidneys?", 1), SeriousWarnings);
        // Medicines compared are asked about each; only combining words ask how they mix.
        assert_eq!(detect("which is least likely to make me sleepy, zyrtec claritin or allegra?", 3), SideEffects);
        assert_eq!(detect("does omeprazole affect clopidogrel", 2), Interaction);
        assert_eq!(detect("tylenol and warfarin", 2), Interaction);
        assert_eq!(detect("my kid swallowed some of my aldara cream", 1), Overdose);
        assert_eq!(
            detect("my throat feels tight and my face is swelling after my first dose of amoxicillin", 1),
            SeriousWarnings
        );
    }
}
