//! Arguments shared by several commands. Every default comes from the one `Default` impl of
//! the settings it fills (`default_value_t = GbdtParams::default().num_leaves`), so a default
//! changes in one place.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cohesion::CohesionWeights;
use crate::error::Result;
use crate::factor::{FactorSettings, ItemIdentity, RelationshipPrior};
use crate::gbdt::train::{GbdtParams, ObjectiveKind};
use crate::mf::{LightFmParams, Loss, Parallelism};
use crate::random::DEFAULT_SEED;
use crate::ranker::train::{RankerSettings, TrainingPairs};

/// What the accounts of an import are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Influencers (influencers.csv).
    Influencers,
    /// Brands (brands.csv).
    Brands,
}

/// The factorization model's settings on the command line.
#[derive(Debug, Args)]
pub struct FactorArgs {
    /// Factorization loss.
    #[arg(long, value_enum, default_value_t = FactorSettings::default().params.loss)]
    pub loss: Loss,
    /// Embedding dimension.
    #[arg(long, default_value_t = FactorSettings::default().params.no_components)]
    pub no_components: u32,
    /// Training epochs.
    #[arg(long, default_value_t = FactorSettings::default().epochs)]
    pub epochs: u32,
    /// Adagrad learning rate.
    #[arg(long, default_value_t = FactorSettings::default().params.learning_rate)]
    pub learning_rate: f32,
    /// Training threads.
    #[arg(long, default_value_t = FactorSettings::default().num_threads)]
    pub threads: usize,
    /// How several threads train: merge (per-thread copies, deterministic) or hogwild.
    #[arg(long, value_enum, default_value_t = Parallelism::default())]
    pub parallel: Parallelism,
    /// Relationship-table positives per brand (its top pairs by cohesion; 0: none).
    #[arg(long, default_value_t = RelationshipPrior::default().top)]
    pub relationship_top: u32,
    /// Interaction positives at which a brand's relationship prior weight halves.
    #[arg(long, default_value_t = RelationshipPrior::default().fade)]
    pub relationship_fade: f64,
    /// Influencer identity features (`influencer:<name>`): `auto` gives them to catalogs of
    /// up to 25,000 influencers; above, influencers are described by their content alone and
    /// the bundle stores feature embeddings instead of one vector per influencer.
    #[arg(long, value_enum, default_value_t = ItemIdentity::default())]
    pub item_identity: ItemIdentity,
}

impl FactorArgs {
    /// The settings these arguments give, seeded with `seed`.
    pub fn settings(&self, seed: u64) -> FactorSettings {
        let d = FactorSettings::default();
        FactorSettings {
            params: LightFmParams {
                loss: self.loss,
                no_components: self.no_components,
                learning_rate: self.learning_rate,
                random_state: seed,
                ..d.params
            },
            epochs: self.epochs,
            num_threads: self.threads,
            relationship: RelationshipPrior {
                top: self.relationship_top,
                fade: self.relationship_fade,
                ..d.relationship
            },
            item_identity: self.item_identity,
            ..d
        }
    }
}

/// Which pairs the ranker trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PairsArg {
    /// Labels, the proposers' top `--ranker-top` and `--ranker-random` random influencers.
    Sampled,
    /// Every brand x influencer pair (grows with both; for comparison on small catalogs).
    Every,
}

fn default_sample() -> (u32, u32) {
    match TrainingPairs::default() {
        TrainingPairs::Sampled { top, random } => (top, random),
        TrainingPairs::Every => (0, 0),
    }
}

/// The ranker's training table on the command line.
#[derive(Debug, Args)]
pub struct RankerArgs {
    /// Which pairs make a brand's training query.
    #[arg(long, value_enum, default_value_t = match TrainingPairs::default() {
        TrainingPairs::Every => PairsArg::Every,
        TrainingPairs::Sampled { .. } => PairsArg::Sampled,
    })]
    pub ranker_pairs: PairsArg,
    /// Sampled queries: influencers the rule and the factorization model each add.
    #[arg(long, default_value_t = default_sample().0)]
    pub ranker_top: u32,
    /// Sampled queries: random influencers per brand.
    #[arg(long, default_value_t = default_sample().1)]
    pub ranker_random: u32,
}

impl RankerArgs {
    /// The settings these arguments give, seeded with `seed`.
    pub fn settings(&self, seed: u64) -> RankerSettings {
        RankerSettings {
            seed,
            pairs: match self.ranker_pairs {
                PairsArg::Every => TrainingPairs::Every,
                PairsArg::Sampled => TrainingPairs::Sampled {
                    top: self.ranker_top,
                    random: self.ranker_random,
                },
            },
            ..RankerSettings::default()
        }
    }
}

/// The cohesion rule's weights on the command line.
#[derive(Debug, Args)]
pub struct WeightArgs {
    /// Cohesion points for the same category.
    #[arg(long, default_value_t = CohesionWeights::default().category)]
    pub w_category: f64,
    /// Cohesion points for the same country.
    #[arg(long, default_value_t = CohesionWeights::default().location)]
    pub w_location: f64,
    /// Cohesion points per shared hashtag.
    #[arg(long, default_value_t = CohesionWeights::default().hashtag)]
    pub w_hashtag: f64,
    /// Multiplier of the engagement rate.
    #[arg(long, default_value_t = CohesionWeights::default().engagement)]
    pub w_engagement: f64,
}

impl WeightArgs {
    /// The weights.
    pub fn weights(&self) -> CohesionWeights {
        CohesionWeights {
            category: self.w_category,
            location: self.w_location,
            hashtag: self.w_hashtag,
            engagement: self.w_engagement,
        }
    }
}

/// LightGBM parameters on the command line (names and defaults from [`GbdtParams`]).
#[derive(Debug, Args)]
pub struct GbdtArgs {
    /// Objective.
    #[arg(long, value_enum, default_value_t = GbdtParams::default().objective)]
    pub objective: ObjectiveKind,
    /// The quantile the `quantile` objective fits, in (0, 1).
    #[arg(long, default_value_t = GbdtParams::default().alpha)]
    pub alpha: f64,
    /// Classes of a multiclass objective (labels 0..K).
    #[arg(long, default_value_t = GbdtParams::default().num_class)]
    pub num_class: u32,
    /// Boosting rounds.
    #[arg(long, default_value_t = GbdtParams::default().num_iterations)]
    pub num_iterations: u32,
    /// Leaves per tree.
    #[arg(long, default_value_t = GbdtParams::default().num_leaves)]
    pub num_leaves: u32,
    /// Shrinkage.
    #[arg(long, default_value_t = GbdtParams::default().learning_rate)]
    pub learning_rate: f64,
    /// Maximum depth (<= 0: none).
    #[arg(long, default_value_t = GbdtParams::default().max_depth, allow_negative_numbers = true)]
    pub max_depth: i32,
    /// Minimum rows per leaf.
    #[arg(long, default_value_t = GbdtParams::default().min_data_in_leaf)]
    pub min_data_in_leaf: u32,
    /// Fraction of features per tree.
    #[arg(long, default_value_t = GbdtParams::default().feature_fraction)]
    pub feature_fraction: f64,
    /// Fraction of rows per bag.
    #[arg(long, default_value_t = GbdtParams::default().bagging_fraction)]
    pub bagging_fraction: f64,
    /// Re-draw the bag every this many rounds (0: no bagging).
    #[arg(long, default_value_t = GbdtParams::default().bagging_freq)]
    pub bagging_freq: u32,
    /// Rounds without validation improvement before stopping (0: never).
    #[arg(long, default_value_t = GbdtParams::default().early_stopping_round)]
    pub early_stopping_round: u32,
    /// Threads (0: all cores).
    #[arg(long, default_value_t = GbdtParams::default().num_threads)]
    pub num_threads: u32,
    /// Seed.
    #[arg(long, default_value_t = GbdtParams::default().seed)]
    pub seed: u64,
}

impl GbdtArgs {
    /// The parameters, validated.
    pub fn params(&self) -> Result<GbdtParams> {
        let p = GbdtParams {
            objective: self.objective,
            alpha: self.alpha,
            num_class: self.num_class,
            num_iterations: self.num_iterations,
            num_leaves: self.num_leaves,
            learning_rate: self.learning_rate,
            max_depth: self.max_depth,
            min_data_in_leaf: self.min_data_in_leaf,
            feature_fraction: self.feature_fraction,
            bagging_fraction: self.bagging_fraction,
            bagging_freq: self.bagging_freq,
            early_stopping_round: self.early_stopping_round,
            num_threads: self.num_threads,
            seed: self.seed,
            ..GbdtParams::default()
        };
        p.validate()?;
        Ok(p)
    }
}

/// A data folder and a seed: what most commands that train start from.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data folder with influencers.csv, brands.csv and interactions.csv.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Seed of the splits and the learned models.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}
