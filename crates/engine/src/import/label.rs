//! One FDA label in the shape both importers produce, and how a drug's labels become one
//! document in the monograph format, so chunking, spans, citations and the profile page
//! work on imported material exactly as on the bundled monographs.

use drugchatter_monograph::{slugify, LabelSource, SectionKind};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub set_id: String,
    pub version: u32,
    /// `YYYY-MM-DD`, or empty when the label gives none.
    pub effective_date: String,
    /// The label's title: brand, strength and form.
    pub title: String,
    pub generic_name: String,
    pub brand_names: Vec<String>,
    pub manufacturer: String,
    /// The file the label came from (the archive entry for zips).
    pub source_file: String,
    pub sections: Vec<LabelSection>,
}

/// A section of a label, kept with its own headings and sub-sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelSection {
    pub part: Part,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub children: Vec<LabelSection>,
}

impl LabelSection {
    pub fn is_empty(&self) -> bool {
        self.paragraphs.iter().all(|p| p.trim().is_empty()) && self.children.iter().all(LabelSection::is_empty)
    }
}

/// The parts of our document a label section maps to, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Part {
    Usage,
    BoxedWarning,
    Dosage,
    Contraindications,
    Precautions,
    SideEffects,
    DrugInteractions,
    Pregnancy,
    HowItWorks,
    Overdosage,
    Storage,
}

impl Part {
    pub const ALL: [Part; 11] = [
        Part::Usage,
        Part::BoxedWarning,
        Part::Dosage,
        Part::Contraindications,
        Part::Precautions,
        Part::SideEffects,
        Part::DrugInteractions,
        Part::Pregnancy,
        Part::HowItWorks,
        Part::Overdosage,
        Part::Storage,
    ];

    /// The document heading; each reads back as its [`SectionKind`].
    pub fn heading(self) -> &'static str {
        match self {
            Part::Usage => "Usage",
            Part::BoxedWarning => "Boxed Warning",
            Part::Dosage => "Dosage",
            Part::Contraindications => "Contraindications",
            Part::Precautions => "Warnings and Precautions",
            Part::SideEffects => "Side Effects",
            Part::DrugInteractions => "Drug Interactions",
            Part::Pregnancy => "Pregnancy and Breastfeeding",
            Part::HowItWorks => "How It Works",
            Part::Overdosage => "Overdosage",
            Part::Storage => "How Supplied and Storage",
        }
    }

    /// The part for a section heading (an SPL section title, say), if it is one we keep.
    pub fn from_heading(heading: &str) -> Option<Part> {
        let numberless = heading.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace());
        Some(match SectionKind::from_heading(numberless) {
            SectionKind::Usage => Part::Usage,
            SectionKind::BoxedWarning => Part::BoxedWarning,
            SectionKind::Dosage => Part::Dosage,
            SectionKind::Contraindications => Part::Contraindications,
            SectionKind::Precautions => Part::Precautions,
            SectionKind::SideEffects => Part::SideEffects,
            SectionKind::DrugInteractions => Part::DrugInteractions,
            SectionKind::PregnancyBreastfeeding => Part::Pregnancy,
            SectionKind::HowItWorks => Part::HowItWorks,
            SectionKind::Overdosage => Part::Overdosage,
            SectionKind::Storage => Part::Storage,
            _ => return None,
        })
    }
}

/// The key labels of one drug are grouped under: the generic name, normalised.
pub fn drug_key(generic_name: &str) -> String {
    let key = slugify(&crate::retrieve::resolve::without_salts(generic_name));
    if key.len() <= MAX_KEY {
        return key;
    }
    // Combination products list dozens of ingredients; the key is a file name, so it is
    // cut at a word and made unique with a hash of the whole.
    let digest = crate::model_manifest::sha256_bytes(key.as_bytes());
    // Slugs keep non-ASCII letters: back off to a character boundary before cutting.
    let mut end = MAX_KEY - 9;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    let cut = key[..end].rfind('-').unwrap_or(end);
    format!("{}-{}", &key[..cut], &digest[..8])
}

/// Longest drug key (file name stem) kept whole.
const MAX_KEY: usize = 80;

/// Title case for names labels write in capitals ("ATORVASTATIN CALCIUM").
pub fn display_name(name: &str) -> String {
    let name = name.trim();
    if name.chars().any(char::is_lowercase) && name.chars().any(char::is_uppercase) {
        return name.to_string();
    }
    name.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Newest first: higher version, then later date.
pub fn newest_first(a: &Label, b: &Label) -> std::cmp::Ordering {
    (b.effective_date.as_str(), b.version, &b.set_id).cmp(&(a.effective_date.as_str(), a.version, &a.set_id))
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    description: String,
    is_banned: bool,
    #[serde(rename = "lastModified")]
    last_modified: &'a str,
    labels: Vec<LabelSource>,
}

/// The heading under which a label's text sits in each part; it names the label, so every
/// citation of an imported passage says which label it quotes.
pub fn label_heading(label: &Label) -> String {
    let mut heading = format!("{} (set id {}, version {}", label.title, label.set_id, label.version);
    if !label.effective_date.is_empty() {
        let _ = write!(heading, ", {}", label.effective_date);
    }
    heading.push(')');
    heading
}

/// One document for a drug from its labels (newest first).
pub fn render(labels: &[Label]) -> String {
    let first = &labels[0];
    let title = display_name(&first.generic_name);
    let mut brands: Vec<String> = Vec::new();
    for brand in labels.iter().flat_map(|l| &l.brand_names) {
        let brand = one_line(&display_name(brand));
        if !brand.eq_ignore_ascii_case(&title) && !brands.iter().any(|b| b.eq_ignore_ascii_case(&brand)) {
            brands.push(brand);
        }
    }
    let front = FrontMatter {
        title: &title,
        description: format!(
            "FDA prescribing information for {title}, imported from {} label{}.",
            labels.len(),
            if labels.len() == 1 { "" } else { "s" }
        ),
        is_banned: false,
        last_modified: &first.effective_date,
        labels: labels
            .iter()
            .map(|l| LabelSource {
                set_id: l.set_id.clone(),
                version: l.version.to_string(),
                effective_date: l.effective_date.clone(),
                source_file: l.source_file.clone(),
                title: l.title.clone(),
            })
            .collect(),
    };
    let mut out = String::from("---\n");
    out.push_str(&serde_yaml_ng::to_string(&front).expect("front matter serialises"));
    out.push_str("---\n");

    out.push_str("## Alternate Names\n\n");
    if brands.is_empty() {
        out.push_str("**Brand Names:** none listed on the imported labels.\n\n");
    } else {
        let _ = write!(out, "**Brand Names:** {}\n\n", brands.join(", "));
    }
    for part in Part::ALL {
        let mut body = String::new();
        for label in labels {
            let sections: Vec<&LabelSection> =
                label.sections.iter().filter(|s| s.part == part && !s.is_empty()).collect();
            if sections.is_empty() {
                continue;
            }
            let _ = write!(body, "### {}\n\n", one_line(&label_heading(label)));
            for section in sections {
                write_section(&mut body, section, 4);
            }
        }
        if !body.is_empty() {
            let _ = write!(out, "## {}\n\n{body}", part.heading());
        }
    }
    out
}

/// A drug's labels (newest first) as documents of at most `limit` bytes each, so that a drug
/// with hundreds of labels stays readable (a monograph is at most
/// [`drugchatter_monograph::MAX_MONOGRAPH_BYTES`]): consecutive labels, as many to a
/// document as fit. A label whose document alone would be larger is left out of every
/// document and returned by its index, for the caller to report.
pub fn render_within(labels: &[Label], limit: usize) -> (Vec<String>, Vec<usize>) {
    let whole = render(labels);
    if whole.len() <= limit {
        return (vec![whole], Vec::new());
    }
    // A label's own document is at least what it adds to a shared one (the shared document
    // has the front matter's frame, the brand line and each part's heading once), so
    // labels are packed by their own sizes, and a pack that is still too large is halved.
    let mut documents = Vec::new();
    let mut too_large = Vec::new();
    let mut pack: Vec<&Label> = Vec::new();
    let mut packed = 0;
    for (i, label) in labels.iter().enumerate() {
        let size = render(std::slice::from_ref(label)).len();
        if size > limit {
            too_large.push(i);
            continue;
        }
        if packed + size > limit && !pack.is_empty() {
            render_pack(&std::mem::take(&mut pack), limit, &mut documents);
            packed = 0;
        }
        pack.push(label);
        packed += size;
    }
    if !pack.is_empty() {
        render_pack(&pack, limit, &mut documents);
    }
    (documents, too_large)
}

/// Labels that each fit a document of their own, as documents within `limit`.
fn render_pack(pack: &[&Label], limit: usize, documents: &mut Vec<String>) {
    let labels: Vec<Label> = pack.iter().map(|&l| l.clone()).collect();
    let document = render(&labels);
    if document.len() <= limit || pack.len() == 1 {
        documents.push(document);
    } else {
        let (first, second) = pack.split_at(pack.len() / 2);
        render_pack(first, limit, documents);
        render_pack(second, limit, documents);
    }
}

fn write_section(out: &mut String, section: &LabelSection, level: usize) {
    let heading = one_line(&section.heading);
    if !heading.is_empty() {
        let _ = write!(out, "{} {heading}\n\n", "#".repeat(level.min(6)));
    }
    for paragraph in &section.paragraphs {
        let text = one_line(paragraph);
        if !text.is_empty() {
            out.push_str(&text);
            out.push_str("\n\n");
        }
    }
    for child in &section.children {
        write_section(out, child, level + 1);
    }
}

/// Label text as one markdown paragraph line: whitespace and control characters folded (a
/// NUL would make the document unreadable as text), and nothing at its start that markdown
/// would read as a heading, a rule or front matter.
fn one_line(text: &str) -> String {
    let words = text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty());
    let folded = words.collect::<Vec<_>>().join(" ");
    let trimmed = folded.trim_start_matches(['#', '-', '=', '>', '|']).trim_start();
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(set_id: &str, version: u32, date: &str) -> Label {
        Label {
            set_id: set_id.into(),
            version,
            effective_date: date.into(),
            title: "LIPITOR (atorvastatin calcium) tablets".into(),
            generic_name: "ATORVASTATIN CALCIUM".into(),
            brand_names: vec!["LIPITOR".into()],
            manufacturer: "Pfizer".into(),
            source_file: "lipitor.xml".into(),
            sections: vec![LabelSection {
                part: Part::Dosage,
                heading: "2 DOSAGE AND ADMINISTRATION".into(),
                paragraphs: vec!["# Take 10 mg\n once daily.".into()],
                children: vec![LabelSection {
                    part: Part::Dosage,
                    heading: "2.1 Adults".into(),
                    paragraphs: vec!["10 to 80 mg.".into()],
                    children: vec![],
                }],
            }],
        }
    }

    #[test]
    fn long_combination_names_make_short_distinct_keys() {
        let many = (0..30).map(|i| format!("ingredient{i}")).collect::<Vec<_>>().join(", ");
        let key = drug_key(&many);
        assert!(key.len() <= MAX_KEY && key.starts_with("ingredient0-ingredient1-"), "{key}");
        assert_ne!(key, drug_key(&format!("{many}, one more")));
        assert_eq!(drug_key("METFORMIN HYDROCHLORIDE"), "metformin");
    }

    #[test]
    fn a_long_non_ascii_generic_name_gives_a_short_key() {
        // Found by the openFDA fuzz target's invariant: the cut fell inside a character.
        for name in ["é".repeat(60), format!("a{}", "é".repeat(60)), "𝔸".repeat(40), "ab-cd ".repeat(30)] {
            let key = drug_key(&name);
            assert!(key.len() <= MAX_KEY && !key.is_empty(), "{name}: {key}");
        }
    }

    #[test]
    fn control_characters_in_a_label_never_reach_the_document() {
        // Found by the SPL fuzz target: a NUL in a paragraph made the rendered document
        // binary to the parser, so the label would have vanished from its library.
        let mut nul = label("aaaa-1", 1, "2024-01-02");
        nul.brand_names = vec!["LIPI\0TOR\n## Heading".into()];
        nul.sections[0].heading = "2 DOSAGE\0 AND\u{7f} ADMINISTRATION".into();
        nul.sections[0].paragraphs =
            vec!["No well controlled studies with\u{1}\0\0\0\0\0\0\u{11} atorvastatin.".into()];
        let doc = render(&[nul]);
        assert!(!doc.chars().any(|c| c.is_control() && c != '\n'), "{doc:?}");
        let parsed = drugchatter_monograph::parse(doc.as_bytes());
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let dosage = parsed.monograph.section(SectionKind::Dosage).expect("dosage section");
        let section = &dosage.children[0].children[0];
        assert_eq!(section.heading, "2 DOSAGE AND ADMINISTRATION");
        assert_eq!(section.blocks[0].text, "No well controlled studies with atorvastatin.");
        assert!(doc.contains("\n**Brand Names:** LIPI TOR ## Heading\n"), "{doc}");
    }

    #[test]
    fn rendered_document_parses_back_with_provenance_and_structure() {
        let doc = render(&[label("aaaa-1", 3, "2024-01-02"), label("bbbb-2", 1, "2020-05-06")]);
        let parsed = drugchatter_monograph::parse(doc.as_bytes());
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let m = parsed.monograph;
        assert_eq!(m.title, "Atorvastatin Calcium");
        assert_eq!(m.synonyms, vec!["Lipitor"]);
        assert_eq!(m.labels.len(), 2);
        assert_eq!(m.labels[0].set_id, "aaaa-1");
        let dosage = m.section(SectionKind::Dosage).expect("dosage section");
        assert_eq!(dosage.children.len(), 2, "one sub-section per label");
        assert!(dosage.children[0].heading.contains("set id aaaa-1"));
        let adults = &dosage.children[0].children[0].children[0];
        assert_eq!(adults.heading, "2.1 Adults");
        assert_eq!(dosage.children[0].children[0].blocks[0].text, "Take 10 mg once daily.");
    }
}
