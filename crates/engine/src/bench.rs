//! What the CLI's `bench` measures inside the engine: the answer prompts the engine
//! really builds. Public only for that client; nothing else should need it.

use crate::answer::prompt;
use crate::retrieve::Hit;
use drugchatter_llm::Llm;

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
