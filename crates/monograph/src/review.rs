//! The review state in the front matter: whether a monograph's facts were checked against
//! an FDA label, and which labels.
//!
//! ```yaml
//! reviewed: true
//! checked_against:
//! - 'openfda:<set_id>'
//! - 'pdf:fda_warfarin_label_2025.pdf'
//! ```
//!
//! The values are read as plain YAML so a wrong type is a warning here, never a failed
//! front matter: a monograph with a doubtful review record is still fit to index, and
//! `drugchatter lint` reports every warning.

use crate::Diagnostic;
use serde_yaml_ng::Value;

/// Where a label can come from: an openFDA record by set id, or a file of the shared label
/// data (`pdf/`, `spl/`).
pub const SOURCE_PREFIXES: &[&str] = &["openfda:", "spl:", "pdf:"];

/// The review state as read, with what was wrong with it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Review {
    pub reviewed: bool,
    pub checked_against: Vec<String>,
}

/// Reads `reviewed` and `checked_against`. `imported` documents are FDA labels themselves
/// (their `labels` say which), so for them the keys may be absent.
pub(crate) fn read(
    reviewed: Option<&Value>,
    checked_against: Option<&Value>,
    imported: bool,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Review {
    let mut warn = |message: String| diagnostics.push(Diagnostic::warning(line, message));
    let mut review = Review::default();
    let reviewed_ok = match reviewed {
        None if imported => false,
        None => {
            warn("missing review state: front matter has no `reviewed` (true or false)".into());
            false
        }
        Some(Value::Bool(b)) => {
            review.reviewed = *b;
            true
        }
        Some(other) => {
            warn(format!("`reviewed` must be true or false, not {}", describe(other)));
            false
        }
    };
    match checked_against {
        None if imported => {}
        None => {
            warn("missing review state: front matter has no `checked_against` (a list, empty when not reviewed)".into())
        }
        Some(Value::Null) => review.checked_against = Vec::new(),
        Some(Value::Sequence(items)) => {
            for item in items {
                match item {
                    Value::String(s) => review.checked_against.push(s.trim().to_string()),
                    other => warn(format!("`checked_against` entries must be text, not {}", describe(other))),
                }
            }
        }
        Some(other) => warn(format!("`checked_against` must be a list, not {}", describe(other))),
    }
    for entry in &review.checked_against {
        match SOURCE_PREFIXES.iter().find(|p| entry.starts_with(*p)) {
            None => warn(format!(
                "`checked_against` entry {entry:?} names no known source: it must start with {}",
                SOURCE_PREFIXES.join(", ")
            )),
            Some(prefix) if entry[prefix.len()..].trim().is_empty() => {
                warn(format!("`checked_against` entry {entry:?} names no label after `{prefix}`"))
            }
            Some(_) => {}
        }
    }
    if reviewed_ok && checked_against.is_some() {
        if review.reviewed && review.checked_against.is_empty() {
            warn("`reviewed: true` needs at least one `checked_against` entry naming the label".into());
        }
        if !review.reviewed && !review.checked_against.is_empty() {
            warn("`reviewed: false` needs an empty `checked_against` list".into());
        }
    }
    review
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("{s:?}"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the two keys from YAML text, as the front matter holds them.
    fn review_of(yaml: &str, imported: bool) -> (Review, Vec<String>) {
        let map: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let mut diagnostics = Vec::new();
        let review = read(map.get("reviewed"), map.get("checked_against"), imported, 2, &mut diagnostics);
        (review, diagnostics.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn a_reviewed_monograph_names_its_labels() {
        let (review, problems) = review_of(
            "reviewed: true\nchecked_against:\n- 'openfda:abc-123'\n- 'pdf:warfarin.pdf'\n- spl:x.xml\n",
            false,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(review.reviewed);
        assert_eq!(review.checked_against, ["openfda:abc-123", "pdf:warfarin.pdf", "spl:x.xml"]);
    }

    #[test]
    fn an_unreviewed_monograph_has_an_empty_list() {
        let (review, problems) = review_of("reviewed: false\nchecked_against: []\n", false);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(review, Review { reviewed: false, checked_against: vec![] });
    }

    #[test]
    fn both_keys_must_be_present() {
        let (_, problems) = review_of("title: x\n", false);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.starts_with("missing review state")), "{problems:?}");
        let (_, problems) = review_of("reviewed: false\n", false);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("no `checked_against`"), "{problems:?}");
        let (_, problems) = review_of("checked_against: []\n", false);
        assert!(problems.len() == 1 && problems[0].contains("no `reviewed`"), "{problems:?}");
    }

    #[test]
    fn an_imported_document_needs_no_review_state() {
        let (review, problems) = review_of("title: x\n", true);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!review.reviewed);
    }

    #[test]
    fn reviewed_true_needs_an_entry() {
        for yaml in ["reviewed: true\nchecked_against: []\n", "reviewed: true\nchecked_against:\n"] {
            let (_, problems) = review_of(yaml, false);
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            assert!(problems[0].contains("needs at least one"), "{problems:?}");
        }
    }

    #[test]
    fn reviewed_false_needs_an_empty_list() {
        let (_, problems) = review_of("reviewed: false\nchecked_against: ['openfda:abc']\n", false);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("needs an empty"), "{problems:?}");
    }

    #[test]
    fn each_entry_has_a_known_prefix_and_a_name() {
        let (review, problems) = review_of(
            "reviewed: true\nchecked_against: ['openfda:abc', 'dailymed:xyz', 'warfarin.pdf', 'pdf:', 'spl:  ']\n",
            false,
        );
        assert_eq!(review.checked_against.len(), 5);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("\"dailymed:xyz\" names no known source"), "{problems:?}");
        assert!(problems[1].contains("\"warfarin.pdf\" names no known source"), "{problems:?}");
        assert!(problems[2].contains("\"pdf:\" names no label after `pdf:`"), "{problems:?}");
        assert!(problems[3].contains("names no label after `spl:`"), "{problems:?}");
    }

    #[test]
    fn wrong_types_are_warnings_not_failures() {
        let (review, problems) = review_of("reviewed: 'yes'\nchecked_against: openfda:abc\n", false);
        assert_eq!(review, Review::default());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`reviewed` must be true or false, not \"yes\""), "{problems:?}");
        assert!(problems[1].contains("`checked_against` must be a list"), "{problems:?}");
        let (review, problems) = review_of("reviewed: true\nchecked_against: [12, 'pdf:a.pdf']\n", false);
        assert_eq!(review.checked_against, ["pdf:a.pdf"]);
        assert!(problems.len() == 1 && problems[0].contains("must be text, not the number 12"), "{problems:?}");
    }
}
