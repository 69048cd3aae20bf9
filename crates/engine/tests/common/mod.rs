//! Shared set-up for the integration tests, the engine's (`crates/engine/tests/`) and the
//! workspace's (`tests/`, which include this file by path): the real models, real
//! monographs from `corpus/`, and throw-away data folders.
#![allow(dead_code)]

use drugchatter_engine::{Engine, Paths, Silent};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The checkout: the folder above the including package that holds `corpus/`.
pub fn repo() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = package.ancestors().find(|dir| dir.join("corpus").is_dir()).expect("the checkout holds corpus/");
    repo.to_path_buf()
}

pub fn models_dir() -> PathBuf {
    let dir = repo().join("models");
    assert!(
        dir.join("all-minilm-l6-v2/model.safetensors").exists(),
        "the real models are needed: run `python3 models/fetch.py` first"
    );
    dir
}

pub fn shared() -> PathBuf {
    repo().join("../shared")
}

/// The monographs most tests use: real files from `corpus/`, few enough to embed in seconds.
pub const SMALL_CORPUS: &[&str] =
    &["imiquimod", "ibuprofen", "lisinopril", "metformin", "rivastigmine", "sertraline", "ranitidine", "acetaminophen"];

/// Copies the named monographs into a fresh folder.
pub fn corpus_copy(slugs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for slug in slugs {
        std::fs::copy(repo().join("corpus").join(format!("{slug}.md")), dir.path().join(format!("{slug}.md")))
            .unwrap_or_else(|e| panic!("copying {slug}.md: {e}"));
    }
    dir
}

/// Copies the named monographs with their stored passage vectors (`corpus/vectors/`), so
/// indexing them embeds nothing.
pub fn corpus_copy_with_vectors(slugs: &[&str]) -> tempfile::TempDir {
    let dir = corpus_copy(slugs);
    std::fs::create_dir(dir.path().join("vectors")).unwrap();
    for slug in slugs {
        let name = format!("vectors/{slug}.vec");
        std::fs::copy(repo().join("corpus").join(&name), dir.path().join(&name))
            .unwrap_or_else(|e| panic!("copying {name}: {e}; run `drugchatter index --store-vectors`"));
    }
    dir
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn paths(corpus: &Path, data: &Path) -> Paths {
    Paths { data_dir: data.to_path_buf(), models_dir: models_dir(), corpus_dir: corpus.to_path_buf() }
}

/// An engine over `corpus`, with its index built in a fresh data folder.
pub fn engine_over(corpus: &Path) -> (Engine, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(paths(corpus, data.path())).expect("engine opens");
    engine.update_index(None, &Silent).expect("index builds");
    (engine, data)
}

/// One engine over SMALL_CORPUS shared by all tests of a test binary: building it embeds
/// a few hundred passages.
pub fn small_engine() -> &'static Engine {
    static ENGINE: OnceLock<(Engine, tempfile::TempDir, tempfile::TempDir)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let corpus = corpus_copy(SMALL_CORPUS);
            let (engine, data) = engine_over(corpus.path());
            (engine, data, corpus)
        })
        .0
}
