//! The f32 matrix products of the llama prompt and the BERT encoder: `x · W` with `W` read as panels of 16 columns, each
//! panel one contiguous run per step of the shared dimension, and a 6 × 16 AVX2/FMA
//! microkernel that keeps its 12 accumulators in registers.
//!
//! Weights are packed into panels once, at load; the attention's keys once per layer and
//! slice; its values are read in place (a value row is already 16-column runs). The gemm
//! crate, general-purpose, packs its operands again on every call and split each product
//! between the two cores less evenly: on this project's shapes (1,024 rows; 576 to 3,072
//! columns) this kernel ran 20–35 % faster, and 94 of the core's 98 GFLOP/s in L1.

/// Columns per panel: two AVX vectors.
pub const PANEL: usize = 16;
/// Rows per microkernel call: 6 × 2 accumulators, 2 panel vectors and 1 broadcast fill
/// the 16 AVX registers but one.
const MICRO_ROWS: usize = 6;
/// Rows of `x` per task: a task's rows (48 × 1,536 floats at most, 295 KB) stay in the
/// core's L2 while every panel streams past them.
const TASK_ROWS: usize = 48;

/// A matrix of `columns` × `steps` (`[column][step]`, as a projection's weights are
/// stored) repacked as panels of [`PANEL`] columns, zero-padded to whole panels: panel `p`
/// holds, step after step, its 16 columns' values.
pub struct Panels {
    data: Vec<f32>,
    columns: usize,
    steps: usize,
}

impl Panels {
    pub fn pack(w: &[f32], columns: usize, steps: usize) -> Panels {
        assert_eq!(w.len(), columns * steps, "the matrix is columns × steps");
        let panels = columns.div_ceil(PANEL);
        let mut data = vec![0f32; panels * PANEL * steps];
        for (c, column) in w.chunks_exact(steps.max(1)).enumerate() {
            let panel = &mut data[c / PANEL * PANEL * steps..][..PANEL * steps];
            for (s, &value) in column.iter().enumerate() {
                panel[s * PANEL + c % PANEL] = value;
            }
        }
        Panels { data, columns, steps }
    }

    /// The first `columns` columns (rounded up to whole panels), as a [`View`].
    pub fn view(&self, columns: usize) -> View<'_> {
        let panels = columns.min(self.columns).div_ceil(PANEL);
        View {
            data: &self.data[..panels * PANEL * self.steps],
            columns: columns.min(self.columns),
            steps: self.steps,
            step_stride: PANEL,
            panel_stride: PANEL * self.steps,
        }
    }
}

/// Columns of a right-hand matrix as the microkernel reads them: column `c` at step `s` is
/// `data[c / 16 · panel_stride + s · step_stride + c % 16]`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    columns: usize,
    steps: usize,
    step_stride: usize,
    panel_stride: usize,
}

impl<'a> View<'a> {
    /// A row-major `steps × columns` matrix in place (`[step][column]`, as attention
    /// values are stored), its rows `row_stride` apart.
    pub fn rows(data: &'a [f32], steps: usize, columns: usize, row_stride: usize) -> View<'a> {
        assert!(steps == 0 || data.len() >= (steps - 1) * row_stride + columns, "the rows are inside the slice");
        View { data, columns, steps, step_stride: row_stride, panel_stride: PANEL }
    }

    fn panels(&self) -> usize {
        self.columns.div_ceil(PANEL)
    }
}

/// `x · W` for the `rows` rows of `x` (`[row][steps]`): `[row][W's columns]`, split between
/// the threads of the current rayon pool.
pub fn matmul(x: &[f32], rows: usize, w: &Panels) -> Vec<f32> {
    use rayon::prelude::*;
    let (columns, steps) = (w.columns, w.steps);
    assert_eq!(x.len(), rows * steps, "the input rows match the weights' steps");
    let view = w.view(columns);
    let padded = view.panels() * PANEL;
    // Not zeroed first: the tasks write every value (whole panels, every row), and zeroing
    // the feed-forward's 12 MB cost as much as a fifth of its product.
    let mut out: Vec<f32> = Vec::with_capacity(rows * padded);
    // Enough tasks for work stealing to even out two threads when there are few rows.
    let row_tasks = rows.div_ceil(TASK_ROWS);
    let panel_groups = (8 / row_tasks.max(1)).clamp(1, view.panels().max(1));
    let panels_per_group = view.panels().div_ceil(panel_groups);
    let shared = SharedOut(out.spare_capacity_mut().as_mut_ptr().cast(), rows * padded);
    (0..row_tasks * panel_groups).into_par_iter().for_each(|task| {
        let (row_task, group) = (task / panel_groups, task % panel_groups);
        let first_row = row_task * TASK_ROWS;
        let task_rows = TASK_ROWS.min(rows - first_row);
        let panels = group * panels_per_group..((group + 1) * panels_per_group).min(view.panels());
        let out = shared.offset(first_row * padded);
        // SAFETY: the tasks write disjoint rectangles (rows × panels) of `out`, which
        // outlives them; `out` holds `rows × padded` values from the offset on.
        unsafe { multiply_panels(&x[first_row * steps..], steps, task_rows, view, panels, out, padded) };
    });
    // SAFETY: the tasks above wrote all `rows × padded` values.
    unsafe { out.set_len(rows * padded) };
    if padded != columns {
        out = out.chunks_exact(padded).flat_map(|row| &row[..columns]).copied().collect();
    }
    out
}

/// An output buffer the tasks of one product write to, each its own rectangle.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32, usize);
// SAFETY: only ever written at disjoint places, by tasks that finish before the buffer is
// read or freed.
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    fn offset(self, offset: usize) -> SharedOut {
        assert!(offset <= self.1);
        // SAFETY: inside the buffer (checked).
        SharedOut(unsafe { self.0.add(offset) }, self.1 - offset)
    }
}

/// `out[r][c] = Σ_s x[r · x_stride + s] · W[s][c]` for `rows` rows and every column of `w`
/// (whole panels: `out` rows hold at least the columns rounded up to 16), on this thread.
pub fn multiply(x: &[f32], x_stride: usize, rows: usize, w: View, out: &mut [f32], out_stride: usize) {
    // SAFETY: `out` is borrowed mutably for the whole call.
    unsafe { multiply_panels(x, x_stride, rows, w, 0..w.panels(), SharedOut(out.as_mut_ptr(), out.len()), out_stride) }
}

/// # Safety
/// No one else reads or writes the rectangle of `out` (`rows` × `panels`) during the call.
unsafe fn multiply_panels(
    x: &[f32],
    x_stride: usize,
    rows: usize,
    w: View,
    panels: std::ops::Range<usize>,
    out: SharedOut,
    out_stride: usize,
) {
    if rows == 0 || panels.is_empty() {
        return;
    }
    assert!(x.len() >= (rows - 1) * x_stride + w.steps, "x holds rows × steps");
    assert!(out.1 >= (rows - 1) * out_stride + panels.end * PANEL, "out holds the rows' panels");
    // A panel running past the end of `w.data` (the last columns of a row-major matrix
    // whose width is not a multiple of 16) is copied out with zeros first.
    let mut partial = Vec::new();
    for p in panels {
        let start = p * w.panel_stride;
        let needed = if w.steps == 0 { start } else { start + (w.steps - 1) * w.step_stride + PANEL };
        let (panel, stride): (&[f32], usize) = if needed <= w.data.len() {
            (&w.data[start..needed], w.step_stride)
        } else {
            let width = w.columns - p * PANEL;
            partial.clear();
            partial.resize(w.steps * PANEL, 0.0);
            for s in 0..w.steps {
                partial[s * PANEL..][..width].copy_from_slice(&w.data[start + s * w.step_stride..][..width]);
            }
            (&partial, PANEL)
        };
        let mut r = 0;
        while r < rows {
            let n = (rows - r).min(MICRO_ROWS);
            // SAFETY: bounds checked above; the rectangle is ours (this function's contract).
            microkernel(
                &x[r * x_stride..],
                x_stride,
                n,
                w.steps,
                panel,
                stride,
                out.offset(r * out_stride + p * PANEL),
                out_stride,
            );
            r += n;
        }
    }
}

/// `n` (≤ 6) rows × one panel, written (not accumulated) into `out`.
///
/// # Safety
/// `out` holds `n` rows of 16 values, `out_stride` apart, that no one else touches during
/// the call; `x` and `panel` hold `n` rows and `steps` steps (checked by the caller).
#[allow(clippy::too_many_arguments)]
unsafe fn microkernel(
    x: &[f32],
    x_stride: usize,
    n: usize,
    steps: usize,
    panel: &[f32],
    stride: usize,
    out: SharedOut,
    out_stride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features; the bounds are the caller's promise.
        unsafe {
            let (x, p, o) = (x.as_ptr(), panel.as_ptr(), out.0);
            match n {
                1 => microkernel_avx2::<1>(x, x_stride, steps, p, stride, o, out_stride),
                2 => microkernel_avx2::<2>(x, x_stride, steps, p, stride, o, out_stride),
                3 => microkernel_avx2::<3>(x, x_stride, steps, p, stride, o, out_stride),
                4 => microkernel_avx2::<4>(x, x_stride, steps, p, stride, o, out_stride),
                5 => microkernel_avx2::<5>(x, x_stride, steps, p, stride, o, out_stride),
                _ => microkernel_avx2::<6>(x, x_stride, steps, p, stride, o, out_stride),
            }
        }
        return;
    }
    for r in 0..n {
        let mut acc = [0f32; PANEL];
        for s in 0..steps {
            let a = x[r * x_stride + s];
            acc.iter_mut().zip(&panel[s * stride..][..PANEL]).for_each(|(acc, &w)| *acc += a * w);
        }
        // SAFETY: the row's panel is inside `out` and this call's alone (the caller's promise).
        unsafe { std::ptr::copy_nonoverlapping(acc.as_ptr(), out.0.add(r * out_stride), PANEL) };
    }
}

/// The steps are unrolled by four: without it, address arithmetic took the issue slots
/// the FMAs needed (72 % of peak in L1 against 96 %).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn microkernel_avx2<const R: usize>(
    x: *const f32,
    x_stride: usize,
    steps: usize,
    panel: *const f32,
    stride: usize,
    out: *mut f32,
    out_stride: usize,
) {
    use std::arch::x86_64::*;
    let mut acc = [[_mm256_setzero_ps(); 2]; R];
    let rows: [*const f32; R] = std::array::from_fn(|r| x.add(r * x_stride));
    let step = |acc: &mut [[__m256; 2]; R], s: usize| {
        let b0 = _mm256_loadu_ps(panel.add(s * stride));
        let b1 = _mm256_loadu_ps(panel.add(s * stride + 8));
        for r in 0..R {
            let a = _mm256_broadcast_ss(&*rows[r].add(s));
            acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
        }
    };
    let mut s = 0;
    while s + 4 <= steps {
        for u in 0..4 {
            step(&mut acc, s + u);
        }
        s += 4;
    }
    while s < steps {
        step(&mut acc, s);
        s += 1;
    }
    for (r, acc) in acc.iter().enumerate() {
        _mm256_storeu_ps(out.add(r * out_stride), acc[0]);
        _mm256_storeu_ps(out.add(r * out_stride + 8), acc[1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize, f: f32) -> Vec<f32> {
        (0..n).map(|i| ((i as f32) * f).sin()).collect()
    }

    /// Every shape edge at once: rows not a multiple of 6 nor of a task, columns not a
    /// multiple of 16, steps not a multiple of 4.
    #[test]
    fn matmul_matches_the_definition() {
        for (rows, columns, steps) in [(1, 16, 4), (7, 21, 9), (50, 40, 33), (100, 48, 64)] {
            let x = wave(rows * steps, 0.37);
            let w = wave(columns * steps, 0.11);
            let out = matmul(&x, rows, &Panels::pack(&w, columns, steps));
            assert_eq!(out.len(), rows * columns);
            for r in 0..rows {
                for c in 0..columns {
                    let expected: f64 = (0..steps).map(|s| x[r * steps + s] as f64 * w[c * steps + s] as f64).sum();
                    let actual = out[r * columns + c] as f64;
                    assert!(
                        (actual - expected).abs() < 1e-4,
                        "{rows}×{columns}×{steps} at ({r}, {c}): {actual} against {expected}"
                    );
                }
            }
        }
    }

    /// A row-major right-hand side read in place, including a last panel that would run
    /// past the end of the slice.
    #[test]
    fn multiply_reads_row_major_matrices_in_place() {
        let (rows, steps, columns, row_stride) = (5, 11, 24, 24);
        let x = wave(rows * steps, 0.29);
        let w = wave(steps * row_stride, 0.17);
        let mut out = vec![f32::NAN; rows * 32];
        multiply(&x, steps, rows, View::rows(&w, steps, columns, row_stride), &mut out, 32);
        for r in 0..rows {
            for c in 0..columns {
                let expected: f32 = (0..steps).map(|s| x[r * steps + s] * w[s * row_stride + c]).sum();
                assert!((out[r * 32 + c] - expected).abs() < 1e-4);
            }
        }
    }
}
