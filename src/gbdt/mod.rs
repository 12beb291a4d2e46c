//! Gradient-boosted trees compatible with LightGBM (issue 4, in progress).
//!
//! This first part is the inference side: [`model::GbdtModel`] reads LightGBM's v4 text model
//! format into flat per-tree arrays and evaluates it exactly as LightGBM does, so raw scores
//! of a model trained by LightGBM match LightGBM's own raw predictions bit for bit (trees
//! summed in f64 in file order). The histogram trainer comes next.

pub mod model;
pub mod train;

pub use model::{GbdtModel, Objective, Tree};
