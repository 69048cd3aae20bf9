//! How well a unit fits the kind of question: the sections each kind is answered from, and
//! what makes a unit fit to lead the answer.

use super::ages;
use super::units::label_of;
use super::Unit;
use crate::answer::understand::{Question, QuestionType};
use drugchatter_monograph::SectionKind;

/// How well a unit's place in the monograph fits the kind of question, 0 to about 1.3.
pub(super) fn fit(kind: QuestionType, unit: &Unit, question: &str) -> f32 {
    use QuestionType::*;
    use SectionKind as S;
    let ctx = unit.context.as_str();
    let text = unit.text.to_lowercase();
    let faq = unit.kind == S::Faqs;
    let faq_asks = |cues: &[&str]| faq && cues.iter().any(|c| ctx.contains(c));
    let says = |cues: &[&str]| cues.iter().any(|c| text.contains(c));
    let about = |cues: &[&str]| cues.iter().any(|c| ctx.contains(c));
    let q = question.to_lowercase();
    match kind {
        Mechanism => match unit.kind {
            S::HowItWorks if about(&["pharmacodynamic", "mechanism"]) => 1.2,
            S::HowItWorks if about(&["onset", "pharmacokinetic", "absorption", "elimination", "metabolism"]) => 0.6,
            S::HowItWorks => 1.0,
            S::ProfileSummary if about(&["mechanism"]) => 0.8,
            _ if faq_asks(&["work"]) => 0.9,
            _ => 0.0,
        },
        UsedFor | WhatIs => match unit.kind {
            S::Usage if about(&["classification"]) => {
                // "What kind of drug is gabapentin": its class is the answer.
                if kind == WhatIs && ["kind of", "type of", "class of"].iter().any(|c| q.contains(c)) {
                    1.3
                } else if kind == WhatIs {
                    0.9
                } else {
                    0.4
                }
            }
            // What it is prescribed for is its approved uses first; off-label use answers
            // only a question that asks about it.
            S::Usage
                if (about(&["off-label", "off label"]) || says(&["off-label", "off label"])) && !q.contains("off") =>
            {
                0.6
            }
            S::Usage => 1.0,
            _ if faq_asks(&["used for", "what is", "treat"]) => 1.0,
            S::ProfileSummary => 0.3,
            S::AlternateNames if kind == WhatIs => 0.4,
            _ => 0.0,
        },
        Dose | DoseChild | DoseKidneyLiver => {
            // "Adults and children 6 years and over" is the adults' line.
            let child = about(&["child", "pediatric", "paediatric", "infant", "adolescent"]) && !about(&["adult"]);
            let organ = |s: &str| {
                ["kidney", "renal", "creatinine", "crcl", "dialysis", "liver", "hepatic"].iter().any(|c| s.contains(c))
            };
            // "Switching from Lantus to Tresiba": the line on moving between them answers,
            // wherever it is ("about 20 mg of torsemide equals 40 mg of furosemide").
            let switching = crate::answer::understand::SWITCHING.iter().any(|c| q.contains(c));
            if switching
                && says(&[
                    "switch",
                    "moving from",
                    "changing from",
                    "transfer",
                    "equals",
                    "same total daily dose",
                    "same unit dose",
                ])
            {
                return 1.3;
            }
            let base = match unit.kind {
                S::Dosage => 1.0,
                S::ProfileSummary if about(&["dosage"]) => 0.5,
                _ if faq_asks(&["how much", "how often", "dose", "how many", "take more", "maximum"]) => 0.95,
                _ => return 0.0,
            };
            match kind {
                // "Singulair for a 4 year old": the line whose age band holds 4 leads; a
                // weight band holding the child's weight counts too.
                DoseChild if child => {
                    let age = ages::age_asked(&q).and_then(|age| {
                        ages::age_band(&unit.text)
                            .map(|(low, high)| if (low..=high).contains(&age) { 0.5 } else { -0.6 })
                    });
                    let weight = ages::weight_asked(&q)
                        .is_some_and(|kg| ages::states_weight_band_holding(&unit.text, kg))
                        .then_some(0.3);
                    base + 0.3 + age.unwrap_or(0.0) + weight.unwrap_or(0.0)
                }
                DoseChild => base * 0.5,
                // "My creatinine clearance is around 40": the band holding 40 leads.
                DoseKidneyLiver if organ(ctx) || organ(&text) => {
                    let asked = clearances_asked(&q);
                    let in_band =
                        band_of(&text).is_some_and(|(low, high)| asked.iter().any(|n| (low..=high).contains(n)));
                    // "Kidney function: … Starting is not recommended at eGFR 30 to 45": a band
                    // inside a line about the organ counts too, less than its label's.
                    let label = label_of(ctx);
                    let inside = organ(label)
                        && clearance_bands(&text)
                            .iter()
                            .any(|&(low, high)| asked.iter().any(|n| (low..=high).contains(n)));
                    base + if in_band {
                        0.7
                    } else if inside {
                        0.6
                    } else {
                        0.3
                    }
                }
                DoseKidneyLiver => base * 0.4,
                _ if child || organ(ctx) || about(&["elderly", "special", "hemodialysis"]) => base * 0.6,
                _ if about(&["adult", "standard"]) => base + 0.1,
                _ => base,
            }
        }
        MissedDose => {
            if faq_asks(&["miss", "forget", "forgot", "skip"]) {
                1.2
            } else if says(&["missed", "miss a dose", "forget", "forgotten"]) {
                1.0
            } else {
                0.0
            }
        }
        Stopping => {
            if faq_asks(&["stop", "quit", "come off"]) {
                1.2
            } else if says(&["stop", "abrupt", "suddenly", "taper", "withdraw", "gradually"]) {
                0.9
            } else {
                0.0
            }
        }
        SideEffects => match unit.kind {
            S::SideEffects if about(&["common"]) => 1.1,
            S::SideEffects => 1.0,
            _ if faq_asks(&["side effect", "cause", "make me", "make you"]) => 0.9,
            S::Precautions | S::BoxedWarning => 0.5,
            S::ProfileSummary if about(&["side effect"]) => 0.4,
            _ => 0.0,
        },
        SeriousWarnings => match unit.kind {
            S::Precautions | S::BoxedWarning => 1.0,
            S::SideEffects if about(&["serious", "rare"]) => 0.9,
            S::SideEffects => 0.6,
            S::Faqs => 0.7,
            S::Contraindications => 0.5,
            _ => 0.0,
        },
        Interaction => match unit.kind {
            S::DrugInteractions => 1.0,
            S::Faqs if faq_asks(&["with", "together", " and "]) => 0.9,
            S::PopularCombinations => 0.3,
            _ => 0.0,
        },
        FoodAlcohol => {
            // Alcohol and food are separate questions: "before or after I eat" is not
            // answered by the alcohol FAQ.
            let alcohol = ["alcohol", "drink", "beer", "wine"];
            let food = ["food", "eat", "grapefruit", "meal", "empty stomach", "milk", "caffeine", "coffee", "juice"];
            let asks_alcohol = alcohol.iter().any(|c| q.contains(c));
            let asks_food = food.iter().any(|c| q.contains(c));
            let cues: Vec<&str> = match (asks_alcohol, asks_food) {
                (true, false) => alcohol.to_vec(),
                (false, true) => food.to_vec(),
                _ => alcohol.iter().chain(&food).copied().collect(),
            };
            if faq_asks(&cues) {
                1.2
            } else if says(&cues) {
                if unit.kind == S::DrugInteractions || unit.kind == S::Dosage {
                    1.0
                } else {
                    0.7
                }
            } else {
                0.0
            }
        }
        PregnancyBreastfeeding => {
            let breast = q.contains("breast") || q.contains("nursing") || q.contains("milk");
            match unit.kind {
                S::PregnancyBreastfeeding if breast == label_of(ctx).contains("breast") => 1.2,
                S::PregnancyBreastfeeding => 0.8,
                _ if faq_asks(&["pregnan", "breast"]) => 1.1,
                _ => 0.0,
            }
        }
        OnsetDuration => {
            if faq_asks(&["how long", "how soon", "how quickly", "start working", "take to work"]) {
                1.2
            } else if unit.kind == S::HowItWorks && about(&["onset", "duration"]) {
                1.1
            } else if says(&["within", "half-life", "lasts", "hours", "weeks", "onset"]) && unit.kind != S::Dosage {
                0.5
            } else {
                0.0
            }
        }
        Storage => {
            if faq_asks(&["store", "storage", "fridge", "refrigerat", "keep", "expire", "open"]) {
                1.2
            } else if unit.kind == S::Storage || says(&["room temperature", "refrigerat", "fridge", "freez", "store "])
            {
                1.0
            } else {
                0.0
            }
        }
        AppearanceIngredients => {
            // The attribute asked decides: a tablet's look is its colour or imprint; an
            // ingredient question is answered by that ingredient, or the inactive ones.
            let look = ["look", "colo", "imprint", "shape", "pill with", "tablet with", "capsule with"]
                .iter()
                .any(|c| q.contains(c));
            // "Alcohol" names a drink as often as an ingredient, so it is not asked here.
            let mut named: Vec<&str> = [
                "gluten",
                "lactose",
                "gelatin",
                "dye",
                "paraben",
                "thimerosal",
                "mercury",
                "pork",
                "latex",
                "egg",
                "sugar",
                "peanut",
                "soy",
                "phenylalanine",
                "aspartame",
            ]
            .into_iter()
            .filter(|c| q.contains(c))
            .collect();
            if q.contains("pku") || q.contains("phenylketonuria") {
                named.push("phenylalanine");
            }
            // A look is stated by an appearance line, an imprint, or a colour of the tablet
            // itself ("colour-coded tablets" names no colour).
            let states = if look {
                about(&["appearance"]) || says(&["imprint", "debossed", "engraved"]) || colours_a_tablet(&text)
            } else if !named.is_empty() {
                says(&named)
            } else {
                about(&["inactive"]) || says(&["inactive", "excipient"])
            };
            if states {
                1.0
            } else if unit.kind == S::AlternateNames {
                0.4
            } else {
                0.0
            }
        }
        Overdose => {
            if faq_asks(&["too much", "too many", "overdose", "extra"]) {
                1.2
            } else if unit.kind == S::Overdosage || about(&["overdose"]) || text.starts_with("overdose") {
                1.1
            } else {
                0.0
            }
        }
        Contraindications => {
            let base = match unit.kind {
                S::Contraindications => 1.0,
                S::Precautions => 0.5,
                S::Faqs => 0.4,
                _ => return 0.0,
            };
            // "I have asthma. Is propranolol ok?": the line labelled with the condition
            // asked about ("Asthma and COPD: Avoid") answers, wherever the monograph put it.
            let own_label = text.split_once(':').map_or("", |(label, _)| label).chars().take(60).collect::<String>();
            let label = format!("{} {own_label}", label_of(ctx).to_lowercase());
            let names_the_condition = unit.kind != S::Faqs
                && label.split(|c: char| !c.is_alphanumeric()).any(|w| w.len() >= 5 && q.contains(w));
            if names_the_condition {
                base + 0.6
            } else {
                base
            }
        }
        General => match unit.kind {
            S::Usage => 0.5,
            S::Faqs => 0.4,
            _ => 0.2,
        },
    }
}

/// How fit a unit is to lead the answer, beyond its section: a section's opening lines say
/// what it is about; a line on allergy to the drug itself answers "who should not take it"
/// only for those asking about allergy; a question on the most per day wants the line that
/// states the limit.
pub(super) fn leads(question: &Question, unit: &Unit) -> f32 {
    use QuestionType::*;
    let lower = unit.text.to_lowercase();
    let asked = question.text.to_lowercase();
    // An FAQ is a chunk of its own, always first: only a section's opening counts.
    let opening = match (question.kind, unit.position) {
        _ if unit.kind == SectionKind::Faqs => 0.0,
        (UsedFor | WhatIs | Mechanism, 0) => 0.25,
        (UsedFor | WhatIs | Mechanism, 1) => 0.1,
        _ => 0.0,
    };
    let own_allergy = (lower.contains("hypersensitivity") || lower.contains("allergy to"))
        && lower.split_whitespace().count() <= 14
        && !asked.contains("allerg");
    let allergy = if own_allergy { -0.8 } else { 0.0 };
    let per_day = ["a day", "per day", "in a day", "one day", "max", "most", "24 hours", "limit"];
    let dose = matches!(question.kind, Dose | DoseChild | DoseKidneyLiver);
    let limit = if dose && per_day.iter().any(|c| asked.contains(c)) && crate::answer::plan::states_limits(&unit.text) {
        0.6
    } else {
        0.0
    };
    // Of the lines linking two medicines, the one with the serious outcome leads.
    let serious = [
        "serotonin syndrome",
        "contraindicated",
        "do not ",
        "avoid",
        "dangerous",
        "fatal",
        "death",
        "bleeding",
        "life-threatening",
        "severe",
    ];
    let severity = if question.kind == Interaction && serious.iter().any(|c| lower.contains(c)) { 0.4 } else { 0.0 };
    opening + allergy + limit + severity
}

/// The numbers a kidney question gives as a clearance or eGFR: not doses ("600 mg").
fn clearances_asked(lower: &str) -> Vec<f32> {
    let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == ',' || c == '?').collect();
    words
        .iter()
        .enumerate()
        .filter(|(i, _)| !words.get(i + 1).is_some_and(|n| ["mg", "mcg", "g", "units", "times"].contains(n)))
        .filter_map(|(_, w)| w.trim_end_matches(['.', ')']).parse::<f32>().ok())
        .filter(|n| (1.0..=200.0).contains(n))
        .collect()
}

/// Every clearance band a line states anywhere ("below 30 mL/min/1.73 m²", "at eGFR 30 to
/// 45 mL/min/1.73 m²"), one per clause.
fn clearance_bands(lower: &str) -> Vec<(f32, f32)> {
    lower
        .split("; ")
        .flat_map(|clause| clause.split(". "))
        .filter_map(|clause| {
            let words: Vec<String> = clause
                .split_whitespace()
                .map(|w| {
                    if w.starts_with("ml/min") {
                        "ml/min".to_string()
                    } else {
                        w.trim_matches([',', '(', ')']).to_string()
                    }
                })
                .collect();
            ages::band(&words, &[("ml/min", 1.0)])
        })
        .collect()
}

/// The clearance band a dose line's label gives ("Over 30 to 59 mL/min: …", "60 mL/min or
/// more: …", "below 15 mL/min: …"), as an inclusive range.
fn band_of(lower: &str) -> Option<(f32, f32)> {
    let label = lower.split_once(':')?.0;
    if !label.contains("ml/min") && !label.contains("crcl") && !label.contains("egfr") {
        return None;
    }
    let numbers: Vec<f32> = label
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.trim_matches('.').parse::<f32>().ok())
        .collect();
    match numbers[..] {
        [.., low, high] if low < high && label.contains(" to ") => Some((low, high)),
        [.., n] if ["or more", "or greater", "above", "at least", "over"].iter().any(|c| label.contains(c)) => {
            Some((n, f32::MAX))
        }
        [.., n] if ["below", "under", "less than", "fewer than"].iter().any(|c| label.contains(c)) => Some((0.0, n)),
        _ => None,
    }
}

/// Whether `lower` gives a tablet's colour: a colour word just before "tablet", "capsule"
/// or "pill" ("blue, oval tablets"), not anywhere in a line that has both ("tablets…
/// green leafy vegetables").
fn colours_a_tablet(lower: &str) -> bool {
    const COLOURS: &[&str] = &["white", "blue", "yellow", "pink", "orange", "green", "peach", "red", "purple", "brown"];
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.iter().enumerate().any(|(i, w)| {
        COLOURS.contains(w)
            && words[i + 1..].iter().take(4).any(|n| {
                matches!(*n, "tablet" | "tablets" | "capsule" | "capsules" | "pill" | "pills" | "caplet" | "caplets")
            })
    })
}

#[cfg(test)]
mod tests {
    use super::colours_a_tablet;

    #[test]
    fn a_clearance_asked_falls_in_the_band_of_its_line() {
        use super::{band_of, clearances_asked};
        let asked = clearances_asked("my creatinine clearance is around 40. i take 600 mg three times a day");
        assert_eq!(asked, vec![40.0]);
        assert_eq!(band_of("adults by creatinine clearance (crcl), over 30 to 59 ml/min: 400 mg"), Some((30.0, 59.0)));
        assert_eq!(band_of("60 ml/min or more: 900 mg to 3,600 mg/day"), Some((60.0, f32::MAX)));
        assert_eq!(band_of("below 15 ml/min: reduce further"), Some((0.0, 15.0)));
        assert_eq!(band_of("hypertension: 100 mg daily"), None);
    }

    #[test]
    fn clearance_bands_inside_a_line() {
        let line = "kidney function: check egfr before starting and at least yearly. do not use if egfr is below 30 \
                    ml/min/1.73 m². starting is not recommended at egfr 30 to 45 ml/min/1.73 m²";
        assert_eq!(super::clearance_bands(line), vec![(0.0, 30.0), (30.0, 45.0)]);
    }

    #[test]
    fn a_colour_counts_only_when_it_is_the_tablets() {
        assert!(colours_a_tablet("the 5 mg tablet is a peach, scored tablet"));
        assert!(colours_a_tablet("blue, oval, film-coated tablets debossed m 30"));
        assert!(!colours_a_tablet("colour-coded scored tablets (1 mg to 10 mg)"));
        assert!(!colours_a_tablet("take the tablets daily and keep eating green leafy vegetables steadily"));
    }
}
