//! What the engine needs from a GGUF file's metadata.

use candle_core::quantized::gguf_file::{Content, Value};
use serde::Serialize;

/// The model families candle-transformers ships quantized code for that we dispatch to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Llama,
    Qwen2,
    Qwen3,
    Gemma3,
    Phi3,
}

impl Architecture {
    pub const SUPPORTED: &'static str = "llama, qwen2, qwen3, gemma3, phi3";

    fn from_name(name: &str) -> Option<Architecture> {
        Some(match name {
            "llama" => Architecture::Llama,
            "qwen2" => Architecture::Qwen2,
            "qwen3" => Architecture::Qwen3,
            "gemma3" => Architecture::Gemma3,
            "phi3" => Architecture::Phi3,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Architecture::Llama => "llama",
            Architecture::Qwen2 => "qwen2",
            Architecture::Qwen3 => "qwen3",
            Architecture::Gemma3 => "gemma3",
            Architecture::Phi3 => "phi3",
        }
    }
}

pub(crate) struct Info {
    pub architecture: Architecture,
    pub context_length: usize,
    pub chat_template: Option<String>,
    pub eos_token_id: Option<u32>,
}

pub(crate) fn string(content: &Content, key: &str) -> Option<String> {
    content.metadata.get(key).and_then(|v| v.to_string().ok()).cloned()
}

pub(crate) fn integer(content: &Content, key: &str) -> Option<u64> {
    match content.metadata.get(key)? {
        Value::U8(v) => Some(*v as u64),
        Value::U16(v) => Some(*v as u64),
        Value::U32(v) => Some(*v as u64),
        Value::U64(v) => Some(*v),
        Value::I8(v) => u64::try_from(*v).ok(),
        Value::I16(v) => u64::try_from(*v).ok(),
        Value::I32(v) => u64::try_from(*v).ok(),
        Value::I64(v) => u64::try_from(*v).ok(),
        _ => None,
    }
}

impl Info {
    pub fn read(content: &Content) -> Result<Info, String> {
        let name = string(content, "general.architecture").ok_or("the file has no `general.architecture`")?;
        let architecture =
            Architecture::from_name(&name).ok_or_else(|| format!("its architecture `{name}` is not supported"))?;
        // candle's llama code precomputes rotary tables for 4096 positions; never go past them.
        let declared = integer(content, &format!("{name}.context_length")).unwrap_or(2048) as usize;
        let context_length = match architecture {
            Architecture::Llama => declared.min(4096),
            _ => declared.min(8192),
        };
        Ok(Info {
            architecture,
            context_length,
            chat_template: string(content, "tokenizer.chat_template"),
            eos_token_id: integer(content, "tokenizer.ggml.eos_token_id").map(|v| v as u32),
        })
    }
}
