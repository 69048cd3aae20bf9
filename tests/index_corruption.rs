//! A damaged index is never trusted. Every file of a generation and the CURRENT pointer,
//! cut short, emptied, altered in one byte, extended, deleted, or written by another
//! format version, is detected at load (never a panic, never different answers), and the
//! next start rebuilds it with a message. See `crash_loop.rs` for damage by `kill -9`.

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use drugchatter_engine::testing::index::{current_generation, FORMAT_VERSION};
use drugchatter_engine::testing::Index;
use drugchatter_engine::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The files of a generation, and the pointer beside them.
const GENERATION_FILES: &[&str] =
    &["library.bin", "vectors.bin", "lexical.bin", "vectors.hnsw.graph", "vectors.hnsw.data", "manifest.json"];

#[derive(Debug, Clone, Copy)]
enum Damage {
    Truncate,
    Empty,
    FlipMiddleByte,
    FlipLastByte,
    AppendGarbage,
    Delete,
}

const DAMAGES: &[Damage] = &[
    Damage::Truncate,
    Damage::Empty,
    Damage::FlipMiddleByte,
    Damage::FlipLastByte,
    Damage::AppendGarbage,
    Damage::Delete,
];

fn damage(path: &Path, how: Damage) {
    let mut bytes = std::fs::read(path).unwrap();
    let len = bytes.len();
    match how {
        Damage::Truncate => bytes.truncate(len / 2),
        Damage::Empty => bytes.clear(),
        Damage::FlipMiddleByte => bytes[len / 2] ^= 0x5a,
        Damage::FlipLastByte => bytes[len - 1] ^= 0x5a,
        Damage::AppendGarbage => bytes.extend_from_slice(b"\x00\xffgarbage"),
        Damage::Delete => return std::fs::remove_file(path).unwrap(),
    }
    std::fs::write(path, bytes).unwrap();
}

/// A built index over two monographs, the folder it is in, and the corpus.
struct Pristine {
    data: tempfile::TempDir,
    corpus: tempfile::TempDir,
}

fn pristine() -> &'static Pristine {
    static PRISTINE: OnceLock<Pristine> = OnceLock::new();
    PRISTINE.get_or_init(|| {
        let corpus = common::corpus_copy(&["imiquimod", "loratadine"]);
        let (engine, data) = common::engine_over(corpus.path());
        drop(engine);
        Pristine { data, corpus }
    })
}

/// A copy of the pristine data folder, and its bundled index's root and generation folder.
fn damaged_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let data = tempfile::tempdir().unwrap();
    common::copy_dir(pristine().data.path(), data.path());
    let root = data.path().join("index/bundled");
    let generation = current_generation(&root).unwrap().expect("a live generation");
    (data, root, generation)
}

/// Everything a search reads from an index.
fn content(index: &Index) -> (Vec<String>, Vec<f32>, usize, Vec<String>) {
    (
        index.chunks.iter().map(|c| format!("{} {}", c.id, c.text)).collect(),
        index.vectors.data.clone(),
        index.lexical.len(),
        index.drugs.iter().map(|d| d.content_hash.clone()).collect(),
    )
}

/// Loads, turning a panic into a failure that names the damage.
fn load(root: &Path, what: &str) -> drugchatter_engine::Result<Index> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Index::load(root)))
        .unwrap_or_else(|_| panic!("loading an index with {what} panicked"))
}

#[test]
fn every_damaged_index_file_is_detected_at_load() {
    let (_data, root, generation) = damaged_copy();
    let names: Vec<String> = std::fs::read_dir(&generation)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for name in GENERATION_FILES {
        assert!(names.iter().any(|n| n == name), "{name} is not in a generation: {names:?}");
    }
    let intact = content(&load(&root, "no damage").unwrap());

    for name in GENERATION_FILES.iter().chain(&["CURRENT"]) {
        for &how in DAMAGES {
            let (_data, root, generation) = damaged_copy();
            let path = if *name == "CURRENT" { root.join(name) } else { generation.join(name) };
            damage(&path, how);
            let what = format!("{name} {how:?}");
            match load(&root, &what) {
                Err(Error::IndexCorrupt { reason, .. }) => {
                    assert!(!reason.is_empty(), "{what}");
                }
                // Without a pointer there is no index: the next start builds one.
                Err(Error::NoIndex { .. }) if *name == "CURRENT" && matches!(how, Damage::Delete) => {}
                // Invalid UTF-8 in the pointer is an I/O error naming it; the index is unused.
                Err(Error::Io { path, .. }) if *name == "CURRENT" => assert!(path.ends_with("CURRENT"), "{what}"),
                // The manifest's own fields are not all checked (a build time, say): an
                // alteration there may load, but only if the index is exactly as built.
                Ok(index) if matches!(*name, "manifest.json" | "CURRENT") => {
                    assert_eq!(content(&index), intact, "{what} loaded something else")
                }
                other => panic!("{what}: not detected: {:?}", other.map(|_| "loaded")),
            }
        }
    }
}

#[test]
fn an_index_of_another_format_version_is_not_read() {
    let (_data, root, generation) = damaged_copy();
    let path = generation.join("manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["format_version"] = (FORMAT_VERSION - 1).into();
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    match Index::load(&root) {
        Err(Error::IndexCorrupt { reason, .. }) => assert!(reason.contains("format version"), "{reason}"),
        other => panic!("an old format was read: {:?}", other.map(|_| "loaded")),
    }
}

fn drugchatter(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drugchatter"));
    cmd.env("DRUGCHATTER_DATA_DIR", data)
        .env("DRUGCHATTER_MODELS_DIR", common::models_dir())
        .env("DRUGCHATTER_CORPUS_DIR", pristine().corpus.path())
        .env_remove("DRUGCHATTER_LOG");
    cmd
}

/// The chunk ids `search --json` returns for a question, with its stderr.
fn search(data: &Path, question: &str) -> (Vec<String>, String) {
    let out = drugchatter(data).args(["search", question, "-k", "5", "--json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = json["hits"].as_array().unwrap().iter().map(|h| h["chunk_id"].as_str().unwrap().to_string()).collect();
    (ids, stderr)
}

#[test]
fn a_damaged_bundled_index_is_rebuilt_with_a_message_and_answers_as_before() {
    let question = "Claritin side effects";
    let (expected, _) = search(pristine().data.path(), question);
    assert!(expected[0].starts_with("loratadine:"), "{expected:?}");
    // One damage per file: which damage does not matter once load has refused the index.
    for (name, how) in [
        ("library.bin", Damage::FlipMiddleByte),
        ("vectors.bin", Damage::Truncate),
        ("lexical.bin", Damage::AppendGarbage),
        ("vectors.hnsw.graph", Damage::FlipLastByte),
        ("vectors.hnsw.data", Damage::Empty),
        ("manifest.json", Damage::Truncate),
        ("CURRENT", Damage::AppendGarbage),
    ] {
        let (data, root, generation) = damaged_copy();
        damage(&if name == "CURRENT" { root.join(name) } else { generation.join(name) }, how);
        let (hits, stderr) = search(data.path(), question);
        assert!(stderr.contains("is unreadable") && stderr.contains(&root.display().to_string()), "{name}: {stderr}");
        assert!(stderr.contains("built the index on first use"), "{name}: {stderr}");
        assert_eq!(hits, expected, "{name} {how:?}: different answers after the rebuild");
        assert!(Index::load(&root).is_ok(), "{name}: the rebuilt index loads");
    }
}

#[test]
fn a_damaged_imported_library_is_left_out_until_the_import_rebuilds_it() {
    let data = tempfile::tempdir().unwrap();
    let spl = common::shared().join("data/spl/FDA-openfda__cough.xml");
    let import = || {
        let out = drugchatter(data.path())
            .args(["import", "--library", "labels", "--embed-tokens", "64"])
            .arg(&spl)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    import();
    // The bundled index comes from the pristine copy, so only the import is built here.
    common::copy_dir(&pristine().data.path().join("index/bundled"), &data.path().join("index/bundled"));
    let question = "Triaminic warnings";
    let (before, _) = search(data.path(), question);
    assert!(before[0].starts_with("diphenhydramine"), "{before:?}");

    let root = data.path().join("index/labels");
    damage(&current_generation(&root).unwrap().unwrap().join("vectors.bin"), Damage::FlipMiddleByte);
    let (hits, stderr) = search(data.path(), question);
    assert!(stderr.contains("is unreadable") && stderr.contains("labels"), "{stderr}");
    assert!(hits.iter().all(|id| !id.starts_with("diphenhydramine")), "the damaged library was searched: {hits:?}");

    let stderr = import();
    assert!(stderr.contains("is unreadable"), "the import says it rebuilds: {stderr}");
    let (after, _) = search(data.path(), question);
    assert_eq!(after, before);
}
