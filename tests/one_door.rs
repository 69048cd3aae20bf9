//! The engine's one door (ARCHITECTURE.md): its modules are private, so the compiler keeps
//! clients to `Engine` and the crate root; this checks the two windows below it, which the
//! compiler cannot tell apart from the API. `testing` is for tests and fuzz targets only, and
//! `bench` for the CLI's `bench` and `eval` only: no command of the CLI and nothing in the
//! desktop shell names either.

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_named_clients_reach_below_the_engine_api() {
    let repo = common::repo();
    let mut files = Vec::new();
    rust_files(&repo.join("src"), &mut files);
    rust_files(&repo.join("src-tauri/src"), &mut files);
    for client in ["src/main.rs", "src-tauri/src/lib.rs"] {
        assert!(files.contains(&repo.join(client)), "{client} not found among {files:?}");
    }
    let measurements = [repo.join("src/bench"), repo.join("src/eval")];
    let mut trespasses = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if text.contains("drugchatter_engine::testing") {
            trespasses.push(format!("{} uses drugchatter_engine::testing", file.display()));
        }
        if text.contains("drugchatter_engine::bench") && !measurements.iter().any(|m| file.starts_with(m)) {
            trespasses.push(format!("{} uses drugchatter_engine::bench", file.display()));
        }
    }
    assert!(trespasses.is_empty(), "{}", trespasses.join("\n"));
}
