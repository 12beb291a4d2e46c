//! Training data for the factorization model: positives from interaction points, and the
//! splits evaluation holds out (the features of brands and influencers are in
//! [`super::features`]).
//!
//! Positives: a (brand, influencer) pair is a positive when its summed interaction points
//! reach `min_points` (default 1: any recorded interaction). Pairs without interactions are
//! unknown, not negative, so the relationship table's 288,000 cohesion-rated pairs never all
//! become training rows (that would teach the model only the rule).

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::features::CsrMatrix;
use crate::error::Result;

/// Positives from summed pair points: `(brand id, influencer id)` with points >= `min_points`,
/// sorted by pair.
pub fn positives(pair_points: &BTreeMap<(u32, u32), f64>, min_points: f64) -> Vec<(u32, u32, f64)> {
    pair_points
        .iter()
        .filter(|(_, &p)| p >= min_points)
        .map(|(&(b, i), &p)| (b, i, p))
        .collect()
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
