//! The DrugChatter desktop shell: a thin Tauri 2 layer over `drugchatter-engine`.
//!
//! # Architecture
//!
//! The shell owns no drug logic. It starts the engine, turns UI calls into engine calls
//! after validating them, and streams results back. Rendering is the UI's (`ui/`).
//!
//! ```text
//!  webview (ui/)  ──invoke──►  commands (this file) ──validate──► Engine (Arc<RwLock<Option<..>>>)
//!        ▲                          │
//!        └──── Channel<AskEvent> ◄──┘ draft text, token by token (one channel per ask)
//!        └──── Channel<Status>   ◄──── start-up, indexing progress, model state
//! ```
//!
//! ## Concurrency
//!
//! - **The engine lives in `Arc<RwLock<Option<Engine>>>`.** It is `None` until start-up has
//!   opened it *and* built the index: start-up owns the engine on its own thread while it
//!   indexes (which needs `&mut Engine`), so no lock is held during the minutes of a first
//!   build. Commands meanwhile answer `not_ready` at once instead of blocking.
//! - **Every engine call runs on a blocking thread** (`spawn_blocking`) under a *read*
//!   lock, so the window never freezes and browsing, searching and asking can overlap.
//!   Only an import that swaps libraries in takes the write lock, briefly.
//! - **One ask at a time.** A new ask first raises the cancel flag (`AtomicBool`) of the
//!   running one, then waits on `ask_turn` for it to finish. The flag is checked in the
//!   engine's `on_text` callback after every generated token, so the previous generation
//!   stops within one token; it returns `Error::Cancelled` and the UI shows it stopped.
//!   `cancel_ask` raises the current flag. The engine's own generator mutex is the last
//!   line of defence: two generations can never interleave.
//! - **Start-up** (open, index, load model) runs on a plain thread and reports every
//!   change as a `Status` snapshot over the status channel, throttled to ~10 per second
//!   during indexing. Closing the window cancels an index build through
//!   `Progress::is_cancelled`; the index on disk is left as it was.
//! - **A missing or corrupt model** is reported in `Status.model.error`; the engine stays
//!   up, browsing and search work, and asks are answered by quoting the library.
//!
//! ## Security
//!
//! Every command is listed in `build.rs` and granted one by one in
//! `capabilities/default.json`; the webview gets no core, shell or file-system
//! permissions. File dialogs open from Rust (`choose_model_file`, `choose_import_paths`),
//! so the webview never gets the dialog or fs plugins. Arguments are checked in
//! `validate`. The CSP in `tauri.conf.json` allows only the app's own assets and IPC.

mod error;
pub mod settings;
pub mod validate;

use drugchatter_engine::answer::{Answer, AskOptions, Conversation};
use drugchatter_engine::browse::{DrugSummary, MonographView};
use drugchatter_engine::import::{ImportOptions, ImportReport};
use drugchatter_engine::progress::{Progress, Stage};
use drugchatter_engine::retrieve::SearchResults;
use drugchatter_engine::{Engine, LibraryInfo, Paths};
pub use error::AppError;
use serde::Serialize;
use settings::Settings;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::{Manager, State};
use tauri_plugin_dialog::DialogExt;

/// What the UI shows about start-up, the index and the model. Sent whole on every change.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Status {
    /// `starting`, `indexing`, `loading_model`, `ready` or `failed` (the engine could not open).
    pub phase: &'static str,
    /// The engine is open and has an index: browsing and search work.
    pub index_ready: bool,
    pub drugs: usize,
    pub chunks: usize,
    pub index_error: Option<String>,
    /// Progress of the current long step.
    pub progress: Option<ProgressInfo>,
    /// The generator's id once loaded.
    pub model: Option<String>,
    pub model_loading: bool,
    pub model_error: Option<String>,
    pub data_dir: String,
    pub models_dir: String,
    pub corpus_dir: String,
    /// Start-up timings, for the cold-start benchmark.
    pub timings: StartupTimings,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressInfo {
    pub task: &'static str,
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StartupTimings {
    pub engine_open_ms: Option<f64>,
    pub index_ms: Option<f64>,
    pub model_load_ms: Option<f64>,
    /// From process start to index and model ready.
    pub ready_ms: Option<f64>,
}

/// What an ask streams before its answer is returned.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AskEvent {
    /// The question was accepted and retrieval started.
    Started,
    /// A piece of the model's draft (unverified).
    Draft { text: String },
}

pub struct AppState {
    engine: Arc<RwLock<Option<Engine>>>,
    status: Mutex<Status>,
    status_channel: Mutex<Option<Channel<Status>>>,
    last_progress_emit: Mutex<Option<Instant>>,
    /// The running ask's cancel flag.
    ask_cancel: Mutex<Arc<AtomicBool>>,
    /// Held by the ask that is generating: asks run one at a time.
    ask_turn: Mutex<()>,
    ask_count: AtomicU64,
    conversation: Mutex<Conversation>,
    settings: Mutex<Settings>,
    settings_path: PathBuf,
    /// What the user last picked in the import dialog. `import_library` imports exactly
    /// these, so the webview can never name a file to read.
    import_choice: Mutex<Vec<PathBuf>>,
    /// Held by the running import: one at a time.
    import_running: Mutex<()>,
    import_cancel: AtomicBool,
    /// Raised when the window closes: stops an index build or import.
    shutting_down: AtomicBool,
    started: Instant,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl AppState {
    fn new(paths: &Paths, settings_path: PathBuf) -> AppState {
        let settings = settings::load(&settings_path);
        let status = Status {
            phase: "starting",
            data_dir: paths.data_dir.display().to_string(),
            models_dir: paths.models_dir.display().to_string(),
            corpus_dir: paths.corpus_dir.display().to_string(),
            ..Default::default()
        };
        AppState {
            engine: Arc::new(RwLock::new(None)),
            status: Mutex::new(status),
            status_channel: Mutex::new(None),
            last_progress_emit: Mutex::new(None),
            ask_cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
            ask_turn: Mutex::new(()),
            ask_count: AtomicU64::new(0),
            conversation: Mutex::new(Conversation::default()),
            settings: Mutex::new(settings),
            settings_path,
            import_choice: Mutex::new(Vec::new()),
            import_running: Mutex::new(()),
            import_cancel: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// Changes the status and sends it to the UI.
    fn update(&self, change: impl FnOnce(&mut Status)) {
        let snapshot = {
            let mut status = lock(&self.status);
            change(&mut status);
            status.clone()
        };
        if let Some(channel) = lock(&self.status_channel).as_ref() {
            let _ = channel.send(snapshot);
        }
    }

    /// Like `update`, but at most ten times a second unless `force`.
    fn update_progress(&self, force: bool, change: impl FnOnce(&mut Status)) {
        {
            let mut last = lock(&self.last_progress_emit);
            let due = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
            if !force && !due {
                change(&mut lock(&self.status));
                return;
            }
            *last = Some(Instant::now());
        }
        self.update(change);
    }

    fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> Result<T, AppError>) -> Result<T, AppError> {
        let guard = self.engine.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(engine) => f(engine),
            None => Err(self.not_ready_error()),
        }
    }

    fn not_ready_error(&self) -> AppError {
        let status = lock(&self.status);
        match (&status.index_error, status.phase) {
            (Some(error), _) => AppError { kind: "engine", message: error.clone() },
            (None, "indexing") => AppError::not_ready("The library is still being indexed; try again in a moment."),
            _ => AppError::not_ready("DrugChatter is still starting; try again in a moment."),
        }
    }

    fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }
}

/// Reports the progress of long work (`indexing` or `importing`) as status updates.
/// Cancelled when the app closes, or by `cancel` (the import's Cancel button).
struct TaskProgress<'a> {
    state: &'a AppState,
    task: &'static str,
    cancel: Option<&'a AtomicBool>,
    stage: Mutex<(&'static str, u64)>,
}

impl<'a> TaskProgress<'a> {
    fn new(state: &'a AppState, task: &'static str, cancel: Option<&'a AtomicBool>) -> TaskProgress<'a> {
        TaskProgress { state, task, cancel, stage: Mutex::new(("starting", 0)) }
    }
}

impl Progress for TaskProgress<'_> {
    fn stage(&self, stage: Stage, total: u64) {
        *lock(&self.stage) = (stage.label(), total);
        let task = self.task;
        self.state.update_progress(true, |s| {
            s.progress = Some(ProgressInfo { task, stage: stage.label(), done: 0, total });
        });
    }

    fn advance(&self, done: u64) {
        let (stage, total) = *lock(&self.stage);
        let task = self.task;
        self.state.update_progress(done >= total && total > 0, |s| {
            s.progress = Some(ProgressInfo { task, stage, done, total });
        });
    }

    fn is_cancelled(&self) -> bool {
        self.state.shutting_down.load(Ordering::Relaxed) || self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Start-up: open the engine, build the index on first run, publish the engine, then load
/// the model. Runs on its own thread; every step is reported as a status update.
fn start_up(state: Arc<AppState>, paths: Paths) {
    let opened = Instant::now();
    let mut engine = match Engine::open(paths) {
        Ok(engine) => engine,
        Err(e) => {
            tracing::error!("{e}");
            state.update(|s| {
                s.phase = "failed";
                s.index_error = Some(e.to_string());
            });
            return;
        }
    };
    let open_ms = ms(opened);
    let indexed = Instant::now();
    if engine.library().is_none() {
        state.update(|s| {
            s.phase = "indexing";
            s.timings.engine_open_ms = Some(open_ms);
        });
        let progress = TaskProgress::new(&state, "indexing", None);
        match engine.ensure_index(&progress) {
            Ok(Some(report)) => {
                tracing::info!("indexed {} monographs into {} passages", report.drugs, report.chunks);
                for failure in &report.failures {
                    tracing::warn!("{failure}");
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!("{e}");
                state.update(|s| s.index_error = Some(e.to_string()));
            }
        }
    }
    let index_ms = ms(indexed);
    let infos = engine.library_infos();
    let has_index = !infos.is_empty();
    *state.engine.write().unwrap_or_else(|e| e.into_inner()) = Some(engine);
    state.update(|s| {
        s.index_ready = has_index;
        s.drugs = infos.iter().map(|l| l.drugs).sum();
        s.chunks = infos.iter().map(|l| l.chunks).sum();
        s.progress = None;
        s.timings.engine_open_ms = Some(open_ms);
        s.timings.index_ms = Some(index_ms);
    });
    let model = state.settings().model_path();
    load_model(&state, model.as_deref());
    state.update(|s| {
        s.phase = "ready";
        s.timings.ready_ms = Some(ms(state.started));
    });
}

/// Loads the generator (`None`: the bundled one). On failure the previous model, if any,
/// stays loaded and the error is shown; the app keeps browsing and searching.
fn load_model(state: &AppState, path: Option<&Path>) {
    state.update(|s| {
        s.phase = if s.phase == "ready" { "ready" } else { "loading_model" };
        s.model_loading = true;
        s.model_error = None;
    });
    let started = Instant::now();
    let result = state.with_engine(|engine| engine.load_generator(path).map_err(AppError::from));
    let load_ms = ms(started);
    state.update(|s| {
        s.model_loading = false;
        s.timings.model_load_ms = Some(load_ms);
        match result {
            Ok(id) => {
                tracing::info!("model {id} loaded in {load_ms:.0} ms");
                s.model = Some(id);
            }
            Err(e) => {
                tracing::error!("{e}");
                s.model_error = Some(e.message);
            }
        }
    });
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| AppError::io(format!("internal error: {e}")))?
}

type AppStateRef<'a> = State<'a, Arc<AppState>>;

/// Registers the channel that receives status updates and returns the current status.
#[tauri::command]
fn subscribe_status(state: AppStateRef<'_>, on_status: Channel<Status>) -> Status {
    *lock(&state.status_channel) = Some(on_status);
    lock(&state.status).clone()
}

/// Asks a question. The draft streams over `on_event`; the verified answer is returned.
/// `follow_up` keeps the conversation's drugs (a question that names none uses them);
/// otherwise a new conversation starts.
#[tauri::command]
async fn ask(
    state: AppStateRef<'_>,
    question: String,
    follow_up: bool,
    on_event: Channel<AskEvent>,
) -> Result<Answer, AppError> {
    let question = validate::question(&question)?;
    let state = Arc::clone(&state);
    // Cancel the running ask, if any, and take a fresh flag.
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut current = lock(&state.ask_cancel);
        current.store(true, Ordering::SeqCst);
        *current = Arc::clone(&cancel);
    }
    state.ask_count.fetch_add(1, Ordering::Relaxed);
    blocking(move || {
        let _turn = lock(&state.ask_turn);
        if cancel.load(Ordering::SeqCst) {
            return Err(AppError::cancelled());
        }
        let settings = state.settings();
        let options = AskOptions {
            max_tokens: settings.answer_length.max_tokens(),
            show_unverified: settings.show_unverified,
            ..AskOptions::default()
        };
        let mut conversation = if follow_up { lock(&state.conversation).clone() } else { Conversation::default() };
        let _ = on_event.send(AskEvent::Started);
        let answer = state.with_engine(|engine| {
            let mut on_text = |text: &str| {
                if cancel.load(Ordering::SeqCst) {
                    return false;
                }
                let _ = on_event.send(AskEvent::Draft { text: text.to_string() });
                !cancel.load(Ordering::SeqCst)
            };
            engine.ask(&question, &mut conversation, &options, &mut on_text).map_err(AppError::from)
        })?;
        *lock(&state.conversation) = conversation;
        Ok(answer)
    })
    .await
}

/// Stops the running generation, if any.
#[tauri::command]
fn cancel_ask(state: AppStateRef<'_>) {
    lock(&state.ask_cancel).store(true, Ordering::SeqCst);
}

/// Forgets the conversation's drugs: the next question starts afresh.
#[tauri::command]
fn new_conversation(state: AppStateRef<'_>) {
    *lock(&state.conversation) = Conversation::default();
}

/// Ranked passages for a query, from every library.
#[tauri::command]
async fn search(state: AppStateRef<'_>, query: String, k: u32) -> Result<SearchResults, AppError> {
    let query = validate::query(&query)?;
    let k = validate::result_count(k)?;
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| engine.search(&query, k).map_err(AppError::from))).await
}

/// Every drug of every library (generic name, brands, library), for autocomplete and browsing.
#[tauri::command]
async fn drugs(state: AppStateRef<'_>) -> Result<Vec<DrugSummary>, AppError> {
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| Ok(engine.drugs()))).await
}

/// A drug's whole monograph, with byte spans for highlighting cited passages.
#[tauri::command]
async fn monograph(state: AppStateRef<'_>, library: String, slug: String) -> Result<MonographView, AppError> {
    let library = validate::name("library", &library)?;
    let slug = validate::name("drug", &slug)?;
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| engine.monograph(&library, &slug).map_err(AppError::from))).await
}

/// The loaded libraries with their counts.
#[tauri::command]
async fn libraries(state: AppStateRef<'_>) -> Result<Vec<LibraryInfo>, AppError> {
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| Ok(engine.library_infos()))).await
}

#[tauri::command]
fn get_settings(state: AppStateRef<'_>) -> Settings {
    state.settings()
}

/// Validates, stores and applies new settings. A changed model is loaded in the
/// background; its progress and errors arrive as status updates.
#[tauri::command]
fn set_settings(state: AppStateRef<'_>, settings: Settings) -> Result<Settings, AppError> {
    settings.validate()?;
    settings::save(&state.settings_path, &settings)?;
    let previous = std::mem::replace(&mut *lock(&state.settings), settings.clone());
    let engine_up = state.engine.read().map(|e| e.is_some()).unwrap_or(false);
    if previous.model != settings.model && engine_up {
        let state = Arc::clone(&state);
        let path = settings.model_path();
        std::thread::spawn(move || load_model(&state, path.as_deref()));
    }
    Ok(settings)
}

/// Opens a file dialog for a GGUF model; returns the chosen path, or null.
#[tauri::command]
async fn choose_model_file(app: tauri::AppHandle) -> Result<Option<String>, AppError> {
    blocking(move || {
        let picked = app
            .dialog()
            .file()
            .set_title("Choose a GGUF model")
            .add_filter("GGUF model", &["gguf"])
            .blocking_pick_file();
        Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
    })
    .await
}

/// Opens a dialog to pick label files (`folder`: a folder) for import, and remembers the
/// choice for `import_library`. Returns the chosen paths, empty when the user cancelled.
#[tauri::command]
async fn choose_import_paths(app: tauri::AppHandle, folder: bool) -> Result<Vec<String>, AppError> {
    let dialog_app = app.clone();
    let picked: Vec<PathBuf> = blocking(move || {
        let dialog = dialog_app.dialog().file().set_title("Import FDA labels");
        let picked = if folder {
            dialog.blocking_pick_folder().into_iter().collect()
        } else {
            dialog
                .add_filter("FDA labels (openFDA JSON, SPL XML, zip, gz)", &["json", "xml", "zip", "gz"])
                .blocking_pick_files()
                .unwrap_or_default()
        };
        Ok(picked.into_iter().filter_map(|p| p.into_path().ok()).collect())
    })
    .await?;
    if picked.len() > validate::MAX_IMPORT_PATHS {
        return Err(AppError::invalid(format!(
            "pick at most {} files, or a folder that holds them",
            validate::MAX_IMPORT_PATHS
        )));
    }
    let state = app.state::<Arc<AppState>>();
    *lock(&state.import_choice) = picked.clone();
    Ok(picked.iter().map(|p| p.display().to_string()).collect())
}

/// Imports the files last chosen with `choose_import_paths` into `library` (created if
/// new), with progress as status updates, then swaps the library in. One at a time.
#[tauri::command]
async fn import_library(state: AppStateRef<'_>, library: String) -> Result<ImportReport, AppError> {
    let library = validate::name("library", &library)?;
    let inputs = lock(&state.import_choice).clone();
    if inputs.is_empty() {
        return Err(AppError::invalid("choose label files or a folder to import first"));
    }
    for input in &inputs {
        validate::import_path(&input.display().to_string())?;
    }
    let state = Arc::clone(&state);
    blocking(move || {
        let Ok(_running) = state.import_running.try_lock() else {
            return Err(AppError::invalid("an import is already running"));
        };
        state.import_cancel.store(false, Ordering::SeqCst);
        let options = ImportOptions { library, ..ImportOptions::default() };
        let result = {
            let progress = TaskProgress::new(&state, "importing", Some(&state.import_cancel));
            state.with_engine(|engine| engine.import(&inputs, &options, &progress).map_err(AppError::from))
        };
        state.update(|s| s.progress = None);
        let report = result?;
        // Swap the new material in: a brief write lock, taken once running asks finish.
        let infos = {
            let mut guard = state.engine.write().unwrap_or_else(|e| e.into_inner());
            let engine = guard.as_mut().ok_or_else(|| state.not_ready_error())?;
            engine.reload_libraries();
            engine.library_infos()
        };
        state.update(|s| {
            s.drugs = infos.iter().map(|l| l.drugs).sum();
            s.chunks = infos.iter().map(|l| l.chunks).sum();
        });
        lock(&state.import_choice).clear();
        Ok(report)
    })
    .await
}

/// Stops the running import; the library is left as it was.
#[tauri::command]
fn cancel_import(state: AppStateRef<'_>) {
    state.import_cancel.store(true, Ordering::SeqCst);
}

/// Where the engine finds things, in order: the `DRUGCHATTER_*` environment overrides, the
/// app's bundled resources (`models/`, `corpus/`), the engine's own discovery (./models,
/// beside the executable), and in a development build the checkout the app was built from.
fn resolve_paths(resource_dir: Option<PathBuf>) -> Paths {
    use drugchatter_engine::paths::{CORPUS_DIR_ENV, MODELS_DIR_ENV};
    let mut paths = Paths::discover();
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
    let pick = |env: &str, name: &str, marker: &str, discovered: &Path| -> PathBuf {
        if std::env::var_os(env).is_some() {
            return discovered.to_path_buf();
        }
        let candidates = [
            resource_dir.as_ref().map(|d| d.join(name)),
            Some(discovered.to_path_buf()),
            checkout.as_ref().map(|c| c.join(name)),
        ];
        candidates.into_iter().flatten().find(|c| c.join(marker).exists()).unwrap_or_else(|| discovered.to_path_buf())
    };
    paths.models_dir = pick(MODELS_DIR_ENV, "models", "manifest.json", &paths.models_dir);
    paths.corpus_dir = pick(CORPUS_DIR_ENV, "corpus", "imiquimod.md", &paths.corpus_dir);
    paths
}

fn config_dir(app: &tauri::App) -> PathBuf {
    if let Some(dir) = std::env::var_os(settings::CONFIG_DIR_ENV) {
        return PathBuf::from(dir);
    }
    app.path().app_config_dir().unwrap_or_else(|_| PathBuf::from(".drugchatter-config"))
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DRUGCHATTER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let paths = resolve_paths(app.path().resource_dir().ok());
            tracing::info!(
                "data {}, models {}, corpus {}",
                paths.data_dir.display(),
                paths.models_dir.display(),
                paths.corpus_dir.display()
            );
            let state = Arc::new(AppState::new(&paths, settings::file_in(&config_dir(app))));
            app.manage(Arc::clone(&state));
            std::thread::Builder::new().name("start-up".into()).spawn(move || start_up(state, paths))?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                let state = window.state::<Arc<AppState>>();
                state.shutting_down.store(true, Ordering::SeqCst);
                state.import_cancel.store(true, Ordering::SeqCst);
                lock(&state.ask_cancel).store(true, Ordering::SeqCst);
            }
        })
        .invoke_handler(tauri::generate_handler![
            subscribe_status,
            ask,
            cancel_ask,
            new_conversation,
            search,
            drugs,
            monograph,
            libraries,
            get_settings,
            set_settings,
            choose_model_file,
            choose_import_paths,
            import_library,
            cancel_import,
        ])
        .run(tauri::generate_context!())
        .expect("error while running DrugChatter");
}
