//! One cited passage supports the claim semantically: a sentence of it, of the claim's
//! polarity, is similar enough, and the claim's words are that passage's.
//!
//! Support comes from a statement of the same polarity: a question in the passage (an FAQ's
//! "Q: …?") states nothing, and a negated claim needs a negated sentence ("Doxycycline does
//! not make you burn easier in the sun" is 0.88 similar to "Does doxycycline make you burn
//! easier in the sun?"). It comes from one cited passage, not from all of them joined, where
//! a sentence can gather its words from several ("Serenavil has little effect on dopamine
//! receptors, and has a sedating effect on sleep, energy and appetite" from a mechanism, a
//! side-effect and a names passage): the similarity of the passage's best sentence, with the
//! word overlap with that passage for a strongly similar claim, and with that sentence and
//! its neighbours for a less similar one ("…little effect on noradrenaline receptors, but it
//! does have a sedating effect on sleep…" is 0.56 similar to "It has little effect on
//! noradrenaline… receptors" and takes its other words from elsewhere).
//!
//! The rules after this one compare the claim with what it measures, on supported claims.

use super::super::words::{negated, word_overlap};
use super::super::{Claim, Failure};
use crate::embed::cosine;

/// How the cited passages support a claim.
pub struct Support {
    /// Whether the claim is negated: only sentences negated alike may support it.
    pub negated: bool,
    /// The best similarity to a cited passage's best sentence of the claim's polarity that
    /// is not a question; `f32::MIN` when no cited sentence is such.
    pub similarity: f32,
    /// The word overlap that goes with `similarity`: with the whole passage when it is
    /// strongly similar, else with its best sentence and that sentence's neighbours.
    pub overlap: f32,
    /// For each cited passage compared, its best sentence with that sentence's neighbours.
    pub windows: Vec<String>,
    /// The cited sources that support the claim, in the order cited.
    pub supporting: Vec<usize>,
}

impl Support {
    /// Whether one cited passage supports the claim.
    pub fn supported(&self) -> bool {
        !self.supporting.is_empty()
    }
}

pub fn check(claim: &Claim<'_>) -> Option<Failure> {
    let support = claim.support();
    if support.supported() {
        None
    } else if support.similarity == f32::MIN {
        Some(Failure::unverified(if support.negated {
            "the cited passage states nothing negated to compare this negated sentence with".into()
        } else {
            "the cited passage states nothing to compare it with, only negations or questions".into()
        }))
    } else {
        let (similarity, overlap) = (support.similarity, support.overlap);
        Some(Failure::unverified(format!(
            "not supported by the cited passage (similarity {similarity:.2}, word overlap {overlap:.2})"
        )))
    }
}

/// Measures the support of each cited passage for `claim`.
pub fn measure(claim: &Claim<'_>) -> Support {
    let t = claim.context.thresholds;
    let polarity = negated(claim.text);
    let mut support =
        Support { negated: polarity, similarity: f32::MIN, overlap: 0.0, windows: Vec::new(), supporting: Vec::new() };
    for &n in &claim.cited {
        let list = &claim.context.sentences[n - 1];
        let best = list
            .iter()
            .zip(&claim.context.vectors[n - 1])
            .enumerate()
            .filter(|(_, (text, _))| !text.trim_end().ends_with('?') && negated(text) == polarity)
            .map(|(i, (_, v))| (i, cosine(claim.vector, v)))
            .fold(None, |best: Option<(usize, f32)>, (i, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((i, s)),
            });
        let Some((best, passage_similarity)) = best else { continue };
        let passage_overlap = word_overlap(claim.text, &claim.context.sources[n - 1].text);
        let window = list[best.saturating_sub(1)..(best + 2).min(list.len())].join(" ");
        let window_overlap = word_overlap(claim.text, &window);
        support.windows.push(window);
        let passage_supports = (passage_similarity >= t.strong_similarity && passage_overlap >= t.strong_overlap)
            || (passage_similarity >= t.similarity && window_overlap >= t.overlap);
        if passage_supports {
            support.supporting.push(n);
        }
        if passage_similarity > support.similarity {
            support.similarity = passage_similarity;
            support.overlap = if passage_similarity >= t.strong_similarity { passage_overlap } else { window_overlap };
        }
    }
    support
}

#[cfg(test)]
mod tests {
    use super::super::super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    fn sources(similarity: f32, texts: &[&str]) -> Fixture {
        let sources = texts.iter().enumerate();
        let sources = sources.map(|(i, text)| source(i + 1, "Calmaxine", "FAQs", SectionKind::Faqs, text)).collect();
        Fixture { similarity, ..Fixture::new(sources) }
    }

    #[test]
    fn similarity_with_word_overlap_supports() {
        let passage = "Calmaxine blocks the reuptake of serotonin. Peak levels come 6 hours after a dose.";
        // Similar, and its words are around the best sentence.
        assert_eq!(sources(0.6, &[passage]).reason("Calmaxine blocks serotonin reuptake [1].", check), None);
        // Similar, but its words are not.
        let reason = sources(0.6, &[passage]).reason("Calmaxine lifts the mood within days [1].", check);
        assert_eq!(reason.as_deref(), Some("not supported by the cited passage (similarity 0.60, word overlap 0.20)"));
        // Strongly similar: a quarter of its words in the passage is enough.
        assert_eq!(sources(0.85, &[passage]).reason("Calmaxine lifts serotonin within days [1].", check), None);
        // Not similar enough, whatever its words.
        assert!(sources(0.5, &[passage]).reason("Calmaxine blocks serotonin reuptake [1].", check).is_some());
    }

    #[test]
    fn support_comes_from_one_passage() {
        let fixture = sources(0.6, &["Calmaxine blocks the reuptake of serotonin.", "It causes sweating and tremor."]);
        let claim = "Calmaxine blocks serotonin reuptake and causes sweating and tremor [1][2].";
        assert!(fixture.reason(claim, check).unwrap().starts_with("not supported"));
        assert_eq!(fixture.reason("Calmaxine causes sweating and tremor [1][2].", check), None);
    }

    #[test]
    fn questions_and_the_other_polarity_state_nothing_to_compare() {
        let fixture = sources(0.9, &["Q: Can I drive after taking Calmaxine?\nA: Do not drive until you know."]);
        let reason = fixture.reason("You can drive after taking Calmaxine [1].", check);
        assert_eq!(
            reason.as_deref(),
            Some("the cited passage states nothing to compare it with, only negations or questions")
        );
        assert_eq!(fixture.reason("Do not drive until you know [1].", check), None);
        let fixture = sources(0.9, &["Store Calmaxine at room temperature."]);
        let reason = fixture.reason("Do not store Calmaxine at room temperature [1].", check);
        assert_eq!(
            reason.as_deref(),
            Some("the cited passage states nothing negated to compare this negated sentence with")
        );
    }
}
