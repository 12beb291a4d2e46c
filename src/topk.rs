//! Top-k selection, the one kernel every ranking and the training prior use.
//!
//! A reference implementation (full sort) and the fast one used in production (partial
//! selection with `select_nth_unstable_by`, then a sort of the k survivors); a test pins the
//! two together. Order: score descending, then index ascending, so ties are broken the same
//! way on every platform.

use std::cmp::Ordering;

/// Order used for ranking: higher score first, then lower id.
fn better(scores: &[f64], a: usize, b: usize) -> Ordering {
    scores[b].total_cmp(&scores[a]).then(a.cmp(&b))
}

/// Reference top-k: sort every index, keep k.
pub fn top_k_reference(scores: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| better(scores, a, b));
    idx.truncate(k);
    idx
}

/// Fast top-k: partial selection in O(n), then sort the k winners. Must return exactly
/// what [`top_k_reference`] returns.
pub fn top_k(scores: &[f64], k: usize) -> Vec<usize> {
    let k = k.min(scores.len());
    if k == 0 {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, |&a, &b| better(scores, a, b));
        idx.truncate(k);
    }
    idx.sort_by(|&a, &b| better(scores, a, b));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn fast_top_k_matches_reference_on_random_scores_with_ties() {
        let seed = 20261125u64;
        println!("seed {seed}");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..300 {
            let n = rng.random_range(0..60);
            // Few distinct values, so ties are common.
            let scores: Vec<f64> = (0..n).map(|_| rng.random_range(0..5) as f64).collect();
            let k = rng.random_range(0..70);
            assert_eq!(
                top_k(&scores, k),
                top_k_reference(&scores, k),
                "{scores:?} k={k}"
            );
        }
    }
}
