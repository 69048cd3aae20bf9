//! Crash-safe writes: a file is written beside its destination, flushed to disk and renamed
//! over it, so a reader sees either the old or the new content, never half of one.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let mut tmp = tempfile::Builder::new().prefix(&temporary_prefix()).tempfile_in(dir).map_err(Error::io(dir))?;
    tmp.write_all(bytes).map_err(Error::io(path))?;
    tmp.as_file().sync_all().map_err(Error::io(path))?;
    tmp.persist(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e.error })?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The start of this process's temporary file and folder names: `.tmp-<pid>-`. The pid
/// lets a later run tell what a killed process left behind from a live process's work.
pub fn temporary_prefix() -> String {
    format!(".tmp-{}-", std::process::id())
}

/// Removes the temporary files and folders (see [`temporary_prefix`]) that processes no
/// longer running left in `dir`: a kill between creating one and renaming it leaves it.
/// Those of live processes, including this one, stay, so concurrent writers never delete
/// each other's work.
pub fn remove_stale_temporaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".tmp-")) else { continue };
        let pid_alive = rest
            .split('-')
            .next()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|pid| pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists());
        if !pid_alive {
            let path = entry.path();
            let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_processes_go_and_live_work_stays() {
        let dir = tempfile::tempdir().unwrap();
        // No process has pid 0 in /proc; this process is alive.
        let dead_file = dir.path().join(".tmp-0-abc");
        let dead_folder = dir.path().join(".tmp-0-def");
        let live = dir.path().join(format!("{}xyz", temporary_prefix()));
        let other = dir.path().join("CURRENT");
        std::fs::write(&dead_file, b"half").unwrap();
        std::fs::create_dir(&dead_folder).unwrap();
        std::fs::write(dead_folder.join("vectors"), b"half").unwrap();
        std::fs::write(&live, b"in progress").unwrap();
        std::fs::write(&other, b"gen-1").unwrap();
        remove_stale_temporaries(dir.path());
        assert!(!dead_file.exists() && !dead_folder.exists());
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn a_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a.json"), b"{}").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
    }
}
