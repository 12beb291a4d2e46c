//! What a ranking answers: recommendations with their reasons, top lists, relationship rows.

use crate::price::PriceEstimate;
use serde::{Deserialize, Serialize};

use super::request::RankBy;
use crate::cohesion::Breakdown;
use crate::model::Brand;
use crate::ranker::{Contribution, FamilyContribution};

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
    /// The contributions summed by family ([`crate::ranker::families`]), largest first.
    #[serde(default)]
    pub families: Vec<FamilyContribution>,
    /// The median engagement rate of influencers with about as many followers
    /// ([`super::SizeNorms`]); `None` when too few have that size.
    #[serde(default)]
    pub peer_engagement: Option<f64>,
    /// The price per post ([`crate::price`]): listed, or estimated by the bundle's price
    /// models or the rate card; absent only where nothing is known to estimate from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_estimate: Option<PriceEstimate>,
    /// The estimated price per story, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story_price_estimate: Option<PriceEstimate>,
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
    /// How many influencers the filter left out only because a bounded value (followers,
    /// engagement) is unknown ([`super::Filter::unknown_left_out`]).
    #[serde(default)]
    pub unknown_left_out: u32,
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

/// The `format` of a [`TopListFile`].
pub const TOP_LIST_FORMAT: &str = "influence-rec/top-list/1";

/// One published file of top lists: the lists of the brands whose names hash to its name
/// ([`TopList::file_name`]; one brand, bar a 64-bit hash collision), so the widget fetches a
/// few kilobytes for its brand instead of every brand's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopListFile {
    /// Always [`TOP_LIST_FORMAT`].
    pub format: String,
    /// The bundle version the lists were computed from (the manifest's `version`): a reader
    /// refuses a file of another version.
    pub version: String,
    /// The lists, by brand name.
    pub lists: Vec<TopList>,
}

impl TopList {
    /// The file that holds the list of a brand named `brand`: FNV-1a 64 of its comparison key
    /// ([`crate::text::key`], as the catalog matches names), 16 hex digits, `.json`.
    pub fn file_name(brand: &str) -> String {
        let key = crate::text::key(brand);
        format!("{:016x}.json", crate::random::fnv1a64(key.as_bytes()))
    }

    /// Groups `lists` into their files, by file name (sorted, so publishing is deterministic).
    pub fn files(lists: &[TopList], version: &str) -> Vec<(String, TopListFile)> {
        let mut by_file: std::collections::BTreeMap<String, Vec<TopList>> = Default::default();
        for l in lists {
            by_file
                .entry(TopList::file_name(&l.brand))
                .or_default()
                .push(l.clone());
        }
        by_file
            .into_iter()
            .map(|(name, lists)| {
                let file = TopListFile {
                    format: TOP_LIST_FORMAT.into(),
                    version: version.into(),
                    lists,
                };
                (name, file)
            })
            .collect()
    }
}

/// One influencer of a [`TopList`]: what a compact card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    /// Name.
    pub name: String,
    /// Follower count, when known.
    pub followers: Option<u64>,
    /// Engagement rate (fraction), when known.
    pub engagement_rate: Option<f64>,
    /// Country.
    pub country: String,
    /// Category slug.
    pub category: String,
    /// Cost per post, when known.
    pub cost_per_post: Option<f64>,
    /// The price per post, listed or estimated ([`crate::price`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_estimate: Option<PriceEstimate>,
    /// The rating (cohesion + interaction points).
    pub score: f64,
    /// The handles its posts named most recently, as a card shows them (at most
    /// [`WORKED_WITH_SHOWN`]); absent in files published before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worked_with: Vec<WorkedWith>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn list(brand: &str) -> TopList {
        TopList {
            brand: brand.into(),
            ranked_by: RankBy::Ranker,
            influencers: vec![],
        }
    }

    #[test]
    fn a_brand_is_found_under_any_spelling_of_its_name() {
        // The name as the catalog compares it: NFKC, lower case, whitespace collapsed.
        let want = format!("{:016x}.json", crate::random::fnv1a64(b"atlas co"));
        assert_eq!(TopList::file_name("Atlas Co"), want);
        assert_eq!(TopList::file_name("  ATLAS\u{a0}co "), want);
        assert_eq!(TopList::file_name("Ａｔｌａｓ Ｃｏ"), want);
        assert_ne!(TopList::file_name("Atlas Corp"), want);
        let files = TopList::files(&[list("B"), list("Atlas Co"), list("a")], "00ff");
        assert_eq!(files.len(), 3);
        assert!(
            files.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted by file name"
        );
        for (name, f) in &files {
            assert_eq!(
                (f.format.as_str(), f.version.as_str()),
                (TOP_LIST_FORMAT, "00ff")
            );
            assert_eq!(f.lists.len(), 1);
            assert_eq!(&TopList::file_name(&f.lists[0].brand), name);
        }
    }
}

/// How many handles a card (the page's, the widget's) lists under "worked with".
pub const WORKED_WITH_SHOWN: usize = 5;

/// A handle an influencer's posts named, as a card shows it ("worked with").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkedWith {
    /// The handle (normalised, no `@`).
    pub handle: String,
    /// The known brand with that handle, if any.
    pub brand: Option<String>,
    /// Posts that name it.
    pub posts: u32,
    /// Of those, paid posts that credit it.
    pub sponsored_posts: u32,
    /// The day (ISO 8601) of the last such post, empty where posts carry no time.
    pub last_seen: String,
}
