//! The architecture dispatch: which decoder runs a GGUF's `general.architecture`. Our own
//! decoders have a folder each (`llama/`) and implement [`Decoder`]; the other
//! architectures run candle-transformers' quantized models.

use super::llama;
use super::Architecture;
use candle_core::quantized::gguf_file::{self, Content};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result, Tensor};
use candle_transformers::models::{quantized_gemma3, quantized_phi3, quantized_qwen2, quantized_qwen3};
use std::io::{Cursor, Read, Seek};

/// What generation needs of a model, whoever computes it. `Send + Sync` as the models
/// are, so that an [`Llm`](crate::Llm) can be shared and moved between threads.
pub(crate) trait Decoder: Send + Sync {
    /// Logits for the last position of `input` (shape `[1, seq]`), which starts at `position`.
    fn forward(&mut self, input: &Tensor, position: usize) -> Result<Tensor>;

    /// Forgets the previous conversation. Models without an explicit reset start over when
    /// called at position 0, which `generate` always does first.
    fn reset(&mut self) {}

    /// Whether the model keeps its keys and values between calls, so that a call at
    /// `position` reuses those before it. candle's models append to their cache whatever
    /// the position; ours truncates it there first.
    fn keeps_prefix(&self) -> bool {
        false
    }

    /// Prompt tokens always computed, never reused from a kept prefix. Models that keep no
    /// prefix recompute everything anyway.
    fn prompt_tail(&self) -> usize {
        1
    }

    /// The most positions the model can run, whatever its file declares.
    fn max_positions(&self) -> usize {
        usize::MAX
    }
}

/// The model of `architecture`, one line each: ours from their folder, candle's through
/// [`candle`].
pub(crate) fn load<R: Read + Seek>(
    architecture: Architecture,
    content: Content,
    reader: &mut R,
    device: &Device,
) -> Result<Box<dyn Decoder>> {
    use quantized_gemma3::ModelWeights as Gemma3;
    use quantized_phi3::ModelWeights as Phi3;
    use quantized_qwen2::ModelWeights as Qwen2;
    use quantized_qwen3::ModelWeights as Qwen3;
    Ok(match architecture {
        Architecture::Llama => Box::new(llama::ModelWeights::load(content, reader, device)?),
        Architecture::Qwen2 => candle(content, reader, |content, r| Qwen2::from_gguf(content, r, device))?,
        Architecture::Qwen3 => candle(content, reader, |content, r| Qwen3::from_gguf(content, r, device))?,
        Architecture::Gemma3 => candle(content, reader, |content, r| Gemma3::from_gguf(content, r, device))?,
        Architecture::Phi3 => candle(content, reader, |content, r| Phi3::from_gguf(false, content, r, device))?,
    })
}

/// A candle model loaded by `load`, after its slow-to-compute tensors are rewritten as Q8_0
/// (see [`requantized`]; our decoders have their own kernels for what they keep).
fn candle<M: Decoder + 'static, R: Read + Seek>(
    content: Content,
    reader: &mut R,
    load: impl FnOnce(Content, &mut &mut dyn ReadSeek) -> Result<M>,
) -> Result<Box<dyn Decoder>> {
    if let Some(bytes) = requantized(&content, reader)? {
        let mut cursor = Cursor::new(bytes);
        let content = Content::read(&mut cursor)?;
        return Ok(Box::new(load(content, &mut (&mut cursor as &mut dyn ReadSeek))?));
    }
    Ok(Box::new(load(content, &mut (reader as &mut dyn ReadSeek))?))
}

/// Where a GGUF's tensors are read from: the file, or its requantized copy in memory.
trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// candle's models as they are, with the cache reset of those that have one.
macro_rules! candle_decoder {
    ($model:ty $(, $reset:ident)?) => {
        impl Decoder for $model {
            fn forward(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
                <$model>::forward(self, input, position)
            }

            $(fn reset(&mut self) {
                self.$reset()
            })?
        }
    };
}

candle_decoder!(quantized_qwen2::ModelWeights, clear_kv_cache);
candle_decoder!(quantized_qwen3::ModelWeights, clear_kv_cache);
candle_decoder!(quantized_gemma3::ModelWeights);
candle_decoder!(quantized_phi3::ModelWeights);

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
