//! The DrugChatter engine: monographs in, cited passages out.
//!
//! [`Engine`] is the one API the CLI and the desktop shell use. It knows nothing of
//! terminals or windows: progress comes out through [`progress::Progress`], errors are typed
//! ([`Error`]) and results are plain serialisable structs.

pub mod allocator;
pub mod answer;
pub mod atomic;
/// The CLI's `bench` measures the prompts the engine builds.
pub mod bench;
pub mod browse;
pub mod chunk;
pub mod corpus;
pub mod embed;
pub mod error;
pub mod import;
pub mod index;
pub mod library;
pub mod lint;
pub mod model_manifest;
pub mod paths;
pub mod progress;
pub mod retrieve;
pub mod text;
mod writer_lock;

pub use error::{Error, Result};
pub use paths::Paths;

use answer::{Answer, AskOptions, Conversation};
use embed::Embedder;
use index::BuildReport;
pub use library::{Library, LibraryInfo, LibraryKind, BUNDLED_LIBRARY};
use progress::Progress;
use retrieve::SearchResults;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Engine {
    paths: Paths,
    embedder: Embedder,
    /// The bundled library first (when indexed), then imported ones by name.
    libraries: Vec<Library>,
    /// The answer model. One ask at a time: a second `ask` waits for the first.
    generator: Mutex<Option<answer::Generator>>,
}

/// The generator model shipped with DrugChatter.
pub const DEFAULT_GENERATOR: &str = "smollm2-135m-instruct-q4_1";

impl Engine {
    /// Loads the embedding model and every library whose index exists. Nothing is built
    /// here; see [`Engine::update_index`].
    pub fn open(paths: Paths) -> Result<Engine> {
        allocator::keep_freed_memory();
        let embedder = Embedder::load(&paths.models_dir)?;
        let mut engine = Engine { paths, embedder, libraries: Vec::new(), generator: Mutex::new(None) };
        engine.reload_libraries();
        Ok(engine)
    }

    /// Re-reads the libraries from disk: after an import or a removal by another process.
    pub fn reload_libraries(&mut self) {
        let fingerprint = &self.embedder.fingerprint;
        let mut libraries = Vec::new();
        if let Some(index) = library::load(&self.paths.index_dir(BUNDLED_LIBRARY), fingerprint) {
            libraries.push(Library::new(BUNDLED_LIBRARY, LibraryKind::Bundled, self.paths.corpus_dir.clone(), index));
        }
        for name in library::imported_names(&self.paths) {
            if let Some(index) = library::load(&self.paths.index_dir(&name), fingerprint) {
                let documents = library::documents_dir(&self.paths, &name);
                libraries.push(Library::new(&name, LibraryKind::Imported, documents, index));
            }
        }
        self.libraries = libraries;
    }

    /// The bundled generator's file, verified against the model manifest.
    pub fn default_generator_path(&self) -> Result<PathBuf> {
        let model = model_manifest::verify(&self.paths.models_dir, DEFAULT_GENERATOR)?;
        Ok(model.file(&model.files[0]))
    }

    /// Loads a generator: the bundled one, or a GGUF file of the user's. Until one loads,
    /// `ask` answers by quoting the sources.
    pub fn load_generator(&self, path: Option<&Path>) -> Result<String> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => self.default_generator_path()?,
        };
        let generator = answer::Generator::load(&path)?;
        let id = generator.id().to_string();
        *self.generator.lock().unwrap_or_else(|e| e.into_inner()) = Some(generator);
        Ok(id)
    }

    pub fn has_generator(&self) -> bool {
        self.generator.lock().map(|g| g.is_some()).unwrap_or(false)
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// The bundled library, if its index exists.
    pub fn library(&self) -> Option<&Library> {
        self.libraries.iter().find(|l| l.kind == LibraryKind::Bundled)
    }

    /// Every loaded library, the bundled one first.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// Brings the bundled library's index up to date with `corpus_dir` (default: the
    /// configured corpus), re-embedding only changed monographs.
    pub fn update_index(&mut self, corpus_dir: Option<&Path>, progress: &dyn Progress) -> Result<BuildReport> {
        let corpus_dir = corpus_dir.unwrap_or(&self.paths.corpus_dir).to_path_buf();
        let root = self.paths.index_dir(BUNDLED_LIBRARY);
        let (index, report) =
            index::build(&root, &corpus_dir, BUNDLED_LIBRARY, &self.embedder, &Default::default(), progress)?;
        self.libraries.retain(|l| l.kind != LibraryKind::Bundled);
        self.libraries.insert(0, Library::new(BUNDLED_LIBRARY, LibraryKind::Bundled, corpus_dir, index));
        Ok(report)
    }

    /// Builds the bundled index only if there is none yet (first use).
    pub fn ensure_index(&mut self, progress: &dyn Progress) -> Result<Option<BuildReport>> {
        if self.library().is_some() {
            return Ok(None);
        }
        self.update_index(None, progress).map(Some)
    }

    fn searchable(&self) -> Result<&[Library]> {
        if self.libraries.is_empty() {
            return Err(Error::NoIndex { path: self.paths.index_dir(BUNDLED_LIBRARY) });
        }
        Ok(&self.libraries)
    }

    fn resolve(&self, question: &str) -> Vec<retrieve::Resolution> {
        self.libraries.iter().map(|l| l.catalog.resolve(question)).collect()
    }

    /// Ranked passages for a question, from every library.
    pub fn search(&self, question: &str, k: usize) -> Result<SearchResults> {
        let libraries = self.searchable()?;
        let query_vector = self.embedder.embed_one(question)?;
        let indexes: Vec<&index::Index> = libraries.iter().map(|l| &l.index).collect();
        Ok(retrieve::search_libraries(&indexes, self.resolve(question), question, &query_vector, k))
    }

    /// Imports FDA label files into a library of their own (see [`import`]). Takes `&self`
    /// so asking can go on meanwhile; call [`Engine::reload_libraries`] afterwards to
    /// search the new material.
    pub fn import(
        &self,
        inputs: &[PathBuf],
        options: &import::ImportOptions,
        progress: &dyn Progress,
    ) -> Result<import::ImportReport> {
        import::import(&self.paths, &self.embedder, inputs, options, progress)
    }

    /// Deletes an imported library from disk and stops searching it.
    pub fn remove_library(&mut self, name: &str) -> Result<()> {
        library::remove(&self.paths, name)?;
        self.libraries.retain(|l| l.name != name || l.kind == LibraryKind::Bundled);
        Ok(())
    }

    /// Every drug of every library, for autocomplete and browsing.
    pub fn drugs(&self) -> Vec<browse::DrugSummary> {
        browse::drugs(&self.libraries)
    }

    /// A drug's whole document, for its profile page.
    pub fn monograph(&self, library: &str, slug: &str) -> Result<browse::MonographView> {
        browse::monograph(&self.libraries, library, slug)
    }

    /// The loaded libraries with their counts.
    pub fn library_infos(&self) -> Vec<LibraryInfo> {
        self.libraries.iter().map(Library::info).collect()
    }

    /// Answers a question from the library. Generated text streams to `on_text` as it is
    /// written (return `false` to cancel); the returned answer holds only what passed
    /// verification, or quotes, or an abstention. `conversation` carries the drugs of
    /// earlier turns into follow-ups.
    pub fn ask(
        &self,
        question: &str,
        conversation: &mut Conversation,
        options: &AskOptions,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Answer> {
        let cx = answer::Context { paths: &self.paths, embedder: &self.embedder, libraries: &self.libraries };
        let mut generator = self.generator.lock().unwrap_or_else(|e| e.into_inner());
        answer::answer(&cx, generator.as_mut(), question, conversation, options, on_text)
    }
}
