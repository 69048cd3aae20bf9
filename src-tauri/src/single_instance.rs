//! One app per data folder. Two instances would index the same library at once (the
//! writer lock makes one wait, but the user sees two windows doing it) and write one
//! history file in turn. The first launch holds an exclusive lock on `<data>/app.lock`
//! for as long as it runs and listens on `<data>/app.sock`; a later launch finds the lock
//! held, asks the first over that socket to bring its window to the front, and exits.
//! The system drops the lock when its holder exits, killed or not, so a crash never
//! blocks the next start. The socket is a local (AF_UNIX) one, never a network socket.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

const LOCK_FILE: &str = "app.lock";
const SOCKET_FILE: &str = "app.sock";
const SHOW: &[u8] = b"show\n";

/// What a launch is.
pub enum Instance {
    /// The only one running: it keeps the lock while it lives.
    First(Primary),
    /// Another instance holds the folder; it was asked to show its window (`shown`: whether
    /// the request got through).
    Second { shown: bool },
}

/// The running instance's claim on its data folder.
pub struct Primary {
    lock: File,
    /// `None` when the socket could not be made (a path too long for a socket address):
    /// the app still runs alone, and a second launch only says that it is running.
    listener: Option<UnixListener>,
}

/// Claims `data_dir` for this process, or hands over to the instance that holds it.
pub fn claim(data_dir: &Path) -> std::io::Result<Instance> {
    std::fs::create_dir_all(data_dir)?;
    let lock = OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE))?;
    match lock.try_lock() {
        Ok(()) => {
            let socket = data_dir.join(SOCKET_FILE);
            // Left by an instance that was killed; no one else can be listening, since
            // only the lock holder binds it.
            let _ = std::fs::remove_file(&socket);
            let listener = UnixListener::bind(&socket)
                .inspect_err(|e| {
                    tracing::warn!(
                        "cannot listen on {}: {e}; a second launch will not find this window",
                        socket.display()
                    )
                })
                .ok();
            Ok(Instance::First(Primary { lock, listener }))
        }
        Err(TryLockError::WouldBlock) => Ok(Instance::Second { shown: ask_to_show(&data_dir.join(SOCKET_FILE)) }),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Asks the running instance to show its window. It may have taken the lock a moment ago
/// and not be listening yet, so connecting is retried for about two seconds.
fn ask_to_show(socket: &PathBuf) -> bool {
    for _ in 0..20 {
        if let Ok(mut stream) = UnixStream::connect(socket) {
            return stream.write_all(SHOW).is_ok();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

impl Primary {
    /// Serves show requests for the rest of the process's life, calling `show` for each.
    /// Keeps the claim: the lock goes with the process.
    pub fn serve(self, show: impl Fn() + Send + 'static) {
        let Primary { lock, listener } = self;
        let Some(listener) = listener else {
            // Keep the lock for the process's lifetime all the same.
            std::mem::forget(lock);
            return;
        };
        let spawned = std::thread::Builder::new().name("single-instance".into()).spawn(move || {
            let _held = lock;
            for stream in listener.incoming().flatten() {
                let mut request = [0u8; SHOW.len()];
                let read = (&stream).take(SHOW.len() as u64).read_exact(&mut request);
                if read.is_ok() && request == SHOW {
                    show();
                }
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot serve show requests: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_launch_hands_over_to_the_first_which_shows_its_window() {
        let dir = tempfile::tempdir().unwrap();
        let Instance::First(primary) = claim(dir.path()).unwrap() else { panic!("the first launch runs") };
        let (shown, show_requests) = mpsc::channel();
        primary.serve(move || shown.send(()).unwrap());
        // flock is per open file, so a second claim in this process sees the lock held.
        for _ in 0..2 {
            assert!(matches!(claim(dir.path()).unwrap(), Instance::Second { shown: true }));
            show_requests.recv_timeout(Duration::from_secs(60)).expect("the first instance was asked to show");
        }
    }

    #[test]
    fn a_killed_instances_leftovers_never_block_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed instance leaves: the lock file (unlocked) and a dead socket file.
        std::fs::write(dir.path().join(LOCK_FILE), b"").unwrap();
        drop(UnixListener::bind(dir.path().join(SOCKET_FILE)).unwrap());
        assert!(matches!(claim(dir.path()).unwrap(), Instance::First(_)));
    }

    #[test]
    fn nothing_is_shown_for_a_stray_connection() {
        let dir = tempfile::tempdir().unwrap();
        let Instance::First(primary) = claim(dir.path()).unwrap() else { panic!() };
        let (shown, show_requests) = mpsc::channel();
        primary.serve(move || shown.send(()).unwrap());
        UnixStream::connect(dir.path().join(SOCKET_FILE)).unwrap().write_all(b"hello").unwrap();
        assert!(matches!(claim(dir.path()).unwrap(), Instance::Second { shown: true }));
        show_requests.recv_timeout(Duration::from_secs(60)).unwrap();
        assert!(show_requests.try_recv().is_err(), "only the real request showed the window");
    }
}
