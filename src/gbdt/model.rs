//! The tree model (LightGBM's model as flat per-tree arrays) and its exact evaluation; the
//! text format LightGBM reads and writes is [`super::text`].
//!
//! Decision rule of an internal node n for feature value x (LightGBM `Tree::Decision`):
//! - `decision_type` bit 0: categorical; bit 1: missing values go left; bits 2–3: missing
//!   type (0 none, 1 zero, 2 NaN).
//! - numerical: NaN becomes 0 unless the missing type is NaN; if (type zero and |x| ≤ 1e-35)
//!   or (type NaN and x is NaN) the default direction decides; else left iff x ≤ threshold.
//! - categorical: NaN or a negative value goes right; else left iff bit ⌊x⌋ is set in the
//!   node's slice of `cat_threshold` (32-bit words, from `cat_boundaries[threshold]`).
//!
//! Children < 0 are leaves (`!child` is the leaf index). A model's raw score is the sum of
//! its trees' leaf values in file order, accumulated in f64.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// LightGBM's `kZeroThreshold`: a float literal (1e-35f) widened to double, so |x| up to
/// 1.0000000180025095e-35 counts as zero.
const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

/// One tree as flat arrays (internal nodes indexed 0..num_leaves-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Feature of each internal node.
    pub split_feature: Vec<u32>,
    /// Threshold (numerical) or index into `cat_boundaries` (categorical).
    pub threshold: Vec<f64>,
    /// Decision bits (see module docs).
    pub decision_type: Vec<u8>,
    /// Left child (< 0: leaf `!child`).
    pub left_child: Vec<i32>,
    /// Right child (< 0: leaf `!child`).
    pub right_child: Vec<i32>,
    /// Leaf outputs (shrinkage already applied, as LightGBM stores them).
    pub leaf_value: Vec<f64>,
    /// Start of each categorical split's bitset in `cat_threshold`.
    pub cat_boundaries: Vec<u32>,
    /// Categorical bitsets, 32-bit words.
    pub cat_threshold: Vec<u32>,
    /// Training rows that reached each leaf (LightGBM `leaf_count`; empty when unknown).
    /// TreeSHAP weighs the paths by these counts.
    pub leaf_count: Vec<u32>,
    /// Training rows that reached each internal node (`internal_count`; empty when unknown).
    pub internal_count: Vec<u32>,
    /// A linear tree's leaf models (`is_linear=1`), else `None`. Not in bundles: their
    /// rankers are constant-leaf trees, so it reads back as `None`.
    #[serde(skip)]
    pub linear: Option<LinearLeaves>,
    /// Statistics LightGBM keeps for inspection (gain importances, `trees_to_dataframe`),
    /// empty when unknown; prediction never reads them, and bundles do not keep them.
    #[serde(skip)]
    pub stats: TreeStats,
}

/// Per-node statistics of a tree, as LightGBM writes them: `split_gain` (the split's gain
/// over its parent's, less `min_gain_to_split`), `internal_value` (the node's output had it
/// stayed a leaf, with shrinkage), `internal_weight` and `leaf_weight` (Σ hessians).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TreeStats {
    /// Per internal node.
    pub split_gain: Vec<f64>,
    /// Per internal node.
    pub internal_value: Vec<f64>,
    /// Per internal node.
    pub internal_weight: Vec<f64>,
    /// Per leaf.
    pub leaf_weight: Vec<f64>,
}

/// The leaves of a linear tree (LightGBM `linear_tree`): leaf l outputs
/// `leaf_const[l] + Σ_i coeff[l][i] · x[features[l][i]]`, summed in that order, or its
/// constant `leaf_value[l]` when any of those features is NaN.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinearLeaves {
    /// Intercept per leaf.
    pub leaf_const: Vec<f64>,
    /// Features of each leaf's linear model.
    pub features: Vec<Vec<u32>>,
    /// Their coefficients.
    pub coeff: Vec<Vec<f64>>,
}

impl LinearLeaves {
    /// Leaf `l`'s output for `row`; `constant` when a feature it uses is missing (NaN).
    pub fn output(&self, l: usize, row: &[f64], constant: f64) -> f64 {
        let mut out = self.leaf_const[l];
        for (&f, &c) in self.features[l].iter().zip(&self.coeff[l]) {
            let x = row.get(f as usize).copied().unwrap_or(f64::NAN);
            if x.is_nan() {
                return constant;
            }
            out += c * x;
        }
        out
    }
}

impl Tree {
    /// The leaf this tree sends `row` to.
    pub fn leaf_index(&self, row: &[f64]) -> usize {
        if self.left_child.is_empty() {
            return 0;
        }
        let mut node: i32 = 0;
        while node >= 0 {
            node = self.next(node as usize, row);
        }
        (!node) as usize
    }

    /// The output this tree gives `row` (missing features read as NaN): its leaf's value, or
    /// the leaf's linear model for a linear tree.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let l = self.leaf_index(row);
        let constant = self.leaf_value.get(l).copied().unwrap_or(0.0);
        match &self.linear {
            Some(lin) => lin.output(l, row, constant),
            None => constant,
        }
    }

    /// The child of internal node `n` that `row` goes to.
    pub(crate) fn next(&self, n: usize, row: &[f64]) -> i32 {
        let x = row
            .get(self.split_feature[n] as usize)
            .copied()
            .unwrap_or(f64::NAN);
        if self.decision_type[n] & 1 == 1 {
            self.categorical(n, x)
        } else {
            self.numerical(n, x)
        }
    }

    fn numerical(&self, n: usize, x: f64) -> i32 {
        let dt = self.decision_type[n];
        let missing = (dt >> 2) & 3;
        let x = if x.is_nan() && missing != 2 { 0.0 } else { x };
        if (missing == 1 && x.abs() <= ZERO_THRESHOLD) || (missing == 2 && x.is_nan()) {
            return if dt & 2 == 2 {
                self.left_child[n]
            } else {
                self.right_child[n]
            };
        }
        if x <= self.threshold[n] {
            self.left_child[n]
        } else {
            self.right_child[n]
        }
    }

    fn categorical(&self, n: usize, x: f64) -> i32 {
        if x.is_nan() || x < 0.0 {
            return self.right_child[n];
        }
        // C++ static_cast<int>: truncation toward zero; values past i32 are out of any set.
        if x >= 2_147_483_648.0 {
            return self.right_child[n];
        }
        let v = x as u32;
        let c = self.threshold[n] as usize;
        let (lo, hi) = match (self.cat_boundaries.get(c), self.cat_boundaries.get(c + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => return self.right_child[n],
        };
        let word = (v / 32) as usize;
        if word < hi.saturating_sub(lo) && (self.cat_threshold[lo + word] >> (v % 32)) & 1 == 1 {
            self.left_child[n]
        } else {
            self.right_child[n]
        }
    }
}

/// The objective line and the output transform it implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Objective {
    /// `regression` (identity output).
    Regression,
    /// `binary sigmoid:s`: output 1 / (1 + exp(−s·raw)).
    Binary {
        /// The sigmoid parameter.
        sigmoid: f64,
    },
    /// `lambdarank` (identity output).
    LambdaRank,
    /// Kept for bundles written before objectives were checked; parsing never makes it
    /// (an objective this evaluator does not know is refused).
    Other(String),
    /// Objectives whose output is the raw score (`regression_l1`, `huber`, `fair`,
    /// `quantile`, `mape`, `rank_xendcg`), kept verbatim.
    Identity(String),
    /// `poisson`, `gamma`, `tweedie`: output exp(raw); kept verbatim.
    Exp(String),
    /// A regression objective trained with `reg_sqrt` (`... sqrt`): output sign(raw)·raw².
    SignedSquare(String),
    /// `cross_entropy` (xentropy): output 1 / (1 + exp(−raw)).
    CrossEntropy,
    /// `cross_entropy_lambda` (xentlambda): output log(1 + exp(raw)).
    CrossEntropyLambda,
    /// `multiclass num_class:K` (softmax): outputs softmax(raw_0 .. raw_K−1).
    Multiclass,
    /// `multiclassova num_class:K sigmoid:s` (one-vs-all): output k = 1 / (1 + exp(−s·raw_k)).
    MulticlassOva {
        /// The sigmoid parameter.
        sigmoid: f64,
    },
}

/// Most features a model may have (`max_feature_idx` below it).
pub const MAX_FEATURES: usize = 1 << 31;

/// A LightGBM model read from its text format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtModel {
    /// Number of features (`max_feature_idx + 1`).
    pub num_features: usize,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// The objective.
    pub objective: Objective,
    /// Trees in file order.
    pub trees: Vec<Tree>,
    /// Scores per row (`num_class`: K for multiclass, else 1). Trees cycle through the
    /// classes, tree t adding to class t mod K (LightGBM's `num_tree_per_iteration`). Not in
    /// bundles: their rankers are single-output, so it reads back as 1.
    #[serde(skip, default = "one_class")]
    pub num_class: usize,
    /// Random forests (`boosting=rf`, the `average_output` line): the raw score is still the
    /// sum, but the output is the transform of the mean over iterations (LightGBM's
    /// `Predict`). Not in bundles (their rankers are boosted).
    #[serde(skip)]
    pub average_output: bool,
}

fn one_class() -> usize {
    1
}

/// Most classes a multiclass model may have.
pub const MAX_CLASSES: usize = 10_000;

impl GbdtModel {
    /// Checks that every index in every tree is in range, so evaluation cannot fail.
    pub fn validate(&self, source: &str) -> Result<()> {
        for (t, tree) in self.trees.iter().enumerate() {
            let bad = |m: String| {
                Err(Error::malformed(
                    Location::source(source),
                    format!("Tree={t}: {m}"),
                ))
            };
            let n_int = tree.left_child.len();
            let n_leaves = tree.leaf_value.len();
            if n_leaves == 0 {
                return bad("no leaf values".into());
            }
            if let Some(lin) = &tree.linear {
                if lin.leaf_const.len() != n_leaves
                    || lin.features.len() != n_leaves
                    || lin.coeff.len() != n_leaves
                    || lin
                        .features
                        .iter()
                        .zip(&lin.coeff)
                        .any(|(f, c)| f.len() != c.len())
                {
                    return bad("linear leaves disagree with the leaf count".into());
                }
                if lin
                    .features
                    .iter()
                    .flatten()
                    .any(|&f| f as usize >= self.num_features)
                {
                    return bad("a linear leaf's feature is out of range".into());
                }
            }
            if !tree.leaf_count.is_empty() && tree.leaf_count.len() != n_leaves
                || !tree.internal_count.is_empty() && tree.internal_count.len() != n_int
            {
                return bad("leaf_count/internal_count lengths disagree with the tree".into());
            }
            let st = &tree.stats;
            if [&st.split_gain, &st.internal_value, &st.internal_weight]
                .iter()
                .any(|v| !v.is_empty() && v.len() != n_int)
                || !st.leaf_weight.is_empty() && st.leaf_weight.len() != n_leaves
            {
                return bad("split_gain/internal_value/internal_weight/leaf_weight lengths disagree with the tree".into());
            }
            if n_int == 0 {
                continue;
            }
            if [
                tree.right_child.len(),
                tree.split_feature.len(),
                tree.threshold.len(),
                tree.decision_type.len(),
            ]
            .iter()
            .any(|&l| l != n_int)
                || n_leaves != n_int + 1
            {
                return bad("internal-node arrays and leaf count disagree".into());
            }
            for &c in tree.left_child.iter().chain(&tree.right_child) {
                let ok = if c >= 0 {
                    (c as usize) < n_int && c > 0
                } else {
                    ((!c) as usize) < n_leaves
                };
                if !ok {
                    return bad(format!("child {c} out of range"));
                }
            }
            // A tree: the root is no node's child, every other internal node and every leaf
            // is exactly one node's child. Then no path from the root revisits a node, so
            // prediction and TreeSHAP end (a cycle such as 1 -> 2 -> 1 would loop for ever).
            let mut parents_int = vec![0u8; n_int];
            let mut parents_leaf = vec![0u8; n_leaves];
            for &c in tree.left_child.iter().chain(&tree.right_child) {
                let slot = if c >= 0 {
                    &mut parents_int[c as usize]
                } else {
                    &mut parents_leaf[(!c) as usize]
                };
                *slot = slot.saturating_add(1);
            }
            if parents_int[1..]
                .iter()
                .chain(&parents_leaf)
                .any(|&p| p != 1)
            {
                return bad("child links do not form a tree (a node with no parent or two)".into());
            }
            // One parent each still allows a cycle cut off from the root (1 -> 2 -> 1): walk
            // from the root and require every node reached. The walk ends: a revisit would
            // need a second parent.
            let (mut seen_int, mut seen_leaf, mut stack) = (0usize, 0usize, vec![0i32]);
            while let Some(n) = stack.pop() {
                if n < 0 {
                    seen_leaf += 1;
                } else {
                    seen_int += 1;
                    stack.push(tree.left_child[n as usize]);
                    stack.push(tree.right_child[n as usize]);
                }
            }
            if seen_int != n_int || seen_leaf != n_leaves {
                return bad(format!(
                    "child links do not form a tree: {seen_int} of {n_int} nodes and {seen_leaf} of {n_leaves} leaves reached from the root"
                ));
            }
            if tree
                .split_feature
                .iter()
                .any(|&f| f as usize >= self.num_features)
            {
                return bad("split feature out of range".into());
            }
            if tree
                .cat_boundaries
                .iter()
                .any(|&b| b as usize > tree.cat_threshold.len())
            {
                return bad("categorical boundaries out of range".into());
            }
        }
        Ok(())
    }

    /// The raw scores of every class into `out` (K values): class k sums trees k, k + K,
    /// k + 2K, ... in file order, in f64, as LightGBM's `PredictRaw` does.
    pub fn predict_raw_all(&self, row: &[f64], out: &mut Vec<f64>) {
        let k = self.num_class.max(1);
        out.clear();
        out.resize(k, 0.0);
        for (t, tree) in self.trees.iter().enumerate() {
            out[t % k] += tree.predict(row);
        }
    }

    /// A random forest's iterations (its raw scores are divided by them before the output
    /// transform, as LightGBM's `Predict` does; `predict_raw` is the plain sum there too).
    fn forest_divisor(&self) -> Option<f64> {
        (self.average_output && !self.trees.is_empty())
            .then(|| (self.trees.len() / self.num_class.max(1)) as f64)
    }

    /// The objective's outputs from all raw scores of a row (K values), in place: softmax
    /// for `multiclass` (LightGBM's `Common::Softmax`: subtract the largest, exponentiate,
    /// divide by the sum), the sigmoid per class for `multiclassova`, else [`Self::transform`].
    pub fn transform_all(&self, raw: &mut [f64]) {
        if let Some(d) = self.forest_divisor() {
            for r in raw.iter_mut() {
                *r /= d;
            }
        }
        self.objective.convert_all(raw);
    }

    /// The raw score of a single-output model: Σ trees in file order, in f64 (a random
    /// forest's too: LightGBM's raw score is the sum, its output the mean's transform; for a
    /// multiclass model use [`Self::predict_raw_all`]).
    pub fn predict_raw(&self, row: &[f64]) -> f64 {
        let mut s = 0.0f64;
        for t in &self.trees {
            s += t.predict(row);
        }
        s
    }

    /// The transformed output (the objective's `ConvertOutput` in LightGBM).
    pub fn predict(&self, row: &[f64]) -> f64 {
        self.transform(self.predict_raw(row))
    }

    /// The output of a single-output model's raw score, as LightGBM's `Predict` computes it:
    /// a random forest's mean first, then the objective's `ConvertOutput`.
    pub fn transform(&self, raw: f64) -> f64 {
        self.objective.convert(match self.forest_divisor() {
            Some(d) => raw / d,
            None => raw,
        })
    }
}

impl Objective {
    /// `ConvertOutput` of one row's K scores, in place: softmax for `multiclass` (LightGBM's
    /// `Common::Softmax`: subtract the largest, exponentiate, divide by the sum), else each
    /// score's [`Objective::convert`] (the sigmoid per class for `multiclassova`). The
    /// trainer's validation metric uses it too.
    pub fn convert_all(&self, raw: &mut [f64]) {
        if *self == Objective::Multiclass {
            let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0f64;
            for r in raw.iter_mut() {
                *r = (*r - max).exp();
                sum += *r;
            }
            for r in raw.iter_mut() {
                *r /= sum;
            }
        } else {
            for r in raw.iter_mut() {
                *r = self.convert(*r);
            }
        }
    }

    /// The objective's `ConvertOutput` of one score.
    pub fn convert(&self, raw: f64) -> f64 {
        match *self {
            Objective::Binary { sigmoid } => 1.0 / (1.0 + (-sigmoid * raw).exp()),
            Objective::Exp(_) => raw.exp(),
            Objective::SignedSquare(_) => raw.signum() * raw * raw,
            Objective::CrossEntropy => 1.0 / (1.0 + (-raw).exp()),
            Objective::CrossEntropyLambda => raw.exp().ln_1p(),
            Objective::MulticlassOva { sigmoid } => 1.0 / (1.0 + (-sigmoid * raw).exp()),
            Objective::Regression
            | Objective::LambdaRank
            | Objective::Multiclass
            | Objective::Identity(_)
            | Objective::Other(_) => raw,
        }
    }
}
