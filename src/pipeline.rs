//! The training recipe: a catalog in, a bundle out (pure: no files; the CLI reads the tables
//! and writes what this returns).
//!
//! 1. the factorization model on the relationship table and every interaction positive of
//!    the catalog, mixed as [`crate::factor`] documents ([`crate::factor::fit`]),
//!    warm-started from a previous trainer state when it is compatible;
//! 2. the GBDT ranker on the interaction positives ([`crate::ranker::train::fit`]; it trains its
//!    own history-only factorization model for its `factor_score` feature, so no label
//!    leaks), when enough brands have interactions to learn an order from;
//! 3. the top lists of every known brand from the recommender the bundle makes, so what the
//!    widget's fallback shows is what the engine ranks.
//!
//! A model that cannot be trained (no pairs to learn from, too few brands with
//! interactions) is left out with its reason in the report, never an error: rankings fall
//! back to the best ordering the bundle has (ranker, then model, then the rule).

use crate::bundle::Bundle;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::factor::{FactorSettings, Fit, Sources};
use crate::mf::stored::Precision;
use crate::mf::{FactorModel, WarmStart};
use crate::price::{PriceBasis, PriceModel};
use crate::rank::{Recommender, TopList};
use crate::ranker::train::{RankerReport, RankerSettings};
use crate::ranker::Ranker;

/// How many influencers each precomputed top list holds (the widget's largest `k`; the
/// manifest carries it so the widget need not restate it).
pub const TOP_LIST_LEN: usize = 20;

/// Everything `train` is told.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// The factorization model's settings.
    pub factor: FactorSettings,
    /// The ranker's settings.
    pub ranker: RankerSettings,
    /// Storage of the model's embeddings in the bundle: i8 (per-row scaled; measured test
    /// AUC change +0.0002 on the bundled data, bundle 1.01 MB -> 0.72 MB) or f32.
    pub precision: Precision,
    /// Whether to train the learned models at all (false: the rule alone).
    pub models: bool,
    /// Length of the precomputed top lists.
    pub top_list_len: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            factor: FactorSettings::default(),
            ranker: RankerSettings::default(),
            precision: Precision::I8,
            models: true,
            top_list_len: TOP_LIST_LEN,
        }
    }
}

impl TrainConfig {
    /// The defaults with every seed set to `seed`.
    pub fn seeded(seed: u64) -> TrainConfig {
        TrainConfig {
            factor: FactorSettings::seeded(seed),
            ranker: RankerSettings {
                seed,
                ..RankerSettings::default()
            },
            ..TrainConfig::default()
        }
    }
}

/// What training did, for the CLI to print.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// How the factorization model was trained and what it learned from, when it was.
    pub factor: Option<(Fit, Sources)>,
    /// The ranker's training summary, when it was trained.
    pub ranker: Option<RankerReport>,
    /// Models left out, each with the reason.
    pub left_out: Vec<(&'static str, String)>,
    /// What estimated post prices rest on, and how many profiles list a post cost.
    pub prices: (PriceBasis, usize),
}

/// A trained bundle with what is published beside it.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The bundle.
    pub bundle: Bundle,
    /// Every known brand's top list, by the best ordering the bundle has.
    pub top_lists: Vec<TopList>,
    /// The factorization trainer's state for the next warm start, when a model was trained.
    pub state: Option<WarmStart>,
    /// What was done.
    pub report: TrainReport,
}

/// Trains the learned models on `catalog` as `config` says; `warm` is a previous trainer
/// state and the epochs to continue it for.
pub fn train(
    catalog: Catalog,
    config: &TrainConfig,
    warm: Option<(&WarmStart, u32)>,
) -> Result<Trained> {
    let (mut factor, mut ranker, mut state) = (None, None, None);
    let mut report = TrainReport {
        factor: None,
        ranker: None,
        left_out: Vec::new(),
        prices: (PriceBasis::RateCard, 0),
    };
    // Prices are fitted even with --no-model: they are what a campaign costs, not an ordering.
    let prices = PriceModel::fit(catalog.influencers(), config.ranker.seed)?;
    report.prices = (
        prices.basis(),
        PriceModel::listed_post_costs(catalog.influencers()),
    );
    if config.models {
        match crate::factor::fit(&catalog, &config.factor, warm)? {
            None => report.left_out.push((
                "factorization model",
                "no interactions and no relationship pairs to learn from".into(),
            )),
            Some(fitted) => {
                factor = Some(fitted.model.store(config.precision));
                state = Some(fitted.state);
                report.factor = Some((fitted.how, fitted.sources));
            }
        }
        match crate::ranker::train::untrainable(&catalog, &config.factor, &config.ranker) {
            Some(why) => report.left_out.push(("ranker", why)),
            None => {
                let (stored, r) =
                    crate::ranker::train::fit(&catalog, Some(&config.factor), &config.ranker)?;
                ranker = Some(stored);
                report.ranker = Some(r);
            }
        }
    } else {
        for model in ["factorization model", "ranker"] {
            report.left_out.push((model, "--no-model".into()));
        }
    }
    // Top lists from the models as the browser loads them (int8 embeddings dequantised).
    let loaded_factor = factor
        .as_ref()
        .and_then(|s| FactorModel::load(s, || catalog.item_content()));
    let loaded_ranker = ranker.as_ref().map(Ranker::load).transpose()?;
    let stored_prices = prices.store();
    let rec = Recommender::new(catalog, loaded_factor, loaded_ranker)?.with_prices(prices);
    let top_lists = rec.top_lists(config.top_list_len);
    Ok(Trained {
        bundle: Bundle {
            catalog: rec.into_catalog(),
            factor,
            ranker,
            prices: Some(stored_prices),
        },
        top_lists,
        state,
        report,
    })
}
