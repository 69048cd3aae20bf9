//! The llama-architecture decoder (SmolLM2, the default model), adapted from
//! candle-transformers' `quantized_llama` (MIT/Apache-2.0) for a 2-core CPU:
//!
//! - every projection keeps two forms of its weights: quantized for decoding one token at a
//!   time, where memory bandwidth is the limit and fewer bytes win; dense f32 for the prompt,
//!   where compute is the limit and candle's f32 GEMM is about 4× faster than its row-by-row
//!   quantized dot products;
//! - the KV cache grows in place instead of being concatenated afresh at every step;
//! - projections that read the same input (q, k, v; gate, up) are fused into one;
//! - while decoding, grouped-query attention groups the query heads that share a key/value
//!   head instead of copying the keys and values once per query head.
//!
//! The arithmetic is candle's: the same ops in the same order, so the logits match
//! `quantized_llama`'s (a test compares them).

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor, D};
use candle_transformers::quantized_nn::RmsNorm;

/// Inputs with at least this many rows (prompt tokens) use the dense weights.
const DENSE_MIN_ROWS: usize = 8;
/// Prompt tokens processed together (see [`ModelWeights::forward`]).
const PROMPT_SLICE: usize = 256;
/// Positions the rotary tables cover; longer contexts are refused at load.
pub const MAX_POSITIONS: usize = 8192;

/// A projection `x · Wᵀ` holding its weights quantized and, optionally, dense.
struct Linear {
    quantized: QMatMul,
    dense: Option<Tensor>,
}

impl Linear {
    fn new(weights: QTensor, with_dense: bool) -> Result<Linear> {
        let dense = if with_dense { Some(weights.dequantize(&weights.device())?) } else { None };
        Ok(Linear { quantized: QMatMul::from_qtensor(weights)?, dense })
    }

    /// One projection computing several that read the same input (q, k and v; gate and
    /// up): one pass over the input and one dispatch instead of several, which is what a
    /// decoding step mostly pays for. The rows are stored as Q8_0, exact for Q8_0 weights
    /// and more precise than any smaller quantization.
    fn fused(parts: Vec<QTensor>, with_dense: bool) -> Result<Linear> {
        let device = parts[0].device();
        let rows: Vec<Tensor> = parts.iter().map(|p| p.dequantize(&device)).collect::<Result<_>>()?;
        let stacked = Tensor::cat(&rows, 0)?;
        let quantized = QTensor::quantize(&stacked, candle_core::quantized::GgmlDType::Q8_0)?;
        Ok(Linear { quantized: QMatMul::from_qtensor(quantized)?, dense: with_dense.then_some(stacked) })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let rows = xs.elem_count() / xs.dim(D::Minus1)?.max(1);
        match &self.dense {
            Some(w) if rows >= DENSE_MIN_ROWS => xs.broadcast_matmul(&w.t()?),
            _ => self.quantized.forward(xs),
        }
    }
}

/// Keys or values of one layer: a buffer over positions (dim 2) that doubles when full.
#[derive(Default)]
struct Cache {
    buffer: Option<Tensor>,
    len: usize,
}

impl Cache {
    /// Appends `new` (`[batch, heads, seq, head_dim]`) and returns all positions so far.
    fn append(&mut self, new: &Tensor) -> Result<Tensor> {
        let (b, h, seq, d) = new.dims4()?;
        let needed = self.len + seq;
        let capacity = self.buffer.as_ref().map_or(0, |t| t.dim(2).unwrap_or(0));
        if needed > capacity {
            let grown = Tensor::zeros((b, h, needed.max(2 * capacity).max(256), d), new.dtype(), new.device())?;
            if let Some(old) = &self.buffer {
                grown.slice_set(&old.narrow(2, 0, self.len)?.contiguous()?, 2, 0)?;
            }
            self.buffer = Some(grown);
        }
        let buffer = self.buffer.as_ref().expect("allocated above");
        buffer.slice_set(&new.contiguous()?, 2, self.len)?;
        self.len = needed;
        buffer.narrow(2, 0, self.len)
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

struct Layer {
    /// Queries, keys and values, in that order along the output.
    qkv: Linear,
    wo: Linear,
    /// The gate and up projections of the feed-forward block, in that order.
    gate_up: Linear,
    w2: Linear,
    attention_norm: RmsNorm,
    ffn_norm: RmsNorm,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    keys: Cache,
    values: Cache,
}

impl Layer {
    fn attention(&mut self, x: &Tensor, mask: Option<&Tensor>, position: usize, rope: &Rope) -> Result<Tensor> {
        let (b, seq, width) = x.dims3()?;
        let qkv = self.qkv.forward(x)?;
        let (q_width, kv_width) = (self.n_head * self.head_dim, self.n_kv_head * self.head_dim);
        let heads = |start: usize, n: usize| {
            qkv.narrow(D::Minus1, start, n * self.head_dim)?
                .reshape((b, seq, n, self.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = rope.apply(&heads(0, self.n_head)?, position)?;
        let k = rope.apply(&heads(q_width, self.n_kv_head)?, position)?;
        let v = heads(q_width + kv_width, self.n_kv_head)?;
        let k = self.keys.append(&k)?;
        let v = self.values.append(&v)?;
        // Scaling the queries costs a pass over seq × head_dim values, the scores seq × kv.
        let q = (q * (1.0 / (self.head_dim as f64).sqrt()))?;
        let group = self.n_head / self.n_kv_head;

        let y = if seq == 1 {
            // The query heads sharing a key/value head become rows of one matmul.
            let q = q.reshape((b, self.n_kv_head, group, self.head_dim))?;
            let att = q.matmul(&k.t()?)?;
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            att.matmul(&v)?.reshape((b, self.n_head, 1, self.head_dim))?
        } else {
            let k = candle_transformers::utils::repeat_kv(k.contiguous()?, group)?;
            let v = candle_transformers::utils::repeat_kv(v.contiguous()?, group)?;
            let att = q.matmul(&k.t()?)?;
            let att = match mask {
                Some(mask) => {
                    let mask = mask.broadcast_as(att.shape())?;
                    mask.where_cond(&rope.neg_inf.broadcast_as(att.shape())?, &att)?
                }
                None => att,
            };
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            att.matmul(&v.contiguous()?)?
        };
        self.wo.forward(&y.transpose(1, 2)?.reshape((b, seq, width))?)
    }

    fn forward(&mut self, x: &Tensor, mask: Option<&Tensor>, position: usize, rope: &Rope) -> Result<Tensor> {
        let attended = (self.attention(&self.attention_norm.forward(x)?, mask, position, rope)? + x)?;
        let normed = self.ffn_norm.forward(&attended)?;
        let gate_up = self.gate_up.forward(&normed)?;
        let hidden = gate_up.dim(D::Minus1)? / 2;
        let gated = (candle_nn::ops::silu(&gate_up.narrow(D::Minus1, 0, hidden)?)?
            * gate_up.narrow(D::Minus1, hidden, hidden)?)?;
        self.w2.forward(&gated)? + attended
    }
}

/// Rotary position tables, shared by all layers.
struct Rope {
    cos: Tensor,
    sin: Tensor,
    /// NEOX pairs (i, i + d/2); llama's own convention pairs (2i, 2i + 1).
    neox: bool,
    neg_inf: Tensor,
}

impl Rope {
    fn new(dim: usize, base: f32, neox: bool, device: &Device) -> Result<Rope> {
        let theta: Vec<f32> = (0..dim).step_by(2).map(|i| 1f32 / base.powf(i as f32 / dim as f32)).collect();
        let theta = Tensor::new(theta.as_slice(), device)?;
        let angles = Tensor::arange(0, MAX_POSITIONS as u32, device)?
            .to_dtype(DType::F32)?
            .reshape((MAX_POSITIONS, 1))?
            .matmul(&theta.reshape((1, theta.elem_count()))?)?;
        Ok(Rope { cos: angles.cos()?, sin: angles.sin()?, neox, neg_inf: Tensor::new(f32::NEG_INFINITY, device)? })
    }

    fn apply(&self, x: &Tensor, position: usize) -> Result<Tensor> {
        let seq = x.dim(2)?;
        let cos = self.cos.narrow(0, position, seq)?;
        let sin = self.sin.narrow(0, position, seq)?;
        if self.neox {
            candle_nn::rotary_emb::rope(x, &cos, &sin)
        } else {
            candle_nn::rotary_emb::rope_i(x, &cos, &sin)
        }
    }
}

pub struct ModelWeights {
    embeddings: candle_nn::Embedding,
    layers: Vec<Layer>,
    norm: RmsNorm,
    output: Linear,
    rope: Rope,
}

impl ModelWeights {
    /// Reads a llama GGUF. `dense_prompt` also keeps f32 copies of the layer weights
    /// (about 4 bytes per parameter) for fast prompt processing.
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(
        content: gguf_file::Content,
        reader: &mut R,
        device: &Device,
        dense_prompt: bool,
    ) -> Result<ModelWeights> {
        let get = |key: &str| match content.metadata.get(key) {
            Some(value) => Ok(value),
            None => candle_core::bail!("cannot find {key} in metadata"),
        };
        if get("llama.expert_count").and_then(|v| v.to_u32()).unwrap_or(0) > 1 {
            candle_core::bail!("mixture-of-experts llama models are not supported");
        }
        let n_head = get("llama.attention.head_count")?.to_u32()? as usize;
        let n_kv_head = get("llama.attention.head_count_kv")?.to_u32()? as usize;
        let block_count = get("llama.block_count")?.to_u32()? as usize;
        let width = get("llama.embedding_length")?.to_u32()? as usize;
        let rope_dim = get("llama.rope.dimension_count")?.to_u32()? as usize;
        let eps = get("llama.attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let rope_base = get("llama.rope.freq_base").and_then(|m| m.to_f32()).unwrap_or(10000.0);
        if n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
            candle_core::bail!("{n_head} attention heads cannot share {n_kv_head} key/value heads");
        }
        // llama.cpp's llama_model_rope_type(): these architectures, when stored as llama,
        // use the NEOX pairing.
        let architecture =
            content.metadata.get("general.architecture").and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        let neox = matches!(architecture.as_str(), "qwen" | "qwen2" | "qwen3" | "phi3" | "stablelm" | "olmo2");
        let rope = Rope::new(rope_dim, rope_base, neox, device)?;

        let mut tensor = |name: &str| content.tensor(reader, name, device);
        let embeddings_q = tensor("token_embd.weight")?;
        let embeddings = candle_nn::Embedding::new(embeddings_q.dequantize(device)?, width);
        let norm = RmsNorm::from_qtensor(tensor("output_norm.weight")?, eps)?;
        // Only the last position reaches the output projection: it never needs dense weights.
        let output = Linear::new(tensor("output.weight").unwrap_or(embeddings_q), false)?;
        let mut layers = Vec::with_capacity(block_count);
        for i in 0..block_count {
            let mut weights = |name: &str| tensor(&format!("blk.{i}.{name}.weight"));
            let qkv = Linear::fused(vec![weights("attn_q")?, weights("attn_k")?, weights("attn_v")?], dense_prompt)?;
            let wo = Linear::new(weights("attn_output")?, dense_prompt)?;
            let gate_up = Linear::fused(vec![weights("ffn_gate")?, weights("ffn_up")?], dense_prompt)?;
            let w2 = Linear::new(weights("ffn_down")?, dense_prompt)?;
            let attention_norm = RmsNorm::from_qtensor(tensor(&format!("blk.{i}.attn_norm.weight"))?, eps)?;
            let ffn_norm = RmsNorm::from_qtensor(tensor(&format!("blk.{i}.ffn_norm.weight"))?, eps)?;
            layers.push(Layer {
                qkv,
                wo,
                gate_up,
                w2,
                attention_norm,
                ffn_norm,
                n_head,
                n_kv_head,
                head_dim: width / n_head,
                keys: Cache::default(),
                values: Cache::default(),
            });
        }
        Ok(ModelWeights { embeddings, layers, norm, output, rope })
    }

    pub fn clear_kv_cache(&mut self) {
        for layer in &mut self.layers {
            layer.keys.clear();
            layer.values.clear();
        }
    }

    /// Logits for the last position of `input` (`[1, seq]`), which starts at `position`.
    pub fn forward(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
        // A long prompt goes through in slices: each slice attends only to the keys before
        // it (the causal half of the work), and the score matrices stay small enough for
        // the cache instead of growing with the square of the prompt.
        let (_, seq) = input.dims2()?;
        let mut start = 0;
        while seq - start > PROMPT_SLICE {
            self.forward_slice(&input.narrow(1, start, PROMPT_SLICE)?, position + start)?;
            start += PROMPT_SLICE;
        }
        self.forward_slice(&input.narrow(1, start, seq - start)?, position + start)
    }

    fn forward_slice(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
        let (_, seq) = input.dims2()?;
        if position + seq > MAX_POSITIONS {
            candle_core::bail!("position {} is beyond the {MAX_POSITIONS} this model supports", position + seq);
        }
        let mask = if seq == 1 {
            None
        } else {
            Some(candle_transformers::utils::build_causal_mask(seq, position, input.device())?)
        };
        let mut x = self.embeddings.forward(input)?;
        for layer in &mut self.layers {
            x = layer.forward(&x, mask.as_ref(), position, &self.rope)?;
        }
        let last = self.norm.forward(&x)?.i((.., seq - 1, ..))?;
        self.output.forward(&last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_transformers::models::quantized_llama;
    use std::path::PathBuf;

    fn smollm2() -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/smollm2-135m-instruct-q4_1");
        std::fs::read_dir(&dir)
            .expect("models fetched (python3 models/fetch.py)")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "gguf"))
            .expect("a GGUF in the model folder")
    }

    /// The model as the engine runs it: its Q4_1 tensors rewritten as Q8_0.
    fn requantized(path: &std::path::Path) -> Vec<u8> {
        let mut file = std::fs::File::open(path).unwrap();
        let content = gguf_file::Content::read(&mut file).unwrap();
        super::super::model::requantized(&content, &mut file).unwrap().expect("SmolLM2 is Q4_1")
    }

    fn read(bytes: &[u8]) -> (gguf_file::Content, std::io::Cursor<&[u8]>) {
        let mut cursor = std::io::Cursor::new(bytes);
        (gguf_file::Content::read(&mut cursor).unwrap(), cursor)
    }

    fn max_difference(a: &Tensor, b: &Tensor) -> f32 {
        (a - b).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap()
    }

    /// Our decoder computes what candle's does, for the prompt (dense weights) and for each
    /// decoded token (quantized weights, grown KV cache, grouped attention).
    #[test]
    fn logits_match_candles_quantized_llama() {
        let bytes = requantized(&smollm2());
        let device = Device::Cpu;
        let (content, mut reader) = read(&bytes);
        let mut reference = quantized_llama::ModelWeights::from_gguf(content, &mut reader, &device).unwrap();
        let (content, mut reader) = read(&bytes);
        let mut ours = ModelWeights::from_gguf(content, &mut reader, &device, true).unwrap();

        // A prompt long enough to take the dense path, then tokens decoded one by one.
        let prompt: Vec<u32> = (0..300u32).map(|i| 100 + (i * 37) % 4000).collect();
        let input = Tensor::new(prompt.as_slice(), &device).unwrap().unsqueeze(0).unwrap();
        let expected = reference.forward(&input, 0).unwrap();
        let actual = ours.forward(&input, 0).unwrap();
        let scale = expected.abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap();
        // Dense f32 weights against Q8_0-rounded activations: close, not identical.
        assert!(max_difference(&expected, &actual) < 0.05 * scale, "prompt logits differ");
        assert_eq!(
            expected.argmax(D::Minus1).unwrap().to_vec1::<u32>().unwrap(),
            actual.argmax(D::Minus1).unwrap().to_vec1::<u32>().unwrap()
        );
        for step in 0..300 {
            let token = Tensor::new(&[(step * 53 % 3000 + 200) as u32], &device).unwrap().unsqueeze(0).unwrap();
            let expected = reference.forward(&token, prompt.len() + step).unwrap();
            let actual = ours.forward(&token, prompt.len() + step).unwrap();
            assert!(max_difference(&expected, &actual) < 0.05 * scale, "decode step {step} differs");
        }
    }
}
