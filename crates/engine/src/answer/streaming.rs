//! Stages 4 and 5 while the model writes: each drafted sentence is verified as soon as the
//! next one begins, and reported when it passes, so a client can show checked sentences
//! live instead of the raw draft.
//!
//! What is reported follows stage 6's rule for letting the model word the answer: nothing
//! until the draft's first verified sentence says what the best evidence says, and nothing
//! at all if it does not. The returned [`Answer`](super::Answer) stays the final word: when
//! most of the draft fails, it quotes the evidence instead of what was streamed.

use super::generate::DraftSink;
use super::plan::Evidence;
use super::{compose, verify, AnswerUpdate, Source};
use crate::error::Result;

/// Receives the draft from stage 4 and reports it, and its verified sentences, to `on_update`.
pub(super) struct Streaming<'a, 'u> {
    verifier: &'a verify::Verifier<'a>,
    asked: &'a verify::Question<'a>,
    evidence: &'a Evidence,
    on_update: &'u mut dyn FnMut(AnswerUpdate<'_>) -> bool,
    /// The sources the prompt kept: the ones the draft's markers number.
    sources: Vec<Source>,
    text: String,
    /// Complete sentences of the draft (as the text splits them) seen so far.
    complete: usize,
    /// Claims already checked and, when they passed, reported.
    checked: usize,
    /// Whether the draft's first fact matched the best evidence: `None` until it is known.
    leads: Option<bool>,
    /// Sentences reported so far.
    reported: usize,
    /// A check that failed to run: the draft goes on, the final verification reports it.
    pub failed: Option<crate::error::Error>,
}

impl<'a, 'u> Streaming<'a, 'u> {
    pub fn new(
        verifier: &'a verify::Verifier<'a>,
        asked: &'a verify::Question<'a>,
        evidence: &'a Evidence,
        on_update: &'u mut dyn FnMut(AnswerUpdate<'_>) -> bool,
    ) -> Self {
        Streaming {
            verifier,
            asked,
            evidence,
            on_update,
            sources: Vec::new(),
            text: String::new(),
            complete: 0,
            checked: 0,
            leads: None,
            reported: 0,
            failed: None,
        }
    }

    /// Checks the sentences the draft has completed since the last call and reports the
    /// ones that pass.
    fn check_completed(&mut self) -> Result<bool> {
        // The last sentence may still grow, and citation markers that open the next one
        // may still close it: a sentence is complete once a word follows it.
        let complete = crate::text::sentences(&self.text).len().saturating_sub(1);
        if complete <= self.complete || self.leads == Some(false) {
            return Ok(true);
        }
        self.complete = complete;
        let sentences = self.verifier.verify(&self.text, self.asked, &self.sources)?;
        let settled = sentences.len().saturating_sub(1);
        for sentence in sentences.iter().take(settled).skip(self.checked) {
            if !sentence.status.is_fact() {
                continue;
            }
            let leads = *self.leads.get_or_insert_with(|| compose::leads_like_the_evidence(sentence, self.evidence));
            if !leads {
                break;
            }
            // Worded as the answer will show it ("It switches on…" names the drug).
            let mut shown = sentence.clone();
            shown.text = compose::readable_text(&sentence.text, self.reported == 0, &self.evidence.drugs);
            self.reported += 1;
            if !(self.on_update)(AnswerUpdate::Verified(&shown)) {
                return Ok(false);
            }
        }
        self.checked = self.checked.max(settled);
        Ok(true)
    }
}

impl DraftSink for Streaming<'_, '_> {
    fn prompted(&mut self, sources: &[Source]) {
        self.sources = sources.to_vec();
    }

    fn written(&mut self, text: &str) -> bool {
        if !(self.on_update)(AnswerUpdate::Draft(text)) {
            return false;
        }
        self.text.push_str(text);
        if !text.contains(|c: char| c.is_alphanumeric()) {
            return true;
        }
        match self.check_completed() {
            Ok(go_on) => go_on,
            Err(e) => {
                self.failed.get_or_insert(e);
                self.leads = Some(false);
                true
            }
        }
    }
}
