//! The bundled library's names as people use them: every line of `lay_names.tsv` resolves
//! to the drug or class it names, over the real corpus catalog (no models needed).

use super::classes::ClassIndex;
use super::resolve::DrugCatalog;
use crate::chunk::chunk_monograph;
use crate::corpus::{parse_file, scan};
use std::path::Path;

/// The catalog and classes of `corpus/`, built as a library builds them.
fn bundled() -> (DrugCatalog, ClassIndex) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let (files, failures) = scan(&dir).unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    let mut drugs = Vec::new();
    let mut chunks = Vec::new();
    for file in &files {
        let (drug, monograph) = parse_file(file, "bundled").unwrap();
        chunks.extend(chunk_monograph(&drug.slug, drugs.len() as u32, &monograph));
        drugs.push(drug);
    }
    let catalog = DrugCatalog::new(&drugs).with_text(chunks.iter().map(|c| c.text.as_str()));
    (catalog, ClassIndex::new(&drugs, &chunks))
}

/// What a question resolves to, as a line of `lay_names.tsv` says it: a drug's slug, or
/// `class:<name>` for a class named with no drug.
fn resolved(catalog: &DrugCatalog, classes: &ClassIndex, question: &str) -> Vec<String> {
    let drugs: Vec<String> = catalog.resolve(question).drugs.into_iter().map(|d| d.slug).collect();
    if !drugs.is_empty() {
        // A drug's own class word ("vaccine" in "HepB vaccine") also names its class: the drug is what counts.
        return drugs;
    }
    classes.named_in(question).into_iter().map(|c| format!("class:{}", c.name)).collect()
}

#[test]
fn lay_international_prefixed_and_split_names_resolve() {
    let (catalog, classes) = bundled();
    let list = include_str!("lay_names.tsv");
    let cases: Vec<(&str, &str)> = list
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').unwrap_or_else(|| panic!("no tab in {l:?}")))
        .collect();
    assert!(cases.len() >= 100, "only {} names", cases.len());
    let mut wrong = Vec::new();
    for (name, expected) in &cases {
        let expected: Vec<String> = if *expected == "none" { vec![] } else { vec![expected.to_string()] };
        // Alone, and inside a question, where the words around it must not change it.
        for question in [name.to_string(), format!("how long can I keep taking {name} while pregnant?")] {
            let got = resolved(&catalog, &classes, &question);
            if got != expected {
                wrong.push(format!("{question:?}: expected {expected:?}, got {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} names:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}
