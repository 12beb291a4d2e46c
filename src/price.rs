//! Prices per post and per story where the scrape has none.
//!
//! Every influencer with a listed cost or a known follower count gets a [`PriceEstimate`]
//! for a post and for a story: low, typical and high, and the basis they rest on:
//! - `listed`: the catalog's own cost (low = typical = high);
//! - `quantile_model`: where the catalog lists costs for at least [`MIN_KNOWN`] profiles,
//!   three gradient-boosted quantile models (α = 0.1, 0.5, 0.9; LightGBM's
//!   `objective=quantile`, [`crate::gbdt::train`]) of ln(cost) on log₁₀ followers,
//!   engagement, category and country, trained on the profiles that list a cost. A quantile
//!   commutes with the monotone exp, so exp of the predicted quantile of ln(cost) is the
//!   quantile of the cost. Unknown followers or engagement are missing values, which the
//!   trees send down their learned default side, as LightGBM does;
//! - `rate_card`: otherwise, the public rate card by follower tier ([`RATE_CARD`], cited in
//!   the README): typical interpolated log-linearly within the tier, low and high the
//!   tier's bounds. An account whose followers are unknown has no rate-card estimate.
//!
//! A story is estimated by its own models where enough profiles list a story cost, else as
//! the post estimate times the median story/post ratio of the profiles that list both
//! ([`DEFAULT_STORY_RATIO`] when none do).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gbdt::GbdtModel;
use crate::model::Influencer;

/// Listed costs needed before prices are learned rather than read off the rate card.
pub const MIN_KNOWN: usize = 30;

/// The story/post price ratio where no profile lists both (an assumption: the public rate
/// cards give post prices by tier, not story prices).
pub const DEFAULT_STORY_RATIO: f64 = 0.5;

/// Instagram's rate card per post by follower tier: (followers from, to, $ low, $ high).
/// Nano 1K–10K $10–$100, micro 10K–50K $100–$500, mid-tier 50K–500K $500–$5,000, macro
/// 500K–1M $5,000–$10,000, mega 1M+ $10,000 and up (the open top tier is taken to reach
/// $100,000 at 10M followers). Source in the README ("Prices where the scrape has none").
pub const RATE_CARD: [(f64, f64, f64, f64); 5] = [
    (1e3, 1e4, 10.0, 100.0),
    (1e4, 5e4, 100.0, 500.0),
    (5e4, 5e5, 500.0, 5_000.0),
    (5e5, 1e6, 5_000.0, 10_000.0),
    (1e6, 1e7, 10_000.0, 100_000.0),
];

/// What an estimate rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// The catalog lists the cost.
    Listed,
    /// Quantile models trained on the catalog's listed costs.
    QuantileModel,
    /// The public rate card by follower tier.
    RateCard,
}

/// A price in the catalog's currency: a range and its middle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceEstimate {
    /// The low end (10th percentile for a model, the tier's floor for the rate card).
    pub low: f64,
    /// The typical price (median, or the rate card's interpolation).
    pub typical: f64,
    /// The high end (90th percentile, or the tier's ceiling).
    pub high: f64,
    /// What it rests on.
    pub basis: PriceBasis,
}

/// An influencer's estimated prices; `None` where nothing is known to estimate from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceEstimates {
    /// Per post.
    pub post: Option<PriceEstimate>,
    /// Per story.
    pub story: Option<PriceEstimate>,
}

/// The rate card's estimate per post for `followers`, if known.
pub fn rate_card(followers: Option<u64>) -> Option<PriceEstimate> {
    let f = (followers? as f64).max(RATE_CARD[0].0);
    let &(from, to, low, high) = RATE_CARD
        .iter()
        .rev()
        .find(|t| f >= t.0)
        .unwrap_or(&RATE_CARD[0]);
    let t = ((f.ln() - from.ln()) / (to.ln() - from.ln())).clamp(0.0, 1.0);
    Some(PriceEstimate {
        low,
        typical: to_cents(low * (high / low).powf(t)),
        high,
        basis: PriceBasis::RateCard,
    })
}

/// An estimate to the cent, as a price is paid: the planner then books exactly the amount
/// the page shows (it rounds a cost up to its cent, and float noise would add one).
fn to_cents(dollars: f64) -> f64 {
    (dollars * 100.0).round() / 100.0
}

/// The models' features: log₁₀ followers, engagement, category code, country code.
const FEATURES: usize = 4;

/// The price models as the bundle stores them (see the module docs); [`PriceModel::load`]
/// checks them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPrices {
    /// Quantile models of ln(cost per post) at α = 0.1, 0.5, 0.9, where learned.
    pub post: Option<[GbdtModel; 3]>,
    /// Quantile models of ln(cost per story), where learned.
    pub story: Option<[GbdtModel; 3]>,
    /// Median listed story/post price ratio ([`DEFAULT_STORY_RATIO`] where none is listed).
    pub story_ratio: f64,
    /// Category slugs in code order (code = position): ordered by their median listed
    /// ln(cost per post), as LightGBM orders a categorical feature's values by their
    /// statistics before splitting.
    pub categories: Vec<String>,
    /// Country codes in code order, likewise.
    pub countries: Vec<String>,
}

/// Estimates prices (see the module docs): the rate card alone ([`PriceModel::default`]), or
/// with learned quantile models ([`PriceModel::fit`] at train time, [`PriceModel::load`]
/// from a bundle).
#[derive(Debug, Clone)]
pub struct PriceModel {
    stored: StoredPrices,
    categories: HashMap<String, f64>,
    countries: HashMap<String, f64>,
}

impl Default for PriceModel {
    fn default() -> Self {
        PriceModel {
            stored: StoredPrices {
                post: None,
                story: None,
                story_ratio: DEFAULT_STORY_RATIO,
                categories: Vec::new(),
                countries: Vec::new(),
            },
            categories: HashMap::new(),
            countries: HashMap::new(),
        }
    }
}

impl PriceModel {
    /// Checks stored models (tree indices, feature count, a finite positive ratio, distinct
    /// codes) and loads them; `source` names the bundle in errors.
    pub fn load(s: &StoredPrices, source: &str) -> Result<PriceModel> {
        let corrupted = |message: String| Error::Corrupted {
            source_name: source.to_string(),
            message: format!("price models: {message}"),
        };
        for (what, trio) in [("post", &s.post), ("story", &s.story)] {
            for m in trio.iter().flatten() {
                m.validate(source)?;
                if m.num_features != FEATURES {
                    return Err(corrupted(format!(
                        "the {what} models have {} features, expected {FEATURES}",
                        m.num_features
                    )));
                }
            }
        }
        if !(s.story_ratio.is_finite() && s.story_ratio > 0.0) {
            return Err(corrupted(format!(
                "story ratio {} is not a positive number",
                s.story_ratio
            )));
        }
        let index = |what: &str, values: &[String]| -> Result<HashMap<String, f64>> {
            let mut m = HashMap::with_capacity(values.len());
            for (code, v) in values.iter().enumerate() {
                if v.is_empty() || m.insert(v.clone(), code as f64).is_some() {
                    return Err(corrupted(format!(
                        "{what} code {code} {v:?} is empty or repeated"
                    )));
                }
            }
            Ok(m)
        };
        Ok(PriceModel {
            categories: index("category", &s.categories)?,
            countries: index("country", &s.countries)?,
            stored: s.clone(),
        })
    }

    /// What the bundle stores.
    pub fn store(&self) -> StoredPrices {
        self.stored.clone()
    }

    /// What post estimates rest on where the catalog lists no cost.
    pub fn basis(&self) -> PriceBasis {
        if self.stored.post.is_some() {
            PriceBasis::QuantileModel
        } else {
            PriceBasis::RateCard
        }
    }

    /// log₁₀ followers, engagement, category code, country code (NaN where unknown).
    fn features(&self, i: &Influencer) -> [f64; FEATURES] {
        let code = |m: &HashMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(f64::NAN);
        [
            i.followers
                .filter(|&f| f > 0)
                .map_or(f64::NAN, |f| (f as f64).log10()),
            i.engagement_rate.unwrap_or(f64::NAN),
            code(&self.categories, &i.category),
            code(&self.countries, &i.country),
        ]
    }

    /// An influencer's prices (see the module docs).
    pub fn estimate(&self, i: &Influencer) -> PriceEstimates {
        let x = self.features(i);
        let learned = |t: &Option<[GbdtModel; 3]>| t.as_ref().and_then(|t| predict(t, &x));
        let post_estimate = learned(&self.stored.post).or_else(|| rate_card(i.followers));
        let post = listed(i.cost_per_post).or(post_estimate);
        let ratio = self.stored.story_ratio;
        let story = listed(i.cost_per_story).or_else(|| {
            learned(&self.stored.story).or_else(|| {
                post_estimate.map(|p| PriceEstimate {
                    low: to_cents(p.low * ratio),
                    typical: to_cents(p.typical * ratio),
                    high: to_cents(p.high * ratio),
                    basis: p.basis,
                })
            })
        });
        PriceEstimates { post, story }
    }
}

/// exp of the three predicted quantiles of ln(cost), re-sorted: separately fitted quantiles
/// can cross, and their order is the claim. `None` when a prediction is not a finite price
/// (models from a hostile bundle), so the caller falls back to the rate card.
fn predict(trio: &[GbdtModel; 3], x: &[f64]) -> Option<PriceEstimate> {
    let mut q = trio.each_ref().map(|m| to_cents(m.predict_raw(x).exp()));
    if q.iter().any(|v| !v.is_finite()) {
        return None;
    }
    q.sort_by(f64::total_cmp);
    Some(PriceEstimate {
        low: q[0],
        typical: q[1],
        high: q[2],
        basis: PriceBasis::QuantileModel,
    })
}

fn listed(v: Option<f64>) -> Option<PriceEstimate> {
    let c = v.filter(|c| c.is_finite() && *c >= 0.0)?;
    Some(PriceEstimate {
        low: c,
        typical: c,
        high: c,
        basis: PriceBasis::Listed,
    })
}

/// Fitting the price models (it needs the trainer).
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
mod learned {
    use std::collections::HashMap;

    use crate::error::Result;
    use crate::gbdt::train::{train, GbdtParams, ObjectiveKind};
    use crate::gbdt::GbdtModel;
    use crate::model::Influencer;
    use crate::price::{PriceModel, StoredPrices, DEFAULT_STORY_RATIO, FEATURES, MIN_KNOWN};

    /// The quantiles fitted: low, typical, high.
    const ALPHAS: [f64; 3] = [0.1, 0.5, 0.9];

    fn positive(v: Option<f64>) -> Option<f64> {
        v.filter(|&c| c > 0.0 && c.is_finite())
    }

    impl PriceModel {
        /// Fits the catalog's price models: quantile models where at least [`MIN_KNOWN`]
        /// profiles list a cost and some do not (nothing to estimate otherwise), the rate
        /// card alone elsewhere.
        pub fn fit(influencers: &[Influencer], seed: u64) -> Result<PriceModel> {
            let priced: Vec<(&Influencer, f64)> = influencers
                .iter()
                .filter_map(|i| Some((i, positive(i.cost_per_post)?)))
                .collect();
            let mut ratios: Vec<f64> = influencers
                .iter()
                .filter_map(|i| Some(positive(i.cost_per_story)? / positive(i.cost_per_post)?))
                .collect();
            ratios.sort_by(f64::total_cmp);
            let story_ratio = if ratios.is_empty() {
                DEFAULT_STORY_RATIO
            } else {
                ratios[ratios.len() / 2]
            };
            let stored = StoredPrices {
                post: None,
                story: None,
                story_ratio,
                categories: codes(priced.iter().map(|(i, c)| (i.category.as_str(), c.ln()))),
                countries: codes(priced.iter().map(|(i, c)| (i.country.as_str(), c.ln()))),
            };
            let mut m = PriceModel::load(&stored, "<price fit>")?;
            m.stored.post = m.fit_trio(influencers, |i| i.cost_per_post, seed)?;
            m.stored.story = m.fit_trio(influencers, |i| i.cost_per_story, seed)?;
            Ok(m)
        }

        /// How many profiles list a post cost (what the models learn from).
        pub fn listed_post_costs(influencers: &[Influencer]) -> usize {
            influencers
                .iter()
                .filter(|i| positive(i.cost_per_post).is_some())
                .count()
        }

        fn fit_trio(
            &self,
            influencers: &[Influencer],
            cost: fn(&Influencer) -> Option<f64>,
            seed: u64,
        ) -> Result<Option<[GbdtModel; 3]>> {
            let rows: Vec<(&Influencer, f64)> = influencers
                .iter()
                .filter_map(|i| Some((i, positive(cost(i))?)))
                .collect();
            if rows.len() < MIN_KNOWN || rows.len() == influencers.len() {
                return Ok(None);
            }
            let x: Vec<f64> = rows.iter().flat_map(|(i, _)| self.features(i)).collect();
            let y: Vec<f64> = rows.iter().map(|(_, c)| c.ln()).collect();
            let fit = |alpha: f64| {
                let p = GbdtParams {
                    objective: ObjectiveKind::Quantile,
                    alpha,
                    num_iterations: 100,
                    learning_rate: 0.05,
                    num_leaves: 7,
                    min_data_in_leaf: 5,
                    seed,
                    ..GbdtParams::default()
                };
                train(&x, FEATURES, &y, &p)
            };
            Ok(Some([fit(ALPHAS[0])?, fit(ALPHAS[1])?, fit(ALPHAS[2])?]))
        }
    }

    /// The non-empty values in code order: by their median `y` (ties by value).
    fn codes<'a>(pairs: impl Iterator<Item = (&'a str, f64)>) -> Vec<String> {
        let mut by: HashMap<&str, Vec<f64>> = HashMap::new();
        for (k, y) in pairs.filter(|(k, _)| !k.is_empty()) {
            by.entry(k).or_default().push(y);
        }
        let mut medians: Vec<(f64, &str)> = by
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by(f64::total_cmp);
                (v[v.len() / 2], k)
            })
            .collect();
        crate::sorting::sort_by(&mut medians, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        medians.into_iter().map(|(_, k)| k.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Influencer;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn influencer(followers: Option<u64>, cost: Option<f64>) -> Influencer {
        Influencer {
            name: "a".into(),
            followers,
            engagement_rate: Some(0.03),
            country: "US".into(),
            category: "fashion".into(),
            cost_per_post: cost,
            ..Influencer::default()
        }
    }

    #[test]
    fn the_rate_card_follows_the_tiers_and_needs_followers() {
        let e = rate_card(Some(25_000)).expect("estimate");
        assert_eq!(
            (e.low, e.high, e.basis),
            (100.0, 500.0, PriceBasis::RateCard)
        );
        assert!(e.low < e.typical && e.typical < e.high);
        assert_eq!(rate_card(Some(10_000)).map(|e| e.typical), Some(100.0));
        assert_eq!(rate_card(Some(200)).map(|e| e.typical), Some(10.0));
        assert_eq!(
            rate_card(Some(50_000_000)).map(|e| e.typical),
            Some(100_000.0)
        );
        assert_eq!(rate_card(None), None);
        let mut last = 0.0;
        for f in [500, 2_000, 9_999, 10_001, 60_000, 600_000, 2_000_000] {
            let t = rate_card(Some(f)).expect("estimate").typical;
            assert!(t >= last, "{f}: {t} < {last}");
            last = t;
        }
    }

    #[test]
    fn too_few_listed_costs_price_by_the_rate_card_and_listed_costs_stay() {
        let mut cat: Vec<Influencer> = (0..MIN_KNOWN as u64 - 1)
            .map(|k| influencer(Some(10_000 + k * 1000), Some(200.0)))
            .collect();
        cat.push(influencer(Some(20_000), None));
        cat.push(influencer(None, None));
        let m = PriceModel::fit(&cat, 42).expect("fits");
        assert_eq!(m.basis(), PriceBasis::RateCard);
        let e = m.estimate(&cat[MIN_KNOWN - 1]);
        assert_eq!(e.post.map(|p| p.basis), Some(PriceBasis::RateCard));
        // The story: the post estimate at the default ratio (no profile lists a story cost).
        let (post, story) = (e.post.expect("post"), e.story.expect("story"));
        assert_eq!(story.typical, to_cents(post.typical * DEFAULT_STORY_RATIO));
        assert_eq!(
            post.typical,
            to_cents(post.typical),
            "estimates are whole cents"
        );
        assert_eq!(m.estimate(&cat[MIN_KNOWN]).post, None, "unknown followers");
        let listed = m.estimate(&cat[0]).post.expect("listed");
        assert_eq!((listed.typical, listed.basis), (200.0, PriceBasis::Listed));
    }

    #[test]
    fn learned_quantiles_cover_held_out_costs() {
        // Costs grow with followers (log-normal noise): the 10th–90th percentile range of
        // the learned models should hold about 80% of held-out costs, and the median should
        // sit near the middle.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut make = |n: usize| -> Vec<Influencer> {
            (0..n)
                .map(|_| {
                    let f = 10f64.powf(rng.random_range(3.0..6.5));
                    let noise: f64 = (0..4).map(|_| rng.random_range(-0.5..0.5)).sum();
                    influencer(Some(f as u64), Some(0.01 * f * noise.exp()))
                })
                .collect()
        };
        let (mut train_set, test_set) = (make(400), make(400));
        // One profile without a cost: where every profile lists one, nothing is learned.
        train_set.push(influencer(Some(30_000), None));
        let m = PriceModel::fit(&train_set, 42).expect("fits");
        assert_eq!(m.basis(), PriceBasis::QuantileModel);
        let (mut inside, mut below_median) = (0, 0);
        for i in &test_set {
            let unlisted = Influencer {
                cost_per_post: None,
                ..i.clone()
            };
            let e = m.estimate(&unlisted).post.expect("estimate");
            assert_eq!(e.basis, PriceBasis::QuantileModel);
            assert!(e.low <= e.typical && e.typical <= e.high);
            let c = i.cost_per_post.expect("cost");
            inside += usize::from(e.low <= c && c <= e.high);
            below_median += usize::from(c <= e.typical);
        }
        let (inside, below) = (inside as f64 / 400.0, below_median as f64 / 400.0);
        eprintln!("held out: {inside:.3} inside the 10th-90th range, {below:.3} below the median");
        assert!((0.65..=0.92).contains(&inside), "coverage {inside}");
        assert!((0.38..=0.62).contains(&below), "below the median {below}");
        // What the bundle stores estimates the same, bit for bit.
        let loaded = PriceModel::load(&m.store(), "b").expect("loads");
        for i in test_set.iter().take(50) {
            assert_eq!(loaded.estimate(i), m.estimate(i));
        }
        let all_listed = PriceModel::fit(&train_set[..400], 42).expect("fits");
        assert_eq!(
            all_listed.basis(),
            PriceBasis::RateCard,
            "nothing to estimate"
        );
    }

    #[test]
    fn stored_models_that_do_not_fit_are_refused_and_wild_ones_fall_back() {
        let mut cat: Vec<Influencer> = (0..60u64)
            .map(|k| influencer(Some(5_000 + k * 700), Some(50.0 + k as f64)))
            .collect();
        cat.push(influencer(Some(40_000), None));
        let good = PriceModel::fit(&cat, 42).expect("fits").store();
        assert!(good.post.is_some());
        let refused = |s: StoredPrices| PriceModel::load(&s, "x.bundle").unwrap_err().to_string();
        let mut s = good.clone();
        s.story_ratio = f64::NAN;
        assert!(refused(s).contains("story ratio"));
        let mut s = good.clone();
        s.countries = vec!["US".into(), "US".into()];
        assert!(refused(s).contains("repeated"));
        let mut s = good.clone();
        if let Some(t) = &mut s.post {
            t[1].num_features = 9;
        }
        assert!(refused(s).contains("9 features"));
        // Leaves that overflow exp() are no price: the rate card answers instead.
        let mut s = good;
        if let Some(t) = &mut s.post {
            for tree in &mut t[2].trees {
                tree.leaf_value.iter_mut().for_each(|v| *v = 1e6);
            }
        }
        let m = PriceModel::load(&s, "x.bundle").expect("indices are fine");
        let e = m.estimate(&cat[60]).post.expect("estimate");
        assert_eq!(e.basis, PriceBasis::RateCard);
    }
}
