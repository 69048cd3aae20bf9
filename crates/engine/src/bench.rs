//! What the CLI's `bench` and `eval` measure inside the engine, below [`Engine`]'s API: the
//! index's parts (load time, the vector graph's recall, BM25 at scale), retrieval within one
//! library, the answer prompts the engine really builds, and the quantities of a shown
//! sentence. Public only for those two clients; nothing else should need it.

use crate::answer::prompt;
use crate::retrieve::Hit;
use crate::Engine;
use drugchatter_llm::Llm;

// `eval` counts the numbers a shown sentence has that its passage lacks.
pub use crate::answer::numbers::{quantities, supported, Quantity};
// `bench` times index loads, compares the graph with exact search, and builds BM25 alone.
pub use crate::index::lexical::Bm25;
pub use crate::index::vector::{Ann, Vectors};
pub use crate::index::Index;
pub use crate::library::Library;
// `bench` embeds questions itself, to time the search alone.
pub use crate::embed::Embedder;
// `bench` measures retrieval in one library, without the merge across libraries.
pub use crate::retrieve::search;

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
