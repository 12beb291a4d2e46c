//! Factorization data sets in index form, for side-by-side runs with the reference library
//! (`mf-export`, `mf-bench`, the parity tests): feature matrices and positives split at
//! random or by holding out whole users, and the test metrics of a trained model on them.

use super::data::{self, Split};
use super::eval::{evaluate, Metrics};
use super::features::{self, CsrMatrix, Vocabulary};
use super::model::FactorModel;
use super::train::LightFm;
use crate::error::Result;

/// A factorization data set in index form: the exchange format with the reference library.
#[derive(Debug, Clone)]
pub struct MfDataset {
    /// Users x user features (L1-normalised).
    pub user_features: CsrMatrix,
    /// Items x item features (L1-normalised).
    pub item_features: CsrMatrix,
    /// Training positives.
    pub train: Vec<(u32, u32, f64)>,
    /// Test positives.
    pub test: Vec<(u32, u32, f64)>,
}

/// How a data set's positives are split.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitKind {
    /// A seeded random 80/20 split of the positives.
    Random,
    /// 20 % of the users held out whole; their feature rows lose the identity feature, so
    /// both libraries score them from content features alone.
    ColdStart,
}

fn split_rows(
    user_rows: &[Vec<String>],
    pairs: &[(u32, u32, f64)],
    kind: SplitKind,
    seed: u64,
) -> (Vec<Vec<String>>, Split) {
    let n = user_rows.len() as u32;
    let split = match kind {
        SplitKind::Random => data::random_split(pairs, 0.2, seed),
        SplitKind::ColdStart => data::cold_start_split(pairs, n, 0.2, seed),
    };
    let rows = user_rows
        .iter()
        .enumerate()
        .map(|(u, r)| {
            if split.cold_users.binary_search(&(u as u32)).is_ok() {
                // Identity features come first in every row this crate builds.
                r[1..].to_vec()
            } else {
                r.clone()
            }
        })
        .collect();
    (rows, split)
}

/// A data set from feature rows (names) and positive pairs, split as `kind` says.
pub fn dataset_from_rows(
    user_rows: &[Vec<String>],
    item_rows: &[Vec<String>],
    pairs: &[(u32, u32, f64)],
    kind: SplitKind,
    seed: u64,
) -> Result<MfDataset> {
    let (rows, s) = split_rows(user_rows, pairs, kind, seed);
    let (mut uv, mut iv) = (Vocabulary::default(), Vocabulary::default());
    let user_features = features::feature_matrix(&mut uv, &rows, true)?;
    let item_features = features::feature_matrix(&mut iv, item_rows, true)?;
    Ok(MfDataset {
        user_features,
        item_features,
        train: s.train,
        test: s.test,
    })
}

/// The planted synthetic data set.
pub fn synthetic_dataset(
    p: &super::synthetic::SyntheticParams,
    kind: SplitKind,
) -> Result<MfDataset> {
    let g = super::synthetic::generate(p);
    dataset_from_rows(&g.user_features, &g.item_features, &g.pairs, kind, p.seed)
}

/// Test AUC and precision@k of a trained model on a data set (train positives excluded).
pub fn score_dataset(m: &LightFm, ds: &MfDataset, k: usize) -> Result<Metrics> {
    let (nu, ni) = (ds.user_features.rows, ds.item_features.rows);
    let fm = FactorModel::from_trainer(m, &ds.user_features, &ds.item_features, None, None)?;
    let train = data::pairs_matrix(nu, ni, &ds.train)?;
    let test = data::pairs_matrix(nu, ni, &ds.test)?;
    Ok(evaluate(
        |u, out| fm.score_all(fm.known_user(u as usize).as_slice().unwrap_or(&[]), out),
        &train,
        &test,
        k,
    ))
}
