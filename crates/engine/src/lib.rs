//! The DrugChatter engine: monographs in, cited passages out.
//!
//! [`Engine`] is the one API the CLI and the desktop shell use. It knows nothing of
//! terminals or windows: progress comes out through [`progress::Progress`], errors are typed
//! ([`Error`]) and results are plain serialisable structs.

pub mod allocator;
pub mod answer;
pub mod atomic;
pub mod browse;
pub mod chunk;
pub mod corpus;
pub mod embed;
pub mod error;
pub mod import;
pub mod index;
pub mod library;
pub mod lint;
pub mod llm;
pub mod models;
pub mod paths;
pub mod progress;
pub mod retrieve;
pub mod text;

pub use error::{Error, Result};
pub use paths::Paths;

use answer::{Answer, AnswerStatus, AskOptions, Conversation, Notice, NoticeKind, Timings};
use embed::Embedder;
use index::BuildReport;
pub use library::{Library, LibraryInfo, LibraryKind, BUNDLED_LIBRARY};
use llm::{GenerationParams, Llm};
use progress::Progress;
use retrieve::SearchResults;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// Sentences of fact an answer aims for: the model's verified ones, completed by quotes.
const ANSWER_SENTENCES: usize = 3;

pub struct Engine {
    paths: Paths,
    embedder: Embedder,
    /// The bundled library first (when indexed), then imported ones by name.
    libraries: Vec<Library>,
    /// One generation at a time: a second `ask` waits for the first.
    /// The answer model, with its citation marker tokens.
    generator: Mutex<Option<(Llm, std::sync::Arc<answer::citation_decoding::MarkerTokens>)>>,
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
        let model = models::verify(&self.paths.models_dir, DEFAULT_GENERATOR)?;
        Ok(model.file(&model.files[0]))
    }

    /// Loads a generator: the bundled one, or a GGUF file of the user's. Until one loads,
    /// `ask` answers by quoting the sources.
    pub fn load_generator(&self, path: Option<&Path>) -> Result<String> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => self.default_generator_path()?,
        };
        let mut llm = Llm::load(&path)?;
        // Every answer prompt opens with the same instruction: computed now, not per question.
        if let Err(e) = llm.prime(&llm.chat_prompt(answer::prompt::SYSTEM, "")) {
            tracing::warn!("could not prepare the instruction prompt: {e}");
        }
        let id = llm.id.clone();
        let markers =
            std::sync::Arc::new(answer::citation_decoding::MarkerTokens::new(llm.tokenizer(), llm.stop_tokens()));
        *self.generator.lock().unwrap_or_else(|e| e.into_inner()) = Some((llm, markers));
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
        Ok(retrieve::search_libraries(libraries, self.resolve(question), question, &query_vector, k))
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

    fn drug_record(&self, drug: &retrieve::ResolvedDrug) -> Option<&corpus::Drug> {
        self.libraries.iter().find(|l| l.name == drug.library).and_then(|l| l.index.drugs.get(drug.index))
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
        let started = Instant::now();
        let question = answer::sanitize_question(question);
        if question.is_empty() {
            return Err(Error::InvalidQuestion("the question is empty: ask about a medicine".into()));
        }
        let length = question.chars().count();
        if length > answer::MAX_QUESTION_CHARS {
            return Err(Error::InvalidQuestion(format!(
                "the question is {length} characters long; keep it under {} characters",
                answer::MAX_QUESTION_CHARS
            )));
        }
        let libraries = self.searchable()?;

        let mut resolutions = self.resolve(&question);
        let carried_over =
            resolutions.iter().all(|r| r.drugs.is_empty() && r.unknown.is_empty()) && !conversation.drugs.is_empty();
        if carried_over {
            for (library, resolution) in libraries.iter().zip(&mut resolutions) {
                resolution.drugs = conversation.drugs.iter().filter(|d| d.library == library.name).cloned().collect();
            }
        }
        let query_vector = self.embedder.embed_one(&question)?;
        let results = retrieve::search_libraries(libraries, resolutions, &question, &query_vector, options.sources);
        let retrieval_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut notices = answer::safety::notices(&question, &results.drugs);
        let mut reply = Answer {
            question: question.clone(),
            status: AnswerStatus::Abstained,
            text: String::new(),
            sentences: Vec::new(),
            dropped: Vec::new(),
            sources: Vec::new(),
            drugs: results.drugs.clone(),
            carried_over,
            profiles: Vec::new(),
            other_questions: Vec::new(),
            notices: Vec::new(),
            timings: Timings { retrieval_ms, ..Default::default() },
            model: None,
        };

        if results.no_matching_drug || results.hits.is_empty() {
            let named = if results.unknown_drugs.is_empty() {
                "the medicine you asked about".to_string()
            } else {
                results.unknown_drugs.join(", ")
            };
            reply.text = format!(
                "This library has no monograph on {named}, so DrugChatter cannot answer this. Ask a pharmacist or \
                 doctor, or search the library for another name of the medicine."
            );
            let after_emergency = notices.iter().take_while(|n| n.kind == NoticeKind::Emergency).count();
            notices.insert(
                after_emergency,
                Notice { kind: NoticeKind::NotInLibrary, text: format!("No monograph on {named}.") },
            );
            reply.notices = notices;
            reply.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(reply);
        }
        conversation.drugs = results.drugs.clone();
        conversation.turns += 1;
        for record in results.drugs.iter().filter_map(|d| self.drug_record(d)) {
            reply.profiles.push(answer::ProfileLink {
                drug_slug: record.slug.clone(),
                library: record.library.clone(),
                title: record.title.clone(),
                label: format!("See the profile for {}", record.title),
            });
            reply.other_questions.push(answer::OtherQuestions {
                drug_slug: record.slug.clone(),
                heading: format!("Other questions about {}", record.title),
                questions: record.faqs.iter().map(|f| f.question.clone()).collect(),
            });
        }

        let sources = answer::sources_from_hits(&results.hits);
        let verifier = answer::Verifier {
            embedder: &self.embedder,
            catalogs: libraries.iter().map(|l| &l.catalog).collect(),
            thresholds: options.thresholds,
        };
        let mut model_sentences = Vec::new();
        let mut generated = false;
        let mut generator = self.generator.lock().unwrap_or_else(|e| e.into_inner());
        let sources = match generator.as_mut() {
            Some((llm, markers)) => {
                let count = |turn: &str| llm.count_tokens(&llm.chat_prompt(answer::prompt::SYSTEM, turn));
                let sources = answer::prompt::fit(&question, sources, options.prompt_budget, &count);
                // The reply opens with the drug's name, so the model starts on a statement about
                // it rather than on "The answer to the question is…".
                let opening = match results.drugs.first() {
                    Some(drug) if options.open_with_drug => drug.title.clone(),
                    _ => String::new(),
                };
                let prompt =
                    llm.chat_prompt(answer::prompt::SYSTEM, &answer::prompt::user_turn(&question, &sources)) + &opening;
                // A question too long to leave the model room (a wall of emoji is a token
                // per byte) is answered by quoting instead of failing.
                if llm.count_tokens(&prompt) + options.max_tokens > llm.context_length() {
                    notices.insert(
                        notices.len() - 1,
                        Notice {
                            kind: NoticeKind::NoModel,
                            text: "The question is too long for the answer model, so this answer quotes the library."
                                .into(),
                        },
                    );
                    sources
                } else {
                    let params = GenerationParams { max_tokens: options.max_tokens, ..Default::default() };
                    let cite = options
                        .constrain_citations
                        .then(|| answer::citation_decoding::CitationConstraint::new(markers.clone(), sources.len()));
                    let copy = (options.copy_bias != 0.0)
                        .then(|| -> Result<answer::copy::CopyBias> {
                            let tokens: Vec<Vec<u32>> =
                                sources.iter().map(|s| llm.encode(&s.text)).collect::<Result<_>>()?;
                            Ok(answer::copy::CopyBias::new(tokens.iter().map(Vec::as_slice), options.copy_bias))
                        })
                        .transpose()?;
                    let mut constraint = (copy, cite);
                    if !opening.is_empty() && !on_text(&opening) {
                        return Err(Error::Cancelled);
                    }
                    let generation = llm.generate_constrained(&prompt, &params, Some(&mut constraint), on_text)?;
                    if let Some(cite) = &constraint.1 {
                        tracing::debug!(forced = cite.forced, "citation markers forced");
                    }
                    reply.model = Some(llm.id.clone());
                    reply.timings.first_token_ms = Some(generation.first_token.as_secs_f64() * 1000.0 + retrieval_ms);
                    reply.timings.prompt_tokens = generation.prompt_tokens;
                    reply.timings.generated_tokens = generation.generated_tokens;
                    reply.timings.tokens_per_second = generation.decode_tokens_per_second();
                    if generation.stop == llm::StopReason::Cancelled {
                        return Err(Error::Cancelled);
                    }
                    let asked = answer::verify::Question {
                        text: &question,
                        vector: &query_vector,
                        intents: &results.intents,
                        drugs: &results.drugs,
                    };
                    model_sentences = verifier.verify(&(opening + &generation.text), &asked, &sources)?;
                    generated = true;
                    sources
                }
            }
            None => {
                notices.insert(
                    notices.len() - 1,
                    Notice {
                        kind: NoticeKind::NoModel,
                        text: "No answer model is loaded, so this answer quotes the library.".into(),
                    },
                );
                sources
            }
        };
        drop(generator);

        let verified = model_sentences.iter().filter(|s| s.status.is_fact()).count();
        let quote = |max: usize, said: &answer::extractive::Said| {
            answer::extractive::extract(&self.embedder, &query_vector, &results.intents, &sources, max, said)
        };
        // Mostly unverified output is not worth showing: quote the sources instead.
        if generated && verified > 0 && verified * 2 >= model_sentences.len() {
            reply.status = AnswerStatus::Generated;
            for sentence in model_sentences {
                if sentence.status.is_fact() || options.show_unverified {
                    reply.sentences.push(sentence);
                } else {
                    reply.dropped.push(sentence);
                }
            }
            // The model chooses what to copy, not always what matters most ("Sumatriptan is
            // often taken with an antiemetic" when asked about it with Prozac): the sources'
            // sentences closest to the question that it did not say complete the answer.
            let said = answer::extractive::Said {
                sentences: reply.sentences.iter().filter(|s| s.status.is_fact()).map(|s| s.text.as_str()).collect(),
                overlap: options.thresholds.overlap,
            };
            let missing = ANSWER_SENTENCES.saturating_sub(said.sentences.len());
            let completion = if missing > 0 { quote(missing, &said)? } else { Vec::new() };
            reply.sentences.extend(completion);
        } else {
            reply.status = AnswerStatus::Extractive;
            reply.dropped = model_sentences;
            reply.sentences = quote(ANSWER_SENTENCES, &Default::default())?;
        }
        if !reply.dropped.is_empty() {
            notices.insert(
                notices.len() - 1,
                Notice {
                    kind: NoticeKind::Unverified,
                    text: format!(
                        "{} sentence(s) the model wrote could not be checked against the sources and are not shown.",
                        reply.dropped.len()
                    ),
                },
            );
        }
        if reply.sentences.is_empty() {
            reply.status = AnswerStatus::Abstained;
            reply.text = "The library's passages on this drug do not answer this question.".into();
        } else {
            reply.text = answer::render_text(&reply.sentences);
        }
        reply.sources = sources;
        reply.notices = notices;
        reply.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(reply)
    }
}
