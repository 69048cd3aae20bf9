//! The seed monograph, read exactly as it ships in ../shared, quirks included.

use drugchatter_monograph::{parse, SectionKind, Severity};
use std::path::PathBuf;

fn seed() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds/003_debb660ee545c41a.txt");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn title_and_front_matter() {
    let parsed = parse(&seed());
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let m = &parsed.monograph;
    assert_eq!(m.title, "Imiquimod");
    assert_eq!(m.description, "Imiquimod is prescribed for the topical treatment of several skin conditions:");
    assert!(!m.is_banned);
    assert_eq!(m.last_modified.as_deref(), Some("2025-09-22T17:21:53.323Z"));
}

#[test]
fn section_tree() {
    let m = parse(&seed()).monograph;
    let top: Vec<&str> = m.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        top,
        [
            "Usage",
            "Alternate Names",
            "How It Works",
            "Dosage",
            "Side Effects",
            "Contraindications",
            "Drug Interactions",
            "Pregnancy and Breastfeeding",
            "Drug Profile Summary",
            "Popular Combinations",
            "Precautions",
            "FAQs (Frequently Asked Questions)",
        ]
    );
    let kinds: Vec<SectionKind> = m.sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, SectionKind::REQUIRED);

    let dosage = m.section(SectionKind::Dosage).unwrap();
    let subs: Vec<&str> = dosage.children.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(subs, ["Standard Dosage", "Clinical Use Cases", "Dosage Adjustments"]);
    let standard: Vec<&str> = dosage.children[0].children.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(standard, ["Adults", "Children", "Special Cases"]);
    let adults = &dosage.children[0].children[0];
    assert_eq!(adults.blocks.len(), 3);
    assert!(adults.blocks[1].text.starts_with("Superficial Basal Cell Carcinoma: Apply 5 times per week for 6 weeks."));

    let side: Vec<&str> =
        m.section(SectionKind::SideEffects).unwrap().children.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        side,
        ["Common Side Effects", "Rare but Serious Side Effects", "Long-Term Effects", "Adverse Drug Reactions (ADR)"]
    );
}

#[test]
fn spans_point_at_the_source() {
    let bytes = seed();
    let source = std::str::from_utf8(&bytes).unwrap();
    let m = parse(&bytes).monograph;
    let how = m.section(SectionKind::HowItWorks).unwrap();
    assert!(source[how.span.start..how.span.end].starts_with("## **How It Works**"));
    assert!(source[how.span.start..how.span.end]
        .trim_end()
        .ends_with("Primarily renal excretion, with minimal hepatic metabolism."));
    let block = &how.blocks[0];
    assert_eq!(&source[block.span.start..block.span.end], "**Pharmacodynamics:** Imiquimod acts by stimulating the innate immune system, causing localized inflammation and promoting the destruction of abnormal cells.");
    assert_eq!(block.text, "Pharmacodynamics: Imiquimod acts by stimulating the innate immune system, causing localized inflammation and promoting the destruction of abnormal cells.");
}

#[test]
fn faqs_are_clean() {
    let m = parse(&seed()).monograph;
    assert_eq!(m.faqs.len(), 10);
    assert_eq!(m.faqs[0].question, "What is the recommended dosage for Imiquimod?");
    assert_eq!(
        m.faqs[0].answer,
        "Dosage varies depending on the condition being treated. For actinic keratosis, it's applied twice weekly for 16 weeks. \
         For superficial basal cell carcinoma, it's applied 5 times per week for 6 weeks. For genital/perianal warts, it's \
         typically applied three times per week for up to 16 weeks."
    );
    assert_eq!(m.faqs[8].question, "Are there any drug interactions I should be aware of when using imiquimod?");
    for faq in &m.faqs {
        for text in [&faq.question, &faq.answer] {
            assert!(!text.contains("**") && !text.starts_with("A:") && !text.contains("  "), "unclean: {text:?}");
        }
    }
    // The body's FAQ section parses to the same questions, numbering stripped.
    let body = m.section(SectionKind::Faqs).unwrap();
    assert_eq!(body.children.len(), 10);
    assert_eq!(body.children[7].heading, "What should I do if I miss a dose of imiquimod?");
    assert!(body.children[7].own_text().starts_with("Apply the missed dose as soon as you remember"));
}

#[test]
fn brand_names_become_synonyms() {
    let m = parse(&seed()).monograph;
    assert_eq!(m.synonyms, ["Aldara", "Zyclara"]);
}
