//! Many labels of one drug rendered as documents within a size limit (`render_within`, the
//! import's rendering step): every document parses without errors and has spans a citation
//! can open, stays within the limit, and every label is in exactly one document, newest
//! first, or is reported as too large for a document of its own, only when it is.
//!
//! The limit comes from the input (1 to 64 KB) rather than the import's 2 MiB, so that
//! inputs of a few KB split into many documents.
#![no_main]

use drugchatter_engine::testing::label::{newest_first, render, render_within};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(kb), Ok(count), Ok(generic)) =
        (u.int_in_range(1..=64usize), u.int_in_range(1..=200usize), u.arbitrary::<String>())
    else {
        return;
    };
    let limit = kb * 1024;
    // The importers refuse a label that names no drug.
    let generic = if generic.trim().is_empty() { "fuzzamide".to_string() } else { generic };
    let mut labels = Vec::new();
    for _ in 0..count {
        let Ok(label) = drugchatter_fuzz::label(&mut u, Some(&generic), 12) else { break };
        labels.push(label);
    }
    // The store keeps one label per set id; the renderer gets them newest first.
    labels.sort_by(|a, b| a.set_id.cmp(&b.set_id));
    labels.dedup_by(|a, b| a.set_id == b.set_id);
    if labels.is_empty() {
        return;
    }
    labels.sort_by(newest_first);

    let (documents, too_large) = render_within(&labels, limit);
    let mut placed = Vec::new();
    for document in &documents {
        assert!(document.len() <= limit, "a document of {} bytes, over {limit}", document.len());
        let parsed = drugchatter_monograph::parse(document.as_bytes());
        drugchatter_fuzz::check_parsed(document.as_bytes(), &parsed);
        assert!(!parsed.has_errors(), "a rendered document does not parse: {:?}\n{document}", parsed.diagnostics);
        assert!(!parsed.monograph.labels.is_empty(), "a document without labels");
        placed.extend(parsed.monograph.labels.iter().map(|l| l.set_id.clone()));
    }
    let expected: Vec<String> =
        labels.iter().enumerate().filter(|(i, _)| !too_large.contains(i)).map(|(_, l)| l.set_id.clone()).collect();
    assert_eq!(placed, expected, "labels lost, repeated or out of order");
    for &i in &too_large {
        let alone = render(std::slice::from_ref(&labels[i])).len();
        assert!(alone > limit, "label {i} reported too large, but its document is {alone} bytes of {limit}");
    }
});
