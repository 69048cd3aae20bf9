//! `drugchatter lint` over the bundled library, and over broken copies of it.

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use drugchatter_engine::lint;
use std::process::Command;

#[test]
fn the_bundled_library_passes_lint() {
    let report = lint(&common::repo().join("corpus")).unwrap();
    assert!(report.files >= 150, "only {} monographs", report.files);
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let status = Command::new(env!("CARGO_BIN_EXE_drugchatter"))
        .args(["lint", common::repo().join("corpus").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn lint_names_each_problem_and_where() {
    let dir = common::corpus_copy(&["imiquimod", "ibuprofen", "metformin"]);
    let edit = |slug: &str, f: &dyn Fn(String) -> String| {
        let path = dir.path().join(format!("{slug}.md"));
        std::fs::write(&path, f(std::fs::read_to_string(&path).unwrap())).unwrap();
    };
    // A missing section, an empty one and a missing lastModified.
    edit("imiquimod", &|s| {
        let start = s.find("## **Popular Combinations**").unwrap();
        let end = start + s[start..].find("## **Precautions**").unwrap();
        let s = format!("{}{}", &s[..start], &s[end..]);
        let start = s.find("## **Contraindications**").unwrap() + "## **Contraindications**".len();
        let end = start + s[start..].find("## ").unwrap();
        let s = format!("{}\n\n{}", &s[..start], &s[end..]);
        s.lines().filter(|l| !l.starts_with("lastModified:")).collect::<Vec<_>>().join("\n")
    });
    // Review state: ibuprofen's is missing, metformin's says reviewed with no label named.
    edit("ibuprofen", &without_review_state);
    edit("metformin", &|s| {
        without_review_state(s).replacen("\nlastModified:", "\nreviewed: true\nchecked_against: []\nlastModified:", 1)
    });
    // Ibuprofen claims a metformin brand; metformin's file claims imiquimod's title.
    edit("ibuprofen", &|s| s.replacen("**Brand Names:**", "**Brand Names:** Glucophage,", 1));
    edit("metformin", &|s| s.replacen("title: Metformin", "title: Imiquimod", 1));

    let report = lint(dir.path()).unwrap();
    let text: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let has = |file: &str, needle: &str| text.iter().any(|p| p.contains(file) && p.contains(needle));
    assert!(has("imiquimod.md", "missing section `Popular Combinations`"), "{text:#?}");
    assert!(has("imiquimod.md", "section `Contraindications` is empty"), "{text:#?}");
    assert!(has("imiquimod.md", "lastModified"), "{text:#?}");
    assert!(has("metformin.md", "title \"Imiquimod\" is also claimed by Imiquimod"), "{text:#?}");
    assert!(has("metformin.md", "name \"Glucophage\" is also claimed by Ibuprofen"), "{text:#?}");
    assert_eq!(text.iter().filter(|p| p.contains("lastModified")).count(), 1, "reported once: {text:#?}");
    assert!(has("ibuprofen.md", "missing review state: front matter has no `reviewed`"), "{text:#?}");
    assert!(has("metformin.md", "`reviewed: true` needs at least one `checked_against` entry"), "{text:#?}");

    let status = Command::new(env!("CARGO_BIN_EXE_drugchatter")).args(["lint", dir.path().to_str().unwrap()]).status();
    assert_eq!(status.unwrap().code(), Some(1));
}

/// The front matter without its `reviewed` and `checked_against` keys (and the list under
/// the latter), whether or not the copied monograph has them.
fn without_review_state(s: String) -> String {
    let mut out = Vec::new();
    let mut in_list = false;
    for line in s.lines() {
        if line.starts_with("reviewed:") {
            continue;
        }
        if line.starts_with("checked_against:") {
            in_list = true;
            continue;
        }
        if in_list && line.trim_start().starts_with("- ") {
            continue;
        }
        in_list = false;
        out.push(line);
    }
    out.join("\n") + "\n"
}
