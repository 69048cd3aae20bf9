//! The DrugChatter monograph format: YAML front matter followed by markdown sections.
//!
//! [`parse`] never fails. It returns a [`Parsed`] document together with [`Diagnostic`]s;
//! a document with an error-level diagnostic is not fit to index, and the caller names the
//! file. Every piece of text keeps the byte [`Span`] it came from, so a citation can open
//! the exact passage in the source file.
//!
//! The seed monograph's quirks are handled here and nowhere else: bold markers inside
//! headings (`## **Usage**`), FAQ questions with the answer folded in (`…?**\n\n**A:** …`)
//! and answers starting with a stray `A:**`.

mod blocks;
mod clean;
mod diagnostics;
mod front_matter;
mod review;
mod sections;
mod synonyms;

pub use clean::{clean_inline, slugify};
pub use diagnostics::{Diagnostic, Severity};
pub use review::SOURCE_PREFIXES;
pub use sections::{Block, Section, SectionKind};

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// One frequently asked question, cleaned of markdown and of the seed's answer-in-question quirk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// Where an imported document's text came from: one FDA label version. An imported
/// document's label sections carry the label's `set_id` in their heading, so a citation
/// names the label it quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LabelSource {
    pub set_id: String,
    pub version: String,
    /// `YYYY-MM-DD`
    pub effective_date: String,
    /// The file the label was imported from.
    pub source_file: String,
    /// The label's own title (brand and form), when it has one.
    #[serde(default)]
    pub title: String,
}

/// A parsed monograph. Fields are empty rather than absent when the source lacks them;
/// the diagnostics say what was missing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Monograph {
    pub title: String,
    pub description: String,
    pub is_banned: bool,
    pub last_modified: Option<String>,
    /// From the front matter: the questions shown as "Other questions about <drug>".
    pub faqs: Vec<Faq>,
    /// Top-level sections in source order, each with its sub-sections.
    pub sections: Vec<Section>,
    /// Brand and other alternate names found under Alternate Names.
    pub synonyms: Vec<String>,
    /// Imported documents: the labels they were made from, newest first.
    pub labels: Vec<LabelSource>,
    /// Whether the facts were checked against an FDA label (`reviewed` in the front matter).
    pub reviewed: bool,
    /// The labels they were checked against: `openfda:<set_id>`, `spl:<file>` or
    /// `pdf:<file>`; empty when not reviewed.
    pub checked_against: Vec<String>,
}

impl Monograph {
    /// The first top-level section of the given kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

/// The result of parsing: always a document, plus what was wrong with the input.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub monograph: Monograph,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }
}

/// Files larger than this are rejected: a monograph is a few tens of kilobytes, and a
/// multi-megabyte one is a mistake (a pasted label, a binary) that would flood the index.
pub const MAX_MONOGRAPH_BYTES: usize = 2 * 1024 * 1024;

/// Why a file of `size` bytes (more than [`MAX_MONOGRAPH_BYTES`]) is not read as a monograph.
pub fn too_large(size: u64) -> String {
    format!(
        "the file is {:.1} MB; a monograph may be at most {} MB",
        size as f64 / 1e6,
        MAX_MONOGRAPH_BYTES / (1024 * 1024)
    )
}

/// Parses one monograph from its raw bytes.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut diagnostics = Vec::new();
    if bytes.is_empty() || bytes.iter().all(|b| b.is_ascii_whitespace()) {
        diagnostics.push(Diagnostic::error(1, "the file is empty"));
        return Parsed { monograph: Monograph::default(), diagnostics };
    }
    if bytes.len() > MAX_MONOGRAPH_BYTES {
        diagnostics.push(Diagnostic::error(1, too_large(bytes.len() as u64)));
        return Parsed { monograph: Monograph::default(), diagnostics };
    }
    let source = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let line = line_of(bytes, e.valid_up_to());
            diagnostics
                .push(Diagnostic::error(line, format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to())));
            return Parsed { monograph: Monograph::default(), diagnostics };
        }
    };
    if let Some(pos) = source.find('\0') {
        diagnostics.push(Diagnostic::error(line_of(bytes, pos), "binary data: the file contains NUL bytes"));
        return Parsed { monograph: Monograph::default(), diagnostics };
    }

    let mut monograph = Monograph::default();
    let body_start = match front_matter::split(source) {
        Ok((yaml, yaml_line, body_start)) => {
            front_matter::read(yaml, yaml_line, &mut monograph, &mut diagnostics);
            body_start
        }
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return Parsed { monograph, diagnostics };
        }
    };

    monograph.sections = sections::build(source, body_start, &mut diagnostics);
    if monograph.sections.is_empty() {
        diagnostics.push(Diagnostic::error(
            line_of(bytes, body_start),
            "no sections: the body must have `## ` headings (Usage, Dosage, …)",
        ));
    }
    if let Some(alternate) = monograph.section(SectionKind::AlternateNames) {
        monograph.synonyms = synonyms::from_alternate_names(alternate, &monograph.title);
    }
    if monograph.faqs.is_empty() {
        // Files without front-matter FAQs still offer the questions of their FAQ section.
        if let Some(faq_section) = monograph.section(SectionKind::Faqs) {
            monograph.faqs = faq_section
                .children
                .iter()
                .filter_map(|q| {
                    let answer = q.own_text();
                    (!answer.is_empty()).then(|| Faq { question: q.heading.clone(), answer })
                })
                .collect();
        }
    }
    Parsed { monograph, diagnostics }
}

/// 1-based line number of a byte offset.
pub fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count()
}
