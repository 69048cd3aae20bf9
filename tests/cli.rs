//! The `drugchatter` binary, as a user runs it.

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use std::process::Command;

fn drugchatter(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drugchatter"));
    cmd.env("DRUGCHATTER_DATA_DIR", data)
        .env("DRUGCHATTER_MODELS_DIR", common::models_dir())
        .env_remove("DRUGCHATTER_LOG");
    cmd
}

#[test]
fn index_then_search_json() {
    let corpus = common::corpus_copy(&["imiquimod", "lisinopril"]);
    std::fs::write(corpus.path().join("broken.md"), "no front matter\n").unwrap();
    let data = tempfile::tempdir().unwrap();

    let out = drugchatter(data.path()).args(["index", "--corpus"]).arg(corpus.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "failures give exit code 2: {stderr}");
    assert!(stderr.contains("3 files, 2 drugs"), "{stderr}");
    assert!(stderr.contains("broken.md:1: missing YAML front matter"), "{stderr}");

    let out =
        drugchatter(data.path()).args(["search", "Zyclara how does it work", "-k", "3", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["query"], "Zyclara how does it work");
    assert_eq!(json["no_matching_drug"], false);
    assert_eq!(json["drugs"][0]["slug"], "imiquimod");
    assert_eq!(json["drugs"][0]["how"], "brand");
    assert_eq!(json["intents"][0], "mechanism");
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    let top = &hits[0];
    for field in [
        "rank",
        "chunk_id",
        "drug",
        "drug_slug",
        "library",
        "section",
        "section_path",
        "section_kind",
        "score",
        "similarity",
        "source",
        "span",
        "text",
    ] {
        assert!(!top[field].is_null(), "hit field {field} missing: {top}");
    }
    assert_eq!(top["section_kind"], "how_it_works");
    assert_eq!(top["library"], "bundled");
    assert!(top["span"]["end"].as_u64().unwrap() > top["span"]["start"].as_u64().unwrap());
}

#[test]
fn search_builds_the_index_on_first_use_and_says_so() {
    let corpus = common::corpus_copy(&["metformin"]);
    let data = tempfile::tempdir().unwrap();
    let out = drugchatter(data.path())
        .env("DRUGCHATTER_CORPUS_DIR", corpus.path())
        .args(["search", "metforman dose"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("built the index on first use"), "{stderr}");
    assert!(stdout.starts_with("Drugs: Metformin (\"metforman\")"), "{stdout}");
    assert!(stdout.contains("Metformin — Dosage"), "{stdout}");
}

#[test]
fn missing_models_fail_with_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out =
        drugchatter(data.path()).env("DRUGCHATTER_MODELS_DIR", empty.path()).args(["search", "x"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: starting the engine: model manifest"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn chat_keeps_the_drug_for_a_follow_up() {
    use std::io::Write;
    let corpus = common::corpus_copy(&["imiquimod", "metformin"]);
    let data = tempfile::tempdir().unwrap();
    let mut child = drugchatter(data.path())
        .env("DRUGCHATTER_CORPUS_DIR", corpus.path())
        .args(["chat", "--no-model"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"How does imiquimod work?\nWhat about during pregnancy?\n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let turns: Vec<&str> = stdout.split("Free Research Preview").collect();
    assert_eq!(turns.len(), 3, "two answers, each ending with the disclaimer: {stdout}");
    assert!(turns[0].contains("[1] Imiquimod — How It Works"), "{}", turns[0]);
    assert!(
        turns[1].contains("[1] Imiquimod — Pregnancy and Breastfeeding"),
        "the follow-up stayed on imiquimod: {}",
        turns[1]
    );
    assert!(!turns[1].contains("Metformin"));
}

#[test]
fn models_the_engine_cannot_run_are_named_with_the_fix() {
    use candle_core::quantized::gguf_file::{self, Value};
    let corpus = common::corpus_copy(&["imiquimod"]);
    let data = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let run = |models: &std::path::Path, args: &[&str]| {
        let out = drugchatter(data.path())
            .env("DRUGCHATTER_MODELS_DIR", models)
            .env("DRUGCHATTER_CORPUS_DIR", corpus.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    };

    // A GGUF of an architecture candle cannot run: the file, and what would work.
    let mamba = scratch.path().join("mamba.gguf");
    let mut file = std::fs::File::create(&mamba).unwrap();
    gguf_file::write(&mut file, &[("general.architecture", &Value::String("mamba".into()))], &[]).unwrap();
    drop(file);
    let stderr = run(&common::models_dir(), &["ask", "How does imiquimod work?", "--model", mamba.to_str().unwrap()]);
    assert!(stderr.contains("mamba.gguf") && stderr.contains("`mamba` is not supported"), "{stderr}");
    assert!(stderr.contains("a supported architecture (llama, qwen2, qwen3, gemma3, phi3)"), "{stderr}");

    // A truncated embedder: the file, and the fetch command.
    let models = scratch.path().join("models");
    let embedder = models.join("all-minilm-l6-v2");
    std::fs::create_dir_all(&embedder).unwrap();
    std::fs::copy(common::models_dir().join("manifest.json"), models.join("manifest.json")).unwrap();
    for name in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(common::models_dir().join("all-minilm-l6-v2").join(name), embedder.join(name)).unwrap();
    }
    let weights = std::fs::read(embedder.join("model.safetensors")).unwrap();
    std::fs::write(embedder.join("model.safetensors"), &weights[..weights.len() - 4096]).unwrap();
    let stderr = run(&models, &["search", "imiquimod"]);
    assert!(stderr.contains("model.safetensors is corrupt") && stderr.contains("python3 models/fetch.py"), "{stderr}");

    // A bundled generator with the wrong sha256: the file, and the fetch command.
    std::fs::write(embedder.join("model.safetensors"), &weights).unwrap();
    let generator = models.join("smollm2-135m-instruct-q4_1");
    std::fs::create_dir_all(&generator).unwrap();
    let mut gguf =
        std::fs::read(common::models_dir().join("smollm2-135m-instruct-q4_1/SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let last = gguf.len() - 1;
    gguf[last] ^= 1;
    std::fs::write(generator.join("SmolLM2-135M-Instruct.Q4_1.gguf"), gguf).unwrap();
    let stderr = run(&models, &["ask", "How does imiquimod work?"]);
    assert!(stderr.contains("SmolLM2-135M-Instruct.Q4_1.gguf is corrupt"), "{stderr}");
    assert!(stderr.contains("python3 models/fetch.py"), "{stderr}");
}

/// The bundled library's first use on a new machine: every passage takes the vector stored
/// with the corpus (`corpus/vectors/`), so nothing is embedded and the wait is seconds.
#[test]
fn first_use_of_the_bundled_library_embeds_nothing() {
    let data = tempfile::tempdir().unwrap();
    let corpus = common::repo().join("corpus");
    let out = drugchatter(data.path()).args(["index", "--corpus"]).arg(&corpus).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(" chunks (0 embedded, "),
        "passages without a stored vector: after changing corpus/, run \
         `drugchatter index --store-vectors` and commit corpus/vectors/\n{stderr}"
    );
    let out = drugchatter(data.path())
        .env("DRUGCHATTER_CORPUS_DIR", &corpus)
        .args(["search", "How does imiquimod work?", "-k", "1", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["hits"][0]["drug_slug"], "imiquimod");
}
