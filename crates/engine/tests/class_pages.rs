//! Class pages on real monographs: a class's members, the interactions and warnings two or
//! more of them state (each line a member's own, cited to its passage), and the link from
//! an answer that names the class.

mod common;

use drugchatter_engine::{AskOptions, Conversation, Engine, Error, SharedFact};
use std::sync::OnceLock;

const CORPUS: &[&str] =
    &["captopril", "enalapril", "lisinopril", "ramipril", "atorvastatin", "simvastatin", "naproxen"];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(Engine, tempfile::TempDir, tempfile::TempDir)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let corpus = common::corpus_copy_with_vectors(CORPUS);
            let (engine, data) = common::engine_over(corpus.path());
            (engine, data, corpus)
        })
        .0
}

fn topic<'a>(facts: &'a [SharedFact], name: &str) -> &'a SharedFact {
    facts
        .iter()
        .find(|f| f.topic.as_deref().is_some_and(|t| t.split(", ").any(|part| part == name)))
        .unwrap_or_else(|| panic!("no topic {name:?} in {facts:#?}"))
}

#[test]
fn classes_are_listed_with_their_member_counts() {
    let classes = engine().drug_classes();
    let count = |name: &str| classes.iter().find(|c| c.name == name).map(|c| c.members);
    assert_eq!(count("ACE inhibitors"), Some(4), "{classes:#?}");
    assert_eq!(count("statins"), Some(2), "{classes:#?}");
    assert_eq!(count("NSAIDs"), Some(1), "{classes:#?}");
    assert_eq!(count("triptans"), None, "a class without members here is not listed");
}

#[test]
fn a_class_page_shows_each_members_line_on_what_they_share() {
    let page = engine().drug_class("ace inhibitors").expect("the class has a page");
    assert_eq!(page.name, "ACE inhibitors");
    let members: Vec<&str> = page.members.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(members, ["Captopril", "Enalapril", "Lisinopril", "Ramipril"]);

    // "NSAIDs (including COX-2 inhibitors)", "NSAIDs (ibuprofen, …)" and "NSAIDs" are one topic.
    let nsaids = topic(&page.interactions, "NSAIDs");
    let stating: Vec<&str> = nsaids.lines.iter().map(|l| l.drug.as_str()).collect();
    assert_eq!(stating, members, "{nsaids:#?}");
    assert!(nsaids.lines.iter().all(|l| l.text.starts_with("NSAIDs")), "{nsaids:#?}");
    assert!(topic(&page.interactions, "Lithium").lines.len() >= 3);
    // "ARBs" and "Angiotensin receptor blockers" name one class.
    assert_eq!(topic(&page.interactions, "angiotensin receptor blockers (ARBs)").lines.len(), 4);

    // Each line is its member's own, inside the passage it cites.
    for line in page.interactions.iter().chain(&page.warnings).flat_map(|f| &f.lines) {
        let view = engine().monograph(&line.library, &line.drug_slug).expect("the member's profile");
        let source =
            std::fs::read_to_string(common::repo().join("corpus").join(format!("{}.md", line.drug_slug))).unwrap();
        assert_eq!(view.source.to_string_lossy(), format!("{}.md", line.drug_slug));
        let cited: String = source[line.span.start..line.span.end].replace("**", "");
        let first_words: String = line.text.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
        assert!(cited.contains(&first_words), "{first_words:?} is not in the cited passage of {}", line.drug);
    }

    // Warnings shared alike: the boxed warning on pregnancy and angioedema, by all four.
    let boxed = topic(&page.warnings, "Boxed Warning");
    assert_eq!(boxed.lines.len(), 4, "{boxed:#?}");
    assert!(boxed.lines.iter().all(|l| l.text.to_lowercase().contains("pregnancy")), "{boxed:#?}");
    assert!(
        page.warnings.iter().any(|f| f.lines.len() == 4 && f.lines.iter().all(|l| l.text.contains("angioedema"))),
        "{:#?}",
        page.warnings
    );
}

#[test]
fn a_single_member_class_shows_its_own_lines() {
    let page = engine().drug_class("NSAIDs").expect("naproxen's class");
    assert_eq!(page.members.len(), 1);
    assert!(!page.interactions.is_empty());
    assert!(page.interactions.iter().all(|f| f.lines.len() == 1 && f.lines[0].drug == "Naproxen"));
}

#[test]
fn an_unknown_class_is_a_typed_error() {
    match engine().drug_class("triptans") {
        Err(Error::NoSuchClass(name)) => assert_eq!(name, "triptans"),
        other => panic!("expected NoSuchClass, got {other:?}"),
    }
}

#[test]
fn an_answer_names_the_classes_the_question_named() {
    let answer = engine()
        .ask("Do statins cause muscle pain?", &mut Conversation::default(), &AskOptions::default(), &mut |_| true)
        .expect("answers");
    assert_eq!(answer.classes, ["statins"]);
    let answer = engine()
        .ask("How does lisinopril work?", &mut Conversation::default(), &AskOptions::default(), &mut |_| true)
        .expect("answers");
    assert!(answer.classes.is_empty(), "{:?}", answer.classes);
}
