//! Stage 4, generate: the model writes a draft from the planned sources, steered toward
//! sentences that can pass verification (citation markers, copy bias, the drug's name
//! first). The draft is only a candidate: stage 5 decides what of it is shown.

use super::citation_decoding::{CitationConstraint, MarkerTokens};
use super::copy::CopyBias;
use super::plan::Evidence;
use super::{prompt, AskOptions, Source};
use crate::error::{Error, Result};
use drugchatter_llm::{Generation, GenerationParams, Llm, StopReason};
use std::path::Path;
use std::sync::Arc;

/// The answer model, with its citation marker tokens.
pub(crate) struct Generator {
    llm: Llm,
    markers: Arc<MarkerTokens>,
}

impl Generator {
    pub fn load(path: &Path) -> Result<Generator> {
        let mut llm = Llm::load(path)?;
        // Every answer prompt opens with the same instruction: computed now, not per question.
        if let Err(e) = llm.prime(&llm.chat_prompt(prompt::SYSTEM, "")) {
            tracing::warn!("could not prepare the instruction prompt: {e}");
        }
        let markers = Arc::new(MarkerTokens::new(llm.tokenizer(), llm.stop_tokens()));
        Ok(Generator { llm, markers })
    }

    pub fn id(&self) -> &str {
        &self.llm.id
    }
}

/// What stage 4 produced: the sources the prompt kept, and what the model wrote.
pub(crate) struct Draft {
    /// Trimmed to the model's prompt budget when a model ran.
    pub sources: Vec<Source>,
    pub written: Written,
}

pub(crate) enum Written {
    /// The model's text, its opening included.
    Text { text: String, model: String, generation: Generation },
    /// No generator model is loaded.
    NoModel,
    /// The question leaves the model no room to write.
    QuestionTooLong,
    /// The answer says what the library lacks: no model writes it.
    NotNeeded,
}

/// Where the draft goes as it is written.
pub(super) trait DraftSink {
    /// The sources the prompt kept, before the model writes from them.
    fn prompted(&mut self, sources: &[Source]);
    /// A piece of the draft; `false` cancels.
    fn written(&mut self, text: &str) -> bool;
}

/// Runs the model over `evidence`, the draft streaming to `sink`.
pub(super) fn generate(
    generator: Option<&mut Generator>,
    question: &str,
    evidence: &Evidence,
    options: &AskOptions,
    sink: &mut dyn DraftSink,
) -> Result<Draft> {
    if evidence.coverage != super::Coverage::Covered {
        return Ok(Draft { sources: evidence.sources.clone(), written: Written::NotNeeded });
    }
    let Some(Generator { llm, markers }) = generator else {
        return Ok(Draft { sources: evidence.sources.clone(), written: Written::NoModel });
    };
    let count = |turn: &str| llm.count_tokens(&llm.chat_prompt(prompt::SYSTEM, turn));
    let sources = prompt::fit(question, evidence.sources.clone(), options.prompt_budget, &count);
    // The reply opens with the drug's name, so the model starts on a statement about it
    // rather than on "The answer to the question…".
    let opening = match evidence.drugs.first() {
        Some(drug) if options.open_with_drug => drug.title.clone(),
        _ => String::new(),
    };
    let prompt = llm.chat_prompt(prompt::SYSTEM, &prompt::user_turn(question, &sources)) + &opening;
    // A question too long to leave the model room (a wall of emoji is a token per byte) is
    // answered by quoting instead of failing.
    if llm.count_tokens(&prompt) + options.max_tokens > llm.context_length() {
        return Ok(Draft { sources, written: Written::QuestionTooLong });
    }
    let params = GenerationParams { max_tokens: options.max_tokens, ..Default::default() };
    let cite = options.constrain_citations.then(|| CitationConstraint::new(markers.clone(), sources.len()));
    let copy = (options.copy_bias != 0.0)
        .then(|| -> Result<CopyBias> {
            let tokens: Vec<Vec<u32>> =
                sources.iter().map(|s| llm.encode(&s.text)).collect::<Result<_, drugchatter_llm::Error>>()?;
            Ok(CopyBias::new(tokens.iter().map(Vec::as_slice), options.copy_bias))
        })
        .transpose()?;
    let mut constraint = (copy, cite);
    sink.prompted(&sources);
    if !opening.is_empty() && !sink.written(&opening) {
        return Err(Error::Cancelled);
    }
    let generation =
        llm.generate_constrained(&prompt, &params, Some(&mut constraint), &mut |text| sink.written(text))?;
    if let Some(cite) = &constraint.1 {
        tracing::debug!(forced = cite.forced, "citation markers forced");
    }
    let text = opening + &generation.text;
    Ok(Draft { sources, written: Written::Text { text, model: llm.id.clone(), generation } })
}

/// Whether the draft was cut short by the caller.
pub(crate) fn cancelled(draft: &Draft) -> bool {
    matches!(&draft.written, Written::Text { generation, .. } if generation.stop == StopReason::Cancelled)
}
