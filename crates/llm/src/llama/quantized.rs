//! Weight matrices as quantized blocks (llama.cpp's Q4_1 as the GGUF ships it, or Q8_0) and
//! their matrix-vector products: the decoding step's projections, where memory bandwidth is
//! the limit and fewer bytes a weight win. The dot products are llama.cpp's, in AVX2.

use crate::kernels::pool::for_each_part;
#[cfg(target_arch = "x86_64")]
use crate::kernels::vector_ops::horizontal_sum;
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
}
