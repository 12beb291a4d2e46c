//! Histogram gradient boosting in LightGBM's manner (regression and binary objectives so far).
//!
//! Per iteration: gradients g_i and hessians h_i of the objective at the current scores;
//! leaf-wise growth (always split the leaf with the largest gain) up to `num_leaves`, each
//! leaf's best split found from per-feature histograms of (Σg, Σh, count) over bins; the
//! smaller child's histogram is built from its rows and the sibling's is parent − smaller.
//!
//! With G, H the sums over a node and T_α(G) = sign(G)·max(0, |G| − λ₁):
//!
//! ```text
//! gain(split) = T(G_L)²/(H_L + λ₂) + T(G_R)²/(H_R + λ₂) − T(G)²/(H + λ₂)
//! leaf value  = −T(G)/(H + λ₂) · learning_rate
//! ```
//!
//! A split must leave `min_data_in_leaf` rows and `min_sum_hessian_in_leaf` hessian on each
//! side and gain more than `min_gain_to_split`. Missing values (NaN, binned last) are tried
//! on both sides; the better side becomes the split's default direction.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::model::{GbdtModel, Objective, Tree};
use crate::error::{Error, Result};

/// Training objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectiveKind {
    /// Squared error (LightGBM `regression`).
    Regression,
    /// Log loss on 0/1 labels (LightGBM `binary`, sigmoid 1).
    Binary,
}

/// Parameters with LightGBM's names and defaults.
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
    /// Fraction of features tried per tree (1.0).
    pub feature_fraction: f64,
    /// Start from the mean label (true).
    pub boost_from_average: bool,
    /// Seed (42).
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
            feature_fraction: 1.0,
            boost_from_average: true,
            seed: 42,
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
        if self.lambda_l1 < 0.0 || self.lambda_l2 < 0.0 || self.min_sum_hessian_in_leaf < 0.0 {
            return bad(
                "lambda_l1/lambda_l2/min_sum_hessian_in_leaf",
                "must be >= 0",
            );
        }
        Ok(())
    }
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
    /// Builds bins from a column: distinct values each get a bin when there are few enough;
    /// otherwise bins hold about n / max_bin rows (at least `min_data_in_bin`). Zero always
    /// gets a bin of its own. Bin bounds sit halfway between neighbouring distinct values.
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
        let mut upper = Vec::new();
        if distinct.len() <= budget {
            for w in distinct.windows(2) {
                upper.push((w[0].0 + w[1].0) / 2.0);
            }
        } else {
            // Greedy equal-count bins: each cut aims at (rows left) / (bins left), so the
            // tail is not lumped into the last bin.
            let mut left: usize = distinct.iter().map(|d| d.1).sum();
            let mut acc = 0;
            for w in distinct.windows(2) {
                acc += w[0].1;
                let bins_left = budget.saturating_sub(upper.len()).max(1);
                let target = left
                    .div_ceil(bins_left)
                    .max(min_data_in_bin as usize)
                    .max(1);
                // Zero sits alone: cut on both sides of it.
                let zero_edge = w[0].0 == 0.0 || w[1].0 == 0.0;
                if (acc >= target || zero_edge) && upper.len() + 1 < budget {
                    upper.push((w[0].0 + w[1].0) / 2.0);
                    left -= acc;
                    acc = 0;
                }
            }
        }
        upper.push(f64::INFINITY);
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
    /// Index of this leaf's slot in the tree under construction (node id or leaf id).
    parent_node: Option<(usize, bool)>,
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

/// Trains a model on rows `x` (row-major, `n_features` columns) and labels `y`.
pub fn train(x: &[f64], n_features: usize, y: &[f64], p: &GbdtParams) -> Result<GbdtModel> {
    p.validate()?;
    let n = y.len();
    if n == 0 || x.len() != n * n_features {
        return Err(Error::InvalidParam {
            name: "data",
            message: format!("{} values for {n} rows x {n_features} features", x.len()),
        });
    }
    if p.objective == ObjectiveKind::Binary && y.iter().any(|&v| v != 0.0 && v != 1.0) {
        return Err(Error::InvalidParam {
            name: "label",
            message: "binary labels must be 0 or 1".into(),
        });
    }
    let mappers: Vec<BinMapper> = (0..n_features)
        .map(|f| {
            let col: Vec<f64> = (0..n).map(|i| x[i * n_features + f]).collect();
            BinMapper::new(&col, p.max_bin, p.min_data_in_bin)
        })
        .collect();
    // Column-major bins for histogram building.
    let bins: Vec<Vec<u16>> = (0..n_features)
        .map(|f| {
            (0..n)
                .map(|i| mappers[f].bin(x[i * n_features + f]))
                .collect()
        })
        .collect();
    let init = if p.boost_from_average {
        let mean = y.iter().sum::<f64>() / n as f64;
        match p.objective {
            ObjectiveKind::Regression => mean,
            ObjectiveKind::Binary => (mean / (1.0 - mean)).ln().clamp(-30.0, 30.0),
        }
    } else {
        0.0
    };
    let mut score = vec![init; n];
    let mut trees = Vec::with_capacity(p.num_iterations as usize);
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let (mut g, mut h) = (vec![0f64; n], vec![0f64; n]);
    for it in 0..p.num_iterations {
        for i in 0..n {
            match p.objective {
                ObjectiveKind::Regression => {
                    g[i] = score[i] - y[i];
                    h[i] = 1.0;
                }
                ObjectiveKind::Binary => {
                    let q = 1.0 / (1.0 + (-score[i]).exp());
                    g[i] = q - y[i];
                    h[i] = (q * (1.0 - q)).max(1e-16);
                }
            }
        }
        let features: Vec<usize> = if p.feature_fraction < 1.0 {
            let k = ((n_features as f64 * p.feature_fraction).round() as usize).max(1);
            let mut all: Vec<usize> = (0..n_features).collect();
            crate::random::shuffle(&mut all, &mut rng);
            let mut chosen = all[..k].to_vec();
            chosen.sort_unstable();
            chosen
        } else {
            (0..n_features).collect()
        };
        let mut tree = grow(&bins, &mappers, &features, &g, &h, p);
        // The first tree carries the initial score, as LightGBM stores boost_from_average.
        if it == 0 && init != 0.0 {
            for v in &mut tree.leaf_value {
                *v += init;
            }
        }
        // Rows are contiguous in `x`: evaluate each in place.
        for (s, row) in score.iter_mut().zip(x.chunks_exact(n_features)) {
            *s = if it == 0 {
                tree.predict(row)
            } else {
                *s + tree.predict(row)
            };
        }
        trees.push(tree);
    }
    Ok(GbdtModel {
        num_features: n_features,
        feature_names: (0..n_features).map(|f| format!("Column_{f}")).collect(),
        objective: match p.objective {
            ObjectiveKind::Regression => Objective::Regression,
            ObjectiveKind::Binary => Objective::Binary { sigmoid: 1.0 },
        },
        trees,
    })
}

fn histogram(
    bins: &[Vec<u16>],
    mappers: &[BinMapper],
    features: &[usize],
    rows: &[u32],
    g: &[f64],
    h: &[f64],
) -> Vec<Vec<Bin>> {
    let mut hist: Vec<Vec<Bin>> = mappers
        .iter()
        .map(|m| vec![Bin::default(); m.num_bins()])
        .collect();
    for &f in features {
        let col = &bins[f];
        let hf = &mut hist[f];
        for &r in rows {
            let b = &mut hf[col[r as usize] as usize];
            b.g += g[r as usize];
            b.h += h[r as usize];
            b.n += 1;
        }
    }
    hist
}

fn best_split(
    hist: &[Vec<Bin>],
    mappers: &[BinMapper],
    features: &[usize],
    sum: (f64, f64, u32),
    p: &GbdtParams,
) -> Option<SplitInfo> {
    let (gt, ht, nt) = sum;
    let mut best: Option<SplitInfo> = None;
    for &f in features {
        let m = &mappers[f];
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
            for (b, bin) in hf.iter().enumerate().take(nb.saturating_sub(1)) {
                gl += bin.g;
                hl += bin.h;
                nl += bin.n;
                let (gr, hr, nr) = (gt - gl, ht - hl, nt - nl);
                if nl < p.min_data_in_leaf
                    || nr < p.min_data_in_leaf
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

fn grow(
    bins: &[Vec<u16>],
    mappers: &[BinMapper],
    features: &[usize],
    g: &[f64],
    h: &[f64],
    p: &GbdtParams,
) -> Tree {
    let n = g.len();
    let rows: Vec<u32> = (0..n as u32).collect();
    let sum = (g.iter().sum::<f64>(), h.iter().sum::<f64>(), n as u32);
    let hist = histogram(bins, mappers, features, &rows, g, h);
    let best = best_split(&hist, mappers, features, sum, p);
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
        let m = &mappers[s.feature];
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
        let col = &bins[s.feature];
        let nb = m.upper.len();
        let (mut lrows, mut rrows) = (
            Vec::with_capacity(s.left.2 as usize),
            Vec::with_capacity(s.right.2 as usize),
        );
        for &r in &leaf.rows {
            let b = col[r as usize] as usize;
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
        let small = histogram(bins, mappers, features, small_rows, g, h);
        let mut large = leaf.hist;
        for &f in features {
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
        for (rows, hist, sum, is_left) in [(lrows, lh, s.left, true), (rrows, rh, s.right, false)] {
            let best = best_split(&hist, mappers, features, sum, p);
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
    for (k, leaf) in leaves.iter().enumerate() {
        let v = leaf_output(leaf.sum.0, leaf.sum.1, p) * p.learning_rate;
        tree.leaf_value.push(v);
        if let Some((parent, is_left)) = leaf.parent_node {
            let id = !(k as i32);
            if is_left {
                tree.left_child[parent] = id
            } else {
                tree.right_child[parent] = id
            }
        }
    }
    tree
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

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
        // Few distinct values: one bin each, bounds halfway between them.
        let m = BinMapper::new(&[1.0, 1.0, 3.0, 5.0], 255, 3);
        assert_eq!(m.upper, vec![2.0, 4.0, f64::INFINITY]);
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
}
