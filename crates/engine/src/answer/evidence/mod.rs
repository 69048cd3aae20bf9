//! Evidence at the level of sentences: every readable unit of the monographs a question is
//! about (a sentence, a labelled list line, an FAQ with its question), scored for the
//! question: its kind's sections first, then the words it asks about, then meaning.
//!
//! Units are read from the indexed chunks, so their text is the monograph's own and every
//! unit can be cited by its chunk.

mod ages;
mod coverage;
mod fit;
mod topic;
mod units;

pub(crate) use ages::{age_asked, age_band};
pub(crate) use coverage::{asked_words, beyond_the_monographs, states_the_asked};
pub(crate) use topic::topic_terms;
pub(crate) use units::units_of;

use super::understand::Question;
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
    /// Of those, the drug's own names, not its classes': a line naming the drug itself
    /// ("with low-dose aspirin") is more to the point than one naming its class ("NSAIDs").
    pub own_names: Vec<String>,
    /// How answers name it.
    pub title: String,
}

/// What an FAQ whose question is the one asked adds to its score: its answer leads,
/// whatever section the question's kind points to ("how do I know if my potassium is too
/// high" reads like a question on how it works, and the FAQ "How will I know if my
/// potassium is too high?" answers it).
const FAQ_ASKED: f32 = 3.0;
/// Share of an FAQ question's own words (drug names aside) the asked question must hold,
/// more than: all of up to five ("Will a steroid injection raise my blood sugar?" does not
/// ask "do steroid pills raise your blood sugar").
const FAQ_WORDS_ASKED: f32 = 0.8;

/// Whether `unit`, an FAQ, asks what the question asks: it has at least two words
/// besides the drug's names, and the question holds nearly all of them.
fn asks_this_faq(
    unit: &Unit,
    asked: &HashSet<String>,
    name_words: &HashSet<String>,
    own_name: &HashSet<String>,
) -> bool {
    // A class member's FAQ names the member ("Why does lisinopril make me cough?") where
    // the question names the class ("why do ACE inhibitors make people cough").
    let faq: HashSet<String> = terms(units::label_of(&unit.context))
        .iter()
        .map(|t| fold(t))
        .filter(|t| !name_words.contains(t) && !own_name.contains(t))
        .collect();
    faq.len() >= 2 && faq.iter().filter(|t| asked.contains(*t)).count() as f32 > FAQ_WORDS_ASKED * faq.len() as f32
}

/// How many units by cheap score are compared by meaning.
const EMBEDDED: usize = 32;

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
    let name_words: HashSet<String> = subjects.iter().flat_map(|s| s.names.iter().flat_map(|n| terms(n))).collect();
    let asked_terms: HashSet<String> = terms(&question.text).iter().map(|t| fold(t)).collect();
    for unit in &mut units {
        let unit_terms: HashSet<String> = terms(&unit.text).iter().map(|t| fold(t)).collect();
        let lexical = if topic.is_empty() {
            0.0
        } else {
            topic.iter().filter(|t| holds_term(&unit_terms, t)).count() as f32 / topic.len() as f32
        };
        unit.fit = fit::fit(question.kind, unit, &question.text);
        unit.score = 2.0 * unit.fit + lexical + fit::leads(question, unit);
        if unit.kind == SectionKind::Faqs {
            // Not when the question named its own examples: another member's FAQ is beside them.
            let own_name: HashSet<String> = if question.examples_named {
                HashSet::new()
            } else {
                terms(&cx.libraries[unit.library].index.drugs[unit.drug].title).into_iter().collect()
            };
            if asks_this_faq(unit, &asked_terms, &name_words, &own_name) {
                unit.score += FAQ_ASKED;
            }
        }
        if subjects.len() == 2 {
            let lower = unit.text.to_lowercase();
            let other = subjects.iter().find(|s| !(s.library == unit.library && s.drugs.contains(&unit.drug)));
            unit.links_pair = other.is_some_and(|o| o.names.iter().any(|n| names(&lower, n)));
            if unit.links_pair {
                unit.score +=
                    if matches!(unit.kind, SectionKind::DrugInteractions | SectionKind::Faqs) { 3.0 } else { 2.0 };
                if other.is_some_and(|o| o.own_names.iter().any(|n| names(&lower, n))) {
                    unit.score += 0.5;
                }
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
