//! Citation-constrained decoding: every sentence the model ends carries a source marker.
//!
//! Small models often end a sentence without the `[n]` the prompt asks for, and every such
//! sentence is dropped unread. [`CitationConstraint`] watches the generation: when the
//! model's most likely next token would end a sentence (a full stop, a line break or the end
//! of its turn) that states something but cites nothing, it forces ` [` instead; after any
//! `[` only the digits of the sources that exist may follow, the model choosing among them
//! by its own scores; after the digit, a closing `]`. The marker is only a claim: the
//! sentence still has to pass verification against the passage it names, so a marker
//! forced onto an unsupported sentence changes nothing but the reason it is dropped.
//!
//! This shapes what the model writes; checking what the citations say is the verifier's
//! job ([`super::verify`], rule `citations` and those after it).

use drugchatter_llm::LogitsConstraint;

/// The vocabulary as text, and the few tokens a marker is made of: one per model, built
/// when it loads (decoding ~50,000 tokens is not work for every question).
pub struct MarkerTokens {
    /// Each token's text (spaces and line breaks decoded; other bytes approximate).
    vocab: Vec<String>,
    stop_tokens: Vec<u32>,
    /// `" ["`, then `"["`.
    open_spaced: Option<u32>,
    open: Option<u32>,
    /// `digits[d]` is the token of the single digit `d`.
    digits: [Option<u32>; 10],
    /// Tokens that close a marker: `]`, `].`, `],` …
    close: Vec<u32>,
}

/// One answer's constraint over the model's [`MarkerTokens`].
pub struct CitationConstraint {
    tokens: std::sync::Arc<MarkerTokens>,
    /// How many sources the answer may cite (`[1]`..`[sources]`).
    sources: usize,
    /// The decoded text of the tokens generated so far.
    text: String,
    seen: usize,
    /// How many markers were forced, for diagnostics.
    pub forced: usize,
}

impl MarkerTokens {
    /// For a model's tokenizer: `stop_tokens` end its turn.
    pub fn new(tokenizer: &tokenizers::Tokenizer, stop_tokens: &[u32]) -> MarkerTokens {
        let size = tokenizer.get_vocab_size(true);
        let vocab = (0..size as u32).map(|id| tokenizer.id_to_token(id).map(|t| token_text(&t)).unwrap_or_default());
        Self::from_vocab(vocab.collect(), stop_tokens)
    }

    /// From each token's text (index = token id).
    pub fn from_vocab(vocab: Vec<String>, stop_tokens: &[u32]) -> MarkerTokens {
        let find = |wanted: &str| vocab.iter().position(|t| t == wanted).map(|i| i as u32);
        let mut digits = [None; 10];
        for (d, slot) in digits.iter_mut().enumerate() {
            *slot = find(&d.to_string());
        }
        let close = vocab
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.starts_with(']') && !t.contains('[') && !t.chars().any(|c| c.is_ascii_digit() || c.is_alphabetic())
            })
            .map(|(i, _)| i as u32)
            .collect();
        MarkerTokens {
            open_spaced: find(" ["),
            open: find("["),
            digits,
            close,
            stop_tokens: stop_tokens.to_vec(),
            vocab,
        }
    }

    /// Whether the tokenizer has what a marker is made of; without it the constraint does nothing.
    pub fn usable(&self) -> bool {
        (self.open_spaced.is_some() || self.open.is_some()) && self.digits[1].is_some() && !self.close.is_empty()
    }
}

impl CitationConstraint {
    /// For an answer over `sources` numbered passages.
    pub fn new(tokens: std::sync::Arc<MarkerTokens>, sources: usize) -> CitationConstraint {
        CitationConstraint { tokens, sources, text: String::new(), seen: 0, forced: 0 }
    }

    fn catch_up(&mut self, generated: &[u32]) {
        if generated.len() < self.seen {
            self.text.clear();
            self.seen = 0;
        }
        for &id in &generated[self.seen..] {
            if let Some(t) = self.tokens.vocab.get(id as usize) {
                self.text.push_str(t);
            }
        }
        self.seen = generated.len();
    }

    /// Whether `token` (the likeliest next one) would end the sentence being written.
    fn ends_sentence(&self, token: u32) -> bool {
        let Some(t) = self.tokens.vocab.get(token as usize) else { return false };
        if self.tokens.stop_tokens.contains(&token) || t.contains('\n') {
            return true;
        }
        // A full stop already written ends the sentence once a space follows: after a digit
        // it was not known to be one until now ("TLR7." versus "2.5 mg").
        let closed = self.text.trim_end_matches([')', '"', '\'']).ends_with(['.', '!']);
        if closed && t.starts_with(char::is_whitespace) {
            return true;
        }
        let body = t.trim_start_matches([')', '"', '\'']);
        if !(body.starts_with('.') || body.starts_with('!')) {
            return false;
        }
        // "2" then "." may be a decimal point ("2.5 mg"): decided when the next token comes.
        !(t == "." && self.text.ends_with(|c: char| c.is_ascii_digit()))
    }

    fn allow_only(logits: &mut [f32], allowed: &[u32]) {
        let allowed: Vec<u32> = allowed.iter().copied().filter(|&id| (id as usize) < logits.len()).collect();
        if allowed.is_empty() {
            return; // never forbid every token
        }
        let kept: Vec<(u32, f32)> = allowed.iter().map(|&id| (id, logits[id as usize])).collect();
        logits.fill(f32::NEG_INFINITY);
        for (id, score) in kept {
            // A token the repeat penalty or the model scored -inf is still allowed.
            logits[id as usize] = if score.is_finite() { score } else { -1e9 };
        }
    }
}

/// A byte-level BPE or SentencePiece token's text: `Ġ`/`▁` are spaces, `Ċ` a line break.
fn token_text(token: &str) -> String {
    token
        .chars()
        .map(|c| match c {
            'Ġ' | '▁' => ' ',
            'Ċ' => '\n',
            'ĉ' => '\t',
            other => other,
        })
        .collect()
}

impl LogitsConstraint for CitationConstraint {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]) {
        if !self.tokens.usable() {
            return;
        }
        self.catch_up(generated);
        let trimmed = self.text.trim_end_matches(' ');
        // Inside a marker: a source that exists, then the closing bracket.
        if self.text.ends_with('[') {
            let digits: Vec<u32> = (1..=self.sources.min(9)).filter_map(|d| self.tokens.digits[d]).collect();
            Self::allow_only(logits, &digits);
            return;
        }
        if let Some(open) = trimmed.rfind('[') {
            let inner = &trimmed[open + 1..];
            if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) && trimmed.len() == self.text.len() {
                Self::allow_only(logits, &self.tokens.close);
                return;
            }
        }
        // About to end a sentence that states something without a marker: open one.
        let likeliest = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i as u32);
        let Some(likeliest) = likeliest else { return };
        if !self.ends_sentence(likeliest) {
            return;
        }
        // Parsed as the verifier will parse it: the last claim is the one being ended (a
        // heading or a bare list number is no claim and is left alone).
        let uncited = super::verify::split_cited(&self.text).last().is_some_and(|(_, citations)| citations.is_empty());
        if !uncited {
            return;
        }
        let open = if self.text.ends_with(char::is_whitespace) {
            self.tokens.open.or(self.tokens.open_spaced)
        } else {
            self.tokens.open_spaced.or(self.tokens.open)
        };
        if let Some(open) = open {
            self.forced += 1;
            Self::allow_only(logits, &[open]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: words, punctuation, marker parts and an end-of-turn token.
    const VOCAB: &[&str] = &[
        "<end>", "It", " works", " on", " TLR", "7", ".", " [", "[", "1", "2", "3", "4", "5", "]", "].", " Take",
        " daily", "\n", "The", " answer", " is", ":",
    ];

    fn constraint(sources: usize) -> CitationConstraint {
        let tokens = MarkerTokens::from_vocab(VOCAB.iter().map(|s| s.to_string()).collect(), &[0]);
        CitationConstraint::new(std::sync::Arc::new(tokens), sources)
    }

    fn id(token: &str) -> u32 {
        VOCAB.iter().position(|t| *t == token).unwrap() as u32
    }

    /// Greedy decoding where the "model" always prefers `wants` (by id order of preference)
    /// at each step; returns the text the constraint lets through.
    fn run(c: &mut CitationConstraint, script: &[&[&str]]) -> String {
        let mut generated = Vec::new();
        for wants in script {
            let mut logits = vec![0.0f32; VOCAB.len()];
            for (rank, token) in wants.iter().enumerate() {
                logits[id(token) as usize] = 10.0 - rank as f32;
            }
            c.constrain(&generated, &mut logits);
            let next = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as u32;
            generated.push(next);
            if next == 0 {
                break;
            }
        }
        generated.iter().map(|&t| VOCAB[t as usize]).collect()
    }

    #[test]
    fn an_uncited_sentence_end_gets_a_marker_chosen_by_the_model() {
        let mut c = constraint(4);
        // The model wants to stop after "It works on TLR7"; it prefers source 2 over 1.
        let text = run(&mut c, &[&["It"], &[" works"], &[" on"], &[" TLR"], &["."], &["2", "1"], &["]."], &["<end>"]]);
        assert_eq!(text, "It works on TLR [2].<end>");
        assert_eq!(c.forced, 1);
    }

    #[test]
    fn a_full_stop_after_a_digit_is_a_sentence_end_once_a_space_follows() {
        let mut c = constraint(4);
        let text = run(
            &mut c,
            &[
                &["It"],
                &[" works"],
                &[" on"],
                &[" TLR"],
                &["7"],
                &["."],
                &[" Take"],
                &["1"],
                &["]"],
                &[" Take"],
                &[" daily"],
                &["<end>"],
                &["1"],
                &["]."],
                &["<end>"],
            ],
        );
        assert_eq!(text, "It works on TLR7. [1] Take daily [1].<end>");
        assert_eq!(c.forced, 2);
    }

    #[test]
    fn only_existing_sources_can_be_cited() {
        let mut c = constraint(2);
        // The model opens a marker itself and wants source 5; only 1 and 2 exist.
        let text = run(&mut c, &[&["It"], &[" works"], &[" ["], &["5", "3", "1"], &["].", "]"], &["<end>"]]);
        assert_eq!(text, "It works [1].<end>");
    }

    #[test]
    fn cited_sentences_and_non_claims_are_left_alone() {
        let mut c = constraint(4);
        let text = run(
            &mut c,
            &[
                &["The"],
                &[" answer"],
                &[" is"],
                &[":"],
                &["\n"],
                &["It"],
                &[" works"],
                &[" ["],
                &["1"],
                &["]."],
                &["<end>"],
            ],
        );
        assert_eq!(text, "The answer is:\nIt works [1].<end>");
        assert_eq!(c.forced, 0);
    }

    #[test]
    fn the_end_of_turn_also_needs_a_marker() {
        let mut c = constraint(3);
        let text = run(&mut c, &[&[" Take"], &[" daily"], &["<end>"], &["3"], &["]"], &["<end>"]]);
        assert_eq!(text, " Take daily [3]<end>");
    }

    #[test]
    fn decimal_points_do_not_end_sentences() {
        let mut c = constraint(4);
        let text = run(
            &mut c,
            &[&["It"], &[" works"], &[" on"], &["7"], &["."], &["5"], &["<end>"], &["1"], &["]"], &["<end>"]],
        );
        assert_eq!(text, "It works on7.5 [1]<end>");
    }
}
