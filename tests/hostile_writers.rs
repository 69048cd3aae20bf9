//! Two writers of one library at once: `drugchatter index` started twice at the same moment
//! on one data folder, after the corpus changed so that both have work to do. Both must
//! succeed (the second waits for the first, then finds the index up to date), and the
//! index must then load and answer from the new text, with no second generation or
//! temporary left behind. `WRITER_TRIALS` sets the number of trials (default 20).

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

const LIBRARY_INDEX: &str = "index/bundled";

fn drugchatter(data: &Path, corpus: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drugchatter"));
    cmd.env("DRUGCHATTER_DATA_DIR", data)
        .env("DRUGCHATTER_MODELS_DIR", common::models_dir())
        .env("DRUGCHATTER_CORPUS_DIR", corpus)
        .env_remove("DRUGCHATTER_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn succeeded(what: &str, output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{what} failed ({}):\n{stderr}", output.status);
    stderr
}

/// The live generation's name, after checking that it is the only one and that nothing
/// temporary is left beside it.
fn live_generation(data: &Path) -> String {
    let root = data.join(LIBRARY_INDEX);
    let current = std::fs::read_to_string(root.join("CURRENT")).unwrap().trim().to_string();
    assert!(root.join(&current).join("manifest.json").is_file(), "CURRENT names {current}, which is not there");
    let mut names: Vec<String> =
        std::fs::read_dir(&root).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [".lock".to_string(), "CURRENT".into(), current.clone()]);
    current
}

#[test]
fn two_processes_indexing_one_data_folder_leave_an_index_that_loads_and_answers() {
    let trials: usize = std::env::var("WRITER_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(20);
    let corpus = common::corpus_copy(&["ibuprofen"]);
    let data = tempfile::tempdir().unwrap();
    let index = |_| drugchatter(data.path(), corpus.path()).arg("index").spawn().unwrap();
    let mut waited = 0;
    for trial in 1..=trials {
        // A small monograph that changes every trial: little to embed, but work for both.
        let monograph = format!(
            "---\ntitle: Zorblatt\ndescription: A made-up medicine.\n---\n## **Usage**\n\nKeep the zorblatt{trial} \
             leaflet with the packets.\n"
        );
        std::fs::write(corpus.path().join("zorblatt.md"), monograph).unwrap();

        let runs: Vec<_> = (0..2).map(index).collect();
        for run in runs {
            let stderr = succeeded(&format!("trial {trial}: index"), &run.wait_with_output().unwrap());
            waited += usize::from(stderr.contains("waiting for it to finish"));
        }
        let generation = live_generation(data.path());
        let search = drugchatter(data.path(), corpus.path())
            .args(["search", "-k", "1", "--json", &format!("zorblatt{trial} leaflet")])
            .output()
            .unwrap();
        succeeded(&format!("trial {trial}: search"), &search);
        let results = String::from_utf8_lossy(&search.stdout);
        assert!(results.contains(&format!("zorblatt{trial} leaflet")), "trial {trial}: {results}");
        assert_eq!(live_generation(data.path()), generation, "trial {trial}: search had to rebuild the index");
    }
    eprintln!("{trials} trials; a second writer waited in {waited}");
}
