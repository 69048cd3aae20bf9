//! Chunking properties over the whole bundled corpus (no model needed).

mod common;

use drugchatter_engine::testing::chunk::{chunk_monograph, MAX_WORDS};
use drugchatter_monograph::{parse, Section, SectionKind};

#[test]
fn every_bundled_monograph_chunks_within_its_sections() {
    let mut files = 0;
    for entry in std::fs::read_dir(common::repo().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        let parsed = parse(&bytes);
        assert!(!parsed.has_errors(), "{}: {:?}", path.display(), parsed.diagnostics);
        let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
        let chunks = chunk_monograph(&slug, 0, &parsed.monograph);

        // Leaf sections with their spans, to check that no chunk crosses a boundary.
        let mut sections: Vec<(Vec<String>, drugchatter_monograph::Span, usize)> = Vec::new();
        for root in &parsed.monograph.sections {
            root.walk(&mut Vec::new(), &mut |p: &[&Section]| {
                let s = p[p.len() - 1];
                let own_end = s.children.first().map_or(s.span.end, |c| c.span.start);
                sections.push((p.iter().map(|x| x.heading.clone()).collect(), s.span, own_end));
            });
        }
        let mut ids = std::collections::HashSet::new();
        for chunk in &chunks {
            assert!(ids.insert(&chunk.id), "duplicate id {}", chunk.id);
            assert!(!chunk.text.trim().is_empty());
            let words = chunk.text.split_whitespace().count();
            assert!(words <= MAX_WORDS + 40, "{}: {words} words", chunk.id);
            let (_, span, own_end) =
                sections.iter().find(|(p, _, _)| *p == chunk.section_path).expect("section exists");
            assert!(chunk.span.start >= span.start && chunk.span.end <= span.end, "{} leaves its section", chunk.id);
            if chunk.section_kind != SectionKind::Faqs {
                assert!(chunk.span.end <= *own_end, "{} runs into a sub-section", chunk.id);
            }
        }
        // One chunk per FAQ entry.
        let faq = parsed.monograph.section(SectionKind::Faqs).unwrap();
        let faq_chunks = chunks.iter().filter(|c| c.section_kind == SectionKind::Faqs && c.section_path.len() == 2);
        assert_eq!(faq_chunks.count(), faq.children.len(), "{slug}");
    }
    assert!(files >= 150, "only {files} monographs");
}
