//! What a ranking is asked for: the brand, the ordering, and what the device adds (a fold-in
//! vector, its own interactions, filters).

use serde::{Deserialize, Serialize};

use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::model::{Brand, Influencer};
use crate::text::{hashtags_in_text, key, parse_hashtags};

/// A brand that is not in the data, described by what the user typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewBrand {
    /// Display name.
    pub name: String,
    /// Category name or slug; empty to infer it from the description.
    pub category: String,
    /// Country.
    pub country: String,
    /// Hashtags in any accepted shape (`"#a #b"`, `"a, b"`, ...).
    pub hashtags: String,
    /// Free-text description; its `#tags` count as hashtags.
    pub description: String,
}

impl NewBrand {
    /// Resolves the description into a brand record: the category is the named one when the
    /// lexicon knows it, else the one inferred from description and hashtags (empty if none).
    pub fn resolve(&self, lexicon: &Lexicon) -> Brand {
        let mut hashtags = parse_hashtags(&self.hashtags);
        for t in hashtags_in_text(&self.description) {
            if !hashtags.contains(&t) {
                hashtags.push(t);
            }
        }
        let category = lexicon.resolve(&self.category).unwrap_or_else(|| {
            let text = format!("{} {}", self.description, self.hashtags);
            lexicon.infer(&text).map(|i| i.slug).unwrap_or_default()
        });
        // The country as an ISO code when the text names one (the built-in table, the same
        // natively and in the browser), else as typed.
        let country = crate::places::Places::builtin()
            .resolve(&self.country)
            .unwrap_or_else(|| self.country.trim().to_string());
        Brand {
            name: self.name.trim().to_string(),
            category,
            country,
            hashtags,
            followers: 0,
            description: self.description.clone(),
        }
    }
}

/// What a list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    /// The rating: cohesion + the brand's interaction points (the product's rule).
    #[default]
    Rating,
    /// The factorization model's score (falls back to the rating without a model).
    Model,
    /// The two-stage pipeline: rule and model propose candidates, the GBDT ranker orders
    /// them (falls back to the model, then the rating, when the bundle lacks them).
    Ranker,
}

impl RankBy {
    /// Parses `rating`, `model` or `ranker`.
    pub fn parse(s: &str) -> Option<RankBy> {
        match s {
            "rating" => Some(RankBy::Rating),
            "model" => Some(RankBy::Model),
            "ranker" => Some(RankBy::Ranker),
            _ => None,
        }
    }
}

/// Which influencers a list may show (the page's filters); an empty filter admits all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Countries, compared by [`key`]; empty admits every country.
    pub countries: Vec<String>,
    /// Fewest followers.
    pub min_followers: Option<u64>,
    /// Most followers.
    pub max_followers: Option<u64>,
    /// Lowest engagement rate, as a fraction (0.02 = 2 %).
    pub min_engagement: Option<f64>,
    /// Highest cost per post. When set, influencers whose cost is unknown are left out: a
    /// budget filter cannot vouch for them.
    pub max_cost: Option<f64>,
}

impl Filter {
    /// Refuses bounds that are negative, not finite, or inverted.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidParam { name, message });
        if let (Some(lo), Some(hi)) = (self.min_followers, self.max_followers) {
            if lo > hi {
                return bad("max_followers", format!("{hi} is below min_followers {lo}"));
            }
        }
        for (name, v) in [
            ("min_engagement", self.min_engagement),
            ("max_cost", self.max_cost),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return bad(name, format!("must be a finite number >= 0, got {v}"));
            }
        }
        Ok(())
    }

    pub(super) fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether `inf` passes; `countries` are this filter's countries as keys.
    pub(super) fn admits(&self, inf: &Influencer, countries: &[String]) -> bool {
        (countries.is_empty() || countries.contains(&key(&inf.country)))
            && self.min_followers.is_none_or(|m| inf.followers >= m)
            && self.max_followers.is_none_or(|m| inf.followers <= m)
            && self.min_engagement.is_none_or(|m| inf.engagement_rate >= m)
            && self
                .max_cost
                .is_none_or(|m| inf.cost_per_post.is_some_and(|c| c <= m))
    }

    /// One flag per influencer, or `None` when the filter admits everyone.
    pub(super) fn mask(&self, influencers: &[Influencer]) -> Option<Vec<bool>> {
        if self.is_empty() {
            return None;
        }
        let countries: Vec<String> = self.countries.iter().map(|c| key(c)).collect();
        Some(
            influencers
                .iter()
                .map(|i| self.admits(i, &countries))
                .collect(),
        )
    }
}

/// What a ranking request adds to the brand: the ordering, a fold-in vector, the device's own
/// interactions and the filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankRequest {
    /// What the list is ordered by.
    pub by: RankBy,
    /// Overrides the brand's model vector (e.g. after fold-in of its newest interactions).
    pub vector: Option<Vec<f32>>,
    /// Points of interactions recorded on the device and not yet in the bundle, as
    /// (influencer id, points); they add to the rating like the bundle's own points.
    pub local_points: Vec<(u32, f64)>,
    /// Which influencers may be shown.
    pub filter: Filter,
}

/// Whom a list is for.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// A known brand, by name (compared by [`key`]).
    Known(&'a str),
    /// A brand described by its features ([`NewBrand::resolve`]). A name that matches a
    /// known brand still ranks by the described features: the user asked about this
    /// description.
    New(&'a Brand),
}
