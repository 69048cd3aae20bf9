//! The question → answer path minus the two models: sanitising, drug resolution, intents,
//! notices, the prompt within its token budget, and splitting the model's output into
//! cited sentences with their numbers. Mirrors `Engine::ask`; the embedder and the
//! generator are left out, so it runs without model files.
//!
//! Input: a question, optionally followed by `\n---\n` and text standing in for the
//! model's output (the question itself is used when there is none).
#![no_main]

use drugchatter_engine::testing::chunk::chunk_monograph;
use drugchatter_engine::testing::corpus::{self, Drug};
use drugchatter_engine::testing::{intent, numbers, prompt, safety, sanitize_question, verify, DrugCatalog};
use drugchatter_engine::{Notice, Passage, Source, MAX_QUESTION_CHARS};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

/// Real monographs: one with brand names, one banned drug, one whose title has a salt.
const DRUGS: &[&str] = &["imiquimod", "ibuprofen", "lisinopril", "metformin", "ranitidine", "sertraline"];

/// A prompt budget small enough that fuzzed questions often overflow it.
const BUDGET: usize = 256;

struct Library {
    drugs: Vec<Drug>,
    catalog: DrugCatalog,
    /// Per drug, its passages as the prompt would see them.
    passages: Vec<Vec<Passage>>,
}

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
        let (files, _) = corpus::scan(&corpus).expect("the bundled corpus is readable");
        let mut drugs = Vec::new();
        let mut passages = Vec::new();
        for file in files.iter().filter(|f| DRUGS.contains(&f.slug().as_str())) {
            let (drug, monograph) = corpus::parse_file(file, "bundled").expect("bundled monographs parse");
            let chunks = chunk_monograph(&drug.slug, drugs.len() as u32, &monograph);
            passages.push(
                chunks
                    .into_iter()
                    .map(|c| Passage {
                        chunk_id: c.id.clone(),
                        drug: drug.title.clone(),
                        drug_slug: drug.slug.clone(),
                        library: "bundled".into(),
                        section: c.section_label(),
                        section_path: c.section_path.clone(),
                        section_kind: c.section_kind,
                        source: drug.source.clone(),
                        span: c.span,
                        text: c.text,
                        label: None,
                    })
                    .collect::<Vec<_>>(),
            );
            drugs.push(drug);
        }
        assert_eq!(drugs.len(), DRUGS.len(), "every fuzz drug is in corpus/");
        Library { catalog: DrugCatalog::new(&drugs), drugs, passages }
    })
}

/// Stands in for the generator's tokenizer: about one token per four bytes, never zero.
fn count_tokens(text: &str) -> usize {
    text.len().div_ceil(4)
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (raw_question, output) = input.split_once("\n---\n").unwrap_or((&input, &input));
    let library = library();

    let question = sanitize_question(raw_question);
    assert!(!question.chars().any(char::is_control), "control characters survive: {question:?}");
    assert_eq!(question, question.trim(), "not trimmed");
    assert_eq!(sanitize_question(&question), question, "sanitising is not idempotent");
    if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
        return; // Engine::ask refuses these before any other step.
    }

    let resolution = library.catalog.resolve(&question);
    for drug in &resolution.drugs {
        assert!(drug.index < library.drugs.len() && drug.slug == library.drugs[drug.index].slug, "{drug:?}");
    }
    let intents = intent::detect(&question, resolution.drugs.len());

    let notices = safety::notices(&question, &resolution.drugs);
    assert_eq!(notices.last(), Some(&Notice::Disclaimer), "the disclaimer comes last");
    assert!(notices.iter().skip(1).all(|n| *n != Notice::Emergency), "an emergency notice comes first");

    // Sources as retrieval would offer them: passages of the resolved drugs (or of the first
    // drug), those of the section asked about first.
    let drugs: Vec<usize> =
        if resolution.drugs.is_empty() { vec![0] } else { resolution.drugs.iter().map(|d| d.index).collect() };
    let mut candidates: Vec<&Passage> = drugs.iter().flat_map(|&d| &library.passages[d]).collect();
    candidates.sort_by_key(|p| !intents.iter().any(|i| i.matches(p.section_kind, &p.text)));
    let sources: Vec<Source> =
        candidates.into_iter().take(4).enumerate().map(|(i, p)| Source { n: i + 1, passage: p.clone() }).collect();

    let kept = prompt::fit(&question, sources.clone(), BUDGET, &count_tokens);
    let turn = prompt::user_turn(&question, &kept);
    assert!(turn.ends_with(&format!("Question: {question}")), "the question was cut");
    assert!(!kept.is_empty() && kept.len() <= sources.len());
    let fits = count_tokens(&turn) <= BUDGET;
    assert!(fits || (kept.len() == 1 && kept[0].text.is_empty()), "over budget with sources left to trim");
    for (kept, offered) in kept.iter().zip(&sources) {
        assert_eq!(kept.chunk_id, offered.chunk_id, "sources are dropped from the end only");
    }

    // The verifier's text checks on stand-in model output.
    let cited = verify::split_cited(output);
    let passages: String = kept.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
    let available = numbers::quantities(&passages);
    for (claim, _citations) in &cited {
        assert!(!claim.is_empty() && claim.trim() == claim, "{claim:?}");
        // A shown sentence never carries a marker the verifier did not count.
        assert!(verify::strip_citations(claim).1.is_empty(), "a citation left in {claim:?}");
        for quantity in numbers::quantities(claim) {
            let _ = numbers::supported(&quantity, &available);
        }
        let overlap = verify::word_overlap(claim, &passages);
        assert!((0.0..=1.0).contains(&overlap), "overlap {overlap}");
    }
});
