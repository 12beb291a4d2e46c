//! Gradient-boosted trees compatible with LightGBM.
//!
//! - [`model`]: the inference model. [`GbdtModel`] holds LightGBM's model as flat per-tree
//!   arrays and evaluates it exactly as LightGBM does, so raw scores of a model trained by
//!   LightGBM match LightGBM's own raw predictions bit for bit (trees summed in f64 in file
//!   order).
//! - [`text`]: LightGBM's v4 text model format, read and written.
//! - [`flat`]: the fast evaluator (one node array for the forest), pinned to the reference
//!   `predict_raw` by tests.
//! - [`explain`]: TreeSHAP feature contributions (LightGBM's `pred_contrib`).
//! - [`csv`]: feature tables as CSV (`gbdt train` and `gbdt predict` input).
//! - [`train`]: the histogram trainer (LightGBM's algorithm, parameter names and defaults).
//!   Models never depend on it.

#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod csv;
pub mod explain;
pub mod flat;
pub mod model;
pub mod text;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod train;

pub use flat::FlatForest;
pub use model::{GbdtModel, Objective, Tree};
