//! Crash-safe writes: a file is written beside its destination, flushed to disk and renamed
//! over it, so a reader sees either the old or the new content, never half of one.

use crate::error::{Error, Result};
use crate::writer_lock::WriterLock;
use std::io::Write;
use std::path::Path;

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(&temporary_prefix()).tempfile_in(dir).map_err(Error::io(dir))?;
    tmp.write_all(bytes).map_err(Error::io(path))?;
    tmp.as_file().sync_all().map_err(Error::io(path))?;
    tmp.persist(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e.error })?;
    sync_dir(dir);
    Ok(())
}

/// Creates `dir` and its missing parents, syncing the folder that holds each new one: a
/// new library or index folder whose entry is lost in a crash would take with it the files
/// already synced inside it.
pub fn create_dir_all(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        create_dir_all(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        // Another writer (of another library) made it meanwhile.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
        Err(e) => return Err(Error::Io { path: dir.to_path_buf(), source: e }),
    }
    sync_dir(parent.unwrap_or(Path::new(".")));
    Ok(())
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The start of this process's temporary file and folder names: `.tmp-<pid>-`. The pid
/// only tells, when one is left behind, which run it was.
pub fn temporary_prefix() -> String {
    format!(".tmp-{}-", std::process::id())
}

/// Removes the temporary files and folders (see [`temporary_prefix`]) left in `dir` by a
/// writer killed between creating one and renaming it. Only the holder of the folder's
/// [`WriterLock`] writes there, so while it is held every temporary is a leftover: a
/// process id would not tell, as ids are reused and differ across pid namespaces.
pub fn remove_temporaries(dir: &Path, _held: &WriterLock) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(".tmp-")) {
            let path = entry.path();
            let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_go_once_the_lock_is_held_and_a_live_writers_work_stays() {
        let dir = tempfile::tempdir().unwrap();
        // Written by another process (pid 1 lives for as long as the system does): the
        // lock, not the pid, says it is a leftover.
        let file = dir.path().join(".tmp-1-abc");
        let folder = dir.path().join(".tmp-1-def");
        let other = dir.path().join("CURRENT");
        std::fs::write(&file, b"half").unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("vectors"), b"half").unwrap();
        std::fs::write(&other, b"gen-1").unwrap();
        let writer = WriterLock::acquire(dir.path(), || {}).unwrap();
        assert!(WriterLock::try_acquire(dir.path()).unwrap().is_none(), "no one else may clean up meanwhile");
        drop(writer);
        let lock = WriterLock::acquire(dir.path(), || {}).unwrap();
        remove_temporaries(dir.path(), &lock);
        assert!(!file.exists() && !folder.exists());
        assert!(other.exists() && dir.path().join(".lock").exists());
    }

    #[test]
    fn folders_are_created_with_their_parents_and_again_without_error() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("libraries/fda/labels");
        create_dir_all(&deep).unwrap();
        create_dir_all(&deep).unwrap();
        assert!(deep.is_dir());
        std::fs::write(dir.path().join("file"), b"").unwrap();
        assert!(create_dir_all(&dir.path().join("file/below")).is_err(), "a file is in the way");
    }

    #[test]
    fn a_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a.json"), b"{}").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
    }
}
