//! Output formats, kept apart from the engine: people read `standard`, programs read `json`.

pub mod answer;
pub mod json;
pub mod standard;
