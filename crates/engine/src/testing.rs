//! The internal stages that tests and fuzz targets check on their own, below [`Engine`]'s
//! API: chunking, the importers, the index on disk, drug resolution, the verifier and its
//! fixture, the prompt's budget and the notices. Public only for this crate's `tests/`, the
//! workspace's `tests/` and `fuzz/`; the CLI and the app never name it (they have the
//! [`Engine`] API, and the CLI's measurements [`crate::bench`]).
//!
//! The submodules are named after the engine's own, so a test reads as the code it checks.
//!
//! [`Engine`]: crate::Engine

// An engine's loaded parts: tests read its index and embed with its model.
pub use crate::bench::{Embedder, EngineParts, Index, Library};
// Tests compare a stored vector with a fresh embedding.
pub use crate::embed::cosine;
// Drug resolution on its own (the question fuzz target, the verifier's tests).
pub use crate::retrieve::DrugCatalog;
// What an importer makes of one label (the openFDA and SPL fuzz targets).
pub use crate::import::Found;

/// Sections into passages: `tests/chunking.rs`, the fuzz targets' span checks.
pub mod chunk {
    pub use crate::chunk::{chunk_monograph, Chunk, MAX_WORDS};
}

/// A library folder read without an index: the question fuzz target's drugs.
pub mod corpus {
    pub use crate::corpus::{parse_file, scan, Drug, SourceFile};
}

/// The index's parts: what is embedded for a chunk (`tests/index_lifecycle.rs`), the
/// generation pointer and format a damaged index is checked against (`tests/index_corruption.rs`),
/// the embedding cache and the vectors stored with a corpus, read from any file (fuzz target
/// `embedding_cache`).
pub mod index {
    pub use crate::index::embed_cache::{key as cache_key, EmbeddingCache};
    pub use crate::index::embedding_text;
    pub use crate::index::store::{current_generation, FORMAT_VERSION};

    /// The vectors stored beside a corpus (`<corpus>/vectors/<slug>.vec`).
    pub mod stored_vectors {
        pub use crate::index::stored_vectors::{load, save, DrugVectors, DIR};
    }
}

/// The importer's input reading (files, gzip, zips, with their limits) on bytes named as a
/// file, and the unpacking limit a file of a given size gets (fuzz target `archive`).
pub mod input {
    pub use crate::import::input::{read_bytes, unpack_limit};
}

/// A label stored and read back as the next import finds it (fuzz target `label_store`).
pub mod store {
    pub use crate::import::store::round_trip;
}

/// The openFDA importer on raw bytes (fuzz target `openfda`).
pub mod openfda {
    pub use crate::import::openfda::read;
}

/// The SPL importer on raw XML (fuzz target `spl`).
pub mod spl {
    pub use crate::import::spl::parse;
}

/// A label's drug key and its rendering as a document (the fuzz targets' label checks), a
/// drug's labels as documents within a size (fuzz target `render_many`), and the parts of a
/// label (fuzz targets `label_store` and `render_many` build labels of their own).
pub mod label {
    pub use crate::import::label::{drug_key, newest_first, render, render_within, Label, LabelSection, Part};
}

/// Which sections a question asks about (the question fuzz target).
pub mod intent {
    pub use crate::retrieve::intent::detect;
}

/// The question's cleaning before its rule (the question fuzz target).
pub use crate::answer::sanitize_question;

/// The sources laid out within the prompt's token budget (the question fuzz target).
pub mod prompt {
    pub use crate::answer::prompt::{fit, user_turn};
}

/// Which notices a question gets, in order (the question fuzz target).
pub mod safety {
    pub use crate::answer::safety::notices;
}

/// Quantities with normalised units (`tests/verifier.rs`, the question fuzz target).
pub mod numbers {
    pub use crate::answer::numbers::{quantities, supported, Quantity};
}

/// Sentence splitting as the verifier and the prompt see it (`tests/verifier.rs`).
pub use crate::text::sentences;

/// The verifier on crafted outputs (`tests/verifier.rs`, the question fuzz target), and the
/// fixture its tests share.
pub mod verify {
    pub use crate::answer::verify::{negated, split_cited, strip_citations, word_overlap};
    pub use crate::answer::Verifier;
    use crate::{Passage, SectionKind, Source, Span};

    /// The source numbered `n`: a passage of `drug`'s `section` holding `text`, as if the
    /// whole file.
    pub fn source(n: usize, drug: &str, section: &str, kind: SectionKind, text: &str) -> Source {
        let passage = Passage {
            chunk_id: format!("{}:{n}", drug.to_lowercase()),
            drug: drug.into(),
            drug_slug: drug.to_lowercase(),
            library: "bundled".into(),
            section: section.into(),
            section_path: vec![section.into()],
            section_kind: kind,
            source: format!("{}.md", drug.to_lowercase()).into(),
            span: Span::new(0, text.len()),
            text: text.into(),
            label: None,
        };
        Source { n, passage }
    }
}
