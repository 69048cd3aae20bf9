//! One type over candle-transformers' quantized model implementations.

use super::Architecture;
use candle_core::quantized::gguf_file::{self, Content};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result, Tensor};
use candle_transformers::models::{quantized_gemma3, quantized_phi3, quantized_qwen2, quantized_qwen3};
use std::io::Cursor;

pub(crate) enum Model {
    Llama(super::llama::ModelWeights),
    Qwen2(quantized_qwen2::ModelWeights),
    Qwen3(quantized_qwen3::ModelWeights),
    Gemma3(quantized_gemma3::ModelWeights),
    Phi3(quantized_phi3::ModelWeights),
}

/// Quantizations candle 0.11 has only a scalar dot product for: ~5× slower than Q8_0.
fn is_slow(dtype: GgmlDType) -> bool {
    matches!(dtype, GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1)
}

/// Rewrites slow-to-compute tensors as Q8_0 and returns the model as an in-memory GGUF.
/// Q8_0 keeps the weights' precision (Q4_0 was measured to damage SmolLM2's output), at the
/// cost of ~1.5× the memory of Q4_1. Returns `None` when nothing needs rewriting.
pub(super) fn requantized<R: std::io::Read + std::io::Seek>(
    content: &Content,
    reader: &mut R,
) -> Result<Option<Vec<u8>>> {
    if !content.tensor_infos.values().any(|t| is_slow(t.ggml_dtype)) {
        return Ok(None);
    }
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort();
    let mut tensors: Vec<(&str, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let tensor = content.tensor(reader, name, &Device::Cpu)?;
        let row = tensor.shape().dims().last().copied().unwrap_or(0);
        let tensor = if is_slow(tensor.dtype()) && row % GgmlDType::Q8_0.block_size() == 0 {
            QTensor::quantize(&tensor.dequantize(&Device::Cpu)?, GgmlDType::Q8_0)?
        } else {
            tensor
        };
        tensors.push((name.as_str(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut buffer = Cursor::new(Vec::new());
    gguf_file::write(&mut buffer, &metadata, &tensor_refs)?;
    Ok(Some(buffer.into_inner()))
}

/// Dense f32 copies of the layer weights speed up the prompt ~4× but cost 4 bytes per
/// parameter; above this size (a ~250M-parameter model) the quantized weights serve alone.
const DENSE_PROMPT_LIMIT: u64 = 1 << 30;

/// Bytes the dense copies of a model's layer weights would take.
fn dense_bytes(content: &Content) -> u64 {
    content
        .tensor_infos
        .iter()
        .filter(|(name, _)| name.starts_with("blk."))
        .map(|(_, info)| info.shape.elem_count() as u64 * 4)
        .sum()
}

impl Model {
    pub fn load<R: std::io::Read + std::io::Seek>(
        architecture: Architecture,
        content: Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Model> {
        // Our llama decoder has its own Q4_1 kernel; candle's models get Q8_0.
        if architecture == Architecture::Llama {
            return Self::load_weights(architecture, content, reader, device);
        }
        if let Some(bytes) = requantized(&content, reader)? {
            let mut cursor = Cursor::new(bytes);
            let content = Content::read(&mut cursor)?;
            return Self::load_weights(architecture, content, &mut cursor, device);
        }
        Self::load_weights(architecture, content, reader, device)
    }

    fn load_weights<R: std::io::Read + std::io::Seek>(
        architecture: Architecture,
        content: Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Model> {
        Ok(match architecture {
            Architecture::Llama => {
                let dense_prompt = dense_bytes(&content) <= DENSE_PROMPT_LIMIT;
                Model::Llama(super::llama::ModelWeights::from_gguf(content, reader, device, dense_prompt)?)
            }
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

    /// Whether the model keeps its keys and values between calls, so that a call at
    /// `position` reuses those before it. candle's models append to their cache whatever
    /// the position; ours truncates it there first.
    pub fn keeps_prefix(&self) -> bool {
        matches!(self, Model::Llama(_))
    }

    /// Prompt tokens always computed, never reused from a kept prefix: our llama's last
    /// prompt tokens must take its prompt path, as in a full computation (a lone token takes
    /// the decoding path, whose quantized arithmetic differs in the last bits and can flip a
    /// greedy choice). Models that keep no prefix recompute everything anyway.
    pub fn prompt_tail(&self) -> usize {
        match self {
            Model::Llama(_) => super::llama::DENSE_MIN_ROWS,
            _ => 1,
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
