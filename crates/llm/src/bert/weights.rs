//! A BERT checkpoint's tensors, read from its `model.safetensors` by name, each checked
//! against the shape the config implies before it is used.

use super::Error;
use safetensors::{Dtype, SafeTensors};
use std::path::{Path, PathBuf};

pub struct Weights<'a> {
    tensors: SafeTensors<'a>,
    path: PathBuf,
    /// `""` or `"bert."`: checkpoints saved with a task head keep the encoder under `bert.`.
    prefix: &'static str,
}

impl<'a> Weights<'a> {
    pub fn new(bytes: &'a [u8], path: &Path) -> Result<Weights<'a>, Error> {
        let tensors = SafeTensors::deserialize(bytes)
            .map_err(|e| Error::Format { path: path.to_path_buf(), reason: e.to_string() })?;
        let prefix = ["", "bert."]
            .into_iter()
            .find(|p| tensors.tensor(&format!("{p}embeddings.word_embeddings.weight")).is_ok())
            .unwrap_or("");
        Ok(Weights { tensors, path: path.to_path_buf(), prefix })
    }

    /// The tensor `name` (without the prefix) as f32, which must have exactly `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, Error> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .tensors
            .tensor(&full)
            .map_err(|_| Error::MissingTensor { path: self.path.clone(), name: full.clone() })?;
        if view.shape() != shape {
            return Err(Error::TensorShape {
                path: self.path.clone(),
                name: full,
                expected: shape.to_vec(),
                found: view.shape().to_vec(),
            });
        }
        let bytes = view.data();
        let pairs = || bytes.chunks_exact(2).map(|b| [b[0], b[1]]);
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            Dtype::F16 => pairs().map(|b| half::f16::from_le_bytes(b).to_f32()).collect(),
            Dtype::BF16 => pairs().map(|b| half::bf16::from_le_bytes(b).to_f32()).collect(),
            other => {
                return Err(Error::TensorType { path: self.path.clone(), name: full, dtype: format!("{other:?}") })
            }
        };
        // The format checks each tensor's byte length against its shape; this is the
        // last line of defence before the values are indexed without checks.
        if values.len() != shape.iter().product::<usize>() {
            return Err(Error::Format { path: self.path.clone(), reason: format!("{full}: wrong data length") });
        }
        Ok(values)
    }
}
