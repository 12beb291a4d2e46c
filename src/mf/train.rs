//! The LightFM trainer: SGD with adagrad or adadelta over feature embeddings, for the
//! logistic, BPR, WARP and k-OS WARP losses, following the reference library's kernels
//! (`lightfm/_lightfm_fast.pyx.template`) step for step. See the module docs of
//! [`crate::mf`] for the equations.
//!
//! Storage: parameters live in plain `Vec<f32>`. One kernel, generic over a [`Store`], runs
//! single-threaded on `Cell<f32>` views (deterministic for a seed) or lock-free ("Hogwild")
//! on `AtomicU32` views with relaxed loads and stores, which compile to plain moves on
//! x86-64 and wasm32 but keep racy updates well-defined in Rust. Rows are copied into a
//! per-thread scratch buffer, updated there (a loop over contiguous components that the
//! compiler vectorises) and written back.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::CsrMatrix;
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
        if self.k == 0 || self.n == 0 || self.max_sampled == 0 {
            return bad("k/n/max_sampled", "must be >= 1".into());
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
struct Positives {
    csr: CsrMatrix,
    bits: Option<Vec<u64>>,
}

impl Positives {
    fn new(csr: CsrMatrix) -> Self {
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
    fn contains(&self, u: u32, i: u32) -> bool {
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
    fn new(n: usize, d: usize, schedule: LearningSchedule, rng: &mut ChaCha8Rng) -> Self {
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

/// The trainer: LightFM's estimator state.
#[derive(Debug, Clone, PartialEq)]
pub struct LightFm {
    /// Hyper-parameters.
    pub params: LightFmParams,
    /// User-side parameters (empty before the first fit).
    pub user: SideParams,
    /// Item-side parameters.
    pub item: SideParams,
    /// Lazy-regularisation scale of the user side.
    pub user_scale: f64,
    /// Lazy-regularisation scale of the item side.
    pub item_scale: f64,
    /// How more than one thread trains (default [`Parallelism::Merge`]).
    pub parallelism: Parallelism,
    rng: ChaCha8Rng,
    initialized: bool,
}

/// How more than one thread trains.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parallelism {
    /// Lock-free shared parameters, relaxed atomic loads and stores (LightFM's scheme).
    Hogwild,
    /// Per-thread copies whose changes are summed after each round (deterministic).
    #[default]
    Merge,
}

/// Rounds per epoch of [`Parallelism::Merge`].
pub const MERGE_ROUNDS: usize = 2;

/// θ ← θ + Σ_t (θ_t − θ), element by element over every block.
fn merge_deltas(base: &mut SideParams, copies: &[&SideParams]) {
    fn merge(base: &mut [f32], copies: &[&[f32]]) {
        match copies {
            [a, b] => {
                for ((x, &p), &q) in base.iter_mut().zip(*a).zip(*b) {
                    *x = p + q - *x;
                }
            }
            _ => {
                for (k, x) in base.iter_mut().enumerate() {
                    let delta: f32 = copies.iter().map(|c| c[k] - *x).sum();
                    *x += delta;
                }
            }
        }
    }
    let pick = |f: fn(&SideParams) -> &Vec<f32>| -> Vec<&[f32]> {
        copies.iter().map(|c| f(c).as_slice()).collect()
    };
    merge(&mut base.emb, &pick(|s| &s.emb));
    merge(&mut base.bias, &pick(|s| &s.bias));
    merge(&mut base.g_emb, &pick(|s| &s.g_emb));
    merge(&mut base.g_bias, &pick(|s| &s.g_bias));
    merge(&mut base.m_emb, &pick(|s| &s.m_emb));
    merge(&mut base.m_bias, &pick(|s| &s.m_bias));
}

/// Runs the single-thread kernel over `order` on plain parameters.
fn run_on(
    params: &LightFmParams,
    data: &TrainData,
    positives: &Positives,
    user: (&mut SideParams, &mut f64),
    item: (&mut SideParams, &mut f64),
    order: &[u32],
    seed: u64,
) {
    with_cell_kernel(params, data, positives, user, item, |k| k.run(order, seed));
}

/// Builds the single-thread kernel over `Cell` views of plain parameters, hands it to `f`,
/// and writes the scales back.
fn with_cell_kernel(
    params: &LightFmParams,
    data: &TrainData,
    positives: &Positives,
    user: (&mut SideParams, &mut f64),
    item: (&mut SideParams, &mut f64),
    f: impl FnOnce(&Kernel<[Cell<f32>], &[Cell<f32>], Cell<f64>>),
) {
    let user_scale = Cell::new(*user.1);
    let item_scale = Cell::new(*item.1);
    let lock = Mutex::new(());
    {
        let u = cells(user.0);
        let i = cells(item.0);
        let k = Kernel {
            p: params,
            data,
            positives,
            user: View {
                s: &u,
                scale: &user_scale,
                f: data.user_features,
            },
            item: View {
                s: &i,
                scale: &item_scale,
                f: data.item_features,
            },
            lock: &lock,
        };
        f(&k);
    }
    *user.1 = user_scale.get();
    *item.1 = item_scale.get();
}

/// Scales above this trigger a regularisation pass mid-epoch (LightFM's `MAX_REG_SCALE`).
pub const MAX_REG_SCALE: f64 = 1_000_000.0;
/// WARP losses are clipped here (LightFM's `MAX_LOSS`).
pub const MAX_LOSS: f64 = 10.0;

impl LightFm {
    /// A model with `params`; parameters are initialised on the first fit.
    pub fn new(params: LightFmParams) -> Result<Self> {
        params.validate()?;
        let rng = ChaCha8Rng::seed_from_u64(params.random_state);
        let empty = SideParams {
            emb: vec![],
            bias: vec![],
            g_emb: vec![],
            g_bias: vec![],
            m_emb: vec![],
            m_bias: vec![],
        };
        Ok(LightFm {
            params,
            user: empty.clone(),
            item: empty,
            user_scale: 1.0,
            item_scale: 1.0,
            parallelism: Parallelism::default(),
            rng,
            initialized: false,
        })
    }

    /// Resets and trains for `epochs` (LightFM's `fit`).
    pub fn fit(&mut self, data: TrainData, epochs: u32, num_threads: usize) -> Result<()> {
        self.initialized = false;
        self.rng = ChaCha8Rng::seed_from_u64(self.params.random_state);
        self.fit_partial(data, epochs, num_threads)
    }

    /// Continues training for `epochs` (LightFM's `fit_partial`). Feature counts must match
    /// the first call's.
    pub fn fit_partial(&mut self, data: TrainData, epochs: u32, num_threads: usize) -> Result<()> {
        data.interactions.validate()?;
        let ix = data.interactions;
        if data.user_features.rows != ix.n_users || data.item_features.rows != ix.n_items {
            return Err(Error::InvalidParam {
                name: "features",
                message: format!(
                    "feature matrices have {} user rows and {} item rows; interactions are {} x {}",
                    data.user_features.rows, data.item_features.rows, ix.n_users, ix.n_items
                ),
            });
        }
        if let Some(w) = data.sample_weight {
            if self.params.loss == Loss::WarpKos {
                return Err(Error::InvalidParam {
                    name: "sample_weight",
                    message: "k-OS loss with sample weights is not supported (as in LightFM)"
                        .into(),
                });
            }
            if w.len() != ix.users.len() || w.iter().any(|x| !x.is_finite()) {
                return Err(Error::InvalidParam {
                    name: "sample_weight",
                    message: "one finite weight per interaction entry".into(),
                });
            }
        }
        if num_threads == 0 {
            return Err(Error::InvalidParam {
                name: "num_threads",
                message: "must be >= 1".into(),
            });
        }
        let d = self.params.no_components as usize;
        if !self.initialized {
            let s = self.params.learning_schedule;
            // LightFM initialises items first, then users, from the one random state.
            self.item = SideParams::new(data.item_features.cols as usize, d, s, &mut self.rng);
            self.user = SideParams::new(data.user_features.cols as usize, d, s, &mut self.rng);
            self.user_scale = 1.0;
            self.item_scale = 1.0;
            self.initialized = true;
        }
        if self.item.n_features() != data.item_features.cols as usize
            || self.user.n_features() != data.user_features.cols as usize
        {
            return Err(Error::InvalidParam {
                name: "features",
                message: "the number of features changed since the first fit".into(),
            });
        }
        let positives = Positives::new(ix.positives());
        for _ in 0..epochs {
            let mut order: Vec<u32> = (0..ix.users.len() as u32).collect();
            crate::random::shuffle(&mut order, &mut self.rng);
            let seeds: Vec<u64> = (0..num_threads).map(|_| self.rng.random()).collect();
            match (num_threads, self.parallelism) {
                (1, _) => self.epoch_single(&data, &positives, &order, seeds[0]),
                (_, Parallelism::Hogwild) => self.epoch_hogwild(&data, &positives, &order, &seeds),
                (_, Parallelism::Merge) => self.epoch_merge(&data, &positives, &order, &seeds)?,
            }
            regularize(&mut self.user, &mut self.user_scale);
            regularize(&mut self.item, &mut self.item_scale);
            if self
                .user
                .emb
                .iter()
                .chain(&self.item.emb)
                .any(|v| !v.is_finite())
            {
                return Err(Error::InvalidParam {
                    name: "learning_rate",
                    message: "training diverged (non-finite embeddings); lower the learning rate"
                        .into(),
                });
            }
        }
        Ok(())
    }

    /// Sets the parameters directly (warm starts, tests); the model counts as initialised.
    /// Every block must have `n_features` (biases) or `n_features x no_components`
    /// (embeddings) entries; the adadelta accumulators may be empty under adagrad.
    pub fn set_parameters(&mut self, user: SideParams, item: SideParams) -> Result<()> {
        let d = self.params.no_components as usize;
        let adadelta = self.params.learning_schedule == LearningSchedule::Adadelta;
        for (name, s) in [("user parameters", &user), ("item parameters", &item)] {
            let n = s.bias.len();
            let ok = s.emb.len() == n * d
                && s.g_emb.len() == n * d
                && s.g_bias.len() == n
                && (!adadelta || (s.m_emb.len() == n * d && s.m_bias.len() == n));
            if !ok {
                return Err(Error::InvalidParam {
                    name,
                    message: format!("block sizes do not match {n} features x {d} components"),
                });
            }
        }
        self.user = user;
        self.item = item;
        self.user_scale = 1.0;
        self.item_scale = 1.0;
        self.initialized = true;
        Ok(())
    }

    /// One pointwise step (LightFM's `update`) with loss multiplier `loss` on (u, i).
    pub fn pointwise_step(&mut self, data: &TrainData, u: u32, i: u32, loss: f32) {
        self.with_kernel(data, |k| {
            let mut sc = k.scratch();
            k.repr(&k.user, u, &mut sc.u);
            k.repr(&k.item, i, &mut sc.pos);
            k.update(loss, u, i, &mut sc);
        })
    }

    /// One pairwise step (LightFM's `warp_update`) with loss multiplier `loss` on
    /// (u, i⁺, i⁻), as BPR, WARP and k-OS WARP apply it.
    pub fn pairwise_step(&mut self, data: &TrainData, u: u32, ip: u32, ineg: u32, loss: f32) {
        self.with_kernel(data, |k| {
            let mut sc = k.scratch();
            k.repr(&k.user, u, &mut sc.u);
            k.repr(&k.item, ip, &mut sc.pos);
            k.repr(&k.item, ineg, &mut sc.neg);
            k.warp_update(loss, u, ip, ineg, &mut sc);
        })
    }

    fn with_kernel(
        &mut self,
        data: &TrainData,
        f: impl FnOnce(&Kernel<[Cell<f32>], &[Cell<f32>], Cell<f64>>),
    ) {
        let positives = Positives::new(data.interactions.positives());
        with_cell_kernel(
            &self.params,
            data,
            &positives,
            (&mut self.user, &mut self.user_scale),
            (&mut self.item, &mut self.item_scale),
            f,
        );
    }

    fn epoch_single(&mut self, data: &TrainData, positives: &Positives, order: &[u32], seed: u64) {
        run_on(
            &self.params,
            data,
            positives,
            (&mut self.user, &mut self.user_scale),
            (&mut self.item, &mut self.item_scale),
            order,
            seed,
        );
    }

    /// Parallel epoch without data races: the epoch is cut into rounds; in each round every
    /// thread trains its share of the examples on its own copy of the parameters (the
    /// vectorised single-thread kernel), and the copies' changes are summed into the model:
    /// θ ← θ + Σ_t (θ_t − θ). Deterministic for a seed and thread count.
    fn epoch_merge(
        &mut self,
        data: &TrainData,
        positives: &Positives,
        order: &[u32],
        seeds: &[u64],
    ) -> Result<()> {
        let threads = seeds.len();
        let round_len = order.len().div_ceil(MERGE_ROUNDS).max(1);
        for (r, round) in order.chunks(round_len).enumerate() {
            regularize(&mut self.user, &mut self.user_scale);
            regularize(&mut self.item, &mut self.item_scale);
            let part_len = round.len().div_ceil(threads).max(1);
            let (base_user, base_item, params) = (&self.user, &self.item, &self.params);
            let copies: Vec<std::thread::Result<(SideParams, SideParams)>> =
                std::thread::scope(|scope| {
                    let handles: Vec<_> = round
                        .chunks(part_len)
                        .zip(seeds)
                        .map(|(part, &seed)| {
                            let seed = seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                            scope.spawn(move || {
                                let (mut user, mut item) = (base_user.clone(), base_item.clone());
                                let (mut us, mut is) = (1.0, 1.0);
                                run_on(
                                    params,
                                    data,
                                    positives,
                                    (&mut user, &mut us),
                                    (&mut item, &mut is),
                                    part,
                                    seed,
                                );
                                regularize(&mut user, &mut us);
                                regularize(&mut item, &mut is);
                                (user, item)
                            })
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join()).collect()
                });
            let mut done = Vec::with_capacity(copies.len());
            for c in copies {
                done.push(c.map_err(|_| Error::InvalidParam {
                    name: "num_threads",
                    message: "a training thread panicked".into(),
                })?);
            }
            let users: Vec<&SideParams> = done.iter().map(|c| &c.0).collect();
            let items: Vec<&SideParams> = done.iter().map(|c| &c.1).collect();
            merge_deltas(&mut self.user, &users);
            merge_deltas(&mut self.item, &items);
        }
        Ok(())
    }

    fn epoch_hogwild(
        &mut self,
        data: &TrainData,
        positives: &Positives,
        order: &[u32],
        seeds: &[u64],
    ) {
        let user = atomics(&self.user);
        let item = atomics(&self.item);
        let user_scale = AtomicU64::new(self.user_scale.to_bits());
        let item_scale = AtomicU64::new(self.item_scale.to_bits());
        let lock = Mutex::new(());
        let chunk = order.len().div_ceil(seeds.len()).max(1);
        std::thread::scope(|scope| {
            for (part, &seed) in order.chunks(chunk).zip(seeds) {
                let k = Kernel {
                    p: &self.params,
                    data,
                    positives,
                    user: View {
                        s: &user,
                        scale: &user_scale,
                        f: data.user_features,
                    },
                    item: View {
                        s: &item,
                        scale: &item_scale,
                        f: data.item_features,
                    },
                    lock: &lock,
                };
                scope.spawn(move || k.run(part, seed));
            }
        });
        unatomics(&user, &mut self.user);
        unatomics(&item, &mut self.item);
        self.user_scale = f64::from_bits(user_scale.load(Relaxed));
        self.item_scale = f64::from_bits(item_scale.load(Relaxed));
    }

    /// Scores (user, item) pairs: ⟨p_u, q_i⟩ + b_u + b_i with the given feature matrices.
    pub fn predict(
        &self,
        user_features: &CsrMatrix,
        item_features: &CsrMatrix,
        users: &[u32],
        items: &[u32],
    ) -> Vec<f32> {
        let d = self.params.no_components as usize;
        let mut ur = vec![0f32; d + 1];
        let mut ir = vec![0f32; d + 1];
        users
            .iter()
            .zip(items)
            .map(|(&u, &i)| {
                representation(
                    &self.user,
                    d,
                    self.user_scale,
                    user_features.row(u),
                    &mut ur,
                );
                representation(
                    &self.item,
                    d,
                    self.item_scale,
                    item_features.row(i),
                    &mut ir,
                );
                dot_plus_biases(&ur, &ir, d)
            })
            .collect()
    }

    /// Representations (d embeddings then the bias) of every row of `features`, row-major.
    pub fn representations(&self, features: &CsrMatrix, users: bool) -> Vec<f32> {
        let d = self.params.no_components as usize;
        let (side, scale) = if users {
            (&self.user, self.user_scale)
        } else {
            (&self.item, self.item_scale)
        };
        let mut out = vec![0f32; features.rows as usize * (d + 1)];
        for (r, chunk) in out.chunks_mut(d + 1).enumerate() {
            representation(side, d, scale, features.row(r as u32), chunk);
        }
        out
    }
}

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
fn regularize(side: &mut SideParams, scale: &mut f64) {
    if *scale != 1.0 {
        let s = *scale;
        side.emb
            .iter_mut()
            .chain(side.bias.iter_mut())
            .for_each(|v| *v = (f64::from(*v) / s) as f32);
        *scale = 1.0;
    }
}

/// A slot of f32 parameters that a kernel reads and writes.
trait Store {
    fn ld(&self, i: usize) -> f32;
    fn st(&self, i: usize, v: f32);
    fn n(&self) -> usize;
    /// out += w · self[base .. base + out.len()]
    fn axpy(&self, base: usize, w: f32, out: &mut [f32]);
    /// out = self[base .. base + out.len()]
    fn load_row(&self, base: usize, out: &mut [f32]);
    /// self[base .. base + src.len()] = src
    fn store_row(&self, base: usize, src: &[f32]);
    /// Unregularised adagrad on one row, in one pass: with g = w·grad_j,
    /// e_j ← e_j − lr/√a_j · g, a_j ← a_j + g² (self holds e, `acc` holds a).
    fn adagrad_row(&self, acc: &Self, base: usize, grad: &[f32], w: f32, lr: f32);
}

/// Implements [`Store`] for a slice of `$cell`, given how to read (`$get`) and write
/// (`$set`) one element; the row loops zip slices so they carry no bounds checks.
macro_rules! impl_store {
    ($cell:ty, |$c:ident| $get:expr, |$d:ident, $v:ident| $set:expr) => {
        impl Store for [$cell] {
            #[inline(always)]
            fn ld(&self, i: usize) -> f32 {
                let $c = &self[i];
                $get
            }
            #[inline(always)]
            fn st(&self, i: usize, $v: f32) {
                let $d = &self[i];
                $set
            }
            fn n(&self) -> usize {
                self.len()
            }
            #[inline(always)]
            fn axpy(&self, base: usize, w: f32, out: &mut [f32]) {
                let n = out.len();
                for (o, $c) in out.iter_mut().zip(&self[base..base + n]) {
                    *o += w * $get;
                }
            }
            #[inline(always)]
            fn load_row(&self, base: usize, out: &mut [f32]) {
                let n = out.len();
                for (o, $c) in out.iter_mut().zip(&self[base..base + n]) {
                    *o = $get;
                }
            }
            #[inline(always)]
            fn store_row(&self, base: usize, src: &[f32]) {
                for (&$v, $d) in src.iter().zip(&self[base..base + src.len()]) {
                    $set
                }
            }
            #[inline(always)]
            fn adagrad_row(&self, acc: &Self, base: usize, grad: &[f32], w: f32, lr: f32) {
                let n = grad.len();
                for ((e, a), &g) in self[base..base + n]
                    .iter()
                    .zip(&acc[base..base + n])
                    .zip(grad)
                {
                    let g = g * w;
                    let (av, ev) = (
                        {
                            let $c = a;
                            $get
                        },
                        {
                            let $c = e;
                            $get
                        },
                    );
                    {
                        let ($d, $v) = (e, ev - lr / av.sqrt() * g);
                        $set
                    }
                    {
                        let ($d, $v) = (a, av + g * g);
                        $set
                    }
                }
            }
        }
    };
}

impl_store!(Cell<f32>, |c| c.get(), |d, v| d.set(v));
impl_store!(AtomicU32, |c| f32::from_bits(c.load(Relaxed)), |d, v| d
    .store(v.to_bits(), Relaxed));

trait Scale {
    fn get(&self) -> f64;
    fn set(&self, v: f64);
}

impl Scale for Cell<f64> {
    fn get(&self) -> f64 {
        Cell::get(self)
    }
    fn set(&self, v: f64) {
        Cell::set(self, v)
    }
}

impl Scale for AtomicU64 {
    fn get(&self) -> f64 {
        f64::from_bits(self.load(Relaxed))
    }
    fn set(&self, v: f64) {
        self.store(v.to_bits(), Relaxed)
    }
}

/// Parameter blocks of one side as views of one storage kind.
struct Blocks<S: ?Sized + Store, B: std::ops::Deref<Target = S>> {
    emb: B,
    bias: B,
    g_emb: B,
    g_bias: B,
    m_emb: B,
    m_bias: B,
}

type CellBlocks<'a> = Blocks<[Cell<f32>], &'a [Cell<f32>]>;
type AtomicBlocks = Blocks<[AtomicU32], Box<[AtomicU32]>>;

fn c(v: &mut [f32]) -> &[Cell<f32>] {
    Cell::from_mut(v).as_slice_of_cells()
}

fn cells(s: &mut SideParams) -> CellBlocks<'_> {
    // Split borrows field by field.
    let SideParams {
        emb,
        bias,
        g_emb,
        g_bias,
        m_emb,
        m_bias,
    } = s;
    Blocks {
        emb: c(emb),
        bias: c(bias),
        g_emb: c(g_emb),
        g_bias: c(g_bias),
        m_emb: c(m_emb),
        m_bias: c(m_bias),
    }
}

fn atomics(s: &SideParams) -> AtomicBlocks {
    let a = |v: &Vec<f32>| -> Box<[AtomicU32]> {
        v.iter().map(|x| AtomicU32::new(x.to_bits())).collect()
    };
    Blocks {
        emb: a(&s.emb),
        bias: a(&s.bias),
        g_emb: a(&s.g_emb),
        g_bias: a(&s.g_bias),
        m_emb: a(&s.m_emb),
        m_bias: a(&s.m_bias),
    }
}

fn unatomics(a: &AtomicBlocks, s: &mut SideParams) {
    let back = |from: &[AtomicU32], to: &mut Vec<f32>| {
        for (t, f) in to.iter_mut().zip(from) {
            *t = f32::from_bits(f.load(Relaxed));
        }
    };
    back(&a.emb, &mut s.emb);
    back(&a.bias, &mut s.bias);
    back(&a.g_emb, &mut s.g_emb);
    back(&a.g_bias, &mut s.g_bias);
    back(&a.m_emb, &mut s.m_emb);
    back(&a.m_bias, &mut s.m_bias);
}

struct View<'a, S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> {
    s: &'a Blocks<S, B>,
    scale: &'a C,
    f: &'a CsrMatrix,
}

struct Kernel<'a, S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> {
    p: &'a LightFmParams,
    data: &'a TrainData<'a>,
    positives: &'a Positives,
    user: View<'a, S, B, C>,
    item: View<'a, S, B, C>,
    lock: &'a Mutex<()>,
}

/// Per-thread scratch.
struct Scratch {
    u: Vec<f32>,
    pos: Vec<f32>,
    neg: Vec<f32>,
    grad: Vec<f32>,
    row_e: Vec<f32>,
    row_g: Vec<f32>,
    row_m: Vec<f32>,
    pairs: Vec<(u32, f32)>,
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

// Index loops over several parallel component arrays read closest to the equations.
#[allow(clippy::needless_range_loop)]
impl<S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> Kernel<'_, S, B, C> {
    fn d(&self) -> usize {
        self.p.no_components as usize
    }

    fn repr(&self, v: &View<S, B, C>, row: u32, out: &mut [f32]) {
        let d = self.d();
        out.fill(0.0);
        let scale = v.scale.get();
        let (fs, ws) = v.f.row(row);
        let (head, bias) = out.split_at_mut(d);
        for (&f, &w) in fs.iter().zip(ws) {
            let w = if scale == 1.0 {
                w
            } else {
                (f64::from(w) * scale) as f32
            };
            v.s.emb.axpy(f as usize * d, w, head);
            bias[0] += w * v.s.bias.ld(f as usize);
        }
    }

    /// Applies gradient `grad[0..d]` (components) and `grad[d]` (bias) to every feature of
    /// `row`: θ ← (θ − η·w·g)·(1 + α·η) with η the schedule's per-parameter step.
    /// Returns Σ η over the updated parameters (for the lazy-regularisation scale).
    fn update_row(
        &self,
        v: &View<S, B, C>,
        row: u32,
        grad: &[f32],
        alpha: f32,
        sc: &mut Scratch,
    ) -> f64 {
        let d = self.d();
        let (fs, ws) = v.f.row(row);
        let mut sum_lr = 0f64;
        let adagrad = self.p.learning_schedule == LearningSchedule::Adagrad;
        let (lr, rho, eps) = (self.p.learning_rate, self.p.rho, self.p.epsilon);
        for (&f, &w) in fs.iter().zip(ws) {
            let f = f as usize;
            // Bias first, then components, as LightFM's update order per parameter.
            {
                let g = grad[d] * w;
                let (mut e, mut acc) = (v.s.bias.ld(f), v.s.g_bias.ld(f));
                let step;
                if adagrad {
                    step = lr / acc.sqrt();
                    e -= step * g;
                    acc += g * g;
                } else {
                    let mut m = v.s.m_bias.ld(f);
                    acc = rho * acc + (1.0 - rho) * g * g;
                    step = (m + eps).sqrt() / (acc + eps).sqrt();
                    let upd = step * g;
                    m = rho * m + (1.0 - rho) * upd * upd;
                    e -= upd;
                    v.s.m_bias.st(f, m);
                }
                e *= 1.0 + alpha * step;
                v.s.bias.st(f, e);
                v.s.g_bias.st(f, acc);
                sum_lr += f64::from(step);
            }
            let base = f * d;
            if adagrad && alpha == 0.0 {
                // No regularisation: the scale never moves, so the step sum is not needed;
                // one fused pass over the row (no reduction, so it vectorises).
                v.s.emb.adagrad_row(&v.s.g_emb, base, &grad[..d], w, lr);
                continue;
            }
            v.s.emb.load_row(base, &mut sc.row_e);
            v.s.g_emb.load_row(base, &mut sc.row_g);
            let mut lr_sum = 0f32;
            if adagrad {
                for ((e, acc), &gr) in sc.row_e.iter_mut().zip(sc.row_g.iter_mut()).zip(&grad[..d])
                {
                    let g = gr * w;
                    let step = lr / acc.sqrt();
                    *e = (*e - step * g) * (1.0 + alpha * step);
                    *acc += g * g;
                    lr_sum += step;
                }
            } else {
                v.s.m_emb.load_row(base, &mut sc.row_m);
                for j in 0..d {
                    let g = grad[j] * w;
                    let acc = rho * sc.row_g[j] + (1.0 - rho) * g * g;
                    let step = (sc.row_m[j] + eps).sqrt() / (acc + eps).sqrt();
                    let upd = step * g;
                    sc.row_m[j] = rho * sc.row_m[j] + (1.0 - rho) * upd * upd;
                    sc.row_g[j] = acc;
                    sc.row_e[j] = (sc.row_e[j] - upd) * (1.0 + alpha * step);
                    lr_sum += step;
                }
                v.s.m_emb.store_row(base, &sc.row_m);
            }
            v.s.emb.store_row(base, &sc.row_e);
            v.s.g_emb.store_row(base, &sc.row_g);
            sum_lr += f64::from(lr_sum);
        }
        sum_lr
    }

    fn bump_scales(&self, sum_lr: f64, n_params: usize) {
        if self.p.item_alpha == 0.0 && self.p.user_alpha == 0.0 {
            return;
        }
        let avg = sum_lr / n_params.max(1) as f64;
        self.item
            .scale
            .set(self.item.scale.get() * (1.0 + f64::from(self.p.item_alpha) * avg));
        self.user
            .scale
            .set(self.user.scale.get() * (1.0 + f64::from(self.p.user_alpha) * avg));
    }

    fn row_len(v: &View<S, B, C>, r: u32) -> usize {
        v.f.row(r).0.len()
    }

    /// LightFM's `update`: pointwise step with loss L on (u, i).
    fn update(&self, loss: f32, u: u32, i: u32, sc: &mut Scratch) {
        let d = self.d();
        let mut grad = std::mem::take(&mut sc.grad);
        for j in 0..d {
            grad[j] = loss * sc.u[j];
        }
        grad[d] = loss;
        let mut s = self.update_row(&self.item, i, &grad, self.p.item_alpha, sc);
        for j in 0..d {
            grad[j] = loss * sc.pos[j];
        }
        s += self.update_row(&self.user, u, &grad, self.p.user_alpha, sc);
        sc.grad = grad;
        let n = (d + 1) * (Self::row_len(&self.user, u) + Self::row_len(&self.item, i));
        self.bump_scales(s, n);
    }

    /// LightFM's `warp_update`: pairwise step with loss L on (u, i⁺, i⁻). Items get ∓L·p_u,
    /// the user gets L·(q⁻ − q⁺); item biases ∓L and, as in the reference, the user bias +L.
    fn warp_update(&self, loss: f32, u: u32, ip: u32, ineg: u32, sc: &mut Scratch) {
        let d = self.d();
        let mut grad = std::mem::take(&mut sc.grad);
        for j in 0..d {
            grad[j] = -loss * sc.u[j];
        }
        grad[d] = -loss;
        let mut s = self.update_row(&self.item, ip, &grad, self.p.item_alpha, sc);
        for g in grad.iter_mut() {
            *g = -*g;
        }
        s += self.update_row(&self.item, ineg, &grad, self.p.item_alpha, sc);
        for j in 0..d {
            grad[j] = loss * (sc.neg[j] - sc.pos[j]);
        }
        grad[d] = loss;
        s += self.update_row(&self.user, u, &grad, self.p.user_alpha, sc);
        sc.grad = grad;
        let n = (d + 1)
            * (Self::row_len(&self.user, u)
                + Self::row_len(&self.item, ip)
                + Self::row_len(&self.item, ineg));
        self.bump_scales(s, n);
    }

    fn maybe_regularize_mid_epoch(&self) {
        if self.item.scale.get() > MAX_REG_SCALE || self.user.scale.get() > MAX_REG_SCALE {
            if let Ok(_g) = self.lock.lock() {
                for v in [&self.user, &self.item] {
                    let s = v.scale.get();
                    if s > MAX_REG_SCALE {
                        for i in 0..v.s.bias.n() {
                            v.s.bias.st(i, (f64::from(v.s.bias.ld(i)) / s) as f32);
                        }
                        for i in 0..v.s.emb.n() {
                            v.s.emb.st(i, (f64::from(v.s.emb.ld(i)) / s) as f32);
                        }
                        v.scale.set(1.0);
                    }
                }
            }
        }
    }

    /// WARP's negative sampling: up to `max_sampled` uniform items until one violates the
    /// margin (ŷ_uj > ŷ_ui − 1); a sampled positive is skipped and still counts as a trial.
    /// Returns the trial count and the violating item; `nr` receives its representation.
    fn sample_violator(
        &self,
        rng: &mut ChaCha8Rng,
        u: u32,
        ur: &[f32],
        pos_pred: f32,
        nr: &mut [f32],
    ) -> Option<(u32, u32)> {
        let d = self.d();
        let n_items = self.data.interactions.n_items;
        let mut sampled = 0u32;
        while sampled < self.p.max_sampled {
            sampled += 1;
            let ineg = rng.random_range(0..n_items);
            self.repr(&self.item, ineg, nr);
            if dot_plus_biases(ur, nr, d) > pos_pred - 1.0 {
                if self.positives.contains(u, ineg) {
                    continue;
                }
                return Some((sampled, ineg));
            }
        }
        None
    }

    fn scratch(&self) -> Scratch {
        let d = self.d();
        Scratch {
            u: vec![0.0; d + 1],
            pos: vec![0.0; d + 1],
            neg: vec![0.0; d + 1],
            grad: vec![0.0; d + 1],
            row_e: vec![0.0; d],
            row_g: vec![0.0; d],
            row_m: vec![0.0; d],
            pairs: Vec::with_capacity(self.p.n as usize),
        }
    }

    fn run(&self, order: &[u32], seed: u64) {
        let d = self.d();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut sc = Scratch {
            u: vec![0.0; d + 1],
            pos: vec![0.0; d + 1],
            neg: vec![0.0; d + 1],
            grad: vec![0.0; d + 1],
            row_e: vec![0.0; d],
            row_g: vec![0.0; d],
            row_m: vec![0.0; d],
            pairs: Vec::with_capacity(self.p.n as usize),
        };
        let ix = self.data.interactions;
        let n_items = ix.n_items;
        let weight = |row: usize| self.data.sample_weight.map_or(1.0, |w| w[row]);
        for &row in order {
            let row = row as usize;
            let u = ix.users[row];
            match self.p.loss {
                Loss::Logistic => {
                    let i = ix.items[row];
                    self.repr(&self.user, u, &mut sc.u);
                    self.repr(&self.item, i, &mut sc.pos);
                    let pred = sigmoid(dot_plus_biases(&sc.u, &sc.pos, d));
                    let y = if ix.values[row] > 0.0 { 1.0 } else { 0.0 };
                    self.update(weight(row) * (pred - y), u, i, &mut sc);
                }
                Loss::Warp => {
                    if ix.values[row] <= 0.0 {
                        continue;
                    }
                    let ip = ix.items[row];
                    self.repr(&self.user, u, &mut sc.u);
                    self.repr(&self.item, ip, &mut sc.pos);
                    let pos_pred = dot_plus_biases(&sc.u, &sc.pos, d);
                    let step = self
                        .sample_violator(&mut rng, u, &sc.u, pos_pred, &mut sc.neg)
                        .map(|(sampled, ineg)| (warp_loss(n_items, sampled, weight(row)), ineg));
                    if let Some((l, ineg)) = step {
                        self.warp_update(l, u, ip, ineg, &mut sc);
                    }
                }
                Loss::WarpKos => {
                    let (start, stop) = (
                        self.positives.csr.indptr[u as usize] as usize,
                        self.positives.csr.indptr[u as usize + 1] as usize,
                    );
                    if start == stop {
                        continue;
                    }
                    self.repr(&self.user, u, &mut sc.u);
                    let no_pos = (self.p.n as usize).min(stop - start);
                    sc.pairs.clear();
                    for _ in 0..no_pos {
                        let i = self.positives.csr.indices[rng.random_range(start..stop)];
                        self.repr(&self.item, i, &mut sc.pos);
                        sc.pairs.push((i, dot_plus_biases(&sc.u, &sc.pos, d)));
                    }
                    // Descending by prediction; the k-th is the positive to push up.
                    sc.pairs.sort_by(|a, b| b.1.total_cmp(&a.1));
                    let (ip, pos_pred) = sc.pairs[(self.p.k as usize).min(no_pos) - 1];
                    self.repr(&self.item, ip, &mut sc.pos);
                    // Unweighted, as the reference (which also lacks the floor of 1 that keeps
                    // ln 0 = -inf away on tiny item sets; we keep the floor).
                    let step = self
                        .sample_violator(&mut rng, u, &sc.u, pos_pred, &mut sc.neg)
                        .map(|(sampled, ineg)| (warp_loss(n_items, sampled, 1.0), ineg));
                    if let Some((l, ineg)) = step {
                        self.warp_update(l, u, ip, ineg, &mut sc);
                    }
                }
                Loss::Bpr => {
                    if ix.values[row] <= 0.0 {
                        continue;
                    }
                    let ip = ix.items[row];
                    // Negatives are drawn from the interaction columns (popularity-weighted),
                    // at most one try per entry, as in the reference.
                    let n = ix.items.len();
                    let mut ineg = ix.items[rng.random_range(0..n)];
                    for _ in 1..n {
                        if !self.positives.contains(u, ineg) {
                            break;
                        }
                        ineg = ix.items[rng.random_range(0..n)];
                    }
                    self.repr(&self.user, u, &mut sc.u);
                    self.repr(&self.item, ip, &mut sc.pos);
                    self.repr(&self.item, ineg, &mut sc.neg);
                    let x = dot_plus_biases(&sc.u, &sc.pos, d) - dot_plus_biases(&sc.u, &sc.neg, d);
                    self.warp_update(weight(row) * (1.0 - sigmoid(x)), u, ip, ineg, &mut sc);
                }
            }
            self.maybe_regularize_mid_epoch();
        }
    }
}

#[cfg(test)]
#[path = "train_tests.rs"]
mod tests;
