//! The trainer's inputs: hyper-parameters (LightFM's names and defaults) validated before
//! fitting, interactions, and the positives WARP and BPR sample against.

use serde::{Deserialize, Serialize};

use super::super::features::CsrMatrix;
use crate::error::{Error, Result};

/// Loss functions, named as in LightFM.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Pointwise logistic loss on positive (> 0) and negative (<= 0) entries.
    Logistic,
    /// Bayesian personalised ranking; negatives drawn from the interaction columns.
    Bpr,
    /// Weighted approximate-rank pairwise loss.
    Warp,
    /// k-th order statistic WARP.
    WarpKos,
}

impl Loss {
    /// Parses LightFM's names (`logistic`, `bpr`, `warp`, `warp-kos`).
    pub fn parse(s: &str) -> Option<Loss> {
        match s {
            "logistic" => Some(Loss::Logistic),
            "bpr" => Some(Loss::Bpr),
            "warp" => Some(Loss::Warp),
            "warp-kos" => Some(Loss::WarpKos),
            _ => None,
        }
    }
}

/// Per-parameter learning-rate schedules, named as in LightFM.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LearningSchedule {
    /// Adagrad: accumulators start at 1, step = learning_rate / sqrt(accumulator).
    Adagrad,
    /// Adadelta with decay `rho` and `epsilon`.
    Adadelta,
}

/// Hyper-parameters, with LightFM's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LightFmParams {
    /// Dimensionality of the embeddings (10).
    pub no_components: u32,
    /// k for k-OS WARP (5).
    pub k: u32,
    /// n for k-OS WARP: positives sampled per step (10).
    pub n: u32,
    /// adagrad or adadelta (adagrad).
    pub learning_schedule: LearningSchedule,
    /// Loss (logistic).
    pub loss: Loss,
    /// Initial learning rate for adagrad (0.05).
    pub learning_rate: f32,
    /// Adadelta moving-average decay (0.95).
    pub rho: f32,
    /// Adadelta conditioning constant (1e-6).
    pub epsilon: f32,
    /// L2 penalty on item features (0.0).
    pub item_alpha: f32,
    /// L2 penalty on user features (0.0).
    pub user_alpha: f32,
    /// Maximum negatives sampled per WARP step (10).
    pub max_sampled: u32,
    /// Seed (LightFM's `random_state`); fixed by default so runs repeat.
    pub random_state: u64,
}

impl Default for LightFmParams {
    fn default() -> Self {
        LightFmParams {
            no_components: 10,
            k: 5,
            n: 10,
            learning_schedule: LearningSchedule::Adagrad,
            loss: Loss::Logistic,
            learning_rate: 0.05,
            rho: 0.95,
            epsilon: 1e-6,
            item_alpha: 0.0,
            user_alpha: 0.0,
            max_sampled: 10,
            random_state: crate::random::DEFAULT_SEED,
        }
    }
}

impl LightFmParams {
    /// Checks every parameter before any work starts.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidParam { name, message });
        if self.no_components == 0 {
            return bad("no_components", "must be >= 1".into());
        }
        for (name, v) in [
            ("k", self.k),
            ("n", self.n),
            ("max_sampled", self.max_sampled),
        ] {
            if v == 0 {
                return bad(name, "must be >= 1".into());
            }
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(
                "learning_rate",
                format!("must be > 0, got {}", self.learning_rate),
            );
        }
        if !(self.rho > 0.0 && self.rho < 1.0) {
            return bad("rho", format!("must be in (0, 1), got {}", self.rho));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return bad("epsilon", format!("must be > 0, got {}", self.epsilon));
        }
        for (name, a) in [
            ("item_alpha", self.item_alpha),
            ("user_alpha", self.user_alpha),
        ] {
            if !(a.is_finite() && a >= 0.0) {
                return bad(name, format!("must be >= 0, got {a}"));
            }
        }
        Ok(())
    }
}

/// Interactions as coordinate lists; the order is the order an epoch shuffles.
#[derive(Debug, Clone, PartialEq)]
pub struct Interactions {
    /// Number of users (rows).
    pub n_users: u32,
    /// Number of items (columns).
    pub n_items: u32,
    /// User of each entry.
    pub users: Vec<u32>,
    /// Item of each entry.
    pub items: Vec<u32>,
    /// Value of each entry: > 0 positive, <= 0 negative (logistic loss only).
    pub values: Vec<f32>,
}

impl Interactions {
    /// Interactions (all values 1) from positive pairs `(user, item, points)`.
    pub fn from_pairs(n_users: u32, n_items: u32, pairs: &[(u32, u32, f64)]) -> Interactions {
        Interactions {
            n_users,
            n_items,
            users: pairs.iter().map(|p| p.0).collect(),
            items: pairs.iter().map(|p| p.1).collect(),
            values: vec![1.0; pairs.len()],
        }
    }
}

impl Interactions {
    /// Checks shapes and ids.
    pub fn validate(&self) -> Result<()> {
        if self.users.len() != self.items.len() || self.users.len() != self.values.len() {
            return Err(Error::InvalidParam {
                name: "interactions",
                message: "users, items and values differ in length".into(),
            });
        }
        if let Some(i) = self.users.iter().position(|&u| u >= self.n_users) {
            return Err(Error::InvalidParam {
                name: "interactions",
                message: format!("entry {i}: user out of range"),
            });
        }
        if let Some(i) = self.items.iter().position(|&u| u >= self.n_items) {
            return Err(Error::InvalidParam {
                name: "interactions",
                message: format!("entry {i}: item out of range"),
            });
        }
        if self.values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParam {
                name: "interactions",
                message: "non-finite value".into(),
            });
        }
        Ok(())
    }

    /// The positive entries as a user x item CSR (the "is this a positive?" lookup).
    pub fn positives(&self) -> CsrMatrix {
        // Counting sort by user, then sort and deduplicate each row (validated ids).
        let nu = self.n_users as usize;
        let mut indptr = vec![0u32; nu + 1];
        for (&u, &v) in self.users.iter().zip(&self.values) {
            if v > 0.0 {
                indptr[u as usize + 1] += 1;
            }
        }
        for r in 0..nu {
            indptr[r + 1] += indptr[r];
        }
        let mut fill = indptr.clone();
        let mut indices = vec![0u32; indptr[nu] as usize];
        for ((&u, &i), &v) in self.users.iter().zip(&self.items).zip(&self.values) {
            if v > 0.0 {
                indices[fill[u as usize] as usize] = i;
                fill[u as usize] += 1;
            }
        }
        let mut out_ptr = Vec::with_capacity(nu + 1);
        let mut out_idx = Vec::with_capacity(indices.len());
        out_ptr.push(0u32);
        for r in 0..nu {
            let row = &mut indices[indptr[r] as usize..indptr[r + 1] as usize];
            row.sort_unstable();
            let mut last = None;
            for &i in row.iter() {
                if last != Some(i) {
                    out_idx.push(i);
                    last = Some(i);
                }
            }
            out_ptr.push(out_idx.len() as u32);
        }
        let n = out_idx.len();
        CsrMatrix {
            rows: self.n_users,
            cols: self.n_items,
            indptr: out_ptr,
            indices: out_idx,
            data: vec![1.0; n],
        }
    }
}

/// Positives with a fast membership test: a dense bitset when users x items fits in 64 MiB,
/// else binary search in the CSR rows.
pub(super) struct Positives {
    pub(super) csr: CsrMatrix,
    pub(super) bits: Option<Vec<u64>>,
}

impl Positives {
    pub(super) fn new(csr: CsrMatrix) -> Self {
        let cells = u64::from(csr.rows) * u64::from(csr.cols);
        let bits = (cells <= 512 * 1024 * 1024).then(|| {
            let mut b = vec![0u64; cells.div_ceil(64) as usize];
            for r in 0..csr.rows {
                for &c in csr.row(r).0 {
                    let k = u64::from(r) * u64::from(csr.cols) + u64::from(c);
                    b[(k / 64) as usize] |= 1 << (k % 64);
                }
            }
            b
        });
        Positives { csr, bits }
    }

    #[inline(always)]
    pub(super) fn contains(&self, u: u32, i: u32) -> bool {
        match &self.bits {
            Some(b) => {
                let k = u64::from(u) * u64::from(self.csr.cols) + u64::from(i);
                b[(k / 64) as usize] >> (k % 64) & 1 == 1
            }
            None => self.csr.contains(u, i),
        }
    }
}

/// Everything one call to `fit_partial` trains on.
#[derive(Debug, Clone, Copy)]
pub struct TrainData<'a> {
    /// The interactions.
    pub interactions: &'a Interactions,
    /// User x user-feature matrix.
    pub user_features: &'a CsrMatrix,
    /// Item x item-feature matrix.
    pub item_features: &'a CsrMatrix,
    /// Optional weight per interaction entry (LightFM's `sample_weight`).
    pub sample_weight: Option<&'a [f32]>,
}
