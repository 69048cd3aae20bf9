//! The answer as clients receive it: plain data, no wording. The CLI and the app say
//! "See the profile for …", word the notices and the abstention, and join the sentences.

use super::understand::QuestionType;
use super::verify::Thresholds;
use crate::retrieve::{Passage, ResolvedDrug};
use serde::Serialize;

/// Stable JSON schema (see README).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub status: AnswerStatus,
    /// What kind of answer the question wants.
    pub question_type: QuestionType,
    /// Whether the library states what was asked. When it does not, the sentences are
    /// related facts (marked `related`), never the answer.
    pub coverage: Coverage,
    /// With status `clarification`: the medicines the question may mean.
    pub clarification: Option<Clarification>,
    /// Why an abstained answer gives no facts; `None` otherwise.
    pub abstention: Option<Abstention>,
    /// The shown sentences, in order.
    pub sentences: Vec<AnswerSentence>,
    /// Sentences the model wrote that failed verification and are not shown as fact.
    pub dropped: Vec<AnswerSentence>,
    /// The numbered passages the answer may cite: `[1]` is `sources[0]`.
    pub sources: Vec<Source>,
    pub drugs: Vec<ResolvedDrug>,
    /// True when the question named no drug and the previous turn's drugs were used.
    pub carried_over: bool,
    /// The profile of each drug the answer is about.
    pub profiles: Vec<ProfileLink>,
    /// The drug classes the question named, each with a class page (`Engine::drug_class`).
    pub classes: Vec<String>,
    /// Each drug's FAQ questions, offered as other questions about it.
    pub other_questions: Vec<OtherQuestions>,
    /// Emergency first, the disclaimer last.
    pub notices: Vec<Notice>,
    pub timings: Timings,
    /// The generator's file name, or null when no model wrote this answer.
    pub model: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// The question names a medicine several monographs share ("insulin", "a statin"):
    /// it asks which one is meant (see `clarification`).
    Clarification,
}

/// Whether the library states what the question asks.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Coverage {
    Covered,
    /// The monographs of `drugs` do not state what was asked (`asked`: the question's words
    /// for it, such as `["hair", "loss"]`).
    NotCovered {
        drugs: Vec<String>,
        asked: Vec<String>,
    },
    /// Neither monograph of a two-drug question names the other drug or its class.
    PairNotLinked {
        first: String,
        second: String,
    },
}

/// Which medicine a question means, when its name is shared.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clarification {
    /// The words of the question that named several medicines: "insulin".
    pub matched: String,
    /// What they name: "insulins".
    pub name: String,
    pub candidates: Vec<Candidate>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub slug: String,
    pub title: String,
    pub library: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// A fact near the question, shown because the library lacks the answer itself.
    pub related: bool,
}

/// What an ask reports while the model writes. The [`Answer`] it returns is the final
/// word: when most of the draft fails, it quotes the evidence instead of what was reported.
#[derive(Debug, Clone, Copy)]
pub enum AnswerUpdate<'a> {
    /// A piece of the model's draft, unchecked.
    Draft(&'a str),
    /// A drafted sentence that passed every check, in the draft's order; reported only
    /// when the draft leads with what the best evidence says.
    Verified(&'a AnswerSentence),
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ProfileLink {
    pub drug_slug: String,
    /// The library holding the profile (`bundled` or an imported library's name).
    pub library: String,
    pub title: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct OtherQuestions {
    pub drug_slug: String,
    /// The drug's title, which clients name the questions by.
    pub title: String,
    pub questions: Vec<String>,
}

/// Why an answer gives no facts. Clients word it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Abstention {
    /// The question names no drug the library has a monograph on. `names` are the words
    /// that look like drug names the library lacks (empty when none stood out).
    NoMonograph { names: Vec<String> },
    /// The passages of the drugs asked about hold nothing that answers the question.
    NothingRelevant,
}

/// What an answer must say besides its facts, emergencies first and the disclaimer last.
/// The engine says which; clients word them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The question reads as an overdose, a poisoning or a severe allergic reaction.
    Emergency,
    /// The drug's monograph flags it `is_banned` (withdrawn from the market).
    Banned { drug: String },
    /// The question names no drug the library has (see [`Abstention::NoMonograph`]).
    NotInLibrary { names: Vec<String> },
    /// `count` sentences the model wrote failed verification and are not shown.
    Unverified { count: usize },
    /// No generator model is loaded, so the answer quotes the library.
    NoModel,
    /// The question leaves the model no room to write, so the answer quotes the library.
    QuestionTooLong,
    /// The research-preview disclaimer, shown with every answer.
    Disclaimer,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Make the model end every sentence with a source marker (see [`super::citation_decoding`]); the
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
