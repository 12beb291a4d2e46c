//! The learned ranker: gradient-boosted trees (LambdaMART) over brand x influencer pair
//! features, re-ranking the candidates that the cohesion rule and the factorization model
//! propose. Pure: no files, no JS.
//!
//! Features of a pair (b, i), in [`FEATURE_NAMES`] order:
//! - the cohesion rating itself (trees approximate a sum of terms only with many splits;
//!   over six evaluation seeds adding it lifted the pipeline's NDCG@10 from 0.0638 to 0.0672
//!   on the random split and from 0.2122 to 0.2397 on the cold-start split) and its inputs:
//!   same category, same location, shared hashtags, the influencer's engagement rate;
//! - influencer stats: followers, mean likes, cost per post (missing when unknown), number
//!   of hashtags;
//! - brand stats: followers (missing for a new brand), number of hashtags;
//! - the factorization score ŷ(b, i) (missing without a model);
//! - history from interactions and collaboration evidence, as percentiles so that a model
//!   trained on part of the history reads the whole of it on the same scale: the
//!   influencer's share of brands and of points among influencers, and the brand's activity
//!   among brands (missing for a brand without history);
//! - collaboration evidence from the influencer's posts, the query brand's own excluded
//!   ([`evidence`]): known brands named, of them brands of the query brand's category,
//!   handles named, paid posts.
//!
//! Counts enter raw, not as logarithms: trees only compare a feature with thresholds, so a
//! monotone transform changes nothing but the platform's rounding (`log10` in wasm and in
//! glibc differ in the last bit, and the browser must rank exactly as the native build).
//!
//! Training lives in [`train`]; this module only computes features and evaluates the model.

pub mod evidence;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod train;

pub use evidence::Evidence;

use serde::{Deserialize, Serialize};

use crate::cohesion::{CohesionIndex, PreparedBrand};
use crate::error::{Error, Result};
use crate::gbdt::{FlatForest, GbdtModel};
use crate::model::{Brand, Influencer};

/// Feature names, in column order (also the model file's `feature_names`).
pub const FEATURE_NAMES: [&str; 19] = [
    "cohesion",
    "category_match",
    "location_match",
    "shared_hashtags",
    "engagement_rate",
    "followers",
    "mean_likes",
    "cost_per_post",
    "influencer_hashtags",
    "brand_followers",
    "brand_hashtags",
    "factor_score",
    "influencer_brands_pct",
    "influencer_points_pct",
    "brand_activity_pct",
    "brands_named",
    "category_brands_named",
    "handles_named",
    "sponsored_posts",
];

/// Number of features.
pub const NUM_FEATURES: usize = FEATURE_NAMES.len();

/// The pair features [`pair_features`] computes before the evidence ones.
const BASE_FEATURES: usize = 15;
const _: () = assert!(BASE_FEATURES + evidence::EVIDENCE_FEATURES == NUM_FEATURES);

/// What a feature says about a pair, in the words a brand reads: the few named groups a
/// recommendation's TreeSHAP contributions are summed into ([`families`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// How well the influencer fits the brand: cohesion and its parts.
    Fit,
    /// The influencer's audience: followers, likes, engagement, hashtags used.
    Audience,
    /// What a post costs.
    Price,
    /// What brands did with the influencer: the model's score, the history percentiles
    /// (collaborative signal: brands like this one engaged with them) and the brands its
    /// posts name.
    TrackRecord,
    /// The brand's own profile (followers, hashtags, activity): the same for every influencer
    /// of a list, so it shifts the scores, not the order.
    YourBrand,
}

/// The family of each feature, in [`FEATURE_NAMES`] order (the array's length makes a new
/// feature without a family a compile error).
pub const FEATURE_FAMILIES: [Family; NUM_FEATURES] = [
    Family::Fit,         // cohesion
    Family::Fit,         // category_match
    Family::Fit,         // location_match
    Family::Fit,         // shared_hashtags
    Family::Audience,    // engagement_rate
    Family::Audience,    // followers
    Family::Audience,    // mean_likes
    Family::Price,       // cost_per_post
    Family::Audience,    // influencer_hashtags
    Family::YourBrand,   // brand_followers
    Family::YourBrand,   // brand_hashtags
    Family::TrackRecord, // factor_score
    Family::TrackRecord, // influencer_brands_pct
    Family::TrackRecord, // influencer_points_pct
    Family::YourBrand,   // brand_activity_pct
    Family::TrackRecord, // brands_named
    Family::TrackRecord, // category_brands_named
    Family::TrackRecord, // handles_named
    Family::TrackRecord, // sponsored_posts
];

/// The family of a feature named `name` (`None`: not one of [`FEATURE_NAMES`]).
pub fn family_of(name: &str) -> Option<Family> {
    FEATURE_NAMES
        .iter()
        .position(|&f| f == name)
        .map(|i| FEATURE_FAMILIES[i])
}

/// One family's share of a ranker score: the sum of its features' contributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyContribution {
    /// The family.
    pub family: Family,
    /// Σ φ_j over the family's features j (TreeSHAP is additive, so the families' sums add up
    /// to the score minus the expected value, like the features').
    pub contribution: f64,
}

/// Sums contributions by [`Family`]: every family that has a feature in `contributions`,
/// largest magnitude first (ties in family order). Unknown feature names are skipped.
pub fn families(contributions: &[Contribution]) -> Vec<FamilyContribution> {
    let mut sums: Vec<FamilyContribution> = Vec::new();
    for c in contributions {
        let Some(family) = family_of(&c.feature) else {
            continue;
        };
        match sums.iter_mut().find(|s| s.family == family) {
            Some(s) => s.contribution += c.contribution,
            None => sums.push(FamilyContribution {
                family,
                contribution: c.contribution,
            }),
        }
    }
    // At most five families: an insertion sort (a generic sort would add its own copy of the
    // sorting code to the wasm module for five elements).
    for i in 1..sums.len() {
        let mut j = i;
        while j > 0 && before(&sums[j], &sums[j - 1]) {
            sums.swap(j, j - 1);
            j -= 1;
        }
    }
    sums
}

/// Larger magnitude first, then family order.
fn before(a: &FamilyContribution, b: &FamilyContribution) -> bool {
    b.contribution
        .abs()
        .total_cmp(&a.contribution.abs())
        .then(a.family.cmp(&b.family))
        .is_lt()
}

/// Interaction history reduced to percentiles (mid-rank: (below + ½·equal) / n).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// Per influencer: percentile of its number of distinct brands with interactions.
    pub influencer_brands: Vec<f64>,
    /// Per influencer: percentile of its summed points.
    pub influencer_points: Vec<f64>,
    /// Per known brand: percentile of its number of influencers with interactions, NaN for
    /// a brand with none (it is new to the model).
    pub brand_activity: Vec<f64>,
}

fn percentiles(v: &[f64]) -> Vec<f64> {
    // `+ 0.0` makes -0 and 0 one value (as `==` has them). One sort, the end of each run of
    // equal values (by `total_cmp`, so NaNs from a hostile bundle form runs of their own),
    // then one binary search per value.
    let mut sorted: Vec<f64> = v.iter().map(|x| x + 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let mut run_end = vec![0usize; sorted.len()];
    for j in (0..sorted.len()).rev() {
        run_end[j] = match sorted.get(j + 1) {
            Some(next) if next.total_cmp(&sorted[j]).is_eq() => run_end[j + 1],
            _ => j + 1,
        };
    }
    let n = v.len().max(1) as f64;
    v.iter()
        .map(|x| {
            let x = x + 0.0;
            let below = sorted.partition_point(|y| y.total_cmp(&x).is_lt());
            let upto = run_end.get(below).copied().unwrap_or(below);
            (below as f64 + 0.5 * (upto - below) as f64) / n
        })
        .collect()
}

/// The definition [`percentiles`] computes: (values below + ½·values equal) / n.
#[cfg(test)]
fn percentiles_reference(v: &[f64]) -> Vec<f64> {
    let n = v.len().max(1) as f64;
    v.iter()
        .map(|x| {
            let below = v.iter().filter(|y| *y < x).count();
            let equal = v.iter().filter(|y| *y == x).count();
            (below as f64 + 0.5 * equal as f64) / n
        })
        .collect()
}

impl History {
    /// History from `(brand, influencer, points)` pairs.
    pub fn from_pairs(
        n_brands: usize,
        n_influencers: usize,
        pairs: impl IntoIterator<Item = (u32, u32, f64)>,
    ) -> History {
        let (mut ib, mut ip, mut ba) = (
            vec![0f64; n_influencers],
            vec![0f64; n_influencers],
            vec![0f64; n_brands],
        );
        for (b, i, p) in pairs {
            ib[i as usize] += 1.0;
            ip[i as usize] += p;
            ba[b as usize] += 1.0;
        }
        let active: Vec<f64> = ba.iter().copied().filter(|&c| c > 0.0).collect();
        let pct = percentiles(&active);
        let mut k = 0;
        let brand_activity = ba
            .iter()
            .map(|&c| {
                if c > 0.0 {
                    k += 1;
                    pct[k - 1]
                } else {
                    f64::NAN
                }
            })
            .collect();
        History {
            influencer_brands: percentiles(&ib),
            influencer_points: percentiles(&ip),
            brand_activity,
        }
    }
}

fn positive_or_nan(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        f64::NAN
    }
}

/// What the features of one brand's pairs share.
pub struct BrandContext<'a> {
    /// The brand record.
    pub brand: &'a Brand,
    /// The brand prepared for the cohesion rule.
    pub prepared: &'a PreparedBrand,
    /// The brand's activity percentile (NaN for a brand without history).
    pub activity: f64,
    /// Factorization scores of every influencer for this brand, when there is a model.
    pub factor_scores: Option<&'a [f32]>,
    /// The brand's id when it is in the catalog (its own evidence is left out of its rows).
    pub known: Option<u32>,
    /// The catalog's collaboration evidence.
    pub evidence: &'a Evidence,
}

/// Writes the features of pair (brand, influencer `i`) into `out` (length [`NUM_FEATURES`]).
pub fn pair_features(
    index: &CohesionIndex,
    influencers: &[Influencer],
    history: &History,
    ctx: &BrandContext,
    i: usize,
    out: &mut [f64],
) {
    let inf = &influencers[i];
    let (cat, loc, shared) = index.matches(ctx.prepared, i);
    let row: [f64; BASE_FEATURES] = [
        index.score(ctx.prepared, i),
        f64::from(u8::from(cat)),
        f64::from(u8::from(loc)),
        f64::from(shared),
        // Unknowns are NaN: LightGBM's missing value, which each split sends down the side
        // training chose for it, never the bucket of 0.
        inf.engagement_rate.unwrap_or(f64::NAN),
        inf.followers
            .map_or(f64::NAN, |f| positive_or_nan(f as f64)),
        inf.mean_likes.unwrap_or(f64::NAN),
        inf.cost_per_post.unwrap_or(f64::NAN),
        inf.hashtags.len() as f64,
        positive_or_nan(ctx.brand.followers as f64),
        ctx.brand.hashtags.len() as f64,
        ctx.factor_scores.map_or(f64::NAN, |s| f64::from(s[i])),
        history.influencer_brands[i],
        history.influencer_points[i],
        ctx.activity,
    ];
    let (base, rest) = out.split_at_mut(row.len());
    base.copy_from_slice(&row);
    ctx.evidence
        .features(ctx.known, ctx.prepared.category(), i, rest);
}

/// One feature's share of a recommendation's ranker score (TreeSHAP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Feature name (one of [`FEATURE_NAMES`]).
    pub feature: String,
    /// The feature's value for this pair (NaN: missing).
    pub value: f64,
    /// Its contribution to the raw score.
    pub contribution: f64,
}

/// The ranker as stored in the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRanker {
    /// The trees (LightGBM-compatible; `feature_names` are [`FEATURE_NAMES`]).
    pub model: GbdtModel,
    /// How many candidates per list the ranker re-ranks (from each proposer).
    pub candidates: u32,
}

/// The loaded ranker.
#[derive(Debug, Clone)]
pub struct Ranker {
    model: GbdtModel,
    flat: FlatForest,
    candidates: usize,
}

impl Ranker {
    /// Checks a stored ranker (features, tree indices) and loads it.
    pub fn load(s: &StoredRanker) -> Result<Ranker> {
        s.model.validate("<bundle ranker>")?;
        if s.model.feature_names != FEATURE_NAMES {
            return Err(Error::Corrupted {
                source_name: "<bundle>".into(),
                message: format!(
                    "the ranker's features {:?} are not this build's {:?}",
                    s.model.feature_names, FEATURE_NAMES
                ),
            });
        }
        // Explanations need every tree's row counts; refuse a ranker that lacks them.
        if let Some(t) = s.model.tree_without_counts() {
            return Err(Error::Corrupted {
                source_name: "<bundle>".into(),
                message: format!("ranker tree {t} has no usable row counts"),
            });
        }
        // The ranker computes NUM_FEATURES features per row: a model over a different count
        // would read past them or ignore some.
        if s.model.num_features != NUM_FEATURES {
            return Err(Error::Corrupted {
                source_name: "<bundle>".into(),
                message: format!(
                    "the ranker's model has {} features, this build computes {NUM_FEATURES}",
                    s.model.num_features
                ),
            });
        }
        Ok(Ranker {
            model: s.model.clone(),
            flat: s.model.flatten(),
            candidates: s.candidates.max(1) as usize,
        })
    }

    /// The trees.
    pub fn model(&self) -> &GbdtModel {
        &self.model
    }

    /// Candidates taken from each proposer.
    pub fn candidates(&self) -> usize {
        self.candidates
    }

    /// The ranker's raw score of one feature row.
    pub fn score(&self, row: &[f64]) -> f64 {
        self.flat.predict_raw(row)
    }

    /// TreeSHAP contributions of one feature row, largest magnitude first, and the model's
    /// expected value (their sum plus the expected value is the score).
    pub fn explain(&self, row: &[f64]) -> Result<(Vec<Contribution>, f64)> {
        let phi = self.model.contributions(row)?;
        let mut out: Vec<Contribution> = FEATURE_NAMES
            .iter()
            .zip(row)
            .zip(&phi)
            .map(|((f, &v), &c)| Contribution {
                feature: (*f).to_string(),
                value: v,
                contribution: c,
            })
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            b.contribution
                .abs()
                .total_cmp(&a.contribution.abs())
                .then(a.feature.cmp(&b.feature))
        });
        Ok((out, phi[NUM_FEATURES]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_sum_the_contributions_of_their_features() {
        let c = |f: &str, x: f64| Contribution {
            feature: f.into(),
            value: 0.0,
            contribution: x,
        };
        let got = families(&[
            c("factor_score", 0.25),
            c("cohesion", -0.5),
            c("category_match", 0.125),
            c("influencer_points_pct", 0.5),
            c("no_such_feature", 9.0),
            c("cost_per_post", 0.0),
        ]);
        let want = [
            (Family::TrackRecord, 0.75),
            (Family::Fit, -0.375),
            (Family::Price, 0.0),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, (f, x)) in got.iter().zip(want) {
            assert_eq!((g.family, g.contribution), (f, x));
        }
        // Every feature has a family, and each family but none has a feature.
        for (i, name) in FEATURE_NAMES.iter().enumerate() {
            assert_eq!(family_of(name), Some(FEATURE_FAMILIES[i]));
        }
        for f in [
            Family::Fit,
            Family::Audience,
            Family::Price,
            Family::TrackRecord,
            Family::YourBrand,
        ] {
            assert!(FEATURE_FAMILIES.contains(&f), "{f:?} has no feature");
        }
        assert_eq!(family_of("nope"), None);
    }

    #[test]
    fn percentiles_are_mid_ranks() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [0usize, 1, 2, 7, 100, 1000] {
            // Few distinct values, so runs of ties are common; -0 and 0 both present.
            let v: Vec<f64> = (0..n)
                .map(|_| match rng.random_range(0..8) {
                    0 => -0.0,
                    k => f64::from(k),
                })
                .collect();
            assert_eq!(percentiles(&v), percentiles_reference(&v), "n={n}");
        }
        // NaNs end and never stall the runs.
        let p = percentiles(&[f64::NAN, 1.0, f64::NAN]);
        assert_eq!(p[1], 0.5 / 3.0);
    }

    #[test]
    fn percentiles_are_mid_ranks_and_history_marks_new_brands() {
        // Values (0, 0, 5, 10): zeros share ranks 1–2 → (0 + ½·2)/4 = 0.25; 5 → 2.5/4; 10 → 3.5/4.
        assert_eq!(
            percentiles(&[0.0, 0.0, 5.0, 10.0]),
            vec![0.25, 0.25, 0.625, 0.875]
        );
        let h = History::from_pairs(3, 2, [(0, 1, 3.0), (2, 1, 1.0), (2, 0, 1.0)]);
        assert_eq!(h.influencer_brands, vec![0.25, 0.75]);
        assert_eq!(h.influencer_points, vec![0.25, 0.75]);
        assert_eq!(h.brand_activity[0], 0.25);
        assert!(h.brand_activity[1].is_nan(), "no history: new to the model");
        assert_eq!(h.brand_activity[2], 0.75);
    }
}
