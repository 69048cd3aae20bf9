//! The llama-architecture decoder (SmolLM2, the default model), adapted from
//! candle-transformers' `quantized_llama` (MIT/Apache-2.0) for a 2-core CPU:
//!
//! - every projection keeps two forms of its weights: quantized rows (Q4_1 as stored, else
//!   Q8_0) for decoding one token at a time, where memory bandwidth is the limit and fewer
//!   bytes win; dense f32 for the
//!   prompt, where compute is the limit and candle's f32 GEMM is about 4× faster than its
//!   row-by-row quantized dot products;
//! - the prompt goes through candle tensors; each decoded token goes through
//!   [`decode_ops`] on plain slices, which is where a 135M model's step spends its time;
//! - projections that read the same input (q, k, v; gate, up) are fused into one;
//! - the KV cache is one growing f16 buffer per layer and key/value head, shared by both
//!   paths.
//!
//! The arithmetic is candle's, so the logits match `quantized_llama`'s (a test compares them).

use super::decode_ops::{self, Heads, KvCache, QuantRows};
use super::prompt_attention;
use candle_core::quantized::{gguf_file, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor, D};

/// Inputs with at least this many rows (prompt tokens) use the dense weights.
const DENSE_MIN_ROWS: usize = 8;
/// Prompt tokens processed together (see [`ModelWeights::forward`]).
const PROMPT_SLICE: usize = 256;
/// Positions the rotary tables cover; longer contexts are refused at load.
pub const MAX_POSITIONS: usize = 8192;

/// A projection `x · Wᵀ` holding its weights quantized and, optionally, dense.
struct Linear {
    rows: QuantRows,
    dense: Option<Tensor>,
}

impl Linear {
    /// One projection computing all of `parts` (q, k and v; gate and up; or a single
    /// weight), stacked along the output: one pass over the input instead of several.
    fn new(parts: Vec<QTensor>, with_dense: bool) -> Result<Linear> {
        let dense = if with_dense {
            let device = parts[0].device();
            let parts: Vec<Tensor> = parts.iter().map(|p| p.dequantize(&device)).collect::<Result<_>>()?;
            Some(Tensor::cat(&parts, 0)?)
        } else {
            None
        };
        Ok(Linear { rows: QuantRows::new(&parts, dense.as_ref())?, dense })
    }

    /// The prompt path: `xs` is `[.., k]`.
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let k = xs.dim(D::Minus1)?;
        let inputs = xs.elem_count() / k.max(1);
        if let Some(w) = &self.dense {
            if inputs >= DENSE_MIN_ROWS {
                return xs.broadcast_matmul(&w.t()?);
            }
        }
        let values = xs.flatten_all()?.to_vec1::<f32>()?;
        let mut out = vec![0f32; inputs * self.rows.rows()];
        for (x, o) in values.chunks_exact(k).zip(out.chunks_exact_mut(self.rows.rows())) {
            self.rows.matvec(x, o);
        }
        let mut dims = xs.dims().to_vec();
        *dims.last_mut().expect("at least one dimension") = self.rows.rows();
        Tensor::from_vec(out, dims, xs.device())
    }

    fn apply(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0f32; self.rows.rows()];
        self.rows.matvec(x, &mut out);
        out
    }
}

/// RMS normalisation weights, as a tensor for the prompt and as values for decoding.
struct Norm {
    weight: Tensor,
    values: Vec<f32>,
    eps: f64,
}

impl Norm {
    fn new(weight: QTensor, eps: f64) -> Result<Norm> {
        let weight = weight.dequantize(&weight.device())?;
        Ok(Norm { values: weight.to_vec1()?, weight, eps })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        candle_nn::ops::rms_norm(xs, &self.weight, self.eps as f32)
    }

    fn apply(&self, x: &[f32]) -> Vec<f32> {
        decode_ops::rms_norm(x, &self.values, self.eps as f32)
    }
}

struct Layer {
    /// Queries, keys and values, in that order along the output.
    qkv: Linear,
    wo: Linear,
    /// The gate and up projections of the feed-forward block, in that order.
    gate_up: Linear,
    w2: Linear,
    attention_norm: Norm,
    ffn_norm: Norm,
    heads: Heads,
    keys: KvCache,
    values: KvCache,
}

impl Layer {
    fn attention(&mut self, x: &Tensor, position: usize, rope: &Rope) -> Result<Tensor> {
        let (b, seq, width) = x.dims3()?;
        let Heads { n_head, n_kv_head, head_dim } = self.heads;
        let qkv = self.qkv.forward(x)?;
        let (q_width, kv_width) = (n_head * head_dim, n_kv_head * head_dim);
        let heads = |start: usize, n: usize| {
            qkv.narrow(D::Minus1, start, n * head_dim)?.reshape((b, seq, n, head_dim))?.transpose(1, 2)?.contiguous()
        };
        // Each as `[head][seq][head_dim]`.
        let values = |t: Tensor| t.flatten_all()?.to_vec1::<f32>();
        let q = values(rope.apply(&heads(0, n_head)?, position)?)?;
        let k = values(rope.apply(&heads(q_width, n_kv_head)?, position)?)?;
        let v = values(heads(q_width + kv_width, n_kv_head)?)?;
        self.keys.truncate(position);
        self.values.truncate(position);
        self.keys.append(&k, seq);
        self.values.append(&v, seq);
        let y = prompt_attention::attend(&q, &self.keys.to_f32(), &self.values.to_f32(), position, self.heads);
        let y = Tensor::from_vec(y, (b, n_head, seq, head_dim), x.device())?;
        self.wo.forward(&y.transpose(1, 2)?.reshape((b, seq, width))?)
    }

    /// The prompt path: `x` is `[1, seq, width]`.
    fn forward(&mut self, x: &Tensor, position: usize, rope: &Rope) -> Result<Tensor> {
        let attended = (self.attention(&self.attention_norm.forward(x)?, position, rope)? + x)?;
        let gate_up = self.gate_up.forward(&self.ffn_norm.forward(&attended)?)?;
        let (b, seq, double) = gate_up.dims3()?;
        let gate_up = gate_up.flatten_all()?.to_vec1::<f32>()?;
        let gated: Vec<f32> = gate_up.chunks_exact(double).flat_map(decode_ops::swiglu).collect();
        self.w2.forward(&Tensor::from_vec(gated, (b, seq, double / 2), x.device())?)? + attended
    }

    /// The decoding path: one token's hidden state `x`, updated in place.
    fn decode(&mut self, x: &mut [f32], position: usize, rope: &Rope) {
        let Heads { n_head, n_kv_head, head_dim } = self.heads;
        let mut qkv = self.qkv.apply(&self.attention_norm.apply(x));
        let (q, kv) = qkv.split_at_mut(n_head * head_dim);
        let (k, v) = kv.split_at_mut(n_kv_head * head_dim);
        rope.apply_one(q, head_dim, position);
        rope.apply_one(k, head_dim, position);
        self.keys.truncate(position);
        self.values.truncate(position);
        self.keys.append(k, 1);
        self.values.append(v, 1);
        let mut attended = vec![0f32; q.len()];
        decode_ops::attend(q, &self.keys, &self.values, self.heads, &mut attended);
        decode_ops::add_assign(x, &self.wo.apply(&attended));
        let gated = decode_ops::swiglu(&self.gate_up.apply(&self.ffn_norm.apply(x)));
        decode_ops::add_assign(x, &self.w2.apply(&gated));
    }
}

/// Rotary position tables, shared by all layers.
struct Rope {
    cos: Tensor,
    sin: Tensor,
    /// The same tables as values, `dim / 2` per position, for decoding.
    cos_values: Vec<f32>,
    sin_values: Vec<f32>,
    /// NEOX pairs (i, i + d/2); llama's own convention pairs (2i, 2i + 1).
    neox: bool,
}

impl Rope {
    fn new(dim: usize, base: f32, neox: bool, device: &Device) -> Result<Rope> {
        let theta: Vec<f32> = (0..dim).step_by(2).map(|i| 1f32 / base.powf(i as f32 / dim as f32)).collect();
        let theta = Tensor::new(theta.as_slice(), device)?;
        let angles = Tensor::arange(0, MAX_POSITIONS as u32, device)?
            .to_dtype(DType::F32)?
            .reshape((MAX_POSITIONS, 1))?
            .matmul(&theta.reshape((1, theta.elem_count()))?)?;
        let (cos, sin) = (angles.cos()?, angles.sin()?);
        Ok(Rope {
            cos_values: cos.flatten_all()?.to_vec1()?,
            sin_values: sin.flatten_all()?.to_vec1()?,
            cos,
            sin,
            neox,
        })
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

    fn apply_one(&self, x: &mut [f32], head_dim: usize, position: usize) {
        let half = head_dim / 2;
        let angles = position * half..(position + 1) * half;
        decode_ops::rope(x, head_dim, &self.cos_values[angles.clone()], &self.sin_values[angles], self.neox);
    }
}

pub struct ModelWeights {
    embeddings: candle_nn::Embedding,
    layers: Vec<Layer>,
    norm: Norm,
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
        if n_head == 0 || n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
            candle_core::bail!("{n_head} attention heads cannot share {n_kv_head} key/value heads");
        }
        let head_dim = width / n_head;
        if rope_dim != head_dim || !head_dim.is_multiple_of(2) {
            candle_core::bail!("rotary dimension {rope_dim} does not match the head size {head_dim}");
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
        let norm = Norm::new(tensor("output_norm.weight")?, eps)?;
        // Only the last position reaches the output projection: it never needs dense weights.
        let output = Linear::new(vec![tensor("output.weight").unwrap_or(embeddings_q)], false)?;
        let heads = Heads { n_head, n_kv_head, head_dim };
        let mut layers = Vec::with_capacity(block_count);
        for i in 0..block_count {
            let mut weights = |name: &str| tensor(&format!("blk.{i}.{name}.weight"));
            let qkv = Linear::new(vec![weights("attn_q")?, weights("attn_k")?, weights("attn_v")?], dense_prompt)?;
            let wo = Linear::new(vec![weights("attn_output")?], dense_prompt)?;
            let gate_up = Linear::new(vec![weights("ffn_gate")?, weights("ffn_up")?], dense_prompt)?;
            let w2 = Linear::new(vec![weights("ffn_down")?], dense_prompt)?;
            let attention_norm = Norm::new(weights("attn_norm")?, eps)?;
            let ffn_norm = Norm::new(weights("ffn_norm")?, eps)?;
            layers.push(Layer {
                qkv,
                wo,
                gate_up,
                w2,
                attention_norm,
                ffn_norm,
                heads,
                keys: KvCache::new(n_kv_head, head_dim),
                values: KvCache::new(n_kv_head, head_dim),
            });
        }
        Ok(ModelWeights { embeddings, layers, norm, output, rope })
    }

    pub fn clear_kv_cache(&mut self) {
        for layer in &mut self.layers {
            layer.keys.truncate(0);
            layer.values.truncate(0);
        }
    }

    /// Logits (`[1, vocab]`) for the last position of `input` (`[1, seq]`), which starts at
    /// `position`; what came after `position` before is forgotten.
    pub fn forward(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
        let (_, seq) = input.dims2()?;
        if position + seq > MAX_POSITIONS {
            candle_core::bail!("position {} is beyond the {MAX_POSITIONS} this model supports", position + seq);
        }
        if seq == 1 {
            return self.decode(input.i((0, 0))?.to_scalar::<u32>()?, position, input.device());
        }
        // A long prompt goes through in slices: each slice attends only to the keys before
        // it (the causal half of the work), and the score matrices stay small enough for
        // the cache instead of growing with the square of the prompt.
        // On the decoding pool too: candle's GEMM splits its work with rayon, and from a pool
        // thread the pieces are stolen rather than sent to the global pool and waited for.
        decode_ops::on_pool(|| {
            let mut start = 0;
            while seq - start > PROMPT_SLICE {
                self.forward_slice(&input.narrow(1, start, PROMPT_SLICE)?, position + start)?;
                start += PROMPT_SLICE;
            }
            self.forward_slice(&input.narrow(1, start, seq - start)?, position + start)
        })
    }

    fn forward_slice(&mut self, input: &Tensor, position: usize) -> Result<Tensor> {
        let (_, seq) = input.dims2()?;
        let mut x = self.embeddings.forward(input)?;
        for layer in &mut self.layers {
            x = layer.forward(&x, position, &self.rope)?;
        }
        let last = self.norm.forward(&x)?.i((.., seq - 1, ..))?;
        self.output.forward(&last)
    }

    fn decode(&mut self, token: u32, position: usize, device: &Device) -> Result<Tensor> {
        let mut x = self.embeddings.embeddings().i(token as usize)?.to_vec1::<f32>()?;
        let logits = decode_ops::on_pool(|| {
            for layer in &mut self.layers {
                layer.decode(&mut x, position, &self.rope);
            }
            self.output.apply(&self.norm.apply(&x))
        });
        let vocab = logits.len();
        Tensor::from_vec(logits, (1, vocab), device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::GgmlDType;
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
    /// decoded token (quantized rows, the grown KV cache, grouped attention), with the
    /// weights kept as Q4_1 (as SmolLM2 ships) and as Q8_0 (any other quantization).
    #[test]
    fn logits_match_candles_quantized_llama() {
        let device = Device::Cpu;
        let files = [(std::fs::read(smollm2()).unwrap(), GgmlDType::Q4_1), (requantized(&smollm2()), GgmlDType::Q8_0)];
        for (bytes, dtype) in files {
            let (content, mut reader) = read(&bytes);
            let mut reference = quantized_llama::ModelWeights::from_gguf(content, &mut reader, &device).unwrap();
            let (content, mut reader) = read(&bytes);
            let mut ours = ModelWeights::from_gguf(content, &mut reader, &device, true).unwrap();
            assert_eq!(ours.layers[0].qkv.rows.dtype(), dtype);

            // A prompt long enough for the dense path, then tokens decoded one by one.
            let prompt: Vec<u32> = (0..128u32).map(|i| 100 + (i * 37) % 4000).collect();
            let input = Tensor::new(prompt.as_slice(), &device).unwrap().unsqueeze(0).unwrap();
            let expected = reference.forward(&input, 0).unwrap();
            let actual = ours.forward(&input, 0).unwrap();
            let scale = expected.abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap();
            // Dense f32 weights against 8-bit-rounded activations: close, not identical.
            assert!(max_difference(&expected, &actual) < 0.05 * scale, "{dtype:?}: prompt logits differ");
            // The same next token, or, where the reference's leaders are within that
            // rounding of each other, one of its top three.
            let mut ranked: Vec<(f32, u32)> =
                expected.flatten_all().unwrap().to_vec1::<f32>().unwrap().into_iter().zip(0..).collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            let ours_next = actual.argmax(D::Minus1).unwrap().to_vec1::<u32>().unwrap()[0];
            assert!(
                ranked[..3].iter().any(|&(_, token)| token == ours_next),
                "{dtype:?}: next token {ours_next}, reference {:?}",
                &ranked[..3]
            );
            for step in 0..100 {
                let token = Tensor::new(&[(step * 53 % 3000 + 200) as u32], &device).unwrap().unsqueeze(0).unwrap();
                let expected = reference.forward(&token, prompt.len() + step).unwrap();
                let actual = ours.forward(&token, prompt.len() + step).unwrap();
                let difference = max_difference(&expected, &actual);
                assert!(difference < 0.05 * scale, "{dtype:?}: decode step {step} differs by {difference}");
            }
        }
    }
}
