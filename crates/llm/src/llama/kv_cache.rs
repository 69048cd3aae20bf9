//! The KV cache both paths of the decoder share, written only through [`KvCache::append`]
//! after [`KvCache::truncate`] at the position being computed.

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

    /// Key/value head `h`'s positions so far, `[position][head_dim]`.
    pub fn head(&self, h: usize) -> &[half::f16] {
        &self.heads[h]
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
