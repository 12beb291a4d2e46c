//! What a ranking answers: recommendations with their reasons, top lists, relationship rows.

use serde::{Deserialize, Serialize};

use super::request::RankBy;
use crate::cohesion::Breakdown;
use crate::model::Brand;
use crate::ranker::Contribution;

/// One recommended influencer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// 1-based rank.
    pub rank: u32,
    /// Influencer id (index into the bundle's influencers).
    pub id: u32,
    /// Influencer name.
    pub name: String,
    /// The score ranked by: cohesion + interaction points.
    pub score: f64,
    /// The cohesion part with its breakdown.
    pub cohesion: Breakdown,
    /// Points from this brand's past interactions with the influencer.
    pub interaction_points: f64,
    /// The factorization model's score ŷ, when the bundle has a model.
    pub model_score: Option<f32>,
    /// The GBDT ranker's raw score, when the bundle has a ranker.
    pub ranker_score: Option<f64>,
    /// Why the ranker scored it so: TreeSHAP contributions, largest first (empty without a
    /// ranker). They sum to `ranker_score` minus the ranking's `ranker_expected`.
    pub contributions: Vec<Contribution>,
}

/// A ranked list for one brand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The brand as it was ranked (a new brand's resolved record).
    pub brand: Brand,
    /// Whether the brand is in the data.
    pub known: bool,
    /// What the list is ordered by (`model` / `ranker` only when the bundle has them).
    pub ranked_by: RankBy,
    /// The ranker's expected score over its training rows (the base of `contributions`).
    pub ranker_expected: Option<f64>,
    /// The top influencers, best first.
    pub recommendations: Vec<Recommendation>,
}

/// A known brand's precomputed top list: what the widget shows where WebAssembly may not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopList {
    /// Brand name.
    pub brand: String,
    /// What the list is ordered by.
    pub ranked_by: RankBy,
    /// Best first.
    pub influencers: Vec<TopEntry>,
}

/// One influencer of a [`TopList`]: what a compact card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    /// Name.
    pub name: String,
    /// Follower count.
    pub followers: u64,
    /// Engagement rate (fraction).
    pub engagement_rate: f64,
    /// Country.
    pub country: String,
    /// Category slug.
    pub category: String,
    /// Cost per post, when known.
    pub cost_per_post: Option<f64>,
    /// The rating (cohesion + interaction points).
    pub score: f64,
}

/// One row of the relationship table: a brand x influencer pair and its rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationshipRow {
    /// Brand name.
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// Cohesion rating.
    pub cohesion: f64,
    /// Summed interaction points.
    pub interaction_points: f64,
    /// cohesion + interaction points.
    pub rating: f64,
}
