//! Locks that outlive a panic: the shell's one rule for its mutexes.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex; a panic elsewhere while it was held does not make it unusable (every
/// value behind these locks stays consistent between statements).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
