//! The conversation history, kept across restarts in `<data dir>/conversations.json`.
//!
//! The shell records what it answered (the question, and the engine's answer, a stop or an
//! error) as each ask ends, so the file holds only what the engine returned, never text
//! the webview made up. The webview names a conversation by an id it chose, reads the
//! whole history, and deletes one conversation or all of them.
//!
//! Every change is written whole with the engine's atomic write (temporary file, fsync,
//! rename) under one mutex, so a crash or two asks ending at once leave the old or the new
//! history, never a mix. The file is bounded (`MAX_CONVERSATIONS`, `MAX_ENTRIES`,
//! `MAX_FILE_BYTES`): the least recently used conversations go first. A file that cannot be read is set
//! aside (`conversations.unreadable.json`) and the history starts empty, with a message
//! the UI shows; nothing about it stops the app.

use crate::error::AppError;
use crate::poison::lock;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const FILE_NAME: &str = "conversations.json";
/// Where an unreadable history is moved, so the next write does not destroy it.
const SET_ASIDE_NAME: &str = "conversations.unreadable.json";
/// The file's layout; a file of another is set aside rather than misread.
const FORMAT: u32 = 1;
/// Most conversations kept; the least recently used go first.
pub const MAX_CONVERSATIONS: usize = 200;
/// Most questions kept in one conversation; its oldest go first.
pub const MAX_ENTRIES: usize = 100;
/// Most bytes the file may take (an answer with its sources is 5–20 KB).
pub const MAX_FILE_BYTES: usize = 8 << 20;
/// A conversation id: the UI's own, checked like a file name though it never names one.
const MAX_ID_CHARS: usize = 64;

/// Why the history could not be read, changed or written. Shown to the user as is.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the saved conversations ({path}) could not be read: {reason}. {aside}")]
    Unreadable { path: PathBuf, reason: String, aside: String },
    #[error("the conversation history could not be saved to {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("this answer is too large to keep in the history ({bytes} bytes; at most {MAX_FILE_BYTES})")]
    TooLarge { bytes: usize },
    #[error("invalid conversation id")]
    InvalidId,
    #[error("no saved conversation has this id; it may have been deleted already")]
    NotFound,
}

impl From<HistoryError> for AppError {
    fn from(error: HistoryError) -> AppError {
        match error {
            HistoryError::InvalidId | HistoryError::NotFound | HistoryError::TooLarge { .. } => {
                AppError::invalid(error.to_string())
            }
            HistoryError::Unreadable { .. } | HistoryError::Write { .. } => AppError::io(error.to_string()),
        }
    }
}

/// One conversation: its questions in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StoredConversation {
    /// Chosen by the UI when the conversation started.
    pub id: String,
    pub entries: Vec<StoredEntry>,
}

/// A question and how its ask ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StoredEntry {
    pub question: String,
    /// When the ask ended, in milliseconds since the Unix epoch.
    pub asked_at: u64,
    pub state: EntryState,
    /// The engine's answer as it was returned (`done` only). Kept as JSON: an answer saved
    /// by an older version is shown as far as the UI can read it, never refused whole.
    #[ts(type = "Answer | null")]
    pub answer: Option<serde_json::Value>,
    /// What went wrong (`error` only), as the user saw it.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    Done,
    Cancelled,
    Error,
}

/// What the UI lists: every saved conversation, the least recently used first, and why the
/// saved file could not be read at start, if it could not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct HistoryView {
    pub conversations: Vec<StoredConversation>,
    pub problem: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    format: u32,
    conversations: Vec<StoredConversation>,
}

pub struct History {
    path: PathBuf,
    /// Held from reading the list to the end of its write: changes never interleave.
    state: Mutex<Loaded>,
}

struct Loaded {
    conversations: Vec<StoredConversation>,
    problem: Option<String>,
}

pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// A conversation id: 1–64 ASCII letters, digits, `-` or `_`.
pub fn conversation_id(id: &str) -> Result<String, HistoryError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok {
        Ok(id.to_string())
    } else {
        Err(HistoryError::InvalidId)
    }
}

impl History {
    /// Reads the saved history. Never fails: a missing file is an empty history, and an
    /// unreadable one is set aside, its problem kept for [`History::view`].
    pub fn open(path: PathBuf) -> History {
        let (conversations, problem) = match read(&path) {
            Ok(conversations) => (conversations, None),
            Err(error) => {
                tracing::warn!("{error}");
                (Vec::new(), Some(error.to_string()))
            }
        };
        History { path, state: Mutex::new(Loaded { conversations, problem }) }
    }

    pub fn view(&self) -> HistoryView {
        let state = lock(&self.state);
        HistoryView { conversations: state.conversations.clone(), problem: state.problem.clone() }
    }

    /// Adds an entry to conversation `id` (created if new), which becomes the newest: the
    /// list is kept in the order of last use, so the bound drops the least recently used.
    pub fn record(&self, id: &str, entry: StoredEntry) -> Result<(), HistoryError> {
        let id = conversation_id(id)?;
        self.change(|conversations| {
            let mut conversation = match conversations.iter().position(|c| c.id == id) {
                Some(at) => conversations.remove(at),
                None => StoredConversation { id: id.clone(), entries: Vec::new() },
            };
            conversation.entries.push(entry);
            conversations.push(conversation);
            let entries = &mut conversations.last_mut().expect("just pushed").entries;
            let over = entries.len().saturating_sub(MAX_ENTRIES);
            entries.drain(..over);
            let over = conversations.len().saturating_sub(MAX_CONVERSATIONS);
            conversations.drain(..over);
            Ok(Some(id.clone()))
        })
    }

    /// Deletes conversation `id` from memory and from the file.
    pub fn delete(&self, id: &str) -> Result<(), HistoryError> {
        let id = conversation_id(id)?;
        self.change(|conversations| {
            let before = conversations.len();
            conversations.retain(|c| c.id != id);
            if conversations.len() == before {
                return Err(HistoryError::NotFound);
            }
            Ok(None)
        })
    }

    /// Deletes every conversation.
    pub fn clear(&self) -> Result<(), HistoryError> {
        self.change(|conversations| {
            conversations.clear();
            Ok(None)
        })
    }

    /// Applies `edit` to a copy of the history (it returns the conversation to keep when
    /// space runs out), writes the copy within the size bound, and only then keeps it: a
    /// failed write leaves the history as the file has it.
    fn change(
        &self,
        edit: impl FnOnce(&mut Vec<StoredConversation>) -> Result<Option<String>, HistoryError>,
    ) -> Result<(), HistoryError> {
        let mut state = lock(&self.state);
        let mut conversations = state.conversations.clone();
        let keep = edit(&mut conversations)?;
        let bytes = fit(&mut conversations, keep.as_deref())?;
        drugchatter_engine::write_atomically(&self.path, &bytes)
            .map_err(|e| HistoryError::Write { path: self.path.clone(), reason: e.to_string() })?;
        state.conversations = conversations;
        // The unreadable file was set aside; a successful write starts the new history.
        state.problem = None;
        Ok(())
    }
}

/// The file's bytes, dropping the least recently used conversations (never `keep`), then
/// `keep`'s oldest questions, until they fit in `MAX_FILE_BYTES`. Sizes are measured per
/// conversation, so making room costs one serialisation, not one per conversation dropped.
fn fit(conversations: &mut Vec<StoredConversation>, keep: Option<&str>) -> Result<Vec<u8>, HistoryError> {
    let json_len = |c: &StoredConversation| serde_json::to_vec(c).map_or(0, |b| b.len());
    let frame = serde_json::to_vec(&HistoryFile { format: FORMAT, conversations: Vec::new() }).map_or(0, |b| b.len());
    let mut sizes: Vec<usize> = conversations.iter().map(json_len).collect();
    // The conversations, and a comma between each two.
    let total = |sizes: &[usize]| frame + sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1);
    while total(&sizes) > MAX_FILE_BYTES {
        if let Some(oldest) = conversations.iter().position(|c| Some(c.id.as_str()) != keep) {
            conversations.remove(oldest);
            sizes.remove(oldest);
            continue;
        }
        match conversations.first_mut() {
            Some(only) if only.entries.len() > 1 => {
                only.entries.remove(0);
                sizes[0] = json_len(only);
            }
            _ => return Err(HistoryError::TooLarge { bytes: total(&sizes) }),
        }
    }
    let file = HistoryFile { format: FORMAT, conversations: std::mem::take(conversations) };
    let bytes = serde_json::to_vec(&file).expect("plain data always serialises");
    *conversations = file.conversations;
    debug_assert_eq!(bytes.len(), total(&sizes));
    Ok(bytes)
}

/// The saved conversations; an unreadable file is moved aside and reported.
fn read(path: &Path) -> Result<Vec<StoredConversation>, HistoryError> {
    let unreadable = |reason: String| {
        let aside_path = path.with_file_name(SET_ASIDE_NAME);
        let aside = match std::fs::rename(path, &aside_path) {
            Ok(()) => format!("It was moved to {} and a new history started.", aside_path.display()),
            Err(e) => format!("It could not be moved aside ({e}); the next saved answer will replace it."),
        };
        HistoryError::Unreadable { path: path.to_path_buf(), reason, aside }
    };
    // Checked before reading: a huge file is not worth loading into memory to refuse.
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > 2 * MAX_FILE_BYTES as u64 => {
            return Err(unreadable(format!("it is {} bytes, more than a history can hold", meta.len())));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e.to_string())),
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    let file: HistoryFile = serde_json::from_slice(&bytes).map_err(|e| unreadable(format!("not valid ({e})")))?;
    if file.format != FORMAT {
        return Err(unreadable(format!("it is in format {}, which this version does not read", file.format)));
    }
    if let Some(bad) = file.conversations.iter().find(|c| conversation_id(&c.id).is_err()) {
        return Err(unreadable(format!("a conversation has an invalid id {:?}", bad.id)));
    }
    Ok(file.conversations)
}

/// Milliseconds since the Unix epoch, for `asked_at`.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn done(question: &str) -> StoredEntry {
        StoredEntry {
            question: question.into(),
            asked_at: 1_700_000_000_000,
            state: EntryState::Done,
            answer: Some(serde_json::json!({ "question": question, "sentences": [], "sources": [] })),
            error: None,
        }
    }

    fn questions(history: &History) -> Vec<(String, Vec<String>)> {
        history
            .view()
            .conversations
            .into_iter()
            .map(|c| (c.id, c.entries.into_iter().map(|e| e.question).collect()))
            .collect()
    }

    fn pairs(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter().map(|(id, qs)| (id.to_string(), qs.iter().map(|q| q.to_string()).collect())).collect()
    }

    #[test]
    fn conversations_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let history = History::open(path.clone());
        assert!(history.view().conversations.is_empty());
        history.record("c-1", done("How does imiquimod work?")).unwrap();
        history.record("c-1", done("And its side effects?")).unwrap();
        let cancelled = StoredEntry { state: EntryState::Cancelled, answer: None, ..done("Aldara dose") };
        history.record("c-2", cancelled.clone()).unwrap();
        let failed = StoredEntry { state: EntryState::Error, answer: None, error: Some("boom".into()), ..done("x") };
        history.record("c-2", failed.clone()).unwrap();

        let reopened = History::open(path);
        let view = reopened.view();
        assert_eq!(view.problem, None);
        assert_eq!(view.conversations, history.view().conversations);
        assert_eq!(
            questions(&reopened),
            pairs(&[("c-1", &["How does imiquimod work?", "And its side effects?"]), ("c-2", &["Aldara dose", "x"])])
        );
        assert_eq!(view.conversations[1].entries, [cancelled, failed]);
        assert_eq!(view.conversations[0].entries[0].answer, done("How does imiquimod work?").answer);
    }

    #[test]
    fn one_conversation_is_deleted_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let history = History::open(path.clone());
        for id in ["a", "b", "c"] {
            history.record(id, done(id)).unwrap();
        }
        history.delete("b").unwrap();
        assert_eq!(questions(&History::open(path.clone())), pairs(&[("a", &["a"]), ("c", &["c"])]));
        assert!(matches!(history.delete("b"), Err(HistoryError::NotFound)));
        assert!(matches!(history.delete("../settings"), Err(HistoryError::InvalidId)));
    }

    #[test]
    fn clear_all_empties_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let history = History::open(path.clone());
        history.record("a", done("a")).unwrap();
        history.record("b", done("b")).unwrap();
        history.clear().unwrap();
        assert!(history.view().conversations.is_empty());
        let reopened = History::open(path);
        assert!(reopened.view().conversations.is_empty());
        assert_eq!(reopened.view().problem, None);
    }

    #[test]
    fn a_corrupt_file_is_set_aside_reported_and_a_new_history_started() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let damaged: [&[u8]; 6] = [
            b"\xff\xfe not json",
            b"{\"format\":1,\"conversations\":[{\"id\":\"a\",\"entries\":[{\"question\":",
            b"",
            b"{\"format\":99,\"conversations\":[]}",
            b"{\"format\":1,\"conversations\":[{\"id\":\"../../x\",\"entries\":[]}]}",
            b"[1,2,3]",
        ];
        for bytes in damaged {
            std::fs::write(&path, bytes).unwrap();
            let history = History::open(path.clone());
            let view = history.view();
            assert!(view.conversations.is_empty());
            let problem = view.problem.expect("the problem is reported");
            assert!(problem.contains("could not be read") && problem.contains(SET_ASIDE_NAME), "{problem}");
            assert_eq!(std::fs::read(dir.path().join(SET_ASIDE_NAME)).unwrap(), bytes, "kept for the user");
            assert!(!path.exists());
            history.record("a", done("after")).unwrap();
            assert_eq!(history.view().problem, None, "the new history is saved");
            assert_eq!(questions(&History::open(path.clone())), pairs(&[("a", &["after"])]));
        }
    }

    #[test]
    fn an_oversized_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(1 << 40).unwrap(); // sparse: a terabyte of nothing
        let view = History::open(path).view();
        assert!(view.conversations.is_empty());
        assert!(view.problem.unwrap().contains("more than a history can hold"));
    }

    #[test]
    fn the_history_stays_within_its_bounds_dropping_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let history = History::open(path.clone());
        for n in 0..MAX_CONVERSATIONS + 5 {
            history.record(&format!("c{n}"), done("q")).unwrap();
        }
        let ids: Vec<String> = history.view().conversations.into_iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), MAX_CONVERSATIONS);
        assert_eq!((ids[0].as_str(), ids.last().unwrap().as_str()), ("c5", "c204"));
        // A conversation asked in again is the newest: the least recently used goes.
        history.record("c5", done("again")).unwrap();
        history.record("new", done("q")).unwrap();
        let ids: Vec<String> = history.view().conversations.into_iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), MAX_CONVERSATIONS);
        assert_eq!(
            (ids[0].as_str(), &ids[MAX_CONVERSATIONS - 2..]),
            ("c7", &["c5".to_string(), "new".to_string()][..])
        );

        for n in 0..MAX_ENTRIES + 3 {
            history.record("long", done(&format!("q{n}"))).unwrap();
        }
        let long = history.view().conversations.into_iter().find(|c| c.id == "long").unwrap();
        assert_eq!(long.entries.len(), MAX_ENTRIES);
        assert_eq!(long.entries[0].question, "q3");

        // Big answers: bytes, not counts, decide; the newest conversation is kept.
        let big = |q: &str| StoredEntry { answer: Some(serde_json::json!({ "text": "x".repeat(1 << 20) })), ..done(q) };
        for n in 0..12 {
            history.record(&format!("big{n}"), big("b")).unwrap();
        }
        assert!(std::fs::metadata(&path).unwrap().len() <= MAX_FILE_BYTES as u64);
        let ids: Vec<String> = History::open(path).view().conversations.into_iter().map(|c| c.id).collect();
        assert_eq!(ids.last().map(String::as_str), Some("big11"));
        assert!(ids.len() < 12 && !ids.contains(&"c5".to_string()), "{ids:?}");
        let huge = StoredEntry { answer: Some(serde_json::json!({ "text": "x".repeat(MAX_FILE_BYTES) })), ..done("h") };
        assert!(matches!(history.record("huge", huge), Err(HistoryError::TooLarge { .. })));
        assert!(!history.view().conversations.iter().any(|c| c.id == "huge"), "a refused change is not kept");
    }

    #[test]
    fn concurrent_writes_keep_every_entry_and_a_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let history = Arc::new(History::open(path.clone()));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let history = Arc::clone(&history);
                std::thread::spawn(move || {
                    for n in 0..15 {
                        history.record(&format!("t{}", t % 3), done(&format!("{t}-{n}"))).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let reopened = History::open(path.clone());
        assert_eq!(reopened.view().problem, None);
        let total: usize = reopened.view().conversations.iter().map(|c| c.entries.len()).sum();
        assert_eq!(total, 8 * 15);
        assert_eq!(reopened.view().conversations, history.view().conversations);
        // Each thread's questions stay in the order it asked them.
        for t in 0..8 {
            let mine: Vec<String> = reopened
                .view()
                .conversations
                .iter()
                .flat_map(|c| c.entries.iter().map(|e| e.question.clone()))
                .filter(|q| q.starts_with(&format!("{t}-")))
                .collect();
            assert_eq!(mine, (0..15).map(|n| format!("{t}-{n}")).collect::<Vec<_>>());
        }

        // Two instances of the app on one file: the last write wins whole, never a mix.
        let (first, second) = (Arc::new(History::open(path.clone())), Arc::new(History::open(path.clone())));
        let writers: Vec<_> = [first, second]
            .into_iter()
            .enumerate()
            .map(|(i, history)| {
                std::thread::spawn(move || {
                    for n in 0..20 {
                        history.record(&format!("w{i}"), done(&n.to_string())).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        assert_eq!(History::open(path).view().problem, None);
        assert!(!dir.path().join(SET_ASIDE_NAME).exists());
    }

    #[test]
    fn ids_are_checked() {
        for good in ["c-1", "k3v_9", &"a".repeat(64)] {
            assert!(conversation_id(good).is_ok(), "{good}");
        }
        for bad in ["", "a/b", "..", "a b", "é", &"a".repeat(65)] {
            assert!(conversation_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // The data folder is a file: nothing can be read or written there.
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, b"x").unwrap();
        let history = History::open(file_in(&blocker));
        assert!(history.view().problem.is_some());
        let error = history.record("a", done("q")).unwrap_err();
        assert!(matches!(error, HistoryError::Write { .. }), "{error}");
        assert!(history.view().conversations.is_empty());
    }
}
