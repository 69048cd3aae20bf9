//! Copy-biased decoding: the model is nudged to continue a source's wording once it has
//! started to repeat it.
//!
//! A sentence is shown as fact only when it stays close to the passage it cites (see
//! [`super::verify`]), and the 135M model's paraphrases rarely do: it starts a source's
//! sentence, then drifts into words of its own. [`CopyBias`] watches the last two tokens
//! generated; wherever the sources have that pair, the token that follows it there gains
//! `bonus` in score. The model still chooses which sentence to start, and may leave a copy
//! when its own next token is more likely by more than the bonus.

use drugchatter_llm::LogitsConstraint;
use std::collections::HashMap;

pub struct CopyBias {
    /// Two consecutive source tokens → the tokens that follow them somewhere in the sources.
    follows: HashMap<(u32, u32), Vec<u32>>,
    bonus: f32,
}

impl CopyBias {
    /// Over the token sequences of the sources.
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a [u32]>, bonus: f32) -> CopyBias {
        let mut follows: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
        for tokens in sources {
            for window in tokens.windows(3) {
                let next = follows.entry((window[0], window[1])).or_default();
                if !next.contains(&window[2]) {
                    next.push(window[2]);
                }
            }
        }
        CopyBias { follows, bonus }
    }
}

impl LogitsConstraint for CopyBias {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]) {
        let [.., before, last] = generated else { return };
        for &next in self.follows.get(&(*before, *last)).into_iter().flatten() {
            if let Some(score) = logits.get_mut(next as usize) {
                *score += self.bonus;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_that_follows_the_last_two_in_a_source_gains_the_bonus() {
        let sources: [&[u32]; 2] = [&[1, 2, 3, 4], &[7, 2, 3, 5]];
        let mut bias = CopyBias::new(sources, 2.0);
        let mut logits = vec![0.0f32; 8];
        bias.constrain(&[9, 2, 3], &mut logits);
        assert_eq!(logits, [0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0]);
        // A pair the sources do not have, one token, or none: nothing changes.
        let mut logits = vec![0.0f32; 8];
        bias.constrain(&[3, 2], &mut logits);
        bias.constrain(&[2], &mut logits);
        bias.constrain(&[], &mut logits);
        assert!(logits.iter().all(|&s| s == 0.0));
    }
}
