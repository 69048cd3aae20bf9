//! The CPU kernels our own model code shares: the llama decoder's prompt and the BERT
//! encoder are both mostly f32 products of many rows by packed weights, with small vector
//! ops between them, split between the cores on one pool.

pub mod gemm;
pub mod pool;
pub mod vector_ops;
