//! Local text generation from a quantized GGUF model, run with candle.
//!
//! [`Llm::load`] reads a GGUF file, picks the model code from `general.architecture`
//! (llama, qwen2, qwen3, gemma3, phi3), builds the tokenizer from the file's own vocabulary
//! and finds its chat format and stop tokens. [`Llm::generate`] streams tokens to a callback
//! that can stop generation at any point.

mod architecture;
mod chat;
mod error;
mod generation;
mod gguf;
mod llama;
mod tokenizer;

pub use chat::ChatFormat;
pub use error::{Error, Result};
pub use generation::{Generation, GenerationParams, Llm, LogitsConstraint, StopReason};
pub use gguf::Architecture;
