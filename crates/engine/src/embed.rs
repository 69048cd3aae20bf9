//! Sentence embeddings: all-MiniLM-L6-v2 through candle's BERT, mean-pooled over real
//! tokens and L2-normalised, so a dot product is the cosine similarity.

use crate::error::{Error, Result};
use crate::model_manifest::{self, VerifiedModel};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use std::path::Path;
use tokenizers::{Tokenizer, TruncationParams};

/// Output width of all-MiniLM-L6-v2.
pub const DIMENSION: usize = 384;
/// The model was trained with 256-token inputs; longer text is truncated.
pub const MAX_TOKENS: usize = 256;
/// Batches of similar-length texts keep padding, and so wasted work, small.
const BATCH_SIZE: usize = 32;

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    /// Identifies the weights; indexes record it and are rebuilt when it changes.
    pub fingerprint: String,
}

impl Embedder {
    /// Loads the embedder from a models folder, checking every file against the manifest.
    pub fn load(models_dir: &Path) -> Result<Embedder> {
        let verified = model_manifest::verify(models_dir, model_manifest::EMBEDDER_ID)?;
        Self::load_verified(&verified)
    }

    fn load_verified(model: &VerifiedModel) -> Result<Embedder> {
        let config_path = model.file("config.json");
        let load_error = |path: &Path, reason: String| Error::ModelLoad { path: path.to_path_buf(), reason };
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(&config_path).map_err(|e| load_error(&config_path, e.to_string()))?,
        )
        .map_err(|e| load_error(&config_path, e.to_string()))?;

        let tokenizer_path = model.file("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| load_error(&tokenizer_path, e.to_string()))?;
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| load_error(&tokenizer_path, e.to_string()))?;
        // tokenizer.json pads every text to 128 tokens; we pad each batch ourselves, with a mask.
        tokenizer.with_padding(None);

        let weights = model.file("model.safetensors");
        let device = Device::Cpu;
        // SAFETY: the weights file is memory-mapped read-only; it was verified against its
        // pinned hash just before, and DrugChatter never writes to it while running.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DTYPE, &device) }
            .map_err(|e| load_error(&weights, e.to_string()))?;
        let model_weights = BertModel::load(vb, &config).map_err(|e| load_error(&weights, e.to_string()))?;
        Ok(Embedder { model: model_weights, tokenizer, device, fingerprint: model.fingerprint.clone() })
    }

    /// Whether `word` (lower case) is a whole word of the embedder's vocabulary: about 22,000
    /// common English words, and not garbled or invented ones ("antacrolls"), nor most
    /// medical terms. The verifier treats a word absent from a cited passage that is not one
    /// of these as unsupported.
    pub fn knows_word(&self, word: &str) -> bool {
        self.tokenizer.token_to_id(word).is_some()
    }

    /// Embeds one text.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.embed_batch(&[text], MAX_TOKENS)?.remove(0))
    }

    /// Embeds many texts in length-sorted batches, calling `on_batch` with the number done
    /// after each batch; returning `false` from it cancels. Output order matches input.
    pub fn embed_all(&self, texts: &[&str], on_batch: &mut dyn FnMut(usize) -> bool) -> Result<Vec<Vec<f32>>> {
        self.embed_all_truncated(texts, MAX_TOKENS, on_batch)
    }

    /// As [`Embedder::embed_all`], reading at most `max_tokens` tokens of each text. Cost
    /// grows with the tokens read, so a large import can trade the tail of long passages
    /// (still searchable lexically) for speed.
    pub fn embed_all_truncated(
        &self,
        texts: &[&str],
        max_tokens: usize,
        on_batch: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        let mut done = 0;
        for batch in order.chunks(BATCH_SIZE) {
            let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            for (&i, vector) in batch.iter().zip(self.embed_batch(&batch_texts, max_tokens)?) {
                out[i] = vector;
            }
            done += batch.len();
            if !on_batch(done) {
                return Err(Error::Cancelled);
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str], max_tokens: usize) -> Result<Vec<Vec<f32>>> {
        let embedding_error = |e: &dyn std::fmt::Display| Error::Embedding(e.to_string());
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| embedding_error(&e))?;
        let max_tokens = max_tokens.clamp(2, MAX_TOKENS);
        // Shortened to `max_tokens` keeping the closing [SEP], then padded to the longest.
        let sequences: Vec<Vec<u32>> = encodings
            .iter()
            .map(|e| {
                let ids = e.get_ids();
                if ids.len() <= max_tokens {
                    ids.to_vec()
                } else {
                    let mut cut = ids[..max_tokens - 1].to_vec();
                    cut.push(ids[ids.len() - 1]);
                    cut
                }
            })
            .collect();
        let rows = sequences.len();
        let width = sequences.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        for sequence in &sequences {
            ids.extend_from_slice(sequence);
            ids.extend(std::iter::repeat_n(0, width - sequence.len()));
            mask.extend(std::iter::repeat_n(1u32, sequence.len()));
            mask.extend(std::iter::repeat_n(0u32, width - sequence.len()));
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
            let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            // Mean over real tokens only: padding must not dilute short texts.
            let mask_f = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask_f)?.sum(1)?;
            let counts = mask_f.sum(1)?;
            let mean = summed.broadcast_div(&counts)?;
            let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norms)?.to_vec2::<f32>()
        };
        run().map_err(|e| embedding_error(&e))
    }
}

/// Dot product of two normalised vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    crate::index::vector::dot(a, b)
}
