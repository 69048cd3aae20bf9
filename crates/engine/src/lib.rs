//! The DrugChatter engine: monographs in, cited passages out.
//!
//! [`Engine`] is the one API the CLI and the desktop shell use, with the plain data it takes
//! and returns, re-exported here at the root; every module is private. It knows nothing of
//! terminals or windows: progress comes out through [`Progress`], errors are typed
//! ([`Error`]) and results are plain serialisable structs. Two modules open a window on the
//! internals, each for named clients only: [`bench`](mod@bench) (the CLI's `bench` and `eval`) and
//! [`testing`] (tests and fuzz targets).

mod allocator;
mod answer;
mod atomic;
/// The CLI's `bench` and `eval` measure the index, retrieval and the prompts directly.
pub mod bench;
mod browse;
mod chunk;
mod corpus;
mod embed;
mod error;
mod import;
mod index;
mod library;
mod lint;
mod model_manifest;
mod paths;
mod progress;
mod retrieve;
/// Tests (this crate's and the workspace's) and the fuzz targets check internal stages.
pub mod testing;
mod text;
mod writer_lock;

// The answer and what shapes it: `Engine::ask`'s result and options (CLI, app, UI types).
pub use answer::{
    Abstention, Answer, AnswerSentence, AnswerStatus, AnswerUpdate, AskOptions, Candidate, Clarification, Conversation,
    Coverage, Notice, OtherQuestions, ProfileLink, SentenceStatus, Source, Thresholds, Timings,
};
// The one question rule: the app checks arguments with it before they reach `ask`.
pub use answer::{check_question, QuestionProblem, QuestionType, MAX_QUESTION_CHARS};
// Profile pages and autocomplete (`Engine::drugs`, `Engine::monograph`).
pub use browse::{BlockView, DrugSummary, MonographView, SectionView};
// Class pages (`Engine::drug_classes`, `Engine::drug_class`: CLI `class`, app class view).
pub use browse::{ClassPage, ClassSummary, MemberLine, SharedFact};
// What every call fails with, typed for clients to match on (CLI, app's `AppError`).
pub use error::{Error, Result};
// A monograph that failed to parse, in `BuildReport.failures` (CLI `index`, app start-up).
pub use corpus::FileFailure;
// The monograph types the passages and profile pages carry, so clients need not name the
// monograph crate.
pub use drugchatter_monograph::{LabelSource, SectionKind, Span};
// `Engine::import`'s options and report (CLI `import`, app import command).
pub use import::{ImportOptions, ImportReport, Skipped, DEFAULT_EMBED_TOKENS};
// `Engine::update_index`'s report (CLI `index`, app start-up).
pub use index::BuildReport;
// `Engine::library_infos` (CLI `library list`, app library view).
pub use library::{LibraryInfo, LibraryKind, BUNDLED_LIBRARY};
// `drugchatter lint` checks a folder without loading any model.
pub use lint::{lint, LintReport, Problem};
// Where the engine's files are; the app overrides them from its bundled resources.
pub use paths::{Paths, CORPUS_DIR_ENV, DATA_DIR_ENV, MODELS_DIR_ENV};
// Long work reports and is cancelled through `Progress` (CLI bar, app events).
pub use progress::{Progress, Silent, Stage};
// `Engine::search`'s results (CLI `search`, app search command).
pub use retrieve::{Hit, Intent, MatchKind, Passage, ResolvedDrug, SearchResults};

use embed::Embedder;
use library::Library;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Deletes an imported library from disk without opening an engine (no model is loaded):
/// `drugchatter library remove`. An open engine uses [`Engine::remove_library`].
pub fn remove_library(paths: &Paths, name: &str) -> Result<()> {
    library::remove(paths, name)
}

/// Writes a file so that a crash leaves the old or the new content, never a mix: the app
/// saves its settings this way, as the engine saves everything.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic::write(path, bytes)
}

/// The engine: its libraries (the bundled one and each import), the embedding model and
/// the answer model. The one API of this crate; see the crate docs.
pub struct Engine {
    paths: Paths,
    embedder: Embedder,
    /// The bundled library first (when indexed), then imported ones by name.
    libraries: Vec<Library>,
    /// The answer model. One ask at a time: a second `ask` waits for the first.
    generator: Mutex<Option<answer::Generator>>,
}

/// The generator model shipped with DrugChatter.
const DEFAULT_GENERATOR: &str = "smollm2-135m-instruct-q4_1";

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

    /// The bundled library, if its index exists.
    fn bundled(&self) -> Option<&Library> {
        self.libraries.iter().find(|l| l.kind == LibraryKind::Bundled)
    }

    /// Whether the bundled library's index is loaded: the app says when it builds it first.
    pub fn has_bundled_index(&self) -> bool {
        self.bundled().is_some()
    }

    /// Brings the bundled library's index up to date with `corpus_dir` (default: the
    /// configured corpus), re-embedding only changed monographs.
    pub fn update_index(&mut self, corpus_dir: Option<&Path>, progress: &dyn Progress) -> Result<BuildReport> {
        let corpus_dir = corpus_dir.unwrap_or(&self.paths.corpus_dir).to_path_buf();
        let root = self.paths.index_dir(BUNDLED_LIBRARY);
        // Vectors stored with the corpus spare a first use most of its embedding.
        let options = index::BuildOptions { stored_vectors: Some(corpus_dir.clone()), ..Default::default() };
        let (index, report) = index::build(&root, &corpus_dir, BUNDLED_LIBRARY, &self.embedder, &options, progress)?;
        self.libraries.retain(|l| l.kind != LibraryKind::Bundled);
        self.libraries.insert(0, Library::new(BUNDLED_LIBRARY, LibraryKind::Bundled, corpus_dir, index));
        Ok(report)
    }

    /// Stores the bundled library's passage vectors beside its corpus
    /// (`<corpus>/vectors/<slug>.vec`), so a later first use, here or on another machine,
    /// embeds only what changed since. Returns the number of monographs written and where.
    pub fn store_vectors(&self) -> Result<(usize, PathBuf)> {
        let library = self.bundled().ok_or_else(|| Error::NoIndex { path: self.paths.index_dir(BUNDLED_LIBRARY) })?;
        let written = index::store_vectors(&library.index, &library.source_dir, &self.embedder)?;
        Ok((written, library.source_dir.join(index::stored_vectors::DIR)))
    }

    /// Builds the bundled index only if there is none yet (first use).
    pub fn ensure_index(&mut self, progress: &dyn Progress) -> Result<Option<BuildReport>> {
        if self.has_bundled_index() {
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

    /// Imports FDA label files into a library of their own (docs/engine-api.md). Takes `&self`
    /// so asking can go on meanwhile; call [`Engine::reload_libraries`] afterwards to
    /// search the new material.
    pub fn import(&self, inputs: &[PathBuf], options: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport> {
        import::import(&self.paths, &self.embedder, inputs, options, progress)
    }

    /// Deletes an imported library from disk and stops searching it.
    pub fn remove_library(&mut self, name: &str) -> Result<()> {
        remove_library(&self.paths, name)?;
        self.libraries.retain(|l| l.name != name || l.kind == LibraryKind::Bundled);
        Ok(())
    }

    /// Every drug of every library, for autocomplete and browsing.
    pub fn drugs(&self) -> Vec<DrugSummary> {
        browse::drugs(&self.libraries)
    }

    /// A drug's whole document, for its profile page.
    pub fn monograph(&self, library: &str, slug: &str) -> Result<MonographView> {
        browse::monograph(&self.libraries, library, slug)
    }

    /// Every drug class with members in the libraries, for browsing and autocomplete.
    pub fn drug_classes(&self) -> Vec<ClassSummary> {
        browse::classes(&self.libraries)
    }

    /// A class's page: its members and the interactions and warnings they share, each as
    /// every member's own line.
    pub fn drug_class(&self, name: &str) -> Result<ClassPage> {
        browse::class_page(&self.libraries, name)
    }

    /// The loaded libraries with their counts.
    pub fn library_infos(&self) -> Vec<LibraryInfo> {
        self.libraries.iter().map(Library::info).collect()
    }

    /// Answers a question from the library. The model's draft, and each of its sentences
    /// once verified, stream to `on_update` as they are written (return `false` to cancel);
    /// the returned answer holds only what passed verification, or quotes, or an
    /// abstention. `conversation` carries the drugs of earlier turns into follow-ups.
    pub fn ask(
        &self,
        question: &str,
        conversation: &mut Conversation,
        options: &AskOptions,
        on_update: &mut dyn FnMut(AnswerUpdate<'_>) -> bool,
    ) -> Result<Answer> {
        let cx = answer::Context { paths: &self.paths, embedder: &self.embedder, libraries: &self.libraries };
        let mut generator = self.generator.lock().unwrap_or_else(|e| e.into_inner());
        answer::answer(&cx, generator.as_mut(), question, conversation, options, on_update)
    }
}
