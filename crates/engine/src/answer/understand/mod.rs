//! Stage 1, understand: what the question is, what kind of answer it wants, and which
//! drugs or drug classes it is about, including the drugs a follow-up carries over from
//! the previous turn.

mod question_type;

pub use question_type::QuestionType;
pub(crate) use question_type::SWITCHING;

use super::{Context, Conversation};
use crate::retrieve::{NamedClass, Resolution};

/// Most characters in a question; longer input is refused with a message.
pub const MAX_QUESTION_CHARS: usize = 2_000;

/// Why a question is refused before any work. The one rule every client relies on: the CLI
/// and the app only show this error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionProblem {
    #[error("the question is empty: ask about a medicine")]
    Empty,
    #[error("the question is {chars} characters long; keep it under {max} characters")]
    TooLong { chars: usize, max: usize },
}

/// A question, cleaned, with the drugs each library found in it.
pub(crate) struct Question {
    pub text: String,
    /// `resolutions[i]` belongs to the context's `libraries[i]`.
    pub resolutions: Vec<Resolution>,
    /// The question named no drug and the previous turn's drugs stand in.
    pub carried_over: bool,
    pub kind: QuestionType,
    /// The drug classes the question names, per library like `resolutions`.
    pub classes: Vec<Vec<NamedClass>>,
    /// The question named medicines as examples of a class ("zyrtec, claritin or allegra"),
    /// so it is about the class, but not about every member alike.
    pub examples_named: bool,
}

impl Question {
    /// The classes named, once each (the first library that has members).
    pub fn named_classes(&self) -> Vec<&NamedClass> {
        let mut named: Vec<&NamedClass> = Vec::new();
        for class in self.classes.iter().flatten() {
            if !named.iter().any(|n| n.name == class.name) {
                named.push(class);
            }
        }
        named
    }
}

/// Removes control characters (keeping line breaks as spaces) and trims.
pub fn sanitize_question(question: &str) -> String {
    let cleaned: String = question.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    crate::text::collapse_spaces(&cleaned)
}

/// The question as the engine will answer it, or why it is refused.
pub fn check_question(question: &str) -> Result<String, QuestionProblem> {
    let question = sanitize_question(question);
    if question.is_empty() {
        return Err(QuestionProblem::Empty);
    }
    let chars = question.chars().count();
    if chars > MAX_QUESTION_CHARS {
        return Err(QuestionProblem::TooLong { chars, max: MAX_QUESTION_CHARS });
    }
    Ok(question)
}

pub(crate) fn understand(cx: &Context, question: &str, conversation: &Conversation) -> crate::Result<Question> {
    let text = check_question(question)?;
    let mut resolutions: Vec<Resolution> = cx.libraries.iter().map(|l| l.catalog.resolve(&text)).collect();
    let classes: Vec<Vec<NamedClass>> = cx.libraries.iter().map(|l| l.classes.named_in(&text)).collect();
    // A follow-up that names a medicine the library lacks, or a class, is not about the
    // previous turn's drugs.
    let carried_over = resolutions.iter().all(|r| r.drugs.is_empty() && r.unknown.is_empty())
        && classes.iter().all(Vec::is_empty)
        && !conversation.drugs.is_empty();
    if carried_over {
        for (library, resolution) in cx.libraries.iter().zip(&mut resolutions) {
            resolution.drugs = conversation.drugs.iter().filter(|d| d.library == library.name).cloned().collect();
        }
    }
    let named_before: usize = resolutions.iter().map(|r| r.drugs.len()).sum();
    let classes = classes_asked_about(&text, &mut resolutions, classes);
    let examples_named = named_before > 0 && resolutions.iter().all(|r| r.drugs.is_empty());
    let named =
        resolutions.iter().map(|r| r.drugs.len()).sum::<usize>() + usize::from(classes.iter().any(|c| !c.is_empty()));
    let kind = question_type::detect(&text, named);
    Ok(Question { text, resolutions, carried_over, kind, classes, examples_named })
}

/// The classes a question asks about, beside the drugs it names:
/// - a class word inside a drug's own name ("vaccine" in "COVID mRNA vaccine"), or right
///   after it ("my formoterol inhaler"), is the drug;
/// - drugs named as examples of a class ("SGLT2 inhibitors like Jardiance and Farxiga") make
///   a question about the class, so they leave `resolutions` and the class stays;
/// - otherwise a class beside a drug is a second medicine only when the question asks how
///   the two go together ("can I take a statin with…"); "trazodone… an antidepressant?" asks
///   about trazodone.
fn classes_asked_about(
    text: &str,
    resolutions: &mut [Resolution],
    mut classes: Vec<Vec<NamedClass>>,
) -> Vec<Vec<NamedClass>> {
    let lower = text.to_lowercase();
    for (resolution, named) in resolutions.iter_mut().zip(&mut classes) {
        named.retain(|class| {
            !resolution.drugs.iter().any(|d| {
                let drug = d.matched.to_lowercase();
                drug.contains(&class.matched) || lower.contains(&format!("{drug} {}", class.matched))
            })
        });
        if resolution.drugs.is_empty() || named.is_empty() {
            continue;
        }
        let as_examples = resolution.drugs.len() >= 2 || lower.contains(" like ") || lower.contains("such as");
        let examples =
            as_examples && named.iter().any(|class| resolution.drugs.iter().all(|d| class.members.contains(&d.index)));
        if examples && !question_type::names_combining(&lower) {
            resolution.drugs.clear();
        } else if !question_type::asks_how_they_combine(&lower) {
            named.clear();
        }
    }
    classes
}
