//! The inference model: small, flat, trainer-free. Item representations are precomputed
//! (d components then the bias, contiguous f32); user feature embeddings stay so a new
//! brand's vector is computed from its features; known brands' vectors are precomputed.
//! Influencers described by their content alone (no identity feature, the default) are
//! stored as their features' embeddings, and each influencer's row is rebuilt when the model
//! is loaded, q_i = Σ_f w_if (e^I_f, b^I_f) with w_if = 1/|F_i| (LightFM's representation
//! of a normalised feature row): a few thousand feature rows instead of one per influencer.
//!
//! Scoring every item for one user is a dot product per row over contiguous f32. The fast
//! path ([`FactorModel::score_all`]) keeps four independent accumulators, lane k summing
//! p_j q_ij for j ≡ k (mod 4), then (lane 0 + lane 1) + (lane 2 + lane 3) and the remainder:
//! [`FactorModel::score_all_scalar`] in plain Rust, and on wasm32 built with `simd128` the
//! same sums as `f32x4` multiply and add (no fused multiply-add, so every lane rounds as the
//! scalar one does and the two are equal bit for bit; the wasm tests pin them).
//! [`FactorModel::score_all_reference`] is the plain loop both must match to within float
//! reassociation (a test pins them). The page ships both wasm builds and loads the SIMD one
//! where the browser validates SIMD instructions.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::features::{brand_features, CsrMatrix, Vocabulary};
use crate::model::Brand;

/// A trained factorization model ready for scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorModel {
    /// Embedding dimension d.
    pub no_components: u32,
    /// Item representations, `n_items x (d + 1)`; column d is the item bias.
    pub item_repr: Array2<f32>,
    /// Content-only influencers: the item feature embeddings their rows are built from
    /// (`None`: rows trained with identity features, stored one per influencer).
    pub item_features: Option<FeatureEmbeddings>,
    /// User feature embeddings, `n_user_features x (d + 1)`; column d is the feature bias.
    pub user_feature_repr: Array2<f32>,
    /// User feature names (ids index `user_feature_repr`).
    pub user_features: Vocabulary,
    /// Known users' representations, `n_users x (d + 1)`.
    pub user_repr: Array2<f32>,
    /// Whether user feature rows are L1-normalised.
    pub normalize: bool,
}

/// Named feature embeddings: row f is (e_f, b_f) of feature `names[f]`, `n x (d + 1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureEmbeddings {
    /// Feature names (ids index `repr`).
    pub names: Vocabulary,
    /// The embeddings and biases.
    pub repr: Array2<f32>,
}

/// `out += w · row`: the one accumulation every feature-built vector uses, so a user's and an
/// item's vectors round alike.
fn accumulate(out: &mut [f32], w: f32, row: ArrayView1<f32>) {
    for (o, &x) in out.iter_mut().zip(row.iter()) {
        *o += w * x;
    }
}

/// LightFM's representations of every row of `features`: q_i = Σ_f w_if (e_f, b_f), the
/// entries of a row taken in column order. `None` when a column is outside `repr`.
pub fn representations(features: &CsrMatrix, repr: &Array2<f32>) -> Option<Array2<f32>> {
    let (n, width) = (features.rows as usize, repr.ncols());
    let table = repr.as_standard_layout();
    let table = table.as_slice()?;
    let mut out = vec![0f32; n * width];
    if width > 0 {
        for (i, acc) in out.chunks_exact_mut(width).enumerate() {
            let (cols, weights) = features.row(i as u32);
            for (&f, &w) in cols.iter().zip(weights) {
                let start = (f as usize).checked_mul(width)?;
                let row = table.get(start..start + width)?;
                // The same accumulation as `accumulate`, over slices.
                for (o, &x) in acc.iter_mut().zip(row) {
                    *o += w * x;
                }
            }
        }
    }
    Array2::from_shape_vec((n, width), out).ok()
}

impl FactorModel {
    /// A brand's vector: known brand `known`'s trained vector, or (a new brand, or a known
    /// one scored as new) the vector its content features give.
    pub fn brand_vector(&self, brand: &Brand, known: Option<u32>) -> Vec<f32> {
        match known {
            Some(b) => self.known_user(b as usize).to_vec(),
            None => self.user_from_features(&brand_features(brand, false)),
        }
    }

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
            accumulate(&mut out, w, self.user_feature_repr.row(id as usize));
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

    /// The fast loop (see the module docs): SIMD128 on wasm32 built with it, else
    /// [`FactorModel::score_all_scalar`]; equal bit for bit.
    pub fn score_all(&self, user: &[f32], out: &mut Vec<f32>) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        self.score_all_simd128(user, out);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        self.score_all_scalar(user, out);
    }

    /// Whether [`FactorModel::score_all`] runs the SIMD128 kernel in this build.
    pub const SIMD128: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

    /// The fast loop in scalar code: four independent accumulators over contiguous rows.
    pub fn score_all_scalar(&self, user: &[f32], out: &mut Vec<f32>) {
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

    /// The fast loop as wasm SIMD128: the four accumulators are the lanes of one `f32x4`.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn score_all_simd128(&self, user: &[f32], out: &mut Vec<f32>) {
        use core::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, v128};
        let d = self.dim();
        out.clear();
        let Some(flat) = self.item_repr.as_slice() else {
            return self.score_all_reference(user, out);
        };
        let load = |c: &[f32]| f32x4(c[0], c[1], c[2], c[3]);
        let p: Vec<v128> = user[..d].chunks_exact(4).map(load).collect();
        let tail = d - d % 4;
        for row in flat.chunks_exact(d + 1) {
            let mut acc = f32x4(0.0, 0.0, 0.0, 0.0);
            for (pv, q) in p.iter().zip(row[..tail].chunks_exact(4)) {
                acc = f32x4_add(acc, f32x4_mul(*pv, load(q)));
            }
            let mut s = (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
                + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc));
            for (a, b) in user[tail..d].iter().zip(&row[tail..d]) {
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

    /// Fold-in: adapts a user vector to that user's own recent positives with passes of
    /// BPR steps on the user side only (items frozen): for each positive i and a sampled
    /// non-positive j, with δ = q_i − q_j and L = 1 − σ(ŷ_ui − ŷ_uj),
    /// p_u ← p_u + η·L·δ / (‖δ‖² + 10⁻⁶). The normalisation (a passive-aggressive step) makes
    /// one step move the margin ŷ_ui − ŷ_uj by about η·L whatever the embeddings' scale, so a
    /// few steps adapt a brand at once. `positives` are (item, passes), sorted by item: pass
    /// r steps every positive with more than r passes, in item order, so the result depends
    /// on the set and its passes, never on how it was assembled. `random` supplies uniform
    /// u32s (the caller seeds it).
    pub fn fold_in(
        &self,
        user: &mut [f32],
        positives: &[(u32, u32)],
        learning_rate: f32,
        mut random: impl FnMut() -> u32,
    ) {
        let d = self.dim();
        let n = self.item_repr.nrows() as u32;
        let Some(items) = self.item_repr.as_slice() else {
            return;
        };
        if positives.is_empty() || n as usize <= positives.len() {
            return;
        }
        let is_positive = |j: u32| positives.binary_search_by_key(&j, |&(i, _)| i).is_ok();
        let rounds = positives.iter().map(|&(_, p)| p).max().unwrap_or(0);
        for round in 0..rounds {
            for &(i, _) in positives.iter().filter(|&&(_, p)| p > round) {
                let mut j = random() % n;
                while is_positive(j) {
                    j = random() % n;
                }
                let qi = &items[i as usize * (d + 1)..(i as usize + 1) * (d + 1)];
                let qj = &items[j as usize * (d + 1)..(j as usize + 1) * (d + 1)];
                let mut x = qi[d] - qj[d];
                for k in 0..d {
                    x += user[k] * (qi[k] - qj[k]);
                }
                let l = 1.0 - 1.0 / (1.0 + (-x).exp());
                let norm2: f32 = (0..d)
                    .map(|k| (qi[k] - qj[k]) * (qi[k] - qj[k]))
                    .sum::<f32>()
                    + 1e-6;
                let step = learning_rate * l / norm2;
                for k in 0..d {
                    user[k] += step * (qi[k] - qj[k]);
                }
            }
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
            item_features: None,
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
            m.score_all_scalar(&user, &mut b);
            assert_eq!(
                a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "d={d}: the fast path is the scalar kernel bit for bit (SIMD128: {})",
                FactorModel::SIMD128
            );
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
            item_features: None,
            user_feature_repr: ndarray::arr2(&[[1.0, 2.0, 0.5], [3.0, 4.0, 1.5]]),
            user_features: vocab,
            user_repr: Array2::zeros((0, 3)),
            normalize: true,
        };
        // (row a + row b) / 2, unknown "c" ignored.
        assert_eq!(m.user_from_features(&["b", "a", "c"]), vec![2.0, 3.0, 1.0]);
    }

    #[test]
    fn fold_in_moves_the_user_towards_its_positives() {
        // Two items along opposite axes; the user starts neutral and likes item 0.
        let m = FactorModel {
            no_components: 2,
            item_repr: ndarray::arr2(&[[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
            item_features: None,
            user_feature_repr: Array2::zeros((0, 3)),
            user_features: Vocabulary::default(),
            user_repr: Array2::zeros((0, 3)),
            normalize: true,
        };
        let mut u = vec![0.0f32, 0.0, 0.0];
        let mut k = 0u32;
        m.fold_in(&mut u, &[(0, 10)], 0.1, || {
            k = k.wrapping_add(1);
            k
        });
        let mut s = Vec::new();
        m.score_all(&u, &mut s);
        assert!(s[0] > s[1] && s[0] > s[2], "{s:?}");
        assert!(u[0] > 0.0);
    }
}
