//! The factorization model as a bundle stores it: embedding matrices at a chosen precision
//! (f32, or int8 with one scale a row), and content-only influencers as their features'
//! embeddings, rebuilt into one row per influencer by [`FactorModel::load`]. The stored form is
//! checked once in `load`; a [`FactorModel`] built from it cannot be inconsistent.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::features::{CsrMatrix, Vocabulary};
use super::model::{representations, FactorModel, FeatureEmbeddings};

/// Storage precision of embedding matrices in a bundle.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 4 bytes a value, exact.
    F32,
    /// 1 byte a value plus one f32 scale a row: x ≈ scale · q, q ∈ [−127, 127].
    I8,
}

/// A row-major matrix as stored in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StoredMatrix {
    /// Plain f32.
    F32 {
        /// Rows.
        rows: u32,
        /// Columns.
        cols: u32,
        /// Values, row-major.
        data: Vec<f32>,
    },
    /// Symmetric per-row int8.
    I8 {
        /// Rows.
        rows: u32,
        /// Columns.
        cols: u32,
        /// Per-row scale (max |x| / 127).
        scales: Vec<f32>,
        /// Quantised values, row-major.
        data: Vec<i8>,
    },
}

impl StoredMatrix {
    /// Stores `a` at `precision`.
    pub fn new(a: &Array2<f32>, precision: Precision) -> Self {
        let (rows, cols) = (a.nrows() as u32, a.ncols() as u32);
        match precision {
            Precision::F32 => StoredMatrix::F32 {
                rows,
                cols,
                data: a.iter().copied().collect(),
            },
            Precision::I8 => {
                let mut scales = Vec::with_capacity(a.nrows());
                let mut data = Vec::with_capacity(a.len());
                for row in a.rows() {
                    let m = row.iter().fold(0f32, |m, x| m.max(x.abs()));
                    let s = if m > 0.0 { m / 127.0 } else { 1.0 };
                    scales.push(s);
                    data.extend(
                        row.iter()
                            .map(|x| (x / s).round().clamp(-127.0, 127.0) as i8),
                    );
                }
                StoredMatrix::I8 {
                    rows,
                    cols,
                    scales,
                    data,
                }
            }
        }
    }

    /// The matrix as f32 (dequantised); `None` when the stored sizes disagree.
    pub fn to_array(&self) -> Option<Array2<f32>> {
        match self {
            StoredMatrix::F32 { rows, cols, data } => {
                Array2::from_shape_vec((*rows as usize, *cols as usize), data.clone()).ok()
            }
            StoredMatrix::I8 {
                rows,
                cols,
                scales,
                data,
            } => {
                let (r, c) = (*rows as usize, *cols as usize);
                if scales.len() != r || data.len() != r.checked_mul(c)? {
                    return None;
                }
                let v: Vec<f32> = data
                    .chunks_exact(c.max(1))
                    .zip(scales)
                    .flat_map(|(row, &s)| row.iter().map(move |&q| f32::from(q) * s))
                    .collect();
                Array2::from_shape_vec((r, c), v).ok()
            }
        }
    }
}

/// The items of a [`StoredFactorModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StoredItems {
    /// One row per influencer (trained with identity features), `n_items x (d + 1)`.
    Rows(StoredMatrix),
    /// Content-only influencers: the item feature embeddings, one row per name of the
    /// catalog's [`ItemContent`] in sorted order (the names are not stored: the catalog in
    /// the same bundle gives them back, and the checksum proves they are the same); each
    /// influencer's row is built from its features when the model is loaded.
    Features {
        /// [`names_checksum`] of the sorted names.
        names_checksum: u64,
        /// The embeddings and biases, `names x (d + 1)`.
        repr: StoredMatrix,
    },
}

/// The content side of a catalog a content-only model's influencers are rebuilt from: every
/// item feature name the catalog's influencers have, sorted (ids index the stored rows), and
/// each influencer's normalised row over them.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemContent {
    /// The item feature names, sorted.
    pub names: Vocabulary,
    /// One row per influencer, L1-normalised.
    pub rows: CsrMatrix,
}

/// A fingerprint of a list of names (FNV-1a 64 over each name's length and bytes), stored in
/// place of the names themselves when the catalog gives them back.
pub fn names_checksum(names: &[String]) -> u64 {
    let mut bytes = Vec::new();
    for n in names {
        bytes.extend_from_slice(&(n.len() as u64).to_le_bytes());
        bytes.extend_from_slice(n.as_bytes());
    }
    crate::random::fnv1a64(&bytes)
}

/// A [`FactorModel`] as stored in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFactorModel {
    /// d.
    pub no_components: u32,
    /// The items.
    pub items: StoredItems,
    /// User feature representations.
    pub user_feature_repr: StoredMatrix,
    /// User feature names.
    pub user_features: Vec<String>,
    /// Known users' representations.
    pub user_repr: StoredMatrix,
    /// Whether user rows are L1-normalised.
    pub normalize: bool,
}

impl FactorModel {
    /// The stored form at `precision`.
    pub fn store(&self, precision: Precision) -> StoredFactorModel {
        StoredFactorModel {
            no_components: self.no_components,
            items: match &self.item_features {
                None => StoredItems::Rows(StoredMatrix::new(&self.item_repr, precision)),
                Some(f) => {
                    // Rows in sorted-name order, the order the catalog gives the names back.
                    let names = f.names.names();
                    let mut order: Vec<usize> = (0..names.len()).collect();
                    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
                    let sorted: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
                    let repr = f.repr.select(ndarray::Axis(0), &order);
                    StoredItems::Features {
                        names_checksum: names_checksum(&sorted),
                        repr: StoredMatrix::new(&repr, precision),
                    }
                }
            },
            user_feature_repr: StoredMatrix::new(&self.user_feature_repr, precision),
            user_features: self.user_features.names().to_vec(),
            user_repr: StoredMatrix::new(&self.user_repr, precision),
            normalize: self.normalize,
        }
    }

    /// Rebuilds from the stored form; `None` when shapes disagree with `no_components`, names
    /// repeat, or (content-only items; `content` is called only then) the catalog's
    /// [`ItemContent`] is not the one the model was stored with (other names, another count)
    /// or its rows name a feature outside it.
    pub fn load(
        s: &StoredFactorModel,
        content: impl FnOnce() -> ItemContent,
    ) -> Option<FactorModel> {
        let d1 = s.no_components as usize + 1;
        let vocabulary = |names: &[String]| {
            let mut v = Vocabulary::default();
            for n in names {
                v.intern(n);
            }
            (v.len() == names.len()).then_some(v)
        };
        let (item_repr, item_features) = match &s.items {
            StoredItems::Rows(m) => (m.to_array()?, None),
            StoredItems::Features {
                names_checksum: checksum,
                repr,
            } => {
                let repr = repr.to_array()?;
                let ItemContent { names, rows } = content();
                if repr.nrows() != names.len()
                    || repr.ncols() != d1
                    || names_checksum(names.names()) != *checksum
                    || rows.cols as usize != names.len()
                {
                    return None;
                }
                let items = representations(&rows, &repr)?;
                (items, Some(FeatureEmbeddings { names, repr }))
            }
        };
        let user_feature_repr = s.user_feature_repr.to_array()?;
        let user_repr = s.user_repr.to_array()?;
        if item_repr.ncols() != d1
            || user_feature_repr.ncols() != d1
            || user_repr.ncols() != d1
            || user_feature_repr.nrows() != s.user_features.len()
        {
            return None;
        }
        let user_features = vocabulary(&s.user_features)?;
        Some(FactorModel {
            no_components: s.no_components,
            item_repr,
            item_features,
            user_feature_repr,
            user_features,
            user_repr,
            normalize: s.normalize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_round_trip_is_close_and_f32_exact() {
        let a = ndarray::arr2(&[[0.5f32, -1.0, 0.25], [0.0, 0.0, 0.0], [3.0, 1.5, -0.75]]);
        assert_eq!(
            StoredMatrix::new(&a, Precision::F32).to_array(),
            Some(a.clone())
        );
        let b = StoredMatrix::new(&a, Precision::I8).to_array().unwrap();
        for (x, y) in a.iter().zip(b.iter()) {
            // Per-row step is max|x|/127: error at most half a step.
            assert!((x - y).abs() <= 3.0 / 127.0 / 2.0 + 1e-7, "{x} vs {y}");
        }
        let bad = StoredMatrix::I8 {
            rows: 2,
            cols: 2,
            scales: vec![1.0],
            data: vec![1, 2, 3, 4],
        };
        assert!(bad.to_array().is_none());
    }
}
