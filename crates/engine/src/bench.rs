//! What the CLI's `bench` and `eval` measure inside the engine, below [`Engine`]'s API: the
//! index's parts (load time, the vector graph's recall, BM25 at scale), retrieval within one
//! library, the answer prompts the engine really builds, and the quantities of a shown
//! sentence. Public only for those two clients; nothing else should need it.

use crate::answer::prompt;
use crate::chunk::{chunk_monograph, drop_repeats};
use crate::index::embedding_text;
use crate::retrieve::Hit;
use crate::Engine;
use drugchatter_llm::Llm;
use std::path::Path;

// `eval` counts the numbers a shown sentence has that its passage lacks.
pub use crate::answer::numbers::{quantities, supported, Quantity};
// `bench` times index loads, compares the graph with exact search, and builds BM25 alone.
pub use crate::index::lexical::Bm25;
pub use crate::index::vector::{Ann, Vectors};
pub use crate::index::Index;
pub use crate::library::Library;
// `bench` embeds questions itself, to time the search alone, and times the embedder on
// the corpus's passages.
pub use crate::embed::{Embedder, MAX_TOKENS};
// `bench` measures retrieval in one library, without the merge across libraries.
pub use crate::retrieve::search;

/// The text of every passage of the monographs in `corpus_dir`, as the index embeds it,
/// in index order; files that fail to parse are left out.
pub fn embedding_texts(corpus_dir: &Path) -> crate::Result<Vec<String>> {
    let (files, _) = crate::corpus::scan(corpus_dir)?;
    let mut texts = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if let Ok((drug, monograph)) = crate::corpus::parse_file(file, crate::BUNDLED_LIBRARY) {
            let chunks = drop_repeats(chunk_monograph(&drug.slug, index as u32, &monograph));
            texts.extend(chunks.iter().map(|chunk| embedding_text(&drug, chunk)));
        }
    }
    Ok(texts)
}

/// The engine's loaded parts, for measurements that go below its API.
pub trait EngineParts {
    /// The embedding model.
    fn embedder(&self) -> &Embedder;
    /// The bundled library, if its index exists.
    fn library(&self) -> Option<&Library>;
    /// Every loaded library, the bundled one first.
    fn libraries(&self) -> &[Library];
}

impl EngineParts for Engine {
    fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    fn library(&self) -> Option<&Library> {
        self.bundled()
    }

    fn libraries(&self) -> &[Library] {
        &self.libraries
    }
}

/// The instruction every answer prompt opens with, as `llm` lays it out: what
/// [`Llm::prime`] computes ahead at load.
pub fn instruction(llm: &Llm) -> String {
    llm.chat_prompt(prompt::SYSTEM, "")
}

/// The answer prompt the engine would build for `question` from the first `sources` of
/// `hits` within `budget` tokens, with how many sources it kept.
pub fn answer_prompt(llm: &Llm, question: &str, hits: &[Hit], sources: usize, budget: usize) -> (usize, String) {
    let count = |turn: &str| llm.count_tokens(&llm.chat_prompt(prompt::SYSTEM, turn));
    let offered = crate::answer::sources_from_hits(&hits[..sources.min(hits.len())]);
    let kept = prompt::fit(question, offered, budget, &count);
    (kept.len(), llm.chat_prompt(prompt::SYSTEM, &prompt::user_turn(question, &kept)))
}
