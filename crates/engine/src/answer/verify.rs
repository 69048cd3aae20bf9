//! Sentence-level verification of a generated answer against the passages it cites.
//!
//! A sentence is shown as fact only if it cites at least one source and, against the cited
//! passages: every number it states appears there with the same unit, and the numbers of
//! each of its clauses appear together in one sentence there; every drug it names is one the
//! question is about or appears there; every word it uses is either in the cited passage
//! (allowing for inflection) or a common English word (a whole word of the embedder's
//! vocabulary), so a garbled or invented term fails;
//! and it is semantically supported by one cited passage (embedding similarity to that
//! passage's best sentence, combined with word overlap with that passage).

use super::numbers::{quantities, supported, unit_of, Quantity};
use super::{AnswerSentence, SentenceStatus, Source};
use crate::embed::{cosine, Embedder};
use crate::error::Result;
use crate::index::lexical::{is_stopword, terms};
use crate::retrieve::{DrugCatalog, Intent, ResolvedDrug};

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

/// Words that turn a statement around. Sentence embeddings barely see them: "Doxycycline
/// does not make you burn easier in the sun" is 0.88 similar to "Does doxycycline make you
/// burn easier in the sun?".
const NEGATIONS: &[&str] =
    &["not", "no", "never", "cannot", "none", "nor", "neither", "nothing", "avoid", "without", "stop", "unsafe"];

/// Whether a sentence is negated (see [`NEGATIONS`]; "don't" and the like too).
pub fn negated(sentence: &str) -> bool {
    let lower = sentence.to_lowercase().replace('’', "'");
    lower.contains("n't") || crate::text::words(&lower).iter().any(|w| NEGATIONS.contains(&w.as_str()))
}

/// Splits model output into sentences with their `[n]` citations.
pub fn split_cited(output: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for raw in crate::text::sentences(output) {
        // Markers at the very start ("Cream. [2] Apply…") close the previous sentence, unless
        // it has its own: then they open this one, as in a list ("Cream [1].\n[2] Apply…").
        let mut raw = raw.trim_start();
        while let Some(close) = raw.strip_prefix('[').and_then(|r| r.find(']')) {
            let (_, leading) = strip_citations(&raw[..close + 2]);
            match (leading.is_empty(), out.last_mut()) {
                (false, Some(last)) if last.1.is_empty() => last.1.extend(leading),
                _ => break,
            }
            raw = raw[close + 2..].trim_start();
        }
        let (claim, citations) = strip_citations(raw);
        let claim = without_preamble(claim.trim().trim_start_matches(['-', '*', '•']).trim()).to_string();
        if !makes_a_claim(&claim) {
            // A citation standing alone ("[2]") belongs to the sentence before it.
            if let Some(last) = out.last_mut() {
                last.1.extend(citations);
            }
            continue;
        }
        out.push((claim, citations));
    }
    out
}

/// "The answer to the question is: Take…" → "Take…".
fn without_preamble(sentence: &str) -> &str {
    let lower = sentence.to_lowercase();
    let announces =
        ["the answer", "answer", "the source", "according to", "based on"].iter().any(|p| lower.starts_with(p));
    match sentence.split_once(": ") {
        Some((_, rest)) if announces => rest.trim(),
        _ => sentence,
    }
}

/// List numbers ("2."), headings ("Side effects:", "Insulin Glargine (FAQs)", echoed from
/// the prompt's source labels) and announcements ("The answer is:") state nothing to verify;
/// they are neither shown nor counted against the answer.
fn makes_a_claim(sentence: &str) -> bool {
    let mut outside_brackets = String::with_capacity(sentence.len());
    let mut depth = 0usize;
    for c in sentence.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside_brackets.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = outside_brackets.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    let title_case = words.iter().all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()));
    // A question ("Q: Can I take it with milk?", echoed from an FAQ) asks, it does not state.
    let question = sentence.trim_end_matches(['"', '\'', ')']).ends_with('?');
    words.len() >= 2 && !title_case && !sentence.ends_with(':') && !question
}

/// Removes the labels the prompt gives its sources when the model echoes them: a leading
/// "Source [2], Imiquimod (Side Effects › Common Side Effects):" or "A: " (the answer half
/// of an FAQ), and a "(Side Effects › Common Side Effects)" after a drug's name. They are
/// the prompt's bookkeeping, not part of what the sentence states.
pub fn without_source_labels(claim: &str, sources: &[Source]) -> String {
    let mut text = claim.trim().to_string();
    for s in sources {
        let label = format!("{} ({})", s.drug, s.section);
        let labelled = [format!("Source, {label}:"), format!("Source {label}:"), format!("{label}:")];
        let dashed = [format!("{label} -"), format!("{label} –")];
        for prefix in labelled.iter().chain(&dashed) {
            if let Some(rest) = text.strip_prefix(prefix.as_str()) {
                text = rest.trim_start_matches([' ', '-', '–']).to_string();
            }
        }
    }
    for prefix in ["A: ", "Source, ", "Source: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.to_string();
        }
    }
    for s in sources {
        text = text.replace(&format!(" ({})", s.section), "");
    }
    // Labels leave the sentence starting in lower case ("Imiquimod (FAQs): it…"): restore it.
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// Removes `[1]`, `[1, 2]`, `[Source 3]` markers, returning the text and the numbers.
pub fn strip_citations(sentence: &str) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(sentence.len());
    let mut citations = Vec::new();
    let mut rest = sentence;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else { break };
        let inner = &rest[open + 1..close];
        let numbers: Vec<usize> = inner
            .split([',', ' ', ';'])
            .map(|p| p.trim().trim_start_matches("Source").trim_start_matches("source"))
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<usize>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        text.push_str(&rest[..open]);
        if numbers.is_empty() {
            text.push_str(&rest[open..=close]);
        } else {
            citations.extend(numbers);
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    let text = text.replace(" .", ".").replace(" ,", ",");
    citations.dedup();
    (crate::text::collapse_spaces(&text), citations)
}

pub struct Verifier<'a> {
    pub embedder: &'a Embedder,
    /// Every library's names: a sentence naming any known drug is checked.
    pub catalogs: Vec<&'a DrugCatalog>,
    pub thresholds: Thresholds,
}

impl Verifier<'_> {
    /// Checks every sentence of `output` against `sources` (numbered from 1).
    pub fn check(
        &self,
        output: &str,
        sources: &[Source],
        question_drugs: &[ResolvedDrug],
    ) -> Result<Vec<AnswerSentence>> {
        let sentences: Vec<(String, Vec<usize>)> = split_cited(output)
            .into_iter()
            .map(|(claim, citations)| (without_source_labels(&claim, sources), citations))
            .filter(|(claim, _)| makes_a_claim(claim))
            .collect();
        // A sentence the model repeats, whole or as the start of an earlier one, says nothing new.
        let normal = |claim: &str| crate::text::words(claim).join(" ");
        let mut said: Vec<String> = Vec::new();
        let sentences: Vec<(String, Vec<usize>)> = sentences
            .into_iter()
            .filter(|(claim, _)| {
                let words = normal(claim);
                let repeats = said.iter().any(|earlier| earlier.starts_with(&words));
                said.push(words);
                !repeats
            })
            .collect();
        // Embed every claim and every sentence of every source once, in one batch.
        let source_sentences: Vec<Vec<String>> = sources
            .iter()
            .map(|s| {
                crate::text::sentences(&s.text).into_iter().map(|x| x.trim_start_matches("A: ").to_string()).collect()
            })
            .collect();
        let mut texts: Vec<&str> = sentences.iter().map(|(c, _)| c.as_str()).collect();
        let claims_len = texts.len();
        for list in &source_sentences {
            texts.extend(list.iter().map(String::as_str));
        }
        let vectors = self.embedder.embed_all(&texts, &mut |_| true)?;
        let (claim_vectors, mut rest) = vectors.split_at(claims_len);
        let mut source_vectors: Vec<&[Vec<f32>]> = Vec::new();
        for list in &source_sentences {
            let (mine, tail) = rest.split_at(list.len());
            source_vectors.push(mine);
            rest = tail;
        }

        // Each source's words, looked up by the word checks of every claim that cites it.
        let source_words: Vec<PassageWords> = sources.iter().map(|s| PassageWords::new(&s.text)).collect();
        let mut checked = Vec::with_capacity(sentences.len());
        for ((claim, citations), claim_vector) in sentences.into_iter().zip(claim_vectors) {
            let mut sentence = AnswerSentence {
                text: claim.clone(),
                citations: citations.clone(),
                status: SentenceStatus::Verified,
                reason: None,
                support: None,
                related: false,
            };
            let valid: Vec<usize> = citations.iter().copied().filter(|&n| n >= 1 && n <= sources.len()).collect();
            if citations.is_empty() {
                sentence.status = SentenceStatus::Uncited;
                sentence.reason = Some("cites no source".into());
                checked.push(sentence);
                continue;
            }
            if valid.len() != citations.len() {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("cites a source that does not exist (there are {})", sources.len()));
                checked.push(sentence);
                continue;
            }
            let cited_text: String = valid.iter().map(|&n| sources[n - 1].text.as_str()).collect::<Vec<_>>().join("\n");
            let names = self.names(&claim, question_drugs, sources);
            let cited_sentences = valid.iter().flat_map(|&n| source_sentences[n - 1].iter().map(String::as_str));
            if let Some(reason) = answers_yes_or_no(&claim)
                .then(|| "answers yes or no, which its passage said to another question".to_string())
                .or_else(|| self.unsupported_number(&claim, &cited_text))
                .or_else(|| numbers_apart(&claim, cited_sentences))
                .or_else(|| self.foreign_drug(&claim, &cited_text, question_drugs))
                .or_else(|| misread_pronoun(&claim, valid.iter().map(|&n| &sources[n - 1]), question_drugs))
                .or_else(|| {
                    unknown_word(&claim, &PassageWords::new(&cited_text), &names, &|w| self.embedder.knows_word(w))
                        .map(|w| format!("\"{w}\" is neither in the cited passage nor a common word"))
                })
            {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(reason);
                checked.push(sentence);
                continue;
            }
            // Support comes from a statement of the same polarity: a question in the passage
            // (an FAQ's "Q: …?") states nothing, and a negated claim needs a negated sentence.
            // It comes from one cited passage, not from all of them joined (where a sentence
            // can gather its words from several): the similarity of the passage's best sentence,
            // with the word overlap with that passage for a strongly similar claim, and with that
            // sentence and its neighbours for a less similar one ("…little effect on noradrenaline
            // receptors, but it does have a sedating effect on sleep…" is 0.56 similar to "It has
            // little effect on noradrenaline… receptors" and takes its other words from elsewhere).
            let polarity = negated(&claim);
            let t = self.thresholds;
            let (mut similarity, mut overlap, mut supported) = (f32::MIN, 0.0f32, false);
            let mut windows: Vec<String> = Vec::new();
            // The words the claim adds to the cited passage that adds the fewest.
            let mut fewest_novel: Option<(Vec<String>, usize)> = None;
            for &n in &valid {
                let list = &source_sentences[n - 1];
                let best = list
                    .iter()
                    .zip(source_vectors[n - 1])
                    .enumerate()
                    .filter(|(_, (text, _))| !text.trim_end().ends_with('?') && negated(text) == polarity)
                    .map(|(i, (_, v))| (i, cosine(claim_vector, v)))
                    .fold(None, |best: Option<(usize, f32)>, (i, s)| match best {
                        Some((_, b)) if b >= s => best,
                        _ => Some((i, s)),
                    });
                let Some((best, passage_similarity)) = best else { continue };
                let passage_overlap = word_overlap(&claim, &sources[n - 1].text);
                let window = list[best.saturating_sub(1)..(best + 2).min(list.len())].join(" ");
                let window_overlap = word_overlap(&claim, &window);
                windows.push(window);
                let passage_supports = (passage_similarity >= t.strong_similarity
                    && passage_overlap >= t.strong_overlap)
                    || (passage_similarity >= t.similarity && window_overlap >= t.overlap);
                if passage_supports {
                    let novel = novel_words(&claim, &source_words[n - 1], &names);
                    if fewest_novel.as_ref().is_none_or(|(f, _)| novel.len() < f.len()) {
                        fewest_novel = Some((novel, n));
                    }
                }
                supported |= passage_supports;
                if passage_similarity > similarity {
                    similarity = passage_similarity;
                    overlap = if passage_similarity >= t.strong_similarity { passage_overlap } else { window_overlap };
                }
            }
            sentence.support = Some(similarity.max(-1.0));
            let unsupported_clause = supported
                .then(|| {
                    clauses(&claim)
                        .into_iter()
                        .find(|c| !terms(c).is_empty() && windows.iter().all(|w| word_overlap(c, w) < t.clause_overlap))
                })
                .flatten();
            let novel = fewest_novel.as_ref().map_or(&[][..], |(novel, _)| novel.as_slice());
            let reversed = valid.iter().find_map(|&n| reversed_word(novel, &source_words[n - 1]));
            let apart =
                fewest_novel.as_ref().and_then(|&(_, n)| apart_words(&claim, &sources[n - 1].text, &names, t.apart));
            if let Some(clause) = unsupported_clause {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("\"{}\" is not in the cited passage", clause.trim()));
            } else if let Some((said, passage_says)) = reversed {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("says \"{said}\" where the cited passage says \"{passage_says}\""));
            } else if let Some((first, second)) = apart {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason =
                    Some(format!("joins \"{first}\" and \"{second}\", which are apart in the cited passage"));
            } else if supported && novel.len() > t.novel_words {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("adds words the cited passage does not have: {}", novel.join(", ")));
            } else if !supported && similarity == f32::MIN {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(if polarity {
                    "the cited passage states nothing negated to compare this negated sentence with".into()
                } else {
                    "the cited passage states nothing to compare it with, only negations or questions".into()
                });
            } else if !supported {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!(
                    "not supported by the cited passage (similarity {similarity:.2}, word overlap {overlap:.2})"
                ));
            }
            checked.push(sentence);
        }
        Ok(checked)
    }

    /// Marks a verified sentence unverified when it copies a labelled line of its passage
    /// ("Hemodialysis: … 40 mcg at 0, 1 and 6 months") without the label, and the question
    /// does not name it either: "40 mcg at 0, 1 and 6 months" is then no answer to how many
    /// shots adults need. The label says whom or what the line is about.
    pub fn mark_dropped_labels(&self, question: &str, sources: &[Source], sentences: &mut [AnswerSentence]) {
        for sentence in sentences.iter_mut().filter(|s| s.status == SentenceStatus::Verified) {
            let stated = PassageWords::new(&format!("{} {question}", sentence.text));
            let lines = sentence.citations.iter().filter_map(|&n| sources.get(n.wrapping_sub(1)));
            // The labelled line the sentence copies most of, if it copies most of one.
            let copied = lines
                .flat_map(|s| s.text.lines())
                .filter_map(labelled)
                .map(|(label, rest)| (label, word_overlap(&sentence.text, rest)))
                .filter(|&(_, overlap)| overlap >= self.thresholds.overlap)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let dropped = copied.filter(|(label, _)| {
                !word_forms(label).iter().any(|w| w.chars().count() >= 3 && !is_stopword(w) && stated.has(w))
            });
            if let Some((label, _)) = dropped {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("leaves out \"{label}\", which its passage says this is about"));
            }
        }
    }

    /// Marks the verified sentences that are about something else than the question
    /// [`SentenceStatus::OffTopic`]: those that cite no passage of the section the question
    /// asks about (`intents`) and are less similar to the question (`question_vector`) than
    /// [`Thresholds::relevance`]. The section counts first because a short question is far
    /// from each of its answers: "Lightening or darkening of the treated skin can occur" is
    /// 0.17 similar to "aldara side effects".
    pub fn mark_off_topic(
        &self,
        question_vector: &[f32],
        intents: &[Intent],
        sources: &[Source],
        sentences: &mut [AnswerSentence],
    ) -> Result<()> {
        let in_asked_section = |s: &AnswerSentence| {
            s.citations
                .iter()
                .filter_map(|&n| sources.get(n.wrapping_sub(1)))
                .any(|source| intents.iter().any(|i| i.matches(source.section_kind, &source.text)))
        };
        let candidates: Vec<&mut AnswerSentence> =
            sentences.iter_mut().filter(|s| s.status == SentenceStatus::Verified && !in_asked_section(s)).collect();
        let texts: Vec<&str> = candidates.iter().map(|s| s.text.as_str()).collect();
        let vectors = self.embedder.embed_all(&texts, &mut |_| true)?;
        for (sentence, vector) in candidates.into_iter().zip(vectors) {
            let relevance = cosine(question_vector, &vector);
            if relevance < self.thresholds.relevance {
                sentence.status = SentenceStatus::OffTopic;
                sentence.reason =
                    Some(format!("about something the question does not ask (similarity to it {relevance:.2})"));
            }
        }
        Ok(())
    }

    fn unsupported_number(&self, claim: &str, cited: &str) -> Option<String> {
        let available = quantities(cited);
        quantities(claim)
            .into_iter()
            .find(|q| !supported(q, &available))
            .map(|q| format!("\"{}\" does not appear in the cited passage", q.text))
    }

    /// Names a sentence may use that its cited passage need not contain: the drugs of the
    /// question, the labels of the sources (drug and section), and any drug the catalogs find
    /// in the claim (those are checked by [`Self::foreign_drug`]).
    fn names(
        &self,
        claim: &str,
        question_drugs: &[ResolvedDrug],
        sources: &[Source],
    ) -> std::collections::HashSet<String> {
        let mut names: Vec<String> = Vec::new();
        for d in question_drugs {
            names.extend([d.title.clone(), d.matched.clone(), d.slug.clone()]);
        }
        // The prompt's labels of its sources ("Doxycycline (FAQs)"), when echoed, are bookkeeping.
        names.extend(sources.iter().flat_map(|s| [s.drug.clone(), s.section.clone()]));
        for d in self.catalogs.iter().flat_map(|c| c.resolve(claim).drugs) {
            if d.how != crate::retrieve::MatchKind::Fuzzy {
                names.extend([d.title, d.matched]);
            }
        }
        names.iter().flat_map(|n| word_forms(n)).collect()
    }

    fn foreign_drug(&self, claim: &str, cited: &str, question_drugs: &[ResolvedDrug]) -> Option<String> {
        let cited_lower = cited.to_lowercase();
        self.catalogs
            .iter()
            .flat_map(|c| c.resolve(claim).drugs)
            .filter(|d| d.how != crate::retrieve::MatchKind::Fuzzy)
            .find(|d| {
                !question_drugs.iter().any(|q| q.slug == d.slug)
                    && !cited_lower.contains(&d.matched)
                    && !cited_lower.contains(&d.title.to_lowercase())
            })
            .map(|d| format!("names {}, which neither the question nor the cited passage is about", d.title))
    }
}

/// Labels that name a topic rather than whom or what a line is about: "Common: nausea…",
/// "Pharmacodynamics: …", an FAQ's "A: …".
const PLAIN_LABELS: &[&str] = &[
    "a",
    "q",
    "note",
    "common",
    "very common",
    "less common",
    "uncommon",
    "rare",
    "serious",
    "side effects",
    "common side effects",
    "serious side effects",
    "boxed warning",
    "warning",
    "warnings",
    "pharmacodynamics",
    "pharmacokinetics",
    "pharmacological classification",
    "classification",
    "drug class",
    "mechanism",
    "receptor binding",
    "cytokine release",
    "onset",
    "duration",
    "absorption",
    "metabolism",
    "elimination",
    "half-life",
    "overdose",
    "storage",
    "dosage",
    "brand names",
    "how it works",
];

/// A source line's label and the rest: "Hemodialysis: Engerix-B 40 mcg…" → ("Hemodialysis",
/// "Engerix-B 40 mcg…").
fn labelled(line: &str) -> Option<(&str, &str)> {
    let (label, rest) = line.split_once(": ")?;
    let label = label.trim();
    let words = label.split_whitespace().count();
    ((1..=8).contains(&words) && !PLAIN_LABELS.contains(&label.to_lowercase().as_str())).then_some((label, rest))
}

/// A sentence opening on "It" or "This" reads as being about the first drug asked about;
/// copied from a passage on another drug ("It also blocks aldosterone…" from the
/// spironolactone passage, to a question about lisinopril), it says the wrong thing.
pub fn misread_pronoun<'s>(
    claim: &str,
    cited: impl Iterator<Item = &'s Source>,
    question_drugs: &[ResolvedDrug],
) -> Option<String> {
    let first: String = claim.split_whitespace().next()?.chars().filter(|c| c.is_alphabetic()).collect();
    let first = first.to_lowercase();
    let asked = question_drugs.first()?;
    let opens_on_pronoun = matches!(first.as_str(), "it" | "its" | "this" | "they" | "theyre" | "these");
    cited.filter(|_| opens_on_pronoun).find(|s| s.drug_slug != asked.slug).map(|s| {
        format!("opens on \"{first}\", which would read as {}, but the cited passage is about {}", asked.title, s.drug)
    })
}

/// The quantities of each part of the claim (see [`parts`]) must appear together in one
/// sentence of the cited passages: "2 doses of Heplisav-B at 0, 1 and 6 months" takes its
/// numbers from two products' schedules, each of which is in the passage.
pub fn numbers_apart<'s>(claim: &str, cited_sentences: impl Iterator<Item = &'s str>) -> Option<String> {
    let available: Vec<Vec<Quantity>> = cited_sentences.map(quantities).collect();
    parts(claim).into_iter().find_map(|part| {
        let wanted = quantities(part);
        let together =
            wanted.is_empty() || available.iter().any(|sentence| wanted.iter().all(|q| supported(q, sentence)));
        (!together).then(|| {
            let listed: Vec<String> = wanted
                .iter()
                .map(|q| format!("\"{}\"", q.text.trim_matches(|c: char| !c.is_alphanumeric() && c != '%')))
                .collect();
            format!("{} do not appear together in one sentence of the cited passage", listed.join(", "))
        })
    })
}

/// The words of `text` for [`unknown_word`]: lower case, contractions cut ("doesn't" →
/// "does"), with each part of a hyphenated word as well as the whole.
fn word_forms(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace('’', "'");
    let mut out = Vec::new();
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')) {
        let word = raw.split("n't").next().and_then(|w| w.split('\'').next()).unwrap_or("").trim_matches('-');
        if word.is_empty() {
            continue;
        }
        out.push(word.to_string());
        if word.contains('-') {
            out.extend(word.split('-').filter(|p| !p.is_empty()).map(str::to_string));
        }
    }
    out
}

/// British and American spellings alike: "diarrhoea", "haemodialysis", "anaemia" →
/// "diarrhea", "hemodialysis", "anemia".
fn fold_spelling(word: &str) -> String {
    word.replace("ae", "e").replace("oe", "e")
}

/// A word's stem for matching inflections and derivations: "sedating", "sedation" and
/// "sedative" → "sedat"; "drowsiness" and "drowsy" → "drowsy"; "doses" and "dose" → "dose".
fn stem(word: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "ating", "ated", "ates", "ate", "ings", "ing", "edly", "ed", "ness", "ities", "ity", "ives",
        "ive", "ions", "ion", "ancy", "ant", "ly", "es", "s", "e",
    ];
    let mut base = fold_spelling(word);
    if let Some(cut) = SUFFIXES.iter().find_map(|s| base.strip_suffix(s).filter(|b| b.chars().count() >= 4)) {
        base = cut.to_string();
    }
    if base.chars().count() > 4 && base.ends_with('e') {
        base.pop();
    }
    if base.ends_with('i') {
        base.pop();
        base.push('y');
    }
    base
}

/// The words of a passage as the word checks look them up: each word, spelling-folded and
/// stemmed, so "drowsiness" is found for "drowsy" and "diarrhoea" for "diarrhea".
pub struct PassageWords(std::collections::HashSet<String>);

impl PassageWords {
    pub fn new(passage: &str) -> PassageWords {
        let mut words = std::collections::HashSet::new();
        for w in word_forms(passage) {
            words.insert(fold_spelling(&w));
            words.insert(stem(&w));
        }
        PassageWords(words)
    }

    fn has(&self, word: &str) -> bool {
        self.0.contains(&fold_spelling(word)) || self.0.contains(&stem(word))
    }
}

/// Whether the claim's `word` needs no source: in the passage, a name (see
/// [`Verifier::names`]), a number or unit, or too short to mean much.
fn accounted_for(word: &str, passage: &PassageWords, names: &std::collections::HashSet<String>) -> bool {
    passage.has(word)
        || names.contains(word)
        || word.chars().any(|c| c.is_ascii_digit())
        || word.chars().count() < 3
        || unit_of(word).is_some()
}

/// The words of `claim` that `present` does not account for; a hyphenated word counts when
/// it is not whole in the passage and one of its parts is missing too.
fn missing_words(claim: &str, present: impl Fn(&str) -> bool) -> Vec<String> {
    word_forms(claim)
        .into_iter()
        .filter(|w| !present(w) && (!w.contains('-') || w.split('-').any(|p| !p.is_empty() && !present(p))))
        .collect()
}

/// The first word of `claim` that is neither in `passage` (allowing for inflection and
/// spelling), nor a common English word (`known`), nor one of `names` (drug names, see
/// [`Verifier::names`]), nor a number or unit. Sentence embeddings read a garbled or
/// invented term as its near neighbour: "Keep antacrolls, calcium… away from your dose" is
/// 0.96 similar to the passage's "Keep antacids, calcium…".
pub fn unknown_word(
    claim: &str,
    passage: &PassageWords,
    names: &std::collections::HashSet<String>,
    known: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let present =
        |w: &str| accounted_for(w, passage, names) || known(w) || known(&stem(w)) || known(&format!("{}e", stem(w)));
    missing_words(claim, present).into_iter().next()
}

/// Words that restate rather than state: a sentence may add them to its passage freely.
const RESTATING: &[&str] = &[
    "also",
    "may",
    "might",
    "usually",
    "often",
    "generally",
    "medicine",
    "medication",
    "drug",
    "work",
    "works",
    "via",
    "used",
    "use",
    "uses",
    "help",
    "helps",
    "called",
    "known",
    "like",
    "such",
    "including",
    "include",
    "includes",
    "however",
    "because",
    "not",
];

/// The content words of `claim` (not stop words nor [`RESTATING`]) that `passage` lacks,
/// each once, in order: what the sentence adds to its source (see [`Thresholds::novel_words`]).
pub fn novel_words(claim: &str, passage: &PassageWords, names: &std::collections::HashSet<String>) -> Vec<String> {
    let mut novel =
        missing_words(claim, |w| accounted_for(w, passage, names) || is_stopword(w) || RESTATING.contains(&w));
    let mut seen = std::collections::HashSet::new();
    novel.retain(|w| seen.insert(w.clone()));
    novel
}

/// The content words of `text` in order, stemmed, for measuring how far apart they are.
fn content_sequence(text: &str) -> Vec<String> {
    crate::text::words(text)
        .into_iter()
        .filter(|w| w.chars().count() > 1 && !is_stopword(w) && !RESTATING.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// Two neighbouring content words of one stretch of `claim` (see [`Thresholds::apart`])
/// between which `passage` has more than `max_gap` content words that the claim leaves out.
/// Words the passage lacks are skipped (they are [`novel_words`]), and so are `names`, which
/// may stand for the passage's own words ("ibuprofen" for "NSAIDs"). Order may change, and
/// words the claim has elsewhere do not count as left out: "It may make some people drowsy"
/// from "It may cause drowsiness, nausea and diarrhoea in some people" leaves out two.
pub fn apart_words(
    claim: &str,
    passage: &str,
    names: &std::collections::HashSet<String>,
    max_gap: usize,
) -> Option<(String, String)> {
    let sequence = content_sequence(passage);
    let in_claim: std::collections::HashSet<String> =
        content_sequence(&claim.replace('-', " ")).into_iter().chain(content_sequence(claim)).collect();
    let mut positions: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, w) in sequence.iter().enumerate() {
        positions.entry(w).or_default().push(i);
    }
    // The same word twice ("…weeks… weeks…") can sit at one position: nothing between.
    let left_out = |x: usize, y: usize| {
        sequence
            .get(x.min(y) + 1..x.max(y))
            .map_or(0, |between| between.iter().filter(|w| !in_claim.contains(*w)).count())
    };
    let stretches = claim.split([',', ';', ':']).flat_map(|s| {
        s.split(" and ").flat_map(|s| s.split(" or ")).flat_map(|s| s.split(" but ")).collect::<Vec<_>>()
    });
    for stretch in stretches {
        let found: Vec<(String, &Vec<usize>)> = crate::text::words(stretch)
            .into_iter()
            .filter(|w| !names.contains(w))
            .filter_map(|w| content_sequence(&w).pop().and_then(|s| positions.get(s.as_str())).map(|p| (w, p)))
            .collect();
        for pair in found.windows(2) {
            let ((first, a), (second, b)) = (&pair[0], &pair[1]);
            let gap = a.iter().flat_map(|&x| b.iter().map(move |&y| left_out(x, y))).min().unwrap_or(0);
            if gap > max_gap {
                return Some((first.clone(), second.clone()));
            }
        }
    }
    None
}

/// Pairs of words of opposite meaning that share no affix.
const OPPOSITES: &[(&str, &str)] = &[
    ("increase", "decrease"),
    ("raise", "lower"),
    ("higher", "lower"),
    ("more", "less"),
    ("before", "after"),
    ("start", "stop"),
    ("maximum", "minimum"),
    ("above", "below"),
    ("safe", "unsafe"),
    ("always", "never"),
    ("common", "rare"),
    ("better", "worse"),
    ("early", "late"),
    ("high", "low"),
];

/// The first of `novel` (words the claim adds) whose opposite the passage has, with that
/// opposite: "harmful" where the passage says "harmless", "uncommon" for "common". Sentence
/// embeddings rate a sentence and its reversal close, and the reversal adds only one word.
pub fn reversed_word(novel: &[String], passage: &PassageWords) -> Option<(String, String)> {
    novel.iter().find_map(|word| {
        let mut opposites: Vec<String> = Vec::new();
        for prefix in ["un", "in", "im", "non", "dis"] {
            opposites.push(format!("{prefix}{word}"));
            // Only a remainder long enough to be a word of its own: "unless" is not "un" + "less".
            if let Some(rest) = word.strip_prefix(prefix).filter(|r| r.chars().count() >= 5) {
                opposites.push(rest.to_string());
            }
        }
        for (a, b) in [("less", "ful"), ("ful", "less")] {
            if let Some(base) = word.strip_suffix(a) {
                opposites.push(format!("{base}{b}"));
            }
        }
        for &(a, b) in OPPOSITES {
            if stem(word) == stem(a) {
                opposites.push(b.to_string());
            } else if stem(word) == stem(b) {
                opposites.push(a.to_string());
            }
        }
        opposites.into_iter().find(|o| passage.has(o)).map(|o| (word.clone(), o))
    })
}

/// A leading bare "Yes," or "No.": copied from an FAQ, it answers the FAQ's question, which
/// may be put the other way round from the user's ("Can I drive?" against "…drowsy enough
/// that I shouldn't drive?"). "No more than 4 g a day" is a statement, not an answer.
pub fn answers_yes_or_no(sentence: &str) -> bool {
    let trimmed = sentence.trim_start();
    let first: String = trimmed.chars().take_while(|c| c.is_alphabetic()).collect();
    let after = trimmed[first.len()..].chars().next();
    matches!(first.to_lowercase().as_str(), "yes" | "no") && matches!(after, Some(',' | '.' | ';' | ':' | '!') | None)
}

/// A sentence cut at its clauses: the first part, then each of [`clauses`].
pub fn parts(sentence: &str) -> Vec<&str> {
    let rest = clauses(sentence);
    let first_end = rest.first().map_or(sentence.len(), |c| c.as_ptr() as usize - sentence.as_ptr() as usize - 1);
    std::iter::once(&sentence[..first_end]).chain(rest).collect()
}

/// The parts of a sentence after its first: split at semicolons and at a comma followed
/// by a word that adds a clause ("…sulfide, which can cause heartburn").
pub fn clauses(sentence: &str) -> Vec<&str> {
    const JOINERS: &[&str] =
        &["which", "but", "and", "so", "because", "while", "although", "whereas", "or", "especially", "particularly"];
    let mut cuts: Vec<usize> = Vec::new();
    for (i, c) in sentence.char_indices() {
        let rest = &sentence[i + c.len_utf8()..];
        let joins = c == ',' && {
            let next = rest.trim_start().split(|ch: char| !ch.is_alphabetic()).next().unwrap_or("");
            JOINERS.contains(&next.to_lowercase().as_str())
        };
        if c == ';' || joins {
            cuts.push(i);
        }
    }
    cuts.iter()
        .enumerate()
        .map(|(k, &start)| &sentence[start + 1..cuts.get(k + 1).copied().unwrap_or(sentence.len())])
        .collect()
}

/// Share of the claim's content words that occur in the passage.
pub fn word_overlap(claim: &str, passage: &str) -> f32 {
    let claim_terms = terms(claim);
    if claim_terms.is_empty() {
        return 0.0;
    }
    let passage_terms: std::collections::HashSet<String> = terms(passage).into_iter().collect();
    claim_terms.iter().filter(|t| passage_terms.contains(*t)).count() as f32 / claim_terms.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_or_no_answers_are_told_from_statements() {
        assert!(answers_yes_or_no("No, not until you know how it affects you."));
        assert!(answers_yes_or_no("Yes. Take it with food."));
        assert!(answers_yes_or_no("yes"));
        assert!(!answers_yes_or_no("No more than 4 g a day."));
        assert!(!answers_yes_or_no("Nobody should take two doses."));
        assert!(!answers_yes_or_no("Yesterday's dose counts."));
    }

    #[test]
    fn opposites_are_found_by_affix_and_by_list() {
        let passage = PassageWords::new("Black stools are harmless and common. Doses increase slowly before meals.");
        let reversed = |w: &str| reversed_word(&[w.to_string()], &passage).map(|(_, o)| o);
        assert_eq!(reversed("harmful").as_deref(), Some("harmless"));
        assert_eq!(reversed("uncommon").as_deref(), Some("common"));
        assert_eq!(reversed("decrease").as_deref(), Some("increase"));
        assert_eq!(reversed("after").as_deref(), Some("before"));
        assert_eq!(reversed("unless"), None);
        assert_eq!(reversed("slowly"), None);
    }

    #[test]
    fn apart_words_measure_what_the_claim_leaves_out() {
        let names = std::collections::HashSet::from(["ostavan".to_string()]);
        let passage = "Take one tablet on the morning after you remember, then return to your usual weekly day.";
        let apart = |claim: &str| apart_words(claim, passage, &names, 2);
        assert_eq!(
            apart("Take one tablet on the morning of your usual day."),
            Some(("morning".into(), "usual".into()))
        );
        assert_eq!(apart("Take one tablet on the morning after you remember."), None);
        // Words the claim states elsewhere, names and repeated words are not left out.
        assert_eq!(apart("Return to your usual day, the morning after you remember."), None);
        assert_eq!(apart("Take Ostavan on the morning after you remember."), None);
        assert_eq!(apart("One tablet, one tablet."), None);
    }

    #[test]
    fn citations_are_parsed_and_removed() {
        assert_eq!(strip_citations("It works on TLR7 [1]."), ("It works on TLR7.".to_string(), vec![1]));
        assert_eq!(strip_citations("Take it daily [1, 3][2]."), ("Take it daily.".to_string(), vec![1, 3, 2]));
        assert_eq!(strip_citations("See [Source 2]."), ("See.".to_string(), vec![2]));
        assert_eq!(strip_citations("A [note] here."), ("A [note] here.".to_string(), vec![]));
    }

    #[test]
    fn echoed_source_labels_are_not_claims() {
        for label in ["Insulin Glargine (FAQs)", "Sertraline (Dosage)", "Lisinopril (Side Effects)", "Source [2]"] {
            assert!(!makes_a_claim(label), "{label}");
        }
        for claim in ["Avoid alcohol.", "Store unopened pens in the refrigerator (36°F to 46°F).", "Take it with food."]
        {
            assert!(makes_a_claim(claim), "{claim}");
        }
    }

    #[test]
    fn fragments_are_not_claims() {
        let s = split_cited("1. The answer to the question is: Take 200 mg every 4 hours [1]. Side effects:");
        assert_eq!(s, [("Take 200 mg every 4 hours.".to_string(), vec![1])]);
    }

    #[test]
    fn added_clauses_are_found() {
        assert_eq!(
            clauses("It forms bismuth sulfide, which can cause heartburn; it is harmless."),
            [" which can cause heartburn", " it is harmless."]
        );
        assert!(clauses("Keep calcium, iron and zinc away from your dose.").is_empty());
        assert_eq!(clauses("Do not drive, especially with sleep apnoea."), [" especially with sleep apnoea."]);
    }

    #[test]
    fn negation() {
        for s in ["Do not drive.", "It doesn't work.", "It can't be crushed.", "No, it is not safe.", "Avoid alcohol."]
        {
            assert!(negated(s), "{s}");
        }
        for s in ["Take it daily.", "Notice any rash.", "It is known to work.", "Does it make you burn in the sun?"] {
            assert!(!negated(s), "{s}");
        }
    }

    #[test]
    fn questions_are_not_claims() {
        assert!(!makes_a_claim("Q: Can I take doxycycline with milk or antacids?"));
        assert!(!makes_a_claim("Does bupropion cause weight gain?"));
    }

    #[test]
    fn echoed_source_labels_are_removed() {
        use crate::retrieve::Passage;
        let passage = |section: &str| Passage {
            chunk_id: "imiquimod:1".into(),
            drug: "Imiquimod".into(),
            drug_slug: "imiquimod".into(),
            library: "bundled".into(),
            section: section.into(),
            section_path: vec![section.into()],
            section_kind: drugchatter_monograph::SectionKind::SideEffects,
            source: "imiquimod.md".into(),
            span: drugchatter_monograph::Span::new(0, 0),
            text: String::new(),
            label: None,
        };
        let sources = [
            Source { n: 1, passage: passage("Side Effects › Common Side Effects") },
            Source { n: 2, passage: passage("FAQs") },
        ];
        let strip = |claim: &str| without_source_labels(claim, &sources);
        assert_eq!(strip("Imiquimod (Side Effects › Common Side Effects): Redness at the site"), "Redness at the site");
        assert_eq!(strip("Source, Imiquimod (FAQs) can cause redness."), "Imiquimod can cause redness.");
        assert_eq!(strip("A: Wash it off after 8 hours."), "Wash it off after 8 hours.");
        assert_eq!(strip("Imiquimod (FAQs) - Wash it off after 8 hours."), "Wash it off after 8 hours.");
        assert_eq!(strip("Imiquimod (FAQs) – wash it off after 8 hours."), "Wash it off after 8 hours.");
        assert_eq!(strip("Imiquimod (Dosage) is a cream."), "Imiquimod (Dosage) is a cream.");
    }

    #[test]
    fn trailing_citation_joins_previous_sentence() {
        let s = split_cited("It is a cream. [2] Apply at night [1].");
        assert_eq!(s, [("It is a cream.".to_string(), vec![2]), ("Apply at night.".to_string(), vec![1])]);
        let s = split_cited("It is a cream [1]. [2]");
        assert_eq!(s, [("It is a cream.".to_string(), vec![1, 2])]);
    }

    #[test]
    fn numbers_must_appear_together_in_one_sentence() {
        let passage = [
            "Vaxirex (20 years and older): 20 mcg at 0, 1 and 6 months.",
            "Immunova: 20 mcg at 0 and 1 month (2 doses).",
        ];
        let apart = |claim: &str| numbers_apart(claim, passage.iter().copied());
        assert!(apart("Immunova is 2 doses at 0, 1 and 6 months.").is_some());
        assert!(apart("Immunova is 2 doses at 0 and 1 month.").is_none());
        assert!(apart("Vaxirex is 20 mcg at 0, 1 and 6 months.").is_none());
        // Each clause may take its numbers from its own sentence.
        assert!(apart("Vaxirex is given at 0, 1 and 6 months; Immunova is 2 doses.").is_none());
        assert!(apart("It has no numbers.").is_none());
    }

    #[test]
    fn sentences_are_cut_into_parts() {
        assert_eq!(
            parts("Take it daily, but not with milk; store it cold."),
            ["Take it daily", " but not with milk", " store it cold."]
        );
        assert_eq!(parts("No cuts here."), ["No cuts here."]);
        // Multi-byte characters before a cut.
        assert_eq!(parts("Dosage › Adults, which vary"), ["Dosage › Adults", " which vary"]);
    }

    #[test]
    fn stems_match_inflections() {
        for (a, b) in [
            ("sedating", "sedation"),
            ("sedative", "sedate"),
            ("drowsy", "drowsiness"),
            ("doses", "dose"),
            ("urination", "urinate"),
            ("lightening", "lighten"),
            ("allergies", "allergy"),
            ("diarrhoea", "diarrhea"),
            ("haemodialysis", "hemodialysis"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        for (a, b) in [("antacrolls", "antacids"), ("doxycetabs", "doxycycline"), ("hypertension", "hypotension")] {
            assert_ne!(stem(a), stem(b), "{a} {b}");
        }
    }

    #[test]
    fn unknown_words_are_found() {
        // A stand-in for the embedder's vocabulary.
        let common = [
            "keep", "calcium", "iron", "away", "from", "your", "dose", "at", "least", "hours", "it", "does", "not",
            "make", "you", "may", "cause", "in", "some", "people", "and", "the", "a", "with", "take",
        ];
        let known = |w: &str| common.contains(&w);
        let passage = "Keep antacids, calcium and iron at least 2 hours away from your doxycycline dose. It may \
                       cause drowsiness and diarrhoea. Toll-like receptor 7.";
        let names: std::collections::HashSet<String> = ["tetracyn".to_string()].into();
        let passage = PassageWords::new(passage);
        let unknown = |claim: &str| unknown_word(claim, &passage, &names, &known);
        assert_eq!(unknown("Keep antacrolls, calcium and iron away from your dose.").as_deref(), Some("antacrolls"));
        assert_eq!(unknown("It may cause NMDA drowsiness.").as_deref(), Some("nmda"));
        assert_eq!(unknown("Keep antacids 2 hours away from your doxycycline dose."), None);
        // Inflections, the other spelling, contractions, numbers and units, hyphenated words
        // and the names of the drugs asked about.
        assert_eq!(unknown("It may make you drowsy and cause diarrhea."), None);
        assert_eq!(unknown("It doesn't cause drowsiness in 250 mg doses."), None);
        assert_eq!(unknown("Take Tetracyn with toll-like receptor 7."), None);
        assert_eq!(unknown("Take it with toll-free receptor 7.").as_deref(), Some("toll-free"));
    }

    #[test]
    fn leading_citation_after_a_cited_sentence_opens_the_next() {
        let s = split_cited("1. [1] Redness at the site [1]\n2. [2] Lightening of the skin");
        assert_eq!(s, [("Redness at the site".to_string(), vec![1]), ("Lightening of the skin".to_string(), vec![2])]);
    }
}
