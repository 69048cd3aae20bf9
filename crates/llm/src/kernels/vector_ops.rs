//! The small vector ops between a layer's products, on plain slices (norms, SwiGLU, GELU,
//! rotations, a vectorised exp), shared by the llama prompt and decoding paths and the BERT
//! encoder, and the helpers the other kernels' loops share (a lane-wise dot product, a
//! horizontal sum).

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

/// Layer normalisation in place, as BERT applies it: `(x - mean) / sqrt(var + eps) *
/// weight + bias`. The variance is taken around the mean (two passes), not as
/// `E[x²] - mean²`, which cancels badly when the mean is large next to the spread; the
/// mean is summed in f64, as an f32 sum of a few hundred values is off in its sixth digit.
pub fn layer_norm(x: &mut [f32], weight: &[f32], bias: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mean = (x.iter().map(|&v| v as f64).sum::<f64>() / x.len() as f64) as f32;
    x.iter_mut().for_each(|v| *v -= mean);
    let variance = dot(x, x) / n;
    let inverse = 1.0 / (variance + eps).sqrt();
    for ((v, w), b) in x.iter_mut().zip(weight).zip(bias) {
        *v = *v * inverse * w + b;
    }
}

/// GELU in its exact form, `x/2 · (1 + erf(x/√2))`, which BERT's `"gelu"` means (the tanh
/// form is `"gelu_new"`), in place.
pub fn gelu_erf(x: &mut [f32]) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        done = unsafe { gelu_erf_avx2(x) };
    }
    for v in &mut x[done..] {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Numerator (odd powers 1 to 13) and denominator (even powers 0 to 8) of a rational
/// approximation of erf on [-4, 4] (Eigen's `generic_fast_erf_float`), within a few ulp;
/// beyond ±4, erf is ±1 in f32. No exp and no branch, so it vectorises: a GELU per
/// intermediate value (1,536 per token and layer) with libm-style scalar code cost about
/// as much as the products around it.
const ERF_NUMERATOR: [f32; 7] = [
    -2.726_142_3e-10,
    2.770_681_4e-8,
    -2.101_024e-6,
    -5.692_506_4e-5,
    -7.349_906_3e-4,
    -2.954_600_1e-3,
    -1.609_603_3e-2,
];
const ERF_DENOMINATOR: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];

/// erf(x) by the rational approximation the vector path uses, so both paths agree.
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = ERF_NUMERATOR[1..].iter().fold(ERF_NUMERATOR[0], |p, &c| p.mul_add(x2, c)) * x;
    let q = ERF_DENOMINATOR[1..].iter().fold(ERF_DENOMINATOR[0], |q, &c| q.mul_add(x2, c));
    p / q
}

/// [`gelu_erf`] eight values at a time; returns how many values it did.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_erf_avx2(x: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    let (four, half) = (_mm256_set1_ps(4.0), _mm256_set1_ps(0.5));
    let (one, scale) = (_mm256_set1_ps(1.0), _mm256_set1_ps(std::f32::consts::FRAC_1_SQRT_2));
    let mut done = 0;
    for chunk in x.chunks_exact_mut(8) {
        // SAFETY: the chunk holds 8 floats.
        unsafe {
            let v = _mm256_loadu_ps(chunk.as_ptr());
            let z =
                _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v, scale), _mm256_sub_ps(_mm256_setzero_ps(), four)), four);
            let z2 = _mm256_mul_ps(z, z);
            let mut p = _mm256_set1_ps(ERF_NUMERATOR[0]);
            for &c in &ERF_NUMERATOR[1..] {
                p = _mm256_fmadd_ps(p, z2, _mm256_set1_ps(c));
            }
            let mut q = _mm256_set1_ps(ERF_DENOMINATOR[0]);
            for &c in &ERF_DENOMINATOR[1..] {
                q = _mm256_fmadd_ps(q, z2, _mm256_set1_ps(c));
            }
            let erf = _mm256_div_ps(_mm256_mul_ps(p, z), q);
            _mm256_storeu_ps(chunk.as_mut_ptr(), _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf)));
        }
        done += 8;
    }
    done
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

/// Replaces each score `s` by `exp(s - max)` and returns their sum, vectorised where the CPU
/// allows.
pub fn exp_minus_max(scores: &mut [f32], max: f32) -> f32 {
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
pub fn exp_minus_max_avx2(scores: &mut [f32], max: f32) -> f32 {
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

/// The sum of a vector's eight lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub fn horizontal_sum(v: std::arch::x86_64::__m256) -> f32 {
    use std::arch::x86_64::*;
    let halves = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let pairs = _mm_add_ps(halves, _mm_movehl_ps(halves, halves));
    _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehdup_ps(pairs)))
}

/// A dot product in eight independent lanes, so that it vectorises without reordering
/// a single sum.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
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

    /// Against candle's erf in f64 (the reference BERT's GELU), across and beyond the range
    /// the approximation covers, on both paths (1,003 values: the last three are scalar).
    #[test]
    fn gelu_matches_the_exact_erf_form() {
        let inputs: Vec<f32> = (0..1003).map(|i| -12.0 + i as f32 * 0.024).collect();
        let mut out = inputs.clone();
        gelu_erf(&mut out);
        for (x, g) in inputs.iter().zip(&out) {
            let x64 = *x as f64;
            let expected = 0.5 * x64 * (1.0 + candle_core::cpu::erf::erf_f64(x64 * std::f64::consts::FRAC_1_SQRT_2));
            assert!((*g as f64 - expected).abs() <= 1e-6 * x64.abs().max(1.0), "gelu({x}) = {g}, not {expected}");
        }
    }

    #[test]
    fn layer_norm_matches_its_definition() {
        let x: Vec<f32> = (0..384).map(|i| 100.0 + ((i as f32) * 0.37).sin()).collect();
        let weight: Vec<f32> = (0..384).map(|i| 1.0 + (i % 5) as f32 * 0.1).collect();
        let bias: Vec<f32> = (0..384).map(|i| (i % 3) as f32 * 0.01).collect();
        let mut out = x.clone();
        layer_norm(&mut out, &weight, &bias, 1e-12);
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / 384.0;
        let variance = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / 384.0;
        for i in 0..384 {
            let expected = (x[i] as f64 - mean) / (variance + 1e-12).sqrt() * weight[i] as f64 + bias[i] as f64;
            assert!((out[i] as f64 - expected).abs() < 1e-4, "{i}: {} against {expected}", out[i]);
        }
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
}
