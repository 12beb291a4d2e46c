//! Planted-structure interaction data at scale, for benchmarks (2,000 brands x 20,000
//! influencers with about 1,000,000 positives by default).
//!
//! Story: users and items have latent vectors z ∈ R^8 drawn around one of G group centres
//! (users: 20 groups, items: 50 groups); each user takes `positives_per_user` items without
//! replacement with probability ∝ exp(⟨z_u, z_i⟩ / τ) (Gumbel top-k). Features: identity plus
//! the group (users and items) and 3 of 200 tags whose choice depends on the item's group,
//! so content features carry real signal for cold start.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::random::std_normal;

/// Sizes and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticParams {
    /// Users (brands).
    pub users: u32,
    /// Items (influencers).
    pub items: u32,
    /// Positives per user.
    pub positives_per_user: u32,
    /// Seed.
    pub seed: u64,
}

impl Default for SyntheticParams {
    fn default() -> Self {
        SyntheticParams {
            users: 2_000,
            items: 20_000,
            positives_per_user: 500,
            seed: crate::random::DEFAULT_SEED,
        }
    }
}

/// A generated data set: feature rows by name and positive pairs.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// Feature names of each user.
    pub user_features: Vec<Vec<String>>,
    /// Feature names of each item.
    pub item_features: Vec<Vec<String>>,
    /// Positive (user, item) pairs, sorted.
    pub pairs: Vec<(u32, u32, f64)>,
}

/// Generates the data set.
pub fn generate(p: &SyntheticParams) -> Synthetic {
    const D: usize = 8;
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let centres = |n: usize, rng: &mut ChaCha8Rng| -> Vec<[f64; D]> {
        (0..n)
            .map(|_| std::array::from_fn(|_| std_normal(rng)))
            .collect()
    };
    let (ug, ig) = (centres(20, &mut rng), centres(50, &mut rng));
    let mut user_features = Vec::with_capacity(p.users as usize);
    let mut uz = Vec::with_capacity(p.users as usize);
    for u in 0..p.users {
        let g = rng.random_range(0..ug.len());
        uz.push(std::array::from_fn::<f64, D, _>(|j| {
            ug[g][j] + 0.5 * std_normal(&mut rng)
        }));
        user_features.push(vec![format!("user:{u}"), format!("ugroup:{g}")]);
    }
    let mut item_features = Vec::with_capacity(p.items as usize);
    let mut iz = Vec::with_capacity(p.items as usize);
    for i in 0..p.items {
        let g = rng.random_range(0..ig.len());
        iz.push(std::array::from_fn::<f64, D, _>(|j| {
            ig[g][j] + 0.5 * std_normal(&mut rng)
        }));
        let mut f = vec![format!("item:{i}"), format!("igroup:{g}")];
        for _ in 0..3 {
            // Tags cluster by group: 4 of 200 tags are the group's own.
            f.push(format!("tag:{}", (g * 4 + rng.random_range(0..4)) % 200));
        }
        item_features.push(f);
    }
    let mut pairs = Vec::with_capacity((p.users * p.positives_per_user) as usize);
    let mut keys: Vec<(f64, u32)> = Vec::with_capacity(p.items as usize);
    let k = p.positives_per_user.min(p.items) as usize;
    for (u, zu) in uz.iter().enumerate() {
        keys.clear();
        for (i, zi) in iz.iter().enumerate() {
            let s: f64 = zu.iter().zip(zi).map(|(a, b)| a * b).sum::<f64>() / 2.0;
            let gumbel = -(-rng.random::<f64>().max(1e-300).ln()).ln();
            keys.push((s + gumbel, i as u32));
        }
        if k < keys.len() {
            keys.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
        }
        let mut chosen: Vec<u32> = keys[..k].iter().map(|x| x.1).collect();
        chosen.sort_unstable();
        pairs.extend(chosen.into_iter().map(|i| (u as u32, i, 1.0)));
    }
    Synthetic {
        user_features,
        item_features,
        pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_determinism() {
        let p = SyntheticParams {
            users: 30,
            items: 200,
            positives_per_user: 10,
            seed: 1,
        };
        let a = generate(&p);
        assert_eq!(a.pairs.len(), 300);
        assert_eq!(a.pairs, generate(&p).pairs);
        assert_eq!(a.item_features[0].len(), 5);
    }
}
