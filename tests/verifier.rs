//! The verifier on crafted model outputs, with the real embedder and real passages.

mod common;

use drugchatter_engine::answer::{SentenceStatus, Source, Thresholds, Verifier};
use drugchatter_engine::embed::Embedder;
use drugchatter_engine::retrieve::{DrugCatalog, Passage};
use drugchatter_monograph::{SectionKind, Span};

fn source(n: usize, drug: &str, section: &str, kind: SectionKind, text: &str) -> Source {
    let passage = Passage {
        chunk_id: format!("{}:{n}", drug.to_lowercase()),
        drug: drug.into(),
        drug_slug: drug.to_lowercase(),
        library: "bundled".into(),
        section: section.into(),
        section_path: vec![section.into()],
        section_kind: kind,
        source: format!("{}.md", drug.to_lowercase()).into(),
        span: Span::new(0, text.len()),
        text: text.into(),
        label: None,
    };
    Source { n, passage }
}

fn sources() -> Vec<Source> {
    vec![
        source(
            1,
            "Imiquimod",
            "Dosage",
            SectionKind::Dosage,
            "For actinic keratosis, apply a thin layer twice a week for 16 weeks. For superficial basal cell carcinoma, \
             apply 5 times per week for 6 weeks.",
        ),
        source(
            2,
            "Imiquimod",
            "How It Works",
            SectionKind::HowItWorks,
            "Imiquimod switches on the skin's innate immune system through toll-like receptor 7. Immune cells then \
             release interferon-alpha and other cytokines that attack abnormal cells.",
        ),
        source(
            3,
            "Imiquimod",
            "Storage",
            SectionKind::Storage,
            "Store the cream at room temperature and keep the sachets closed until use.",
        ),
    ]
}

fn check(output: &str) -> Vec<(String, SentenceStatus, Option<String>)> {
    static EMBEDDER: std::sync::OnceLock<Embedder> = std::sync::OnceLock::new();
    let embedder = EMBEDDER.get_or_init(|| Embedder::load(&common::models_dir()).unwrap());
    let catalog = DrugCatalog::new(&[]);
    let verifier = Verifier { embedder, catalogs: vec![&catalog], thresholds: Thresholds::default() };
    verifier.check(output, &sources(), &[]).unwrap().into_iter().map(|s| (s.text, s.status, s.reason)).collect()
}

#[test]
fn a_wrong_dose_is_dropped() {
    let checked = check("For superficial basal cell carcinoma, apply it 7 times per week for 6 weeks [1].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    assert!(checked[0].2.as_deref().unwrap().contains("7 times"), "{checked:?}");
    let checked = check("For actinic keratosis, use it twice a week for 12 weeks [1].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn a_citation_to_an_unrelated_passage_is_dropped() {
    let checked = check("Imiquimod activates the immune system through toll-like receptor 7 [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn an_uncited_sentence_is_dropped() {
    let checked = check("Imiquimod activates the immune system through toll-like receptor 7.");
    assert_eq!(checked[0].1, SentenceStatus::Uncited, "{checked:?}");
}

#[test]
fn a_correct_paraphrase_is_kept() {
    let checked = check(
        "Imiquimod works by turning on the skin's innate immune defences via toll-like receptor 7 [2]. \
         For superficial basal cell carcinoma it is applied five times a week for six weeks [1].",
    );
    assert_eq!(checked.len(), 2);
    for (text, status, reason) in &checked {
        assert_eq!(*status, SentenceStatus::Verified, "{text}: {reason:?}");
    }
}

#[test]
fn a_citation_to_a_missing_source_is_dropped() {
    let checked = check("Store it at room temperature [7].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified);
}

#[test]
fn a_forced_citation_to_an_unrelated_passage_still_fails() {
    // What citation-constrained decoding produces when the model picks the wrong source.
    let checked = check("Immune cells release interferon-alpha that attacks abnormal cells [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    let checked = check("Apply it 5 times per week for 6 weeks [2].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn a_reversed_claim_is_dropped() {
    let checked = check("Imiquimod does not switch on the skin's innate immune system [2].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    let checked = check("Do not store the cream at room temperature [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn an_echoed_source_label_is_not_part_of_the_claim() {
    let checked = check("Imiquimod (Storage): Store the cream at room temperature [3].");
    assert_eq!(checked[0].0, "Store the cream at room temperature.");
    assert_eq!(checked[0].1, SentenceStatus::Verified, "{checked:?}");
}

#[test]
fn questions_echoed_from_the_sources_are_not_claims() {
    let checked = check("Q: Where do I store the cream? [3] A: Store the cream at room temperature [3].");
    assert_eq!(checked.len(), 1, "{checked:?}");
    assert_eq!(checked[0].0, "Store the cream at room temperature.");
}

#[test]
fn an_invented_clause_after_a_copied_sentence_is_dropped() {
    let checked = check(
        "Imiquimod switches on the skin's innate immune system through toll-like receptor 7, which also lowers \
         blood pressure and cholesterol levels [2].",
    );
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}
