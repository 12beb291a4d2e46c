//! The training recipe: a catalog in, a bundle out (pure: no files; the CLI reads the tables
//! and writes what this returns).
//!
//! 1. the factorization model on the relationship table and every interaction positive of
//!    the catalog, mixed as [`crate::factor`] documents ([`crate::factor::fit`]),
//!    warm-started from a previous trainer state when it is compatible;
//! 2. the GBDT ranker on the interaction positives ([`crate::ranker::train::fit`]; it trains its
//!    own history-only factorization model for its `factor_score` feature, so no label
//!    leaks), when enough brands have interactions to learn an order from;
//! 3. the default ordering ([`crate::evaluation::choose_ordering`]): the evidence of folds of
//!    brands (mentions, brand-name hashtags, interactions) is hidden in turn, the models are
//!    trained again on the rest, and a learned ordering is the default only when it finds
//!    the hidden evidence better than the rating by more than the measurement's noise; with
//!    too little evidence to tell, the rating;
//! 4. the top lists of every known brand from the recommender the bundle makes, by that
//!    default, so what the widget's fallback shows is what the engine ranks.
//!
//! A model that cannot be trained (no pairs to learn from, too few brands with
//! interactions) is left out with its reason in the report, never an error: rankings fall
//! back to the best ordering the bundle has (ranker, then model, then the rule).

use crate::bundle::Bundle;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::evaluation::{MentionEval, SelectionParams};
use crate::factor::{FactorSettings, Fit, Sources};
use crate::mf::stored::Precision;
use crate::mf::{FactorModel, WarmStart};
use crate::price::{PriceBasis, PriceModel};
use crate::rank::{Basis, OrderingChoice, Recommender, TopList};
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
    /// How the default ordering is chosen.
    pub selection: SelectionParams,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            factor: FactorSettings::default(),
            ranker: RankerSettings::default(),
            precision: Precision::I8,
            models: true,
            top_list_len: TOP_LIST_LEN,
            selection: SelectionParams::default(),
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
    /// The default ordering and what it rests on.
    pub ordering: OrderingChoice,
    /// The held-out evaluation it was chosen on, when one ran.
    pub ordering_eval: Option<MentionEval>,
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
        ordering: OrderingChoice::rating(Basis::NoLearnedOrdering, 0, 0, 0),
        ordering_eval: None,
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
        if factor.is_some() || ranker.is_some() {
            let (choice, eval) = crate::evaluation::choose_ordering(
                &catalog,
                &config.factor,
                &config.ranker,
                &config.selection,
                config.ranker.seed,
            )?;
            report.ordering = choice;
            report.ordering_eval = eval;
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
    let rec = Recommender::new(catalog, loaded_factor, loaded_ranker)?
        .with_prices(prices)
        .with_ordering(Some(report.ordering.clone()));
    let top_lists = rec.top_lists(config.top_list_len);
    Ok(Trained {
        bundle: Bundle {
            catalog: rec.into_catalog(),
            factor,
            ranker,
            prices: Some(stored_prices),
            ordering: Some(report.ordering.clone()),
        },
        top_lists,
        state,
        report,
    })
}

// The catalogs come from the generator, which is native only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::rank::RankBy;

    fn quick() -> TrainConfig {
        let mut config = TrainConfig::seeded(3);
        config.factor.epochs = 5;
        config
    }

    #[test]
    fn the_default_ordering_is_measured_travels_in_the_bundle_and_orders_the_top_lists() {
        let c = crate::catalog::tests::generated_catalog();
        let t = train(c, &quick(), None).unwrap();
        let o = &t.report.ordering;
        assert_eq!(o.basis, Basis::Measured);
        assert!(o.targets >= 10 && t.report.ordering_eval.is_some());
        assert_eq!(o.figures[0].by, RankBy::Rating);
        assert!(o.figures_of(RankBy::Model).is_some(), "{o:?}");
        // The default is the rating unless a learned ordering cleared its noise.
        let cleared = |by: RankBy| {
            o.figures_of(by)
                .is_some_and(|f| f.gain > 0.0 && f.gain > quick().selection.z * f.gain_se)
        };
        assert_eq!(
            o.by == RankBy::Rating,
            !cleared(RankBy::Model) && !cleared(RankBy::Ranker)
        );
        for l in &t.top_lists {
            assert_eq!(l.ranked_by, o.by);
        }
        let bytes = crate::bundle::write(&t.bundle).unwrap();
        let (_, back) = crate::bundle::read(&bytes, "b").unwrap();
        assert_eq!(back.ordering.as_ref(), Some(o));
        assert_eq!(back.recommender("b").unwrap().default_by(), o.by);

        // A bundle whose choice no train writes is refused on load, by name.
        let mut bad = t.bundle.clone();
        bad.ordering = Some(OrderingChoice {
            by: RankBy::Ranker,
            ..OrderingChoice::rating(Basis::TooLittleEvidence, 0, 0, 10)
        });
        let bytes = crate::bundle::write(&bad).unwrap();
        match crate::bundle::read(&bytes, "hostile.bundle") {
            Err(Error::Corrupted {
                source_name,
                message,
            }) => {
                assert_eq!(source_name, "hostile.bundle");
                assert!(message.contains("default ordering"), "{message}");
            }
            other => panic!("expected Corrupted, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn with_too_little_evidence_or_no_model_the_default_is_the_rating() {
        let mut tables = crate::catalog::tests::generated_catalog().into_tables();
        // Five brands keep their interactions: too few to measure on.
        tables.pair_points.retain(|p| p.brand < 5);
        let c = Catalog::from_tables(tables, "t").unwrap();
        let t = train(c.clone(), &quick(), None).unwrap();
        let o = &t.report.ordering;
        assert_eq!((o.by, o.basis), (RankBy::Rating, Basis::TooLittleEvidence));
        assert_eq!((o.targets, o.needed), (5, 10));
        assert!(t.report.ordering_eval.is_none());
        assert!(o.sentence().contains("5 brands"));
        let config = TrainConfig {
            models: false,
            ..quick()
        };
        let t = train(c, &config, None).unwrap();
        assert_eq!(t.report.ordering.basis, Basis::NoLearnedOrdering);
        assert_eq!(
            t.bundle.ordering.as_ref().map(|o| o.by),
            Some(RankBy::Rating)
        );
    }
}
