//! Crafted GGUF files: metadata that used to crash the process (a division by zero, an
//! allocation of terabytes) fails to load with a message saying what is wrong. Each file
//! keeps SmolLM2's real metadata, tokenizer included, with one value changed, so without the
//! checks loading reaches the model code that crashed.

use candle_core::quantized::gguf_file::{self, Content, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use drugchatter_llm::{Error, Llm};
use std::path::{Path, PathBuf};

fn smollm_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models/smollm2-135m-instruct-q4_1/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(path.exists(), "the real models are needed: run `python3 models/fetch.py` first");
    path
}

/// SmolLM2's metadata with `changes`, and two small tensors: the embeddings and the output
/// norm, which the llama decoder reads before it sizes its layers. One layer, as the file
/// has too few tensors for SmolLM2's 30.
fn crafted(dir: &Path, name: &str, changes: &[(&str, Value)]) -> PathBuf {
    let mut file = std::fs::File::open(smollm_path()).unwrap();
    let mut metadata = Content::read(&mut file).unwrap().metadata;
    metadata.insert("llama.block_count".into(), Value::U32(1));
    for (key, value) in changes {
        metadata.insert(key.to_string(), value.clone());
    }
    let width = 576;
    let tensor = |dims: &[usize]| {
        let values = Tensor::ones(dims, candle_core::DType::F32, &Device::Cpu).unwrap();
        QTensor::quantize(&values, GgmlDType::F32).unwrap()
    };
    let (embeddings, norm) = (tensor(&[2, width]), tensor(&[width]));
    let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let path = dir.join(name);
    let mut out = std::fs::File::create(&path).unwrap();
    gguf_file::write(&mut out, &metadata, &[("token_embd.weight", &embeddings), ("output_norm.weight", &norm)])
        .unwrap();
    path
}

fn load_error(path: &Path) -> String {
    match Llm::load(path) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e @ Error::ModelLoad { .. }) => {
            let message = e.to_string();
            assert!(message.contains(&path.display().to_string()), "the file is named: {message}");
            message
        }
        Err(e) => panic!("not a load error: {e}"),
    }
}

#[test]
fn crafted_metadata_fails_with_what_is_wrong_and_never_crashes() {
    let dir = tempfile::tempdir().unwrap();
    type Case<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str);
    let cases: [Case; 4] = [
        // candle's reader divided the data offset by it.
        ("alignment.gguf", vec![("general.alignment", Value::U32(0))], "`general.alignment` is 0"),
        // The decoder divided the embeddings by the width.
        (
            "width.gguf",
            vec![("llama.embedding_length", Value::U32(0)), ("llama.rope.dimension_count", Value::U32(0))],
            "`llama.embedding_length` is 0",
        ),
        // `Vec::with_capacity` for 3 billion layers aborted the process.
        ("blocks.gguf", vec![("llama.block_count", Value::U32(3_000_000_000))], "`llama.block_count` is 3000000000"),
        // Heads sharing key/value heads they outnumber, which no model has.
        ("heads.gguf", vec![("llama.attention.head_count_kv", Value::U32(900))], "`llama.attention.head_count_kv`"),
    ];
    for (name, changes, expected) in cases {
        let message = load_error(&crafted(dir.path(), name, &changes));
        assert!(message.contains(expected), "{name}: {message}");
    }
}

#[test]
fn a_tensor_beyond_the_end_of_the_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = crafted(dir.path(), "cut.gguf", &[]);
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    let size = file.metadata().unwrap().len();
    file.set_len(size - 100).unwrap();
    let message = load_error(&path);
    assert!(message.contains("lies beyond the end of the file"), "{message}");
}
