//! The model's output cut into the claims the rules check: sentences with their `[n]`
//! citations, without the prompt's echoed labels, announcements, headings, questions and
//! repeats.

use crate::answer::Source;

/// The claims of `output` with their citations, in order: [`split_cited`], the echoed labels
/// removed ([`without_source_labels`]), what states nothing left out, and a sentence the
/// model repeats, whole or as the start of an earlier one, kept once: it says nothing new.
pub(super) fn claims(output: &str, sources: &[Source]) -> Vec<(String, Vec<usize>)> {
    let normal = |claim: &str| crate::text::words(claim).join(" ");
    let mut said: Vec<String> = Vec::new();
    split_cited(output)
        .into_iter()
        .map(|(claim, citations)| (without_source_labels(&claim, sources), citations))
        .filter(|(claim, _)| makes_a_claim(claim))
        .filter(|(claim, _)| {
            let words = normal(claim);
            let repeats = said.iter().any(|earlier| earlier.starts_with(&words));
            said.push(words);
            !repeats
        })
        .collect()
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
    let outside_brackets = crate::text::without_asides(sentence);
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
    fn questions_are_not_claims() {
        assert!(!makes_a_claim("Q: Can I take doxycycline with milk or antacids?"));
        assert!(!makes_a_claim("Does bupropion cause weight gain?"));
    }

    #[test]
    fn echoed_source_labels_are_removed() {
        use drugchatter_monograph::SectionKind::SideEffects;
        let sources = [
            super::super::testing::source(1, "Imiquimod", "Side Effects › Common Side Effects", SideEffects, ""),
            super::super::testing::source(2, "Imiquimod", "FAQs", SideEffects, ""),
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
    fn leading_citation_after_a_cited_sentence_opens_the_next() {
        let s = split_cited("1. [1] Redness at the site [1]\n2. [2] Lightening of the skin");
        assert_eq!(s, [("Redness at the site".to_string(), vec![1]), ("Lightening of the skin".to_string(), vec![2])]);
    }

    #[test]
    fn repeated_sentences_are_kept_once() {
        let claims = claims("Store it cold [1]. Store it cold [2]. Store it [1]. Keep it dry [1].", &[]);
        let texts: Vec<&str> = claims.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(texts, ["Store it cold.", "Keep it dry."]);
    }
}
