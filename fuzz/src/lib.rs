//! What must hold of any parse or import result, beyond "it did not panic". Shared by the
//! fuzz targets, so each target states only how it feeds its input in.

use drugchatter_engine::testing::chunk::chunk_monograph;
use drugchatter_engine::testing::label::{Label, LabelSection, Part};
use drugchatter_engine::testing::{label, Found};
use drugchatter_monograph::{Parsed, Span};
use libfuzzer_sys::arbitrary::{Result, Unstructured};

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

/// The characters of a set id: the importers accept only these (a set id names a file).
const SET_ID_CHARS: &[u8] = b"0123456789abcdefABCDEF-";

/// A label built from fuzz bytes, as an importer could hand it over to the store and the
/// renderer: a set id of 8 to 64 hex digits and dashes, an ISO date or none (the importers'
/// `iso_date`), any text anywhere else, and sections nested up to `max_depth` deep (one
/// chain of single children reaches the depth for two bytes). `generic_name` is the drug's
/// name when the caller groups labels of one drug.
pub fn label(u: &mut Unstructured, generic_name: Option<&str>, max_depth: usize) -> Result<Label> {
    let set_id_len = u.int_in_range(8..=64)?;
    let set_id = (0..set_id_len).map(|_| u.choose(SET_ID_CHARS).map(|&c| c as char)).collect::<Result<String>>()?;
    let effective_date = if u.arbitrary()? {
        let (y, m, d): (u16, u8, u8) = (u.int_in_range(0..=9999)?, u.int_in_range(0..=99)?, u.int_in_range(0..=99)?);
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        String::new()
    };
    let mut sections = Vec::new();
    for _ in 0..u.int_in_range(0..=6)? {
        sections.push(section(u, 2)?);
    }
    // One chain of single children, as deep as the input asks.
    let depth = u.int_in_range(0..=max_depth)?;
    if depth > 0 {
        let part = *u.choose(&Part::ALL)?;
        let mut chain = LabelSection {
            part,
            heading: format!("Level {depth}"),
            paragraphs: vec![u.arbitrary()?],
            children: vec![],
        };
        for level in (1..depth).rev() {
            chain = LabelSection { part, heading: format!("Level {level}"), paragraphs: vec![], children: vec![chain] };
        }
        sections.push(chain);
    }
    Ok(Label {
        set_id,
        version: u.arbitrary()?,
        effective_date,
        title: u.arbitrary()?,
        generic_name: match generic_name {
            Some(name) => name.to_string(),
            None => u.arbitrary()?,
        },
        brand_names: u.arbitrary()?,
        manufacturer: u.arbitrary()?,
        source_file: u.arbitrary()?,
        sections,
    })
}

fn section(u: &mut Unstructured, depth: usize) -> Result<LabelSection> {
    let mut children = Vec::new();
    if depth > 0 {
        for _ in 0..u.int_in_range(0..=2)? {
            children.push(section(u, depth - 1)?);
        }
    }
    Ok(LabelSection { part: *u.choose(&Part::ALL)?, heading: u.arbitrary()?, paragraphs: u.arbitrary()?, children })
}

/// How deep a label's sections nest (1 for sections without children).
pub fn depth(label: &Label) -> usize {
    fn of(section: &LabelSection) -> usize {
        1 + section.children.iter().map(of).max().unwrap_or(0)
    }
    label.sections.iter().map(of).max().unwrap_or(0)
}
