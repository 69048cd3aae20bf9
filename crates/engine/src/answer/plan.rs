//! Stage 3, plan: whether the library can answer, and from which sentences. The question's
//! subjects (drugs, or a class's members) give the units of evidence; the best of them for
//! the question's kind lead; a two-drug question leads with the lines that link the two; a
//! fact the monographs do not state is said to be missing, with at most two related facts.

use super::evidence::{self, Subject, Unit};
use super::retrieve::Retrieved;
use super::understand::{Question, QuestionType};
use super::{Candidate, Clarification, Context, Coverage, Source};
use crate::error::Result;
use crate::retrieve::{without_salts, Hit, Intent, MatchKind, Passage, ResolvedDrug};

pub(crate) enum Plan {
    /// The question names no drug the library has, or nothing of them was found.
    Abstain {
        drugs: Vec<ResolvedDrug>,
        unknown: Vec<String>,
    },
    /// The question names a class where it needs one medicine.
    Clarify(Clarification),
    Answer(Evidence),
}

/// What an answer is drawn from.
pub(crate) struct Evidence {
    pub drugs: Vec<ResolvedDrug>,
    /// The sections the question asks about.
    pub intents: Vec<Intent>,
    /// The question's embedding.
    pub query_vector: Vec<f32>,
    /// The passages of the chosen units, holding only those units' text: `[1]` is the
    /// first unit's.
    pub sources: Vec<Source>,
    /// The chosen units, best first, each with its source number.
    pub chosen: Vec<Chosen>,
    pub coverage: Coverage,
}

pub(crate) struct Chosen {
    pub text: String,
    pub source: usize,
    pub related: bool,
}

/// Supporting sentences follow the first only when they fit the question nearly as well.
const SUPPORT_MARGIN: f32 = 1.6;
/// Most sentences in an answer: the first and two supporting ones.
const MOST_SENTENCES: usize = 3;
/// Most related facts after saying the library lacks the answer.
const MOST_RELATED: usize = 2;
/// Words of a dose line that state its limits.
const LIMITS: &[&str] = &[
    "maximum",
    "max ",
    "do not exceed",
    "not exceed",
    "no more than",
    "up to",
    "per day",
    "in 24 hours",
    "a day",
    "limit",
    "days",
];

pub(crate) fn plan(cx: &Context, question: &Question, retrieved: Retrieved) -> Result<Plan> {
    let Retrieved { results, query_vector } = retrieved;
    let classes = question.named_classes();
    let subjects = subjects(cx, question);
    let topic = evidence::topic_terms(question, &subjects);
    let class_only = !subjects.is_empty() && question.resolutions.iter().all(|r| r.drugs.is_empty());
    if subjects.is_empty() || class_only && needs_which_one(question, &topic) {
        // A class where one medicine is needed: ask which.
        if let Some(class) = classes.first() {
            let library = question.classes.iter().position(|c| c.iter().any(|n| n.name == class.name)).unwrap_or(0);
            let catalog = &cx.libraries[library].catalog;
            let mut candidates: Vec<Candidate> = class
                .members
                .iter()
                .map(|&m| {
                    let drug = catalog.resolved(m, &class.matched, MatchKind::Class);
                    Candidate { slug: drug.slug, title: drug.title, library: drug.library }
                })
                .collect();
            candidates.sort_by(|a, b| a.title.cmp(&b.title));
            return Ok(Plan::Clarify(Clarification {
                matched: class.matched.clone(),
                name: class.name.clone(),
                candidates,
            }));
        }
        return Ok(Plan::Abstain { drugs: results.drugs, unknown: results.unknown_drugs });
    }
    let units: Vec<Unit> = subjects.iter().flat_map(|s| evidence::units_of(cx, s)).collect();
    if units.is_empty() {
        return Ok(Plan::Abstain { drugs: results.drugs, unknown: results.unknown_drugs });
    }
    let units = evidence::score(cx, question, &query_vector, &subjects, &topic, units)?;
    let (picked, coverage) = choose(question, &subjects, &topic, &units);

    let mut drugs = results.drugs;
    for unit in &picked {
        let catalog = &cx.libraries[unit.library].catalog;
        let name = &cx.libraries[unit.library].index.drugs[unit.drug].slug;
        if !drugs.iter().any(|d| &d.slug == name) {
            let matched = classes.first().map(|c| c.matched.as_str()).unwrap_or_default();
            drugs.push(catalog.resolved(unit.drug, matched, MatchKind::Class));
        }
    }
    let (sources, mut chosen) = sources_of(cx, &picked);
    if coverage != Coverage::Covered {
        chosen.iter_mut().for_each(|c| c.related = true);
    }
    Ok(Plan::Answer(Evidence { drugs, intents: results.intents, query_vector, sources, chosen, coverage }))
}

/// The drugs or classes a question is about, as evidence reads them. A class counts when
/// no drug is named, or as the other side of a one-drug interaction question.
fn subjects(cx: &Context, question: &Question) -> Vec<Subject> {
    let mut subjects: Vec<Subject> = Vec::new();
    for (l, resolution) in question.resolutions.iter().enumerate() {
        for drug in &resolution.drugs {
            subjects.push(Subject {
                library: l,
                drugs: vec![drug.index],
                names: names_of(cx, l, drug.index),
                own_names: own_names_of(cx, l, drug.index),
                title: drug.title.clone(),
            });
        }
    }
    let named = question.named_classes();
    let class_side = subjects.is_empty() || subjects.len() == 1 && question.kind == QuestionType::Interaction;
    if class_side {
        if let Some(class) = named.first() {
            let library = question.classes.iter().position(|c| c.iter().any(|n| n.name == class.name)).unwrap_or(0);
            subjects.push(Subject {
                library,
                drugs: class.members.clone(),
                names: class.terms.iter().map(|t| t.to_string()).collect(),
                own_names: Vec::new(),
                title: class.name.clone(),
            });
        }
    }
    subjects
}

/// Whether a question about a class needs to know which member is meant: a dose, a missed
/// dose or storage differ by member; "my blood thinner" is one medicine; and a question with
/// nothing to ask beyond the class ("are steroids bad for you") is too broad to answer from
/// one line. A shared property ("do statins cause muscle pain") is answered across members.
fn needs_which_one(question: &Question, topic: &[String]) -> bool {
    let lower = question.text.to_lowercase();
    let possessive = question.named_classes().iter().any(|class| {
        lower.find(&class.matched).is_some_and(|at| {
            let before: Vec<&str> = lower[..at].split_whitespace().rev().take(2).collect();
            before.contains(&"my")
        })
    });
    // Pregnancy, food, stopping… are themselves the question; "side effects" of a whole
    // class with nothing more asked is not.
    let broad = matches!(
        question.kind,
        QuestionType::General
            | QuestionType::SideEffects
            | QuestionType::SeriousWarnings
            | QuestionType::WhatIs
            | QuestionType::UsedFor
    );
    (question.kind.needs_one_drug() && question.kind != QuestionType::General)
        || possessive
        || broad && topic.is_empty()
}

/// How monograph text names a drug: its title and brands (salts left off), the distinctive
/// words of a combination's title, and its classes.
fn names_of(cx: &Context, library: usize, drug: usize) -> Vec<String> {
    let mut names = own_names_of(cx, library, drug);
    names.extend(cx.libraries[library].classes.terms_of(drug).into_iter().map(str::to_string));
    names.sort();
    names.dedup();
    names
}

/// The names that are the drug's own, not its classes'.
fn own_names_of(cx: &Context, library: usize, drug: usize) -> Vec<String> {
    let record = &cx.libraries[library].index.drugs[drug];
    let mut names: Vec<String> = std::iter::once(&record.title)
        .chain(&record.synonyms)
        .map(|n| without_salts(n).to_lowercase())
        .filter(|n| n.len() >= 4)
        .collect();
    let words = crate::text::words(&record.title);
    if words.len() > 1 {
        names.extend(words.into_iter().filter(|w| w.len() >= 6 && w != "vaccine" && w != "insulin"));
    }
    names
}

/// The units an answer shows, best first, and whether they answer or are only related.
fn choose<'u>(
    question: &Question,
    subjects: &[Subject],
    topic: &[String],
    units: &'u [Unit],
) -> (Vec<&'u Unit>, Coverage) {
    let related = |units: &'u [Unit]| units.iter().take(MOST_RELATED).collect::<Vec<_>>();
    let not_covered =
        |asked: Vec<String>| Coverage::NotCovered { drugs: subjects.iter().map(|s| s.title.clone()).collect(), asked };
    if let Some(asked) = evidence::beyond_the_monographs(question, units) {
        return (related(units), not_covered(vec![asked.to_string()]));
    }
    if subjects.len() == 2 && question.kind == QuestionType::Interaction {
        // The line of each side that names the other first, the better one leading.
        let mut linking: Vec<&Unit> = Vec::new();
        for subject in subjects {
            let own = |u: &&Unit| u.library == subject.library && subject.drugs.contains(&u.drug);
            if let Some(best) = units.iter().filter(own).find(|u| u.links_pair) {
                linking.push(best);
            }
        }
        if linking.is_empty() {
            let coverage =
                Coverage::PairNotLinked { first: subjects[0].title.clone(), second: subjects[1].title.clone() };
            return (related(units), coverage);
        }
        linking.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut picked = linking.clone();
        picked.extend(units.iter().filter(|u| u.links_pair && !linking.iter().any(|l| std::ptr::eq(*l, *u))));
        picked.truncate(MOST_SENTENCES);
        return (picked, Coverage::Covered);
    }
    if evidence::states_the_asked(question, topic, units) == Some(false) {
        return (related(units), not_covered(evidence::asked_words(question, topic)));
    }
    let best = &units[0];
    let mut picked = vec![best];
    // A child's dose for another age is beside the point ("12 to 23 months" for a 4-year-old).
    let age = if question.kind == QuestionType::DoseChild {
        evidence::age_asked(&question.text.to_lowercase())
    } else {
        None
    };
    let other_age = |unit: &Unit| {
        age.is_some_and(|age| evidence::age_band(&unit.text).is_some_and(|(low, high)| !(low..=high).contains(&age)))
    };
    let dose = matches!(question.kind, QuestionType::Dose | QuestionType::DoseChild | QuestionType::DoseKidneyLiver);
    // A dose answer carries the limits its source states.
    if dose && !states_limits(&best.text) {
        let limit =
            units.iter().skip(1).take(12).find(|u| u.chunk == best.chunk && states_limits(&u.text) && !other_age(u));
        if let Some(limit) = limit {
            picked.push(limit);
        }
    }
    let class_answer = subjects.len() > 1 || subjects.iter().any(|s| s.drugs.len() > 1);
    for unit in units.iter().skip(1) {
        if picked.len() >= MOST_SENTENCES || unit.score < best.score - SUPPORT_MARGIN {
            break;
        }
        // A list read as one sentence already holds its lines (or their labels); to a
        // question on what it is used for, the prose after it ("It is widely used
        // off-label for…") is still to say.
        let listed = picked.iter().any(|p| {
            p.chunk == unit.chunk
                && p.context.ends_with("› uses")
                && (question.kind != QuestionType::UsedFor || holds_item(p, unit))
        });
        let repeats = listed || picked.iter().any(|p| super::verify::word_overlap(&unit.text, &p.text) >= 0.6);
        // Across a class, each member says its own line.
        let same_drug = class_answer && picked.iter().any(|p| p.drug == unit.drug);
        if !repeats && !same_drug && !other_age(unit) && !picked.iter().any(|p| std::ptr::eq(*p, unit)) {
            picked.push(unit);
        }
    }
    (picked, Coverage::Covered)
}

/// Whether the usage list `list` already holds `unit`'s line, whole or by its label.
fn holds_item(list: &Unit, unit: &Unit) -> bool {
    let item = unit.text.trim_end_matches('.').to_lowercase();
    let label = item.split_once(": ").map_or(item.as_str(), |(label, _)| label);
    list.text.to_lowercase().contains(label)
}

pub(crate) fn states_limits(text: &str) -> bool {
    let lower = text.to_lowercase();
    LIMITS.iter().any(|l| lower.contains(l))
}

/// The sources the chosen units cite: one per chunk, holding only the chosen units' text,
/// numbered in the order the answer first cites them.
fn sources_of(cx: &Context, picked: &[&Unit]) -> (Vec<Source>, Vec<Chosen>) {
    let mut sources: Vec<(usize, usize, Source)> = Vec::new();
    let mut chosen = Vec::new();
    for unit in picked {
        let n = match sources.iter().position(|(l, c, _)| *l == unit.library && *c == unit.chunk) {
            Some(i) => {
                let text = &mut sources[i].2.passage.text;
                text.push(' ');
                text.push_str(&unit.text);
                i + 1
            }
            None => {
                let mut passage = Passage::of_chunk(&cx.libraries[unit.library].index, unit.chunk);
                passage.text = unit.text.clone();
                sources.push((unit.library, unit.chunk, Source { n: sources.len() + 1, passage }));
                sources.len()
            }
        };
        chosen.push(Chosen { text: unit.text.clone(), source: n, related: false });
    }
    (sources.into_iter().map(|(_, _, s)| s).collect(), chosen)
}

pub(crate) fn sources_from_hits(hits: &[Hit]) -> Vec<Source> {
    hits.iter().enumerate().map(|(i, h)| Source { n: i + 1, passage: h.passage.clone() }).collect()
}
