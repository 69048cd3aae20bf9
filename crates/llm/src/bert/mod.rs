//! A BERT encoder (all-MiniLM-L6-v2, the engine's passage embedder) on the shared kernels,
//! giving mean-pooled, unit-length sentence embeddings.
//!
//! Through candle's BERT, a batch was padded to its longest text and every op went through
//! a tensor: the projections ran at about 45 GFLOP/s, and indexing the bundled library took
//! minutes. Here a batch is one matrix of all its sequences' tokens, packed end to end
//! without padding: the projections and the feed-forward treat tokens alike, so they run
//! as a few large products through the panel kernel of [`gemm`], with weights packed once
//! at load; only attention needs to know where a sequence starts and ends, and each
//! sequence attends to its own tokens alone, which is what the padding mask did (a masked
//! key's weight, `exp(f32::MIN)`, is exactly zero).
//!
//! A sequence's result depends only on its own tokens, never on what it is batched with:
//! each token's row goes through the same sums in the same order wherever it sits.

mod weights;

use crate::kernels::gemm::{self, Panels, View, PANEL};
use crate::kernels::pool;
use crate::kernels::vector_ops::{add_assign, dot, exp_minus_max, gelu_erf, layer_norm};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use weights::Weights;

/// Everything loading or running the encoder can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{path} is not a readable safetensors file: {reason}")]
    Format { path: PathBuf, reason: String },

    #[error("{path} has no tensor {name}")]
    MissingTensor { path: PathBuf, name: String },

    #[error("tensor {name} in {path} has shape {found:?}, but the model's config needs {expected:?}")]
    TensorShape { path: PathBuf, name: String, expected: Vec<usize>, found: Vec<usize> },

    #[error("tensor {name} in {path} is {dtype}; only F32, F16 and BF16 weights are supported")]
    TensorType { path: PathBuf, name: String, dtype: String },

    #[error("unsupported BERT config: {0}")]
    Config(String),

    #[error("token sequence {index} {reason}")]
    Input { index: usize, reason: String },
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// The fields of a BERT `config.json` the encoder reads (others are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default = "absolute")]
    pub position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".into()
}

impl Config {
    fn check(&self) -> Result<()> {
        let fail = |reason: String| Err(Error::Config(reason));
        if self.hidden_act != "gelu" {
            return fail(format!("hidden_act {:?} (only \"gelu\", the erf form)", self.hidden_act));
        }
        if self.position_embedding_type != "absolute" {
            return fail(format!("position_embedding_type {:?}", self.position_embedding_type));
        }
        let sizes = [
            self.vocab_size,
            self.hidden_size,
            self.num_attention_heads,
            self.intermediate_size,
            self.max_position_embeddings,
            self.type_vocab_size,
        ];
        if sizes.contains(&0) || self.vocab_size > u32::MAX as usize {
            return fail("a size is zero or too large".into());
        }
        // Attention writes each head's output as whole 16-column panels.
        if !self.hidden_size.is_multiple_of(self.num_attention_heads)
            || !(self.hidden_size / self.num_attention_heads).is_multiple_of(PANEL)
        {
            return fail(format!(
                "{} heads over a hidden size of {} (heads must be a multiple of {PANEL} wide)",
                self.num_attention_heads, self.hidden_size
            ));
        }
        Ok(())
    }
}

/// A projection `x · Wᵀ + b`, its weights packed for the kernel.
struct Linear {
    weights: Panels,
    bias: Vec<f32>,
}

impl Linear {
    /// Without the bias, which the pass over each row that follows adds.
    fn product(&self, x: &[f32], rows: usize) -> Vec<f32> {
        gemm::matmul(x, rows, &self.weights)
    }
}

struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn apply(&self, row: &mut [f32]) {
        layer_norm(row, &self.weight, &self.bias, self.eps)
    }

    /// `row = norm(row + (projected + bias))`: a sub-layer's output added to its input, in
    /// the order candle's BERT adds them.
    fn residual(&self, row: &mut [f32], projected: &[f32], bias: &[f32]) {
        for ((r, p), b) in row.iter_mut().zip(projected).zip(bias) {
            *r += p + b;
        }
        self.apply(row)
    }
}

struct Layer {
    /// Queries, keys and values, in that order along the output: one pass over the input.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

#[derive(Clone, Copy)]
struct Heads {
    count: usize,
    dim: usize,
}

pub struct Bert {
    word: Vec<f32>,
    position: Vec<f32>,
    /// Token type 0's row: every text is one segment.
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: Heads,
    vocab: usize,
    max_positions: usize,
}

impl Bert {
    /// Reads the weights from a `model.safetensors` file, checking every tensor against
    /// the shape `config` implies.
    pub fn load(path: &Path, config: &Config) -> Result<Bert> {
        config.check()?;
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let weights = Weights::new(&bytes, path)?;
        let (hidden, inner) = (config.hidden_size, config.intermediate_size);
        let eps = config.layer_norm_eps as f32;
        let norm = |name: &str| -> Result<Norm> {
            Ok(Norm {
                weight: weights.get(&format!("{name}.weight"), &[hidden])?,
                bias: weights.get(&format!("{name}.bias"), &[hidden])?,
                eps,
            })
        };
        let linear = |names: &[String], outputs: usize, inputs: usize| -> Result<Linear> {
            let (mut matrix, mut bias) = (Vec::new(), Vec::new());
            for name in names {
                matrix.extend(weights.get(&format!("{name}.weight"), &[outputs, inputs])?);
                bias.extend(weights.get(&format!("{name}.bias"), &[outputs])?);
            }
            Ok(Linear { weights: Panels::pack(&matrix, outputs * names.len(), inputs), bias })
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let name = |part: &str| format!("encoder.layer.{i}.{part}");
                let qkv = ["query", "key", "value"].map(|p| name(&format!("attention.self.{p}")));
                Ok(Layer {
                    qkv: linear(&qkv, hidden, hidden)?,
                    attention_out: linear(&[name("attention.output.dense")], hidden, hidden)?,
                    attention_norm: norm(&name("attention.output.LayerNorm"))?,
                    intermediate: linear(&[name("intermediate.dense")], inner, hidden)?,
                    output: linear(&[name("output.dense")], hidden, inner)?,
                    output_norm: norm(&name("output.LayerNorm"))?,
                })
            })
            .collect::<Result<_>>()?;
        let token_types = weights.get("embeddings.token_type_embeddings.weight", &[config.type_vocab_size, hidden])?;
        Ok(Bert {
            word: weights.get("embeddings.word_embeddings.weight", &[config.vocab_size, hidden])?,
            position: weights
                .get("embeddings.position_embeddings.weight", &[config.max_position_embeddings, hidden])?,
            token_type: token_types[..hidden].to_vec(),
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
            hidden,
            heads: Heads { count: config.num_attention_heads, dim: hidden / config.num_attention_heads },
            vocab: config.vocab_size,
            max_positions: config.max_position_embeddings,
        })
    }

    /// Width of the embeddings.
    pub fn dimension(&self) -> usize {
        self.hidden
    }

    /// One embedding per token sequence (token ids, special tokens included): the last
    /// layer's hidden states averaged over the sequence's tokens and scaled to unit length,
    /// as sentence-transformers pools all-MiniLM.
    pub fn embed(&self, sequences: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        for (index, sequence) in sequences.iter().enumerate() {
            let fail = |reason: String| Err(Error::Input { index, reason });
            if sequence.is_empty() {
                return fail("is empty".into());
            }
            if sequence.len() > self.max_positions {
                return fail(format!("has {} tokens; the model reads at most {}", sequence.len(), self.max_positions));
            }
            if let Some(id) = sequence.iter().find(|&&id| id as usize >= self.vocab) {
                return fail(format!("holds token {id}, outside the vocabulary of {}", self.vocab));
            }
        }
        if sequences.is_empty() {
            return Ok(Vec::new());
        }
        Ok(pool::on_pool(|| self.forward(sequences)))
    }

    fn forward(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        let width = self.hidden;
        let lens: Vec<usize> = sequences.iter().map(|s| s.len()).collect();
        let tokens: Vec<(usize, usize)> =
            sequences.iter().flat_map(|s| s.iter().enumerate().map(|(p, &id)| (id as usize, p))).collect();
        let mut x = vec![0f32; tokens.len() * width];
        pool::for_each_part(&mut x, width, |r, row| {
            let (id, position) = tokens[r];
            let word = &self.word[id * width..][..width];
            let position = &self.position[position * width..][..width];
            for (((x, w), t), p) in row.iter_mut().zip(word).zip(&self.token_type).zip(position) {
                *x = w + t + p;
            }
            self.embedding_norm.apply(row);
        });
        for layer in &self.layers {
            layer.forward(&mut x, &lens, self.heads);
        }
        let mut start = 0;
        lens.iter()
            .map(|&len| {
                let mut mean = vec![0f32; width];
                x[start * width..(start + len) * width].chunks_exact(width).for_each(|row| add_assign(&mut mean, row));
                start += len;
                mean.iter_mut().for_each(|v| *v /= len as f32);
                let norm = dot(&mean, &mean).sqrt();
                if norm > 0.0 {
                    mean.iter_mut().for_each(|v| *v /= norm);
                }
                mean
            })
            .collect()
    }
}

impl Layer {
    /// `x` holds every sequence's rows, end to end (`lens` long each), updated in place.
    fn forward(&self, x: &mut [f32], lens: &[usize], heads: Heads) {
        let width = heads.count * heads.dim;
        let rows = x.len() / width;
        let mut qkv = self.qkv.product(x, rows);
        pool::for_each_part(&mut qkv, 3 * width, |_, row| add_assign(row, &self.qkv.bias));
        let attended = self.attention_out.product(&attend(&qkv, lens, heads), rows);
        pool::for_each_part(x, width, |r, row| {
            self.attention_norm.residual(row, &attended[r * width..][..width], &self.attention_out.bias)
        });
        let mut inner = self.intermediate.product(x, rows);
        let inner_width = self.intermediate.bias.len();
        pool::for_each_part(&mut inner, inner_width, |_, row| {
            add_assign(row, &self.intermediate.bias);
            gelu_erf(row);
        });
        let output = self.output.product(&inner, rows);
        pool::for_each_part(x, width, |r, row| {
            self.output_norm.residual(row, &output[r * width..][..width], &self.output.bias)
        });
    }
}

/// Self-attention of each sequence over its own tokens. `qkv` holds a row of queries, keys
/// and values per token, the sequences end to end; returns a row of the heads' outputs per
/// token.
fn attend(qkv: &[f32], lens: &[usize], heads: Heads) -> Vec<f32> {
    use rayon::prelude::*;
    let width = heads.count * heads.dim;
    let mut out = vec![0f32; qkv.len() / 3];
    // The sequences are the parallel pieces: a batch has dozens, and each writes only
    // its own rows.
    let mut pieces = Vec::with_capacity(lens.len());
    let (mut rest, mut start) = (out.as_mut_slice(), 0);
    for &len in lens {
        let (piece, tail) = rest.split_at_mut(len * width);
        pieces.push((start, piece));
        (rest, start) = (tail, start + len);
    }
    pieces.into_par_iter().for_each(|(start, out)| attend_sequence(&qkv[start * 3 * width..], heads, out));
    out
}

/// One sequence: `qkv` starts at its first token; `out` holds its rows.
fn attend_sequence(qkv: &[f32], heads: Heads, out: &mut [f32]) {
    let Heads { count, dim } = heads;
    let width = count * dim;
    let qkv_width = 3 * width;
    let len = out.len() / width;
    let stride = len.next_multiple_of(PANEL);
    let mut scores = vec![0f32; len * stride];
    let mut keys = vec![0f32; len * dim];
    let scale = 1.0 / (dim as f32).sqrt();
    for head in 0..count {
        for (p, key) in keys.chunks_exact_mut(dim).enumerate() {
            key.copy_from_slice(&qkv[p * qkv_width + width + head * dim..][..dim]);
        }
        let keys = Panels::pack(&keys, len, dim);
        gemm::multiply(&qkv[head * dim..], qkv_width, len, keys.view(len), &mut scores, stride);
        for row in scores.chunks_exact_mut(stride) {
            let row = &mut row[..len];
            let max = row.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
            row.iter_mut().for_each(|s| *s = (*s - max) * scale);
            let inverse_sum = 1.0 / exp_minus_max(row, 0.0);
            row.iter_mut().for_each(|s| *s *= inverse_sum);
        }
        // The values are read in place: a token's value row is already 16-column runs.
        let values = View::rows(&qkv[2 * width + head * dim..], len, dim, qkv_width);
        gemm::multiply(&scores, stride, len, values, &mut out[head * dim..], width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            vocab_size: 40,
            hidden_size: 32,
            num_hidden_layers: 2,
            num_attention_heads: 2,
            intermediate_size: 64,
            hidden_act: "gelu".into(),
            max_position_embeddings: 24,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            position_embedding_type: "absolute".into(),
        }
    }

    /// A checkpoint with the tensors `config` needs, filled with smooth made-up values,
    /// after `edit` has had its say over each name and shape (an empty name drops it).
    fn checkpoint(config: &Config, edit: impl Fn(&mut String, &mut Vec<usize>)) -> tempfile::NamedTempFile {
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let mut tensors: Vec<(String, Vec<usize>)> = vec![
            ("embeddings.word_embeddings.weight".into(), vec![config.vocab_size, h]),
            ("embeddings.position_embeddings.weight".into(), vec![config.max_position_embeddings, h]),
            ("embeddings.token_type_embeddings.weight".into(), vec![config.type_vocab_size, h]),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
        ];
        for l in 0..config.num_hidden_layers {
            let mut linear = |name: &str, outputs: usize, inputs: usize| {
                tensors.push((format!("encoder.layer.{l}.{name}.weight"), vec![outputs, inputs]));
                tensors.push((format!("encoder.layer.{l}.{name}.bias"), vec![outputs]));
            };
            for p in ["query", "key", "value"] {
                linear(&format!("attention.self.{p}"), h, h);
            }
            linear("attention.output.dense", h, h);
            linear("attention.output.LayerNorm", h, 0);
            linear("intermediate.dense", i, h);
            linear("output.dense", h, i);
            linear("output.LayerNorm", h, 0);
        }
        let data: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
            .into_iter()
            .enumerate()
            .filter_map(|(n, (mut name, shape))| {
                // A norm's weight is [h], not [h, 0].
                let mut shape: Vec<usize> = shape.into_iter().filter(|&d| d > 0).collect();
                edit(&mut name, &mut shape);
                let count: usize = shape.iter().product();
                let values = (0..count).map(|k| (((n * 131 + k) as f32) * 0.618).sin() * 0.5);
                let values: Vec<f32> = if name.contains("LayerNorm.weight") {
                    values.map(|v| 1.0 + v * 0.2).collect()
                } else {
                    values.collect()
                };
                (!name.is_empty()).then(|| (name, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect()))
            })
            .collect();
        let views = data.iter().map(|(name, shape, bytes)| {
            (name.clone(), safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes).unwrap())
        });
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), safetensors::serialize(views, None).unwrap()).unwrap();
        file
    }

    fn norm(v: &[f32]) -> f32 {
        dot(v, v).sqrt()
    }

    /// Each sequence attends to its own tokens only: embedded together or apart, a
    /// sequence gives the same vector, bit for bit.
    #[test]
    fn a_sequence_embeds_alike_alone_and_packed_with_others() {
        let file = checkpoint(&config(), |_, _| {});
        let bert = Bert::load(file.path(), &config()).unwrap();
        let sequences: [&[u32]; 3] =
            [&[1, 2, 3], &[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], &[39]];
        let together = bert.embed(&sequences).unwrap();
        for (sequence, vector) in sequences.iter().zip(&together) {
            assert_eq!(vector.len(), 32);
            assert!((norm(vector) - 1.0).abs() < 1e-5);
            assert_eq!(&bert.embed(&[sequence]).unwrap()[0], vector);
        }
        assert_ne!(together[0], together[2]);
    }

    #[test]
    fn weights_under_a_bert_prefix_load_too() {
        let plain = checkpoint(&config(), |_, _| {});
        let prefixed = checkpoint(&config(), |name, _| name.insert_str(0, "bert."));
        let sequence: &[u32] = &[3, 1, 4, 1, 5];
        let a = Bert::load(plain.path(), &config()).unwrap().embed(&[sequence]).unwrap();
        let b = Bert::load(prefixed.path(), &config()).unwrap().embed(&[sequence]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_tensor_of_the_wrong_shape_is_named() {
        let file = checkpoint(&config(), |name, shape| {
            if name == "encoder.layer.1.intermediate.dense.weight" {
                shape[1] += 1;
            }
        });
        let error = Bert::load(file.path(), &config()).err().expect("a wrong shape is refused");
        assert!(matches!(error, Error::TensorShape { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("encoder.layer.1.intermediate.dense.weight") && message.contains("[64, 33]"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_tensor_is_named() {
        let file = checkpoint(&config(), |name, _| {
            if name == "encoder.layer.0.attention.self.value.bias" {
                name.clear();
            }
        });
        let error = Bert::load(file.path(), &config()).err().expect("a missing tensor is refused");
        assert!(error.to_string().contains("encoder.layer.0.attention.self.value.bias"), "{error}");
    }

    #[test]
    fn a_file_that_is_not_safetensors_is_refused() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), b"not a model").unwrap();
        assert!(matches!(Bert::load(file.path(), &config()), Err(Error::Format { .. })));
        let missing = file.path().with_extension("absent");
        assert!(matches!(Bert::load(&missing, &config()), Err(Error::Io { .. })));
    }

    #[test]
    fn unsupported_configs_are_refused() {
        let file = checkpoint(&config(), |_, _| {});
        let variants: [fn(&mut Config); 4] = [
            |c| c.hidden_act = "relu".into(),
            |c| c.num_attention_heads = 3,
            |c| c.num_attention_heads = 4,
            |c| c.position_embedding_type = "relative_key".into(),
        ];
        for change in variants {
            let mut config = config();
            change(&mut config);
            assert!(matches!(Bert::load(file.path(), &config), Err(Error::Config(_))));
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let file = checkpoint(&config(), |_, _| {});
        let bert = Bert::load(file.path(), &config()).unwrap();
        let too_long = vec![1u32; 25];
        let inputs: [&[u32]; 3] = [&[], &[1, 40], &too_long];
        for input in inputs {
            assert!(matches!(bert.embed(&[&[1, 2], input]), Err(Error::Input { index: 1, .. })));
        }
        assert!(bert.embed(&[]).unwrap().is_empty());
    }
}
