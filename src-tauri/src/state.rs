//! The shell's state, shared by every command and the start-up thread, and the `Status`
//! snapshots it sends the UI whenever something changes.

use crate::asks::Asks;
use crate::error::AppError;
use crate::history::{self, History};
pub use crate::poison::lock;
use crate::settings::{self, Settings};
use drugchatter_engine::{Conversation, Engine, Paths, Progress, Stage};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;

/// What the UI shows about start-up, the index and the model. Sent whole on every change.
#[derive(Debug, Clone, Serialize, Default, ts_rs::TS)]
pub struct Status {
    /// `starting`, `indexing`, `loading_model`, `ready` or `failed` (the engine could not open).
    pub phase: &'static str,
    /// The engine is open and has an index: browsing and search work.
    pub index_ready: bool,
    /// While `indexing`: there is no index yet (the first run's minutes of embedding), as
    /// opposed to checking an existing one against the library (a second, or a few changed
    /// monographs).
    pub first_index_build: bool,
    pub drugs: usize,
    pub chunks: usize,
    pub index_error: Option<String>,
    /// Monographs of the bundled library that could not be read and are left out, each
    /// with where and why (the first [`MAX_FAILURES_SHOWN`]), and how many there are.
    pub index_failures: Vec<String>,
    pub index_failure_count: usize,
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

impl Status {
    /// The totals over the libraries now searched.
    pub fn count_libraries(&mut self, infos: &[drugchatter_engine::LibraryInfo]) {
        self.drugs = infos.iter().map(|l| l.drugs).sum();
        self.chunks = infos.iter().map(|l| l.chunks).sum();
    }
}

/// A status names at most this many failed files; the count says how many there are.
pub const MAX_FAILURES_SHOWN: usize = 100;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ProgressInfo {
    pub task: &'static str,
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, Default, ts_rs::TS)]
pub struct StartupTimings {
    pub engine_open_ms: Option<f64>,
    pub index_ms: Option<f64>,
    pub model_load_ms: Option<f64>,
    /// From process start to index and model ready.
    pub ready_ms: Option<f64>,
}

pub struct AppState {
    /// `None` until start-up has opened the engine and made sure it has an index.
    pub engine: RwLock<Option<Engine>>,
    status: Mutex<Status>,
    status_channel: Mutex<Option<Channel<Status>>>,
    last_progress_emit: Mutex<Option<Instant>>,
    /// Asks run one at a time, the newest winning.
    pub asks: Asks,
    pub conversation: Mutex<Conversation>,
    /// The saved conversations (`history`): what each ask ended with, kept across restarts.
    pub history: History,
    settings: Mutex<Settings>,
    pub settings_path: PathBuf,
    /// What the user last picked in the import dialog. `import_library` imports exactly
    /// these, so the webview can never name a file to read.
    pub import_choice: Mutex<Vec<PathBuf>>,
    /// The model file last picked in the model dialog. `set_settings` takes the model from
    /// here, so the webview never names a file to read.
    pub model_choice: Mutex<Option<PathBuf>>,
    /// Held by the running import: one at a time.
    pub import_running: Mutex<()>,
    pub import_cancel: AtomicBool,
    /// Raised when the window closes: stops an index build or import.
    pub shutting_down: AtomicBool,
    pub started: Instant,
}

/// Milliseconds since `since`.
pub fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl AppState {
    pub fn new(paths: &Paths, settings_path: PathBuf) -> AppState {
        let settings = settings::load(&settings_path);
        let status = Status {
            phase: "starting",
            data_dir: paths.data_dir.display().to_string(),
            models_dir: paths.models_dir.display().to_string(),
            corpus_dir: paths.corpus_dir.display().to_string(),
            ..Default::default()
        };
        AppState {
            engine: RwLock::new(None),
            status: Mutex::new(status),
            status_channel: Mutex::new(None),
            last_progress_emit: Mutex::new(None),
            asks: Asks::default(),
            conversation: Mutex::new(Conversation::default()),
            history: History::open(history::file_in(&paths.data_dir)),
            settings: Mutex::new(settings),
            settings_path,
            import_choice: Mutex::new(Vec::new()),
            model_choice: Mutex::new(None),
            import_running: Mutex::new(()),
            import_cancel: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// Registers the UI's status channel and returns the current status.
    pub fn subscribe(&self, channel: Channel<Status>) -> Status {
        *lock(&self.status_channel) = Some(channel);
        self.status()
    }

    pub fn status(&self) -> Status {
        lock(&self.status).clone()
    }

    /// Changes the status and sends it to the UI.
    pub fn update(&self, change: impl FnOnce(&mut Status)) {
        let snapshot = {
            let mut status = lock(&self.status);
            change(&mut status);
            status.clone()
        };
        if let Some(channel) = lock(&self.status_channel).as_ref() {
            let _ = channel.send(snapshot);
        }
    }

    /// Like `update`, but sends at most ten times a second unless `force`: progress of an
    /// index build changes thousands of times, and each send crosses into the webview.
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

    /// Runs `f` on the engine under a read lock, or answers `not_ready` at once while
    /// start-up still owns it (never waits for an index build).
    pub fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> Result<T, AppError>) -> Result<T, AppError> {
        let guard = self.engine.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(engine) => f(engine),
            None => Err(self.not_ready_error()),
        }
    }

    pub fn not_ready_error(&self) -> AppError {
        let status = lock(&self.status);
        match (&status.index_error, status.phase) {
            (Some(error), _) => AppError::engine(error.clone()),
            (None, "indexing") => AppError::not_ready("The library is still being indexed; try again in a moment."),
            _ => AppError::not_ready("DrugChatter is still starting; try again in a moment."),
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Replaces the settings, returning the previous ones.
    pub fn replace_settings(&self, settings: Settings) -> Settings {
        std::mem::replace(&mut *lock(&self.settings), settings)
    }

    /// Closing the window: stop an index build, an import and a generation.
    pub fn shut_down(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.import_cancel.store(true, Ordering::SeqCst);
        self.asks.cancel();
    }
}

/// Reports the progress of long work (`indexing` or `importing`) as status updates.
/// Cancelled when the app closes, or by `cancel` (the import's Cancel button).
pub struct TaskProgress<'a> {
    state: &'a AppState,
    task: &'static str,
    cancel: Option<&'a AtomicBool>,
    stage: Mutex<(&'static str, u64)>,
}

impl<'a> TaskProgress<'a> {
    pub fn new(state: &'a AppState, task: &'static str, cancel: Option<&'a AtomicBool>) -> TaskProgress<'a> {
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
