//! Offline evaluation of the recommenders on the product's data: popularity, the cohesion
//! rule alone and the factorization model, on a random split of the positives and on a
//! cold-start split that holds out whole brands (scored from their content features only).

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::data::{self, Split};
use super::eval::{evaluate, Metrics};
use super::features::{CsrMatrix, Vocabulary};
use super::model::{FactorModel, Precision};
use super::train::{LightFm, LightFmParams, Loss, TrainData};
use crate::bundle::Bundle;
use crate::error::Result;

/// Settings of the factorization model as the product trains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorSettings {
    /// LightFM hyper-parameters (the product's defaults differ from LightFM's in loss and d).
    pub params: LightFmParams,
    /// Epochs.
    pub epochs: u32,
    /// Threads (1 = deterministic).
    pub num_threads: usize,
    /// Minimum summed interaction points for a pair to be a positive.
    pub min_points: f64,
}

impl Default for FactorSettings {
    fn default() -> Self {
        FactorSettings {
            params: LightFmParams {
                loss: Loss::Warp,
                no_components: 32,
                ..LightFmParams::default()
            },
            epochs: 30,
            num_threads: 1,
            min_points: 1.0,
        }
    }
}

/// Features of the bundle's brands and influencers.
pub struct Features {
    /// Brand features with identity.
    pub user_vocab: Vocabulary,
    /// Brand x feature, identity included.
    pub users: CsrMatrix,
    /// Influencer feature vocabulary.
    pub item_vocab: Vocabulary,
    /// Influencer x feature.
    pub items: CsrMatrix,
    /// Brand rows without identity (cold start), same vocabulary.
    pub users_cold: CsrMatrix,
}

/// Builds the feature matrices for a bundle's tables.
pub fn features(b: &Bundle) -> Result<Features> {
    let mut user_vocab = Vocabulary::default();
    let rows: Vec<Vec<String>> = b
        .brands
        .iter()
        .map(|x| data::brand_features(x, true))
        .collect();
    let users = data::feature_matrix(&mut user_vocab, &rows, true)?;
    let cold_rows: Vec<Vec<String>> = b
        .brands
        .iter()
        .map(|x| data::brand_features(x, false))
        .collect();
    let users_cold = data::feature_matrix(&mut user_vocab, &cold_rows, true)?;
    let mut users = users;
    users.cols = user_vocab.len() as u32;
    let mut item_vocab = Vocabulary::default();
    let irows: Vec<Vec<String>> = b
        .influencers
        .iter()
        .map(|x| data::influencer_features(x, true))
        .collect();
    let items = data::feature_matrix(&mut item_vocab, &irows, true)?;
    Ok(Features {
        user_vocab,
        users,
        item_vocab,
        items,
        users_cold,
    })
}

/// Summed points per (brand, influencer).
pub fn pair_points(b: &Bundle) -> BTreeMap<(u32, u32), f64> {
    b.pair_points
        .iter()
        .map(|p| ((p.brand, p.influencer), p.points))
        .collect()
}

/// Trains the factorization model on `pairs` and packs the inference model.
pub fn train_factor_model(
    f: &Features,
    n_users: u32,
    n_items: u32,
    pairs: &[(u32, u32, f64)],
    s: &FactorSettings,
) -> Result<(LightFm, FactorModel)> {
    let ix = data::interactions(n_users, n_items, pairs);
    let mut m = LightFm::new(s.params.clone())?;
    m.fit(
        TrainData {
            interactions: &ix,
            user_features: &f.users,
            item_features: &f.items,
            sample_weight: None,
        },
        s.epochs,
        s.num_threads,
    )?;
    let fm = pack(&m, f)?;
    Ok((m, fm))
}

/// The inference model of a trained LightFm over these features.
pub fn pack(m: &LightFm, f: &Features) -> Result<FactorModel> {
    let d = m.params.no_components as usize;
    let shape_err = |e: ndarray::ShapeError| crate::error::Error::InvalidParam {
        name: "no_components",
        message: e.to_string(),
    };
    let item_repr = Array2::from_shape_vec(
        (f.items.rows as usize, d + 1),
        m.representations(&f.items, false),
    )
    .map_err(shape_err)?;
    let user_repr = Array2::from_shape_vec(
        (f.users.rows as usize, d + 1),
        m.representations(&f.users, true),
    )
    .map_err(shape_err)?;
    let n_uf = f.user_vocab.len();
    let mut ufr = Array2::<f32>::zeros((n_uf, d + 1));
    for fi in 0..n_uf {
        for j in 0..d {
            ufr[[fi, j]] = (f64::from(m.user.emb[fi * d + j]) * m.user_scale) as f32;
        }
        ufr[[fi, d]] = (f64::from(m.user.bias[fi]) * m.user_scale) as f32;
    }
    Ok(FactorModel {
        no_components: d as u32,
        item_repr,
        user_feature_repr: ufr,
        user_features: f.user_vocab.clone(),
        user_repr,
        normalize: true,
    })
}

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

/// The bundled data as a factorization data set.
pub fn bundled_dataset(
    b: &Bundle,
    min_points: f64,
    seed: u64,
    kind: SplitKind,
) -> Result<MfDataset> {
    let all = data::positives(&pair_points(b), min_points);
    let user_rows: Vec<Vec<String>> = b
        .brands
        .iter()
        .map(|x| data::brand_features(x, true))
        .collect();
    let item_rows: Vec<Vec<String>> = b
        .influencers
        .iter()
        .map(|x| data::influencer_features(x, true))
        .collect();
    dataset_from_rows(&user_rows, &item_rows, &all, kind, seed)
}

fn dataset_from_rows(
    user_rows: &[Vec<String>],
    item_rows: &[Vec<String>],
    pairs: &[(u32, u32, f64)],
    kind: SplitKind,
    seed: u64,
) -> Result<MfDataset> {
    let (rows, s) = split_rows(user_rows, pairs, kind, seed);
    let (mut uv, mut iv) = (Vocabulary::default(), Vocabulary::default());
    let user_features = data::feature_matrix(&mut uv, &rows, true)?;
    let item_features = data::feature_matrix(&mut iv, item_rows, true)?;
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
    let d = m.params.no_components as usize;
    let items = m.representations(&ds.item_features, false);
    let users = m.representations(&ds.user_features, true);
    let fm = FactorModel {
        no_components: d as u32,
        item_repr: Array2::from_shape_vec((ni as usize, d + 1), items).map_err(|e| {
            crate::error::Error::InvalidParam {
                name: "no_components",
                message: e.to_string(),
            }
        })?,
        user_feature_repr: Array2::zeros((0, d + 1)),
        user_features: Vocabulary::default(),
        user_repr: Array2::from_shape_vec((nu as usize, d + 1), users).map_err(|e| {
            crate::error::Error::InvalidParam {
                name: "no_components",
                message: e.to_string(),
            }
        })?,
        normalize: true,
    };
    let train = data::pairs_matrix(nu, ni, &ds.train)?;
    let test = data::pairs_matrix(nu, ni, &ds.test)?;
    Ok(evaluate(
        |u, out| fm.score_all(fm.known_user(u as usize).as_slice().unwrap_or(&[]), out),
        &train,
        &test,
        k,
    ))
}

/// Trains the factorization model on all positives of the bundle and stores it there.
pub fn attach_factor_model(b: &mut Bundle, s: &FactorSettings, precision: Precision) -> Result<()> {
    attach_factor_model_from(b, s, precision, None, 0).map(|_| ())
}

/// What a warm start needs: a trained model's parameters and optimiser state, the
/// hyper-parameters and the feature vocabularies they belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// The hyper-parameters it was trained with.
    pub params: crate::mf::LightFmParams,
    /// Brand feature names, in column order (brand identities included).
    pub user_features: Vec<String>,
    /// Influencer feature names, in column order.
    pub item_features: Vec<String>,
    /// Brand-side parameters.
    pub user: crate::mf::train::SideParams,
    /// Influencer-side parameters.
    pub item: crate::mf::train::SideParams,
}

/// How a factorization model was trained.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// From scratch (`fit`), and why.
    Full(String),
    /// Continued from a previous state (`fit_partial`) for this many epochs.
    Warm(u32),
}

/// Like [`attach_factor_model`], continuing from `warm` with `fit_partial` for `warm_epochs`
/// when its hyper-parameters and vocabularies are the bundle's (LightFM's warm start: the
/// same feature columns must mean the same things), a full fit otherwise. Returns the new
/// state and how it trained.
pub fn attach_factor_model_from(
    b: &mut Bundle,
    s: &FactorSettings,
    precision: Precision,
    warm: Option<&WarmStart>,
    warm_epochs: u32,
) -> Result<(WarmStart, Fit)> {
    let f = features(b)?;
    let pairs = data::positives(&pair_points(b), s.min_points);
    let (n_users, n_items) = (b.brands.len() as u32, b.influencers.len() as u32);
    let reason = match warm {
        None => Some("no trainer state yet".to_string()),
        Some(w) if w.params != s.params => Some("the hyper-parameters changed".into()),
        Some(w) if w.user_features != f.user_vocab.names() => {
            Some("the brands' features changed (a new brand or a new brand feature)".into())
        }
        Some(w) if w.item_features != f.item_vocab.names() => {
            Some("the influencers' features changed".into())
        }
        Some(_) => None,
    };
    let (m, how) = match (warm, reason) {
        (Some(w), None) => {
            let ix = data::interactions(n_users, n_items, &pairs);
            let mut m = LightFm::new(s.params.clone())?;
            m.set_parameters(w.user.clone(), w.item.clone())?;
            m.fit_partial(
                TrainData {
                    interactions: &ix,
                    user_features: &f.users,
                    item_features: &f.items,
                    sample_weight: None,
                },
                warm_epochs,
                s.num_threads,
            )?;
            (m, Fit::Warm(warm_epochs))
        }
        (_, reason) => {
            let (m, _) = train_factor_model(&f, n_users, n_items, &pairs, s)?;
            (m, Fit::Full(reason.unwrap_or_default()))
        }
    };
    let fm = pack(&m, &f)?;
    b.factor = Some(fm.store(precision));
    Ok((
        WarmStart {
            params: s.params.clone(),
            user_features: f.user_vocab.names().to_vec(),
            item_features: f.item_vocab.names().to_vec(),
            user: m.user.clone(),
            item: m.item.clone(),
        },
        how,
    ))
}
