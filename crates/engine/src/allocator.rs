//! Process-wide heap tuning for tensor work.
//!
//! Every candle op allocates its output afresh, often megabytes. glibc returns such blocks
//! to the kernel when they are freed (mmap'd chunks, heap trimming), so the next op faults
//! the pages back in, zeroed, one by one, under a lock both threads share. Embedding the
//! 2,118 passages of a 41-label import measured 95 s with 3.0 M page faults by default and
//! 54 s with 46 k once freed memory stays in the heap (BENCHMARKS.md). Peak RSS is unchanged:
//! the same blocks are reused.

use std::sync::Once;

/// Largest threshold glibc accepts for `M_MMAP_THRESHOLD` on 64-bit (HEAP_MAX_SIZE / 2).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 32 * 1024 * 1024;

/// Keeps freed memory in the process for reuse. Idempotent; a no-op off glibc.
pub fn keep_freed_memory() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only changes allocator parameters; it is called once, before the
        // engine allocates tensors, and glibc serialises it with allocation internally.
        unsafe {
            if libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 0
                || libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX) == 0
            {
                tracing::debug!("the allocator refused the tuning; tensor work will be slower");
            }
        }
    });
}
