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
