//! Histogram gradient boosting in LightGBM's manner: regression (L2), binary and lambdarank.
//!
//! Per iteration: gradients g_i and hessians h_i of the objective at the current scores
//! (stored as f32, LightGBM's `score_t`); optionally a bag of rows (`bagging_fraction`
//! every `bagging_freq` iterations) and a subset of features (`feature_fraction`);
//! leaf-wise growth (always split the leaf with the largest gain) up to `num_leaves`, each
//! leaf's best split found from per-feature histograms of (Σg, Σh, count) over bins, summed
//! in f64; the smaller child's histogram is built from its rows and the sibling's is
//! parent − smaller.
//!
//! With G, H the sums over a node and T(G) = sign(G)·max(0, |G| − λ₁):
//!
//! ```text
//! gain(split) = T(G_L)²/(H_L + λ₂) + T(G_R)²/(H_R + λ₂) − T(G)²/(H + λ₂)
//! leaf value  = −T(G)/(H + λ₂) · learning_rate
//! ```
//!
//! A split must leave `min_data_in_leaf` rows and `min_sum_hessian_in_leaf` hessian on each
//! side and gain more than `min_gain_to_split`. Missing values (NaN, binned last) are tried
//! on both sides; the better side becomes the split's default direction.
//!
//! Objectives (s = score, y = label):
//! - regression: g = s − y, h = 1; starts from mean(y) when `boost_from_average`.
//! - binary: p = σ(s), g = p − y, h = p(1 − p); starts from logit(mean(y)).
//! - lambdarank (LambdaMART, LightGBM's `rank_objective.hpp`): per query, documents sorted
//!   by score; for every pair (i, j) with different labels and i within the first
//!   `lambdarank_truncation_level` positions, with high/low the better/worse labelled one,
//!   ΔNDCG = (gain_high − gain_low)·|1/log₂(2+r_high) − 1/log₂(2+r_low)| / maxDCG@T,
//!   divided by (0.01 + |s_high − s_low|) when `lambdarank_norm`; ρ = 1/(1 + e^{σ(s_high −
//!   s_low)}); λ = −σ·ρ·ΔNDCG goes to g_high (+) and g_low (−), σ²ρ(1−ρ)·ΔNDCG to both
//!   hessians; with `lambdarank_norm` the query's g and h are scaled by log₂(1+Σ|λ|)/Σ|λ|.
//!   ρ comes from LightGBM's lookup table (2²⁰ bins), for speed and to follow it closely.
//!
//! Early stopping: with a validation set and `early_stopping_round` = r > 0, training stops
//! once r rounds pass without improving the validation metric (RMSE, log loss, or
//! NDCG@`eval_at`), and the model keeps the trees up to the best round.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::{GbdtModel, Objective, Tree};
use crate::error::{Error, Result};

/// Training objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum ObjectiveKind {
    /// Squared error (LightGBM `regression`).
    Regression,
    /// Log loss on 0/1 labels (LightGBM `binary`, sigmoid 1).
    Binary,
    /// LambdaMART on graded labels within query groups (LightGBM `lambdarank`).
    #[cfg_attr(not(target_arch = "wasm32"), value(name = "lambdarank"))]
    LambdaRank,
}

impl ObjectiveKind {
    /// Parses LightGBM's objective names.
    pub fn parse(s: &str) -> Option<ObjectiveKind> {
        match s {
            "regression" | "l2" => Some(ObjectiveKind::Regression),
            "binary" => Some(ObjectiveKind::Binary),
            "lambdarank" => Some(ObjectiveKind::LambdaRank),
            _ => None,
        }
    }
}

/// Parameters with LightGBM's names and defaults (differences are noted).
#[derive(Debug, Clone, PartialEq)]
pub struct GbdtParams {
    /// Objective (regression).
    pub objective: ObjectiveKind,
    /// Boosting rounds (100).
    pub num_iterations: u32,
    /// Shrinkage (0.1).
    pub learning_rate: f64,
    /// Maximum leaves per tree (31).
    pub num_leaves: u32,
    /// Maximum depth, ≤ 0 for none (-1).
    pub max_depth: i32,
    /// Minimum rows per leaf (20).
    pub min_data_in_leaf: u32,
    /// Minimum hessian sum per leaf (1e-3).
    pub min_sum_hessian_in_leaf: f64,
    /// L1 penalty (0).
    pub lambda_l1: f64,
    /// L2 penalty (0).
    pub lambda_l2: f64,
    /// Minimum gain to split (0).
    pub min_gain_to_split: f64,
    /// Maximum bins per feature (255).
    pub max_bin: u32,
    /// Minimum rows per bin (3).
    pub min_data_in_bin: u32,
    /// Rows sampled to find bin bounds (200,000).
    pub bin_construct_sample_cnt: u32,
    /// Fraction of features tried per tree (1.0).
    pub feature_fraction: f64,
    /// Fraction of rows in each bag (1.0: no bagging).
    pub bagging_fraction: f64,
    /// Re-draw the bag every this many rounds (0: no bagging).
    pub bagging_freq: u32,
    /// Start from the mean label (true; ignored by lambdarank, as in LightGBM).
    pub boost_from_average: bool,
    /// Stop after this many rounds without improvement on the validation set (0: never).
    pub early_stopping_round: u32,
    /// Gain of each integer label; empty means LightGBM's default 2^i − 1 for i < 31.
    pub label_gain: Vec<f64>,
    /// Pairs need one document within this many top positions (30).
    pub lambdarank_truncation_level: u32,
    /// Normalise lambdas per query (true).
    pub lambdarank_norm: bool,
    /// σ of the lambdarank pair probability (1.0).
    pub sigmoid: f64,
    /// NDCG cut-off of the validation metric for lambdarank (LightGBM takes a list with
    /// default 1,2,3,4,5; we track one cut-off, default 10, the length of the product's list).
    pub eval_at: u32,
    /// Threads for histogram building (0: all cores). Results do not depend on it.
    pub num_threads: u32,
    /// Seed of feature and bagging draws (LightGBM derives its sub-seeds from `seed`;
    /// we use one stream, default 42).
    pub seed: u64,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            objective: ObjectiveKind::Regression,
            num_iterations: 100,
            learning_rate: 0.1,
            num_leaves: 31,
            max_depth: -1,
            min_data_in_leaf: 20,
            min_sum_hessian_in_leaf: 1e-3,
            lambda_l1: 0.0,
            lambda_l2: 0.0,
            min_gain_to_split: 0.0,
            max_bin: 255,
            min_data_in_bin: 3,
            bin_construct_sample_cnt: 200_000,
            feature_fraction: 1.0,
            bagging_fraction: 1.0,
            bagging_freq: 0,
            boost_from_average: true,
            early_stopping_round: 0,
            label_gain: Vec::new(),
            lambdarank_truncation_level: 30,
            lambdarank_norm: true,
            sigmoid: 1.0,
            eval_at: 10,
            num_threads: 0,
            seed: crate::random::DEFAULT_SEED,
        }
    }
}

impl GbdtParams {
    /// Checks every parameter before training.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, message: &str| {
            Err(Error::InvalidParam {
                name,
                message: message.into(),
            })
        };
        if self.num_leaves < 2 {
            return bad("num_leaves", "must be >= 2");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning_rate", "must be > 0");
        }
        if self.max_bin < 2 || self.max_bin > 65_535 {
            return bad("max_bin", "must be in 2..=65535");
        }
        if !(self.feature_fraction > 0.0 && self.feature_fraction <= 1.0) {
            return bad("feature_fraction", "must be in (0, 1]");
        }
        if !(self.bagging_fraction > 0.0 && self.bagging_fraction <= 1.0) {
            return bad("bagging_fraction", "must be in (0, 1]");
        }
        if self.lambda_l1 < 0.0 || self.lambda_l2 < 0.0 || self.min_sum_hessian_in_leaf < 0.0 {
            return bad(
                "lambda_l1/lambda_l2/min_sum_hessian_in_leaf",
                "must be >= 0",
            );
        }
        if !(self.sigmoid > 0.0 && self.sigmoid.is_finite()) {
            return bad("sigmoid", "must be > 0");
        }
        if self.label_gain.iter().any(|g| !g.is_finite()) {
            return bad("label_gain", "must be finite");
        }
        if self.eval_at == 0 || self.lambdarank_truncation_level == 0 {
            return bad("eval_at/lambdarank_truncation_level", "must be >= 1");
        }
        if self.bin_construct_sample_cnt == 0 {
            return bad("bin_construct_sample_cnt", "must be >= 1");
        }
        Ok(())
    }

    /// The gain of each label (the default 2^i − 1 when `label_gain` is empty).
    pub fn label_gains(&self) -> Vec<f64> {
        if self.label_gain.is_empty() {
            (0..31).map(|i| f64::from((1u32 << i) - 1)).collect()
        } else {
            self.label_gain.clone()
        }
    }
}

/// Training or validation data: row-major `x` with `n_features` columns, labels `y`, and
/// for lambdarank the query sizes `group` (consecutive rows; LightGBM's `group`).
#[derive(Debug, Clone, Copy)]
pub struct Dataset<'a> {
    /// Feature values, row-major; NaN is missing.
    pub x: &'a [f64],
    /// Number of columns.
    pub n_features: usize,
    /// Labels.
    pub y: &'a [f64],
    /// Query sizes (lambdarank only; empty otherwise).
    pub group: &'a [u32],
}

impl Dataset<'_> {
    fn check(&self, p: &GbdtParams, name: &'static str) -> Result<()> {
        let n = self.y.len();
        let fail = |message: String| Err(Error::InvalidParam { name, message });
        if n == 0 || self.n_features == 0 || self.x.len() != n * self.n_features {
            return fail(format!(
                "{} values for {n} rows x {} features",
                self.x.len(),
                self.n_features
            ));
        }
        match p.objective {
            ObjectiveKind::Binary if self.y.iter().any(|&v| v != 0.0 && v != 1.0) => {
                fail("binary labels must be 0 or 1".into())
            }
            ObjectiveKind::LambdaRank => {
                let gains = p.label_gains().len();
                if let Some(v) = self
                    .y
                    .iter()
                    .find(|&&v| !(v >= 0.0 && v.fract() == 0.0 && (v as usize) < gains))
                {
                    return fail(format!(
                        "lambdarank labels must be integers in 0..{gains}, found {v}"
                    ));
                }
                let total: u64 = self.group.iter().map(|&g| u64::from(g)).sum();
                if total != n as u64 {
                    return fail(format!("query sizes sum to {total}, expected {n} rows"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A trained model with its validation history.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The model (truncated to the best round when early stopping triggered).
    pub model: GbdtModel,
    /// The validation metric after each round (empty without a validation set).
    pub valid_metric: Vec<f64>,
    /// The round (1-based) the model was cut at, when early stopping triggered.
    pub best_iteration: Option<u32>,
}

/// Bin edges of one feature: value v goes to the first bin whose upper bound is ≥ v; NaN to
/// the extra last bin when the feature had NaNs.
#[derive(Debug, Clone, PartialEq)]
pub struct BinMapper {
    /// Upper bound of each non-NaN bin (the last is +∞).
    pub upper: Vec<f64>,
    /// Whether the last bin holds NaN.
    pub has_nan: bool,
}

impl BinMapper {
    /// Builds bins from a column the way LightGBM does (`FindBinWithZeroAsOneBin` and
    /// `GreedyFindBin` in its `bin.cpp`): zero (|v| ≤ 1e-35) gets a bin of its own; the
    /// negative and the positive values share the other bins in proportion to their rows;
    /// within a side, few distinct values each get a bin once it holds `min_data_in_bin`
    /// rows, and many are cut greedily at about (rows left) / (bins left), with every value
    /// holding a mean bin's worth of rows on its own. Bounds sit halfway between neighbouring
    /// distinct values; NaN, when present, takes one extra bin at the end.
    pub fn new(values: &[f64], max_bin: u32, min_data_in_bin: u32) -> Self {
        let has_nan = values.iter().any(|v| v.is_nan());
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for x in v {
            match distinct.last_mut() {
                Some(d) if d.0 == x => d.1 += 1,
                _ => distinct.push((x, 1)),
            }
        }
        let budget = (max_bin as usize)
            .saturating_sub(usize::from(has_nan))
            .max(1);
        let neg_end = distinct.partition_point(|d| d.0 <= -ZERO);
        let pos_start = distinct.partition_point(|d| d.0 <= ZERO);
        let rows = |d: &[(f64, usize)]| d.iter().map(|x| x.1).sum::<usize>();
        // Values in neg_end..pos_start are zero: they fall in the bin between ±1e-35.
        let (neg, pos) = (&distinct[..neg_end], &distinct[pos_start..]);
        let (neg_rows, pos_rows) = (rows(neg), rows(pos));
        let mut upper = Vec::new();
        if !neg.is_empty() && budget > 1 {
            let share = neg_rows as f64 / (neg_rows + pos_rows).max(1) as f64;
            let neg_bins = ((share * (budget - 1) as f64) as usize).max(1);
            upper = greedy_bins(neg, neg_bins, neg_rows, min_data_in_bin as usize);
            // The last negative bin ends just below zero.
            if let Some(last) = upper.last_mut() {
                *last = -ZERO;
            }
        }
        let pos_bins = budget.saturating_sub(1 + upper.len());
        if !pos.is_empty() && pos_bins > 0 {
            upper.push(ZERO);
            upper.extend(greedy_bins(
                pos,
                pos_bins,
                pos_rows,
                min_data_in_bin as usize,
            ));
        } else {
            upper.push(f64::INFINITY);
        }
        BinMapper { upper, has_nan }
    }

    /// Number of bins (NaN bin included).
    pub fn num_bins(&self) -> usize {
        self.upper.len() + usize::from(self.has_nan)
    }

    /// The bin of a value.
    pub fn bin(&self, x: f64) -> u16 {
        if x.is_nan() {
            return if self.has_nan {
                self.upper.len() as u16
            } else {
                self.upper.partition_point(|&u| u < 0.0) as u16
            };
        }
        self.upper.partition_point(|&u| u < x) as u16
    }
}

/// LightGBM's `kZeroThreshold`: |v| ≤ this is zero for binning.
const ZERO: f64 = 1e-35;

/// Upper bounds (the last +∞) of at most `max_bin` bins over sorted `(value, rows)` pairs.
fn greedy_bins(
    d: &[(f64, usize)],
    max_bin: usize,
    total: usize,
    min_data_in_bin: usize,
) -> Vec<f64> {
    let mut upper = Vec::new();
    if d.len() <= max_bin {
        // One bin per distinct value, once a bin holds min_data_in_bin rows.
        let mut in_bin = 0;
        for w in d.windows(2) {
            in_bin += w[0].1;
            if in_bin >= min_data_in_bin {
                let cut = (w[0].0 + w[1].0) / 2.0;
                if upper.last() != Some(&cut) {
                    upper.push(cut);
                    in_bin = 0;
                }
            }
        }
        upper.push(f64::INFINITY);
        return upper;
    }
    let mut max_bin = max_bin;
    if let Some(cap) = total.checked_div(min_data_in_bin) {
        max_bin = max_bin.min(cap).max(1);
    }
    // Values holding a mean bin's rows are "big": each gets a bin of its own, and the rest
    // of the rows share the rest of the bins.
    let mean = total as f64 / max_bin as f64;
    let big: Vec<bool> = d.iter().map(|x| x.1 as f64 >= mean).collect();
    let mut bins_left = max_bin as f64 - big.iter().filter(|&&b| b).count() as f64;
    let mut rows_left = (total
        - d.iter()
            .zip(&big)
            .filter(|x| *x.1)
            .map(|x| x.0 .1)
            .sum::<usize>()) as f64;
    let mut mean = rows_left / bins_left;
    let mut cuts: Vec<(f64, f64)> = Vec::new();
    let mut in_bin = 0usize;
    for i in 0..d.len() - 1 {
        if !big[i] {
            rows_left -= d[i].1 as f64;
        }
        in_bin += d[i].1;
        let close = big[i]
            || in_bin as f64 >= mean
            || (big[i + 1] && in_bin as f64 >= (mean * 0.5).max(1.0));
        if close {
            // The bin ends at d[i]; the next starts at d[i + 1].
            cuts.push((d[i].0, d[i + 1].0));
            if cuts.len() + 1 >= max_bin {
                break;
            }
            in_bin = 0;
            if !big[i] {
                bins_left -= 1.0;
                mean = rows_left / bins_left;
            }
        }
    }
    for (hi, next_lo) in cuts {
        let cut = (hi + next_lo) / 2.0;
        if upper.last() != Some(&cut) {
            upper.push(cut);
        }
    }
    upper.push(f64::INFINITY);
    upper
}

/// One feature's bins for every row; one byte a row when the feature has ≤ 256 bins.
enum Column {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

impl Column {
    #[inline]
    fn get(&self, r: usize) -> usize {
        match self {
            Column::U8(v) => usize::from(v[r]),
            Column::U16(v) => usize::from(v[r]),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    n: u32,
}

#[derive(Debug, Clone, Copy)]
struct SplitInfo {
    feature: usize,
    /// Last bin that goes left (non-NaN bins).
    bin: usize,
    nan_left: bool,
    gain: f64,
    left: (f64, f64, u32),
    right: (f64, f64, u32),
}

struct Leaf {
    rows: Vec<u32>,
    hist: Vec<Vec<Bin>>,
    sum: (f64, f64, u32),
    depth: u32,
    best: Option<SplitInfo>,
    /// The parent's node id and whether this leaf is its left child.
    parent_node: Option<(usize, bool)>,
}

/// What stays fixed while one tree grows.
struct Grower<'a> {
    cols: &'a [Column],
    mappers: &'a [BinMapper],
    features: &'a [usize],
    g: &'a [f32],
    h: &'a [f32],
    threads: usize,
    /// Every hessian equals this (regression): histograms then skip Σh, which is n·h.
    const_hessian: Option<f64>,
    /// Row-major bins (n × features, one byte each) when every feature has ≤ 256 bins.
    rowbins: Option<&'a [u8]>,
    p: &'a GbdtParams,
}

fn threshold_l1(g: f64, l1: f64) -> f64 {
    g.signum() * (g.abs() - l1).max(0.0)
}

fn leaf_score(g: f64, h: f64, p: &GbdtParams) -> f64 {
    let t = threshold_l1(g, p.lambda_l1);
    t * t / (h + p.lambda_l2)
}

/// The leaf output −T(G)/(H + λ₂) (before shrinkage).
pub fn leaf_output(g: f64, h: f64, p: &GbdtParams) -> f64 {
    -threshold_l1(g, p.lambda_l1) / (h + p.lambda_l2)
}

/// The gain of splitting (G, H) into (G_L, H_L) and the rest.
pub fn split_gain(gl: f64, hl: f64, g: f64, h: f64, p: &GbdtParams) -> f64 {
    leaf_score(gl, hl, p) + leaf_score(g - gl, h - hl, p) - leaf_score(g, h, p)
}

/// DCG position discount 1/log₂(2 + r) for 0-based rank r.
fn discount(r: usize) -> f64 {
    1.0 / ((2 + r) as f64).log2()
}

/// 1 / maxDCG@k of a query's labels (0 when every label gains nothing).
fn inverse_max_dcg(labels: &[f64], k: usize, gains: &[f64]) -> f64 {
    let mut l: Vec<f64> = labels.to_vec();
    l.sort_by(|a, b| b.total_cmp(a));
    let max: f64 = l
        .iter()
        .take(k)
        .enumerate()
        .map(|(r, &y)| gains[y as usize] * discount(r))
        .sum();
    if max > 0.0 {
        1.0 / max
    } else {
        0.0
    }
}

/// Mean NDCG@k over queries (LightGBM's convention: a query with no gain scores 1).
/// Ties in score keep row order.
pub fn ndcg_at(k: usize, y: &[f64], score: &[f64], group: &[u32], gains: &[f64]) -> f64 {
    let mut start = 0usize;
    let mut total = 0.0;
    for &size in group {
        let (ys, ss) = (
            &y[start..start + size as usize],
            &score[start..start + size as usize],
        );
        start += size as usize;
        let inv = inverse_max_dcg(ys, k, gains);
        if inv == 0.0 {
            total += 1.0;
            continue;
        }
        let mut order: Vec<usize> = (0..ys.len()).collect();
        order.sort_by(|&a, &b| ss[b].total_cmp(&ss[a]));
        let dcg: f64 = order
            .iter()
            .take(k)
            .enumerate()
            .map(|(r, &i)| gains[ys[i] as usize] * discount(r))
            .sum();
        total += dcg * inv;
    }
    total / group.len().max(1) as f64
}

/// What lambdarank gradients need besides the query: LightGBM's lookup table for
/// ρ(Δs) = 1/(1 + e^{σΔs}) (2²⁰ bins over Δs ∈ [−25/σ, 25/σ], clamped outside), the DCG
/// discounts by rank, and the label gains.
struct Lambdarank {
    table: Vec<f64>,
    min_input: f64,
    max_input: f64,
    factor: f64,
    discounts: Vec<f64>,
    gains: Vec<f64>,
}

impl Lambdarank {
    const BINS: usize = 1 << 20;

    fn new(p: &GbdtParams, max_query: usize) -> Lambdarank {
        let min_input = -50.0 / p.sigmoid / 2.0;
        let max_input = -min_input;
        let factor = Self::BINS as f64 / (max_input - min_input);
        let table = (0..Self::BINS)
            .map(|i| {
                let s = i as f64 / factor + min_input;
                1.0 / (1.0 + (s * p.sigmoid).exp())
            })
            .collect();
        Lambdarank {
            table,
            min_input,
            max_input,
            factor,
            discounts: (0..max_query).map(discount).collect(),
            gains: p.label_gains(),
        }
    }

    #[inline]
    fn rho(&self, delta: f64) -> f64 {
        if delta <= self.min_input {
            self.table[0]
        } else if delta >= self.max_input {
            self.table[Self::BINS - 1]
        } else {
            self.table[((delta - self.min_input) * self.factor) as usize]
        }
    }

    /// Gradients of one query (see the module docs); `g`, `h` are overwritten.
    fn query(
        &self,
        y: &[f64],
        s: &[f64],
        inv_max_dcg: f64,
        p: &GbdtParams,
        g: &mut [f32],
        h: &mut [f32],
    ) {
        let cnt = y.len();
        g.fill(0.0);
        h.fill(0.0);
        if cnt < 2 || inv_max_dcg == 0.0 {
            return;
        }
        let mut order: Vec<usize> = (0..cnt).collect();
        order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        // Labels, scores and gains in rank order, so the pair loop reads memory in sequence.
        let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let ss: Vec<f64> = order.iter().map(|&i| s[i]).collect();
        let gs: Vec<f64> = ys.iter().map(|&l| self.gains[l as usize]).collect();
        let (mut lg, mut lh) = (vec![0f64; cnt], vec![0f64; cnt]);
        let (best, worst) = (ss[0], ss[cnt - 1]);
        let norm = p.lambdarank_norm && best != worst;
        let mut sum_lambdas = 0.0;
        let trunc = p.lambdarank_truncation_level as usize;
        for i in 0..(cnt - 1).min(trunc) {
            for j in i + 1..cnt {
                if ys[i] == ys[j] {
                    continue;
                }
                // Ranks of the better and the worse labelled document.
                let (hr, lr) = if ys[i] > ys[j] { (i, j) } else { (j, i) };
                let delta_score = ss[hr] - ss[lr];
                let mut delta_ndcg = (gs[hr] - gs[lr])
                    * (self.discounts[hr] - self.discounts[lr]).abs()
                    * inv_max_dcg;
                if norm {
                    delta_ndcg /= 0.01 + delta_score.abs();
                }
                let rho = self.rho(delta_score);
                let lambda = -p.sigmoid * rho * delta_ndcg;
                let hess = p.sigmoid * p.sigmoid * rho * (1.0 - rho) * delta_ndcg;
                lg[lr] -= lambda;
                lh[lr] += hess;
                lg[hr] += lambda;
                lh[hr] += hess;
                sum_lambdas -= 2.0 * lambda;
            }
        }
        let scale = if p.lambdarank_norm && sum_lambdas > 0.0 {
            (1.0 + sum_lambdas).log2() / sum_lambdas
        } else {
            1.0
        };
        for (r, &i) in order.iter().enumerate() {
            g[i] = (lg[r] * scale) as f32;
            h[i] = (lh[r] * scale) as f32;
        }
    }
}

/// Trains on rows `x` (row-major, `n_features` columns) and labels `y` without validation.
pub fn train(x: &[f64], n_features: usize, y: &[f64], p: &GbdtParams) -> Result<GbdtModel> {
    let data = Dataset {
        x,
        n_features,
        y,
        group: &[],
    };
    Ok(fit(&data, None, p)?.model)
}

/// The validation metric (lower is better for RMSE and log loss; NDCG is negated here so
/// that lower is always better).
fn metric(data: &Dataset, score: &[f64], gains: &[f64], p: &GbdtParams) -> f64 {
    let n = data.y.len() as f64;
    match p.objective {
        ObjectiveKind::Regression => (data
            .y
            .iter()
            .zip(score)
            .map(|(y, s)| (y - s) * (y - s))
            .sum::<f64>()
            / n)
            .sqrt(),
        ObjectiveKind::Binary => {
            -data
                .y
                .iter()
                .zip(score)
                .map(|(&y, &s)| {
                    let q = (1.0 / (1.0 + (-s).exp())).clamp(1e-15, 1.0 - 1e-15);
                    y * q.ln() + (1.0 - y) * (1.0 - q).ln()
                })
                .sum::<f64>()
                / n
        }
        ObjectiveKind::LambdaRank => -ndcg_at(p.eval_at as usize, data.y, score, data.group, gains),
    }
}

/// Trains on `data`, tracking `valid` when given (and stopping early when
/// `early_stopping_round` > 0).
pub fn fit(data: &Dataset, valid: Option<&Dataset>, p: &GbdtParams) -> Result<Fitted> {
    p.validate()?;
    data.check(p, "data")?;
    if let Some(v) = valid {
        v.check(p, "valid")?;
        if v.n_features != data.n_features {
            return Err(Error::InvalidParam {
                name: "valid",
                message: format!(
                    "{} features, training data has {}",
                    v.n_features, data.n_features
                ),
            });
        }
    }
    let (x, y, nf) = (data.x, data.y, data.n_features);
    let n = y.len();
    // Bin bounds come from a seeded sample of `bin_construct_sample_cnt` rows (all rows when
    // there are fewer), as LightGBM builds them; every row is then binned.
    let sample: Option<Vec<usize>> = (n > p.bin_construct_sample_cnt as usize).then(|| {
        let mut idx: Vec<usize> = (0..n).collect();
        crate::random::shuffle(
            &mut idx,
            &mut ChaCha8Rng::seed_from_u64(p.seed ^ 0x005e_edb1),
        );
        let mut s = idx[..p.bin_construct_sample_cnt as usize].to_vec();
        s.sort_unstable();
        s
    });
    let mappers: Vec<BinMapper> = (0..nf)
        .map(|f| {
            let col: Vec<f64> = match &sample {
                Some(rows) => rows.iter().map(|&i| x[i * nf + f]).collect(),
                None => x.iter().skip(f).step_by(nf).copied().collect(),
            };
            BinMapper::new(&col, p.max_bin, p.min_data_in_bin)
        })
        .collect();
    // Column-major bins for histogram building.
    let cols: Vec<Column> = mappers
        .iter()
        .enumerate()
        .map(|(f, m)| {
            let it = x.iter().skip(f).step_by(nf).map(|&v| m.bin(v));
            if m.num_bins() <= 256 {
                Column::U8(it.map(|b| b as u8).collect())
            } else {
                Column::U16(it.collect())
            }
        })
        .collect();
    // Row-major copy of the bins for row-wise histograms (LightGBM's row-wise mode), when
    // a byte holds every bin; a few dense features make this the faster layout.
    let rowbins: Option<Vec<u8>> = cols.iter().all(|c| matches!(c, Column::U8(_))).then(|| {
        let mut rb = vec![0u8; n * nf];
        for (f, c) in cols.iter().enumerate() {
            if let Column::U8(v) = c {
                for (i, &b) in v.iter().enumerate() {
                    rb[i * nf + f] = b;
                }
            }
        }
        rb
    });
    let gains = p.label_gains();
    let init = match p.objective {
        _ if !p.boost_from_average => 0.0,
        ObjectiveKind::Regression => y.iter().sum::<f64>() / n as f64,
        ObjectiveKind::Binary => {
            let mean = y.iter().sum::<f64>() / n as f64;
            (mean / (1.0 - mean)).ln().clamp(-30.0, 30.0)
        }
        ObjectiveKind::LambdaRank => 0.0,
    };
    // Query boundaries and their 1/maxDCG, computed once.
    let queries: Vec<(usize, usize, f64)> = {
        let mut start = 0usize;
        data.group
            .iter()
            .map(|&size| {
                let end = start + size as usize;
                let inv = inverse_max_dcg(
                    &y[start..end],
                    p.lambdarank_truncation_level as usize,
                    &gains,
                );
                let q = (start, end, inv);
                start = end;
                q
            })
            .collect()
    };
    let lambdarank = (p.objective == ObjectiveKind::LambdaRank).then(|| {
        let max_query = data.group.iter().copied().max().unwrap_or(0) as usize;
        Lambdarank::new(p, max_query)
    });
    let threads = match p.num_threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t as usize,
    };
    let mut score = vec![init; n];
    let mut vscore = valid.map(|v| vec![init; v.y.len()]);
    let mut trees: Vec<Tree> = Vec::with_capacity(p.num_iterations as usize);
    let mut history = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let (mut g, mut h) = (vec![0f32; n], vec![0f32; n]);
    let mut bag: Option<Vec<u32>> = None;
    for it in 0..p.num_iterations as usize {
        match p.objective {
            ObjectiveKind::Regression => {
                for i in 0..n {
                    g[i] = (score[i] - y[i]) as f32;
                    h[i] = 1.0;
                }
            }
            ObjectiveKind::Binary => {
                for i in 0..n {
                    let q = 1.0 / (1.0 + (-score[i]).exp());
                    g[i] = (q - y[i]) as f32;
                    h[i] = (q * (1.0 - q)).max(1e-16) as f32;
                }
            }
            ObjectiveKind::LambdaRank => {
                if let Some(l) = &lambdarank {
                    // Queries are independent: contiguous runs of them go to the threads.
                    let per = queries.len().div_ceil(threads.max(1)).max(1);
                    std::thread::scope(|sc| {
                        let (mut gr, mut hr) = (&mut g[..], &mut h[..]);
                        let mut offset = 0;
                        let mut handles = Vec::new();
                        for qs in queries.chunks(per) {
                            let end = qs.last().map_or(offset, |q| q.1);
                            let (gq, gtail) = std::mem::take(&mut gr).split_at_mut(end - offset);
                            let (hq, htail) = std::mem::take(&mut hr).split_at_mut(end - offset);
                            (gr, hr) = (gtail, htail);
                            let (score, base) = (&score, offset);
                            let mut run = move || {
                                for &(a, b, inv) in qs {
                                    let (a0, b0) = (a - base, b - base);
                                    l.query(
                                        &y[a..b],
                                        &score[a..b],
                                        inv,
                                        p,
                                        &mut gq[a0..b0],
                                        &mut hq[a0..b0],
                                    );
                                }
                            };
                            offset = end;
                            if threads > 1 {
                                handles.push(sc.spawn(run));
                            } else {
                                run();
                            }
                        }
                        for hd in handles {
                            if let Err(e) = hd.join() {
                                std::panic::resume_unwind(e);
                            }
                        }
                    });
                }
            }
        }
        if p.bagging_freq > 0 && p.bagging_fraction < 1.0 && it % p.bagging_freq as usize == 0 {
            bag = Some(
                (0..n as u32)
                    .filter(|_| rng.random_bool(p.bagging_fraction))
                    .collect(),
            );
        }
        let features: Vec<usize> = if p.feature_fraction < 1.0 {
            let k = ((nf as f64 * p.feature_fraction).round() as usize).max(1);
            let mut all: Vec<usize> = (0..nf).collect();
            crate::random::shuffle(&mut all, &mut rng);
            let mut chosen = all[..k].to_vec();
            chosen.sort_unstable();
            chosen
        } else {
            (0..nf).collect()
        };
        let grower = Grower {
            cols: &cols,
            mappers: &mappers,
            features: &features,
            g: &g,
            h: &h,
            threads,
            const_hessian: (p.objective == ObjectiveKind::Regression).then_some(1.0),
            rowbins: rowbins.as_deref(),
            p,
        };
        let rows = bag.clone().unwrap_or_else(|| (0..n as u32).collect());
        let (mut tree, leaf_rows) = grower.grow(rows);
        // The first tree carries the initial score, as LightGBM stores boost_from_average.
        if it == 0 && init != 0.0 {
            for v in &mut tree.leaf_value {
                *v += init;
            }
        }
        if bag.is_some() {
            // Out-of-bag rows have no leaf yet: evaluate them.
            add_tree(&mut score, x, nf, &tree, it == 0);
        } else {
            // Every row's leaf is known from the partition.
            for (leaf, rows) in leaf_rows.iter().enumerate() {
                let v = tree.leaf_value[leaf];
                for &r in rows {
                    let s = &mut score[r as usize];
                    *s = if it == 0 { v } else { *s + v };
                }
            }
        }
        if let (Some(v), Some(vs)) = (valid, vscore.as_mut()) {
            add_tree(vs, v.x, nf, &tree, it == 0);
            let m = metric(v, vs, &gains, p);
            history.push(if p.objective == ObjectiveKind::LambdaRank {
                -m
            } else {
                m
            });
            if best.is_none_or(|(_, b)| m < b) {
                best = Some((it, m));
            }
        }
        trees.push(tree);
        if let Some((b, _)) = best {
            if p.early_stopping_round > 0 && it - b >= p.early_stopping_round as usize {
                break;
            }
        }
    }
    let mut best_iteration = None;
    if let Some((b, _)) = best {
        if p.early_stopping_round > 0 && b + 1 < trees.len() {
            trees.truncate(b + 1);
            best_iteration = Some(b as u32 + 1);
        }
    }
    Ok(Fitted {
        model: GbdtModel {
            num_features: nf,
            feature_names: (0..nf).map(|f| format!("Column_{f}")).collect(),
            objective: match p.objective {
                ObjectiveKind::Regression => Objective::Regression,
                ObjectiveKind::Binary => Objective::Binary { sigmoid: 1.0 },
                ObjectiveKind::LambdaRank => Objective::LambdaRank,
            },
            trees,
        },
        valid_metric: history,
        best_iteration,
    })
}

/// Adds `tree`'s output for each row of `x` to `scores`; the first tree replaces them (it
/// already carries the initial score).
fn add_tree(scores: &mut [f64], x: &[f64], nf: usize, tree: &Tree, first: bool) {
    for (s, row) in scores.iter_mut().zip(x.chunks_exact(nf)) {
        *s = if first {
            tree.predict(row)
        } else {
            *s + tree.predict(row)
        };
    }
}

impl Grower<'_> {
    /// Histograms of `rows` for the chosen features (other features get empty ones).
    ///
    /// Row-wise when the bins fit a byte (one pass reads each row's bins from one cache
    /// line): rows go in fixed blocks of [`ROW_BLOCK`], each summed into its own partial
    /// histogram, and the partials are added in block order, so the sums, and the model, do
    /// not depend on how many threads share the blocks. Otherwise feature by feature, with
    /// threads taking groups of features.
    fn histogram(&self, rows: &[u32]) -> Vec<Vec<Bin>> {
        let mut hist: Vec<Vec<Bin>> = vec![Vec::new(); self.mappers.len()];
        let Some(rowbins) = self.rowbins else {
            // Gradients in row order of the leaf, read once instead of once per feature.
            let og: Vec<(f64, f64)> = rows
                .iter()
                .map(|&r| (f64::from(self.g[r as usize]), f64::from(self.h[r as usize])))
                .collect();
            let one = |f: usize| -> Vec<Bin> {
                let mut out = vec![Bin::default(); self.mappers[f].num_bins()];
                match (&self.cols[f], self.const_hessian) {
                    (Column::U8(c), None) => accumulate(c, rows, &og, &mut out),
                    (Column::U16(c), None) => accumulate(c, rows, &og, &mut out),
                    (Column::U8(c), Some(h)) => accumulate_g(c, rows, &og, h, &mut out),
                    (Column::U16(c), Some(h)) => accumulate_g(c, rows, &og, h, &mut out),
                }
                out
            };
            let t = self.threads.min(self.features.len());
            if t <= 1 || rows.len() * self.features.len() < 100_000 {
                for &f in self.features {
                    hist[f] = one(f);
                }
                return hist;
            }
            let chunk = self.features.len().div_ceil(t);
            let one = &one;
            let parts: Vec<Vec<(usize, Vec<Bin>)>> = std::thread::scope(|s| {
                let handles: Vec<_> = self
                    .features
                    .chunks(chunk)
                    .map(|fs| s.spawn(move || fs.iter().map(|&f| (f, one(f))).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().map(join).collect()
            });
            for (f, b) in parts.into_iter().flatten() {
                hist[f] = b;
            }
            return hist;
        };
        let nf = self.mappers.len();
        let mut pairs = Vec::with_capacity(self.features.len());
        let mut total = 0;
        for &f in self.features {
            pairs.push((f, total));
            total += self.mappers[f].num_bins();
        }
        // One block's partial histogram: (Σg, Σh, count) per bin, as three f64s; with a
        // constant hessian only (Σg, count), one vector add per row and feature.
        let block = |rs: &[u32]| -> Vec<[f64; 3]> {
            let mut acc = vec![[0f64; 3]; total];
            if self.const_hessian.is_some() {
                let mut two = vec![[0f64; 2]; total];
                for &r in rs {
                    let g = f64::from(self.g[r as usize]);
                    let rb = &rowbins[r as usize * nf..(r as usize + 1) * nf];
                    for &(f, off) in &pairs {
                        let b = &mut two[off + usize::from(rb[f])];
                        b[0] += g;
                        b[1] += 1.0;
                    }
                }
                for (a, t) in acc.iter_mut().zip(&two) {
                    *a = [t[0], 0.0, t[1]];
                }
            } else {
                for &r in rs {
                    let (g, h) = (f64::from(self.g[r as usize]), f64::from(self.h[r as usize]));
                    let rb = &rowbins[r as usize * nf..(r as usize + 1) * nf];
                    for &(f, off) in &pairs {
                        let b = &mut acc[off + usize::from(rb[f])];
                        b[0] += g;
                        b[1] += h;
                        b[2] += 1.0;
                    }
                }
            }
            acc
        };
        let blocks: Vec<&[u32]> = rows.chunks(ROW_BLOCK).collect();
        let t = self.threads.min(blocks.len());
        let partials: Vec<Vec<[f64; 3]>> = if t <= 1 {
            blocks.iter().map(|rs| block(rs)).collect()
        } else {
            let per = blocks.len().div_ceil(t);
            let block = &block;
            std::thread::scope(|s| {
                let handles: Vec<_> = blocks
                    .chunks(per)
                    .map(|bs| s.spawn(move || bs.iter().map(|rs| block(rs)).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().flat_map(join).collect()
            })
        };
        let mut sum = vec![[0f64; 3]; total];
        for part in &partials {
            for (a, b) in sum.iter_mut().zip(part) {
                a[0] += b[0];
                a[1] += b[1];
                a[2] += b[2];
            }
        }
        for &(f, off) in &pairs {
            hist[f] = sum[off..off + self.mappers[f].num_bins()]
                .iter()
                .map(|&[g, h, c]| Bin {
                    g,
                    // Σh of a constant hessian is count·h (exact for h = 1).
                    h: self.const_hessian.map_or(h, |hc| c * hc),
                    n: c as u32,
                })
                .collect();
        }
        hist
    }

    fn best_split(&self, hist: &[Vec<Bin>], sum: (f64, f64, u32)) -> Option<SplitInfo> {
        let p = self.p;
        let (gt, ht, nt) = sum;
        let cnt_factor = f64::from(nt) / ht;
        let mut best: Option<SplitInfo> = None;
        for &f in self.features {
            let m = &self.mappers[f];
            let hf = &hist[f];
            let nb = m.upper.len();
            let nan = if m.has_nan { hf[nb] } else { Bin::default() };
            // Try NaN on the right, then (when there are NaNs) on the left.
            for nan_left in [false, true] {
                if nan_left && nan.n == 0 {
                    break;
                }
                let (mut gl, mut hl, mut nl) = if nan_left {
                    (nan.g, nan.h, nan.n)
                } else {
                    (0.0, 0.0, 0)
                };
                // min_data_in_leaf is checked on counts estimated from hessians, as LightGBM
                // does: round(h_bin · n / H). With a constant hessian that is the true count;
                // with lambdarank or binary it makes the limit a hessian mass, so rows that
                // barely move the objective do not make a side "large enough".
                let est = |h: f64| (h * cnt_factor + 0.5).floor() as i64;
                let mut el = if nan_left { est(nan.h) } else { 0 };
                for (b, bin) in hf.iter().enumerate().take(nb.saturating_sub(1)) {
                    gl += bin.g;
                    hl += bin.h;
                    nl += bin.n;
                    el += est(bin.h);
                    let (gr, hr, nr) = (gt - gl, ht - hl, nt - nl);
                    let er = i64::from(nt) - el;
                    if el < i64::from(p.min_data_in_leaf)
                        || er < i64::from(p.min_data_in_leaf)
                        || hl < p.min_sum_hessian_in_leaf
                        || hr < p.min_sum_hessian_in_leaf
                    {
                        continue;
                    }
                    let gain = split_gain(gl, hl, gt, ht, p);
                    if gain > p.min_gain_to_split && best.is_none_or(|s| gain > s.gain) {
                        best = Some(SplitInfo {
                            feature: f,
                            bin: b,
                            nan_left,
                            gain,
                            left: (gl, hl, nl),
                            right: (gr, hr, nr),
                        });
                    }
                }
            }
        }
        best
    }

    /// Grows one tree on `rows`; returns it with the rows of each leaf (by leaf index).
    fn grow(&self, rows: Vec<u32>) -> (Tree, Vec<Vec<u32>>) {
        let p = self.p;
        let sum = rows.iter().fold((0.0, 0.0, 0u32), |a, &r| {
            (
                a.0 + f64::from(self.g[r as usize]),
                a.1 + f64::from(self.h[r as usize]),
                a.2 + 1,
            )
        });
        let hist = self.histogram(&rows);
        let best = self.best_split(&hist, sum);
        let mut leaves = vec![Leaf {
            rows,
            hist,
            sum,
            depth: 0,
            best,
            parent_node: None,
        }];
        let mut tree = Tree {
            split_feature: vec![],
            threshold: vec![],
            decision_type: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value: vec![],
            cat_boundaries: vec![],
            cat_threshold: vec![],
            leaf_count: vec![],
            internal_count: vec![],
        };
        while leaves.len() < p.num_leaves as usize {
            let Some((li, s)) = leaves
                .iter()
                .enumerate()
                .filter(|(_, l)| p.max_depth <= 0 || (l.depth as i32) < p.max_depth)
                .filter_map(|(i, l)| l.best.map(|s| (i, s)))
                .max_by(|a, b| a.1.gain.total_cmp(&b.1.gain).then(b.0.cmp(&a.0)))
            else {
                break;
            };
            let leaf = leaves.swap_remove(li);
            let node = tree.split_feature.len();
            // Link the parent's pointer to this new internal node.
            if let Some((parent, is_left)) = leaf.parent_node {
                if is_left {
                    tree.left_child[parent] = node as i32
                } else {
                    tree.right_child[parent] = node as i32
                }
            }
            let m = &self.mappers[s.feature];
            tree.split_feature.push(s.feature as u32);
            tree.threshold.push(m.upper[s.bin]);
            // Bits: missing type NaN (2 << 2) when the feature had NaNs; default left (2).
            let dt = if m.has_nan {
                8 | if s.nan_left { 2 } else { 0 }
            } else {
                0
            };
            tree.decision_type.push(dt);
            tree.left_child.push(-1);
            tree.right_child.push(-1);
            tree.internal_count.push(leaf.sum.2);
            let col = &self.cols[s.feature];
            let nb = m.upper.len();
            let (mut lrows, mut rrows) = (
                Vec::with_capacity(s.left.2 as usize),
                Vec::with_capacity(s.right.2 as usize),
            );
            for &r in &leaf.rows {
                let b = col.get(r as usize);
                let left = if m.has_nan && b == nb {
                    s.nan_left
                } else {
                    b <= s.bin
                };
                if left {
                    lrows.push(r)
                } else {
                    rrows.push(r)
                }
            }
            // Smaller child from its rows, the sibling by subtraction.
            let (small_rows, small_is_left) = if lrows.len() <= rrows.len() {
                (&lrows, true)
            } else {
                (&rrows, false)
            };
            let small = self.histogram(small_rows);
            let mut large = leaf.hist;
            for &f in self.features {
                for (a, b) in large[f].iter_mut().zip(&small[f]) {
                    a.g -= b.g;
                    a.h -= b.h;
                    a.n -= b.n;
                }
            }
            let (lh, rh) = if small_is_left {
                (small, large)
            } else {
                (large, small)
            };
            let depth = leaf.depth + 1;
            for (rows, hist, sum, is_left) in
                [(lrows, lh, s.left, true), (rrows, rh, s.right, false)]
            {
                let best = self.best_split(&hist, sum);
                leaves.push(Leaf {
                    rows,
                    hist,
                    sum,
                    depth,
                    best,
                    parent_node: Some((node, is_left)),
                });
            }
        }
        // Number the leaves and write their values (with shrinkage) into the tree.
        let mut leaf_rows = Vec::with_capacity(leaves.len());
        for (k, leaf) in leaves.into_iter().enumerate() {
            let v = leaf_output(leaf.sum.0, leaf.sum.1, p) * p.learning_rate;
            tree.leaf_value.push(v);
            tree.leaf_count.push(leaf.sum.2);
            if let Some((parent, is_left)) = leaf.parent_node {
                let id = !(k as i32);
                if is_left {
                    tree.left_child[parent] = id
                } else {
                    tree.right_child[parent] = id
                }
            }
            leaf_rows.push(leaf.rows);
        }
        (tree, leaf_rows)
    }
}

/// Rows per block of a row-wise histogram (a fixed size, so sums do not depend on threads).
const ROW_BLOCK: usize = 1 << 14;

/// The result of a scoped thread, re-raising its panic (a bug) on the caller.
fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match h.join() {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e),
    }
}

/// Rows are spread over this many interleaved copies of the histogram: consecutive rows
/// often fall in the same bin (binary features, brand features constant within a query), and
/// one copy would chain every add on the previous one's latency.
const LANES: usize = 4;

/// [`accumulate`] when every hessian is `h`: sums g and counts, then Σh = n·h (exact for
/// h = 1, the regression case).
#[inline]
fn accumulate_g<B: Copy + Into<usize>>(
    col: &[B],
    rows: &[u32],
    og: &[(f64, f64)],
    h: f64,
    out: &mut [Bin],
) {
    let mut lanes = vec![(0f64, 0u32); out.len() * LANES];
    let mut chunks = rows.chunks_exact(LANES).zip(og.chunks_exact(LANES));
    for (rs, gs) in &mut chunks {
        for k in 0..LANES {
            let l = &mut lanes[col[rs[k] as usize].into() * LANES + k];
            l.0 += gs[k].0;
            l.1 += 1;
        }
    }
    let tail = rows.len() - rows.len() % LANES;
    for (&r, &(g, _)) in rows[tail..].iter().zip(&og[tail..]) {
        let l = &mut lanes[col[r as usize].into() * LANES];
        l.0 += g;
        l.1 += 1;
    }
    for (b, ls) in out.iter_mut().zip(lanes.chunks_exact(LANES)) {
        for l in ls {
            b.g += l.0;
            b.n += l.1;
        }
        b.h = f64::from(b.n) * h;
    }
}

/// Adds each row's (g, h) to its bin; `og` is in the order of `rows`.
#[inline]
fn accumulate<B: Copy + Into<usize>>(col: &[B], rows: &[u32], og: &[(f64, f64)], out: &mut [Bin]) {
    let mut lanes = vec![Bin::default(); out.len() * LANES];
    let mut chunks = rows.chunks_exact(LANES).zip(og.chunks_exact(LANES));
    for (rs, gs) in &mut chunks {
        for k in 0..LANES {
            let l = &mut lanes[col[rs[k] as usize].into() * LANES + k];
            l.g += gs[k].0;
            l.h += gs[k].1;
            l.n += 1;
        }
    }
    let tail = rows.len() - rows.len() % LANES;
    for (&r, &(g, h)) in rows[tail..].iter().zip(&og[tail..]) {
        let l = &mut lanes[col[r as usize].into() * LANES];
        l.g += g;
        l.h += h;
        l.n += 1;
    }
    for (b, ls) in out.iter_mut().zip(lanes.chunks_exact(LANES)) {
        for l in ls {
            b.g += l.g;
            b.h += l.h;
            b.n += l.n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_gain_and_leaf_value() {
        // G = −6, H = 4 split into (−5, 2) and (−1, 2), λ₂ = 1, λ₁ = 0:
        // 25/3 + 1/3 − 36/5 = 26/3 − 7.2 = 1.4666…
        let p = GbdtParams {
            lambda_l2: 1.0,
            ..Default::default()
        };
        assert!((split_gain(-5.0, 2.0, -6.0, 4.0, &p) - (26.0 / 3.0 - 7.2)).abs() < 1e-12);
        // Leaf value −G/(H + λ₂) = 6/5; with λ₁ = 1: −(−(6 − 1))/5 = 1.
        assert!((leaf_output(-6.0, 4.0, &p) - 1.2).abs() < 1e-12);
        let p1 = GbdtParams {
            lambda_l1: 1.0,
            ..p
        };
        assert!((leaf_output(-6.0, 4.0, &p1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bins_are_even_zero_is_alone_and_nan_is_last() {
        // 1,200 distinct values into 255 bins: no bin may swallow the tail.
        let mut v: Vec<f64> = (0..1200).map(|i| f64::from(i) - 600.0).collect();
        v.push(f64::NAN);
        let m = BinMapper::new(&v, 255, 3);
        assert!(m.has_nan && m.num_bins() <= 255);
        let mut counts = vec![0usize; m.num_bins()];
        for &x in &v {
            counts[m.bin(x) as usize] += 1;
        }
        let max = counts[..counts.len() - 1]
            .iter()
            .max()
            .copied()
            .unwrap_or(0);
        assert!(max <= 10, "largest bin holds {max} rows: {counts:?}");
        assert_eq!(
            counts[counts.len() - 1],
            1,
            "NaN has the last bin to itself"
        );
        assert_eq!(counts[m.bin(0.0) as usize], 1, "zero has a bin of its own");
        // Few distinct values: a bin closes once it holds min_data_in_bin = 3 rows, halfway
        // to the next value: {1, 1, 3} | {5}, after the zero bin (-inf, 1e-35].
        let m = BinMapper::new(&[1.0, 1.0, 3.0, 5.0], 255, 3);
        assert_eq!(m.upper, vec![1e-35, 4.0, f64::INFINITY]);
        // A value holding a mean bin's rows gets a bin of its own (LightGBM's big-count rule).
        let mut heavy = vec![7.0; 500];
        heavy.extend((0..1000).map(f64::from));
        let m = BinMapper::new(&heavy, 255, 3);
        let b7 = m.bin(7.0) as usize;
        assert!(
            m.bin(6.0) as usize != b7 && m.bin(8.0) as usize != b7,
            "7 is alone"
        );
    }

    #[test]
    fn the_first_split_of_a_step_function_is_known() {
        // y = 0 for x < 0.5, 10 otherwise; one stump with 2 leaves must split between 0.4
        // and 0.6 and predict the two means.
        let x: Vec<f64> = (0..100).map(|i| if i < 50 { 0.4 } else { 0.6 }).collect();
        let y: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 10.0 }).collect();
        let p = GbdtParams {
            num_iterations: 1,
            num_leaves: 2,
            learning_rate: 1.0,
            ..Default::default()
        };
        let m = train(&x, 1, &y, &p).unwrap();
        let t = &m.trees[0];
        assert_eq!(t.split_feature, vec![0]);
        assert!((t.threshold[0] - 0.5).abs() < 1e-12);
        assert!((m.predict_raw(&[0.4]) - 0.0).abs() < 1e-9);
        assert!((m.predict_raw(&[0.6]) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn planted_signal_one_informative_column() {
        let seed = 3;
        println!("seed {seed}");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (n, f) = (2000, 5);
        let mut x = vec![0f64; n * f];
        for v in &mut x {
            *v = rng.random_range(-1.0..1.0);
        }
        // Column 3 carries the signal; 10 % of it is missing (NaN) with a label shift.
        let y: Vec<f64> = (0..n)
            .map(|i| {
                if rng.random_bool(0.1) {
                    x[i * f + 3] = f64::NAN;
                    return 2.0;
                }
                (x[i * f + 3] * 3.0).sin() + rng.random_range(-0.1..0.1)
            })
            .collect();
        let m = train(&x, f, &y, &GbdtParams::default()).unwrap();
        // The first trees, fitted while the signal dominates, split on it; later trees also
        // chase the noise, as LightGBM's do.
        let first: Vec<u32> = m.trees[..3]
            .iter()
            .flat_map(|t| t.split_feature.clone())
            .collect();
        let used = first.iter().filter(|&&s| s == 3).count();
        assert!(
            used as f64 > 0.9 * first.len() as f64,
            "{used} of {} early splits use the signal",
            first.len()
        );
        let mse: f64 = (0..n)
            .map(|i| (m.predict_raw(&x[i * f..(i + 1) * f]) - y[i]).powi(2))
            .sum::<f64>()
            / n as f64;
        println!("train MSE {mse:.5}");
        assert!(mse < 0.01, "MSE {mse}");
        assert!(
            (m.predict_raw(&[0.0, 0.0, 0.0, f64::NAN, 0.0]) - 2.0).abs() < 0.05,
            "NaN learned"
        );
    }

    #[test]
    fn binary_objective_separates() {
        let x: Vec<f64> = (0..400).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..400).map(|i| if i >= 200 { 1.0 } else { 0.0 }).collect();
        let p = GbdtParams {
            objective: ObjectiveKind::Binary,
            num_iterations: 20,
            ..Default::default()
        };
        let m = train(&x, 1, &y, &p).unwrap();
        assert!(m.predict(&[10.0]) < 0.1 && m.predict(&[390.0]) > 0.9);
        assert!(train(&x, 1, &vec![2.0; 400], &p).is_err());
    }

    #[test]
    fn worked_lambdarank_gradients_of_one_pair() {
        // Two documents tied at score 0, labels 1 and 0, gains 2^y − 1 = 1 and 0.
        // maxDCG = 1/log₂2 = 1. Pair (high 0 at rank 0, low 1 at rank 1):
        // ΔNDCG = 1·|1 − 1/log₂3| = 0.369070; ρ = 1/(1+e⁰) = 0.5 (equal scores, so no
        // score-distance division); λ = −0.5·0.369070 = −0.184535, h = 0.25·0.369070;
        // Σ|λ| = 0.369070, norm = log₂(1.369070)/0.369070 = 1.227794:
        // g = (−0.226598, +0.226598), h = 0.113299 each.
        let p = GbdtParams::default();
        let gains = p.label_gains();
        let (y, s) = ([1.0, 0.0], [0.0, 0.0]);
        let inv = inverse_max_dcg(&y, 30, &gains);
        assert!((inv - 1.0).abs() < 1e-12);
        let (mut g, mut h) = ([0f32; 2], [0f32; 2]);
        let l = Lambdarank::new(&p, 2);
        // The table's bin for Δs = 0 is exactly ρ = ½, and a large |Δs| clamps.
        assert_eq!(l.rho(0.0), 0.5);
        assert_eq!(l.rho(-1e9), l.table[0]);
        l.query(&y, &s, inv, &p, &mut g, &mut h);
        assert!((f64::from(g[0]) + 0.226_598_236).abs() < 1e-6, "{g:?}");
        assert!((f64::from(g[1]) - 0.226_598_236).abs() < 1e-6, "{g:?}");
        assert!((f64::from(h[0]) - 0.113_299_118).abs() < 1e-6, "{h:?}");
        assert_eq!(h[0], h[1]);
        // Equal labels give no gradient.
        l.query(&[1.0, 1.0], &s, inv, &p, &mut g, &mut h);
        assert_eq!((g, h), ([0.0; 2], [0.0; 2]));
    }

    #[test]
    fn worked_ndcg() {
        // Labels (0, 2, 1) ranked by scores (3, 2, 1): DCG = 0 + 3/log₂3 + 1/2;
        // ideal = 3 + 1/log₂3; NDCG = 0.659002. A query with no relevant rows counts 1.
        let gains = GbdtParams::default().label_gains();
        let v = ndcg_at(10, &[0.0, 2.0, 1.0], &[3.0, 2.0, 1.0], &[3], &gains);
        assert!((v - 0.659_001_804_8).abs() < 1e-9, "{v}");
        let v = ndcg_at(10, &[0.0, 0.0], &[1.0, 2.0], &[2], &gains);
        assert_eq!(v, 1.0);
    }

    /// Queries of 50 rows; column 1 decides the label (0..=3), column 0 is noise.
    fn ranking_data(seed: u64, queries: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..queries * 50 {
            let signal: f64 = rng.random_range(0.0..1.0);
            x.push(rng.random_range(0.0..1.0));
            x.push(signal);
            let noisy = signal + rng.random_range(-0.1..0.1);
            y.push((noisy * 4.0).floor().clamp(0.0, 3.0));
        }
        (x, y, vec![50; queries])
    }

    #[test]
    fn lambdarank_learns_a_planted_order_and_stops_early() {
        let seed = 5;
        println!("seed {seed}");
        let (x, y, group) = ranking_data(seed, 60);
        let (vx, vy, vgroup) = ranking_data(seed + 1, 30);
        let p = GbdtParams {
            objective: ObjectiveKind::LambdaRank,
            num_iterations: 200,
            early_stopping_round: 10,
            ..Default::default()
        };
        let train = Dataset {
            x: &x,
            n_features: 2,
            y: &y,
            group: &group,
        };
        let valid = Dataset {
            x: &vx,
            n_features: 2,
            y: &vy,
            group: &vgroup,
        };
        let fitted = fit(&train, Some(&valid), &p).unwrap();
        let scores: Vec<f64> = vx.chunks(2).map(|r| fitted.model.predict_raw(r)).collect();
        let ndcg = ndcg_at(10, &vy, &scores, &vgroup, &p.label_gains());
        let noise: Vec<f64> = vx.chunks(2).map(|r| r[0]).collect();
        let base = ndcg_at(10, &vy, &noise, &vgroup, &p.label_gains());
        println!(
            "held-out NDCG@10 {ndcg:.4} (noise column {base:.4}), best round {:?} of {}",
            fitted.best_iteration,
            fitted.valid_metric.len()
        );
        assert!(ndcg > 0.9 && ndcg > base + 0.2, "{ndcg} vs {base}");
        // Every tree's root splits on the signal, and training stopped at the best round.
        assert!(fitted.model.trees.iter().all(|t| t.split_feature[0] == 1));
        let best = fitted.best_iteration.expect("stopped early") as usize;
        assert_eq!(fitted.model.trees.len(), best);
        assert_eq!(fitted.valid_metric.len(), best + 10);
        let top = fitted.valid_metric[best - 1];
        assert!(fitted.valid_metric[best..].iter().all(|&m| m <= top));
        // Bad labels and groups are refused before training.
        let bad_y: Vec<f64> = y.iter().map(|v| v + 0.5).collect();
        let bad = Dataset { y: &bad_y, ..train };
        assert!(fit(&bad, None, &p).is_err());
        let bad = Dataset {
            group: &[50],
            ..train
        };
        assert!(fit(&bad, None, &p).is_err());
    }

    #[test]
    fn threads_do_not_change_the_model_and_bagging_is_seeded() {
        let (x, y, _) = ranking_data(9, 400);
        let base = GbdtParams {
            num_iterations: 10,
            ..Default::default()
        };
        let one = train(
            &x,
            2,
            &y,
            &GbdtParams {
                num_threads: 1,
                ..base.clone()
            },
        )
        .unwrap();
        let two = train(
            &x,
            2,
            &y,
            &GbdtParams {
                num_threads: 2,
                ..base.clone()
            },
        )
        .unwrap();
        assert_eq!(one, two);
        let bagged = GbdtParams {
            bagging_fraction: 0.5,
            bagging_freq: 1,
            ..base
        };
        let a = train(&x, 2, &y, &bagged).unwrap();
        let b = train(&x, 2, &y, &bagged).unwrap();
        assert_eq!(a, b, "same seed, same bags");
        assert_ne!(a, one, "bagging changes the trees");
        // About half the rows reach the root of a bagged tree.
        let root = a.trees[0].internal_count[0];
        assert!(
            (9_000..11_000).contains(&root),
            "{root} of 20000 rows in the bag"
        );
        let c = train(&x, 2, &y, &GbdtParams { seed: 7, ..bagged }).unwrap();
        assert_ne!(a, c, "another seed, other bags");
    }

    #[test]
    fn min_data_in_leaf_counts_hessian_mass_as_lightgbm_does() {
        // 25 rows in bin 0 with h = 0.01, 25 in bin 1 with h = 1: n = 50, H = 25.25, so the
        // estimated count of bin 0 is round(0.25 · 50/25.25) = 0 < 20 and the split is refused,
        // though 25 real rows would pass. With equal hessians the same split is allowed.
        let x: Vec<f64> = (0..50).map(|i| if i < 25 { 0.0 } else { 1.0 }).collect();
        let mapper = BinMapper::new(&x, 255, 3);
        let cols = [Column::U8(x.iter().map(|&v| mapper.bin(v) as u8).collect())];
        let mappers = [mapper];
        let g: Vec<f32> = (0..50).map(|i| if i < 25 { -1.0 } else { 1.0 }).collect();
        let p = GbdtParams::default();
        let split = |h: &[f32]| {
            let grower = Grower {
                cols: &cols,
                mappers: &mappers,
                features: &[0],
                g: &g,
                h,
                threads: 1,
                const_hessian: None,
                rowbins: None,
                p: &p,
            };
            let rows: Vec<u32> = (0..50).collect();
            let hist = grower.histogram(&rows);
            let sum = (0.0, h.iter().map(|&v| f64::from(v)).sum(), 50);
            grower.best_split(&hist, sum)
        };
        let skewed: Vec<f32> = (0..50).map(|i| if i < 25 { 0.01 } else { 1.0 }).collect();
        assert!(split(&skewed).is_none());
        assert!(split(&[1.0; 50]).is_some());
    }

    #[test]
    fn counts_add_up_and_depth_is_bounded() {
        let (x, y, _) = ranking_data(4, 40);
        let p = GbdtParams {
            num_iterations: 3,
            max_depth: 2,
            ..Default::default()
        };
        let m = train(&x, 2, &y, &p).unwrap();
        for t in &m.trees {
            assert!(t.leaf_value.len() <= 4, "depth 2 allows 4 leaves");
            assert_eq!(t.internal_count[0], 2000);
            assert_eq!(t.leaf_count.iter().sum::<u32>(), 2000);
        }
    }
}
