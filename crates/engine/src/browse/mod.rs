//! Browsing the libraries without asking: drug lists for autocomplete, a drug's whole
//! monograph for its profile page, and library counts. Works without a generator model.

mod class_page;

pub use class_page::{class_page, classes, ClassPage, ClassSummary, MemberLine, SharedFact};

use crate::corpus::Drug;
use crate::error::{Error, Result};
use crate::library::Library;
use drugchatter_monograph::{parse, Faq, LabelSource, Section, SectionKind, Span};
use serde::Serialize;
use std::path::PathBuf;

/// A drug as a list or an autocomplete shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrugSummary {
    pub slug: String,
    pub title: String,
    pub synonyms: Vec<String>,
    pub library: String,
    pub is_banned: bool,
    pub description: String,
    /// FDA labels behind an imported drug (0 for a bundled monograph).
    pub labels: usize,
    /// A bundled monograph: whether its facts were checked against an FDA label.
    pub reviewed: bool,
}

impl DrugSummary {
    fn of(drug: &Drug) -> DrugSummary {
        DrugSummary {
            slug: drug.slug.clone(),
            title: drug.title.clone(),
            synonyms: drug.synonyms.clone(),
            library: drug.library.clone(),
            is_banned: drug.is_banned,
            description: drug.description.clone(),
            labels: drug.labels.len(),
            reviewed: drug.reviewed,
        }
    }
}

/// A drug's full document for its profile page. Spans are byte ranges into `source`, the
/// same file citations point into, so a cited span selects the blocks to highlight.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonographView {
    pub slug: String,
    pub title: String,
    pub library: String,
    pub is_banned: bool,
    pub synonyms: Vec<String>,
    pub description: String,
    pub last_modified: Option<String>,
    /// The FDA labels an imported document was made from (empty for bundled monographs).
    pub labels: Vec<LabelSource>,
    /// A bundled monograph: whether its facts were checked against an FDA label, and which
    /// (`openfda:<set_id>`, `spl:<file>`, `pdf:<file>`).
    pub reviewed: bool,
    pub checked_against: Vec<String>,
    pub source: PathBuf,
    pub sections: Vec<SectionView>,
    pub faqs: Vec<Faq>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SectionView {
    pub heading: String,
    pub kind: SectionKind,
    pub level: u8,
    /// A stable anchor: the headings' slugs from the top, joined by `/`.
    pub anchor: String,
    pub span: Span,
    pub blocks: Vec<BlockView>,
    pub children: Vec<SectionView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockView {
    pub text: String,
    pub span: Span,
}

fn section_view(section: &Section, parent_anchor: &str) -> SectionView {
    let anchor = if parent_anchor.is_empty() { section.slug() } else { format!("{parent_anchor}/{}", section.slug()) };
    SectionView {
        heading: section.heading.clone(),
        kind: section.kind,
        level: section.level,
        span: section.span,
        blocks: section.blocks.iter().map(|b| BlockView { text: b.text.clone(), span: b.span }).collect(),
        children: section.children.iter().map(|c| section_view(c, &anchor)).collect(),
        anchor,
    }
}

/// Every drug of the given libraries, sorted by title.
pub fn drugs(libraries: &[Library]) -> Vec<DrugSummary> {
    let mut all: Vec<DrugSummary> = libraries.iter().flat_map(|l| l.index.drugs.iter().map(DrugSummary::of)).collect();
    all.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.library.cmp(&b.library)));
    all
}

/// Reads and parses a drug's document from its library folder.
pub fn monograph(libraries: &[Library], library: &str, slug: &str) -> Result<MonographView> {
    let owner = libraries.iter().find(|l| l.name == library).ok_or_else(|| Error::NoSuchLibrary(library.into()))?;
    let drug = owner.index.drugs.iter().find(|d| d.slug == slug).ok_or_else(|| Error::NoSuchDrug(slug.into()))?;
    let path = owner.source_dir.join(&drug.source);
    let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
    let parsed = parse(&bytes).monograph;
    Ok(MonographView {
        slug: drug.slug.clone(),
        title: drug.title.clone(),
        library: drug.library.clone(),
        is_banned: drug.is_banned,
        synonyms: drug.synonyms.clone(),
        description: drug.description.clone(),
        last_modified: parsed.last_modified,
        labels: parsed.labels,
        reviewed: parsed.reviewed,
        checked_against: parsed.checked_against,
        source: drug.source.clone(),
        sections: parsed.sections.iter().map(|s| section_view(s, "")).collect(),
        faqs: parsed.faqs,
    })
}
