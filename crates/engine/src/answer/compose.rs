//! Stage 6, compose: the answer shown. The model's verified sentences when most of what it
//! wrote passed, completed by the closest quotes; otherwise quotes alone; with the notices,
//! the drugs' profiles and their other questions.

use super::extractive::{self, Said};
use super::generate::{Draft, Written};
use super::plan::Evidence;
use super::understand::Question;
use super::{safety, Abstention, Answer, AnswerSentence, AnswerStatus, AskOptions, Context, Notice};
use super::{OtherQuestions, ProfileLink, Timings};
use crate::error::Result;
use crate::retrieve::ResolvedDrug;

/// Sentences of fact an answer aims for: the model's verified ones, completed by quotes.
const ANSWER_SENTENCES: usize = 3;

/// The answer to a question that names no drug the library has.
pub(crate) fn abstention(
    question: Question,
    drugs: Vec<ResolvedDrug>,
    unknown: Vec<String>,
    timings: Timings,
) -> Answer {
    let mut notices = safety::notices(&question.text, &drugs);
    let after_emergency = notices.iter().take_while(|n| **n == Notice::Emergency).count();
    notices.insert(after_emergency, Notice::NotInLibrary { names: unknown.clone() });
    Answer {
        question: question.text,
        status: AnswerStatus::Abstained,
        abstention: Some(Abstention::NoMonograph { names: unknown }),
        sentences: Vec::new(),
        dropped: Vec::new(),
        sources: Vec::new(),
        drugs,
        carried_over: question.carried_over,
        profiles: Vec::new(),
        other_questions: Vec::new(),
        notices,
        timings,
        model: None,
    }
}

/// The answer from `evidence`, given what the model wrote and what of it verification
/// passed (`checked`, in the draft's order).
pub(crate) fn compose(
    cx: &Context,
    question: Question,
    evidence: Evidence,
    draft: Draft,
    checked: Vec<AnswerSentence>,
    options: &AskOptions,
    mut timings: Timings,
) -> Result<Answer> {
    let mut notices = safety::notices(&question.text, &evidence.drugs);
    let before_disclaimer = notices.len() - 1;
    let mut model = None;
    match draft.written {
        Written::Text { model: id, generation, .. } => {
            model = Some(id);
            timings.first_token_ms = Some(generation.first_token.as_secs_f64() * 1000.0 + timings.retrieval_ms);
            timings.prompt_tokens = generation.prompt_tokens;
            timings.generated_tokens = generation.generated_tokens;
            timings.tokens_per_second = generation.decode_tokens_per_second();
        }
        Written::NoModel => notices.insert(before_disclaimer, Notice::NoModel),
        Written::QuestionTooLong => notices.insert(before_disclaimer, Notice::QuestionTooLong),
    }
    let sources = draft.sources;
    let quote = |max: usize, said: &Said| {
        extractive::extract(cx.embedder, &evidence.query_vector, &evidence.intents, &sources, max, said)
    };
    let verified = checked.iter().filter(|s| s.status.is_fact()).count();
    let mut sentences = Vec::new();
    let mut dropped = Vec::new();
    // Mostly unverified output is not worth showing: quote the sources instead.
    let status = if model.is_some() && verified > 0 && verified * 2 >= checked.len() {
        for sentence in checked {
            if sentence.status.is_fact() || options.show_unverified {
                sentences.push(sentence);
            } else {
                dropped.push(sentence);
            }
        }
        // The model chooses what to copy, not always what matters most ("Sumatriptan is
        // often taken with an antiemetic" when asked about it with Prozac): the sources'
        // sentences closest to the question that it did not say complete the answer.
        let said = Said {
            sentences: sentences.iter().filter(|s| s.status.is_fact()).map(|s| s.text.as_str()).collect(),
            overlap: options.thresholds.overlap,
        };
        let missing = ANSWER_SENTENCES.saturating_sub(said.sentences.len());
        let completion = if missing > 0 { quote(missing, &said)? } else { Vec::new() };
        sentences.extend(completion);
        AnswerStatus::Generated
    } else {
        dropped = checked;
        sentences = quote(ANSWER_SENTENCES, &Default::default())?;
        AnswerStatus::Extractive
    };
    if !dropped.is_empty() {
        notices.insert(notices.len() - 1, Notice::Unverified { count: dropped.len() });
    }
    let (status, abstention) = if sentences.is_empty() {
        (AnswerStatus::Abstained, Some(Abstention::NothingRelevant))
    } else {
        (status, None)
    };
    let records: Vec<_> = evidence.drugs.iter().filter_map(|d| cx.drug_record(d)).collect();
    Ok(Answer {
        question: question.text,
        status,
        abstention,
        sentences,
        dropped,
        sources,
        drugs: evidence.drugs,
        carried_over: question.carried_over,
        profiles: records
            .iter()
            .map(|r| ProfileLink { drug_slug: r.slug.clone(), library: r.library.clone(), title: r.title.clone() })
            .collect(),
        other_questions: records
            .iter()
            .map(|r| OtherQuestions {
                drug_slug: r.slug.clone(),
                title: r.title.clone(),
                questions: r.faqs.iter().map(|f| f.question.clone()).collect(),
            })
            .collect(),
        notices,
        timings,
        model,
    })
}
