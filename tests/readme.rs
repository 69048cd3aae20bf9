//! The README's facts that drift as the repository grows: its Models table lists every
//! model of `models/manifest.json` (the ones every set-up fetches and the optional ones the
//! tests fetch by name) with its pinned packages and licence, and every count of bundled
//! monographs it gives is the number of files in `corpus/`.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The README's `## Models` section.
fn models_section(readme: &str) -> &str {
    let start = readme.find("\n## Models\n").expect("README has a Models section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn the_models_table_lists_every_model_the_set_up_fetches() {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("models/manifest.json")).unwrap()).unwrap();
    let readme = readme();
    let section = models_section(&readme);
    assert!(!section.contains("next issue"), "the Models table still says a model is for the next issue");
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| id ")).collect();
    let models = manifest["models"].as_array().unwrap();
    assert_eq!(rows.len(), models.len(), "one row per model of models/manifest.json:\n{}", rows.join("\n"));
    for model in models {
        let id = model["id"].as_str().unwrap();
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("| {id} |")))
            .unwrap_or_else(|| panic!("the README's Models table has no row for {id}"));
        for package in model["packages"].as_array().unwrap() {
            let pinned =
                format!("`{}=={}`", package["package"].as_str().unwrap(), package["version"].as_str().unwrap());
            assert!(row.contains(&pinned), "the row of {id} does not name {pinned}: {row}");
        }
        assert!(row.contains(model["license"].as_str().unwrap()), "the row of {id} does not give its licence: {row}");
        let optional = model["optional"].as_bool().unwrap_or(false);
        let by_name = format!("models/fetch.py {id}");
        assert_eq!(
            row.contains(&by_name),
            optional,
            "an optional model is fetched by name, the others by every set-up: {row}"
        );
        if optional {
            let scripts = std::fs::read_dir(root().join("scripts")).unwrap().flatten();
            let fetched =
                scripts.into_iter().any(|s| std::fs::read_to_string(s.path()).unwrap_or_default().contains(&by_name));
            assert!(fetched, "no script runs `{by_name}`, yet the README says the set-up fetches it");
        }
    }
}

#[test]
fn the_monograph_counts_match_the_corpus() {
    let corpus = std::fs::read_dir(root().join("corpus"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    let readme = readme();
    let words: Vec<&str> = readme.split_whitespace().collect();
    let mut counts = Vec::new();
    for pair in words.windows(2) {
        let number = pair[0].trim_start_matches('(').replace(',', "");
        if pair[1].starts_with("monographs") && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            counts.push(number.parse::<usize>().unwrap());
        }
    }
    assert!(!counts.is_empty(), "the README gives the number of bundled monographs");
    assert!(counts.iter().all(|&n| n == corpus), "the README counts {counts:?} monographs; corpus/ has {corpus}");
}
