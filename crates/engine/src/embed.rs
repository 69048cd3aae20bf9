//! Sentence embeddings: all-MiniLM-L6-v2 through our BERT encoder (`drugchatter_llm::bert`),
//! mean-pooled over real tokens and L2-normalised, so a dot product is the cosine similarity.

use crate::error::{Error, Result};
use crate::model_manifest::{self, VerifiedModel};
use drugchatter_llm::bert::{Bert, Config};
use std::path::Path;
use tokenizers::{Tokenizer, TruncationParams};

/// Output width of all-MiniLM-L6-v2.
pub const DIMENSION: usize = 384;
/// The model was trained with 256-token inputs; longer text is truncated.
pub const MAX_TOKENS: usize = 256;
/// Texts per encoder call: thousands of tokens, enough rows for the products to run at
/// full speed, and a progress report every second or so.
const BATCH_SIZE: usize = 32;

/// Names the code that computes the vectors, beside the weights: two encoders agree only
/// to rounding, so vectors made by another one (candle's BERT, before this one) must not be
/// mixed with ours in an index or an embedding cache.
const ENCODER: &str = "encoder=packed-gemm-1";

pub struct Embedder {
    model: Bert,
    tokenizer: Tokenizer,
    /// Identifies the weights and the encoder; indexes and embedding caches record it and
    /// are rebuilt when it changes.
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
        // tokenizer.json pads every text to 128 tokens; the encoder packs texts unpadded.
        tokenizer.with_padding(None);

        let weights = model.file("model.safetensors");
        let model_weights = Bert::load(&weights, &config).map_err(|e| load_error(&weights, e.to_string()))?;
        let fingerprint = format!("{} {ENCODER}", model.fingerprint);
        Ok(Embedder { model: model_weights, tokenizer, fingerprint })
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

    /// The token ids each text is embedded from: at most `max_tokens` (2 to
    /// [`MAX_TOKENS`]) of them, the closing [SEP] kept when a text is cut.
    pub fn token_ids(&self, texts: &[&str], max_tokens: usize) -> Result<Vec<Vec<u32>>> {
        let encodings =
            self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| Error::Embedding(e.to_string()))?;
        let max_tokens = max_tokens.clamp(2, MAX_TOKENS);
        Ok(encodings
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
            .collect())
    }

    fn embed_batch(&self, texts: &[&str], max_tokens: usize) -> Result<Vec<Vec<f32>>> {
        let sequences = self.token_ids(texts, max_tokens)?;
        let sequences: Vec<&[u32]> = sequences.iter().map(Vec::as_slice).collect();
        self.model.embed(&sequences).map_err(|e| Error::Embedding(e.to_string()))
    }
}

/// Dot product of two normalised vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    crate::index::vector::dot(a, b)
}
