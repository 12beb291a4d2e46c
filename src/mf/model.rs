//! The inference model: small, flat, trainer-free. Item representations are precomputed
//! (d components then the bias, contiguous f32); user feature embeddings stay so a new
//! brand's vector is computed from its features; known brands' vectors are precomputed.
//!
//! Scoring every item for one user is a dot product per row over contiguous f32. The fast
//! path ([`FactorModel::score_all`]) keeps four independent accumulators so the compiler
//! vectorises it; [`FactorModel::score_all_reference`] is the plain loop it must match to
//! within float reassociation (a test pins them).

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::features::Vocabulary;

/// A trained factorization model ready for scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorModel {
    /// Embedding dimension d.
    pub no_components: u32,
    /// Item representations, `n_items x (d + 1)`; column d is the item bias.
    pub item_repr: Array2<f32>,
    /// User feature embeddings, `n_user_features x (d + 1)`; column d is the feature bias.
    pub user_feature_repr: Array2<f32>,
    /// User feature names (ids index `user_feature_repr`).
    pub user_features: Vocabulary,
    /// Known users' representations, `n_users x (d + 1)`.
    pub user_repr: Array2<f32>,
    /// Whether user feature rows are L1-normalised.
    pub normalize: bool,
}

impl FactorModel {
    /// d.
    pub fn dim(&self) -> usize {
        self.no_components as usize
    }

    /// A user representation from named features (unknown names are ignored), each with
    /// weight 1 before normalisation.
    pub fn user_from_features<S: AsRef<str>>(&self, names: &[S]) -> Vec<f32> {
        let d = self.dim();
        let ids: Vec<u32> = {
            let mut v: Vec<u32> = names
                .iter()
                .filter_map(|n| self.user_features.get(n.as_ref()))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let w = if self.normalize && !ids.is_empty() {
            1.0 / ids.len() as f32
        } else {
            1.0
        };
        let mut out = vec![0f32; d + 1];
        for id in ids {
            let row = self.user_feature_repr.row(id as usize);
            for (o, &x) in out.iter_mut().zip(row.iter()) {
                *o += w * x;
            }
        }
        out
    }

    /// The plain reference loop: ŷ_i = Σ_j p_j q_ij + b_u + b_i.
    pub fn score_all_reference(&self, user: &[f32], out: &mut Vec<f32>) {
        let d = self.dim();
        out.clear();
        for row in self.item_repr.rows() {
            let mut s = user[d] + row[d];
            for j in 0..d {
                s += user[j] * row[j];
            }
            out.push(s);
        }
    }

    /// The fast loop: four independent accumulators over contiguous rows.
    pub fn score_all(&self, user: &[f32], out: &mut Vec<f32>) {
        let d = self.dim();
        out.clear();
        let Some(flat) = self.item_repr.as_slice() else {
            // Not contiguous (never for models we build): fall back to the reference loop.
            return self.score_all_reference(user, out);
        };
        let p = &user[..d];
        for row in flat.chunks_exact(d + 1) {
            let q = &row[..d];
            let mut acc = [0f32; 4];
            let mut pc = p.chunks_exact(4);
            let mut qc = q.chunks_exact(4);
            for (a, b) in (&mut pc).zip(&mut qc) {
                acc[0] += a[0] * b[0];
                acc[1] += a[1] * b[1];
                acc[2] += a[2] * b[2];
                acc[3] += a[3] * b[3];
            }
            let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            for (a, b) in pc.remainder().iter().zip(qc.remainder()) {
                s += a * b;
            }
            out.push(s + user[d] + row[d]);
        }
    }

    /// A known user's representation.
    pub fn known_user(&self, u: usize) -> ArrayView1<'_, f32> {
        self.user_repr.row(u)
    }

    /// Cosine similarity of two items' embeddings (for "more like this").
    pub fn item_similarity(&self, a: usize, b: usize) -> f32 {
        let d = self.dim();
        let (x, y) = (self.item_repr.row(a), self.item_repr.row(b));
        let (mut xy, mut xx, mut yy) = (0f32, 0f32, 0f32);
        for j in 0..d {
            xy += x[j] * y[j];
            xx += x[j] * x[j];
            yy += y[j] * y[j];
        }
        if xx == 0.0 || yy == 0.0 {
            0.0
        } else {
            xy / (xx.sqrt() * yy.sqrt())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn random_model(seed: u64, n: usize, d: usize) -> FactorModel {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let item_repr = Array2::from_shape_fn((n, d + 1), |_| rng.random_range(-1.0f32..1.0));
        FactorModel {
            no_components: d as u32,
            item_repr,
            user_feature_repr: Array2::zeros((0, d + 1)),
            user_features: Vocabulary::default(),
            user_repr: Array2::zeros((0, d + 1)),
            normalize: true,
        }
    }

    #[test]
    fn fast_scoring_matches_reference() {
        let seed = 99;
        println!("seed {seed}");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for d in [1usize, 3, 4, 10, 17, 32] {
            let m = random_model(seed + d as u64, 50, d);
            let user: Vec<f32> = (0..=d).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            m.score_all(&user, &mut a);
            m.score_all_reference(&user, &mut b);
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "d={d}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn user_from_features_is_the_normalised_sum() {
        let mut vocab = Vocabulary::default();
        vocab.intern("a");
        vocab.intern("b");
        let m = FactorModel {
            no_components: 2,
            item_repr: Array2::zeros((0, 3)),
            user_feature_repr: ndarray::arr2(&[[1.0, 2.0, 0.5], [3.0, 4.0, 1.5]]),
            user_features: vocab,
            user_repr: Array2::zeros((0, 3)),
            normalize: true,
        };
        // (row a + row b) / 2, unknown "c" ignored.
        assert_eq!(m.user_from_features(&["b", "a", "c"]), vec![2.0, 3.0, 1.0]);
    }
}
