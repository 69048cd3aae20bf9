//! Chat formats. A GGUF's `tokenizer.chat_template` is a Jinja program; rather than run
//! Jinja we recognise the family by its markers (the families we support all have fixed
//! layouts) and fall back to the architecture's usual format.

use super::Architecture;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatFormat {
    /// `<|im_start|>role … <|im_end|>`: SmolLM2, Qwen.
    ChatMl,
    /// `<start_of_turn>user … <end_of_turn>`: Gemma (no system role).
    Gemma,
    /// `<|user|> … <|end|>`: Phi-3.
    Phi3,
    /// `<|start_header_id|>role<|end_header_id|> … <|eot_id|>`: Llama 3.
    Llama3,
    /// `[INST] <<SYS>> … [/INST]`: Llama 2 and Mistral-style.
    Llama2,
}

/// Tokens that end a turn in one format or another.
const END_OF_TURN: &[&str] =
    &["<|im_end|>", "<end_of_turn>", "<|end|>", "<|eot_id|>", "<|endoftext|>", "</s>", "<eos>"];

impl ChatFormat {
    pub fn detect(template: Option<&str>, architecture: Architecture) -> ChatFormat {
        if let Some(t) = template {
            if t.contains("<|im_start|>") {
                return ChatFormat::ChatMl;
            }
            if t.contains("<start_of_turn>") {
                return ChatFormat::Gemma;
            }
            if t.contains("<|start_header_id|>") {
                return ChatFormat::Llama3;
            }
            if t.contains("<|user|>") {
                return ChatFormat::Phi3;
            }
            if t.contains("[INST]") {
                return ChatFormat::Llama2;
            }
        }
        match architecture {
            Architecture::Qwen2 | Architecture::Qwen3 | Architecture::Llama => ChatFormat::ChatMl,
            Architecture::Gemma3 => ChatFormat::Gemma,
            Architecture::Phi3 => ChatFormat::Phi3,
        }
    }

    /// One system instruction and one user turn, ending where the assistant's reply begins.
    pub fn render(self, system: &str, user: &str) -> String {
        match self {
            ChatFormat::ChatMl => format!(
                "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
            ),
            ChatFormat::Gemma => {
                format!("<start_of_turn>user\n{system}\n\n{user}<end_of_turn>\n<start_of_turn>model\n")
            }
            ChatFormat::Phi3 => format!("<|system|>\n{system}<|end|>\n<|user|>\n{user}<|end|>\n<|assistant|>\n"),
            ChatFormat::Llama3 => format!(
                "<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
            ),
            ChatFormat::Llama2 => format!("[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]"),
        }
    }
}

/// The end-of-sequence token plus every end-of-turn token the vocabulary has.
pub(crate) fn stop_tokens(tokenizer: &tokenizers::Tokenizer, eos: Option<u32>) -> Vec<u32> {
    let mut stops: Vec<u32> = END_OF_TURN.iter().filter_map(|t| tokenizer.token_to_id(t)).collect();
    stops.extend(eos);
    stops.sort_unstable();
    stops.dedup();
    stops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_families_from_templates() {
        let chatml = "{% for message in messages %}<|im_start|>{{ message['role'] }}";
        assert_eq!(ChatFormat::detect(Some(chatml), Architecture::Gemma3), ChatFormat::ChatMl);
        assert_eq!(ChatFormat::detect(Some("{{ '<start_of_turn>' }}"), Architecture::Llama), ChatFormat::Gemma);
        assert_eq!(ChatFormat::detect(None, Architecture::Phi3), ChatFormat::Phi3);
        let prompt = ChatFormat::ChatMl.render("Be brief.", "Hi?");
        assert_eq!(
            prompt,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
        );
    }
}
