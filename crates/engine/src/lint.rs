//! Checks a folder of bundled monographs against the format (`docs/monograph-format.md`):
//! each file on its own (front matter, the twelve sections in order and none empty,
//! well-formed FAQs) and the folder as a whole (unique titles and slugs, no name claimed
//! by two drugs).

use crate::corpus;
use crate::error::Result;
use crate::text::words;
use drugchatter_monograph::{Section, SectionKind, Severity};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// FAQs per monograph, as the format asks.
const FAQS: std::ops::RangeInclusive<usize> = 6..=10;

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    pub files: usize,
    pub problems: Vec<Problem>,
}

fn has_text(section: &Section) -> bool {
    section.blocks.iter().any(|b| !b.text.trim().is_empty()) || section.children.iter().any(has_text)
}

/// Lints every monograph in `dir`.
pub fn lint(dir: &Path) -> Result<LintReport> {
    let (files, failures) = corpus::scan(dir)?;
    let mut problems: Vec<Problem> =
        failures.into_iter().map(|f| Problem { path: f.path, line: f.line, message: f.message }).collect();
    // normalised name → (file, drug title), for titles, slugs and synonyms across files.
    let mut names: HashMap<String, (PathBuf, String)> = HashMap::new();
    let mut claim = |name: &str, path: &Path, title: &str, what: &str, problems: &mut Vec<Problem>| {
        let key = words(name).join(" ");
        if key.is_empty() {
            return;
        }
        match names.get(&key) {
            Some((other, other_title)) if other != path => problems.push(Problem {
                path: path.to_path_buf(),
                line: 1,
                message: format!("{what} {name:?} is also claimed by {other_title} ({})", other.display()),
            }),
            Some(_) => {}
            None => {
                names.insert(key, (path.to_path_buf(), title.to_string()));
            }
        }
    };
    for file in &files {
        let parsed = drugchatter_monograph::parse(&file.bytes);
        let mut report =
            |line: usize, message: String| problems.push(Problem { path: file.path.clone(), line, message });
        for d in &parsed.diagnostics {
            let prefix = if d.severity == Severity::Error { "" } else { "warning: " };
            report(d.line, format!("{prefix}{}", d.message));
        }
        if parsed.has_errors() {
            continue;
        }
        let m = &parsed.monograph;
        let kinds: Vec<SectionKind> = m.sections.iter().map(|s| s.kind).collect();
        for required in SectionKind::REQUIRED {
            match m.sections.iter().find(|s| s.kind == required) {
                None => report(1, format!("missing section `{}`", required.title())),
                Some(section) if !has_text(section) => {
                    report(section.line, format!("section `{}` is empty", section.heading))
                }
                Some(_) => {}
            }
        }
        let in_order: Vec<SectionKind> = kinds.iter().copied().filter(|k| SectionKind::REQUIRED.contains(k)).collect();
        let mut expected: Vec<SectionKind> =
            SectionKind::REQUIRED.iter().copied().filter(|k| in_order.contains(k)).collect();
        expected.dedup();
        if in_order != expected {
            report(1, "sections are out of the format's order".into());
        }
        if !FAQS.contains(&m.faqs.len()) {
            report(1, format!("{} FAQs in the front matter; the format asks for 6 to 10", m.faqs.len()));
        }
        if let Some(faq_section) = m.section(SectionKind::Faqs) {
            for entry in &faq_section.children {
                if !entry.heading.trim_end().ends_with('?') {
                    report(entry.line, format!("FAQ {:?} is not a question", entry.heading));
                }
                if !has_text(entry) {
                    report(entry.line, format!("FAQ {:?} has no answer", entry.heading));
                }
            }
        }
        let title = m.title.as_str();
        claim(title, &file.path, title, "title", &mut problems);
        claim(&file.slug().replace('-', " "), &file.path, title, "slug", &mut problems);
        for synonym in &m.synonyms {
            claim(synonym, &file.path, title, "name", &mut problems);
        }
    }
    Ok(LintReport { files: files.len(), problems })
}
