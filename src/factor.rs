//! The product's factorization model: LightFM-style hybrid factorization ([`crate::mf`])
//! trained on a [`Catalog`]'s positives over its content features.
//!
//! Brands are users, influencers are items; both are described by their features (see
//! [`crate::mf::data`]), so a brand that was never trained on gets a vector from its
//! category, country and hashtags. A positive is a pair whose summed interaction points reach
//! [`FactorSettings::min_points`]; the model is fitted with LightFM's `fit`, or continued
//! with `fit_partial` from a [`WarmStart`] when the hyper-parameters and both feature
//! vocabularies are unchanged.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::mf::data;
use crate::mf::experiment::{dataset_from_rows, MfDataset, SplitKind};
use crate::mf::{FactorModel, LightFm, LightFmParams, Loss, TrainData, WarmStart};

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

impl FactorSettings {
    /// The defaults with every seed set to `seed`.
    pub fn seeded(seed: u64) -> FactorSettings {
        let mut s = FactorSettings::default();
        s.params.random_state = seed;
        s
    }
}

/// How a factorization model was trained.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// From scratch (`fit`), and why.
    Full(String),
    /// Continued from a previous state (`fit_partial`) for this many epochs.
    Warm(u32),
}

/// A trained factorization model with the state a later warm start continues from.
#[derive(Debug, Clone)]
pub struct FactorFit {
    /// The inference model.
    pub model: FactorModel,
    /// The trainer's state.
    pub state: WarmStart,
    /// How it was trained.
    pub how: Fit,
}

/// Trains on `pairs` (brand, influencer, points) of catalog `c` from scratch.
pub fn fit_pairs(
    c: &Catalog,
    pairs: &[(u32, u32, f64)],
    s: &FactorSettings,
) -> Result<(LightFm, FactorModel)> {
    let f = c.features()?;
    let ix = data::interactions(c.brands().len() as u32, c.influencers().len() as u32, pairs);
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
    let fm = FactorModel::from_trainer(&m, &f.users, &f.items, Some(&f.user_vocab))?;
    Ok((m, fm))
}

/// Trains on every positive of `c`: continued from `warm` with `fit_partial` for its epochs
/// when the state is compatible (same hyper-parameters and vocabularies), from scratch
/// otherwise, saying why.
pub fn fit(c: &Catalog, s: &FactorSettings, warm: Option<(&WarmStart, u32)>) -> Result<FactorFit> {
    let f = c.features()?;
    let pairs = c.positives(s.min_points);
    let reason = match warm {
        None => Some("no trainer state yet"),
        Some((w, _)) => w.incompatibility(&s.params, &f.user_vocab, &f.item_vocab),
    };
    let (m, how) = match (warm, reason) {
        (Some((w, epochs)), None) => {
            let ix = data::interactions(
                c.brands().len() as u32,
                c.influencers().len() as u32,
                &pairs,
            );
            let mut m = w.trainer()?;
            m.fit_partial(
                TrainData {
                    interactions: &ix,
                    user_features: &f.users,
                    item_features: &f.items,
                    sample_weight: None,
                },
                epochs,
                s.num_threads,
            )?;
            (m, Fit::Warm(epochs))
        }
        (_, reason) => {
            let (m, _) = fit_pairs(c, &pairs, s)?;
            (m, Fit::Full(reason.unwrap_or_default().to_string()))
        }
    };
    Ok(FactorFit {
        model: FactorModel::from_trainer(&m, &f.users, &f.items, Some(&f.user_vocab))?,
        state: WarmStart::of(&m, &f.user_vocab, &f.item_vocab),
        how,
    })
}

/// The catalog's positives (points >= `min_points`) as a factorization data set split as
/// `kind` says, for the reference-library scripts.
pub fn dataset(c: &Catalog, min_points: f64, seed: u64, kind: SplitKind) -> Result<MfDataset> {
    let (users, items) = c.feature_rows();
    dataset_from_rows(&users, &items, &c.positives(min_points), kind, seed)
}
