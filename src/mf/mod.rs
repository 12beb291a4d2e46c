//! Hybrid matrix factorisation in the manner of LightFM (Kula, 2015): users (brands) and
//! items (influencers) are sums of the embeddings of their features, so a brand never seen in
//! training still gets a vector from its category, country and hashtags.
//!
//! For a user u with feature row x_u and an item i with feature row y_i:
//!
//! ```text
//! p_u = Σ_f x_uf · e^U_f      b_u = Σ_f x_uf · b^U_f
//! q_i = Σ_f y_if · e^I_f      b_i = Σ_f y_if · b^I_f
//! ŷ_ui = ⟨p_u, q_i⟩ + b_u + b_i
//! ```
//!
//! Losses (L is the step's loss multiplier, w the sample weight):
//! - logistic: L = w·(σ(ŷ_ui) − y), y = 1 when value > 0, else 0; ∂/∂e^I_f = L·x·p_u, ∂/∂e^U_f = L·y·q_i,
//!   both biases get L;
//! - BPR: negative j drawn from the interaction columns (popularity-weighted) until it is not
//!   a positive of u; L = w·(1 − σ(ŷ_ui − ŷ_uj));
//! - WARP: up to `max_sampled` uniform negatives until one violates ŷ_uj > ŷ_ui − 1;
//!   L = w·ln(max(1, ⌊(n_items − 1)/trials⌋)), clipped at 10; a sampled positive is skipped
//!   and still counts as a trial;
//! - k-OS WARP: the k-th best of n sampled positives is the positive of the WARP step.
//!
//! Pairwise steps move i⁺ by −L·p_u, i⁻ by +L·p_u and u by L·(q⁻ − q⁺); item biases get ∓L
//! and, as in the reference, the user bias gets +L (it cancels in ŷ_ui − ŷ_uj, so it only
//! drifts).
//!
//! Schedules, per parameter θ with gradient g: adagrad (accumulator G starts at 1; the step
//! uses G before adding g²): θ ← θ − η/√G · g, G ← G + g²; adadelta: G ← ρG + (1−ρ)g²,
//! Δ = √(M+ε)/√(G+ε)·g, M ← ρM + (1−ρ)Δ², θ ← θ − Δ.
//!
//! Regularisation is lazy, exactly as the reference does it: every updated parameter is
//! multiplied by (1 + α·η_step), each side keeps a scale s ← s·(1 + α·η̄) (η̄ the mean step of
//! the example), representations are computed with weights x·s, and at the end of an epoch
//! (or when s > 10⁶) every parameter is divided by s and s reset to 1. This bookkeeping is not
//! a faithful L2 decay (updated rows are scaled up rather than others down, and the scale
//! multiplies rather than divides in the representation); we keep it for parity and because
//! α = 0 (the default) makes it a no-op. Evaluation choices where the reference is
//! inconsistent are in [`eval`].

pub mod data;
pub mod eval;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod exchange;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod experiment;
pub mod features;
pub mod model;
pub mod stored;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod synthetic;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod train;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod warm;

pub use features::{CsrMatrix, Vocabulary};
pub use model::FactorModel;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub use train::{
    Interactions, LearningSchedule, LightFm, LightFmParams, Loss, Parallelism, TrainData,
};
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub use warm::WarmStart;
