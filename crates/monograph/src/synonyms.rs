//! Brand and alternate names, read from the Alternate Names section.
//!
//! Our own monographs state them in a `Brand Names: A, B` line, and common names ("flu
//! shot", "minipill") in an `Other Names:` line. The seed states them in
//! prose ("marketed under various brand names, notably Aldara and Zyclara"), so without that
//! line the capitalised words that are neither sentence-initial nor common words are taken.

use crate::Section;

/// Capitalised words that appear mid-sentence in alternate-name prose but are not names.
const NOT_NAMES: &[&str] = &[
    "I",
    "US",
    "USA",
    "UK",
    "EU",
    "FDA",
    "OTC",
    "Rx",
    "Brand",
    "Brands",
    "Names",
    "Name",
    "Generic",
    "It",
    "The",
    "This",
    "These",
    "In",
    "Both",
    "Also",
    "Other",
    "None",
    "No",
    "Not",
    "See",
    "Injection",
    "Tablets",
    "Tablet",
    "Cream",
    "Capsules",
    "Solution",
    "Suspension",
    "Gel",
    "Ointment",
    "Oral",
    "Extended",
    "Release",
    "XR",
    "ER",
    "SR",
    "DR",
    "Canada",
    "Europe",
    "Australia",
    "India",
    "America",
    "International",
];

pub(crate) fn from_alternate_names(section: &Section, title: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut all_blocks = Vec::new();
    section.walk(&mut Vec::new(), &mut |path| all_blocks.extend(path.last().unwrap().blocks.iter()));
    let listed: Vec<&str> = all_blocks
        .iter()
        .filter_map(|b| {
            let lower = b.text.to_lowercase();
            ["brand names:", "brand name:", "brands:", "other names:", "also known as:"]
                .iter()
                .find(|p| lower.starts_with(*p))
                .map(|p| &b.text[p.len()..])
        })
        .collect();
    if !listed.is_empty() {
        for list in listed {
            for name in list.split([',', ';']).flat_map(|part| part.split(" and ")) {
                push_name(&mut names, name, title);
            }
        }
        return names;
    }
    for block in &all_blocks {
        for sentence in block.text.split(['.', '!', '?', ':', ';']) {
            for (i, word) in sentence.split_whitespace().enumerate() {
                let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                let capitalised = word.chars().next().is_some_and(char::is_uppercase);
                if i > 0 && capitalised && word.len() > 2 && !NOT_NAMES.contains(&word) {
                    push_name(&mut names, word, title);
                }
            }
        }
    }
    names
}

fn push_name(names: &mut Vec<String>, raw: &str, title: &str) {
    let name = raw.replace(['®', '™'], "");
    let name = name.trim().trim_matches(|c: char| c == '.' || c == '(' || c == ')').trim();
    if name.is_empty() || name.eq_ignore_ascii_case("none") || name.eq_ignore_ascii_case(title) {
        return;
    }
    if !names.iter().any(|n: &String| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_string());
    }
}
