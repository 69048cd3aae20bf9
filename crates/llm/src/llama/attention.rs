//! Attention on plain slices: of one decoded position over the f16 KV cache, in pieces per
//! key/value head and run of positions merged at the end (flash-decoding); and the prompt's
//! causal attention of a slice of query rows.
//!
//! In the prompt, through candle tensors, attention took a third of a 1,000-token prompt: the key and
//! value heads copied once per query head (`repeat_kv`), a score matrix masked by a
//! broadcast `where_cond`, a softmax with one libm call per score, and the masked upper
//! triangle computed anyway. Here each piece (query head × block of rows) multiplies
//! against its key/value head, up to the last key its rows can see, through the panel
//! kernel of [`gemm`](crate::kernels::gemm), and exponentiates eight scores at a time.

use super::kv_cache::KvCache;
use crate::kernels::gemm::{self, Panels, View, PANEL};
use crate::kernels::pool::for_each_part;
use crate::kernels::vector_ops::{dot, exp_minus_max};
#[cfg(target_arch = "x86_64")]
use crate::kernels::vector_ops::{exp_minus_max_avx2, horizontal_sum};

/// The shape of grouped-query attention.
#[derive(Clone, Copy)]
pub struct Heads {
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
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
        attend_run(qs, &keys.head(kv_head)[span.clone()], &values.head(kv_head)[span], head_dim, partial);
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

/// Query rows per piece: small pieces skip more of the masked triangle (each computes up
/// to its own last row's keys), and 48 rows of 1,024 scores (196 KB) stay in L2.
const ROWS: usize = 48;

/// softmax(q·Kᵀ/√d)·V for `seq` query rows at positions `first..first + seq`, each seeing
/// the keys up to its own position. `q` is `[head][seq][head_dim]`; `keys` and `values`
/// are `[kv_head][position][head_dim]` and hold at least `first + seq` positions. Returns
/// `[head][seq][head_dim]`.
pub fn attend_causal(q: &[f32], keys: &[f32], values: &[f32], first: usize, heads: Heads) -> Vec<f32> {
    use rayon::prelude::*;
    let Heads { n_head, n_kv_head, head_dim: d } = heads;
    let seq = q.len() / (n_head * d);
    let positions = keys.len() / (n_kv_head * d);
    assert!(first + seq <= positions, "the cache holds the slice's keys");
    // Each key/value head's keys as panels of 16 positions, packed once for its query heads.
    let visible = first + seq;
    let key_panels: Vec<Panels> = (0..n_kv_head)
        .into_par_iter()
        .map(|h| Panels::pack(&keys[h * positions * d..][..visible * d], visible, d))
        .collect();
    let mut out = vec![0f32; q.len()];
    out.par_chunks_mut(seq * d).enumerate().for_each(|(h, head_out)| {
        let kv_head = h / (n_head / n_kv_head);
        let values = &values[kv_head * positions * d..(kv_head + 1) * positions * d];
        let q = &q[h * seq * d..(h + 1) * seq * d];
        head_out.par_chunks_mut(ROWS * d).enumerate().for_each(|(block, out)| {
            let start = block * ROWS;
            let rows = out.len() / d;
            attend_rows(&q[start * d..(start + rows) * d], &key_panels[kv_head], values, first + start, d, out);
        });
    });
    out
}

/// The rows `q` (`[row][d]`, row `i` at position `first + i`) of one head.
fn attend_rows(q: &[f32], keys: &Panels, values: &[f32], first: usize, d: usize, out: &mut [f32]) {
    let rows = q.len() / d;
    // The last row sees this many keys; the rows above it, fewer.
    let visible = first + rows;
    let stride = visible.next_multiple_of(PANEL);
    with_scratch(rows * stride, |scores| {
        gemm::multiply(q, d, rows, keys.view(visible), scores, stride);
        let scale = 1.0 / (d as f32).sqrt();
        for (i, row) in scores.chunks_exact_mut(stride).enumerate() {
            let (seen, unseen) = row.split_at_mut(first + i + 1);
            let max = seen.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
            seen.iter_mut().for_each(|s| *s = (*s - max) * scale);
            let inverse_sum = 1.0 / exp_minus_max(seen, 0.0);
            seen.iter_mut().for_each(|s| *s *= inverse_sum);
            unseen.fill(0.0);
        }
        gemm::multiply(scores, stride, rows, View::rows(values, visible, d, d), out, d);
    });
}

/// `f` on this thread's scratch buffer of at least `len` values, their contents unspecified.
/// A piece's scores are written in full before they are read, and a fresh buffer per piece
/// (200 pieces of 200 KB a layer) was mostly page zeroing.
fn with_scratch(len: usize, f: impl FnOnce(&mut [f32])) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        if scratch.len() < len {
            scratch.resize(len, 0.0);
        }
        f(&mut scratch[..len])
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Against the textbook formula in f64, over more rows than one piece, at an offset
    /// into the cache (a later slice of the prompt), with grouped heads.
    #[test]
    fn matches_causal_softmax_attention() {
        let heads = Heads { n_head: 4, n_kv_head: 2, head_dim: 16 };
        let (first, seq) = (70, ROWS + 29);
        let positions = first + seq;
        let d = heads.head_dim;
        let wave = |i: usize, f: f32| ((i as f32) * f).sin();
        let q: Vec<f32> = (0..heads.n_head * seq * d).map(|i| wave(i, 0.37) * 2.0).collect();
        let keys: Vec<f32> = (0..heads.n_kv_head * positions * d).map(|i| wave(i, 0.11)).collect();
        let values: Vec<f32> = (0..heads.n_kv_head * positions * d).map(|i| wave(i, 0.23)).collect();
        let out = attend_causal(&q, &keys, &values, first, heads);
        for h in 0..heads.n_head {
            let kv = h / 2 * positions * d;
            for i in 0..seq {
                let qi = &q[(h * seq + i) * d..][..d];
                let seen = first + i + 1;
                let scores: Vec<f64> = (0..seen)
                    .map(|p| {
                        let k = &keys[kv + p * d..][..d];
                        qi.iter().zip(k).map(|(a, b)| (a * b) as f64).sum::<f64>() / (d as f64).sqrt()
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = scores.iter().map(|s| (s - max).exp()).sum();
                for c in 0..d {
                    let expected: f64 =
                        (0..seen).map(|p| (scores[p] - max).exp() / total * values[kv + p * d + c] as f64).sum();
                    let actual = out[(h * seq + i) * d + c] as f64;
                    assert!(
                        (actual - expected).abs() < 1e-5,
                        "head {h}, row {i}, dim {c}: {actual} against {expected}"
                    );
                }
            }
        }
    }
}
