//! The SGD kernel shared by every loss and schedule, generic over where parameters live:
//! `Cell<f32>` views (one thread, deterministic) or `AtomicU32` views (Hogwild). Rows are
//! copied into scratch, updated there and written back.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::params::*;
use super::side::*;
use crate::mf::features::CsrMatrix;

/// A slot of f32 parameters that a kernel reads and writes.
pub(super) trait Store {
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

pub(super) trait Scale {
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
pub(super) struct Blocks<S: ?Sized + Store, B: std::ops::Deref<Target = S>> {
    pub(super) emb: B,
    pub(super) bias: B,
    pub(super) g_emb: B,
    pub(super) g_bias: B,
    pub(super) m_emb: B,
    pub(super) m_bias: B,
}

pub(super) type CellBlocks<'a> = Blocks<[Cell<f32>], &'a [Cell<f32>]>;
pub(super) type AtomicBlocks = Blocks<[AtomicU32], Box<[AtomicU32]>>;

pub(super) fn c(v: &mut [f32]) -> &[Cell<f32>] {
    Cell::from_mut(v).as_slice_of_cells()
}

pub(super) fn cells(s: &mut SideParams) -> CellBlocks<'_> {
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

pub(super) fn atomics(s: &SideParams) -> AtomicBlocks {
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

pub(super) fn unatomics(a: &AtomicBlocks, s: &mut SideParams) {
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

pub(super) struct View<'a, S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> {
    pub(super) s: &'a Blocks<S, B>,
    pub(super) scale: &'a C,
    pub(super) f: &'a CsrMatrix,
}

pub(super) struct Kernel<'a, S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> {
    pub(super) p: &'a LightFmParams,
    pub(super) data: &'a TrainData<'a>,
    pub(super) positives: &'a Positives,
    pub(super) user: View<'a, S, B, C>,
    pub(super) item: View<'a, S, B, C>,
    pub(super) lock: &'a Mutex<()>,
}

/// Per-thread scratch.
pub(super) struct Scratch {
    pub(super) u: Vec<f32>,
    pub(super) pos: Vec<f32>,
    pub(super) neg: Vec<f32>,
    pub(super) grad: Vec<f32>,
    pub(super) row_e: Vec<f32>,
    pub(super) row_g: Vec<f32>,
    pub(super) row_m: Vec<f32>,
    pub(super) pairs: Vec<(u32, f32)>,
}

pub(super) fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

// Index loops over several parallel component arrays read closest to the equations.
#[allow(clippy::needless_range_loop)]
impl<S: ?Sized + Store, B: std::ops::Deref<Target = S>, C: Scale> Kernel<'_, S, B, C> {
    pub(super) fn d(&self) -> usize {
        self.p.no_components as usize
    }

    pub(super) fn repr(&self, v: &View<S, B, C>, row: u32, out: &mut [f32]) {
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
    pub(super) fn update_row(
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

    pub(super) fn bump_scales(&self, sum_lr: f64, n_params: usize) {
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

    pub(super) fn row_len(v: &View<S, B, C>, r: u32) -> usize {
        v.f.row(r).0.len()
    }

    /// LightFM's `update`: pointwise step with loss L on (u, i).
    pub(super) fn update(&self, loss: f32, u: u32, i: u32, sc: &mut Scratch) {
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
    pub(super) fn warp_update(&self, loss: f32, u: u32, ip: u32, ineg: u32, sc: &mut Scratch) {
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

    pub(super) fn maybe_regularize_mid_epoch(&self) {
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
    pub(super) fn sample_violator(
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

    pub(super) fn scratch(&self) -> Scratch {
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

    pub(super) fn run(&self, order: &[u32], seed: u64) {
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
