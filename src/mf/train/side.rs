//! The trainer's parameters of one side (embeddings, biases, optimiser state) and the math
//! the epoch loop and the SGD kernel share: representations, the score, WARP's loss and
//! LightFM's lazy regularisation.

use serde::{Deserialize, Serialize};

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::params::LearningSchedule;

/// Parameters of one side (users or items): embeddings, biases and optimiser state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideParams {
    /// Feature embeddings, row-major `n_features x no_components`.
    pub emb: Vec<f32>,
    /// Feature biases.
    pub bias: Vec<f32>,
    /// Squared-gradient accumulators of the embeddings.
    pub g_emb: Vec<f32>,
    /// Squared-gradient accumulators of the biases.
    pub g_bias: Vec<f32>,
    /// Adadelta update accumulators of the embeddings (zeros under adagrad).
    pub m_emb: Vec<f32>,
    /// Adadelta update accumulators of the biases.
    pub m_bias: Vec<f32>,
}

impl SideParams {
    pub(super) fn new(
        n: usize,
        d: usize,
        schedule: LearningSchedule,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        // LightFM: (U[0,1) - 0.5) / no_components, biases 0; adagrad accumulators start at 1.
        let emb: Vec<f32> = (0..n * d)
            .map(|_| ((rng.random::<f64>() - 0.5) / d as f64) as f32)
            .collect();
        let adagrad = schedule == LearningSchedule::Adagrad;
        let acc0 = if adagrad { 1.0 } else { 0.0 };
        // Adagrad never reads the adadelta update accumulators: leave them empty.
        let m = |len: usize| if adagrad { Vec::new() } else { vec![0.0; len] };
        SideParams {
            emb,
            bias: vec![0.0; n],
            g_emb: vec![acc0; n * d],
            g_bias: vec![acc0; n],
            m_emb: m(n * d),
            m_bias: m(n),
        }
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.bias.len()
    }
}

/// Scales above this trigger a regularisation pass mid-epoch (LightFM's `MAX_REG_SCALE`).
pub const MAX_REG_SCALE: f64 = 1_000_000.0;
/// WARP losses are clipped here (LightFM's `MAX_LOSS`).
pub const MAX_LOSS: f64 = 10.0;

/// WARP's loss multiplier after `sampled` trials: w·ln(max(1, ⌊(n_items − 1)/sampled⌋)),
/// clipped at [`MAX_LOSS`].
pub fn warp_loss(n_items: u32, sampled: u32, weight: f32) -> f32 {
    let l = f64::from(weight)
        * (f64::from(n_items.saturating_sub(1)) / f64::from(sampled.max(1)))
            .floor()
            .max(1.0)
            .ln();
    l.min(MAX_LOSS) as f32
}

/// Representation of one row on plain parameters: Σ_f w_f·scale·(e_f, b_f).
pub fn representation(
    side: &SideParams,
    d: usize,
    scale: f64,
    row: (&[u32], &[f32]),
    out: &mut [f32],
) {
    out.fill(0.0);
    for (&f, &w) in row.0.iter().zip(row.1) {
        let w = (f64::from(w) * scale) as f32;
        let e = &side.emb[f as usize * d..(f as usize + 1) * d];
        for (o, &x) in out[..d].iter_mut().zip(e) {
            *o += w * x;
        }
        out[d] += w * side.bias[f as usize];
    }
}

/// ⟨u, i⟩ over the first d components plus both biases (the last component). Eight
/// independent partial sums, so the loop vectorises; the order of additions is fixed, so
/// results are the same on every platform.
pub fn dot_plus_biases(u: &[f32], i: &[f32], d: usize) -> f32 {
    let (a, b) = (&u[..d], &i[..d]);
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut r = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        r += x * y;
    }
    r + u[d] + i[d]
}

/// LightFM's `regularize`: divide everything by the scale, reset the scale to 1.
pub(super) fn regularize(side: &mut SideParams, scale: &mut f64) {
    if *scale != 1.0 {
        let s = *scale;
        side.emb
            .iter_mut()
            .chain(side.bias.iter_mut())
            .for_each(|v| *v = (f64::from(*v) / s) as f32);
        *scale = 1.0;
    }
}
