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
    if !category.is_empty() {
        f.push(format!("category:{}", key(category)));
    }
    if !country.trim().is_empty() {
        f.push(format!("country:{}", key(country)));
    }
    for t in tags {
        f.push(format!("tag:{t}"));
    }
}

/// Feature names of an influencer (item).
pub fn influencer_features(i: &Influencer, identity: bool) -> Vec<String> {
    let mut f = Vec::new();
    if identity {
        f.push(format!("influencer:{}", key(&i.name)));
    }
    content_features(&i.category, &i.country, &i.hashtags, &mut f);
    let half_decade = |x: f64| ((x.max(1.0)).log10() * 2.0).floor() / 2.0;
    f.push(format!("followers:{}", half_decade(i.followers as f64)));
    // Engagement in buckets of a quarter of a natural-log unit.
    let er = (i.engagement_rate.max(1e-4).ln() * 4.0).floor() / 4.0;
    f.push(format!("er:{er}"));
    match i.cost_per_post {
        Some(c) => f.push(format!("cost:{}", half_decade(c))),
        None => f.push("cost:unknown".into()),
    }
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
