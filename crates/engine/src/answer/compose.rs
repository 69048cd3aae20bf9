//! Stage 6, compose: the answer shown. The plan's chosen sentences lead, quoted from their
//! sources; the model's verified sentences take their place only when its first one says
//! what the best evidence says. With the notices, the drugs' profiles and their other
//! questions.

use super::generate::{Draft, Written};
use super::plan::{Chosen, Evidence};
use super::understand::Question;
use super::{safety, Abstention, Answer, AnswerSentence, AnswerStatus, AskOptions, Clarification, Context};
use super::{Coverage, Notice, OtherQuestions, ProfileLink, SentenceStatus, Timings};
use crate::retrieve::ResolvedDrug;

/// Word overlap from which a model sentence says what a chosen sentence says.
const SAYS_THE_SAME: f32 = 0.5;
/// Sentences of fact an answer aims for.
const ANSWER_SENTENCES: usize = 3;

/// Whether the model's first verified sentence says what the best evidence says: only
/// then may the model word the answer.
pub(super) fn leads_like_the_evidence(first: &AnswerSentence, evidence: &Evidence) -> bool {
    evidence.chosen.first().is_some_and(|best| super::verify::word_overlap(&first.text, &best.text) >= SAYS_THE_SAME)
}

/// An answer with no facts: the library has no monograph on what was named.
pub(crate) fn abstention(
    question: Question,
    drugs: Vec<ResolvedDrug>,
    unknown: Vec<String>,
    timings: Timings,
) -> Answer {
    let mut notices = safety::notices(&question.text, &drugs);
    let after_emergency = notices.iter().take_while(|n| **n == Notice::Emergency).count();
    notices.insert(after_emergency, Notice::NotInLibrary { names: unknown.clone() });
    let mut answer = empty(question, drugs, notices, timings);
    answer.abstention = Some(Abstention::NoMonograph { names: unknown });
    answer
}

/// An answer that asks which medicine is meant.
pub(crate) fn clarification(question: Question, clarification: Clarification, timings: Timings) -> Answer {
    let notices = safety::notices(&question.text, &[]);
    let mut answer = empty(question, Vec::new(), notices, timings);
    answer.status = AnswerStatus::Clarification;
    answer.clarification = Some(clarification);
    answer
}

fn empty(question: Question, drugs: Vec<ResolvedDrug>, notices: Vec<Notice>, timings: Timings) -> Answer {
    let classes = class_names(&question);
    Answer {
        question: question.text,
        status: AnswerStatus::Abstained,
        question_type: question.kind,
        coverage: Coverage::Covered,
        clarification: None,
        abstention: None,
        sentences: Vec::new(),
        dropped: Vec::new(),
        sources: Vec::new(),
        drugs,
        carried_over: question.carried_over,
        profiles: Vec::new(),
        classes,
        other_questions: Vec::new(),
        notices,
        timings,
        model: None,
    }
}

/// An answer opening "It switches on the skin's immune system…" reads only beside the
/// question: with one drug, its name stands for "It". A sentence cut at a semicolon ends
/// with a full stop.
fn readable(sentences: &mut [AnswerSentence], drugs: &[ResolvedDrug]) {
    for (i, sentence) in sentences.iter_mut().enumerate() {
        sentence.text = readable_text(&sentence.text, i == 0, drugs);
    }
}

/// One sentence of an answer as [`readable`] shows it; `first`: it opens the answer. Also
/// applied to the verified sentences streamed while the model writes, so what streamed is
/// what the answer shows.
pub(super) fn readable_text(text: &str, first: bool, drugs: &[ResolvedDrug]) -> String {
    let mut text = text.to_string();
    if let ([drug], true) = (drugs, first) {
        if let Some(rest) = text.strip_prefix("It ") {
            if !drug.title.contains(" and ") {
                text = format!("{} {rest}", drug.title);
            }
        }
    }
    match text.trim_end().strip_suffix(';') {
        Some(cut) => format!("{}.", cut.trim_end()),
        None => text,
    }
}

fn class_names(question: &Question) -> Vec<String> {
    question.named_classes().iter().map(|class| class.name.clone()).collect()
}

fn quoted(chosen: &Chosen) -> AnswerSentence {
    AnswerSentence {
        text: chosen.text.clone(),
        citations: vec![chosen.source],
        status: SentenceStatus::Quoted,
        reason: None,
        support: None,
        related: chosen.related,
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
) -> Answer {
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
        Written::NotNeeded => {}
    }
    let facts: Vec<&AnswerSentence> = checked.iter().filter(|s| s.status.is_fact()).collect();
    // The model may word the answer only when its first fact is the best evidence's.
    let model_leads = model.is_some()
        && evidence.coverage == Coverage::Covered
        && facts.first().is_some_and(|first| leads_like_the_evidence(first, &evidence))
        && facts.len() * 2 >= checked.len();
    let mut sentences: Vec<AnswerSentence> = Vec::new();
    let mut dropped = Vec::new();
    let status = if model_leads {
        for sentence in checked {
            if sentence.status.is_fact() || options.show_unverified {
                sentences.push(sentence);
            } else {
                dropped.push(sentence);
            }
        }
        // Either way round: a quote that holds a model sentence whole repeats it too.
        let said = |text: &str| {
            let overlap = options.thresholds.overlap;
            sentences.iter().any(|s| {
                super::verify::word_overlap(text, &s.text) >= overlap
                    || super::verify::word_overlap(&s.text, text) >= overlap
            })
        };
        let missing: Vec<AnswerSentence> = evidence.chosen.iter().filter(|c| !said(&c.text)).map(quoted).collect();
        let room = ANSWER_SENTENCES.saturating_sub(sentences.iter().filter(|s| s.status.is_fact()).count());
        sentences.extend(missing.into_iter().take(room));
        AnswerStatus::Generated
    } else {
        dropped = checked.into_iter().filter(|s| !s.status.is_fact()).collect();
        sentences = evidence.chosen.iter().map(quoted).collect();
        AnswerStatus::Extractive
    };
    readable(&mut sentences, &evidence.drugs);
    if !dropped.is_empty() {
        notices.insert(notices.len() - 1, Notice::Unverified { count: dropped.len() });
    }
    let (status, abstention) = if sentences.is_empty() && evidence.coverage == Coverage::Covered {
        (AnswerStatus::Abstained, Some(Abstention::NothingRelevant))
    } else {
        (status, None)
    };
    let records: Vec<_> = evidence.drugs.iter().filter_map(|d| cx.drug_record(d)).collect();
    let classes = class_names(&question);
    Answer {
        question: question.text,
        status,
        question_type: question.kind,
        coverage: evidence.coverage,
        clarification: None,
        abstention,
        sentences,
        dropped,
        sources: evidence.sources,
        drugs: evidence.drugs,
        carried_over: question.carried_over,
        profiles: records
            .iter()
            .map(|r| ProfileLink { drug_slug: r.slug.clone(), library: r.library.clone(), title: r.title.clone() })
            .collect(),
        classes,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retrieve::MatchKind;

    fn sentence(text: &str) -> AnswerSentence {
        AnswerSentence {
            text: text.into(),
            citations: vec![1],
            status: SentenceStatus::Verified,
            reason: None,
            support: None,
            related: false,
        }
    }

    fn drug(title: &str) -> ResolvedDrug {
        ResolvedDrug {
            index: 0,
            slug: title.to_lowercase(),
            title: title.into(),
            matched: title.to_lowercase(),
            how: MatchKind::Generic,
            is_banned: false,
            library: "bundled".into(),
        }
    }

    #[test]
    fn an_answer_names_its_drug_where_it_opens_on_it_and_ends_its_sentences() {
        let mut sentences = vec![sentence("It switches on the skin's immune system."), sentence("It is a cream ;")];
        readable(&mut sentences, &[drug("Imiquimod")]);
        assert_eq!(sentences[0].text, "Imiquimod switches on the skin's immune system.");
        assert_eq!(sentences[1].text, "It is a cream.");
        // Two drugs: "It" could be either, so it stays.
        let mut two = vec![sentence("It raises levels.")];
        readable(&mut two, &[drug("Naproxen"), drug("Ramipril")]);
        assert_eq!(two[0].text, "It raises levels.");
    }
}
