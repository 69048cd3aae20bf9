//! The bundled generator as the engine loads it: a missing or damaged file is named with
//! its fix, and the engine still answers without it. (The generator runtime's own tests are
//! in `crates/llm/tests/generators.rs`.)

mod common;

const SMOLLM: &str = "smollm2-135m-instruct-q4_1/SmolLM2-135M-Instruct.Q4_1.gguf";

/// A models folder with the real embedder and manifest, and the bundled generator's file
/// as `generator` makes it (None: absent).
fn models_with_generator(generator: Option<Vec<u8>>) -> tempfile::TempDir {
    let models = tempfile::tempdir().unwrap();
    std::fs::copy(common::models_dir().join("manifest.json"), models.path().join("manifest.json")).unwrap();
    std::os::unix::fs::symlink(common::models_dir().join("all-minilm-l6-v2"), models.path().join("all-minilm-l6-v2"))
        .unwrap();
    if let Some(bytes) = generator {
        let path = models.path().join(SMOLLM);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    models
}

#[test]
fn a_missing_or_damaged_bundled_generator_names_the_file_and_the_fix_and_the_engine_still_answers() {
    use drugchatter_engine::{AnswerStatus, AskOptions, Conversation, Notice};
    let real = std::fs::read(common::models_dir().join(SMOLLM)).unwrap();
    let mut altered = real.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0xff;
    let corpus = common::corpus_copy(&["imiquimod"]);
    let data = tempfile::tempdir().unwrap();
    for (case, generator, says) in [
        ("missing", None, "is missing"),
        ("truncated", Some(real[..real.len() / 3].to_vec()), "is corrupt"),
        ("wrong sha256", Some(altered), "is corrupt"),
    ] {
        let models = models_with_generator(generator);
        let mut paths = common::paths(corpus.path(), data.path());
        paths.models_dir = models.path().to_path_buf();
        let mut engine = drugchatter_engine::Engine::open(paths).unwrap();
        engine.ensure_index(&drugchatter_engine::Silent).unwrap();
        let message = engine.load_generator(None).err().unwrap_or_else(|| panic!("{case}: loaded")).to_string();
        assert!(message.contains("SmolLM2-135M-Instruct.Q4_1.gguf") && message.contains(says), "{case}: {message}");
        assert!(message.contains("python3 models/fetch.py"), "{case}: the fix: {message}");

        // Without its generator the engine still searches and answers by quoting.
        assert!(!engine.has_generator());
        assert_eq!(engine.search("Aldara cream", 1).unwrap().hits[0].drug_slug, "imiquimod");
        let answer =
            engine.ask("How does imiquimod work?", &mut Conversation::default(), &AskOptions::default(), &mut |_| true);
        let answer = answer.unwrap();
        assert_eq!(answer.status, AnswerStatus::Extractive, "{case}");
        assert!(answer.notices.contains(&Notice::NoModel), "{case}");
    }
}
