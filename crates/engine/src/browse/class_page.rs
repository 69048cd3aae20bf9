//! A drug class's page: its members, and the interactions and warnings that two or more
//! members state, each shown as every member's own line, cited to its passage.
//!
//! Nothing here is written by the engine: a shared fact is a group of monograph lines, and
//! its topic is a class's name or the words of a line's own label. Interaction lines group
//! by what they name ("NSAIDs (including COX-2 inhibitors)" and "NSAIDs" are one topic,
//! and so are "ARBs" and "angiotensin receptor blockers"); warning lines group by their
//! label, or else by sharing most of their content words.

use super::DrugSummary;
use crate::chunk::Chunk;
use crate::error::{Error, Result};
use crate::index::lexical::terms;
use crate::library::Library;
use crate::retrieve::class_named_by;
use drugchatter_monograph::{SectionKind, Span};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Share of content words two warning lines without a common label must have in common
/// (Dice coefficient) to state the same thing.
const SAME_WARNING: f32 = 0.5;
/// Topics shown per list, most widely stated first.
const MAX_TOPICS: usize = 15;

/// A class as a list of classes shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClassSummary {
    /// How answers name it: "ACE inhibitors".
    pub name: String,
    pub members: usize,
}

/// A class's page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClassPage {
    pub name: String,
    /// The members in every library, sorted by title.
    pub members: Vec<DrugSummary>,
    /// Medicines and classes that two or more members' interaction lists name.
    pub interactions: Vec<SharedFact>,
    /// Contraindications, boxed and other warnings, and serious side effects that two or
    /// more members state alike.
    pub warnings: Vec<SharedFact>,
}

/// One fact that several members state, as each states it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SharedFact {
    /// What the lines are about: the medicine or class an interaction names, or a warning
    /// line's label; `None` for warning lines without a common label.
    pub topic: Option<String>,
    /// One line per member, in member order.
    pub lines: Vec<MemberLine>,
}

/// A member's own line, with the passage that holds it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberLine {
    pub drug: String,
    pub drug_slug: String,
    pub library: String,
    /// The passage's headings: "Drug Interactions".
    pub section: String,
    /// The passage's byte range in the member's source file, as citations give it.
    pub span: Span,
    pub text: String,
}

/// Every class with members in any library, sorted by name.
pub fn classes(libraries: &[Library]) -> Vec<ClassSummary> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for library in libraries {
        for (name, members) in library.classes.classes() {
            *counts.entry(name.to_string()).or_default() += members.len();
        }
    }
    let mut all: Vec<ClassSummary> = counts.into_iter().map(|(name, members)| ClassSummary { name, members }).collect();
    all.sort_by_key(|c| c.name.to_lowercase());
    all
}

/// The page of the class named `name` (as [`classes`] names it).
pub fn class_page(libraries: &[Library], name: &str) -> Result<ClassPage> {
    // The class as the list names it, and its members in every library.
    let mut canonical = None;
    let mut members: Vec<(&Library, usize)> = Vec::new();
    for library in libraries {
        for (class, drugs) in library.classes.classes().filter(|(class, _)| class.eq_ignore_ascii_case(name)) {
            canonical = Some(class);
            members.extend(drugs.iter().map(|&d| (library, d)));
        }
    }
    let Some(canonical) = canonical else {
        return Err(Error::NoSuchClass(name.to_string()));
    };
    members.sort_by_key(|(library, d)| library.index.drugs[*d].title.to_lowercase());
    let lines: Vec<Vec<Line>> = members.iter().map(|&(library, drug)| lines_of(library, drug)).collect();
    let needed = members.len().min(2);
    Ok(ClassPage {
        name: canonical.to_string(),
        members: members.iter().map(|&(library, d)| DrugSummary::of(&library.index.drugs[d])).collect(),
        interactions: shared(group_interactions(&lines), needed),
        warnings: shared(group_warnings(&lines), needed),
    })
}

/// A line of a member's monograph that may be shared.
struct Line {
    kind: Kind,
    /// The line's label ("NSAIDs (including COX-2 inhibitors)" in "NSAIDs (…): weaker…").
    label: Option<String>,
    shown: MemberLine,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Interaction,
    Warning,
}

fn lines_of(library: &Library, drug: usize) -> Vec<Line> {
    let record = &library.index.drugs[drug];
    let mut lines = Vec::new();
    for chunk in library.index.chunks.iter().filter(|c| c.drug as usize == drug) {
        let Some(kind) = kind_of(chunk) else { continue };
        for text in chunk.text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.ends_with(':')) {
            if text.split_whitespace().count() < 3 {
                continue;
            }
            lines.push(Line {
                kind,
                label: label_of(text).map(str::to_string),
                shown: MemberLine {
                    drug: record.title.clone(),
                    drug_slug: record.slug.clone(),
                    library: record.library.clone(),
                    section: chunk.section_label(),
                    span: chunk.span,
                    text: text.to_string(),
                },
            });
        }
    }
    lines
}

/// The sections whose lines a class page compares: interactions, and the warnings.
fn kind_of(chunk: &Chunk) -> Option<Kind> {
    let serious = chunk.section_path.iter().any(|h| h.to_lowercase().contains("serious"));
    match chunk.section_kind {
        SectionKind::DrugInteractions => Some(Kind::Interaction),
        SectionKind::Contraindications | SectionKind::BoxedWarning | SectionKind::Precautions => Some(Kind::Warning),
        SectionKind::SideEffects if serious => Some(Kind::Warning),
        _ => None,
    }
}

/// "Kidney impairment" in "Kidney impairment: not recommended…".
fn label_of(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once(": ")?;
    (label.split_whitespace().count() <= 12 && !label.contains(". ") && !rest.is_empty()).then_some(label)
}

/// A topic and the lines stating it, at most one per member.
struct Group {
    topic: Option<String>,
    key: String,
    terms: HashSet<String>,
    lines: Vec<MemberLine>,
    members: Vec<usize>,
}

impl Group {
    fn add(&mut self, member: usize, line: &MemberLine) {
        if !self.members.contains(&member) {
            self.members.push(member);
            self.lines.push(line.clone());
        }
    }
}

/// Interaction lines grouped by each medicine or class their label names.
fn group_interactions(lines: &[Vec<Line>]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (member, line) in numbered(lines).filter(|(_, l)| l.kind == Kind::Interaction) {
        let Some(label) = &line.label else { continue };
        for named in agents(label) {
            let (topic, key) = match class_named_by(&named) {
                Some(class) => (class.to_string(), format!("class:{class}")),
                None => (named.clone(), terms(&named).join(" ")),
            };
            if key.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|g| g.key == key) {
                Some(group) => group.add(member, &line.shown),
                None => {
                    let mut group = Group {
                        topic: Some(topic),
                        key,
                        terms: HashSet::new(),
                        lines: Vec::new(),
                        members: Vec::new(),
                    };
                    group.add(member, &line.shown);
                    groups.push(group);
                }
            }
        }
    }
    groups
}

/// The medicines and classes one interaction label names: "Potassium-sparing diuretics,
/// potassium supplements, salt substitutes" names three; "mTOR inhibitors (sirolimus,
/// everolimus) and neprilysin inhibitors" two.
fn agents(label: &str) -> Vec<String> {
    let plain = crate::text::without_asides(label);
    plain
        .replace(" and ", ",")
        .replace(" or ", ",")
        .replace(['/', ';'], ",")
        .split(',')
        .map(|part| {
            let part = part.trim();
            let part = part.strip_prefix("other ").or_else(|| part.strip_prefix("Other ")).unwrap_or(part);
            part.trim().to_string()
        })
        .filter(|part| !part.is_empty())
        .collect()
}

/// Warning lines grouped by a common label, or else by most of their content words.
fn group_warnings(lines: &[Vec<Line>]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (member, line) in numbered(lines).filter(|(_, l)| l.kind == Kind::Warning) {
        let drug_words = terms(&line.shown.drug);
        let words: HashSet<String> = terms(&line.shown.text).into_iter().filter(|w| !drug_words.contains(w)).collect();
        let key = line.label.as_deref().map(|l| terms(l).join(" ")).unwrap_or_default();
        let best = groups
            .iter_mut()
            .filter(|g| !g.members.contains(&member))
            .map(|g| {
                let same_label = !key.is_empty() && g.key == key;
                let score = if same_label { 1.0 } else { dice(&g.terms, &words) };
                (score, g)
            })
            .filter(|(score, _)| *score >= SAME_WARNING)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, group)) => group.add(member, &line.shown),
            None => {
                let mut group =
                    Group { topic: line.label.clone(), key, terms: words, lines: Vec::new(), members: Vec::new() };
                group.add(member, &line.shown);
                groups.push(group);
            }
        }
    }
    groups
}

fn numbered(lines: &[Vec<Line>]) -> impl Iterator<Item = (usize, &Line)> {
    lines.iter().enumerate().flat_map(|(member, lines)| lines.iter().map(move |line| (member, line)))
}

fn dice(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f32 / (a.len() + b.len()) as f32
}

/// The groups stated by at least `needed` members, most widely stated first. Topics that
/// the very same lines name are one ("ARBs, aliskiren").
fn shared(groups: Vec<Group>, needed: usize) -> Vec<SharedFact> {
    let mut kept: Vec<Group> = Vec::new();
    for group in groups.into_iter().filter(|g| g.members.len() >= needed.max(1)) {
        let same = |g: &&mut Group| g.lines.iter().map(|l| &l.text).eq(group.lines.iter().map(|l| &l.text));
        match kept.iter_mut().find(|g| same(g)) {
            Some(earlier) => {
                if let (Some(topic), Some(more)) = (&mut earlier.topic, group.topic) {
                    topic.push_str(", ");
                    topic.push_str(&more);
                }
            }
            None => kept.push(group),
        }
    }
    // Stable: equally shared topics keep the order the first member states them in.
    kept.sort_by_key(|g| std::cmp::Reverse(g.members.len()));
    kept.truncate(MAX_TOPICS);
    kept.into_iter()
        .map(|mut g| {
            let mut order: Vec<(usize, MemberLine)> = g.members.drain(..).zip(g.lines.drain(..)).collect();
            order.sort_by_key(|(member, _)| *member);
            SharedFact { topic: g.topic, lines: order.into_iter().map(|(_, line)| line).collect() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interaction_label_names_each_medicine_once_without_its_examples() {
        assert_eq!(
            agents("mTOR inhibitors (sirolimus, everolimus, temsirolimus) and neprilysin inhibitors"),
            ["mTOR inhibitors", "neprilysin inhibitors"]
        );
        assert_eq!(
            agents("Angiotensin receptor blockers, other ACE inhibitors, aliskiren"),
            ["Angiotensin receptor blockers", "ACE inhibitors", "aliskiren"]
        );
        assert_eq!(agents("Insulin and oral diabetes drugs"), ["Insulin", "oral diabetes drugs"]);
    }

    #[test]
    fn class_names_in_labels_are_one_topic_however_written() {
        assert_eq!(class_named_by("NSAIDs"), Some("NSAIDs"));
        assert_eq!(class_named_by("nonsteroidal anti-inflammatory drugs"), Some("NSAIDs"));
        assert_eq!(class_named_by("ARBs"), class_named_by("Angiotensin receptor blockers"));
        assert_eq!(class_named_by("Lithium"), None);
    }
}
