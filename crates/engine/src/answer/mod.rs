//! The answer pipeline. A question flows through six stages, each in its own module and
//! called in order by [`answer`]:
//!
//! 1. [`understand`]: the question, cleaned and checked, and the drugs it names (or the
//!    previous turn's, for a follow-up);
//! 2. [`retrieve`]: the passages of those drugs, ranked for the question;
//! 3. [`plan`]: abstain, or the numbered sources the answer may cite;
//! 4. [`generate`]: the model's draft from those sources, streamed;
//! 5. [`verify`]: every drafted sentence checked against the passages it cites, as it is
//!    written ([`streaming`]) and again over the whole draft;
//! 6. [`compose`]: the shown answer, the model's verified sentences or quotes, with notices.
//!
//! A sentence is never shown as fact unless it passed verification or is quoted.

pub(crate) mod citation_decoding;
mod compose;
pub(crate) mod copy;
mod evidence;
mod generate;
/// `drugchatter eval` counts the numbers a shown sentence has that its passage lacks (via `crate::bench`).
pub(crate) mod numbers;
mod plan;
/// The question fuzz target checks the prompt budget (via `crate::testing`).
pub(crate) mod prompt;
mod retrieve;
/// The question fuzz target checks the notices' order (via `crate::testing`).
pub(crate) mod safety;
mod schema;
mod streaming;
mod understand;
/// The engine's tests/verifier.rs and the question fuzz target check the rules on invented
/// passages (via `crate::testing`).
pub(crate) mod verify;

pub(crate) use generate::Generator;
pub(crate) use plan::sources_from_hits;
pub use schema::*;
pub use understand::{check_question, sanitize_question, QuestionProblem, QuestionType, MAX_QUESTION_CHARS};
pub use verify::{Thresholds, Verifier};

use crate::corpus::Drug;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::paths::Paths;
use crate::retrieve::ResolvedDrug;
use plan::Plan;
use std::time::Instant;

/// What the stages draw on: the engine's libraries and models.
pub(crate) struct Context<'a> {
    pub paths: &'a Paths,
    pub embedder: &'a Embedder,
    pub libraries: &'a [Library],
}

impl Context<'_> {
    /// The monograph record of a resolved drug.
    fn drug_record(&self, drug: &ResolvedDrug) -> Option<&Drug> {
        self.libraries.iter().find(|l| l.name == drug.library).and_then(|l| l.index.drugs.get(drug.index))
    }
}

/// Answers `question`. The draft and its verified sentences stream to `on_update` (return
/// `false` to cancel).
pub(crate) fn answer(
    cx: &Context,
    generator: Option<&mut Generator>,
    question: &str,
    conversation: &mut Conversation,
    options: &AskOptions,
    on_update: &mut dyn FnMut(AnswerUpdate<'_>) -> bool,
) -> Result<Answer> {
    let started = Instant::now();
    let question = understand::understand(cx, question, conversation)?;
    let retrieved = retrieve::retrieve(cx, &question, options.sources)?;
    let mut timings = Timings { retrieval_ms: retrieve::ms_since(started), ..Default::default() };
    let evidence = match plan::plan(cx, &question, retrieved)? {
        Plan::Abstain { drugs, unknown } => {
            timings.total_ms = retrieve::ms_since(started);
            return Ok(compose::abstention(question, drugs, unknown, timings));
        }
        Plan::Clarify(clarification) => {
            timings.total_ms = retrieve::ms_since(started);
            return Ok(compose::clarification(question, clarification, timings));
        }
        Plan::Answer(evidence) => evidence,
    };
    conversation.drugs = evidence.drugs.clone();
    conversation.turns += 1;
    let verifier = verifier(cx, options);
    let asked = asked(&question.text, &evidence);
    let mut streaming = streaming::Streaming::new(&verifier, &asked, &evidence, on_update);
    let draft = generate::generate(generator, &question.text, &evidence, options, &mut streaming)?;
    if generate::cancelled(&draft) {
        return Err(Error::Cancelled);
    }
    if let Some(e) = streaming.failed {
        tracing::warn!("a sentence could not be checked as it was written: {e}");
    }
    let checked = verify_draft(&verifier, &asked, &draft)?;
    let mut answer = compose::compose(cx, question, evidence, draft, checked, options, timings);
    answer.timings.total_ms = retrieve::ms_since(started);
    Ok(answer)
}

fn verifier<'a>(cx: &'a Context, options: &AskOptions) -> Verifier<'a> {
    Verifier {
        embedder: cx.embedder,
        catalogs: cx.libraries.iter().map(|l| &l.catalog).collect(),
        thresholds: options.thresholds,
    }
}

/// The question as the verifier's rules see it.
fn asked<'a>(question: &'a str, evidence: &'a plan::Evidence) -> verify::Question<'a> {
    verify::Question {
        text: question,
        vector: &evidence.query_vector,
        intents: &evidence.intents,
        drugs: &evidence.drugs,
    }
}

/// Stage 5: each sentence of the model's draft, checked against the sources it cites, in
/// the draft's order. Nothing when no model wrote.
fn verify_draft(verifier: &Verifier, asked: &verify::Question, draft: &generate::Draft) -> Result<Vec<AnswerSentence>> {
    let generate::Written::Text { text, .. } = &draft.written else {
        return Ok(Vec::new());
    };
    verifier.verify(text, asked, &draft.sources)
}
