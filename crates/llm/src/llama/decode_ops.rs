//! The arithmetic of one decoding step on plain slices: quantized (Q4_1 or Q8_0)
//! matrix-vector products and attention over the f16 KV cache, split between both cores, and
//! the small vector ops between them (norms, SwiGLU, rotations, a vectorised exp), which the
//! prompt path shares.
//!
//! A decoding step is ~120 small products and ~600 tiny vector ops. Through candle tensors
//! each op allocated, checked shapes and went to one of two thread pools (rayon for
//! element-wise ops, candle's barrier pool for quantized products); profiling showed the
//! main thread spending a third of decoding waiting at barriers. Here the heavy work splits
//! by work stealing on one pool ([`on_pool`]) and everything else runs inline on the
//! calling thread.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::Tensor;

/// Values per quantization block (Q8_0, Q4_1, Q8_1).
const BLOCK: usize = 32;

/// A weight matrix in a quantized form with a fast dot product, row after row.
pub struct QuantRows {
    blocks: Blocks,
    rows: usize,
    cols: usize,
}

enum Blocks {
    /// llama.cpp's Q8_0 (1.06 bytes a weight).
    Q8_0(Vec<BlockQ8_0>),
    /// As the GGUF stores it: 0.625 bytes a weight against Q8_0's 1.06, and decoding reads
    /// every weight once per token. candle has only a scalar dot product for it.
    Q4_1(Vec<BlockQ4_1>),
}

/// llama.cpp's Q4_1 block, `value = d · q + m` for 32 4-bit `q`, with `d` and `m` widened
/// from f16 at load: converting them in the loop cost a call per block and spilled the
/// accumulators, which made the product 10× slower.
#[derive(Clone, Copy)]
struct BlockQ4_1 {
    d: f32,
    m: f32,
    /// Values j (low nibble) and j + 16 (high nibble).
    qs: [u8; 16],
}

/// llama.cpp's Q8_0 block, `value = d · q`, with `d` widened from f16 (as in [`BlockQ4_1`]);
/// also the input side of a Q8_0 dot product.
#[derive(Clone, Copy)]
struct BlockQ8_0 {
    d: f32,
    qs: [i8; BLOCK],
}

/// llama.cpp's Q8_1 block, the input side of a Q4_1 dot product: `s = d · Σ q`.
#[derive(Clone, Copy)]
struct BlockQ8_1 {
    d: f32,
    s: f32,
    qs: [i8; BLOCK],
}

impl QuantRows {
    /// The rows of `parts` one after the other (q, k and v; gate and up; or one matrix).
    /// Q4_1 stays Q4_1; anything else becomes Q8_0, exact for Q8_0 and more precise than
    /// any smaller quantization. `dense`, when the caller has it, is `parts` dequantized and
    /// stacked, which saves dequantizing them again.
    pub fn new(parts: &[QTensor], dense: Option<&Tensor>) -> candle_core::Result<QuantRows> {
        let mut rows = 0;
        let mut cols = None;
        for part in parts {
            let (r, c) = part.shape().dims2()?;
            if cols.is_some_and(|cols| cols != c) || !c.is_multiple_of(BLOCK) {
                candle_core::bail!("weights of {c} columns cannot be stored in blocks of {BLOCK} beside {cols:?}");
            }
            rows += r;
            cols = Some(c);
        }
        let cols = cols.unwrap_or(0);
        let blocks = if parts.iter().all(|p| p.dtype() == GgmlDType::Q4_1) {
            let mut blocks = Vec::with_capacity(rows * cols / BLOCK);
            for part in parts {
                blocks.extend(part.data()?.chunks_exact(20).map(|b| BlockQ4_1 {
                    d: half::f16::from_le_bytes([b[0], b[1]]).to_f32(),
                    m: half::f16::from_le_bytes([b[2], b[3]]).to_f32(),
                    qs: b[4..20].try_into().expect("16 bytes"),
                }));
            }
            Blocks::Q4_1(blocks)
        } else {
            let values = match dense {
                Some(dense) => dense.flatten_all()?.to_vec1::<f32>()?,
                None => {
                    let mut values = Vec::with_capacity(rows * cols);
                    for part in parts {
                        values.extend(part.dequantize(&part.device())?.flatten_all()?.to_vec1::<f32>()?);
                    }
                    values
                }
            };
            Blocks::Q8_0(quantize_q8_0(&values))
        };
        Ok(QuantRows { blocks, rows, cols })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// How the weights are kept.
    #[cfg(test)]
    pub fn dtype(&self) -> GgmlDType {
        match self.blocks {
            Blocks::Q8_0(_) => GgmlDType::Q8_0,
            Blocks::Q4_1(_) => GgmlDType::Q4_1,
        }
    }

    /// `out = W · x`.
    pub fn matvec(&self, x: &[f32], out: &mut [f32]) {
        debug_assert_eq!(x.len(), self.cols);
        debug_assert_eq!(out.len(), self.rows);
        let per_row = self.cols / BLOCK;
        match &self.blocks {
            Blocks::Q8_0(blocks) => {
                let x = quantize_q8_0(x);
                self.for_each_row(out, |r| dot_q8_0_q8_0(&blocks[r * per_row..(r + 1) * per_row], &x));
            }
            Blocks::Q4_1(blocks) => {
                let x = quantize_q8_1(x);
                self.for_each_row(out, |r| dot_q4_1_q8_1(&blocks[r * per_row..(r + 1) * per_row], &x));
            }
        }
    }

    fn for_each_row(&self, out: &mut [f32], row: impl Fn(usize) -> f32 + Sync + Send) {
        // Below this, handing pieces to the other core costs more than it saves.
        const PARALLEL_MIN_WEIGHTS: usize = 64 * 1024;
        if self.rows * self.cols < PARALLEL_MIN_WEIGHTS {
            out.iter_mut().enumerate().for_each(|(r, o)| *o = row(r));
        } else {
            for_each_part(out, 1, |r, o| o[0] = row(r));
        }
    }
}

/// As llama.cpp's and candle's `quantize_row_q8_0`, `d` rounded to f16 as they store it.
fn quantize_q8_0(x: &[f32]) -> Vec<BlockQ8_0> {
    x.chunks_exact(BLOCK)
        .map(|values| {
            let (d, qs) = quantize_block(values);
            BlockQ8_0 { d: d.to_f32(), qs }
        })
        .collect()
}

/// As llama.cpp's and candle's `quantize_row_q8_1`, which keep `d` and `s` as f16 (the
/// rounding included, so that the results match theirs).
fn quantize_q8_1(x: &[f32]) -> Vec<BlockQ8_1> {
    x.chunks_exact(BLOCK)
        .map(|values| {
            let (d, qs) = quantize_block(values);
            let sum: i32 = qs.iter().map(|&q| q as i32).sum();
            BlockQ8_1 { d: d.to_f32(), s: (half::f16::from_f32(sum as f32) * d).to_f32(), qs }
        })
        .collect()
}

/// 32 values as `d · q` with 8-bit `q`: `d` (as f16) and the `q`.
fn quantize_block(values: &[f32]) -> (half::f16, [i8; BLOCK]) {
    let amax = values.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    let mut qs = [0i8; BLOCK];
    for (q, v) in qs.iter_mut().zip(values) {
        *q = (v * id).round() as i8;
    }
    (half::f16::from_f32(d), qs)
}

/// Σ over blocks of `d_x·d_y·Σ q_x·q_y`: the dot product of two Q8_0 vectors.
fn dot_q8_0_q8_0(xs: &[BlockQ8_0], ys: &[BlockQ8_0]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { dot_q8_0_q8_0_avx2(xs, ys) };
    }
    xs.iter()
        .zip(ys)
        .map(|(x, y)| x.d * y.d * x.qs.iter().zip(&y.qs).map(|(a, b)| *a as i32 * *b as i32).sum::<i32>() as f32)
        .sum()
}

/// llama.cpp's AVX2 `ggml_vec_dot_q8_0_q8_0`: `maddubs` wants one unsigned operand, so x's
/// sign moves onto y. Two accumulators, as in [`dot_q4_1_q8_1_avx2`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_q8_0_q8_0_avx2(xs: &[BlockQ8_0], ys: &[BlockQ8_0]) -> f32 {
    use std::arch::x86_64::*;
    let ones = _mm256_set1_epi16(1);
    let block = |x: &BlockQ8_0, y: &BlockQ8_0| {
        // SAFETY: both hold 32 bytes.
        let (bx, by) = unsafe {
            (_mm256_loadu_si256(x.qs.as_ptr() as *const __m256i), _mm256_loadu_si256(y.qs.as_ptr() as *const __m256i))
        };
        let products = _mm256_maddubs_epi16(_mm256_sign_epi8(bx, bx), _mm256_sign_epi8(by, bx));
        _mm256_cvtepi32_ps(_mm256_madd_epi16(ones, products))
    };
    let (mut acc0, mut acc1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    for (x, y) in xs.chunks_exact(2).zip(ys.chunks_exact(2)) {
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(x[0].d * y[0].d), block(&x[0], &y[0]), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(x[1].d * y[1].d), block(&x[1], &y[1]), acc1);
    }
    let tail = xs.len() / 2 * 2;
    for (x, y) in xs[tail..].iter().zip(&ys[tail..]) {
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(x.d * y.d), block(x, y), acc0);
    }
    horizontal_sum(_mm256_add_ps(acc0, acc1))
}

/// The sum of a vector's eight lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn horizontal_sum(v: std::arch::x86_64::__m256) -> f32 {
    use std::arch::x86_64::*;
    let halves = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let pairs = _mm_add_ps(halves, _mm_movehl_ps(halves, halves));
    _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehdup_ps(pairs)))
}

/// Σ over blocks of `d_x·d_y·Σ q_x·q_y + m_x·s_y`: the dot product of a Q4_1 row with a
/// Q8_1 vector.
fn dot_q4_1_q8_1(xs: &[BlockQ4_1], ys: &[BlockQ8_1]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { dot_q4_1_q8_1_avx2(xs, ys) };
    }
    xs.iter()
        .zip(ys)
        .map(|(x, y)| {
            let q: i32 = (0..16)
                .map(|j| {
                    let (lo, hi) = ((x.qs[j] & 0xF) as i32, (x.qs[j] >> 4) as i32);
                    lo * y.qs[j] as i32 + hi * y.qs[j + 16] as i32
                })
                .sum();
            x.d * y.d * q as f32 + x.m * y.s
        })
        .sum()
}

/// llama.cpp's AVX2 `ggml_vec_dot_q4_1_q8_1`: the 4-bit values are unsigned, so one
/// `maddubs` multiplies them with the signed 8-bit input. Two blocks per iteration into two
/// accumulators, so that consecutive blocks do not wait on each other's FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_q4_1_q8_1_avx2(xs: &[BlockQ4_1], ys: &[BlockQ8_1]) -> f32 {
    use std::arch::x86_64::*;
    let low_nibbles = _mm256_set1_epi8(0xF);
    let ones = _mm256_set1_epi16(1);
    let block = |x: &BlockQ4_1, y: &BlockQ8_1| {
        // SAFETY: qs holds 16 bytes and y.qs 32.
        let (packed, by) = unsafe {
            (_mm_loadu_si128(x.qs.as_ptr() as *const __m128i), _mm256_loadu_si256(y.qs.as_ptr() as *const __m256i))
        };
        let bx = _mm256_and_si256(
            _mm256_insertf128_si256::<1>(_mm256_castsi128_si256(packed), _mm_srli_epi16::<4>(packed)),
            low_nibbles,
        );
        _mm256_cvtepi32_ps(_mm256_madd_epi16(ones, _mm256_maddubs_epi16(bx, by)))
    };
    let (mut acc0, mut acc1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let (mut offsets0, mut offsets1) = (0f32, 0f32);
    for (x, y) in xs.chunks_exact(2).zip(ys.chunks_exact(2)) {
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(x[0].d * y[0].d), block(&x[0], &y[0]), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(x[1].d * y[1].d), block(&x[1], &y[1]), acc1);
        offsets0 += x[0].m * y[0].s;
        offsets1 += x[1].m * y[1].s;
    }
    let tail = xs.len() / 2 * 2;
    for (x, y) in xs[tail..].iter().zip(&ys[tail..]) {
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(x.d * y.d), block(x, y), acc0);
        offsets0 += x.m * y.s;
    }
    horizontal_sum(_mm256_add_ps(acc0, acc1)) + offsets0 + offsets1
}

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

/// RMS normalisation as candle computes it: `x / sqrt(mean(x²) + eps) * weight`.
pub fn rms_norm(x: &[f32], weight: &[f32], eps: f32) -> Vec<f32> {
    let mut out = vec![0f32; x.len()];
    rms_norm_into(x, weight, eps, &mut out);
    out
}

/// [`rms_norm`] into `out`.
pub fn rms_norm_into(x: &[f32], weight: &[f32], eps: f32, out: &mut [f32]) {
    let mean_square = dot(x, x) / x.len() as f32;
    let scale = (mean_square + eps).sqrt();
    for ((o, v), w) in out.iter_mut().zip(x).zip(weight) {
        *o = v / scale * w;
    }
}

pub fn add_assign(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

/// SwiGLU: `silu(gate) * up`, for `gate_up` holding the gate then the up projection.
pub fn swiglu(gate_up: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; gate_up.len() / 2];
    swiglu_into(gate_up, &mut out);
    out
}

/// [`swiglu`] into `out`, which holds half as many values as `gate_up`.
pub fn swiglu_into(gate_up: &[f32], out: &mut [f32]) {
    let (gate, up) = gate_up.split_at(gate_up.len() / 2);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        done = unsafe { swiglu_avx2(gate, up, out) };
    }
    for ((o, g), u) in out.iter_mut().zip(gate).zip(up).skip(done) {
        *o = g / (1.0 + (-g).exp()) * u;
    }
}

/// [`swiglu`] eight values at a time, with [`exp_avx2`] (libm's exp, a call per value, was
/// a tenth of the prompt's time); returns how many values it did.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn swiglu_avx2(gate: &[f32], up: &[f32], out: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    let one = _mm256_set1_ps(1.0);
    let mut done = 0;
    for ((g, u), o) in gate.chunks_exact(8).zip(up.chunks_exact(8)).zip(out.chunks_exact_mut(8)) {
        // SAFETY: each chunk holds 8 floats.
        unsafe {
            let g = _mm256_loadu_ps(g.as_ptr());
            let silu = _mm256_div_ps(g, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g))));
            _mm256_storeu_ps(o.as_mut_ptr(), _mm256_mul_ps(silu, _mm256_loadu_ps(u.as_ptr())));
        }
        done += 8;
    }
    done
}

/// Rotates each `head_dim`-long head of `x` by the angles of one position (`cos`, `sin`:
/// `head_dim / 2` values). NEOX pairs (i, i + d/2); llama's own convention (2i, 2i + 1).
pub fn rope(x: &mut [f32], head_dim: usize, cos: &[f32], sin: &[f32], neox: bool) {
    let half = head_dim / 2;
    for head in x.chunks_exact_mut(head_dim) {
        for i in 0..half {
            let (a, b) = if neox { (i, i + half) } else { (2 * i, 2 * i + 1) };
            let (x0, x1) = (head[a], head[b]);
            head[a] = x0 * cos[i] - x1 * sin[i];
            head[b] = x0 * sin[i] + x1 * cos[i];
        }
    }
}

/// The shape of grouped-query attention.
#[derive(Clone, Copy)]
pub struct Heads {
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
}

/// Keys or values of one layer, growing by appends: per key/value head, `head_dim` values
/// per position. In f16, as llama.cpp keeps its cache: at a thousand positions the cache
/// is half as many bytes as SmolLM2's weights in f32, and a decoding step reads all of it.
/// Head-major, so that each attention piece reads one contiguous run.
pub struct KvCache {
    heads: Vec<Vec<half::f16>>,
    head_dim: usize,
}

impl KvCache {
    pub fn new(n_kv_head: usize, head_dim: usize) -> KvCache {
        KvCache { heads: vec![Vec::new(); n_kv_head], head_dim }
    }

    pub fn positions(&self) -> usize {
        self.heads.first().map_or(0, |h| h.len() / self.head_dim)
    }

    /// Forgets everything from `position` on, so the next append lands there.
    pub fn truncate(&mut self, position: usize) {
        self.heads.iter_mut().for_each(|h| h.truncate(position * self.head_dim));
    }

    /// Appends `seq` positions given as `[kv_head][seq][head_dim]`.
    pub fn append(&mut self, new: &[f32], seq: usize) {
        use half::slice::HalfFloatSliceExt;
        let len = seq * self.head_dim;
        for (head, new) in self.heads.iter_mut().zip(new.chunks_exact(len)) {
            let start = head.len();
            head.resize(start + len, half::f16::ZERO);
            head[start..].convert_from_f32_slice(new);
        }
    }

    /// Every position so far, `[kv_head][position][head_dim]`, in f32.
    pub fn to_f32(&self) -> Vec<f32> {
        use half::slice::HalfFloatSliceExt;
        let len = self.positions() * self.head_dim;
        let mut all = vec![0f32; self.heads.len() * len];
        for (head, out) in self.heads.iter().zip(all.chunks_exact_mut(len.max(1))) {
            head.convert_to_f32_slice(out);
        }
        all
    }
}

/// Positions in one piece of a decoding step's attention: a piece's keys and values stay
/// in the core's L1 cache while its query heads read them.
const ATTENTION_RUN: usize = 128;

/// Attention of one new position over all cached ones; `q` and `out` hold
/// `[head][head_dim]`.
///
/// The work is split by key/value head *and* by runs of positions (flash-decoding): each
/// piece computes the query heads sharing its key/value head together, so the cache is
/// read from memory once per group rather than once per query head, and SmolLM2's three
/// groups become enough pieces to keep both cores busy. The pieces' unnormalised softmax
/// sums are merged at the end.
pub fn attend(q: &[f32], keys: &KvCache, values: &KvCache, heads: Heads, out: &mut [f32]) {
    let Heads { n_head, n_kv_head, head_dim } = heads;
    let group = n_head / n_kv_head;
    let positions = keys.positions();
    let runs = positions.div_ceil(ATTENTION_RUN);
    // Per piece and query head: the run's max score, Σ exp(score - max), then
    // Σ exp(score - max)·value.
    let head_len = head_dim + 2;
    let mut pieces = vec![0f32; n_kv_head * runs * group * head_len];
    let piece = |i: usize, partial: &mut [f32]| {
        let (kv_head, run) = (i / runs, i % runs);
        let qs = &q[kv_head * group * head_dim..(kv_head + 1) * group * head_dim];
        let span = run * ATTENTION_RUN * head_dim..((run + 1) * ATTENTION_RUN).min(positions) * head_dim;
        attend_run(qs, &keys.heads[kv_head][span.clone()], &values.heads[kv_head][span], head_dim, partial);
    };
    // Short contexts cost less than the hand-over to the other core.
    if positions * n_head < 2048 {
        pieces.chunks_exact_mut(group * head_len).enumerate().for_each(|(i, p)| piece(i, p));
    } else {
        for_each_part(&mut pieces, group * head_len, piece);
    }
    for (h, out) in out.chunks_exact_mut(head_dim).enumerate() {
        let (kv_head, j) = (h / group, h % group);
        let partial = |run: usize| {
            let start = ((kv_head * runs + run) * group + j) * head_len;
            &pieces[start..start + head_len]
        };
        let max = (0..runs).map(|r| partial(r)[0]).fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = (0..runs).map(|r| (partial(r)[0] - max).exp() * partial(r)[1]).sum();
        out.fill(0.0);
        for r in 0..runs {
            let weight = (partial(r)[0] - max).exp() / total;
            for (o, v) in out.iter_mut().zip(&partial(r)[2..]) {
                *o += v * weight;
            }
        }
    }
}

/// The query heads `qs` (`[head][head_dim]`) over one run of positions of the key/value
/// head they share (`keys`, `values`: `[position][head_dim]`), written to `partial`
/// unnormalised (see [`attend`]).
fn attend_run(qs: &[f32], keys: &[half::f16], values: &[half::f16], head_dim: usize, partial: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
    {
        // SAFETY (each call): the CPU has the features the function is compiled for, and
        // the head size is the one it is instantiated for.
        match head_dim {
            64 => return unsafe { attend_run_avx2::<8>(qs, keys, values, partial) },
            128 => return unsafe { attend_run_avx2::<16>(qs, keys, values, partial) },
            _ => {}
        }
    }
    let scale = 1.0 / (head_dim as f32).sqrt();
    use half::slice::HalfFloatSliceExt;
    let (keys, values) = (keys.to_f32_vec(), values.to_f32_vec());
    for (q, out) in qs.chunks_exact(head_dim).zip(partial.chunks_exact_mut(head_dim + 2)) {
        let mut scores: Vec<f32> = keys.chunks_exact(head_dim).map(|k| dot(q, k) * scale).collect();
        let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
        let sum = exp_minus_max(&mut scores, max);
        let (stats, acc) = out.split_at_mut(2);
        stats.copy_from_slice(&[max, sum]);
        acc.fill(0.0);
        for (weight, v) in scores.iter().zip(values.chunks_exact(head_dim)) {
            acc.iter_mut().zip(v).for_each(|(o, v)| *o += v * weight);
        }
    }
}

/// [`attend_run`] for heads of `CHUNKS` × 8 values, with the query (then the output) in
/// registers, fused multiply-adds, and f16 converted by the F16C unit.
///
/// # Safety
/// The CPU has AVX2, FMA and F16C; the head size is `CHUNKS * 8`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn attend_run_avx2<const CHUNKS: usize>(
    qs: &[f32],
    keys: &[half::f16],
    values: &[half::f16],
    partial: &mut [f32],
) {
    use std::arch::x86_64::*;
    let head_dim = CHUNKS * 8;
    let positions = keys.len() / head_dim;
    let scale = 1.0 / (head_dim as f32).sqrt();
    // SAFETY: each position holds `head_dim` f16 (u16) values, read 8 at a time.
    let load = |side: &[half::f16], p: usize, c: usize| unsafe {
        _mm256_cvtph_ps(_mm_loadu_si128(side.as_ptr().add(p * head_dim + c * 8).cast()))
    };
    let mut scores = [0f32; ATTENTION_RUN];
    let scores = &mut scores[..positions];
    for (q, out) in qs.chunks_exact(head_dim).zip(partial.chunks_exact_mut(head_dim + 2)) {
        // SAFETY: `q` holds CHUNKS × 8 floats.
        let q: [__m256; CHUNKS] = std::array::from_fn(|c| unsafe { _mm256_loadu_ps(q.as_ptr().add(c * 8)) });
        let mut max = f32::NEG_INFINITY;
        for (p, score) in scores.iter_mut().enumerate() {
            // Two accumulators halve the chain of dependent additions.
            let (mut a0, mut a1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
            for c in (0..CHUNKS).step_by(2) {
                a0 = _mm256_fmadd_ps(load(keys, p, c), q[c], a0);
                a1 = _mm256_fmadd_ps(load(keys, p, c + 1), q[c + 1], a1);
            }
            *score = horizontal_sum(_mm256_add_ps(a0, a1)) * scale;
            max = max.max(*score);
        }
        let sum = exp_minus_max_avx2(scores, max);
        let mut acc = [_mm256_setzero_ps(); CHUNKS];
        for (p, &weight) in scores.iter().enumerate() {
            let weight = _mm256_set1_ps(weight);
            for (c, acc) in acc.iter_mut().enumerate() {
                *acc = _mm256_fmadd_ps(load(values, p, c), weight, *acc);
            }
        }
        out[0] = max;
        out[1] = sum;
        for (c, acc) in acc.iter().enumerate() {
            // SAFETY: `out` holds 2 + CHUNKS × 8 floats.
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(2 + c * 8), *acc) };
        }
    }
}

/// Replaces each score `s` by `exp(s - max)` and returns their sum, vectorised where the CPU
/// allows.
pub(super) fn exp_minus_max(scores: &mut [f32], max: f32) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { exp_minus_max_avx2(scores, max) };
    }
    scores.iter_mut().fold(0.0, |sum, s| {
        *s = (*s - max).exp();
        sum + *s
    })
}

/// exp of eight lanes. exp(x) = 2ⁿ·eʳ with n = round(x / ln 2) and |r| ≤ ln 2 / 2, eʳ by
/// its Taylor series to r⁶ (relative error below 2·10⁻⁷, about f32's own precision).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
fn exp_avx2(x: std::arch::x86_64::__m256) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::*;
    // Outside ±87.3, exp leaves f32's normal range: clamp (the results are ~1e∓38).
    let x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3)), _mm256_set1_ps(87.3));
    let n = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm256_mul_ps(
        x,
        _mm256_set1_ps(std::f32::consts::LOG2_E),
    ));
    // r = x - n·ln 2, with ln 2 split in two for precision (Cody–Waite).
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693_145_75), x);
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428_606_8e-6), r);
    let mut p = _mm256_set1_ps(1.0 / 720.0);
    for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    }
    let two_to_n = _mm256_slli_epi32::<23>(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)));
    _mm256_mul_ps(p, _mm256_castsi256_ps(two_to_n))
}

/// `exp(s - max)` for each score, eight at a time, and their sum.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn exp_minus_max_avx2(scores: &mut [f32], max: f32) -> f32 {
    use std::arch::x86_64::*;
    let max8 = _mm256_set1_ps(max);
    let mut sum8 = _mm256_setzero_ps();
    let mut chunks = scores.chunks_exact_mut(8);
    for chunk in &mut chunks {
        // SAFETY: the chunk holds 8 floats.
        unsafe {
            let e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(chunk.as_ptr()), max8));
            _mm256_storeu_ps(chunk.as_mut_ptr(), e);
            sum8 = _mm256_add_ps(sum8, e);
        }
    }
    let mut sum = horizontal_sum(sum8);
    for s in chunks.into_remainder() {
        *s = (*s - max).exp();
        sum += *s;
    }
    sum
}

/// A dot product in eight independent lanes, so that it vectorises without reordering
/// a single sum.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn matrix(rows: usize, cols: usize) -> (Vec<f32>, Tensor) {
        let values: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919 % 1000) as f32 / 500.0) - 1.0).collect();
        let tensor = Tensor::from_slice(&values, (rows, cols), &Device::Cpu).unwrap();
        (values, tensor)
    }

    /// The product of every supported storage against the exact product of the weights
    /// it holds (dequantized), within the rounding of the 8-bit input.
    #[test]
    fn matvec_matches_the_dense_product_of_the_stored_weights() {
        let (rows, cols) = (300, 256);
        let x: Vec<f32> = (0..cols).map(|i| ((i * 31 % 100) as f32 / 50.0) - 1.0).collect();
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4_1, GgmlDType::F32] {
            let (_, tensor) = matrix(rows, cols);
            let quantized = QTensor::quantize(&tensor, dtype).unwrap();
            // What is kept: Q4_1 as it is, anything else as Q8_0.
            let kept = if dtype == GgmlDType::Q4_1 { dtype } else { GgmlDType::Q8_0 };
            let stored = QTensor::quantize(&tensor, kept).unwrap().dequantize(&Device::Cpu).unwrap();
            let stored = stored.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let w = QuantRows::new(&[quantized], None).unwrap();
            let mut out = vec![0.0; rows];
            w.matvec(&x, &mut out);
            for (r, o) in out.iter().enumerate() {
                let exact: f32 = stored[r * cols..(r + 1) * cols].iter().zip(&x).map(|(a, b)| a * b).sum();
                assert!((o - exact).abs() < 0.05, "{dtype:?} row {r}: {o} vs {exact}");
            }
        }
    }

    /// The same arithmetic as candle's quantized matmul (input rounded to Q8_1 or Q8_0,
    /// integer dot products per block), up to the order of float additions.
    #[test]
    fn matvec_matches_candles_quantized_matmul() {
        let (rows, cols) = (96, 576);
        let x: Vec<f32> = (0..cols).map(|i| ((i * 31 % 100) as f32 / 50.0) - 1.0).collect();
        let input = Tensor::from_slice(&x, (1, cols), &Device::Cpu).unwrap();
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4_1] {
            let (_, tensor) = matrix(rows, cols);
            let quantized = QTensor::quantize(&tensor, dtype).unwrap();
            let w = QuantRows::new(std::slice::from_ref(&quantized), None).unwrap();
            let mut out = vec![0.0; rows];
            w.matvec(&x, &mut out);
            let candle = candle_core::quantized::QMatMul::from_qtensor(quantized).unwrap();
            let expected = candle_core::Module::forward(&candle, &input).unwrap().flatten_all().unwrap();
            for (r, (o, e)) in out.iter().zip(expected.to_vec1::<f32>().unwrap()).enumerate() {
                assert!((o - e).abs() <= 1e-4 * e.abs().max(1.0), "{dtype:?} row {r}: {o} vs {e}");
            }
        }
    }

    #[test]
    fn fused_parts_are_stacked_rows() {
        let (_, a) = matrix(64, 64);
        let b = (a.clone() * 2.0).unwrap();
        let parts: Vec<QTensor> = [a, b].iter().map(|t| QTensor::quantize(t, GgmlDType::Q4_1).unwrap()).collect();
        let fused = QuantRows::new(&parts, None).unwrap();
        let x = vec![0.5f32; 64];
        let mut out = vec![0.0; 128];
        fused.matvec(&x, &mut out);
        let single = QuantRows::new(&parts[..1], None).unwrap();
        let mut first = vec![0.0; 64];
        single.matvec(&x, &mut first);
        assert_eq!(&out[..64], &first[..]);
        assert_eq!(fused.rows(), 128);
    }

    #[test]
    fn a_matrix_not_in_blocks_of_32_is_refused() {
        let tensor = Tensor::zeros((2, 30), candle_core::DType::F32, &Device::Cpu).unwrap();
        assert!(QuantRows::new(&[QTensor::quantize(&tensor, GgmlDType::F32).unwrap()], None).is_err());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_vectorised_exp_matches_libm() {
        if !std::is_x86_feature_detected!("avx2") || !std::is_x86_feature_detected!("fma") {
            return;
        }
        let inputs: Vec<f32> = (0..2003).map(|i| -100.0 + i as f32 * 0.05).collect();
        let max = 2.5;
        let mut scores = inputs.clone();
        // SAFETY: checked above.
        let sum = unsafe { exp_minus_max_avx2(&mut scores, max) };
        let mut expected_sum = 0.0;
        for (x, e) in inputs.iter().zip(&scores) {
            let expected = (x - max).exp();
            expected_sum += expected;
            // Exact where it matters; at most ~1e-38 where libm underflows.
            assert!((e - expected).abs() <= 1e-6 * expected + 1e-37, "exp({}) = {e}, libm {expected}", x - max);
        }
        assert!((sum - expected_sum).abs() <= 1e-5 * expected_sum);
    }

    #[test]
    fn swiglu_matches_its_definition_far_into_both_tails() {
        // 1,003 gates from -100 to 100 (not a multiple of eight: the tail takes the scalar path).
        let gate: Vec<f32> = (0..1003).map(|i| -100.0 + i as f32 * 0.2).collect();
        let up: Vec<f32> = (0..1003).map(|i| 1.0 + (i % 7) as f32).collect();
        let out = swiglu(&[gate.clone(), up.clone()].concat());
        for ((g, u), o) in gate.iter().zip(&up).zip(&out) {
            let expected = (*g as f64) / (1.0 + (-*g as f64).exp()) * *u as f64;
            assert!(
                (*o as f64 - expected).abs() <= 1e-5 * expected.abs() + 1e-30,
                "swiglu({g}, {u}) = {o}, not {expected}"
            );
        }
    }

    #[test]
    fn attention_over_one_position_returns_its_value() {
        let heads = Heads { n_head: 4, n_kv_head: 2, head_dim: 8 };
        let q = vec![0.3; 32];
        let keys = vec![0.1; 16];
        let values: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let mut out = vec![0.0; 32];
        attend(&q, &cache(&keys, heads), &cache(&values, heads), heads, &mut out);
        // Heads 0 and 1 share key/value head 0, heads 2 and 3 head 1.
        assert_eq!(&out[0..8], &values[0..8]);
        assert_eq!(&out[8..16], &values[0..8]);
        assert_eq!(&out[16..24], &values[8..16]);
    }

    /// A cache holding `data`, given as `[position][kv_head][head_dim]`.
    fn cache(data: &[f32], heads: Heads) -> KvCache {
        let mut cache = KvCache::new(heads.n_kv_head, heads.head_dim);
        data.chunks_exact(heads.n_kv_head * heads.head_dim).for_each(|position| cache.append(position, 1));
        cache
    }

    /// Runs of positions computed apart and merged give the softmax over all of them, for
    /// each query head of each group, with the vector kernel (64) and the portable one (16).
    #[test]
    fn attention_over_several_runs_matches_the_direct_softmax() {
        for head_dim in [16, 64] {
            let heads = Heads { n_head: 6, n_kv_head: 2, head_dim };
            let positions = 2 * ATTENTION_RUN + 37;
            let stride = heads.n_kv_head * heads.head_dim;
            // Values an f16 holds exactly, so that the cache stores what the reference reads.
            let wave = |i: usize, f: f32| half::f16::from_f32(((i as f32) * f).sin()).to_f32();
            let q: Vec<f32> = (0..heads.n_head * heads.head_dim).map(|i| wave(i, 0.37) * 2.0).collect();
            let keys: Vec<f32> = (0..positions * stride).map(|i| wave(i, 0.11)).collect();
            let values: Vec<f32> = (0..positions * stride).map(|i| wave(i, 0.23)).collect();
            let mut out = vec![0.0; q.len()];
            attend(&q, &cache(&keys, heads), &cache(&values, heads), heads, &mut out);
            for h in 0..heads.n_head {
                let offset = h / 3 * heads.head_dim;
                let q = &q[h * heads.head_dim..(h + 1) * heads.head_dim];
                let scores: Vec<f64> = (0..positions)
                    .map(|p| {
                        let k = &keys[p * stride + offset..][..heads.head_dim];
                        q.iter().zip(k).map(|(a, b)| (a * b) as f64).sum::<f64>() / (heads.head_dim as f64).sqrt()
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = scores.iter().map(|s| (s - max).exp()).sum();
                for d in 0..heads.head_dim {
                    let expected: f64 = (0..positions)
                        .map(|p| (scores[p] - max).exp() / total * values[p * stride + offset + d] as f64)
                        .sum();
                    let actual = out[h * heads.head_dim + d] as f64;
                    assert!(
                        (actual - expected).abs() < 1e-5,
                        "{head_dim}: head {h}, dim {d}: {actual} against {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn attention_weighs_positions_by_softmax_of_scores() {
        let heads = Heads { n_head: 1, n_kv_head: 1, head_dim: 1 };
        // Scores 0 and ln 3 (scale 1 for d = 1): weights 1/4 and 3/4.
        let (q, keys, values) = ([3f32.ln()], [0.0, 1.0], [4.0, 8.0]);
        let mut out = [0.0];
        attend(&q, &cache(&keys, heads), &cache(&values, heads), heads, &mut out);
        assert!((out[0] - 7.0).abs() < 1e-5, "{}", out[0]);
    }
}
