//! The units of evidence read from a monograph's chunks: a labelled list line keeps its
//! label (and the heading a bare number needs), an FAQ its question, an interaction line its
//! drug, and a usage list becomes one sentence.

use super::{Subject, Unit};
use crate::answer::Context;
use drugchatter_monograph::SectionKind;

/// Lines of at most this many words are one unit; longer paragraphs are cut into sentences.
const MAX_LINE_WORDS: usize = 70;

/// Units below this many words are labels or fragments.
const MIN_WORDS: usize = 3;

/// Every unit of `subject`'s monographs.
pub(crate) fn units_of(cx: &Context, subject: &Subject) -> Vec<Unit> {
    let index = &cx.libraries[subject.library].index;
    let mut units = Vec::new();
    for (c, chunk) in index.chunks.iter().enumerate() {
        let drug = chunk.drug as usize;
        if !subject.drugs.contains(&drug) {
            continue;
        }
        let path = chunk.section_path.join(" › ").to_lowercase();
        let mut push = |text: String, label: &str| {
            if text.split_whitespace().count() >= MIN_WORDS && !crate::answer::prompt::addresses_the_model(&text) {
                let position = units.iter().rev().take_while(|u: &&Unit| u.chunk == c).count();
                units.push(Unit {
                    library: subject.library,
                    chunk: c,
                    drug,
                    text,
                    kind: chunk.section_kind,
                    context: format!("{path} › {}", label.to_lowercase()),
                    score: 0.0,
                    fit: 0.0,
                    position,
                    links_pair: false,
                });
            }
        };
        if let Some(faq) = chunk.text.strip_prefix("Q: ") {
            let (question, answer) = faq.split_once("\nA: ").unwrap_or((faq, ""));
            push(format!("{} {}", question.trim(), answer.trim()), question);
            continue;
        }
        if chunk.section_kind == SectionKind::Usage {
            if let Some(uses) = list_of_uses(&chunk.text, &index.drugs[drug].title) {
                push(uses, "uses");
            }
        }
        let mut header: Option<&str> = None;
        for line in chunk.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(head) = line.strip_suffix(':') {
                header = Some(head);
                continue;
            }
            let label = line_label(line).unwrap_or("");
            // "15 mL/min: 100 mg…" reads only with the line it belongs to.
            let mut line = match header {
                Some(head) if label.starts_with(|c: char| c.is_ascii_digit() || c == '<' || c == '>') => {
                    format!("{head}, {line}")
                }
                Some(head)
                    if ["over ", "under ", "less ", "more ", "below ", "above "]
                        .iter()
                        .any(|p| label.to_lowercase().starts_with(p)) =>
                {
                    format!("{head}, {line}")
                }
                _ => line.to_string(),
            };
            // "NSAIDs: reduced effect" says whose effect only with the drug's name.
            if chunk.section_kind == SectionKind::DrugInteractions && !label.is_empty() {
                line = format!("{} with {}", index.drugs[drug].title, lower_first(&line));
            } else if subject.drugs.len() > 1 && chunk.section_kind != SectionKind::Faqs {
                // Across a class, "Kidney injury and high potassium" says whose only with
                // the member's name.
                line = format!("{}: {}", index.drugs[drug].title, lower_first(&line));
            }
            if line.split_whitespace().count() <= MAX_LINE_WORDS {
                push(line, label);
            } else {
                for sentence in crate::text::sentences(&line) {
                    push(sentence.to_string(), label);
                }
            }
        }
    }
    units
}

/// A usage section's list of conditions as one readable sentence, its lead-in kept:
/// "Imiquimod is a topical cream prescribed for three skin conditions: actinic keratosis
/// (AK); superficial basal cell carcinoma (sBCC); external genital and perianal warts." A
/// list without a lead-in is introduced by the section's own meaning, "<Drug> is used for".
/// Labelled items are cut to their labels when the whole would be too long to read as one.
fn list_of_uses(text: &str, title: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let (lead, start) = match lines.first() {
        Some(first) if first.ends_with(':') => (first.trim_end_matches(':').to_string(), 1),
        _ => (format!("{title} is used for"), 0),
    };
    // The list runs until the prose after it: a sentence about the drug ("It is not…") or
    // the classification line. After a lead-in ("Gabapentin is approved for:") an item may
    // be a long line ("Partial-onset seizures, with or without…, in adults and children 3
    // years and older.").
    let max_item_words = if start == 1 { 30 } else { 16 };
    let items: Vec<&str> = lines[start..]
        .iter()
        .take_while(|l| {
            let words = l.split_whitespace().count();
            !l.starts_with("It ")
                && !l.starts_with("Pharmacological Classification")
                && (line_label(l).is_some() || words <= max_item_words)
                && !l.ends_with(':')
        })
        .copied()
        .collect();
    if items.len() < 2 {
        return None;
    }
    let whole = |item: &str| lower_first(item.trim_end_matches('.'));
    let label = |item: &str| line_label(item).map_or_else(|| whole(item), lower_first);
    let joined = |f: &dyn Fn(&str) -> String| items.iter().map(|i| f(i)).collect::<Vec<_>>().join("; ");
    let mut list = joined(&whole);
    if list.split_whitespace().count() > 45 {
        list = joined(&label);
    }
    Some(format!("{lead}: {list}."))
}

/// "Anticoagulants…" → "anticoagulants…", leaving "NSAIDs" and "ACE" as they are.
pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// The label of a list line, "Kidney impairment" in "Kidney impairment: not recommended…".
pub(super) fn line_label(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once(": ")?;
    (label.split_whitespace().count() <= 10 && !label.contains(". ") && !rest.is_empty()).then_some(label)
}

/// The last part of a unit's context: its line's label, or its section's heading.
pub(super) fn label_of(context: &str) -> &str {
    context.rsplit(" › ").find(|part| !part.trim().is_empty()).unwrap_or(context)
}

#[cfg(test)]
mod tests {
    use super::list_of_uses;

    #[test]
    fn a_usage_list_after_its_lead_in_is_one_sentence_even_with_long_items() {
        let text = "Gabapentin is approved for:\nPostherpetic neuralgia (nerve pain after shingles) in adults.\n\
                    Partial-onset seizures, with or without secondary generalization, as add-on therapy in adults and \
                    children 3 years and older.\nIt is widely used off-label for other neuropathic pain.\n\
                    Pharmacological Classification: Antiepileptic drug.";
        assert_eq!(
            list_of_uses(text, "Gabapentin").as_deref(),
            Some(
                "Gabapentin is approved for: postherpetic neuralgia (nerve pain after shingles) in adults; \
                 partial-onset seizures, with or without secondary generalization, as add-on therapy in adults and \
                 children 3 years and older."
            )
        );
    }

    #[test]
    fn without_a_lead_in_long_lines_are_prose_not_list_items() {
        let text = "Hives.\nHay fever.\nCetirizine is also widely used for itching from insect bites and other \
                    allergic skin conditions in adults and children.";
        assert_eq!(list_of_uses(text, "Cetirizine").as_deref(), Some("Cetirizine is used for: hives; hay fever."));
    }
}
