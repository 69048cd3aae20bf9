//! The commands the webview may invoke. Each validates its arguments (`validate`), runs
//! the engine call on a blocking thread so the window never freezes, and returns the
//! engine's own `Serialize` results or an `AppError`.

use crate::asks::Ticket;
use crate::error::AppError;
use crate::export::{self, ExportKind};
use crate::history::{self, EntryState, HistoryView, StoredEntry};
use crate::settings::{Settings, SettingsRequest};
use crate::startup::load_model;
use crate::state::{lock, AppState, Status, TaskProgress};
use crate::validate;
use drugchatter_engine::{
    Answer, AnswerSentence, AnswerUpdate, AskOptions, ClassPage, ClassSummary, Conversation, DrugSummary,
    ImportOptions, ImportReport, LibraryInfo, LibraryKind, MonographView, SearchResults,
};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{Manager, State};
use tauri_plugin_dialog::DialogExt;

/// What an ask streams before its answer is returned.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AskEvent {
    /// The question was accepted and retrieval started.
    Started,
    /// A piece of the model's draft (unverified: the UI shows it only when asked to).
    Draft { text: String },
    /// A sentence of the draft that passed verification, in the draft's order. The answer
    /// returned at the end replaces what streamed.
    Verified { sentence: AnswerSentence },
}

type AppStateRef<'a> = State<'a, Arc<AppState>>;

/// Runs engine work off the async runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| AppError::io(format!("internal error: {e}")))?
}

/// Registers the channel that receives status updates and returns the current status.
#[tauri::command]
pub fn subscribe_status(state: AppStateRef<'_>, on_status: Channel<Status>) -> Status {
    state.subscribe(on_status)
}

/// Asks a question. The draft streams over `on_event`; the verified answer is returned.
/// `follow_up` keeps the conversation's drugs (a question that names none uses them);
/// otherwise a new conversation starts.
///
/// One ask at a time, the newest wins (`asks`): a superseded or stopped ask returns
/// `cancelled`.
///
/// With `conversation` (an id the UI chose), how the ask ended is saved in that
/// conversation of the history; a history that cannot be written is logged, never
/// allowed to cost the answer.
#[tauri::command]
pub async fn ask(
    state: AppStateRef<'_>,
    question: String,
    follow_up: bool,
    conversation: Option<String>,
    on_event: Channel<AskEvent>,
) -> Result<Answer, AppError> {
    let question = validate::question(&question)?;
    let conversation = conversation.map(|id| history::conversation_id(&id)).transpose()?;
    let state = Arc::clone(&state);
    let ticket = state.asks.begin();
    blocking(move || {
        let result = answer(&state, &ticket, &question, follow_up, &on_event);
        // After the ask's turn has passed on: the next ask never waits for this write.
        if let Some(id) = &conversation {
            record(&state, id, question, &result);
        }
        result
    })
    .await
}

/// Waits for the ask's turn and answers it.
fn answer(
    state: &AppState,
    ticket: &Ticket,
    question: &str,
    follow_up: bool,
    on_event: &Channel<AskEvent>,
) -> Result<Answer, AppError> {
    let Some(_turn) = state.asks.wait_turn(ticket) else {
        return Err(AppError::cancelled());
    };
    let settings = state.settings();
    let options = AskOptions {
        max_tokens: settings.answer_length.max_tokens(),
        show_unverified: settings.show_unverified,
        ..AskOptions::default()
    };
    let mut conversation = if follow_up { lock(&state.conversation).clone() } else { Conversation::default() };
    let _ = on_event.send(AskEvent::Started);
    let answer = state.with_engine(|engine| {
        let mut on_update = |update: AnswerUpdate<'_>| {
            if ticket.is_cancelled() {
                return false;
            }
            let event = match update {
                AnswerUpdate::Draft(text) => AskEvent::Draft { text: text.to_string() },
                AnswerUpdate::Verified(sentence) => AskEvent::Verified { sentence: sentence.clone() },
            };
            let _ = on_event.send(event);
            true
        };
        engine.ask(question, &mut conversation, &options, &mut on_update).map_err(AppError::from)
    })?;
    // Stopped after the last token: the user asked for no answer.
    if ticket.is_cancelled() {
        return Err(AppError::cancelled());
    }
    *lock(&state.conversation) = conversation;
    Ok(answer)
}

/// Saves how an ask ended in conversation `id`.
fn record(state: &AppState, id: &str, question: String, result: &Result<Answer, AppError>) {
    let (entry_state, answer, error) = match result {
        Ok(answer) => (EntryState::Done, serde_json::to_value(answer).ok(), None),
        Err(e) if e.kind == "cancelled" => (EntryState::Cancelled, None, None),
        Err(e) => (EntryState::Error, None, Some(e.message.clone())),
    };
    let entry = StoredEntry { question, asked_at: history::now_ms(), state: entry_state, answer, error };
    if let Err(e) = state.history.record(id, entry) {
        tracing::warn!("{e}");
    }
}

/// The saved conversations, the least recently used first, and why the saved file could not be read, if so.
/// Off the main thread: a full history is megabytes to copy and send.
#[tauri::command]
pub async fn conversations(state: AppStateRef<'_>) -> Result<HistoryView, AppError> {
    let state = Arc::clone(&state);
    blocking(move || Ok(state.history.view())).await
}

/// Deletes one saved conversation.
#[tauri::command]
pub async fn delete_conversation(state: AppStateRef<'_>, id: String) -> Result<(), AppError> {
    let state = Arc::clone(&state);
    blocking(move || Ok(state.history.delete(&id)?)).await
}

/// Deletes every saved conversation (the UI asks the user to confirm first).
#[tauri::command]
pub async fn clear_conversations(state: AppStateRef<'_>) -> Result<(), AppError> {
    let state = Arc::clone(&state);
    blocking(move || Ok(state.history.clear()?)).await
}

/// Opens a save dialog and writes `markdown` (an answer or a conversation, rendered by the
/// UI) where the user chose. Returns the path written, or null when the user cancelled.
#[tauri::command]
pub async fn export_markdown(
    app: tauri::AppHandle,
    markdown: String,
    kind: ExportKind,
) -> Result<Option<String>, AppError> {
    export::check(&markdown)?;
    blocking(move || {
        let picked = app
            .dialog()
            .file()
            .set_title("Save as Markdown")
            .add_filter("Markdown", &["md"])
            .set_file_name(kind.file_name())
            .blocking_save_file();
        let Some(chosen) = picked.and_then(|p| p.into_path().ok()) else {
            return Ok(None);
        };
        Ok(Some(export::save(&chosen, &markdown)?.display().to_string()))
    })
    .await
}

/// Stops the running generation, if any.
#[tauri::command]
pub fn cancel_ask(state: AppStateRef<'_>) {
    state.asks.cancel();
}

/// Forgets the conversation's drugs: the next question starts afresh.
#[tauri::command]
pub fn new_conversation(state: AppStateRef<'_>) {
    *lock(&state.conversation) = Conversation::default();
}

/// Ranked passages for a query, from every library.
#[tauri::command]
pub async fn search(state: AppStateRef<'_>, query: String, k: u32) -> Result<SearchResults, AppError> {
    let query = validate::query(&query)?;
    let k = validate::result_count(k)?;
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| engine.search(&query, k).map_err(AppError::from))).await
}

/// Every drug of every library (generic name, brands, library), for autocomplete and browsing.
#[tauri::command]
pub async fn drugs(state: AppStateRef<'_>) -> Result<Vec<DrugSummary>, AppError> {
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| Ok(engine.drugs()))).await
}

/// A drug's whole monograph, with byte spans for highlighting cited passages.
#[tauri::command]
pub async fn monograph(state: AppStateRef<'_>, library: String, slug: String) -> Result<MonographView, AppError> {
    let library = validate::name("library", &library)?;
    let slug = validate::name("drug", &slug)?;
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| engine.monograph(&library, &slug).map_err(AppError::from))).await
}

/// Every drug class with members, for the class list and autocomplete.
#[tauri::command]
pub async fn drug_classes(state: AppStateRef<'_>) -> Result<Vec<ClassSummary>, AppError> {
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| Ok(engine.drug_classes()))).await
}

/// A class's page: its members and the lines two or more of them state alike.
#[tauri::command]
pub async fn drug_class(state: AppStateRef<'_>, name: String) -> Result<ClassPage, AppError> {
    let name = validate::class_name(&name)?;
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| engine.drug_class(&name).map_err(AppError::from))).await
}

/// The loaded libraries with their counts.
#[tauri::command]
pub async fn libraries(state: AppStateRef<'_>) -> Result<Vec<LibraryInfo>, AppError> {
    let state = Arc::clone(&state);
    blocking(move || state.with_engine(|engine| Ok(engine.library_infos()))).await
}

/// Deletes an imported library (its labels, documents and index) once the user has
/// confirmed in the window, and stops searching it; returns the libraries left. The bundled
/// library is never removed; a library being imported into is refused until the import ends.
#[tauri::command]
pub async fn remove_library(state: AppStateRef<'_>, library: String) -> Result<Vec<LibraryInfo>, AppError> {
    let library = validate::name("library", &library)?;
    let state = Arc::clone(&state);
    blocking(move || {
        let Ok(_no_import) = state.import_running.try_lock() else {
            return Err(AppError::invalid("an import is running; remove the library once it has finished"));
        };
        // The write lock waits for running asks, which read the library being removed.
        let infos = {
            let mut guard = state.engine.write().unwrap_or_else(|e| e.into_inner());
            let engine = guard.as_mut().ok_or_else(|| state.not_ready_error())?;
            if !engine.library_infos().iter().any(|l| l.name == library && l.kind == LibraryKind::Imported) {
                return Err(AppError::invalid(format!("there is no imported library named “{library}”")));
            }
            engine.remove_library(&library)?;
            engine.library_infos()
        };
        state.update(|s| s.count_libraries(&infos));
        Ok(infos)
    })
    .await
}

#[tauri::command]
pub fn get_settings(state: AppStateRef<'_>) -> Settings {
    state.settings()
}

/// Validates, stores and applies new settings. A changed model is loaded in the
/// background; its progress and errors arrive as status updates, and it is written to the
/// settings file only once it has loaded.
#[tauri::command]
pub fn set_settings(state: AppStateRef<'_>, settings: SettingsRequest) -> Result<Settings, AppError> {
    let picked = lock(&state.model_choice).clone();
    let settings = settings.resolve(picked.as_deref(), &state.settings())?;
    crate::settings::save_choice(&state.settings_path, &settings)?;
    let previous = state.replace_settings(settings.clone());
    let engine_up = state.engine.read().map(|e| e.is_some()).unwrap_or(false);
    if previous.model != settings.model && engine_up {
        let state = Arc::clone(&state);
        let path = settings.model_path();
        std::thread::spawn(move || load_model(&state, path.as_deref()));
    }
    Ok(settings)
}

/// Opens a file dialog for a GGUF model and remembers the choice for `set_settings`;
/// returns the chosen path to show, or null when the user cancelled.
#[tauri::command]
pub async fn choose_model_file(app: tauri::AppHandle) -> Result<Option<String>, AppError> {
    let dialog_app = app.clone();
    let picked = blocking(move || {
        let picked = dialog_app
            .dialog()
            .file()
            .set_title("Choose a GGUF model")
            .add_filter("GGUF model", &["gguf"])
            .blocking_pick_file();
        Ok(picked.and_then(|p| p.into_path().ok()))
    })
    .await?;
    let Some(picked) = picked else { return Ok(None) };
    let picked = validate::model_path(&picked.display().to_string())?;
    let state = app.state::<Arc<AppState>>();
    *lock(&state.model_choice) = Some(picked.clone());
    Ok(Some(picked.display().to_string()))
}

/// Opens a dialog to pick label files (`folder`: a folder) for import, and remembers the
/// choice for `import_library`. Returns the chosen paths, empty when the user cancelled.
#[tauri::command]
pub async fn choose_import_paths(app: tauri::AppHandle, folder: bool) -> Result<Vec<String>, AppError> {
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
/// The import itself runs under the read lock, so asks and searches go on meanwhile.
#[tauri::command]
pub async fn import_library(state: AppStateRef<'_>, library: String) -> Result<ImportReport, AppError> {
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
        state.update(|s| s.count_libraries(&infos));
        lock(&state.import_choice).clear();
        Ok(report)
    })
    .await
}

/// Stops the running import; the library is left as it was.
#[tauri::command]
pub fn cancel_import(state: AppStateRef<'_>) {
    state.import_cancel.store(true, Ordering::SeqCst);
}
