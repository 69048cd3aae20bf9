//! The YAML front matter between the opening and closing `---` lines.

use crate::clean::{clean_inline, strip_answer_prefix};
use crate::review;
use crate::{Diagnostic, Faq, LabelSource, Monograph};
use serde::Deserialize;

#[derive(Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    description: Option<String>,
    is_banned: Option<bool>,
    #[serde(rename = "lastModified")]
    last_modified: Option<String>,
    faqs: Option<Vec<RawFaq>>,
    /// Imported libraries only: the FDA labels the document was made from.
    labels: Option<Vec<LabelSource>>,
    /// Read as plain YAML: a wrong type is a review warning, not a failed front matter.
    reviewed: Option<serde_yaml_ng::Value>,
    checked_against: Option<serde_yaml_ng::Value>,
}

#[derive(Deserialize)]
struct RawFaq {
    q: Option<String>,
    a: Option<String>,
}

/// Finds the front matter. Returns the YAML text, the line its first row is on, and the
/// byte offset where the markdown body starts.
pub(crate) fn split(source: &str) -> Result<(&str, usize, usize), Diagnostic> {
    let source_trimmed = source.trim_start_matches('\u{feff}');
    let bom = source.len() - source_trimmed.len();
    let first_line_end = source_trimmed.find('\n').unwrap_or(source_trimmed.len());
    if source_trimmed[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(1, "missing YAML front matter: the file must start with a line `---`"));
    }
    let yaml_start = bom + first_line_end + 1;
    let mut offset = yaml_start.min(source.len());
    let mut line = 2;
    while offset < source.len() {
        let end = source[offset..].find('\n').map_or(source.len(), |i| offset + i);
        if source[offset..end].trim_end() == "---" {
            let body_start = (end + 1).min(source.len());
            return Ok((&source[yaml_start..offset], 2, body_start));
        }
        offset = end + 1;
        line += 1;
    }
    let _ = line;
    Err(Diagnostic::error(1, "the front matter opened on line 1 is never closed with `---`"))
}

/// Reads the YAML into the monograph, reporting problems against file line numbers.
pub(crate) fn read(yaml: &str, first_line: usize, monograph: &mut Monograph, diagnostics: &mut Vec<Diagnostic>) {
    let raw: RawFrontMatter = match serde_yaml_ng::from_str(yaml) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.location().map_or(first_line, |l| first_line + l.line().saturating_sub(1));
            let message = e.to_string();
            // serde_yaml_ng appends "at line L column C" relative to the YAML; drop it, our line is the file's.
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            diagnostics.push(Diagnostic::error(line, format!("bad YAML front matter: {message}")));
            return;
        }
    };
    match raw.title.map(|t| clean_inline(&t)) {
        Some(title) if !title.is_empty() => monograph.title = title,
        _ => diagnostics.push(Diagnostic::error(first_line, "front matter has no `title`")),
    }
    monograph.description = raw.description.map(|d| clean_inline(&d)).unwrap_or_default();
    if monograph.description.is_empty() {
        diagnostics.push(Diagnostic::warning(first_line, "front matter has no `description`"));
    }
    monograph.is_banned = raw.is_banned.unwrap_or(false);
    monograph.last_modified = raw.last_modified;
    if monograph.last_modified.is_none() {
        diagnostics.push(Diagnostic::warning(first_line, "front matter has no `lastModified`"));
    }
    monograph.labels = raw.labels.unwrap_or_default();
    let review = review::read(
        raw.reviewed.as_ref(),
        raw.checked_against.as_ref(),
        !monograph.labels.is_empty(),
        key_line(yaml, first_line, "reviewed")
            .or_else(|| key_line(yaml, first_line, "checked_against"))
            .unwrap_or(first_line),
        diagnostics,
    );
    monograph.reviewed = review.reviewed;
    monograph.checked_against = review.checked_against;
    for (i, faq) in raw.faqs.unwrap_or_default().into_iter().enumerate() {
        match clean_faq(faq.q.as_deref().unwrap_or(""), faq.a.as_deref()) {
            Some(faq) => monograph.faqs.push(faq),
            None => diagnostics.push(Diagnostic::warning(
                faq_line(yaml, first_line, i),
                format!("FAQ {} has no question or no answer", i + 1),
            )),
        }
    }
}

/// Separates the question from an answer folded into it, and cleans both. The seed's `q`
/// values end in `**` followed by `**A:** answer`; its `a` values start with `A:**`.
fn clean_faq(q: &str, a: Option<&str>) -> Option<Faq> {
    let (question, folded_answer) = match q.find("**A:**").or_else(|| q.find("A:**")) {
        Some(at) => (&q[..at], Some(&q[at..])),
        None => (q, None),
    };
    let question = clean_inline(question);
    let answer = a
        .filter(|a| !a.trim().is_empty())
        .or(folded_answer)
        .map(|a| clean_inline(strip_answer_prefix(a)))
        .unwrap_or_default();
    (!question.is_empty() && !answer.is_empty()).then_some(Faq { question, answer })
}

/// The file line of a top-level key, when the YAML has it.
fn key_line(yaml: &str, first_line: usize, key: &str) -> Option<usize> {
    yaml.lines().position(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':'))).map(|n| first_line + n)
}

/// Best-effort file line of the i-th FAQ item, for diagnostics.
fn faq_line(yaml: &str, first_line: usize, index: usize) -> usize {
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("- q:") || l.trim_start().starts_with("- a:"))
        .nth(index)
        .map_or(first_line, |(n, _)| first_line + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_quirks() {
        let faq = clean_faq(
            "What is the dose?**\n\n\n**A:** It varies.  For AK, twice weekly.",
            Some("A:** It varies.  For AK, twice weekly."),
        )
        .unwrap();
        assert_eq!(faq.question, "What is the dose?");
        assert_eq!(faq.answer, "It varies. For AK, twice weekly.");
    }

    #[test]
    fn answer_only_folded_into_question() {
        let faq = clean_faq("Can I?**\n\n**A:** Yes.", None).unwrap();
        assert_eq!((faq.question.as_str(), faq.answer.as_str()), ("Can I?", "Yes."));
    }

    #[test]
    fn unclosed_front_matter() {
        let err = split("---\ntitle: x\n## Usage\n").unwrap_err();
        assert!(err.message.contains("never closed"));
    }
}
