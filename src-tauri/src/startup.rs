//! Start-up: where the engine finds its files, opening it, bringing the bundled index up to
//! date, and loading the answer model. Runs on its own thread so the window shows progress
//! from the first frame; every step is reported as a status update.

use crate::error::AppError;
use crate::state::{ms, AppState, TaskProgress};
use drugchatter_engine::{Engine, Paths};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Opens the engine, builds or updates the bundled index, publishes the engine to the
/// commands, then loads the model.
///
/// The engine is published only once it has an index: indexing needs `&mut Engine`, and
/// holding it here rather than under the lock means no command ever waits minutes for a
/// first build; they answer `not_ready` meanwhile.
pub fn start_up(state: &AppState, paths: Paths) {
    let opened = Instant::now();
    let mut engine = match Engine::open(paths) {
        Ok(engine) => engine,
        Err(e) => {
            tracing::error!("{e}");
            state.update(|s| {
                s.phase = "failed";
                s.index_error = Some(AppError::from(e).message);
            });
            return;
        }
    };
    let open_ms = ms(opened);
    let first_build = !engine.has_bundled_index();
    state.update(|s| {
        s.phase = "indexing";
        s.first_index_build = first_build;
        s.timings.engine_open_ms = Some(open_ms);
    });
    let indexed = Instant::now();
    // Not just `ensure_index`: an app update brings a new bundled library, and its index must
    // follow. Unchanged monographs are recognised by hash, so this costs a hash of the
    // corpus when nothing changed, and re-embeds only what did.
    let progress = TaskProgress::new(state, "indexing", None);
    match engine.update_index(None, &progress) {
        Ok(report) => {
            tracing::info!("library: {} monographs, {} passages", report.drugs, report.chunks);
            for failure in &report.failures {
                tracing::warn!("{failure}");
            }
            // Shown in the window: a monograph left out must not vanish silently.
            state.update(|s| {
                s.index_failure_count = report.failures.len();
                s.index_failures =
                    report.failures.iter().take(crate::state::MAX_FAILURES_SHOWN).map(ToString::to_string).collect();
            });
        }
        // The previous index, if any, is still loaded and searched.
        Err(e) => {
            tracing::error!("{e}");
            state.update(|s| s.index_error = Some(AppError::from(e).message));
        }
    }
    let index_ms = ms(indexed);
    let infos = engine.library_infos();
    *state.engine.write().unwrap_or_else(|e| e.into_inner()) = Some(engine);
    state.update(|s| {
        s.index_ready = !infos.is_empty();
        if s.index_ready {
            s.index_error = None;
        }
        s.count_libraries(&infos);
        s.progress = None;
        s.timings.index_ms = Some(index_ms);
    });
    load_model(state, state.settings().model_path().as_deref());
    state.update(|s| {
        s.phase = "ready";
        s.timings.ready_ms = Some(ms(state.started));
    });
}

/// Loads the generator (`None`: the bundled one). On failure the previous model, if any,
/// stays loaded and the error is shown; the app keeps browsing, searching and answering
/// by quoting the library.
pub fn load_model(state: &AppState, path: Option<&Path>) {
    state.update(|s| {
        if s.phase != "ready" {
            s.phase = "loading_model";
        }
        s.model_loading = true;
        s.model_error = None;
    });
    let started = Instant::now();
    let result = state.with_engine(|engine| engine.load_generator(path).map_err(AppError::from));
    let load_ms = ms(started);
    let chosen = state.settings().model;
    // Written only now: a model that crashes the app while loading must not be loaded again
    // at the next start.
    if result.is_ok() && chosen.path().as_deref() == path {
        if let Err(e) = crate::settings::save_loaded_model(&state.settings_path, &chosen) {
            tracing::warn!("the loaded model is not remembered: {}", e.message);
        }
    }
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

/// Where the engine finds things, in order: the `DRUGCHATTER_*` environment overrides, the
/// app's bundled resources (`models/`, `corpus/`), the engine's own discovery (./models,
/// beside the executable), and in a development build the checkout the app was built from.
pub fn resolve_paths(resource_dir: Option<PathBuf>) -> Paths {
    use drugchatter_engine::{CORPUS_DIR_ENV, MODELS_DIR_ENV};
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
