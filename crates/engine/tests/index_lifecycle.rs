//! The persistent index: reloading without re-embedding, incremental updates, failures
//! reported per file.

mod common;

use drugchatter_engine::testing::index::embedding_text;
use drugchatter_engine::testing::{cosine, EngineParts, Index};
use drugchatter_engine::{Engine, Silent};

fn chunk_ids(engine: &Engine, slug: &str) -> Vec<String> {
    let index = &engine.library().unwrap().index;
    index.chunks.iter().filter(|c| index.drug_of(c).slug == slug).map(|c| c.id.clone()).collect()
}

#[test]
fn reopening_loads_the_index_without_embedding() {
    let corpus = common::corpus_copy(&["imiquimod", "ibuprofen"]);
    let (engine, data) = common::engine_over(corpus.path());
    let chunks = engine.library().unwrap().index.chunks.len();
    drop(engine);

    let mut reopened = Engine::open(common::paths(corpus.path(), data.path())).unwrap();
    assert_eq!(reopened.library().expect("index loaded at start-up").index.chunks.len(), chunks);
    let report = reopened.update_index(None, &Silent).unwrap();
    assert!(!report.rebuilt);
    assert_eq!(report.embedded_chunks, 0);
    assert_eq!(reopened.search("Advil side effects", 3).unwrap().hits[0].drug_slug, "ibuprofen");
}

#[test]
fn only_the_changed_monograph_is_re_embedded() {
    let corpus = common::corpus_copy(&["imiquimod", "ibuprofen", "lisinopril"]);
    let (mut engine, _data) = common::engine_over(corpus.path());
    let before = engine.library().unwrap().index.chunks.len();
    let imiquimod_ids = chunk_ids(&engine, "imiquimod");
    let vector_of = |engine: &Engine, id: &str| {
        let index = &engine.library().unwrap().index;
        let i = index.chunks.iter().position(|c| c.id == id).unwrap();
        index.vectors.row(i).to_vec()
    };
    let kept_vector = vector_of(&engine, &imiquimod_ids[0]);

    // Touching a file without changing its bytes re-embeds nothing.
    let path = corpus.path().join("lisinopril.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text).unwrap();
    let report = engine.update_index(None, &Silent).unwrap();
    assert_eq!((report.rebuilt, report.embedded_chunks), (false, 0));

    // Changing one file re-embeds exactly that file's chunks.
    let changed =
        text.replacen("## **Drug Interactions**\n", "## **Drug Interactions**\n\nA note added for the test.\n", 1);
    assert_ne!(changed, text);
    std::fs::write(&path, changed).unwrap();
    let report = engine.update_index(None, &Silent).unwrap();
    assert!(report.rebuilt);
    assert_eq!(report.embedded_chunks, chunk_ids(&engine, "lisinopril").len());
    assert_eq!(report.reused_chunks, before - report.embedded_chunks);
    assert_eq!(chunk_ids(&engine, "imiquimod"), imiquimod_ids, "ids of untouched files are stable");
    assert_eq!(vector_of(&engine, &imiquimod_ids[0]), kept_vector, "untouched vectors are reused as they were");

    // Adding a file embeds only it; removing one embeds nothing.
    std::fs::copy(common::repo().join("corpus/metformin.md"), corpus.path().join("metformin.md")).unwrap();
    let report = engine.update_index(None, &Silent).unwrap();
    assert_eq!(report.embedded_chunks, chunk_ids(&engine, "metformin").len());
    std::fs::remove_file(corpus.path().join("ibuprofen.md")).unwrap();
    let report = engine.update_index(None, &Silent).unwrap();
    assert_eq!(report.embedded_chunks, 0);
    assert!(chunk_ids(&engine, "ibuprofen").is_empty());
    assert_eq!(engine.search("Advil dose", 3).unwrap().drugs.len(), 0);
}

#[test]
fn malformed_files_are_reported_and_the_rest_indexed() {
    let corpus = common::corpus_copy(&["imiquimod"]);
    std::fs::write(corpus.path().join("no-front-matter.md"), "## **Usage**\n\nText.\n").unwrap();
    std::fs::write(corpus.path().join("bad-yaml.md"), "---\ntitle: X\nfaqs:\n  - q: [oops\n---\n## **Usage**\n\nT.\n")
        .unwrap();
    std::fs::write(corpus.path().join("empty.md"), "").unwrap();
    std::fs::write(corpus.path().join("binary.md"), [0xff, 0xfe, 0x00, 0x41, 0x00]).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(common::paths(corpus.path(), data.path())).unwrap();
    let report = engine.update_index(None, &Silent).unwrap();
    assert_eq!(report.drugs, 1);
    let mut failures: Vec<(String, usize)> =
        report.failures.iter().map(|f| (f.path.file_name().unwrap().to_string_lossy().into_owned(), f.line)).collect();
    failures.sort();
    assert_eq!(
        failures,
        [
            ("bad-yaml.md".to_string(), 4),
            ("binary.md".into(), 1),
            ("empty.md".into(), 1),
            ("no-front-matter.md".into(), 1)
        ]
    );
    assert!(report.failures.iter().all(|f| f.to_string().contains(".md:")));
    assert_eq!(engine.search("How does imiquimod work?", 1).unwrap().hits[0].drug_slug, "imiquimod");
}

#[test]
fn chunk_ids_are_stable_across_builds() {
    let corpus = common::corpus_copy(&["imiquimod", "metformin"]);
    let (first, _a) = common::engine_over(corpus.path());
    let (second, _b) = common::engine_over(corpus.path());
    let ids = |e: &Engine| e.library().unwrap().index.chunks.iter().map(|c| (c.id.clone(), c.span)).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
}

#[test]
fn missing_model_gives_a_fetch_hint() {
    let corpus = common::corpus_copy(&["imiquimod"]);
    let models = tempfile::tempdir().unwrap();
    std::fs::copy(common::models_dir().join("manifest.json"), models.path().join("manifest.json")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut paths = common::paths(corpus.path(), data.path());
    paths.models_dir = models.path().to_path_buf();
    let message = Engine::open(paths.clone()).err().expect("no model, no engine").to_string();
    assert!(message.contains("model.safetensors") && message.contains("python3 models/fetch.py"), "{message}");

    // A corrupt copy is detected by its hash.
    let dir = models.path().join("all-minilm-l6-v2");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(common::models_dir().join("all-minilm-l6-v2").join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("model.safetensors"), b"not a model").unwrap();
    let message = Engine::open(paths).err().expect("corrupt model, no engine").to_string();
    assert!(message.contains("corrupt") && message.contains("fetch"), "{message}");
}

/// Cancels the build once embedding has started.
struct CancelDuringEmbedding(std::sync::atomic::AtomicBool);

impl drugchatter_engine::Progress for CancelDuringEmbedding {
    fn stage(&self, stage: drugchatter_engine::Stage, _total: u64) {
        if stage == drugchatter_engine::Stage::Embedding {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn an_interrupted_build_leaves_the_previous_index_intact() {
    let corpus = common::corpus_copy(&["imiquimod", "ibuprofen"]);
    let (mut engine, data) = common::engine_over(corpus.path());
    let before: Vec<String> = engine.library().unwrap().index.chunks.iter().map(|c| c.id.clone()).collect();

    std::fs::copy(common::repo().join("corpus/metformin.md"), corpus.path().join("metformin.md")).unwrap();
    let result = engine.update_index(None, &CancelDuringEmbedding(Default::default()));
    assert!(matches!(result, Err(drugchatter_engine::Error::Cancelled)), "{:?}", result.err());

    let root = data.path().join("index/bundled");
    let after = Index::load(&root).unwrap();
    assert_eq!(after.chunks.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left: {leftovers:?}");

    // The next run finishes the work.
    let report = engine.update_index(None, &Silent).unwrap();
    assert_eq!(report.drugs, 3);
    assert_eq!(report.reused_chunks, before.len());
}

#[test]
fn every_stored_vector_embeds_its_own_chunk() {
    let engine = common::small_engine();
    let index = &engine.library().unwrap().index;
    let embedder = engine.embedder();
    for (i, chunk) in index.chunks.iter().enumerate() {
        let text = embedding_text(index.drug_of(chunk), chunk);
        let alone = embedder.embed_one(&text).unwrap();
        let similarity = cosine(&alone, index.vectors.row(i));
        assert!(similarity > 0.999, "{}: stored vector has similarity {similarity} to its own text", chunk.id);
    }
}

#[test]
fn a_list_passage_is_close_to_a_question_about_it() {
    // Padding counted as text once pushed list passages away from every question.
    let embedder = common::small_engine().embedder();
    let question = embedder.embed_one("which drugs interact with ibuprofen?").unwrap();
    let passage = "Ibuprofen. Drug Interactions. Anticoagulants and antiplatelets (warfarin, clopidogrel), SSRIs \
                   and SNRIs: higher bleeding risk.\nLithium and methotrexate: ibuprofen raises their levels.";
    let batch = embedder.embed_all(&[passage, &"a much longer text ".repeat(40)], &mut |_| true).unwrap();
    let similarity = cosine(&question, &batch[0]);
    assert!(similarity > 0.5, "similarity {similarity}");
    let alone = embedder.embed_one(passage).unwrap();
    assert!(cosine(&alone, &batch[0]) > 0.9999, "batching changes nothing");
}

#[test]
fn a_first_use_takes_the_vectors_stored_beside_the_corpus() {
    let corpus = common::corpus_copy(&["imiquimod", "ibuprofen", "lisinopril"]);
    let (engine, _data) = common::engine_over(corpus.path());
    let (written, dir) = engine.store_vectors().unwrap();
    assert_eq!((written, dir.clone()), (3, corpus.path().join("vectors")));
    let built = engine.library().unwrap().index.vectors.data.clone();
    drop(engine);

    // Another machine's first use: a fresh data folder, the same corpus with its vectors.
    let data = tempfile::tempdir().unwrap();
    let mut first_use = Engine::open(common::paths(corpus.path(), data.path())).unwrap();
    let report = first_use.update_index(None, &Silent).unwrap();
    assert!(report.rebuilt);
    assert_eq!(report.embedded_chunks, 0, "every passage took its stored vector");
    assert_eq!(first_use.library().unwrap().index.vectors.data, built, "the same index, bit for bit");
    assert_eq!(first_use.search("Advil side effects", 3).unwrap().hits[0].drug_slug, "ibuprofen");

    // An edited monograph: only its changed passages are embedded on the next first use.
    let path = corpus.path().join("lisinopril.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("## **Drug Interactions**\n", "## **Drug Interactions**\n\nA note added for the test.\n", 1),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut after_edit = Engine::open(common::paths(corpus.path(), data.path())).unwrap();
    let report = after_edit.update_index(None, &Silent).unwrap();
    assert!(report.embedded_chunks >= 1 && report.embedded_chunks < chunk_ids(&after_edit, "lisinopril").len());

    // A damaged file costs only its own monograph's passages.
    std::fs::write(dir.join("imiquimod.vec"), b"DCVECS1\n\x05").unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut damaged = Engine::open(common::paths(corpus.path(), data.path())).unwrap();
    let report = damaged.update_index(None, &Silent).unwrap();
    let imiquimod = chunk_ids(&damaged, "imiquimod").len();
    assert!(report.embedded_chunks >= imiquimod && report.embedded_chunks < report.chunks);
}
