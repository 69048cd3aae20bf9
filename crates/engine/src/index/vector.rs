//! Approximate nearest neighbours with hnsw_rs (cosine distance), plus exact search for
//! small filtered sets and for measuring recall.

use crate::error::{Error, Result};
use anndists::dist::Distance;
use hnsw_rs::api::AnnT;
use hnsw_rs::hnswio::HnswIo;
use hnsw_rs::prelude::Hnsw;
use std::path::Path;

/// hnsw_rs file basename inside an index generation folder.
pub const BASENAME: &str = "vectors";
const MAX_CONNECTIONS: usize = 16;
const MAX_LAYERS: usize = 16;
const EF_CONSTRUCTION: usize = 200;

/// Cosine distance for unit vectors: `1 - a·b`, clamped at 0.
///
/// hnsw_rs's `DistCosine` recomputes both norms in f64 on every comparison, and its
/// `DistDot` asserts `1 - a·b >= 0`, which rounding breaks for identical vectors (duplicate
/// passages). All our vectors are normalised when embedded, so a clamped dot product is
/// exact and several times faster.
#[derive(Debug, Default, Clone, Copy)]
pub struct UnitCosine;

impl Distance<f32> for UnitCosine {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

/// Dot product, with AVX2+FMA when the CPU has them (checked at run time, so the binary
/// still runs on older CPUs).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the function is compiled for.
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_portable(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_portable(a, b)
}

/// Eight independent sums let the compiler keep a vector register of partial sums.
#[inline(always)]
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] = x[i].mul_add(y[i], acc[i]);
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// Flat row-major storage of unit vectors; row i belongs to chunk i.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    pub dim: usize,
    pub data: Vec<f32>,
}

impl Vectors {
    pub fn new(dim: usize) -> Self {
        Vectors { dim, data: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.dim.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    pub fn push(&mut self, v: &[f32]) {
        debug_assert_eq!(v.len(), self.dim);
        self.data.extend_from_slice(v);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.data.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    pub fn from_bytes(dim: usize, bytes: &[u8]) -> Option<Vectors> {
        if dim == 0 || !bytes.len().is_multiple_of(4 * dim) {
            return None;
        }
        let data = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Some(Vectors { dim, data })
    }

    /// Exact top-k by cosine similarity among the rows `keep` accepts.
    pub fn exact_search(&self, query: &[f32], k: usize, keep: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let mut scored: Vec<(u32, f32)> =
            (0..self.len() as u32).filter(|&i| keep(i)).map(|i| (i, dot(self.row(i as usize), query))).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }
}

pub struct Ann {
    hnsw: Hnsw<'static, f32, UnitCosine>,
}

impl Ann {
    pub fn build(vectors: &Vectors) -> Ann {
        let hnsw = Hnsw::new(MAX_CONNECTIONS, vectors.len().max(1), MAX_LAYERS, EF_CONSTRUCTION, UnitCosine);
        let rows: Vec<(&[f32], usize)> = (0..vectors.len()).map(|i| (vectors.row(i), i)).collect();
        hnsw.parallel_insert_slice(&rows);
        let mut ann = Ann { hnsw };
        ann.hnsw.set_searching_mode(true);
        ann
    }

    pub fn dump(&self, dir: &Path) -> Result<()> {
        self.hnsw
            .file_dump(dir, BASENAME)
            .map(|_| ())
            .map_err(|e| Error::Io { path: dir.join(BASENAME), source: std::io::Error::other(e.to_string()) })
    }

    /// Loads a dumped graph. The files must have been checksum-verified first: hnsw_rs
    /// asserts on malformed input instead of returning an error.
    pub fn load(dir: &Path) -> Result<Ann> {
        // hnsw_rs ties the loaded graph's lifetime to its loader even when, as here, the data
        // is copied into memory rather than mapped. The loader is a few paths and options;
        // leaking it once per index load gives the graph a 'static lifetime.
        let loader: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(dir, BASENAME)));
        let mut hnsw = loader
            .load_hnsw::<f32, UnitCosine>()
            .map_err(|e| Error::IndexCorrupt { path: dir.to_path_buf(), reason: format!("vector graph: {e}") })?;
        hnsw.set_searching_mode(true);
        Ok(Ann { hnsw })
    }

    /// Approximate top-k by cosine similarity.
    pub fn search(&self, query: &[f32], k: usize) -> Vec<(u32, f32)> {
        let ef = (k * 4).max(64);
        self.hnsw.search(query, k, ef).into_iter().map(|n| (n.d_id as u32, 1.0 - n.distance)).collect()
    }
}
