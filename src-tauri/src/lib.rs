//! The DrugChatter desktop shell: a thin Tauri 2 layer over `drugchatter-engine`.
//!
//! # Architecture
//!
//! The shell owns no drug logic. It starts the engine, turns UI calls into engine calls
//! after validating them, and streams results back. Rendering is the UI's (`ui/`).
//!
//! ```text
//!  webview (ui/)  ──invoke──►  commands  ──validate──► Engine (RwLock<Option<..>>)
//!        ▲                          │
//!        └──── Channel<AskEvent> ◄──┘ draft text and verified sentences (one channel per ask)
//!        └──── Channel<Status>   ◄──── start-up, indexing progress, model state
//! ```
//!
//! Modules: `commands` (what the webview may invoke), `asks` (one ask at a time), `state` (shared state and the
//! `Status` snapshots), `startup` (paths, opening, indexing, loading the model),
//! `validate` (IPC arguments), `settings` (the settings file), `history` (the saved
//! conversations), `export` (saving Markdown where the user chose), `error` (`AppError`),
//! `bindings` (the TypeScript declarations of the IPC types, generated into
//! `ui/src/bindings.ts`), `single_instance` (one app per data folder; a second launch
//! brings the first window to the front), `navigation` (the window never leaves the app's
//! origin).
//!
//! ## Concurrency
//!
//! - **The engine lives in `RwLock<Option<Engine>>`** (`state`). It is `None` until
//!   start-up has opened it *and* brought the index up to date: start-up owns the engine on
//!   its own thread while it indexes (which needs `&mut Engine`), so no lock is held during
//!   the minutes of a first build. Commands meanwhile answer `not_ready` at once instead of
//!   blocking: asking while indexing is refused with a message, never a hang.
//! - **Every engine call runs on a blocking thread** (`spawn_blocking`) under a *read*
//!   lock, so the window never freezes and browsing, searching and asking overlap. Only
//!   an import that swaps libraries in takes the write lock, briefly, after its own long
//!   work (which runs under the read lock, so asks go on meanwhile).
//! - **One ask at a time; the newest wins** (`asks`). A new ask raises the cancel flag
//!   (`AtomicBool`) of the running one, then waits for its turn. The flag
//!   is checked in the engine's `on_text` callback after every generated token, so the
//!   previous generation stops within one token and returns `cancelled`, which the UI
//!   shows as stopped. `cancel_ask` raises the current flag. Locks are always taken in the
//!   order: the ask's turn, then the engine's read lock, then the engine's own generator mutex,
//!   and the short-lived mutexes (`status`, `settings`, …) are never held across an engine
//!   call, so no two paths can wait on each other.
//! - **Start-up** (open, index, load model) runs on a plain thread and reports every
//!   change as a `Status` snapshot over the status channel, throttled to ~10 per second
//!   during indexing. Closing the window cancels an index build through
//!   `Progress::is_cancelled`; the index on disk is left as it was.
//! - **A missing or corrupt model** is reported in `Status.model_error`; the engine stays
//!   up, browsing and search work, and asks are answered by quoting the library.
//!
//! ## Security
//!
//! Every command is listed in `build.rs` and granted one by one in
//! `capabilities/default.json`; the webview gets no core, shell or file-system
//! permissions. File dialogs open from Rust (`choose_model_file`, `choose_import_paths`,
//! `export_markdown`),
//! so the webview never gets the dialog or fs plugins; the model file chosen is kept in
//! the shell's state, and `set_settings` names the model by kind only. Arguments are
//! checked in `validate`. The CSP in `tauri.conf.json` allows only the app's own assets
//! and IPC, and the `navigation` guard refuses any navigation away from them.

mod asks;
pub mod bindings;
mod commands;
mod error;
mod export;
mod history;
mod navigation;
mod poison;
pub mod settings;
mod single_instance;
mod startup;
mod state;
pub mod validate;

pub use error::AppError;
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

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

    let primary = match single_instance::claim(&drugchatter_engine::Paths::discover().data_dir) {
        Ok(single_instance::Instance::First(primary)) => Some(primary),
        Ok(single_instance::Instance::Second { shown }) => {
            if shown {
                eprintln!("DrugChatter is already running; its window was brought to the front.");
            } else {
                eprintln!("DrugChatter is already running (its window could not be brought to the front).");
            }
            return;
        }
        Err(e) => {
            tracing::warn!("cannot check whether DrugChatter is already running ({e}); starting anyway");
            None
        }
    };

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(navigation::guard())
        .setup(move |app| {
            if let Some(primary) = primary {
                let handle = app.handle().clone();
                primary.serve(move || {
                    if let Some(window) = handle.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                    tracing::info!("a second launch asked for this window");
                });
            }
            let paths = startup::resolve_paths(app.path().resource_dir().ok());
            tracing::info!(
                "data {}, models {}, corpus {}",
                paths.data_dir.display(),
                paths.models_dir.display(),
                paths.corpus_dir.display()
            );
            let state = Arc::new(AppState::new(&paths, settings::file_in(&config_dir(app))));
            app.manage(Arc::clone(&state));
            std::thread::Builder::new().name("start-up".into()).spawn(move || startup::start_up(&state, paths))?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                window.state::<Arc<AppState>>().shut_down();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::subscribe_status,
            commands::ask,
            commands::cancel_ask,
            commands::new_conversation,
            commands::search,
            commands::drugs,
            commands::monograph,
            commands::drug_classes,
            commands::drug_class,
            commands::libraries,
            commands::get_settings,
            commands::set_settings,
            commands::choose_model_file,
            commands::choose_import_paths,
            commands::import_library,
            commands::remove_library,
            commands::cancel_import,
            commands::conversations,
            commands::delete_conversation,
            commands::clear_conversations,
            commands::export_markdown,
        ])
        .run(tauri::generate_context!())
        .expect("error while running DrugChatter");
}
