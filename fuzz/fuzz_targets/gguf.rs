//! A GGUF file's header as the generator reads it before any weight (`Llm::load` up to the
//! weights: the alignment walk, candle's reader, the architecture, the checks of `validate`
//! and the tokenizer built from the vocabulary) on arbitrary bytes: an error saying what is
//! wrong, or a description whose context length is clamped and whose tokenizer encodes and
//! decodes; never a panic, and no allocation past libFuzzer's malloc limit.
//!
//! Seeds (scripts/fuzz.sh): the real SmolLM2 file's metadata with a small tensor table, and
//! two tiny models (a byte-level BPE and a SentencePiece vocabulary), made at run time.
#![no_main]

use drugchatter_llm::testing::describe;
use drugchatter_llm::Architecture;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let model = match describe(data) {
        Ok(model) => model,
        Err(reason) => {
            assert!(!reason.is_empty(), "an error without its reason");
            return;
        }
    };
    let most = if model.architecture == Architecture::Llama { 4096 } else { 8192 };
    assert!((1..=most).contains(&model.context_length), "context length {} not clamped", model.context_length);
    assert!(model.metadata_keys > 0);
    let _ = model.chat_format.render("Answer from the sources.", "What is the dose?");
    if let Ok(encoding) = model.tokenizer.encode("Take 200 mg <|im_end|> of ibuprofen\n", true) {
        let _ = model.tokenizer.decode(encoding.get_ids(), false);
    }
    let _ = model.stop_tokens;
});
