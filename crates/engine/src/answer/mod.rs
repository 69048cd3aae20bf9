//! Grounded answers: retrieval → a prompt of numbered sources → streamed generation →
//! sentence-level verification → the answer shown, or a quoted (extractive) answer, or an
//! abstention. A sentence is never shown as fact unless it passed verification.

pub mod citation_decoding;
pub mod copy;
pub mod extractive;
pub mod numbers;
pub mod prompt;
pub mod safety;
pub mod verify;

use crate::retrieve::{Hit, Passage, ResolvedDrug};
use serde::Serialize;

pub use verify::{Thresholds, Verifier};

/// Stable JSON schema (see README): fields are only ever added.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub status: AnswerStatus,
    /// The shown answer: its sentences joined, each followed by its `[n]` citations.
    pub text: String,
    /// The shown sentences, in order.
    pub sentences: Vec<AnswerSentence>,
    /// Sentences the model wrote that failed verification and are not shown as fact.
    pub dropped: Vec<AnswerSentence>,
    /// The numbered passages the answer may cite: `[1]` is `sources[0]`.
    pub sources: Vec<Source>,
    pub drugs: Vec<ResolvedDrug>,
    /// True when the question named no drug and the previous turn's drugs were used.
    pub carried_over: bool,
    /// "See the profile for <drug>".
    pub profiles: Vec<ProfileLink>,
    /// "Other questions about <drug>", from the monograph's FAQs.
    pub other_questions: Vec<OtherQuestions>,
    /// Emergency first, the disclaimer last.
    pub notices: Vec<Notice>,
    pub timings: Timings,
    /// The generator's file name, or null when no model wrote this answer.
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    /// The model's verified sentences.
    Generated,
    /// Sentences quoted from the sources (the model's output was empty, off-topic, mostly
    /// unverified, or no model is loaded).
    Extractive,
    /// The library has nothing on the question; no facts are given.
    Abstained,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSentence {
    /// Without citation markers.
    pub text: String,
    pub citations: Vec<usize>,
    pub status: SentenceStatus,
    /// Why a sentence failed.
    pub reason: Option<String>,
    /// Best similarity to a sentence of the cited passages.
    pub support: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceStatus {
    /// Generated, and every check against its cited passages passed.
    Verified,
    /// Quoted word for word from the cited passage.
    Quoted,
    /// Generated, cited, but a check failed (see `reason`).
    Unverified,
    /// Generated without a citation.
    Uncited,
    /// Generated and supported by its cited passage, but about something the question does
    /// not ask (see [`Thresholds::relevance`]).
    OffTopic,
}

impl SentenceStatus {
    pub fn is_fact(self) -> bool {
        matches!(self, SentenceStatus::Verified | SentenceStatus::Quoted)
    }
}

/// A numbered passage the answer may cite: `[n]`.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub n: usize,
    #[serde(flatten)]
    pub passage: Passage,
}

impl std::ops::Deref for Source {
    type Target = Passage;
    fn deref(&self) -> &Passage {
        &self.passage
    }
}

impl std::ops::DerefMut for Source {
    fn deref_mut(&mut self) -> &mut Passage {
        &mut self.passage
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileLink {
    pub drug_slug: String,
    /// The library holding the profile (`bundled` or an imported library's name).
    pub library: String,
    pub title: String,
    /// "See the profile for Imiquimod"
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherQuestions {
    pub drug_slug: String,
    /// "Other questions about Imiquimod"
    pub heading: String,
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Emergency,
    Banned,
    NotInLibrary,
    /// Some or all of the model's sentences were not shown.
    Unverified,
    /// No generator model is loaded; the answer quotes the sources.
    NoModel,
    Disclaimer,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub retrieval_ms: f64,
    /// From the question to the first generated token (null without generation).
    pub first_token_ms: Option<f64>,
    pub total_ms: f64,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    pub tokens_per_second: f64,
}

/// How to answer.
#[derive(Debug, Clone)]
pub struct AskOptions {
    pub max_tokens: usize,
    /// Show failed sentences, marked, instead of dropping them.
    pub show_unverified: bool,
    /// Most passages offered to the model.
    pub sources: usize,
    /// Most prompt tokens; sources are trimmed to fit, the question never is.
    pub prompt_budget: usize,
    pub thresholds: Thresholds,
    /// Make the model end every sentence with a source marker (see [`citation_decoding`]); the
    /// sentences are verified the same either way.
    pub constrain_citations: bool,
    /// Score added to the token that continues the source wording the model is repeating
    /// (see [`copy`]); 0 turns it off.
    pub copy_bias: f32,
    /// Start the model's reply with the name of the drug asked about: otherwise a quarter of
    /// its replies open on "The answer to the question…", and the copy that follows rarely
    /// verifies.
    pub open_with_drug: bool,
}

impl Default for AskOptions {
    fn default() -> Self {
        AskOptions {
            max_tokens: 160,
            show_unverified: false,
            sources: 4,
            prompt_budget: 1024,
            thresholds: Thresholds::default(),
            constrain_citations: true,
            copy_bias: 6.0,
            open_with_drug: true,
        }
    }
}

/// The drugs of the previous turn, so a follow-up ("what about in pregnancy?") stays on them.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub drugs: Vec<ResolvedDrug>,
    pub turns: usize,
}

/// Most characters in a question; longer input is refused with a message.
pub const MAX_QUESTION_CHARS: usize = 2_000;

/// Removes control characters (keeping line breaks as spaces) and trims.
pub fn sanitize_question(question: &str) -> String {
    let cleaned: String = question.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    crate::text::collapse_spaces(&cleaned)
}

/// Joins sentences into display text with their citation markers.
pub fn render_text(sentences: &[AnswerSentence]) -> String {
    sentences
        .iter()
        .map(|s| {
            let marks: String = s.citations.iter().map(|n| format!("[{n}]")).collect();
            let flag = if s.status.is_fact() { "" } else { " (unverified)" };
            if marks.is_empty() {
                format!("{}{flag}", s.text)
            } else {
                format!("{} {marks}{flag}", s.text)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn sources_from_hits(hits: &[Hit]) -> Vec<Source> {
    hits.iter().enumerate().map(|(i, h)| Source { n: i + 1, passage: h.passage.clone() }).collect()
}
