//! The DrugChatter engine: monographs in, cited passages out.
//!
//! [`Engine`] is the one API the CLI and the desktop shell use. It knows nothing of
//! terminals or windows: progress comes out through [`progress::Progress`], errors are typed
//! ([`Error`]) and results are plain serialisable structs.

pub mod atomic;
pub mod chunk;
pub mod corpus;
pub mod embed;
pub mod error;
pub mod index;
pub mod models;
pub mod paths;
pub mod progress;
pub mod retrieve;
pub mod text;

pub use error::{Error, Result};
pub use paths::Paths;

use embed::Embedder;
use index::{BuildReport, Index};
use progress::Progress;
use retrieve::{DrugCatalog, SearchResults};
use std::path::Path;

/// The name of the library built from the bundled `corpus/`.
pub const BUNDLED_LIBRARY: &str = "bundled";

/// A loaded index together with its name lookup.
pub struct Library {
    pub index: Index,
    pub catalog: DrugCatalog,
}

impl Library {
    fn new(index: Index) -> Library {
        let catalog = DrugCatalog::new(&index.drugs);
        Library { index, catalog }
    }
}

pub struct Engine {
    paths: Paths,
    embedder: Embedder,
    library: Option<Library>,
}

impl Engine {
    /// Loads the embedding model and, when one exists, the bundled library's index. Nothing
    /// is built here; see [`Engine::update_index`].
    pub fn open(paths: Paths) -> Result<Engine> {
        let embedder = Embedder::load(&paths.models_dir)?;
        let library = match Index::load(&paths.index_dir(BUNDLED_LIBRARY)) {
            Ok(index) if index.manifest.model_fingerprint == embedder.fingerprint => Some(Library::new(index)),
            Ok(_) => None,
            Err(Error::NoIndex { .. }) => None,
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        };
        Ok(Engine { paths, embedder, library })
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// The loaded library, if an index exists.
    pub fn library(&self) -> Option<&Library> {
        self.library.as_ref()
    }

    /// Brings the bundled library's index up to date with `corpus_dir` (default: the
    /// configured corpus), re-embedding only changed monographs.
    pub fn update_index(&mut self, corpus_dir: Option<&Path>, progress: &dyn Progress) -> Result<BuildReport> {
        let corpus_dir = corpus_dir.unwrap_or(&self.paths.corpus_dir).to_path_buf();
        let root = self.paths.index_dir(BUNDLED_LIBRARY);
        let (index, report) = index::build(&root, &corpus_dir, BUNDLED_LIBRARY, &self.embedder, progress)?;
        self.library = Some(Library::new(index));
        Ok(report)
    }

    /// Builds the index only if there is none yet (first use).
    pub fn ensure_index(&mut self, progress: &dyn Progress) -> Result<Option<BuildReport>> {
        if self.library.is_some() {
            return Ok(None);
        }
        self.update_index(None, progress).map(Some)
    }

    /// Ranked passages for a question.
    pub fn search(&self, question: &str, k: usize) -> Result<SearchResults> {
        let library =
            self.library.as_ref().ok_or_else(|| Error::NoIndex { path: self.paths.index_dir(BUNDLED_LIBRARY) })?;
        let query_vector = self.embedder.embed_one(question)?;
        Ok(retrieve::search(&library.index, &library.catalog, question, &query_vector, k))
    }
}
