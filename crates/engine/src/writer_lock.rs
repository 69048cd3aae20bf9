//! One writer per folder: an exclusive `flock` on `<folder>/.lock`, held for as long as a
//! writer works there. The app's start-up, the CLI's `index` (or a first `search`), an
//! import and `library remove` can each reach the same library at once; without the lock
//! each could delete the other's generation or temporaries. The system releases the lock
//! when its holder exits, killed or not, so a crash never leaves a library locked.

use crate::error::{Error, Result};
use std::fs::{File, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = ".lock";

/// Held while its owner writes the folder; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
    dir: PathBuf,
}

impl WriterLock {
    /// The lock on `dir` (created if missing), waiting for the writer holding it; `waiting`
    /// is called once first if there is one, to say so.
    pub fn acquire(dir: &Path, waiting: impl FnOnce()) -> Result<WriterLock> {
        let mut waiting = Some(waiting);
        loop {
            let file = open(dir)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    if let Some(waiting) = waiting.take() {
                        waiting();
                    }
                    file.lock().map_err(Error::io(dir.join(LOCK_FILE)))?;
                }
                Err(TryLockError::Error(e)) => return Err(Error::Io { path: dir.join(LOCK_FILE), source: e }),
            }
            if let Some(lock) = still_there(file, dir)? {
                return Ok(lock);
            }
        }
    }

    /// The lock on `dir` if no one holds it, else `None`.
    pub fn try_acquire(dir: &Path) -> Result<Option<WriterLock>> {
        loop {
            let file = open(dir)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(Error::Io { path: dir.join(LOCK_FILE), source: e }),
            }
            if let Some(lock) = still_there(file, dir)? {
                return Ok(Some(lock));
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn open(dir: &Path) -> Result<File> {
    crate::atomic::create_dir_all(dir)?;
    let path = dir.join(LOCK_FILE);
    std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(Error::io(&path))
}

/// The lock, if the file locked is still the folder's lock file: `library remove` moves the
/// folder away while holding it, and a writer that waited must then lock the new folder's.
fn still_there(file: File, dir: &Path) -> Result<Option<WriterLock>> {
    let held = file.metadata().map_err(Error::io(dir.join(LOCK_FILE)))?;
    let same = std::fs::metadata(dir.join(LOCK_FILE)).is_ok_and(|m| m.ino() == held.ino() && m.dev() == held.dev());
    Ok(same.then(|| WriterLock { _file: file, dir: dir.to_path_buf() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_or_waits_until_the_first_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriterLock::acquire(dir.path(), || panic!("no one holds it yet")).unwrap();
        assert!(WriterLock::try_acquire(dir.path()).unwrap().is_none());
        let (told, waited) = std::sync::mpsc::channel();
        let path = dir.path().to_path_buf();
        let second = std::thread::spawn(move || WriterLock::acquire(&path, || told.send(()).unwrap()).unwrap());
        waited.recv().unwrap();
        assert!(!second.is_finished(), "it waits while the first holds the lock");
        drop(first);
        let second = second.join().unwrap();
        assert!(WriterLock::try_acquire(dir.path()).unwrap().is_none(), "the second holds it now");
        drop(second);
        assert!(WriterLock::try_acquire(dir.path()).unwrap().is_some());
    }

    #[test]
    fn a_writer_that_waited_while_the_folder_was_removed_locks_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let library = dir.path().join("library");
        let remover = WriterLock::acquire(&library, || {}).unwrap();
        let path = library.clone();
        let writer = std::thread::spawn(move || WriterLock::acquire(&path, || {}).unwrap());
        std::fs::rename(&library, dir.path().join("trash")).unwrap();
        drop(remover);
        // Whether it began waiting before the move or after, it ends up holding the lock
        // of the folder now at that path, not the one moved away.
        let _writer = writer.join().unwrap();
        assert!(WriterLock::try_acquire(&library).unwrap().is_none(), "the writer holds the new folder's lock");
        assert!(WriterLock::try_acquire(&dir.path().join("trash")).unwrap().is_some());
    }
}
