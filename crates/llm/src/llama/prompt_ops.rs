//! The prompt's attention: causal softmax attention of a slice of query rows over the KV
//! cache, on plain slices.
//!
//! Through candle tensors, attention took a third of a 1,000-token prompt: the key and
//! value heads copied once per query head (`repeat_kv`), a score matrix masked by a
//! broadcast `where_cond`, a softmax with one libm call per score, and the masked upper
//! triangle computed anyway. Here each piece (query head × block of rows) multiplies
//! against its key/value head, up to the last key its rows can see, through the panel
//! kernel of [`gemm`](super::gemm), and exponentiates eight scores at a time.

use super::decode_ops::{exp_minus_max, Heads};
use super::gemm::{self, Panels, View, PANEL};

/// Query rows per piece: small pieces skip more of the masked triangle (each computes up
/// to its own last row's keys), and 48 rows of 1,024 scores (196 KB) stay in L2.
const ROWS: usize = 48;

/// softmax(q·Kᵀ/√d)·V for `seq` query rows at positions `first..first + seq`, each seeing
/// the keys up to its own position. `q` is `[head][seq][head_dim]`; `keys` and `values`
/// are `[kv_head][position][head_dim]` and hold at least `first + seq` positions. Returns
/// `[head][seq][head_dim]`.
pub fn attend(q: &[f32], keys: &[f32], values: &[f32], first: usize, heads: Heads) -> Vec<f32> {
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
        let out = attend(&q, &keys, &values, first, heads);
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
