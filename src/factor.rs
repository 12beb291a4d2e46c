//! The product's factorization model: LightFM-style hybrid factorization ([`crate::mf`])
//! trained on a [`Catalog`]'s positives over its content features.
//!
//! Brands are users, influencers are items; both are described by their features (see
//! [`crate::mf::data`]), so a brand that was never trained on gets a vector from its
//! category, country and hashtags. The model is fitted with LightFM's `fit`, or continued
//! with `fit_partial` from a [`WarmStart`] when the hyper-parameters and both feature
//! vocabularies are unchanged.
//!
//! ## What it learns from: the mixing rule
//!
//! This is the one place the rule is defined; [`training_set`] implements it.
//! - **Interactions**: a pair whose summed interaction points reach
//!   [`FactorSettings::min_points`] is a positive of weight 1.
//! - **The relationship table** (the scrape's prior, so a product with no interactions yet
//!   learns from day one): for every known brand b, its [`RelationshipPrior::top`]
//!   influencers by cohesion rating c(b, i) (rating > 0) are positives of weight
//!   `weight · c(b, i) / max_j c(b, j) · 1 / (1 + n_b / fade)`, where n_b is the number of
//!   b's interaction positives: the prior counts fully for a brand without interactions
//!   and fades as the brand's own interactions arrive.
//! - A pair that is both gets both weights, summed. Weights are LightFM's `sample_weight`
//!   (they scale each step's loss).
//!
//! Learning the rule's own top pairs lets the model generalise where the rule needs exact
//! matches: influencers that share hashtags with a brand's top pairs, or a category with its
//! neighbours, are pulled towards the brand through the shared feature embeddings.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::mf::data;
use crate::mf::experiment::{dataset_from_rows, MfDataset, SplitKind};
use crate::mf::{FactorModel, LightFm, LightFmParams, Loss, TrainData, WarmStart};

/// How the relationship table enters training (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RelationshipPrior {
    /// Influencers per brand taken from its cohesion ranking (50; 0 turns the prior off).
    pub top: u32,
    /// Weight of a brand's best pair (1.0).
    pub weight: f32,
    /// Interaction positives at which a brand's prior weight halves (5.0).
    pub fade: f64,
}

impl Default for RelationshipPrior {
    fn default() -> Self {
        RelationshipPrior {
            top: 50,
            weight: 1.0,
            fade: 5.0,
        }
    }
}

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
    /// The relationship table's part.
    pub relationship: RelationshipPrior,
    /// Whether influencers carry an identity feature (`influencer:<name>`, true) or are
    /// described by their content alone (false: an influencer's vector is the sum of its
    /// features' embeddings, so it need not be stored per influencer).
    #[serde(default = "yes")]
    pub item_identity: bool,
}

fn yes() -> bool {
    true
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
            relationship: RelationshipPrior::default(),
            item_identity: true,
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
    /// What it learned from.
    pub sources: Sources,
}

/// Where training pairs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sources {
    /// Pairs from the relationship table only.
    pub relationship: usize,
    /// Pairs from interactions only.
    pub interactions: usize,
    /// Pairs from both.
    pub both: usize,
}

impl Sources {
    /// Every pair.
    pub fn total(&self) -> usize {
        self.relationship + self.interactions + self.both
    }
}

/// Weighted training pairs (see the mixing rule in the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// (brand, influencer, interaction points), sorted by pair.
    pub pairs: Vec<(u32, u32, f64)>,
    /// One sample weight per pair.
    pub weights: Vec<f32>,
    /// How many pairs came from where.
    pub sources: Sources,
}

/// The training set of catalog `c`: `interactions` (brand, influencer, points) and the
/// relationship prior of the brands `prior` admits (all when `None`; evaluation leaves out
/// the brands it treats as never seen), mixed as the module docs say.
pub fn training_set(
    c: &Catalog,
    interactions: &[(u32, u32, f64)],
    prior: Option<&[bool]>,
    s: &FactorSettings,
) -> TrainingSet {
    use std::collections::BTreeMap;
    let nb = c.brands().len();
    let mut n_b = vec![0usize; nb];
    // (points, weight, from the prior, from interactions)
    let mut acc: BTreeMap<(u32, u32), (f64, f64, bool, bool)> = BTreeMap::new();
    for &(b, i, p) in interactions {
        n_b[b as usize] += 1;
        let e = acc.entry((b, i)).or_insert((0.0, 0.0, false, false));
        e.0 += p;
        e.1 += 1.0;
        e.3 = true;
    }
    let r = s.relationship;
    if r.top > 0 && r.weight > 0.0 {
        let index = c.index();
        for (b, brand) in c.brands().iter().enumerate() {
            if prior.is_some_and(|m| !m[b]) {
                continue;
            }
            let scores = index.score_all(&index.prepare_brand(brand));
            // Best first, ties to the lower id (the ranking's own order); only rated pairs.
            let mut ids = crate::topk::top_k(&scores, r.top as usize);
            ids.retain(|&i| scores[i] > 0.0);
            let Some(&best) = ids.first() else { continue };
            let fade = 1.0 / (1.0 + n_b[b] as f64 / r.fade);
            for i in ids {
                let w = f64::from(r.weight) * scores[i] / scores[best] * fade;
                let e = acc
                    .entry((b as u32, i as u32))
                    .or_insert((0.0, 0.0, false, false));
                e.1 += w;
                e.2 = true;
            }
        }
    }
    let mut set = TrainingSet {
        pairs: Vec::with_capacity(acc.len()),
        weights: Vec::with_capacity(acc.len()),
        sources: Sources::default(),
    };
    for ((b, i), (p, w, rel, int)) in acc {
        set.pairs.push((b, i, p));
        set.weights.push(w as f32);
        match (rel, int) {
            (true, true) => set.sources.both += 1,
            (true, false) => set.sources.relationship += 1,
            _ => set.sources.interactions += 1,
        }
    }
    set
}

/// Trains from scratch on `interactions` (brand, influencer, points) of catalog `c` and the
/// relationship prior of the brands `prior` admits.
pub fn fit_pairs(
    c: &Catalog,
    interactions: &[(u32, u32, f64)],
    prior: Option<&[bool]>,
    s: &FactorSettings,
) -> Result<(LightFm, FactorModel)> {
    let set = training_set(c, interactions, prior, s);
    let m = train_on(c, &set, s, None)?;
    let f = c.features_of(s.item_identity)?;
    let fm = FactorModel::from_trainer(&m, &f.users, &f.items, Some(&f.user_vocab))?;
    Ok((m, fm))
}

/// `fit` (or, with `warm`, `fit_partial` for its epochs) on a training set.
fn train_on(
    c: &Catalog,
    set: &TrainingSet,
    s: &FactorSettings,
    warm: Option<(&WarmStart, u32)>,
) -> Result<LightFm> {
    let f = c.features_of(s.item_identity)?;
    if set.pairs.is_empty() {
        return Err(Error::InvalidParam {
            name: "training pairs",
            message: "no interactions and no relationship pairs to learn from".into(),
        });
    }
    let ix = data::interactions(
        c.brands().len() as u32,
        c.influencers().len() as u32,
        &set.pairs,
    );
    let data = TrainData {
        interactions: &ix,
        user_features: &f.users,
        item_features: &f.items,
        sample_weight: Some(&set.weights),
    };
    Ok(match warm {
        Some((w, epochs)) => {
            let mut m = w.trainer()?;
            m.fit_partial(data, epochs, s.num_threads)?;
            m
        }
        None => {
            let mut m = LightFm::new(s.params.clone())?;
            m.fit(data, s.epochs, s.num_threads)?;
            m
        }
    })
}

/// Trains on every interaction positive of `c` and the relationship prior of every brand:
/// continued from `warm` with `fit_partial` for its epochs when the state is compatible
/// (same hyper-parameters and vocabularies), from scratch otherwise, saying why. `None` when
/// there is nothing to learn from (no interactions and no rated pair).
pub fn fit(
    c: &Catalog,
    s: &FactorSettings,
    warm: Option<(&WarmStart, u32)>,
) -> Result<Option<FactorFit>> {
    let f = c.features_of(s.item_identity)?;
    let set = training_set(c, &c.positives(s.min_points), None, s);
    if set.pairs.is_empty() {
        return Ok(None);
    }
    let reason = match warm {
        None => Some("no trainer state yet"),
        Some((w, _)) => w.incompatibility(&s.params, &f.user_vocab, &f.item_vocab),
    };
    let (m, how) = match (warm, reason) {
        (Some((w, epochs)), None) => (train_on(c, &set, s, Some((w, epochs)))?, Fit::Warm(epochs)),
        (_, reason) => (
            train_on(c, &set, s, None)?,
            Fit::Full(reason.unwrap_or_default().to_string()),
        ),
    };
    Ok(Some(FactorFit {
        model: FactorModel::from_trainer(&m, &f.users, &f.items, Some(&f.user_vocab))?,
        state: WarmStart::of(&m, &f.user_vocab, &f.item_vocab),
        how,
        sources: set.sources,
    }))
}

/// The catalog's positives (points >= `min_points`) as a factorization data set split as
/// `kind` says, for the reference-library scripts.
pub fn dataset(c: &Catalog, min_points: f64, seed: u64, kind: SplitKind) -> Result<MfDataset> {
    let (users, items) = c.feature_rows();
    dataset_from_rows(&users, &items, &c.positives(min_points), kind, seed)
}
