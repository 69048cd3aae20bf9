//! Tokenizers built from a GGUF's own vocabulary: no tokenizer.json ships with the models.
//!
//! - gpt2-style byte-level BPE (SmolLM2, Qwen, Llama 3): candle's converter, with the
//!   pre-tokenizer fixed for `tokenizer.ggml.pre` values it does not know. candle falls back
//!   to GPT-2 defaults that add a leading space ("<|im_start|>system" becomes " system").
//! - SentencePiece (`tokenizer.ggml.model = llama`, e.g. Gemma): converted to a BPE whose
//!   merges are ordered by the merged piece's score, with byte fallback.

use super::gguf::{integer, Info};
use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::quantized::tokenizer::TokenizerFromGguf;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::BPE;
use tokenizers::normalizers::{Prepend, Replace};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, DecoderWrapper, NormalizerWrapper, Tokenizer};

pub(crate) fn from_gguf(content: &Content, _info: &Info) -> Result<Tokenizer, String> {
    let model = super::gguf::string(content, "tokenizer.ggml.model").ok_or("the file has no tokenizer vocabulary")?;
    match model.as_str() {
        "gpt2" => byte_level_bpe(content),
        "llama" => sentencepiece(content),
        other => Err(format!("its tokenizer model `{other}` is not supported (gpt2-style BPE and SentencePiece are)")),
    }
}

fn byte_level_bpe(content: &Content) -> Result<Tokenizer, String> {
    let mut tokenizer = Tokenizer::from_gguf(content).map_err(|e| format!("tokenizer: {e}"))?;
    let pre = super::gguf::string(content, "tokenizer.ggml.pre").unwrap_or_else(|| "gpt2".into());
    match pre.as_str() {
        // candle's own pipelines are right for these.
        "qwen2" | "llama3" | "llama-bpe" | "smaug-bpe" | "lfm2" => {}
        // SmolLM: single digits, then the GPT-2 split, no added prefix space.
        "smollm" => {
            tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
                Digits::new(true).into(),
                ByteLevel::new(false, true, true).into(),
            ])));
            tokenizer.with_decoder(Some(ByteLevelDecoder::new(false, true, true)));
        }
        other => {
            if other != "gpt2" && other != "default" {
                tracing::warn!("unknown tokenizer pre-tokenization `{other}`; using GPT-2's without a prefix space");
            }
            tokenizer.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
            tokenizer.with_decoder(Some(ByteLevelDecoder::new(false, true, true)));
        }
    }
    Ok(tokenizer)
}

fn array<'a>(content: &'a Content, key: &str) -> Result<&'a Vec<Value>, String> {
    content.metadata.get(key).and_then(|v| v.to_vec().ok()).ok_or_else(|| format!("the file has no `{key}`"))
}

fn sentencepiece(content: &Content) -> Result<Tokenizer, String> {
    let tokens: Vec<String> = array(content, "tokenizer.ggml.tokens")?
        .iter()
        .map(|v| v.to_string().cloned().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let scores: Vec<f32> = match array(content, "tokenizer.ggml.scores") {
        Ok(values) => values.iter().map(|v| v.to_f32().unwrap_or(0.0)).collect(),
        Err(_) => (0..tokens.len()).map(|i| -(i as f32)).collect(),
    };
    let types: Vec<u32> = match array(content, "tokenizer.ggml.token_type") {
        Ok(values) => {
            values.iter().map(|v| v.to_i32().map(|t| t as u32).or_else(|_| v.to_u32()).unwrap_or(1)).collect()
        }
        Err(_) => vec![1; tokens.len()],
    };
    if scores.len() != tokens.len() || types.len() != tokens.len() {
        return Err("tokenizer tokens, scores and types differ in length".into());
    }
    const NORMAL: u32 = 1;
    const CONTROL: u32 = 3;
    const USER_DEFINED: u32 = 4;

    let vocab: tokenizers::models::bpe::Vocab = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
    // Every way of splitting a normal piece into two pieces is a merge; SentencePiece
    // applies the merge whose result scores highest first.
    let mut ranked: Vec<(f32, u32, String, String)> = Vec::new();
    for (id, piece) in tokens.iter().enumerate() {
        if types[id] != NORMAL || piece.chars().nth(1).is_none() {
            continue;
        }
        for (cut, _) in piece.char_indices().skip(1) {
            let (left, right) = piece.split_at(cut);
            if vocab.contains_key(left) && vocab.contains_key(right) {
                ranked.push((scores[id], id as u32, left.to_string(), right.to_string()));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let merges: Vec<(String, String)> = ranked.into_iter().map(|(_, _, l, r)| (l, r)).collect();

    let mut builder = BPE::builder().vocab_and_merges(vocab, merges).byte_fallback(true).fuse_unk(true);
    if let Some(unk) = integer(content, "tokenizer.ggml.unknown_token_id").and_then(|id| tokens.get(id as usize)) {
        builder = builder.unk_token(unk.clone());
    }
    let bpe = builder.build().map_err(|e| format!("tokenizer: {e}"))?;
    let mut tokenizer = Tokenizer::new(bpe);

    let add_space_prefix = matches!(content.metadata.get("tokenizer.ggml.add_space_prefix"), Some(Value::Bool(true)));
    let mut normalizers: Vec<NormalizerWrapper> = Vec::new();
    if add_space_prefix {
        normalizers.push(Prepend::new("▁".into()).into());
    }
    normalizers.push(Replace::new(" ", "▁").map_err(|e| e.to_string())?.into());
    tokenizer.with_normalizer(Some(tokenizers::normalizers::Sequence::new(normalizers))).map_err(|e| e.to_string())?;
    let mut decoders: Vec<DecoderWrapper> = vec![
        Replace::new("▁", " ").map_err(|e| e.to_string())?.into(),
        ByteFallback::default().into(),
        Fuse::default().into(),
    ];
    if add_space_prefix {
        decoders.push(Strip::new(' ', 1, 0).into());
    }
    tokenizer.with_decoder(Some(DecoderSequence::new(decoders)));

    let specials: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .filter(|(_, t)| **t == CONTROL || **t == USER_DEFINED)
        .map(|(tok, _)| AddedToken::from(tok.clone(), true))
        .collect();
    tokenizer.add_special_tokens(specials).map_err(|e| e.to_string())?;

    let add_bos = !matches!(content.metadata.get("tokenizer.ggml.add_bos_token"), Some(Value::Bool(false)));
    if let (true, Some(bos)) = (
        add_bos,
        integer(content, "tokenizer.ggml.bos_token_id").and_then(|id| tokens.get(id as usize).map(|t| (t, id))),
    ) {
        let processor = TemplateProcessing::builder()
            .try_single(format!("{} $0", bos.0))
            .and_then(|b| b.try_pair(format!("{} $A $B", bos.0)))
            .map_err(|e| e.to_string())?
            .special_tokens(vec![(bos.0.clone(), bos.1 as u32)])
            .build()
            .map_err(|e| e.to_string())?;
        tokenizer.with_post_processor(Some(processor));
    }
    Ok(tokenizer)
}
