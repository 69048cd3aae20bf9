//! Malformed input gives diagnostics with a line, never a panic.

use drugchatter_monograph::{parse, Severity};

fn first_error(bytes: &[u8]) -> (usize, String) {
    let parsed = parse(bytes);
    let error = parsed.diagnostics.iter().find(|d| d.severity == Severity::Error).expect("an error diagnostic");
    (error.line, error.message.clone())
}

#[test]
fn empty_file() {
    assert_eq!(first_error(b"").1, "the file is empty");
    assert_eq!(first_error(b"\n \n").0, 1);
}

#[test]
fn no_front_matter() {
    let (line, message) = first_error(b"## **Usage**\n\nSomething.\n");
    assert_eq!(line, 1);
    assert!(message.contains("front matter"), "{message}");
}

#[test]
fn bad_yaml_names_the_line() {
    let src = b"---\ntitle: Foo\ndescription: 'ok'\nfaqs:\n  - q: [unclosed\n---\n## **Usage**\n\nText.\n";
    let (line, message) = first_error(src);
    assert!(message.starts_with("bad YAML front matter"), "{message}");
    assert!((5..=6).contains(&line), "line {line}: {message}");
}

#[test]
fn missing_title() {
    let (line, message) = first_error(b"---\ndescription: x\n---\n## **Usage**\n\nText.\n");
    assert_eq!(line, 2);
    assert!(message.contains("title"));
}

#[test]
fn no_sections() {
    let (line, message) = first_error(b"---\ntitle: Foo\n---\nJust text, no headings.\n");
    assert!(message.contains("no sections"), "{message}");
    assert_eq!(line, 4);
}

#[test]
fn binary_junk() {
    let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let (_, message) = first_error(&junk);
    assert!(message.contains("UTF-8") || message.contains("binary") || message.contains("front matter"), "{message}");
    let (line, message) = first_error(b"---\ntitle: x\n---\n## A\n\nok\0ok\n");
    assert_eq!(line, 6);
    assert!(message.contains("NUL"));
}

#[test]
fn five_megabyte_file() {
    let mut big = b"---\ntitle: Big\n---\n## **Usage**\n\n".to_vec();
    while big.len() < 5 * 1024 * 1024 {
        big.extend_from_slice(b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n");
    }
    let (line, message) = first_error(&big);
    assert_eq!(line, 1);
    assert!(message.contains("at most 2 MB"), "{message}");
}

#[test]
fn arbitrary_prefixes_of_the_seed_never_panic() {
    let seed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/003_debb660ee545c41a.txt")).unwrap();
    for cut in (0..seed.len()).step_by(97) {
        let _ = parse(&seed[..cut]);
    }
}

#[test]
fn a_bad_review_state_is_a_warning_on_its_line_and_the_document_parses() {
    let src = b"---\ntitle: Foo\ndescription: 'ok'\nreviewed: maybe\nchecked_against: []\n---\n## **Usage**\n\nText.\n";
    let parsed = parse(src);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.monograph.title, "Foo");
    let warning = parsed.diagnostics.iter().find(|d| d.message.contains("`reviewed`")).expect("a review warning");
    assert_eq!((warning.severity, warning.line), (Severity::Warning, 4));
}

#[test]
fn the_review_state_is_read() {
    let src = b"---\ntitle: Foo\nreviewed: true\nchecked_against:\n- 'openfda:0b1c'\n---\n## **Usage**\n\nText.\n";
    let parsed = parse(src);
    assert!(parsed.monograph.reviewed);
    assert_eq!(parsed.monograph.checked_against, ["openfda:0b1c"]);
    assert!(!parsed.diagnostics.iter().any(|d| d.message.contains("review")), "{:?}", parsed.diagnostics);
}
