use clap::{Parser, Subcommand};
use drugchatter_engine::DEFAULT_EMBED_TOKENS;
use std::path::PathBuf;

/// DrugChatter: offline, cited answers about medicines.
#[derive(Parser, Debug)]
#[command(name = "drugchatter", version, about)]
pub struct Args {
    /// Where indexes live [default: the platform data directory; env DRUGCHATTER_DATA_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The models folder holding manifest.json [default: ./models; env DRUGCHATTER_MODELS_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug); DRUGCHATTER_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build or update the index of the monograph library (only changed files are re-embedded)
    Index {
        /// The folder of monographs [default: ./corpus; env DRUGCHATTER_CORPUS_DIR]
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// Then store the passage vectors beside the monographs (<corpus>/vectors/), so a
        /// first use elsewhere embeds only what changed since. Run after editing the corpus
        #[arg(long)]
        store_vectors: bool,
    },
    /// Import FDA labels into a library of their own: openFDA JSON / JSON Lines (optionally
    /// gzipped), DailyMed SPL XML, DailyMed zips, or folders of these. Safe to interrupt:
    /// running it again continues where it stopped
    Import {
        /// Files or folders to import
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The library to import into (created if new)
        #[arg(long, default_value = "fda-labels", value_name = "NAME")]
        library: String,
        /// Tokens of each passage the embedder reads (more is slower; at most 256)
        #[arg(long, default_value_t = DEFAULT_EMBED_TOKENS as u16, value_parser = clap::value_parser!(u16).range(16..=256))]
        embed_tokens: u16,
        /// Print the import report as JSON
        #[arg(long)]
        json: bool,
    },
    /// List or remove libraries
    Library {
        #[command(subcommand)]
        action: LibraryAction,
    },
    /// Check monographs against the format: front matter, sections, FAQs, unique names
    Lint {
        /// The folder of monographs [default: ./corpus]
        dir: Option<PathBuf>,
    },
    /// Show the passages that best answer a question
    Search {
        /// The question, e.g. "How does imiquimod work?"
        question: String,
        /// How many passages to show
        #[arg(short, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
        k: u16,
        /// Print the results as JSON (schema in README)
        #[arg(long)]
        json: bool,
    },
    /// A drug class's page: its members, and the interactions and warnings two or more of
    /// them state, each line cited to its monograph. Without a name, lists the classes
    Class {
        /// The class as listed, e.g. "ACE inhibitors"
        name: Option<String>,
        /// Print the page as JSON
        #[arg(long)]
        json: bool,
    },
    /// Answer a question from the library, streaming the answer, then its numbered sources
    Ask {
        /// The question, e.g. "How does imiquimod work?"
        question: String,
        #[command(flatten)]
        answer: AnswerArgs,
    },
    /// An interactive session: follow-up questions keep the drug of the previous turn
    Chat {
        #[command(flatten)]
        answer: AnswerArgs,
    },
    /// Run a question set (JSONL, see eval/README.md) and report retrieval, verification and abstention quality
    Eval {
        /// The question set
        file: PathBuf,
        /// Only the first N questions
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Write each answer (with the model's raw text) as a JSON line to FILE, for diagnosis
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
        #[command(flatten)]
        answer: AnswerArgs,
    },
    /// Measure retrieval: embedding throughput, index build and load, query latency, recall, memory
    Bench {
        /// The folder of monographs [default: ./corpus]
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// Questions to time, one JSON object with a "question" per line
        #[arg(long, value_name = "FILE", default_value = "eval/questions.jsonl")]
        questions: PathBuf,
        /// Size of the synthetic index to measure as well (0 to skip)
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        synthetic: usize,
        /// Skip the bundled corpus (which embeds every passage) and measure only the synthetic index
        #[arg(long)]
        synthetic_only: bool,
        /// Instead, import these label files into a scratch library and measure the import
        #[arg(long, value_name = "PATH", num_args = 1..)]
        import: Vec<PathBuf>,
        /// With --import: tokens of each passage the embedder reads
        #[arg(long, default_value_t = DEFAULT_EMBED_TOKENS as u16, value_parser = clap::value_parser!(u16).range(16..=256))]
        embed_tokens: u16,
        /// Instead, measure the embedder: passages and tokens per second on a fixed sample of
        /// 1,000 of the corpus's passages, then a first index build of the corpus
        #[arg(long)]
        embedding: bool,
        /// Instead, measure answer generation: candle against llama.cpp on the same GGUF and prompt
        #[arg(long)]
        generation: bool,
        /// With --generation: the question whose answer prompt is timed
        #[arg(long, default_value = "how much ibuprofen can I take in a day for back pain")]
        question: String,
        /// With --generation: a GGUF file [default: the bundled SmolLM2]
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        /// With --generation: tokens to generate
        #[arg(long, default_value_t = 64)]
        max_tokens: usize,
        /// With --generation: the Python that has llama-cpp-python (scripts/setup-llama-cpp.sh)
        /// [default: ~/.cache/drugchatter/llama-venv/bin/python if present]
        #[arg(long, value_name = "PATH")]
        llama_python: Option<PathBuf>,
        /// With --generation: runs per engine and prompt (the median is shown)
        #[arg(long, default_value_t = 3)]
        repeats: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum LibraryAction {
    /// The bundled library and every imported one, with counts
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete an imported library (its labels, documents and index)
    Remove { name: String },
}

#[derive(clap::Args, Debug, Clone)]
pub struct AnswerArgs {
    /// Print the answer object as JSON (schema in README)
    #[arg(long)]
    pub json: bool,
    /// A GGUF model to answer with (llama, qwen2, qwen3, gemma3, phi3) [default: the bundled SmolLM2]
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Most tokens to generate
    #[arg(long, default_value_t = 160, value_parser = clap::value_parser!(u16).range(1..=2048))]
    pub max_tokens: u16,
    /// Also show sentences that failed verification, marked "(unverified)"
    #[arg(long)]
    pub show_unverified: bool,
    /// Let the model end sentences without a source marker (no citation-constrained decoding)
    #[arg(long)]
    pub free_citations: bool,
    /// Let the model open its reply as it likes, not with the name of the drug asked about
    #[arg(long)]
    pub free_opening: bool,
    /// Score added to the token that continues the source wording the model is repeating
    /// (0 turns copy-biased decoding off) [default: the engine's]
    #[arg(long, value_name = "SCORE")]
    pub copy_bias: Option<f32>,
    /// Answer by quoting the library only, without loading a model
    #[arg(long, conflicts_with = "model")]
    pub no_model: bool,
}
