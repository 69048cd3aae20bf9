//! Loading a model and streaming its generation, with the logits constraint hook and the
//! prompt prefix kept between calls.

use crate::architecture::{self, Decoder};
use crate::chat::{self, ChatFormat};
use crate::error::{Error, Result};
use crate::gguf::{self, Architecture};
use crate::tokenizer;
use crate::validate;
use candle_core::{Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use serde::Serialize;
use std::io::Seek;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How to generate.
#[derive(Debug, Clone)]
pub struct GenerationParams {
    pub max_tokens: usize,
    /// 0 for greedy decoding.
    pub temperature: f64,
    /// Penalty applied to tokens already generated (1.0 = none).
    pub repeat_penalty: f32,
    /// How many recent tokens the penalty looks back over.
    pub repeat_last_n: usize,
    pub seed: u64,
    /// Keep generating past the end of the model's turn, up to `max_tokens`: for
    /// benchmarks, which compare decoding speed over the same number of tokens.
    pub ignore_end_of_turn: bool,
}

impl Default for GenerationParams {
    fn default() -> Self {
        GenerationParams {
            max_tokens: 256,
            temperature: 0.0,
            repeat_penalty: 1.1,
            repeat_last_n: 64,
            seed: 299_792_458,
            ignore_end_of_turn: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model ended its turn.
    EndOfTurn,
    MaxTokens,
    /// The callback asked to stop.
    Cancelled,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generation {
    pub text: String,
    pub prompt_tokens: usize,
    /// Leading prompt tokens whose keys and values were kept from an earlier call (see
    /// [`Llm::prime`]) rather than computed.
    pub reused_prompt_tokens: usize,
    pub generated_tokens: usize,
    pub stop: StopReason,
    /// Time to process the prompt.
    pub prefill: Duration,
    /// From the call to the first generated token.
    pub first_token: Duration,
    pub total: Duration,
}

impl Generation {
    /// Generated tokens per second after the first.
    pub fn decode_tokens_per_second(&self) -> f64 {
        let decode = self.total.saturating_sub(self.first_token).as_secs_f64();
        if self.generated_tokens > 1 && decode > 0.0 {
            (self.generated_tokens - 1) as f64 / decode
        } else {
            0.0
        }
    }
}

/// Shapes each step's choice of token, for callers that need the output to follow a form
/// (for example, to carry a citation after every sentence). The generation loop knows
/// nothing of the form: it passes the tokens generated so far and the next token's scores
/// (after the repeat penalty), and samples from whatever scores the constraint leaves.
/// Setting a score to `f32::NEG_INFINITY` forbids that token; a constraint must leave at
/// least one token allowed.
pub trait LogitsConstraint {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]);
}

impl<F: FnMut(&[u32], &mut [f32])> LogitsConstraint for F {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]) {
        self(generated, logits)
    }
}

/// Two constraints in turn: the first adjusts the scores the second sees.
impl<A: LogitsConstraint, B: LogitsConstraint> LogitsConstraint for (A, B) {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]) {
        self.0.constrain(generated, logits);
        self.1.constrain(generated, logits);
    }
}

impl<C: LogitsConstraint> LogitsConstraint for Option<C> {
    fn constrain(&mut self, generated: &[u32], logits: &mut [f32]) {
        if let Some(c) = self {
            c.constrain(generated, logits);
        }
    }
}

/// What [`Llm::load`] reads of a GGUF before its weights: the metadata, checked (`validate`)
/// before anything is allocated from it, the tokenizer built from its vocabulary, the chat
/// format and the stop tokens. The reader is past `validate::check_alignment` and rewound.
pub(crate) struct Header {
    pub content: candle_core::quantized::gguf_file::Content,
    pub info: gguf::Info,
    pub tokenizer: tokenizers::Tokenizer,
    pub format: ChatFormat,
    pub stop_tokens: Vec<u32>,
}

impl Header {
    pub fn read<R: std::io::Read + Seek>(reader: &mut R, size: u64) -> std::result::Result<Header, String> {
        let mut content = candle_core::quantized::gguf_file::Content::read(reader)
            .map_err(|e| format!("not a readable GGUF file ({e})"))?;
        let info = gguf::Info::read(&content)?;
        validate::check_model(&mut content, &info, size)?;
        let tokenizer = tokenizer::from_gguf(&content, &info)?;
        let format = ChatFormat::detect(info.chat_template.as_deref(), info.architecture);
        let stop_tokens = chat::stop_tokens(&tokenizer, info.eos_token_id);
        Ok(Header { content, info, tokenizer, format, stop_tokens })
    }
}

/// A loaded generator model.
pub struct Llm {
    model: Box<dyn Decoder>,
    tokenizer: tokenizers::Tokenizer,
    format: ChatFormat,
    stop_tokens: Vec<u32>,
    context_length: usize,
    path: PathBuf,
    architecture: Architecture,
    /// The tokens whose keys and values the model holds, in order, for models that keep
    /// them between calls (our llama decoder).
    cached: Vec<u32>,
    /// The file name, shown as the answer's model id.
    pub id: String,
}

impl Llm {
    pub fn load(path: &Path) -> Result<Llm> {
        // Every failure past opening the file has the same fix: another file.
        let load_error = |reason: String| Error::ModelLoad {
            path: path.to_path_buf(),
            reason: format!(
                "{reason}; choose a complete GGUF of a supported architecture ({}), or the bundled model \
                 (`python3 models/fetch.py`)",
                Architecture::SUPPORTED
            ),
        };
        let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::ModelMissing { path: path.to_path_buf() },
            _ => Error::Io { path: path.to_path_buf(), source: e },
        })?;
        let size = file.metadata().map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?.len();
        validate::fits_in_memory(size, validate::available_memory())
            .map_err(|(size, available)| Error::ModelTooLarge { path: path.to_path_buf(), size, available })?;
        validate::check_alignment(&mut file).map_err(load_error)?;
        file.rewind().map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        let header = Header::read(&mut file, size).map_err(load_error)?;
        let Header { content, info, tokenizer, format, stop_tokens } = header;
        let model = architecture::load(info.architecture, content, &mut file, &Device::Cpu)
            .map_err(|e| load_error(e.to_string()))?;
        let context_length = info.context_length.min(model.max_positions());
        Ok(Llm {
            model,
            tokenizer,
            format,
            stop_tokens,
            context_length,
            path: path.to_path_buf(),
            architecture: info.architecture,
            cached: Vec::new(),
            id: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        })
    }

    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// Computes the keys and values of `prompt` ahead of time: a later prompt that starts
    /// with the same tokens computes only the rest. Every answer prompt opens with the same
    /// instruction, ~70 tokens of a 500–1,000-token prompt.
    pub fn prime(&mut self, prompt: &str) -> Result<()> {
        let ids = self.encode(prompt)?;
        if !self.model.keeps_prefix() || ids.is_empty() {
            return Ok(());
        }
        let reused = self.reusable(&ids, ids.len());
        if reused < ids.len() {
            self.feed(&ids, reused).map_err(|e| Error::Generation(e.to_string()))?;
        }
        Ok(())
    }

    /// Forgets the keys and values kept from earlier calls: the next prompt is computed in
    /// full (benchmarks time it so).
    pub fn forget(&mut self) {
        self.model.reset();
        self.cached.clear();
    }

    /// How many leading tokens of `ids` (at most `limit`) the model already holds.
    fn reusable(&self, ids: &[u32], limit: usize) -> usize {
        if !self.model.keeps_prefix() {
            return 0;
        }
        self.cached.iter().zip(ids).take_while(|(a, b)| a == b).count().min(limit)
    }

    /// Runs `ids[reused..]` at positions `reused..`; returns the last position's logits.
    fn feed(&mut self, ids: &[u32], reused: usize) -> candle_core::Result<Tensor> {
        if reused == 0 {
            self.model.reset();
        }
        // Whatever happens below, the model holds at least the first `reused` tokens.
        self.cached.truncate(reused);
        let input = Tensor::new(&ids[reused..], &Device::Cpu)?.unsqueeze(0)?;
        let logits = self.model.forward(&input, reused)?;
        self.cached.extend_from_slice(&ids[reused..]);
        Ok(logits)
    }

    pub fn chat_format(&self) -> ChatFormat {
        self.format
    }

    /// The most tokens (prompt plus answer) the model attends to.
    pub fn context_length(&self) -> usize {
        self.context_length
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tokenizer(&self) -> &tokenizers::Tokenizer {
        &self.tokenizer
    }

    /// The tokens that end the model's turn.
    pub fn stop_tokens(&self) -> &[u32] {
        &self.stop_tokens
    }

    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer
            .encode(text, true)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| Error::Generation(format!("tokenizing: {e}")))
    }

    pub fn count_tokens(&self, text: &str) -> usize {
        self.encode(text).map_or(text.len() / 3, |ids| ids.len())
    }

    /// The prompt for one system instruction and one user turn, in the model's chat format.
    pub fn chat_prompt(&self, system: &str, user: &str) -> String {
        self.format.render(system, user)
    }

    /// Generates a reply to `prompt` (already in chat format). `on_text` receives each new
    /// piece of text as soon as it is complete UTF-8; returning `false` stops generation.
    pub fn generate(
        &mut self,
        prompt: &str,
        params: &GenerationParams,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Generation> {
        self.generate_constrained(prompt, params, None, on_text)
    }

    /// [`Llm::generate`], with `constraint` (if any) adjusting every step's token scores
    /// before sampling.
    pub fn generate_constrained(
        &mut self,
        prompt: &str,
        params: &GenerationParams,
        mut constraint: Option<&mut dyn LogitsConstraint>,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Generation> {
        let started = Instant::now();
        let gen_error = |e: candle_core::Error| Error::Generation(e.to_string());
        let prompt_ids = self.encode(prompt)?;
        if prompt_ids.is_empty() {
            return Err(Error::Generation("the prompt is empty".into()));
        }
        if prompt_ids.len() + 1 > self.context_length {
            return Err(Error::Generation(format!(
                "the prompt has {} tokens; the model's context holds {}",
                prompt_ids.len(),
                self.context_length
            )));
        }
        let max_tokens = params.max_tokens.min(self.context_length - prompt_ids.len());
        let sampling = if params.temperature <= 0.0 {
            Sampling::ArgMax
        } else {
            Sampling::TopP { p: 0.9, temperature: params.temperature }
        };
        let mut sampler = LogitsProcessor::from_sampling(params.seed, sampling);
        // At least the prompt's last tokens are run, for their logits and so that a kept
        // prefix changes no answer.
        let reused = self.reusable(&prompt_ids, prompt_ids.len().saturating_sub(self.model.prompt_tail()));
        let mut logits = self.feed(&prompt_ids, reused).map_err(gen_error)?;
        let prefill = started.elapsed();
        let mut first_token = None;
        let mut generated: Vec<u32> = Vec::new();
        let mut emitted = 0; // bytes of decoded text already passed to on_text
        let mut text = String::new();
        let mut stop = StopReason::MaxTokens;
        while generated.len() < max_tokens {
            let mut step = logits.squeeze(0).map_err(gen_error)?;
            if params.repeat_penalty != 1.0 && !generated.is_empty() {
                let start = generated.len().saturating_sub(params.repeat_last_n);
                step =
                    candle_transformers::utils::apply_repeat_penalty(&step, params.repeat_penalty, &generated[start..])
                        .map_err(gen_error)?;
            }
            if let Some(constraint) = constraint.as_deref_mut() {
                let mut scores =
                    step.to_dtype(candle_core::DType::F32).and_then(|t| t.to_vec1::<f32>()).map_err(gen_error)?;
                constraint.constrain(&generated, &mut scores);
                let len = scores.len();
                step = Tensor::from_vec(scores, len, &Device::Cpu).map_err(gen_error)?;
            }
            let next = sampler.sample(&step).map_err(gen_error)?;
            first_token.get_or_insert_with(|| started.elapsed());
            if self.stop_tokens.contains(&next) && !params.ignore_end_of_turn {
                stop = StopReason::EndOfTurn;
                break;
            }
            generated.push(next);
            // Decoding the whole reply each step keeps multi-byte characters split over
            // several tokens intact; only complete text is passed on.
            text =
                self.tokenizer.decode(&generated, true).map_err(|e| Error::Generation(format!("detokenizing: {e}")))?;
            if !text.ends_with('\u{fffd}') && text.len() > emitted && text.is_char_boundary(emitted) {
                let keep_going = on_text(&text[emitted..]);
                emitted = text.len();
                if !keep_going {
                    stop = StopReason::Cancelled;
                    break;
                }
            }
            let position = prompt_ids.len() + generated.len() - 1;
            let input = Tensor::new(&[next], &Device::Cpu).and_then(|t| t.unsqueeze(0)).map_err(gen_error)?;
            logits = self.model.forward(&input, position).map_err(gen_error)?;
            self.cached.truncate(position);
            self.cached.push(next);
        }
        if emitted < text.len() && stop != StopReason::Cancelled && text.is_char_boundary(emitted) {
            on_text(&text[emitted..]);
        }
        Ok(Generation {
            text,
            prompt_tokens: prompt_ids.len(),
            reused_prompt_tokens: reused,
            generated_tokens: generated.len(),
            stop,
            prefill,
            first_token: first_token.unwrap_or(prefill),
            total: started.elapsed(),
        })
    }
}
