//! What must hold of any parse or import result, beyond "it did not panic". Shared by the
//! fuzz targets, so each target states only how it feeds its input in.

use drugchatter_engine::testing::chunk::chunk_monograph;
use drugchatter_engine::testing::{label, Found};
use drugchatter_monograph::{Parsed, Span};

/// The longest file name common file systems accept, in bytes.
const MAX_FILE_NAME: usize = 255;

/// A parsed document is safe to cite: every span of a section, block and chunk lies inside
/// the source and on character boundaries (a citation opens `source[span]`), and every
/// diagnostic names a line of the file.
pub fn check_parsed(source: &[u8], parsed: &Parsed) {
    let lines = source.iter().filter(|&&b| b == b'\n').count() + 1;
    for d in &parsed.diagnostics {
        assert!((1..=lines).contains(&d.line), "diagnostic on line {} of a {lines}-line file: {d:?}", d.line);
    }
    let text = std::str::from_utf8(source).ok();
    let check = |span: Span, what: &str| {
        assert!(span.start <= span.end && span.end <= source.len(), "{what} span {span:?} outside {}", source.len());
        if let Some(text) = text {
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{what} span {span:?} splits a character"
            );
        }
    };
    for root in &parsed.monograph.sections {
        root.walk(&mut Vec::new(), &mut |path| {
            let section = path[path.len() - 1];
            check(section.span, "section");
            for block in &section.blocks {
                check(block.span, "block");
            }
        });
    }
    if !parsed.has_errors() {
        for chunk in chunk_monograph("fuzz", 0, &parsed.monograph) {
            check(chunk.span, "chunk");
            assert!(!chunk.section_path.is_empty(), "chunk without a section: {chunk:?}");
        }
    }
}

/// What an importer hands over is safe to store and index: a set id usable as a file
/// name, a drug key usable as a document name, and a rendered document that parses back
/// without errors (otherwise the label would silently vanish from the library).
pub fn check_found(found: &Found) {
    let Found::Label(label, _unmapped) = found else { return };
    assert!(
        (8..=64).contains(&label.set_id.len()) && label.set_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "set id {:?} is not a safe file name",
        label.set_id
    );
    let key = label::drug_key(&label.generic_name);
    let document_name = if key.is_empty() { label.set_id.clone() } else { key };
    assert!(
        document_name.len() + ".md".len() <= MAX_FILE_NAME,
        "document name of {} bytes is too long for a file name",
        document_name.len()
    );
    assert!(!document_name.contains(['/', '\\', '\0']) && !document_name.starts_with('.'), "{document_name:?}");

    let document = label::render(std::slice::from_ref(label.as_ref()));
    let parsed = drugchatter_monograph::parse(document.as_bytes());
    check_parsed(document.as_bytes(), &parsed);
    assert!(!parsed.has_errors(), "the rendered label does not parse: {:?}\n{document}", parsed.diagnostics);
}
