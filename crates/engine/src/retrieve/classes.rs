//! Drug classes: which monographs are "NSAIDs", "statins", "ACE inhibitors", "blood
//! thinners"… Membership comes from each monograph's own Pharmacological Classification
//! line; this file holds only the reviewed list of how people name each class and how
//! monographs name it, so a question naming a class finds its members, and an interaction
//! line naming a class matches its members.

use crate::chunk::Chunk;
use crate::corpus::Drug;
use crate::text::words;
use serde::Serialize;

/// One class as the reviewed list defines it.
struct ClassDef {
    /// How answers name the class.
    name: &'static str,
    /// How people name it in questions (lower case, words as [`words`] splits them).
    asked_as: &'static [&'static str],
    /// Phrases of a Pharmacological Classification line that make a drug a member, and of
    /// another monograph's text that name the class. Matched at the start of a word, and
    /// not after "non-" or "not a".
    terms: &'static [&'static str],
}

const CLASSES: &[ClassDef] = &[
    ClassDef {
        name: "NSAIDs",
        asked_as: &[
            "nsaid",
            "nsaids",
            "anti inflammatory",
            "anti inflammatories",
            "antiinflammatories",
            "anti inflammatory drugs",
            "non steroidal anti inflammatory",
            "nonsteroidal anti inflammatory",
            "non steroidal anti inflammatories",
        ],
        terms: &["nsaid", "nonsteroidal anti-inflammatory"],
    },
    ClassDef {
        name: "statins",
        asked_as: &[
            "statin",
            "statins",
            "cholesterol pill",
            "cholesterol pills",
            "cholesterol medicine",
            "cholesterol medication",
            "cholesterol meds",
            "cholesterol tablets",
        ],
        terms: &["statin", "hmg-coa reductase inhibitor"],
    },
    ClassDef {
        name: "ACE inhibitors",
        asked_as: &["ace inhibitor", "ace inhibitors", "ace inhibiter"],
        terms: &["ace inhibitor", "(ace) inhibitor", "angiotensin-converting enzyme"],
    },
    ClassDef {
        name: "angiotensin receptor blockers (ARBs)",
        asked_as: &["arb", "arbs", "angiotensin receptor blocker", "angiotensin receptor blockers"],
        terms: &["angiotensin ii receptor blocker", "angiotensin receptor blocker", "(arb)"],
    },
    ClassDef {
        name: "beta blockers",
        asked_as: &["beta blocker", "beta blockers", "betablocker", "betablockers"],
        terms: &["beta-blocker", "beta blocker", "adrenergic blocker"],
    },
    ClassDef {
        name: "calcium channel blockers",
        asked_as: &["calcium channel blocker", "calcium channel blockers"],
        terms: &["calcium channel blocker"],
    },
    ClassDef {
        name: "corticosteroids",
        asked_as: &[
            "steroid",
            "steroids",
            "corticosteroid",
            "corticosteroids",
            "steroid pills",
            "steroid pill",
            "steroid tablets",
            "steroid cream",
            "steroid creams",
            "steroid shot",
            "steroid injection",
            "steroid injections",
        ],
        terms: &["corticosteroid", "glucocorticoid"],
    },
    ClassDef {
        name: "SSRIs",
        asked_as: &[
            "ssri",
            "ssris",
            "selective serotonin reuptake inhibitor",
            "selective serotonin reuptake inhibitors",
        ],
        terms: &["ssri", "selective serotonin reuptake inhibitor"],
    },
    ClassDef {
        name: "SNRIs",
        asked_as: &["snri", "snris"],
        terms: &["snri", "serotonin-norepinephrine reuptake inhibitor"],
    },
    ClassDef {
        name: "serotonergic drugs",
        asked_as: &["serotonergic drugs", "serotonergic"],
        terms: &["serotonergic", "serotonin"],
    },
    ClassDef {
        name: "proton pump inhibitors",
        asked_as: &["ppi", "ppis", "proton pump inhibitor", "proton pump inhibitors"],
        terms: &["proton pump inhibitor", "(ppi)"],
    },
    ClassDef {
        name: "benzodiazepines",
        asked_as: &[
            "benzo",
            "benzos",
            "benzodiazepine",
            "benzodiazepines",
            "tranquilizer",
            "tranquilizers",
            "tranquillisers",
        ],
        terms: &["benzodiazepine"],
    },
    ClassDef {
        name: "opioids",
        asked_as: &[
            "opioid",
            "opioids",
            "opiate",
            "opiates",
            "narcotic",
            "narcotics",
            "opioid painkillers",
            "opioid pain medicine",
            "narcotic painkillers",
            "narcotic pain medicine",
            "narcotic pain pills",
        ],
        terms: &["opioid agonist"],
    },
    ClassDef {
        name: "anticoagulants",
        asked_as: &[
            "blood thinner",
            "blood thinners",
            "blood thinning medicine",
            "blood thinning pills",
            "anticoagulant",
            "anticoagulants",
            "anti coagulant",
            "anti coagulants",
        ],
        terms: &["anticoagulant"],
    },
    ClassDef { name: "antiplatelet drugs", asked_as: &["antiplatelet", "antiplatelets"], terms: &["antiplatelet"] },
    ClassDef {
        name: "diuretics",
        asked_as: &["water pill", "water pills", "water tablets", "fluid pill", "fluid pills", "diuretic", "diuretics"],
        terms: &["diuretic"],
    },
    ClassDef {
        name: "blood pressure medicines",
        asked_as: &[
            "blood pressure pill",
            "blood pressure pills",
            "blood pressure medicine",
            "blood pressure medication",
            "blood pressure meds",
            "blood pressure tablets",
            "high blood pressure medicine",
            "high blood pressure pills",
            "bp meds",
            "bp pills",
            "antihypertensive",
            "antihypertensives",
        ],
        terms: &["antihypertensive", "adrenergic blocker"],
    },
    ClassDef {
        name: "antibiotics",
        asked_as: &["antibiotic", "antibiotics", "antibacterial", "antibacterials", "antibiotic pills"],
        terms: &["antibacterial", "antibiotic", "aminopenicillin", "penicillin", "cephalosporin"],
    },
    ClassDef {
        name: "fluoroquinolones",
        asked_as: &["fluoroquinolone", "fluoroquinolones", "quinolone", "quinolones"],
        terms: &["fluoroquinolone"],
    },
    ClassDef { name: "macrolides", asked_as: &["macrolide", "macrolides"], terms: &["macrolide"] },
    ClassDef { name: "tetracyclines", asked_as: &["tetracyclines"], terms: &["tetracycline"] },
    ClassDef {
        name: "antihistamines",
        asked_as: &[
            "antihistamine",
            "antihistamines",
            "allergy pill",
            "allergy pills",
            "allergy tablets",
            "allergy medicine",
            "allergy medication",
            "allergy meds",
            "hay fever tablets",
        ],
        terms: &["antihistamine"],
    },
    ClassDef {
        name: "antidepressants",
        asked_as: &["antidepressant", "antidepressants", "depression medicine", "depression meds", "depression pills"],
        terms: &["antidepressant", "ssri", "snri"],
    },
    ClassDef { name: "antipsychotics", asked_as: &["antipsychotic", "antipsychotics"], terms: &["antipsychotic"] },
    ClassDef {
        name: "antiepileptic drugs",
        asked_as: &[
            "anticonvulsant",
            "anticonvulsants",
            "antiepileptic",
            "antiepileptics",
            "seizure medicine",
            "seizure medication",
            "seizure meds",
            "epilepsy medicine",
            "anti seizure",
        ],
        terms: &["antiepileptic", "anticonvulsant"],
    },
    ClassDef {
        name: "stimulants for ADHD",
        asked_as: &[
            "adhd pill",
            "adhd pills",
            "adhd medicine",
            "adhd medication",
            "adhd meds",
            "stimulant",
            "stimulants",
        ],
        terms: &["(cns) stimulant"],
    },
    ClassDef { name: "insulins", asked_as: &["insulin", "insulins"], terms: &["human insulin"] },
    ClassDef {
        name: "GLP-1 receptor agonists",
        asked_as: &[
            "glp 1",
            "glp1",
            "glp 1 shots",
            "weekly diabetes shot",
            "diabetes shot",
            "glp 1 agonists",
            "weight loss shot",
            "weight loss shots",
            "weight loss injection",
            "weight loss injections",
            "weight loss jab",
        ],
        terms: &["glp-1"],
    },
    ClassDef {
        name: "SGLT2 inhibitors",
        asked_as: &["sglt2", "sglt2 inhibitor", "sglt2 inhibitors", "gliflozin", "gliflozins"],
        terms: &["sglt2"],
    },
    ClassDef { name: "sulfonylureas", asked_as: &["sulfonylurea", "sulfonylureas"], terms: &["sulfonylurea"] },
    ClassDef {
        name: "skeletal muscle relaxants",
        asked_as: &["muscle relaxer", "muscle relaxers", "muscle relaxant", "muscle relaxants"],
        terms: &["skeletal muscle relaxant"],
    },
    ClassDef {
        name: "sleep medicines",
        asked_as: &[
            "sleeping pill",
            "sleeping pills",
            "sleep aid",
            "sleep aids",
            "sleeping tablet",
            "sleeping tablets",
            "sleep medicine",
            "sleep medication",
            "sleep meds",
            "sleep pills",
            "sleeping medicine",
        ],
        terms: &["hypnotic", "sedative"],
    },
    ClassDef {
        name: "inhalers",
        asked_as: &["inhaler", "inhalers", "puffer", "puffers"],
        terms: &["bronchodilator", "inhaled corticosteroid", "(ics/laba)"],
    },
    ClassDef {
        name: "hormonal contraceptives",
        asked_as: &[
            "birth control",
            "birth control pill",
            "birth control pills",
            "contraceptive",
            "contraceptives",
            "contraceptive pill",
            "oral contraceptive",
            "oral contraceptives",
            "on the pill",
        ],
        terms: &["contraceptive"],
    },
    ClassDef { name: "triptans", asked_as: &["triptan", "triptans"], terms: &["triptan"] },
    ClassDef {
        name: "laxatives",
        asked_as: &["laxative", "laxatives", "stool softener", "stool softeners", "constipation medicine"],
        terms: &["laxative"],
    },
    ClassDef {
        name: "vaccines",
        asked_as: &["vaccine", "vaccines", "vaccination", "vaccinations"],
        terms: &["vaccine"],
    },
    ClassDef { name: "antacids", asked_as: &["antacid", "antacids"], terms: &["antacid"] },
    ClassDef {
        name: "PDE5 inhibitors",
        asked_as: &[
            "pde5 inhibitor",
            "pde5 inhibitors",
            "ed pills",
            "ed meds",
            "erectile dysfunction pills",
            "erectile dysfunction medicine",
        ],
        terms: &["pde5"],
    },
    ClassDef { name: "nitrates", asked_as: &["nitrate", "nitrates"], terms: &["organic nitrate", "nitrate"] },
    ClassDef {
        name: "pain relievers",
        asked_as: &[
            "painkiller",
            "painkillers",
            "pain killer",
            "pain killers",
            "pain reliever",
            "pain relievers",
            "pain medicine",
            "pain medication",
            "pain meds",
            "pain pills",
            "analgesic",
            "analgesics",
        ],
        terms: &["analgesic", "nsaid", "nonsteroidal anti-inflammatory", "opioid agonist"],
    },
    ClassDef { name: "antifungals", asked_as: &["antifungal", "antifungals"], terms: &["antifungal"] },
    ClassDef { name: "antivirals", asked_as: &["antiviral", "antivirals"], terms: &["antiviral"] },
    ClassDef {
        name: "cough medicines",
        asked_as: &[
            "cough medicine",
            "cough medicines",
            "cough syrup",
            "cough suppressant",
            "cough suppressants",
            "antitussive",
            "antitussives",
            "expectorant",
            "expectorants",
        ],
        terms: &["antitussive", "expectorant"],
    },
    ClassDef { name: "decongestants", asked_as: &["decongestant", "decongestants"], terms: &["decongestant"] },
    ClassDef {
        name: "antiemetics",
        asked_as: &["antiemetic", "antiemetics", "anti nausea", "nausea medicine", "nausea pills", "anti sickness"],
        terms: &["antiemetic"],
    },
    ClassDef {
        name: "H2 blockers",
        asked_as: &["h2 blocker", "h2 blockers"],
        terms: &["h2 blocker", "h2 receptor antagonist"],
    },
    ClassDef {
        name: "diabetes medicines",
        asked_as: &[
            "diabetes medicine",
            "diabetes medicines",
            "diabetes medication",
            "diabetes meds",
            "diabetes pills",
            "diabetic medicine",
            "blood sugar medicine",
            "blood sugar pills",
        ],
        terms: &[
            "antidiabetic",
            "antihyperglycaemic",
            "insulin secretagogue",
            "insulin sensitiser",
            "glp-1",
            "sglt2",
            "dpp-4",
            "human insulin",
        ],
    },
    ClassDef {
        name: "anxiety medicines",
        asked_as: &[
            "anxiety medicine",
            "anxiety medication",
            "anxiety meds",
            "anxiety pills",
            "anti anxiety",
            "anxiolytic",
            "anxiolytics",
        ],
        terms: &["anxiolytic"],
    },
    ClassDef {
        name: "dementia medicines",
        asked_as: &["dementia medicine", "dementia medication", "alzheimers medicine", "alzheimers medication"],
        terms: &["anti-dementia"],
    },
];

/// Phrases that name a class in monograph text besides its membership terms ("Opioids:"
/// in an interaction list), where the broader phrase would admit non-members as members
/// (naloxone is an "opioid receptor antagonist").
const MENTIONS: &[(&str, &[&str])] = &[("opioids", &["opioid"])];

/// A class named in a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedClass {
    /// How answers name the class: "NSAIDs".
    pub name: String,
    /// The words of the question that named it.
    pub matched: String,
    /// Its members in this library (indexes into the library's drugs).
    #[serde(skip)]
    pub members: Vec<usize>,
    /// The phrases by which monograph text names it.
    #[serde(skip)]
    pub terms: Vec<&'static str>,
}

/// The classes of one library's drugs.
pub struct ClassIndex {
    /// `members[c]`: the drugs of `CLASSES[c]`, by index.
    members: Vec<Vec<usize>>,
}

impl ClassIndex {
    pub fn new(drugs: &[Drug], chunks: &[Chunk]) -> ClassIndex {
        let mut classification = vec![String::new(); drugs.len()];
        for chunk in chunks {
            if let Some(line) = chunk.text.lines().find_map(|l| l.split_once("Pharmacological Classification:")) {
                classification[chunk.drug as usize] = line.1.to_lowercase();
            }
        }
        let members = CLASSES
            .iter()
            .map(|class| {
                (0..drugs.len()).filter(|&d| class.terms.iter().any(|t| names(&classification[d], t))).collect()
            })
            .collect();
        ClassIndex { members }
    }

    /// The classes a question names, longest phrase first; each set of words names one class.
    pub fn named_in(&self, question: &str) -> Vec<NamedClass> {
        // "beta-blockers", "anti-inflammatory", "GLP-1": the parts of a hyphenated word.
        let tokens: Vec<String> =
            words(question).iter().flat_map(|w| w.split('-').filter(|p| !p.is_empty()).map(str::to_string)).collect();
        let mut used = vec![false; tokens.len()];
        let mut found: Vec<(usize, NamedClass)> = Vec::new();
        for n in (1..=4.min(tokens.len())).rev() {
            for start in 0..=tokens.len() - n {
                if used[start..start + n].iter().any(|&u| u) {
                    continue;
                }
                let phrase = tokens[start..start + n].join(" ");
                let Some(c) = CLASSES.iter().position(|class| class.asked_as.contains(&phrase.as_str())) else {
                    continue;
                };
                // "non-opioid" and "not a steroid" name no class.
                let before: Vec<&str> = tokens[start.saturating_sub(2)..start].iter().map(String::as_str).collect();
                if before.last() == Some(&"non") || before == ["not", "a"] {
                    continue;
                }
                used[start..start + n].iter_mut().for_each(|u| *u = true);
                if !self.members[c].is_empty() && !found.iter().any(|(_, f)| f.name == CLASSES[c].name) {
                    let class = NamedClass {
                        name: CLASSES[c].name.to_string(),
                        matched: phrase,
                        members: self.members[c].clone(),
                        terms: class_terms(&CLASSES[c]),
                    };
                    found.push((start, class));
                }
            }
        }
        found.sort_by_key(|(start, _)| *start);
        found.into_iter().map(|(_, class)| class).collect()
    }

    /// Every class with members here, as answers name it, with its members.
    pub fn classes(&self) -> impl Iterator<Item = (&'static str, &[usize])> {
        CLASSES.iter().zip(&self.members).filter(|(_, m)| !m.is_empty()).map(|(c, m)| (c.name, m.as_slice()))
    }

    /// The phrases by which monograph text names the classes `drug` belongs to.
    pub fn terms_of(&self, drug: usize) -> Vec<&'static str> {
        CLASSES
            .iter()
            .zip(&self.members)
            .filter(|(_, members)| members.contains(&drug))
            .flat_map(|(class, _)| class_terms(class))
            .collect()
    }
}

/// The class a short phrase of monograph text names ("NSAIDs (including COX-2
/// inhibitors)", "ARBs", "other ACE inhibitors"), as answers name it.
pub fn class_named_by(phrase: &str) -> Option<&'static str> {
    let lower = phrase.to_lowercase();
    let joined = words(&lower).join(" ");
    CLASSES
        .iter()
        .find(|class| class.asked_as.contains(&joined.as_str()) || class_terms(class).iter().any(|t| names(&lower, t)))
        .map(|class| class.name)
}

/// The phrases by which monograph text names `class`.
fn class_terms(class: &ClassDef) -> Vec<&'static str> {
    let extra = MENTIONS.iter().filter(|(name, _)| *name == class.name).flat_map(|(_, terms)| terms.iter());
    class.terms.iter().chain(extra).copied().collect()
}

/// Whether `text` (lower case) names `term` at the start of a word, not negated ("not an
/// NSAID", "non-opioid", "non-benzodiazepine").
pub fn names(text: &str, term: &str) -> bool {
    let mut from = 0;
    while let Some(found) = text[from..].find(term) {
        let at = from + found;
        let before = &text[..at];
        let starts_word = before.chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let negated = before.ends_with("non-") || before.ends_with("not an ") || before.ends_with("not a ");
        if starts_word && !negated {
            return true;
        }
        from = at + term.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_at_word_starts_and_not_when_negated() {
        assert!(names("nonsteroidal anti-inflammatory drug (nsaid); propionic acid", "nsaid"));
        assert!(!names("non-opioid analgesic and antipyretic; not an nsaid.", "nsaid"));
        assert!(!names("non-opioid analgesic", "opioid"));
        assert!(!names("atypical antipsychotic; thienobenzodiazepine", "benzodiazepine"));
        assert!(!names("sedative-hypnotic; non-benzodiazepine gaba-a modulator", "benzodiazepine"));
        assert!(names("benzodiazepine; anxiolytic", "benzodiazepine"));
    }

    #[test]
    fn every_class_is_asked_in_lower_case_words() {
        for class in CLASSES {
            for asked in class.asked_as {
                assert_eq!(words(asked).join(" "), *asked, "{}", class.name);
            }
        }
    }
}
