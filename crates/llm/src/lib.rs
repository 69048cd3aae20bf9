//! Local text generation from a quantized GGUF model, run with candle, and the BERT encoder
//! the engine embeds passages with.
//!
//! [`Llm::load`] reads a GGUF file, picks the model code from `general.architecture`
//! (llama, qwen2, qwen3, gemma3, phi3), builds the tokenizer from the file's own vocabulary
//! and finds its chat format and stop tokens. [`Llm::generate`] streams tokens to a callback
//! that can stop generation at any point; [`Llm::generate_constrained`] lets a
//! [`LogitsConstraint`] shape every step's choice; [`Llm::prime`] keeps a prompt prefix's
//! keys and values for the calls that start with it.
//!
//! The crate's parts: `gguf` (metadata), `tokenizer` (built from the GGUF's vocabulary),
//! `chat` (chat formats and stop tokens), `architecture` (the dispatch: which decoder runs
//! which architecture, and the `Decoder` trait generation calls), `generation` ([`Llm`]), `validate` (what a file declares, checked before
//! anything is allocated from it),
//! and one folder per model of our own with the code only it uses (`llama/`, the decoder;
//! [`bert`], the sentence encoder the engine embeds passages with); the kernels both share
//! (the f32 GEMM, the thread pool, the small vector ops) are in `kernels/`. The other
//! architectures run candle-transformers' models.
//!
//! Adding an architecture means one new folder for its decoder, implementing `Decoder`
//! (as `llama/` does), and one line in the dispatch (`architecture::load`), besides its
//! GGUF name in [`Architecture`].

mod architecture;
pub mod bert;
mod chat;
mod error;
mod generation;
mod gguf;
mod kernels;
mod llama;
mod tokenizer;
mod validate;

pub use chat::ChatFormat;
pub use error::{Error, Result};
pub use generation::{Generation, GenerationParams, Llm, LogitsConstraint, StopReason};
pub use gguf::Architecture;

/// What fuzz targets check below [`Llm`]: a GGUF's header read and checked as [`Llm::load`]
/// does before loading weights. For `fuzz/` only.
pub mod testing {
    use crate::{Architecture, ChatFormat};
    use std::io::Seek;

    /// A GGUF header that passed every check, as [`Llm::load`] would go on to load it.
    pub struct Description {
        pub architecture: Architecture,
        /// Clamped to what the decoders allocate for.
        pub context_length: usize,
        pub chat_format: ChatFormat,
        pub stop_tokens: Vec<u32>,
        pub tokenizer: tokenizers::Tokenizer,
        /// The metadata's keys, after the checks rewrote what they clamp.
        pub metadata_keys: usize,
    }

    /// `bytes` read as a GGUF file as far as [`Llm::load`] reads before the weights (fuzz
    /// target `gguf`): the error it would report, or what it found.
    pub fn describe(bytes: &[u8]) -> Result<Description, String> {
        let mut reader = std::io::Cursor::new(bytes);
        crate::validate::check_alignment(&mut reader)?;
        reader.rewind().map_err(|e| e.to_string())?;
        let header = crate::generation::Header::read(&mut reader, bytes.len() as u64)?;
        Ok(Description {
            architecture: header.info.architecture,
            context_length: header.info.context_length,
            chat_format: header.format,
            stop_tokens: header.stop_tokens,
            tokenizer: header.tokenizer,
            metadata_keys: header.content.metadata.len(),
        })
    }
}
