//! Sentence-level verification of a generated answer against the passages it cites.
//!
//! The model's output is cut into claims, each with its `[n]` citations (`claims`). Every
//! claim then goes through the claim rules of `RULES`, in order, until one fails: that
//! rule's reason is the claim's, and the rules after it do not run. A claim that no rule
//! fails is verified: it cites a source, every number it states appears there with the same
//! unit and together in one sentence, every drug it names is one the question is about or
//! appears there, every word it uses is in the cited passage (allowing for inflection) or a
//! common English word, and one cited passage supports it semantically (embedding similarity
//! to that passage's best sentence, combined with word overlap) without an added clause, a
//! word turned into its opposite, words joined that the passage has apart, or more than a
//! couple of added words. Then the answer rules mark the verified sentences that copy a
//! labelled line without its label, or are about something the question does not ask.
//!
//! Each rule is a module of `rules` whose documentation says the false positive it stops.
//! They share `Claim` (a claim and what several rules measure of it, each once), and the
//! helpers `words` (word forms, stems, a passage's words, negation, overlap) and
//! `clauses`.

mod claims;
mod clauses;
mod words;

/// One module per rule; [`RULES`] says in which order they run.
mod rules {
    pub mod added_clause;
    pub mod added_words;
    pub mod citations;
    pub mod dropped_labels;
    pub mod drug_names;
    pub mod joined_words;
    pub mod misread_pronoun;
    pub mod numbers_together;
    pub mod off_topic;
    pub mod opposites;
    pub mod stated_numbers;
    pub mod support;
    pub mod unknown_words;
    pub mod yes_or_no;
}

pub use claims::{split_cited, strip_citations};
pub use words::{negated, word_overlap, PassageWords};

use super::{AnswerSentence, SentenceStatus, Source};
use crate::embed::Embedder;
use crate::error::Result;
use crate::retrieve::{DrugCatalog, Intent, ResolvedDrug};
use rules::added_words::Added;
use rules::support::Support;
use std::cell::OnceCell;
use std::collections::HashSet;

/// A rule of the verifier (see [`RULES`]).
enum Rule {
    /// Checks one claim against its cited passages: `Some` is why it fails.
    Claim { name: &'static str, check: fn(&Claim<'_>) -> Option<Failure> },
    /// Runs once every claim is checked, over the whole answer, and may mark verified
    /// sentences otherwise.
    Answer {
        name: &'static str,
        mark: fn(&Verifier<'_>, &Question<'_>, &[Source], &mut [AnswerSentence]) -> Result<()>,
    },
}

/// Every rule, in the order they run. Each claim goes through the claim rules until one
/// fails; the first failure is the claim's verdict and reason, so the order decides which
/// reason a claim that fails several rules gets. A claim's `support` is the similarity that
/// [`rules::support`] measured, when the claim got that far. Then the answer rules run, in
/// order, on the sentences the claim rules verified.
const RULES: &[Rule] = &[
    Rule::Claim { name: "cites a source", check: rules::citations::cites_a_source },
    Rule::Claim { name: "cites sources that exist", check: rules::citations::cites_sources_that_exist },
    Rule::Claim { name: "copied yes or no", check: rules::yes_or_no::check },
    Rule::Claim { name: "numbers in the cited passage", check: rules::stated_numbers::check },
    Rule::Claim { name: "numbers together", check: rules::numbers_together::check },
    Rule::Claim { name: "drug names", check: rules::drug_names::check },
    Rule::Claim { name: "misread pronoun", check: rules::misread_pronoun::check },
    Rule::Claim { name: "unknown words", check: rules::unknown_words::check },
    Rule::Claim { name: "semantic support", check: rules::support::check },
    Rule::Claim { name: "added clause", check: rules::added_clause::check },
    Rule::Claim { name: "opposites", check: rules::opposites::check },
    Rule::Claim { name: "words joined from apart", check: rules::joined_words::check },
    Rule::Claim { name: "added words", check: rules::added_words::check },
    Rule::Answer { name: "dropped line labels", mark: rules::dropped_labels::mark },
    Rule::Answer { name: "off topic", mark: rules::off_topic::mark },
];

/// Support thresholds, calibrated on the eval set (see BENCHMARKS.md).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Similarity at which a sentence is supported whatever its word overlap.
    pub strong_similarity: f32,
    /// Similarity that, with `overlap`, is enough.
    pub similarity: f32,
    /// Share of the sentence's content words that, with `similarity`, is enough: measured
    /// against the cited sentence it is most similar to and that sentence's neighbours, never
    /// against several cited passages joined (words gathered from several passages are not
    /// support for one statement).
    pub overlap: f32,
    /// The least word overlap even a strongly similar sentence needs: sentence embeddings
    /// rate "Imiquimod (Dosage › Clinical Use Cases) has no specific mechanism of action"
    /// 0.83 against "There are no established fixed-dose combinations of imiquimod" (word
    /// overlap 0.13); the correct strongly similar paraphrases of the eval set's first 60
    /// answers had 0.33 or more.
    pub strong_overlap: f32,
    /// The least word overlap of each added clause (", which…", ", but…", ", especially…",
    /// "; …") with the cited sentence the whole is most similar
    /// to and its neighbours: a sentence copied from the source with an invented clause
    /// appended stays similar as a whole ("…black bismuth sulfide, which can be harmful if
    /// consumed" where the passage says it is harmless).
    pub clause_overlap: f32,
    /// The most content words a sentence may have that its supporting passage lacks
    /// (allowing for inflection, spelling, names and numbers). The 135M model's correct
    /// sentences are near-copies that change a word or two ("turning on" for "switches on");
    /// its unsupported ones that pass every other check add a whole thought in common words:
    /// "…, it may be a sign of an underlying condition", "…diarrhoea caused by gas" where the
    /// passage has "diarrhoea with gas".
    pub novel_words: usize,
    /// The most content words of the passage that may lie between two neighbouring content
    /// words of one stretch of the claim (a stretch ends at a comma, semicolon, "and", "or",
    /// "but"). Joining words that are apart in the passage changes what it says: "Take one
    /// tablet on the morning of your usual day" from "…on the morning after you remember,
    /// then return to your usual weekly day".
    pub apart: usize,
    /// The least similarity to the question of a verified sentence that is shown. Copying
    /// makes the model's sentences true to a passage, not necessarily about the question:
    /// "It is not known to affect driving" (0.02) for a question on flu-like symptoms,
    /// "Your prescriber will taper it" (0.13) for "topiramate and pregnancy risk?". The
    /// sentences the quoting fallback picks are 0.35 or more in nine cases of ten.
    pub relevance: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            strong_similarity: 0.80,
            similarity: 0.55,
            overlap: 0.6,
            strong_overlap: 0.25,
            clause_overlap: 0.5,
            novel_words: 2,
            apart: 2,
            relevance: 0.3,
        }
    }
}

pub struct Verifier<'a> {
    pub embedder: &'a Embedder,
    /// Every library's names: a sentence naming any known drug is checked.
    pub catalogs: Vec<&'a DrugCatalog>,
    pub thresholds: Thresholds,
}

/// The question, as the answer rules need it.
pub struct Question<'q> {
    pub text: &'q str,
    /// Its embedding.
    pub vector: &'q [f32],
    /// The sections it asks about.
    pub intents: &'q [Intent],
    /// The drugs it is about.
    pub drugs: &'q [ResolvedDrug],
}

impl Verifier<'_> {
    /// Checks every sentence of `output` against `sources` (numbered from 1) by every rule of
    /// `RULES`: [`Self::check`], then the answer rules.
    pub fn verify(&self, output: &str, question: &Question<'_>, sources: &[Source]) -> Result<Vec<AnswerSentence>> {
        let mut sentences = self.check(output, sources, question.drugs)?;
        let verified = |s: &[AnswerSentence]| s.iter().filter(|s| s.status == SentenceStatus::Verified).count();
        for rule in RULES {
            if let Rule::Answer { name, mark } = rule {
                let before = verified(&sentences);
                mark(self, question, sources, &mut sentences)?;
                tracing::debug!(rule = name, marked = before.saturating_sub(verified(&sentences)), "answer rule");
            }
        }
        Ok(sentences)
    }

    /// Checks every sentence of `output` against `sources` (numbered from 1) by the claim
    /// rules of `RULES`, for a question about `question_drugs`.
    pub fn check(
        &self,
        output: &str,
        sources: &[Source],
        question_drugs: &[ResolvedDrug],
    ) -> Result<Vec<AnswerSentence>> {
        let claims = claims::claims(output, sources);
        // Embed every claim and every sentence of every source once, in one batch.
        let sentences = Context::source_sentences(sources);
        let mut texts: Vec<&str> = claims.iter().map(|(c, _)| c.as_str()).collect();
        for list in &sentences {
            texts.extend(list.iter().map(String::as_str));
        }
        let mut vectors = self.embedder.embed_all(&texts, &mut |_| true)?.into_iter();
        let claim_vectors: Vec<Vec<f32>> = vectors.by_ref().take(claims.len()).collect();
        let knows_word = |w: &str| self.embedder.knows_word(w);
        let context = Context {
            sources,
            vectors: sentences.iter().map(|list| vectors.by_ref().take(list.len()).collect()).collect(),
            sentences,
            words: sources.iter().map(|s| PassageWords::new(&s.text)).collect(),
            question_drugs,
            catalogs: &self.catalogs,
            thresholds: self.thresholds,
            knows_word: &knows_word,
        };
        let checked = claims.iter().zip(&claim_vectors);
        Ok(checked.map(|((text, citations), vector)| Claim::new(&context, text, citations, vector).judge()).collect())
    }

    /// Runs the answer rule `rules::dropped_labels` alone.
    pub fn mark_dropped_labels(&self, question: &str, sources: &[Source], sentences: &mut [AnswerSentence]) {
        rules::dropped_labels::mark_dropped_labels(&self.thresholds, question, sources, sentences);
    }

    /// Runs the answer rule `rules::off_topic` alone.
    pub fn mark_off_topic(
        &self,
        question_vector: &[f32],
        intents: &[Intent],
        sources: &[Source],
        sentences: &mut [AnswerSentence],
    ) -> Result<()> {
        rules::off_topic::mark_off_topic(self.embedder, &self.thresholds, question_vector, intents, sources, sentences)
    }
}

/// What the claims of one answer are checked against: the numbered sources, each cut into
/// sentences, embedded and split into words once for every claim that cites it; the
/// question's drugs; the verifier's catalogs, thresholds and vocabulary.
struct Context<'a> {
    sources: &'a [Source],
    /// Each source's sentences (an FAQ answer's "A: " removed), and their embeddings.
    sentences: Vec<Vec<String>>,
    vectors: Vec<Vec<Vec<f32>>>,
    /// Each source's words, looked up by the word checks of every claim that cites it.
    words: Vec<PassageWords>,
    question_drugs: &'a [ResolvedDrug],
    catalogs: &'a [&'a DrugCatalog],
    thresholds: Thresholds,
    /// Whether a word is common English: a whole word of the embedder's vocabulary.
    knows_word: &'a dyn Fn(&str) -> bool,
}

impl Context<'_> {
    fn source_sentences(sources: &[Source]) -> Vec<Vec<String>> {
        let sentences = |s: &Source| {
            crate::text::sentences(&s.text).into_iter().map(|x| x.trim_start_matches("A: ").to_string()).collect()
        };
        sources.iter().map(sentences).collect()
    }
}

/// Why a claim is not shown as fact.
struct Failure {
    status: SentenceStatus,
    reason: String,
}

impl Failure {
    fn unverified(reason: String) -> Failure {
        Failure { status: SentenceStatus::Unverified, reason }
    }
}

/// One claim as the claim rules see it, with what several of them measure, each computed
/// once, when a rule first needs it.
struct Claim<'a> {
    context: &'a Context<'a>,
    text: &'a str,
    /// As the model wrote them.
    citations: &'a [usize],
    /// Those of a source that exists, in order: all of them once [`rules::citations`] passed.
    cited: Vec<usize>,
    /// The claim's embedding.
    vector: &'a [f32],
    cited_text: OnceCell<String>,
    named_drugs: OnceCell<Vec<ResolvedDrug>>,
    names: OnceCell<HashSet<String>>,
    support: OnceCell<Support>,
    fewest_added: OnceCell<Option<Added>>,
}

impl<'a> Claim<'a> {
    fn new(context: &'a Context<'a>, text: &'a str, citations: &'a [usize], vector: &'a [f32]) -> Claim<'a> {
        Claim {
            context,
            text,
            citations,
            cited: citations.iter().copied().filter(|&n| n >= 1 && n <= context.sources.len()).collect(),
            vector,
            cited_text: OnceCell::new(),
            named_drugs: OnceCell::new(),
            names: OnceCell::new(),
            support: OnceCell::new(),
            fewest_added: OnceCell::new(),
        }
    }

    /// The claim with the verdict of the first claim rule it fails, or verified.
    fn judge(&self) -> AnswerSentence {
        let failure = RULES.iter().find_map(|rule| match rule {
            Rule::Claim { name, check } => check(self).map(|failure| (name, failure)),
            Rule::Answer { .. } => None,
        });
        if let Some((rule, failure)) = &failure {
            tracing::debug!(rule, reason = failure.reason, "claim failed");
        }
        let (status, reason) = match failure {
            Some((_, Failure { status, reason })) => (status, Some(reason)),
            None => (SentenceStatus::Verified, None),
        };
        AnswerSentence {
            text: self.text.to_string(),
            citations: self.citations.to_vec(),
            status,
            reason,
            support: self.support.get().map(|s| s.similarity.max(-1.0)),
            related: false,
        }
    }

    /// The cited sources, in the order cited.
    fn cited_sources(&self) -> impl Iterator<Item = &'a Source> + '_ {
        self.cited.iter().map(|&n| &self.context.sources[n - 1])
    }

    /// The cited passages, one after the other.
    fn cited_text(&self) -> &str {
        self.cited_text.get_or_init(|| self.cited_sources().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n"))
    }

    /// Every sentence of the cited passages.
    fn cited_sentences(&self) -> impl Iterator<Item = &str> {
        self.cited.iter().flat_map(|&n| self.context.sentences[n - 1].iter().map(String::as_str))
    }

    /// The drugs the catalogs find in the claim, by name rather than by a near spelling.
    fn named_drugs(&self) -> &[ResolvedDrug] {
        self.named_drugs.get_or_init(|| {
            let found = self.context.catalogs.iter().flat_map(|c| c.resolve(self.text).drugs);
            found.filter(|d| d.how != crate::retrieve::MatchKind::Fuzzy).collect()
        })
    }

    /// Names the claim may use that its cited passage need not contain, as [`words::word_forms`]:
    /// the drugs of the question, the labels of the sources (drug and section), and the drugs
    /// it names (those are checked by [`rules::drug_names`]).
    fn names(&self) -> &HashSet<String> {
        self.names.get_or_init(|| {
            let mut names: Vec<String> = Vec::new();
            for d in self.context.question_drugs {
                names.extend([d.title.clone(), d.matched.clone(), d.slug.clone()]);
            }
            // The prompt's labels of its sources ("Doxycycline (FAQs)"), when echoed, are bookkeeping.
            names.extend(self.context.sources.iter().flat_map(|s| [s.drug.clone(), s.section.clone()]));
            for d in self.named_drugs() {
                names.extend([d.title.clone(), d.matched.clone()]);
            }
            names.iter().flat_map(|n| words::word_forms(n)).collect()
        })
    }

    /// How well the cited passages support the claim (see [`rules::support`]).
    fn support(&self) -> &Support {
        self.support.get_or_init(|| rules::support::measure(self))
    }

    /// The words the claim adds to the supporting passage to which it adds the fewest (see
    /// [`rules::added_words`]); none when no cited passage supports it.
    fn fewest_added(&self) -> Option<&Added> {
        self.fewest_added.get_or_init(|| rules::added_words::fewest(self)).as_ref()
    }
}

#[cfg(test)]
mod testing {
    use super::*;

    /// The same fixture as the engine's integration tests (`crate::testing`).
    pub use crate::testing::verify::source;

    /// A drug the question names by its title.
    pub fn asked(title: &str) -> ResolvedDrug {
        ResolvedDrug {
            index: 0,
            slug: title.to_lowercase(),
            title: title.into(),
            matched: title.to_lowercase(),
            how: crate::retrieve::MatchKind::Generic,
            is_banned: false,
            library: "bundled".into(),
        }
    }

    /// An answer's sources, question and verifier in a unit test, without the embedder: every
    /// sentence of every source is `similarity` similar to every claim, and `known` stands for
    /// the vocabulary.
    pub struct Fixture {
        pub sources: Vec<Source>,
        pub question_drugs: Vec<ResolvedDrug>,
        pub catalog: DrugCatalog,
        pub thresholds: Thresholds,
        pub similarity: f32,
        pub known: fn(&str) -> bool,
    }

    impl Fixture {
        pub fn new(sources: Vec<Source>) -> Fixture {
            Fixture {
                sources,
                question_drugs: Vec::new(),
                catalog: DrugCatalog::new(&[]),
                thresholds: Thresholds::default(),
                similarity: 0.9,
                known: |_| true,
            }
        }

        /// Runs `f` on `claim`, written with its citation markers ("… [1].").
        pub fn with_claim<R>(&self, claim: &str, f: impl FnOnce(&Claim<'_>) -> R) -> R {
            let (text, citations) = strip_citations(claim);
            let sentences = Context::source_sentences(&self.sources);
            let s = self.similarity;
            let catalogs = [&self.catalog];
            let context = Context {
                sources: &self.sources,
                vectors: sentences.iter().map(|l| l.iter().map(|_| vec![s, (1.0 - s * s).sqrt()]).collect()).collect(),
                sentences,
                words: self.sources.iter().map(|s| PassageWords::new(&s.text)).collect(),
                question_drugs: &self.question_drugs,
                catalogs: &catalogs,
                thresholds: self.thresholds,
                knows_word: &self.known,
            };
            f(&Claim::new(&context, &text, &citations, &[1.0, 0.0]))
        }

        /// Why `rule` fails `claim`, if it does.
        pub fn reason(&self, claim: &str, rule: fn(&Claim<'_>) -> Option<Failure>) -> Option<String> {
            self.with_claim(claim, |c| rule(c).map(|failure| failure.reason))
        }

        /// `claim` through every claim rule.
        pub fn judge(&self, claim: &str) -> AnswerSentence {
            self.with_claim(claim, |c| c.judge())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{source, Fixture};
    use super::*;
    use drugchatter_monograph::SectionKind;

    impl Rule {
        fn name(&self) -> &'static str {
            match self {
                Rule::Claim { name, .. } | Rule::Answer { name, .. } => name,
            }
        }
    }

    #[test]
    fn claim_rules_come_before_answer_rules_and_each_has_its_own_name() {
        assert!(RULES.is_sorted_by_key(|rule| matches!(rule, Rule::Answer { .. })));
        let names: HashSet<&str> = RULES.iter().map(Rule::name).collect();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn the_first_failing_rule_gives_the_reason_and_support_is_measured_only_when_reached() {
        let fixture = Fixture::new(vec![source(1, "Calmaxine", "FAQs", SectionKind::Faqs, "Take 5 mg at night.")]);
        // A copied "No" with a number the passage lacks: the yes/no rule comes first.
        let failed = fixture.judge("No, take 7 mg at night [1].");
        assert_eq!(failed.status, SentenceStatus::Unverified);
        assert_eq!(failed.reason.as_deref(), Some("answers yes or no, which its passage said to another question"));
        assert_eq!(failed.support, None);
        let verified = fixture.judge("Take 5 mg at night [1].");
        assert_eq!((verified.status, verified.reason), (SentenceStatus::Verified, None));
        assert_eq!(verified.support, Some(0.9));
        let unsupported = Fixture { similarity: 0.3, ..Fixture::new(fixture.sources.clone()) };
        assert_eq!(unsupported.judge("Take 5 mg at night [1].").support, Some(0.3));
    }
}
