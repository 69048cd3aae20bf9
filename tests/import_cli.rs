//! `drugchatter import` killed mid-way and resumed, against the real FDA label files in
//! `../shared/data`; then `library list` and `library remove`. (The importers themselves are
//! tested in `crates/engine/tests/import.rs`.)

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use drugchatter_engine::testing::{cosine, Index};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn drugchatter(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drugchatter"));
    cmd.arg("--data-dir").arg(data).arg("--models-dir").arg(common::models_dir());
    cmd
}

#[test]
fn an_import_killed_mid_way_resumes_to_the_same_index() {
    let spl = common::shared().join("data/spl");
    let whole = tempfile::tempdir().unwrap();
    let status = drugchatter(whole.path()).args(["import", "--library", "spl"]).arg(&spl).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));

    let resumed = tempfile::tempdir().unwrap();
    let cache = resumed.path().join("libraries/spl/embeddings.cache");
    let mut child = drugchatter(resumed.path()).args(["import", "--library", "spl"]).arg(&spl).spawn().unwrap();
    // Wait until the first group of embeddings is on disk, then kill -9.
    let header_and_a_batch = 4096;
    loop {
        if std::fs::metadata(&cache).is_ok_and(|m| m.len() > header_and_a_batch) {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import finished ({status}) before it could be interrupted");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(Index::load(&resumed.path().join("index/spl")).is_err(), "nothing half-indexed is visible");

    let rerun = drugchatter(resumed.path()).args(["import", "--library", "spl", "--json"]).arg(&spl).output().unwrap();
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    let report: Value = serde_json::from_slice(&rerun.stdout).unwrap();
    assert_eq!(report["labels_unchanged"], 5, "labels stored before the kill are kept");

    let a = Index::load(&whole.path().join("index/spl")).unwrap();
    let b = Index::load(&resumed.path().join("index/spl")).unwrap();
    let ids = |i: &Index| i.chunks.iter().map(|c| (c.id.clone(), c.span, c.text.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    for row in 0..a.chunks.len() {
        let similarity = cosine(a.vectors.row(row), b.vectors.row(row));
        assert!(similarity > 0.9999, "chunk {} differs: {similarity}", a.chunks[row].id);
    }

    // `library list` shows it with its counts; `library remove` deletes it.
    let list = drugchatter(resumed.path()).args(["library", "list", "--json"]).output().unwrap();
    let libraries: Value = serde_json::from_slice(&list.stdout).unwrap();
    let spl = &libraries.as_array().unwrap().iter().find(|l| l["name"] == "spl").expect("listed")["documents"];
    assert_eq!(*spl, 5, "{libraries}");
    assert!(drugchatter(resumed.path()).args(["library", "remove", "spl"]).status().unwrap().success());
    let list = drugchatter(resumed.path()).args(["library", "list", "--json"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&list.stdout).unwrap(), serde_json::json!([]));
    let again = drugchatter(resumed.path()).args(["library", "remove", "spl"]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no imported library named \"spl\""));
}
