//! One type over candle-transformers' quantized model implementations.

use super::Architecture;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Result, Tensor};
use candle_transformers::models::{
    quantized_gemma3, quantized_llama, quantized_phi3, quantized_qwen2, quantized_qwen3,
};

pub(crate) enum Model {
    Llama(quantized_llama::ModelWeights),
    Qwen2(quantized_qwen2::ModelWeights),
    Qwen3(quantized_qwen3::ModelWeights),
    Gemma3(quantized_gemma3::ModelWeights),
    Phi3(quantized_phi3::ModelWeights),
}

impl Model {
    pub fn load<R: std::io::Read + std::io::Seek>(
        architecture: Architecture,
        content: Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Model> {
        Ok(match architecture {
            Architecture::Llama => Model::Llama(quantized_llama::ModelWeights::from_gguf(content, reader, device)?),
            Architecture::Qwen2 => Model::Qwen2(quantized_qwen2::ModelWeights::from_gguf(content, reader, device)?),
            Architecture::Qwen3 => Model::Qwen3(quantized_qwen3::ModelWeights::from_gguf(content, reader, device)?),
            Architecture::Gemma3 => Model::Gemma3(quantized_gemma3::ModelWeights::from_gguf(content, reader, device)?),
            Architecture::Phi3 => Model::Phi3(quantized_phi3::ModelWeights::from_gguf(false, content, reader, device)?),
        })
    }

    /// Logits for the last position of `input` (shape `[1, seq]`), which starts at `position`.
    pub fn forward(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
        match self {
            Model::Llama(m) => m.forward(input, position),
            Model::Qwen2(m) => m.forward(input, position),
            Model::Qwen3(m) => m.forward(input, position),
            Model::Gemma3(m) => m.forward(input, position),
            Model::Phi3(m) => m.forward(input, position),
        }
    }

    /// Forgets the previous conversation. Models without an explicit reset start over when
    /// called at position 0, which `generate` always does first.
    pub fn reset(&mut self) {
        match self {
            Model::Llama(m) => m.clear_kv_cache(),
            Model::Qwen2(m) => m.clear_kv_cache(),
            Model::Qwen3(m) => m.clear_kv_cache(),
            Model::Gemma3(_) | Model::Phi3(_) => {}
        }
    }
}
