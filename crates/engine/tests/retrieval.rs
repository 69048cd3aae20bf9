//! Retrieval on real monographs with the real MiniLM embedder.

mod common;

use drugchatter_engine::testing::EngineParts;
use drugchatter_engine::{Intent, MatchKind, SectionKind};

#[test]
fn how_does_imiquimod_work_ranks_its_mechanism_first() {
    let results = common::small_engine().search("How does imiquimod work?", 5).unwrap();
    assert_eq!(results.drugs.len(), 1);
    assert_eq!(results.drugs[0].slug, "imiquimod");
    let top = &results.hits[0];
    assert_eq!((top.drug_slug.as_str(), top.section_kind), ("imiquimod", SectionKind::HowItWorks), "{top:#?}");
    assert!(top.chunk_id.starts_with("imiquimod:how-it-works:"));
}

#[test]
fn brand_name_finds_side_effects() {
    let results = common::small_engine().search("Aldara side effects", 5).unwrap();
    assert_eq!(results.drugs[0].slug, "imiquimod");
    assert_eq!(results.drugs[0].how, MatchKind::Brand);
    assert_eq!(results.intents, [Intent::SideEffects]);
    let top = &results.hits[0];
    assert_eq!((top.drug_slug.as_str(), top.section_kind), ("imiquimod", SectionKind::SideEffects), "{top:#?}");
}

#[test]
fn breastfeeding_question_finds_pregnancy_section() {
    let results = common::small_engine().search("Can I use imiquimod while breastfeeding?", 5).unwrap();
    let top = &results.hits[0];
    assert_eq!(
        (top.drug_slug.as_str(), top.section_kind),
        ("imiquimod", SectionKind::PregnancyBreastfeeding),
        "{top:#?}"
    );
    assert!(top.text.to_lowercase().contains("breast"));
}

#[test]
fn drug_not_in_library_is_reported() {
    let results = common::small_engine().search("What is the usual dose of zolmitriptan for a migraine?", 5).unwrap();
    assert!(results.no_matching_drug);
    assert!(results.drugs.is_empty());
    assert_eq!(results.unknown_drugs, ["zolmitriptan"]);
}

#[test]
fn misspelled_name_resolves() {
    let results = common::small_engine().search("what is the starting dose of rivatigmine", 5).unwrap();
    assert_eq!(results.drugs[0].slug, "rivastigmine");
    assert_eq!(results.drugs[0].how, MatchKind::Fuzzy);
    assert!(results.hits.iter().all(|h| h.drug_slug == "rivastigmine"));
    assert_eq!(results.hits[0].section_kind, SectionKind::Dosage, "{:#?}", results.hits[0]);
}

#[test]
fn two_drugs_in_one_question_cover_both_interaction_sections() {
    let results = common::small_engine().search("can I take ibuprofen with lisinopril?", 5).unwrap();
    let slugs: Vec<&str> = results.drugs.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(slugs, ["ibuprofen", "lisinopril"]);
    assert!(results.intents.contains(&Intent::Interactions));
    for drug in ["ibuprofen", "lisinopril"] {
        assert!(
            results.hits.iter().any(|h| h.drug_slug == drug && h.section_kind == SectionKind::DrugInteractions),
            "no {drug} interaction passage in {:#?}",
            results.hits.iter().map(|h| &h.chunk_id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn missed_dose_goes_to_the_faq() {
    let results =
        common::small_engine().search("I forgot to take my metformin this morning, what should I do?", 3).unwrap();
    let top = &results.hits[0];
    assert_eq!((top.drug_slug.as_str(), top.section_kind), ("metformin", SectionKind::Faqs), "{top:#?}");
    assert!(top.text.to_lowercase().contains("miss"));
}

#[test]
fn hits_point_at_their_passage_in_the_source_file() {
    let engine = common::small_engine();
    let results = engine.search("sertraline dose for depression", 5).unwrap();
    for hit in &results.hits {
        let source = std::fs::read_to_string(engine.paths().corpus_dir.join(&hit.source)).unwrap();
        let passage = &source[hit.span.start..hit.span.end];
        // The passage is markdown; the chunk text is its cleaned form. Their words agree.
        let first_word = hit.text.split_whitespace().find(|w| w.len() > 3).unwrap();
        let first_word = first_word.trim_matches(|c: char| !c.is_alphanumeric());
        assert!(passage.contains(first_word), "{first_word:?} not in {passage:?}");
    }
}

#[test]
fn hnsw_agrees_with_exact_search() {
    let library = common::small_engine().library().unwrap();
    let index = &library.index;
    let mut found = 0;
    let mut wanted = 0;
    // Every passage's own vector is a query; the graph must find the same top 10 as brute force.
    for i in 0..index.vectors.len() {
        let query = index.vectors.row(i);
        let exact: Vec<u32> = index.vectors.exact_search(query, 10, &|_| true).iter().map(|h| h.0).collect();
        let approx: Vec<u32> = index.ann_search(query, 10).iter().map(|h| h.0).collect();
        wanted += exact.len();
        found += exact.iter().filter(|id| approx.contains(id)).count();
    }
    let recall = found as f64 / wanted as f64;
    assert!(recall >= 0.99, "recall@10 = {recall:.4}");
}
