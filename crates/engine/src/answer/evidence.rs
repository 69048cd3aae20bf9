//! Evidence at the level of sentences: every readable unit of the monographs a question is
//! about (a sentence, a labelled list line, an FAQ with its question), scored for the
//! question: its kind's sections first, then the words it asks about, then meaning.
//!
//! Units are read from the indexed chunks, so their text is the monograph's own and every
//! unit can be cited by its chunk.

use super::understand::{Question, QuestionType};
use super::Context;
use crate::embed::cosine;
use crate::error::Result;
use crate::index::lexical::terms;
use crate::retrieve::classes::names;
use drugchatter_monograph::SectionKind;
use std::collections::HashSet;

/// A readable piece of a monograph.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Index into the context's libraries.
    pub library: usize,
    /// Index into that library's chunks.
    pub chunk: usize,
    /// Index into that library's drugs.
    pub drug: usize,
    /// As shown: a list line keeps its label, an FAQ its question.
    pub text: String,
    pub kind: SectionKind,
    /// Lower case: the section path, the line's label and an FAQ's question.
    pub context: String,
    pub score: f32,
    /// How well its place fits the question's kind ([`fit`]), kept for deciding coverage.
    pub fit: f32,
    /// Its order among the units of its chunk: a section's first lines say what it is about.
    pub position: usize,
    /// Names the other drug (or class) of a two-drug question.
    pub links_pair: bool,
}

/// A drug a question is about, as evidence sees it: where its units are and how other
/// monographs name it.
pub(crate) struct Subject {
    pub library: usize,
    pub drugs: Vec<usize>,
    /// Lower-case phrases by which monograph text names it (names, brands, classes).
    pub names: Vec<String>,
    /// How answers name it.
    pub title: String,
}

/// Lines of at most this many words are one unit; longer paragraphs are cut into sentences.
const MAX_LINE_WORDS: usize = 70;
/// Units below this many words are labels or fragments.
const MIN_WORDS: usize = 3;
/// How many units by cheap score are compared by meaning.
const EMBEDDED: usize = 32;

/// Words of questions that say nothing about what is asked.
const FILLER: &[&str] = &[
    "they",
    "them",
    "their",
    "theirs",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "what",
    "which",
    "who",
    "whom",
    "when",
    "where",
    "why",
    "how",
    "are",
    "was",
    "were",
    "been",
    "being",
    "have",
    "has",
    "had",
    "did",
    "can",
    "could",
    "would",
    "should",
    "will",
    "may",
    "must",
    "you",
    "your",
    "yours",
    "our",
    "ours",
    "his",
    "her",
    "hers",
    "its",
    "the",
    "and",
    "but",
    "then",
    "than",
    "too",
    "very",
    "not",
    "yes",
    "any",
    "some",
    "all",
    "about",
    "after",
    "before",
    "with",
    "without",
    "for",
    "from",
    "into",
    "onto",
    "over",
    "under",
    "again",
    "once",
    "ive",
    "i've",
    "im",
    "youre",
    "you're",
    "thats",
    "that's",
    "does",
    "doing",
    "anything",
    "something",
    "people",
    "usually",
    "whats",
    "what's",
    "actually",
    "might",
    "each",
    "adult",
    "adults",
    "worked",
    "out",
    "last",
    "normally",
    "generally",
    "typically",
    "person",
    "sure",
    "ever",
    "even",
    "again",
    "week",
    "weeks",
    "ago",
    "lot",
    "fall",
    "come",
    "goes",
    "going",
    "keep",
    "kept",
    "start",
    "started",
    "starting",
    "take",
    "taking",
    "took",
    "use",
    "using",
    "used",
    "safe",
    "okay",
    "medicine",
    "medication",
    "pill",
    "pills",
    "tablet",
    "tablets",
    "drug",
    "drugs",
    "much",
    "many",
    "get",
    "give",
    "need",
    "really",
    "still",
    "usual",
    "normal",
    "doctor",
    "pharmacist",
    "know",
    "want",
    "tell",
    "someone",
    "thing",
    "things",
    "ok",
    "fine",
    "bad",
    "good",
    "day",
    "just",
    "also",
    "like",
    "say",
    "said",
    "mean",
    "way",
    "it's",
    "i'm",
    "dont",
    "don't",
    "does",
    "make",
    "makes",
    "gave",
    "given",
    "prescribed",
    "supposed",
    "went",
    "now",
    "time",
    "right",
    "one",
    "two",
    "year",
    "years",
    "old",
    "son",
    "daughter",
    "mom",
    "dad",
    "wife",
    "husband",
    "friend",
    "body",
    "mg",
    "question",
    "wondering",
    "please",
];

/// Kinds whose sections every monograph has (a dose, how it works, pregnancy…): asked of a
/// drug in the library they are answered, whatever else the question's words say.
fn always_answered(kind: QuestionType, question: &str) -> bool {
    use QuestionType::*;
    let lower = question.to_lowercase();
    let beyond_the_label = ["cost", "price", "insurance", "equivalent", "equal", "same as", "convert", "switch"]
        .iter()
        .any(|c| lower.contains(c));
    match kind {
        AppearanceIngredients | SideEffects | SeriousWarnings | General | WhatIs | Storage => false,
        Dose => !beyond_the_label,
        _ => true,
    }
}

/// Words the kinds of questions are asked with, which say what kind, not what about.
fn kind_words(kind: QuestionType) -> &'static [&'static str] {
    use QuestionType::*;
    match kind {
        Overdose => &["overdose", "much", "many", "accidentally", "extra", "double", "twice"],
        MissedDose => &["miss", "missed", "forgot", "forget", "skip", "skipped", "dose"],
        Stopping => &["stop", "stopping", "quit", "cold", "turkey", "taper", "suddenly", "once", "come", "off"],
        AppearanceIngredients => &["look", "contain", "made"],
        FoodAlcohol => &["drink", "eat", "with"],
        PregnancyBreastfeeding => &["pregnant", "pregnancy", "breastfeeding", "breastfeed", "nursing"],
        DoseKidneyLiver | DoseChild | Dose => {
            &["dose", "dosage", "dosing", "often", "start", "maximum", "max", "inject"]
        }
        OnsetDuration => &["long", "soon", "quickly", "fast", "start", "work", "working", "kick", "effect", "last"],
        Storage => &["store", "storage", "keep"],
        SeriousWarnings => &["dangerous", "serious", "risk", "risks", "warning"],
        SideEffects => &["side", "effect", "effects", "cause", "causes", "common", "usual", "most"],
        Contraindications => &["who", "shouldn't", "should", "not", "can't", "cannot"],
        Interaction => {
            &["interact", "interaction", "interactions", "together", "combine", "mix", "mixing", "with", "affect"]
        }
        Mechanism => &["how", "work", "works", "mechanism", "why"],
        UsedFor => &["used", "for", "treat", "treats", "help", "what"],
        WhatIs => &["what", "about"],
        General => &[],
    }
}

/// Every unit of `subject`'s monographs.
pub(crate) fn units_of(cx: &Context, subject: &Subject) -> Vec<Unit> {
    let index = &cx.libraries[subject.library].index;
    let mut units = Vec::new();
    for (c, chunk) in index.chunks.iter().enumerate() {
        let drug = chunk.drug as usize;
        if !subject.drugs.contains(&drug) {
            continue;
        }
        let path = chunk.section_path.join(" › ").to_lowercase();
        let mut push = |text: String, label: &str| {
            if text.split_whitespace().count() >= MIN_WORDS && !super::prompt::addresses_the_model(&text) {
                let position = units.iter().rev().take_while(|u: &&Unit| u.chunk == c).count();
                units.push(Unit {
                    library: subject.library,
                    chunk: c,
                    drug,
                    text,
                    kind: chunk.section_kind,
                    context: format!("{path} › {}", label.to_lowercase()),
                    score: 0.0,
                    fit: 0.0,
                    position,
                    links_pair: false,
                });
            }
        };
        if let Some(faq) = chunk.text.strip_prefix("Q: ") {
            let (question, answer) = faq.split_once("\nA: ").unwrap_or((faq, ""));
            push(format!("{} {}", question.trim(), answer.trim()), question);
            continue;
        }
        if chunk.section_kind == SectionKind::Usage {
            if let Some(uses) = list_of_uses(&chunk.text, &index.drugs[drug].title) {
                push(uses, "uses");
            }
        }
        let mut header: Option<&str> = None;
        for line in chunk.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(head) = line.strip_suffix(':') {
                header = Some(head);
                continue;
            }
            let label = line_label(line).unwrap_or("");
            // "15 mL/min: 100 mg…" reads only with the line it belongs to.
            let mut line = match header {
                Some(head) if label.starts_with(|c: char| c.is_ascii_digit() || c == '<' || c == '>') => {
                    format!("{head}, {line}")
                }
                Some(head)
                    if ["over ", "under ", "less ", "more ", "below ", "above "]
                        .iter()
                        .any(|p| label.to_lowercase().starts_with(p)) =>
                {
                    format!("{head}, {line}")
                }
                _ => line.to_string(),
            };
            // "NSAIDs: reduced effect" says whose effect only with the drug's name.
            if chunk.section_kind == SectionKind::DrugInteractions && !label.is_empty() {
                line = format!("{} with {}", index.drugs[drug].title, lower_first(&line));
            }
            if line.split_whitespace().count() <= MAX_LINE_WORDS {
                push(line, label);
            } else {
                for sentence in crate::text::sentences(&line) {
                    push(sentence.to_string(), label);
                }
            }
        }
    }
    units
}

/// A usage section's list of conditions as one readable sentence, its lead-in kept:
/// "Imiquimod is a topical cream prescribed for three skin conditions: actinic keratosis
/// (AK); superficial basal cell carcinoma (sBCC); external genital and perianal warts." A
/// list without a lead-in is introduced by the section's own meaning, "<Drug> is used for".
/// Labelled items are cut to their labels when the whole would be too long to read as one.
fn list_of_uses(text: &str, title: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let (lead, start) = match lines.first() {
        Some(first) if first.ends_with(':') => (first.trim_end_matches(':').to_string(), 1),
        _ => (format!("{title} is used for"), 0),
    };
    // The list runs until the prose after it: a sentence about the drug ("It is not…") or
    // the classification line.
    let items: Vec<&str> = lines[start..]
        .iter()
        .take_while(|l| {
            let words = l.split_whitespace().count();
            !l.starts_with("It ")
                && !l.starts_with("Pharmacological Classification")
                && (line_label(l).is_some() || words <= 16)
                && !l.ends_with(':')
        })
        .copied()
        .collect();
    if items.len() < 2 {
        return None;
    }
    let whole = |item: &str| lower_first(item.trim_end_matches('.'));
    let label = |item: &str| line_label(item).map_or_else(|| whole(item), lower_first);
    let joined = |f: &dyn Fn(&str) -> String| items.iter().map(|i| f(i)).collect::<Vec<_>>().join("; ");
    let mut list = joined(&whole);
    if list.split_whitespace().count() > 45 {
        list = joined(&label);
    }
    Some(format!("{lead}: {list}."))
}

/// "Anticoagulants…" → "anticoagulants…", leaving "NSAIDs" and "ACE" as they are.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// The label of a list line, "Kidney impairment" in "Kidney impairment: not recommended…".
fn line_label(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once(": ")?;
    (label.split_whitespace().count() <= 10 && !label.contains(". ") && !rest.is_empty()).then_some(label)
}

/// The last part of a unit's context: its line's label, or its section's heading.
fn label_of(context: &str) -> &str {
    context.rsplit(" › ").find(|part| !part.trim().is_empty()).unwrap_or(context)
}

/// How well a unit's place in the monograph fits the kind of question, 0 to about 1.2.
fn fit(kind: QuestionType, unit: &Unit, question: &str) -> f32 {
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
                if kind == WhatIs {
                    0.9
                } else {
                    0.4
                }
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
            let base = match unit.kind {
                S::Dosage => 1.0,
                S::ProfileSummary if about(&["dosage"]) => 0.5,
                _ if faq_asks(&["how much", "how often", "dose", "how many", "take more", "maximum"]) => 0.95,
                _ => return 0.0,
            };
            match kind {
                DoseChild if child => base + 0.3,
                DoseChild => base * 0.5,
                DoseKidneyLiver if organ(ctx) || organ(&text) => base + 0.3,
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
            let look = ["look", "colo", "imprint", "shape", "pill with", "tablet with"].iter().any(|c| q.contains(c));
            let named: Vec<&str> = [
                "gluten",
                "lactose",
                "gelatin",
                "dye",
                "alcohol",
                "paraben",
                "thimerosal",
                "mercury",
                "pork",
                "latex",
                "egg",
                "sugar",
                "peanut",
                "soy",
            ]
            .into_iter()
            .filter(|c| q.contains(c))
            .collect();
            let states = if look {
                says(&["colour", "color", "imprint", "white", "round", "oval"])
            } else if !named.is_empty() {
                says(&named)
            } else {
                says(&["inactive", "excipient", "ingredient"])
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
        Contraindications => match unit.kind {
            S::Contraindications => 1.0,
            S::Precautions => 0.5,
            S::Faqs => 0.4,
            _ => 0.0,
        },
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
fn leads(question: &Question, unit: &Unit) -> f32 {
    use QuestionType::*;
    let lower = unit.text.to_lowercase();
    let asked = question.text.to_lowercase();
    let opening = match (question.kind, unit.position) {
        (UsedFor | WhatIs | Mechanism, 0) => 0.4,
        (UsedFor | WhatIs | Mechanism, 1) => 0.2,
        _ => 0.0,
    };
    let own_allergy = (lower.contains("hypersensitivity") || lower.contains("allergy to"))
        && lower.split_whitespace().count() <= 14
        && !asked.contains("allerg");
    let allergy = if own_allergy { -0.8 } else { 0.0 };
    let per_day = ["a day", "per day", "in a day", "one day", "max", "most", "24 hours", "limit"];
    let dose = matches!(question.kind, Dose | DoseChild | DoseKidneyLiver);
    let limit = if dose && per_day.iter().any(|c| asked.contains(c)) && super::plan::states_limits(&unit.text) {
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

/// The question's own words: what it asks about, without drug names, filler or the words
/// of its kind.
pub(crate) fn topic_terms(question: &Question, subjects: &[Subject]) -> Vec<String> {
    let skip: HashSet<String> = subjects
        .iter()
        .flat_map(|s| s.names.iter().chain(std::iter::once(&s.title)))
        .flat_map(|n| terms(n))
        .chain(question.named_classes().iter().flat_map(|c| terms(&c.matched)))
        .chain(question.resolutions.iter().flat_map(|r| r.drugs.iter().flat_map(|d| terms(&d.matched))))
        .chain(FILLER.iter().chain(kind_words(question.kind)).flat_map(|w| terms(w)))
        .collect();
    let mut topic: Vec<String> = Vec::new();
    for t in terms(&question.text) {
        if t.len() >= 3 && !skip.contains(&t) && !t.chars().all(|c| c.is_ascii_digit()) && !topic.contains(&t) {
            topic.push(fold(&t));
        }
    }
    topic
}

/// British and American spellings as one.
fn fold(term: &str) -> String {
    term.replace("colour", "color").replace("oedema", "edema").replace("haem", "hem").replace("diarrhoea", "diarrhea")
}

/// Whether a unit's words hold a topic term (or a word it starts, for 5-letter stems:
/// "expired" and "expiry" both hold "expir").
fn holds_term(unit_terms: &HashSet<String>, term: &str) -> bool {
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    unit_terms.contains(term)
        || (term.chars().count() >= 5 && unit_terms.iter().any(|u| u.chars().count() >= 5 && stem(u) == stem(term)))
}

/// Scores every unit for the question and marks those that name the other side of a
/// two-subject question. Sorted best first.
pub(crate) fn score(
    cx: &Context,
    question: &Question,
    query_vector: &[f32],
    subjects: &[Subject],
    topic: &[String],
    mut units: Vec<Unit>,
) -> Result<Vec<Unit>> {
    for unit in &mut units {
        let unit_terms: HashSet<String> = terms(&unit.text).iter().map(|t| fold(t)).collect();
        let lexical = if topic.is_empty() {
            0.0
        } else {
            topic.iter().filter(|t| holds_term(&unit_terms, t)).count() as f32 / topic.len() as f32
        };
        unit.fit = fit(question.kind, unit, &question.text);
        unit.score = 2.0 * unit.fit + lexical + leads(question, unit);
        if subjects.len() == 2 {
            let lower = unit.text.to_lowercase();
            let other = subjects.iter().find(|s| !(s.library == unit.library && s.drugs.contains(&unit.drug)));
            unit.links_pair = other.is_some_and(|o| o.names.iter().any(|n| names(&lower, n)));
            if unit.links_pair {
                unit.score +=
                    if matches!(unit.kind, SectionKind::DrugInteractions | SectionKind::Faqs) { 3.0 } else { 2.0 };
            }
        }
    }
    units.sort_by(|a, b| b.score.total_cmp(&a.score));
    let compared = units.len().min(EMBEDDED);
    if compared > 0 {
        let texts: Vec<&str> = units[..compared].iter().map(|u| u.text.as_str()).collect();
        let vectors = cx.embedder.embed_all(&texts, &mut |_| true)?;
        for (unit, vector) in units.iter_mut().zip(&vectors) {
            unit.score += 1.5 * cosine(query_vector, vector);
        }
        units[..compared].sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    Ok(units)
}

/// Questions about what no monograph of this library holds (price, maker, legal status,
/// drug tests, dose conversions): `(cues in the question, words a unit stating it would
/// have, what the answer says is missing)`.
const BEYOND_THE_LABEL: &[(&[&str], &[&str], &str)] = &[
    (&["who makes", "manufacturer", "what company"], &["manufactur", "made by", "marketed by"], "who makes it"),
    (&["cost", "price", "how much is the", "expensive", "coupon", "insurance"], &["cost", "price", "$"], "its price"),
    (
        &["controlled substance", "scheduled drug", "schedule ii", "schedule iv"],
        &["controlled substance", "schedule i", "schedule v"],
        "whether it is a controlled substance",
    ),
    (
        &["drug test", "drug screen", "urine test", "show up on"],
        &["drug test", "drug screen", "urine test"],
        "drug tests",
    ),
    (
        &["equivalent", "equals", "is the same", "same dose as", "convert", "conversion"],
        &["equivalent", "convert", "conversion"],
        "dose conversions",
    ),
];

/// What the question asks that the monographs do not hold, when it asks about one of
/// [`BEYOND_THE_LABEL`].
pub(crate) fn beyond_the_monographs(question: &Question, units: &[Unit]) -> Option<&'static str> {
    let q = question.text.to_lowercase();
    let (_, evidence, asked) = BEYOND_THE_LABEL.iter().find(|(cues, _, _)| cues.iter().any(|c| q.contains(c)))?;
    let stated = units.iter().any(|u| {
        let lower = u.text.to_lowercase();
        evidence.iter().any(|e| lower.contains(e))
    });
    (!stated).then_some(*asked)
}

/// Whether the monographs state what the question asks: some unit of theirs holds a word
/// it asks about. `None` when the question asks nothing beyond its kind.
pub(crate) fn states_the_asked(question: &Question, topic: &[String], units: &[Unit]) -> Option<bool> {
    // Not every monograph says how it is stored or what it looks like: only a unit that
    // does answers.
    if matches!(question.kind, QuestionType::AppearanceIngredients | QuestionType::Storage)
        && !units.iter().any(|u| u.fit >= 1.0)
    {
        return Some(false);
    }
    if topic.is_empty() || always_answered(question.kind, &question.text) {
        return None;
    }
    // A unit's headings count too: "common" is in "Common Side Effects", not in its lines.
    Some(units.iter().any(|u| {
        let unit_terms: HashSet<String> = terms(&u.text).iter().chain(&terms(&u.context)).map(|t| fold(t)).collect();
        topic.iter().any(|t| holds_term(&unit_terms, t))
    }))
}

/// The words a question asks about, for saying what the library lacks.
pub(crate) fn asked_words(question: &Question, topic: &[String]) -> Vec<String> {
    crate::text::words(&question.text).into_iter().filter(|w| topic.contains(&fold(&terms(w).concat()))).collect()
}
