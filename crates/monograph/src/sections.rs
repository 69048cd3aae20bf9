//! The section tree of a monograph body.

use crate::blocks::{self, Item};
use crate::clean::{slugify, strip_answer_prefix};
use crate::{Diagnostic, Span};
use serde::{Deserialize, Serialize};

/// What a top-level section is about. Sub-sections share their top-level section's kind.
/// Headings are matched loosely, so imported FDA labels ("Adverse Reactions") map onto the
/// monograph's sections ("Side Effects").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Usage,
    AlternateNames,
    HowItWorks,
    Dosage,
    SideEffects,
    Contraindications,
    DrugInteractions,
    PregnancyBreastfeeding,
    ProfileSummary,
    PopularCombinations,
    Precautions,
    Faqs,
    BoxedWarning,
    Overdosage,
    Storage,
    Other,
}

impl SectionKind {
    /// The sections every bundled monograph has, in order.
    pub const REQUIRED: [SectionKind; 12] = [
        SectionKind::Usage,
        SectionKind::AlternateNames,
        SectionKind::HowItWorks,
        SectionKind::Dosage,
        SectionKind::SideEffects,
        SectionKind::Contraindications,
        SectionKind::DrugInteractions,
        SectionKind::PregnancyBreastfeeding,
        SectionKind::ProfileSummary,
        SectionKind::PopularCombinations,
        SectionKind::Precautions,
        SectionKind::Faqs,
    ];

    pub fn from_heading(heading: &str) -> SectionKind {
        let key: String = heading.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| key.starts_with(p));
        if starts(&["faq", "frequentlyaskedquestions"]) {
            SectionKind::Faqs
        } else if starts(&["usage", "uses", "indications"]) {
            SectionKind::Usage
        } else if starts(&["alternatenames", "brandnames", "othernames"]) {
            SectionKind::AlternateNames
        } else if starts(&["howitworks", "mechanism", "clinicalpharmacology"]) {
            SectionKind::HowItWorks
        } else if starts(&["dosage", "dose", "dosing"]) {
            SectionKind::Dosage
        } else if starts(&["sideeffects", "adversereactions"]) {
            SectionKind::SideEffects
        } else if starts(&["contraindications"]) {
            SectionKind::Contraindications
        } else if starts(&["druginteractions", "interactions"]) {
            SectionKind::DrugInteractions
        } else if starts(&["pregnancy", "useinspecificpopulations", "lactation", "breastfeeding"]) {
            SectionKind::PregnancyBreastfeeding
        } else if starts(&["drugprofilesummary", "profilesummary", "summary"]) {
            SectionKind::ProfileSummary
        } else if starts(&["popularcombinations", "combinations"]) {
            SectionKind::PopularCombinations
        } else if starts(&["boxedwarning"]) {
            SectionKind::BoxedWarning
        } else if starts(&["precautions", "warnings"]) {
            SectionKind::Precautions
        } else if starts(&["overdosage", "overdose"]) {
            SectionKind::Overdosage
        } else if starts(&["howsupplied", "storage"]) {
            SectionKind::Storage
        } else {
            SectionKind::Other
        }
    }

    /// The heading bundled monographs use for this kind.
    pub fn title(self) -> &'static str {
        match self {
            SectionKind::Usage => "Usage",
            SectionKind::AlternateNames => "Alternate Names",
            SectionKind::HowItWorks => "How It Works",
            SectionKind::Dosage => "Dosage",
            SectionKind::SideEffects => "Side Effects",
            SectionKind::Contraindications => "Contraindications",
            SectionKind::DrugInteractions => "Drug Interactions",
            SectionKind::PregnancyBreastfeeding => "Pregnancy and Breastfeeding",
            SectionKind::ProfileSummary => "Drug Profile Summary",
            SectionKind::PopularCombinations => "Popular Combinations",
            SectionKind::Precautions => "Precautions",
            SectionKind::Faqs => "FAQs",
            SectionKind::BoxedWarning => "Boxed Warning",
            SectionKind::Overdosage => "Overdosage",
            SectionKind::Storage => "Storage",
            SectionKind::Other => "Other",
        }
    }
}

/// A paragraph or list item: cleaned text plus where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub text: String,
    pub span: Span,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Clean heading text. For FAQ entries, the question without its `Q3:` number.
    pub heading: String,
    pub kind: SectionKind,
    pub level: u8,
    pub line: usize,
    /// From the start of the heading to the end of the last sub-section.
    pub span: Span,
    /// The section's own text, before its first sub-section.
    pub blocks: Vec<Block>,
    pub children: Vec<Section>,
}

impl Section {
    /// The section's own text, blocks joined by new lines.
    pub fn own_text(&self) -> String {
        self.blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// A stable identifier fragment: the heading's slug.
    pub fn slug(&self) -> String {
        slugify(&self.heading)
    }

    /// Depth-first walk yielding each section with its path of headings from the root.
    pub fn walk<'a>(&'a self, path: &mut Vec<&'a Section>, visit: &mut dyn FnMut(&[&'a Section])) {
        path.push(self);
        visit(path);
        for child in &self.children {
            child.walk(path, visit);
        }
        path.pop();
    }
}

/// Builds the section tree from the body, which starts at byte `from`.
pub(crate) fn build(source: &str, from: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<Section> {
    let mut roots: Vec<Section> = Vec::new();
    // The open sections, outermost first.
    let mut stack: Vec<Section> = Vec::new();
    let mut warned_preamble = false;

    fn close_into(stack: &mut Vec<Section>, roots: &mut Vec<Section>) {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => {
                    parent.span = parent.span.cover(done.span);
                    parent.children.push(done);
                }
                None => roots.push(done),
            }
        }
    }

    for item in blocks::split(source, from) {
        match item {
            Item::Heading { level, text, span, line } => {
                while stack.last().is_some_and(|open| open.level >= level) {
                    close_into(&mut stack, &mut roots);
                }
                let (kind, heading) = match stack.first() {
                    Some(root) if root.kind == SectionKind::Faqs => (SectionKind::Faqs, strip_question_number(&text)),
                    Some(root) => (root.kind, text),
                    None => (SectionKind::from_heading(&text), text),
                };
                if heading.is_empty() {
                    diagnostics.push(Diagnostic::warning(line, "empty heading"));
                }
                stack.push(Section { heading, kind, level, line, span, blocks: Vec::new(), children: Vec::new() });
            }
            Item::Text { text, span, line } => match stack.len() {
                depth @ 1.. => {
                    let open = stack.last_mut().expect("depth >= 1");
                    let text = if open.kind == SectionKind::Faqs && open.blocks.is_empty() && depth > 1 {
                        strip_answer_prefix(&text).to_string()
                    } else {
                        text
                    };
                    open.span = open.span.cover(span);
                    open.blocks.push(Block { text, span, line });
                }
                0 if !warned_preamble => {
                    warned_preamble = true;
                    diagnostics.push(Diagnostic::warning(line, "text before the first heading is ignored"));
                }
                _ => {}
            },
        }
    }
    while !stack.is_empty() {
        close_into(&mut stack, &mut roots);
    }
    roots
}

/// `Q3: How does it work?` → `How does it work?`
fn strip_question_number(heading: &str) -> String {
    let rest = heading.trim_start();
    let Some(after_q) = rest.strip_prefix(['Q', 'q']) else { return heading.to_string() };
    let digits = after_q.bytes().take_while(u8::is_ascii_digit).count();
    match after_q[digits..].strip_prefix([':', '.']) {
        Some(question) if digits > 0 => question.trim().to_string(),
        _ => heading.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_headings() {
        assert_eq!(SectionKind::from_heading("FAQs (Frequently Asked Questions)"), SectionKind::Faqs);
        assert_eq!(SectionKind::from_heading("Adverse Reactions"), SectionKind::SideEffects);
        assert_eq!(SectionKind::from_heading("Dosage and Administration"), SectionKind::Dosage);
        assert_eq!(SectionKind::from_heading("Warnings and Precautions"), SectionKind::Precautions);
        assert_eq!(SectionKind::from_heading("Something else"), SectionKind::Other);
    }

    #[test]
    fn question_numbers() {
        assert_eq!(strip_question_number("Q10: Why?"), "Why?");
        assert_eq!(strip_question_number("Quick facts"), "Quick facts");
    }

    #[test]
    fn nesting_and_spans() {
        let src = "## A\n\ntext a\n\n### B\n\ntext b\n\n## C\n\ntext c\n";
        let mut diags = Vec::new();
        let roots = build(src, 0, &mut diags);
        assert_eq!(roots.len(), 2);
        assert_eq!(roots[0].children.len(), 1);
        assert_eq!(&src[roots[0].span.start..roots[0].span.end], "## A\n\ntext a\n\n### B\n\ntext b");
        assert_eq!(roots[0].children[0].own_text(), "text b");
        assert!(diags.is_empty());
    }
}
