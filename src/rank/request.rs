//! What a ranking is asked for: the brand, the ordering, and what the device adds (a fold-in
//! vector, its own interactions, filters).

use serde::{Deserialize, Serialize};

use crate::catalog::MentionRow;
use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::model::{AccountKind, Brand, Influencer};
use crate::text::{hashtags_in_text, key, normalize_handle, parse_hashtags};

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
            handle: String::new(),
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
    /// Whether a follower or engagement bound admits influencers whose value is unknown.
    /// Off by default: a bound is a promise about the value, and the page says how many it
    /// left out for being unknown and offers to include them ([`Filter::unknown_left_out`]).
    pub include_unknown: bool,
    /// Creators only: leaves out brands' and media's own accounts.
    pub creators_only: bool,
    /// Only accounts whose posts named at least one of these handles (a competitor's, to
    /// find who already works in the field); empty admits everyone.
    #[serde(default)]
    pub worked_with: Vec<String>,
    /// Leaves out accounts whose posts named any of these handles (exclusivity).
    #[serde(default)]
    pub not_worked_with: Vec<String>,
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
        for (name, handles) in [
            ("worked_with", &self.worked_with),
            ("not_worked_with", &self.not_worked_with),
        ] {
            if let Some(h) = handles.iter().find(|h| normalize_handle(h).is_none()) {
                return bad(
                    name,
                    format!(
                        "{h:?} is not an account handle (letters, digits, _ and ., at most 30)"
                    ),
                );
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
        let bound = |value: Option<f64>, ok: &dyn Fn(f64) -> bool| match value {
            Some(v) => ok(v),
            None => self.include_unknown,
        };
        let followers = inf.followers.map(|f| f as f64);
        (countries.is_empty() || countries.contains(&key(&inf.country)))
            && (!self.creators_only || inf.kind == AccountKind::Creator)
            && self
                .min_followers
                .is_none_or(|m| bound(followers, &|f| f >= m as f64))
            && self
                .max_followers
                .is_none_or(|m| bound(followers, &|f| f <= m as f64))
            && self
                .min_engagement
                .is_none_or(|m| bound(inf.engagement_rate, &|r| r >= m))
            && self
                .max_cost
                .is_none_or(|m| inf.cost_per_post.is_some_and(|c| c <= m))
    }

    /// How many of `influencers` this filter leaves out only because a bounded value
    /// (followers, engagement) is unknown: what the page offers to include.
    pub fn unknown_left_out(&self, influencers: &[Influencer]) -> u32 {
        if self.include_unknown {
            return 0;
        }
        let with_unknown = Filter {
            include_unknown: true,
            ..self.clone()
        };
        let countries: Vec<String> = self.countries.iter().map(|c| key(c)).collect();
        influencers
            .iter()
            .filter(|i| with_unknown.admits(i, &countries) && !self.admits(i, &countries))
            .count() as u32
    }

    /// One flag per influencer, or `None` when the filter admits everyone. `mentions` is the
    /// catalog's collaboration evidence (sorted by influencer), which the handle filters read.
    pub(super) fn mask(
        &self,
        influencers: &[Influencer],
        mentions: &[MentionRow],
    ) -> Option<Vec<bool>> {
        if self.is_empty() {
            return None;
        }
        let countries: Vec<String> = self.countries.iter().map(|c| key(c)).collect();
        let mut mask: Vec<bool> = influencers
            .iter()
            .map(|i| self.admits(i, &countries))
            .collect();
        let handles = |v: &[String]| -> Vec<String> {
            v.iter().filter_map(|h| normalize_handle(h)).collect()
        };
        let (with, without) = (handles(&self.worked_with), handles(&self.not_worked_with));
        if !with.is_empty() || !without.is_empty() {
            let mut named_with = vec![false; influencers.len()];
            let mut named_without = vec![false; influencers.len()];
            for m in mentions {
                let i = m.influencer as usize;
                if i < influencers.len() {
                    named_with[i] |= with.contains(&m.handle);
                    named_without[i] |= without.contains(&m.handle);
                }
            }
            for (i, ok) in mask.iter_mut().enumerate() {
                *ok &= (with.is_empty() || named_with[i]) && !named_without[i];
            }
        }
        Some(mask)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn inf(name: &str, followers: Option<u64>, rate: Option<f64>, kind: AccountKind) -> Influencer {
        Influencer {
            name: name.into(),
            followers,
            engagement_rate: rate,
            country: "us".into(),
            kind,
            ..Influencer::default()
        }
    }

    fn admitted(f: &Filter, infs: &[Influencer]) -> Vec<String> {
        let mask = f.mask(infs, &[]).unwrap_or_else(|| vec![true; infs.len()]);
        infs.iter()
            .zip(mask)
            .filter(|(_, m)| *m)
            .map(|(i, _)| i.name.clone())
            .collect()
    }

    #[test]
    fn bounds_leave_unknowns_out_and_count_them_unless_asked() {
        let infs = [
            inf("high", Some(50_000), Some(0.05), AccountKind::Creator),
            inf("low", Some(50_000), Some(0.01), AccountKind::Creator),
            inf("no-likes", Some(50_000), None, AccountKind::Creator),
            inf("no-size", None, Some(0.04), AccountKind::Creator),
        ];
        let f = Filter {
            min_engagement: Some(0.02),
            ..Filter::default()
        };
        assert_eq!(admitted(&f, &infs), ["high", "no-size"]);
        assert_eq!(f.unknown_left_out(&infs), 1);
        let with = Filter {
            include_unknown: true,
            ..f.clone()
        };
        assert_eq!(admitted(&with, &infs), ["high", "no-likes", "no-size"]);
        assert_eq!(with.unknown_left_out(&infs), 0);
        // A follower bound: the unknown size is out and counted; the unknown rate passes.
        let f = Filter {
            min_followers: Some(10_000),
            ..Filter::default()
        };
        assert_eq!(admitted(&f, &infs), ["high", "low", "no-likes"]);
        assert_eq!(f.unknown_left_out(&infs), 1);
        // No bound: unknowns are everyone else's equal.
        assert_eq!(Filter::default().unknown_left_out(&infs), 0);
        assert_eq!(admitted(&Filter::default(), &infs).len(), 4);
    }

    #[test]
    fn creators_only_leaves_out_brand_and_media_accounts() {
        let infs = [
            inf("maker", Some(1_000), Some(0.05), AccountKind::Creator),
            inf("shop", Some(1_000), Some(0.05), AccountKind::Brand),
            inf("news", Some(1_000), Some(0.05), AccountKind::Media),
        ];
        let f = Filter {
            creators_only: true,
            ..Filter::default()
        };
        assert_eq!(admitted(&f, &infs), ["maker"]);
        // Not a bound on a value: nothing is "left out for being unknown".
        assert_eq!(f.unknown_left_out(&infs), 0);
    }
}
