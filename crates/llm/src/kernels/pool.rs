//! The decoder's thread pool: one thread per core, its parallel loops split by work stealing.
//!
//! A decoding step is ~120 small products and ~600 tiny vector ops. Through candle tensors
//! each op allocated, checked shapes and went to one of two thread pools (rayon for
//! element-wise ops, candle's barrier pool for quantized products); profiling showed the
//! main thread spending a third of decoding waiting at barriers. Here the heavy work splits
//! by work stealing on one pool ([`on_pool`]) and everything else runs inline on the
//! calling thread.

/// Runs `f(i, part)` for each `part_len`-long part of `out` (part `i` starts at
/// `i * part_len`), split into a few pieces the other core can steal. Work stealing, not a
/// barrier: when the other core is busy with another program, this thread does every
/// piece itself instead of waiting for it (a barrier made decoding 10× slower on a busy
/// machine). Called inside [`on_pool`], the stealing needs no thread wake-up.
pub fn for_each_part(out: &mut [f32], part_len: usize, f: impl Fn(usize, &mut [f32]) + Sync + Send) {
    use rayon::prelude::*;
    let parts = out.len() / part_len;
    out.par_chunks_mut(part_len).with_min_len(parts.div_ceil(8).max(1)).enumerate().for_each(|(i, part)| f(i, part));
}

/// Runs `work` on the decoding thread pool (one thread per core), so that the parallel
/// loops inside it start from a pool thread and split by stealing, not by messages to
/// another pool.
pub fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("decode-{i}")).build().ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        // No thread could be started: the current one does it all.
        None => work(),
    }
}
