//! From the product's records to the factorization model's inputs.
//!
//! Features (names are stable strings; the vocabulary keeps insertion order):
//! - brands (users): `brand:<name>` (identity), `category:<slug>`, `country:<name>`,
//!   `tag:<hashtag>`;
//! - influencers (items): `influencer:<name>` (identity), `category:`, `country:`, `tag:`,
//!   and buckets the cohesion rule does not use: `followers:<half-decade of log10>`,
//!   `er:<bucket>`, `cost:<half-decade of log10 cost per post>` or `cost:unknown`.
//!
//! Rows are L1-normalised (as LightFM's `Dataset(normalize=True)`).
//!
//! Positives: a (brand, influencer) pair is a positive when its summed interaction points
//! reach `min_points` (default 1: any recorded interaction). Pairs without interactions are
//! unknown, not negative, so the relationship table's 288,000 cohesion-rated pairs never all
//! become training rows (that would teach the model only the rule).

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::features::{CsrMatrix, Vocabulary};
use super::train::Interactions;
use crate::error::Result;
use crate::model::{Brand, Influencer};
use crate::text::key;

/// Feature names of a brand (user). `identity` adds `brand:<name>`.
pub fn brand_features(b: &Brand, identity: bool) -> Vec<String> {
    let mut f = Vec::new();
    if identity {
        f.push(format!("brand:{}", key(&b.name)));
    }
    content_features(&b.category, &b.country, &b.hashtags, &mut f);
    f
}

fn content_features(category: &str, country: &str, tags: &[String], f: &mut Vec<String>) {
    // A field whose key is empty is no feature (as the cohesion index, which interns keys,
    // sees it), so the names an influencer's row is rebuilt from at load match these.
    let category = key(category);
    if !category.is_empty() {
        f.push(format!("category:{category}"));
    }
    let country = key(country);
    if !country.is_empty() {
        f.push(format!("country:{country}"));
    }
    // A feature counts once however often a scraped list repeats it: rows are sets, as the
    // cohesion index's deduplicated tag ids and `user_from_features` see them.
    for t in tags {
        let name = format!("tag:{t}");
        if !f.contains(&name) {
            f.push(name);
        }
    }
}

/// The bucket bounds, built once: `half_decade[k]` = 10^(k/2) for k in 0..=40 (10^m exact,
/// odd k 10^m·√10) and `quarter_ln[k + 40]` = q^k for k in -40..=40 (q = √√e, powers by
/// repeated multiplication or division from 1). Only IEEE operations that round the same way
/// on every platform (√ is correctly rounded), never `log10` or `ln`, whose last bit differs
/// between libms: a count of exactly 10,000 followers falls in bucket 8 natively and in the
/// browser alike.
struct Bounds {
    half_decade: [f64; 41],
    quarter_ln: [f64; 81],
}

fn bounds() -> &'static Bounds {
    static BOUNDS: std::sync::OnceLock<Bounds> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        let root10 = 10f64.sqrt();
        let mut half_decade = [0f64; 41];
        let mut p = 1.0f64; // 10^m
        for (k, b) in half_decade.iter_mut().enumerate() {
            if k % 2 == 0 {
                *b = p;
            } else {
                *b = p * root10;
                p *= 10.0;
            }
        }
        let q = std::f64::consts::E.sqrt().sqrt();
        let mut quarter_ln = [0f64; 81];
        quarter_ln[40] = 1.0;
        for k in 41..81 {
            quarter_ln[k] = quarter_ln[k - 1] * q;
        }
        for k in (0..40).rev() {
            quarter_ln[k] = quarter_ln[k + 1] / q;
        }
        Bounds {
            half_decade,
            quarter_ln,
        }
    })
}

/// The half-decade bucket k of `x` (x in [10^(k/2), 10^((k+1)/2))), k in 0..=40; below 1
/// (and NaN) is bucket 0, at or above 10^20 bucket 40. See [`Bounds`] for why the bounds are
/// not `log10`.
pub fn half_decade_bucket(x: f64) -> i32 {
    let x = x.max(1.0); // NaN too (`max` takes the number)
                        // The number of bounds at or below x, less one (bound 0 is 1 <= x).
    bounds().half_decade.partition_point(|&b| b <= x) as i32 - 1
}

/// The quarter-of-a-natural-log bucket k of an engagement rate (x in [q^k, q^(k+1)) with
/// q = e^(1/4), k in -40..=40; rates are floored at 10⁻⁴, so k ≥ -37). See [`Bounds`].
pub fn quarter_ln_bucket(x: f64) -> i32 {
    let x = x.max(1e-4);
    let below = bounds().quarter_ln.partition_point(|&b| b <= x) as i32;
    (below - 41).max(-40)
}

/// An influencer's buckets of the values the cohesion rule does not use: followers'
/// half-decade, engagement's quarter-log and cost per post's half-decade (`None`: unknown).
pub type Buckets = (i32, i32, Option<i32>);

/// The [`Buckets`] of followers, engagement rate and cost per post.
pub fn buckets(followers: u64, engagement_rate: f64, cost_per_post: Option<f64>) -> Buckets {
    (
        half_decade_bucket(followers as f64),
        quarter_ln_bucket(engagement_rate),
        cost_per_post.map(half_decade_bucket),
    )
}

/// The feature names of [`Buckets`]: `followers:<k/2>`, `er:<k/4>`, `cost:<k/2>` or
/// `cost:unknown`.
pub fn bucket_features((followers, er, cost): Buckets) -> [String; 3] {
    [
        format!("followers:{}", f64::from(followers) / 2.0),
        format!("er:{}", f64::from(er) / 4.0),
        match cost {
            Some(c) => format!("cost:{}", f64::from(c) / 2.0),
            None => "cost:unknown".into(),
        },
    ]
}

/// Feature names of an influencer (item).
pub fn influencer_features(i: &Influencer, identity: bool) -> Vec<String> {
    let mut f = Vec::new();
    if identity {
        f.push(format!("influencer:{}", key(&i.name)));
    }
    content_features(&i.category, &i.country, &i.hashtags, &mut f);
    f.extend(bucket_features(buckets(
        i.followers,
        i.engagement_rate,
        i.cost_per_post,
    )));
    f
}

/// Builds a normalised feature matrix over `rows` of feature names, interning into `vocab`.
pub fn feature_matrix(
    vocab: &mut Vocabulary,
    rows: &[Vec<String>],
    normalize: bool,
) -> Result<CsrMatrix> {
    let ids: Vec<Vec<(u32, f32)>> = rows
        .iter()
        .map(|r| r.iter().map(|n| (vocab.intern(n), 1.0)).collect())
        .collect();
    let mut m = CsrMatrix::from_rows(vocab.len() as u32, &ids)?;
    // Interning may have grown the vocabulary after earlier rows; widen to the final size.
    m.cols = vocab.len() as u32;
    if normalize {
        m.normalize_rows();
    }
    Ok(m)
}

/// Positives from summed pair points: `(brand id, influencer id)` with points >= `min_points`,
/// sorted by pair.
pub fn positives(pair_points: &BTreeMap<(u32, u32), f64>, min_points: f64) -> Vec<(u32, u32, f64)> {
    pair_points
        .iter()
        .filter(|(_, &p)| p >= min_points)
        .map(|(&(b, i), &p)| (b, i, p))
        .collect()
}

/// Interactions (all values 1) from positive pairs.
pub fn interactions(n_users: u32, n_items: u32, pairs: &[(u32, u32, f64)]) -> Interactions {
    Interactions {
        n_users,
        n_items,
        users: pairs.iter().map(|p| p.0).collect(),
        items: pairs.iter().map(|p| p.1).collect(),
        values: vec![1.0; pairs.len()],
    }
}

/// A positive pair: (user, item, summed points).
pub type Pair = (u32, u32, f64);

/// Splits pairs into (those `pick` selects, the rest), keeping their order.
fn partition(pairs: &[Pair], pick: impl Fn(usize, &Pair) -> bool) -> (Vec<Pair>, Vec<Pair>) {
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for (k, p) in pairs.iter().enumerate() {
        if pick(k, p) {
            yes.push(*p)
        } else {
            no.push(*p)
        }
    }
    (yes, no)
}

/// A train/test split of positive pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Training pairs.
    pub train: Vec<(u32, u32, f64)>,
    /// Test pairs.
    pub test: Vec<(u32, u32, f64)>,
    /// Users whose every pair is in test (cold-start split); empty for a random split.
    pub cold_users: Vec<u32>,
}

/// Random split: each positive goes to test with probability `test_fraction` (seeded), like
/// `lightfm.cross_validation.random_train_test_split`.
pub fn random_split(pairs: &[(u32, u32, f64)], test_fraction: f64, seed: u64) -> Split {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    crate::random::shuffle(&mut order, &mut rng);
    let n_test = (pairs.len() as f64 * test_fraction).round() as usize;
    let mut is_test = vec![false; pairs.len()];
    for &i in &order[..n_test.min(pairs.len())] {
        is_test[i] = true;
    }
    let (test, train) = partition(pairs, |k, _| is_test[k]);
    Split {
        train,
        test,
        cold_users: Vec::new(),
    }
}

/// Cold-start split: a seeded `test_fraction` of the users (among those with positives) is
/// held out whole; the model must score them from their content features alone.
pub fn cold_start_split(
    pairs: &[(u32, u32, f64)],
    n_users: u32,
    test_fraction: f64,
    seed: u64,
) -> Split {
    let mut users: Vec<u32> = pairs.iter().map(|p| p.0).collect();
    users.sort_unstable();
    users.dedup();
    crate::random::shuffle(&mut users, &mut ChaCha8Rng::seed_from_u64(seed));
    let n_cold = ((users.len() as f64 * test_fraction).round() as usize)
        .max(1)
        .min(users.len());
    let mut cold = vec![false; n_users as usize];
    let mut cold_users: Vec<u32> = users[..n_cold].to_vec();
    cold_users.sort_unstable();
    for &u in &cold_users {
        cold[u as usize] = true;
    }
    let (test, train) = partition(pairs, |_, p| cold[p.0 as usize]);
    Split {
        train,
        test,
        cold_users,
    }
}

/// Pairs as a user x item CSR (for evaluation).
pub fn pairs_matrix(n_users: u32, n_items: u32, pairs: &[(u32, u32, f64)]) -> Result<CsrMatrix> {
    let mut rows = vec![Vec::new(); n_users as usize];
    for &(u, i, _) in pairs {
        rows[u as usize].push((i, 1.0));
    }
    CsrMatrix::from_rows(n_items, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohesion::tests::influencer;

    #[test]
    fn influencer_features_name_the_buckets() {
        let mut i = influencer("Ana", "fashion", "Spain", &["ootd"], 0.05);
        i.followers = 31_623; // log10 = 4.5
        i.cost_per_post = Some(100.0);
        let f = influencer_features(&i, true);
        assert_eq!(
            f,
            [
                "influencer:ana",
                "category:fashion",
                "country:spain",
                "tag:ootd",
                "followers:4.5",
                "er:-3",
                "cost:2"
            ]
        );
    }

    #[test]
    fn buckets_fall_on_exact_bounds_the_same_everywhere() {
        // Powers of ten open their half-decade (scraped counts are often exactly 10,000).
        for (x, k) in [
            (0.0, 0),
            (f64::NAN, 0),
            (1.0, 0),
            (3.16, 0),
            (3.17, 1),
            (9.999, 1),
            (10.0, 2),
            (999.0, 5),
            (1_000.0, 6),
            (9_999.0, 7),
            (10_000.0, 8),
            (31_622.0, 8),
            (31_623.0, 9),
            (100_000.0, 10),
            (1e30, 40),
        ] {
            assert_eq!(half_decade_bucket(x), k, "half-decade of {x}");
        }
        // Quarters of a natural-log unit: e^-3 = 0.0498 opens bucket -12.
        for (x, k) in [
            (0.0, -37),
            (1e-4, -37),
            (0.0497, -13),
            (0.05, -12),
            (0.999_999, -1),
            (1.0, 0),
            (1.284, 0),
            (1.285, 1),
            (1e300, 40),
        ] {
            assert_eq!(quarter_ln_bucket(x), k, "quarter-log of {x}");
        }
        // Against the definition away from the bounds.
        let mut x = 1.37f64;
        while x < 1e12 {
            assert_eq!(
                half_decade_bucket(x),
                (x.log10() * 2.0).floor() as i32,
                "{x}"
            );
            x *= 1.618;
        }
        let mut x = 1.1e-4f64;
        while x < 100.0 {
            assert_eq!(quarter_ln_bucket(x), (x.ln() * 4.0).floor() as i32, "{x}");
            x *= 1.0717;
        }
        assert_eq!(
            bucket_features(buckets(10_000, 0.05, None)),
            ["followers:4", "er:-3", "cost:unknown"]
        );
    }

    #[test]
    fn repeated_tags_are_one_feature() {
        let i = influencer("Ana", "fashion", "Spain", &["ootd", "ootd", "style"], 0.05);
        let f = influencer_features(&i, false);
        assert_eq!(f.iter().filter(|n| *n == "tag:ootd").count(), 1, "{f:?}");
    }

    #[test]
    fn splits_are_seeded_partitions() {
        let pairs: Vec<(u32, u32, f64)> = (0..100).map(|k| (k % 10, k, 1.0)).collect();
        let a = random_split(&pairs, 0.2, 1);
        assert_eq!(a, random_split(&pairs, 0.2, 1));
        assert_eq!((a.train.len(), a.test.len()), (80, 20));
        let c = cold_start_split(&pairs, 10, 0.2, 1);
        assert_eq!(c.cold_users.len(), 2);
        assert!(c.test.iter().all(|p| c.cold_users.contains(&p.0)));
        assert!(c.train.iter().all(|p| !c.cold_users.contains(&p.0)));
        assert_eq!(c.train.len() + c.test.len(), 100);
    }
}
