//! Training parameters (LightGBM's names and defaults), the data a fit reads and what it
//! returns.

use super::super::model::{GbdtModel, MAX_CLASSES};
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
    /// Softmax over `num_class` classes, labels 0..K (LightGBM `multiclass`).
    Multiclass,
    /// One-vs-all log loss per class, labels 0..K (LightGBM `multiclassova`, sigmoid 1).
    #[cfg_attr(not(target_arch = "wasm32"), value(name = "multiclassova"))]
    MulticlassOva,
    /// Pinball loss at quantile `alpha` (LightGBM `quantile`): the model predicts the
    /// label's α-quantile given the features.
    Quantile,
}

impl ObjectiveKind {
    /// Parses LightGBM's objective names.
    pub fn parse(s: &str) -> Option<ObjectiveKind> {
        match s {
            "regression" | "l2" => Some(ObjectiveKind::Regression),
            "binary" => Some(ObjectiveKind::Binary),
            "quantile" => Some(ObjectiveKind::Quantile),
            "lambdarank" => Some(ObjectiveKind::LambdaRank),
            "multiclass" | "softmax" => Some(ObjectiveKind::Multiclass),
            "multiclassova" | "multiclass_ova" | "ova" | "ovr" => {
                Some(ObjectiveKind::MulticlassOva)
            }
            _ => None,
        }
    }
}

/// Parameters with LightGBM's names and defaults (differences are noted).
#[derive(Debug, Clone, PartialEq)]
pub struct GbdtParams {
    /// Objective (regression).
    pub objective: ObjectiveKind,
    /// The quantile the `quantile` objective fits, in (0, 1) (0.9).
    pub alpha: f64,
    /// Classes of a multiclass objective (1; must be >= 2 for multiclass and 1 otherwise).
    pub num_class: u32,
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
            alpha: 0.9,
            num_class: 1,
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
        let multiclass = matches!(
            self.objective,
            ObjectiveKind::Multiclass | ObjectiveKind::MulticlassOva
        );
        if multiclass && !(2..=MAX_CLASSES as u32).contains(&self.num_class) {
            return bad(
                "num_class",
                "must be in 2..=10000 for a multiclass objective",
            );
        }
        if !multiclass && self.num_class != 1 {
            return bad("num_class", "must be 1 unless the objective is multiclass");
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return bad("alpha", "must be in (0, 1)");
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
    pub(super) fn check(&self, p: &GbdtParams, name: &'static str) -> Result<()> {
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
            ObjectiveKind::Multiclass | ObjectiveKind::MulticlassOva => {
                let k = p.num_class as f64;
                match self
                    .y
                    .iter()
                    .find(|&&v| !(v >= 0.0 && v.fract() == 0.0 && v < k))
                {
                    Some(v) => fail(format!(
                        "multiclass labels must be integers in 0..{k}, found {v}"
                    )),
                    None => Ok(()),
                }
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
