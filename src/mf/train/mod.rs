//! The LightFM trainer: SGD with adagrad or adadelta over feature embeddings, for the
//! logistic, BPR, WARP and k-OS WARP losses, following the reference library's kernels
//! (`lightfm/_lightfm_fast.pyx.template`) step for step. See the module docs of
//! [`crate::mf`] for the equations.
//!
//! Storage: parameters live in plain `Vec<f32>`. One kernel, generic over a `Store`, runs
//! single-threaded on `Cell<f32>` views (deterministic for a seed) or lock-free ("Hogwild")
//! on `AtomicU32` views with relaxed loads and stores, which compile to plain moves on
//! x86-64 and wasm32 but keep racy updates well-defined in Rust. Rows are copied into a
//! per-thread scratch buffer, updated there (a loop over contiguous components that the
//! compiler vectorises) and written back.
//!
//! Files: `params` (hyper-parameters and inputs), `kernel` (the SGD kernel), this one
//! (the estimator: `fit`, `fit_partial`, threads, representations).

mod export;
mod kernel;
mod params;
mod side;

pub use params::{Interactions, LearningSchedule, LightFmParams, Loss, TrainData};

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::CsrMatrix;
use crate::error::{Error, Result};
use kernel::*;
use params::*;
use side::regularize;
pub use side::{dot_plus_biases, representation, warp_loss, SideParams, MAX_LOSS, MAX_REG_SCALE};

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

#[cfg(test)]
mod tests;
