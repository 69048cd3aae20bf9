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
use crate::index::lexical::terms;
use crate::retrieve::{DrugCatalog, ResolvedDrug};

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
    /// "; …") of two or more content words with the cited sentence the whole is most similar
    /// to and its neighbours: a sentence copied from the source with an invented clause
    /// appended stays similar as a whole ("…black bismuth sulfide, which can be harmful if
    /// consumed" where the passage says it is harmless).
    pub clause_overlap: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            strong_similarity: 0.80,
            similarity: 0.55,
            overlap: 0.6,
            strong_overlap: 0.25,
            clause_overlap: 0.5,
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
        for prefix in [format!("Source, {label}:"), format!("Source {label}:"), format!("{label}:")] {
            if let Some(rest) = text.strip_prefix(&prefix) {
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

        let mut checked = Vec::with_capacity(sentences.len());
        for ((claim, citations), claim_vector) in sentences.into_iter().zip(claim_vectors) {
            let mut sentence = AnswerSentence {
                text: claim.clone(),
                citations: citations.clone(),
                status: SentenceStatus::Verified,
                reason: None,
                support: None,
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
            let cited_sentences = valid.iter().flat_map(|&n| source_sentences[n - 1].iter().map(String::as_str));
            if let Some(reason) = self
                .unsupported_number(&claim, &cited_text)
                .or_else(|| numbers_apart(&claim, cited_sentences))
                .or_else(|| self.foreign_drug(&claim, &cited_text, question_drugs))
                .or_else(|| {
                    let names = self.names(&claim, question_drugs, sources);
                    unknown_word(&claim, &cited_text, &names, &|w| self.embedder.knows_word(w))
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
                supported |= (passage_similarity >= t.strong_similarity && passage_overlap >= t.strong_overlap)
                    || (passage_similarity >= t.similarity && window_overlap >= t.overlap);
                if passage_similarity > similarity {
                    similarity = passage_similarity;
                    overlap = if passage_similarity >= t.strong_similarity { passage_overlap } else { window_overlap };
                }
            }
            let similarity = similarity.max(-1.0);
            sentence.support = Some(similarity);
            let unsupported_clause = supported
                .then(|| {
                    clauses(&claim)
                        .into_iter()
                        .find(|c| terms(c).len() >= 2 && windows.iter().all(|w| word_overlap(c, w) < t.clause_overlap))
                })
                .flatten();
            if let Some(clause) = unsupported_clause {
                sentence.status = SentenceStatus::Unverified;
                sentence.reason = Some(format!("\"{}\" is not in the cited passage", clause.trim()));
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
        "ive", "ions", "ion", "ly", "es", "s", "e",
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

/// The first word of `claim` that is neither in `passage` (allowing for inflection and
/// spelling), nor a common English word (`known`), nor one of `names` (drug names, see
/// [`Verifier::names`]), nor a number or unit. Sentence embeddings read a garbled or
/// invented term as its near neighbour: "Keep antacrolls, calcium… away from your dose" is
/// 0.96 similar to the passage's "Keep antacids, calcium…".
pub fn unknown_word(
    claim: &str,
    passage: &str,
    names: &std::collections::HashSet<String>,
    known: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let mut in_passage: std::collections::HashSet<String> = std::collections::HashSet::new();
    for w in word_forms(passage) {
        in_passage.insert(fold_spelling(&w));
        in_passage.insert(stem(&w));
    }
    let present = |w: &str| {
        in_passage.contains(&fold_spelling(w))
            || in_passage.contains(&stem(w))
            || names.contains(w)
            || w.chars().any(|c| c.is_ascii_digit())
            || w.chars().count() < 3
            || unit_of(w).is_some()
            || known(w)
            || known(&stem(w))
            || known(&format!("{}e", stem(w)))
    };
    word_forms(claim).into_iter().find(|w| {
        // A hyphenated word is known when it is whole in the passage or each of its parts is.
        !present(w) && (!w.contains('-') || w.split('-').any(|p| !p.is_empty() && !present(p)))
    })
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
        let unknown = |claim: &str| unknown_word(claim, passage, &names, &known);
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
