//! Sparse feature matrices and vocabularies for the factorization model.
//!
//! A row (a brand or an influencer) is a sparse vector over named features: its identity
//! feature plus content features (`category:fashion`, `country:spain`, `tag:vegan`, ...).
//! Optionally each row is L1-normalised so its weights sum to 1, as LightFM's `Dataset` does
//! with `normalize=True` (the representation is then the weighted mean of its features'
//! embeddings, so rows with many hashtags are not scaled up).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Compressed sparse rows with `u32` indices and `f32` weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsrMatrix {
    /// Number of rows.
    pub rows: u32,
    /// Number of columns (features).
    pub cols: u32,
    /// Row `r` spans `indptr[r]..indptr[r + 1]`.
    pub indptr: Vec<u32>,
    /// Column of each stored entry; sorted and unique within a row.
    pub indices: Vec<u32>,
    /// Weight of each stored entry.
    pub data: Vec<f32>,
}

impl CsrMatrix {
    /// The `n x n` identity.
    pub fn identity(n: u32) -> Self {
        CsrMatrix {
            rows: n,
            cols: n,
            indptr: (0..=n).collect(),
            indices: (0..n).collect(),
            data: vec![1.0; n as usize],
        }
    }

    /// Builds from per-row `(column, weight)` lists; duplicate columns in a row are summed,
    /// zero weights dropped.
    pub fn from_rows(cols: u32, rows: &[Vec<(u32, f32)>]) -> Result<Self> {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        indptr.push(0u32);
        for (r, row) in rows.iter().enumerate() {
            let mut sorted: BTreeMap<u32, f32> = BTreeMap::new();
            for &(c, w) in row {
                if c >= cols || !w.is_finite() {
                    return Err(Error::InvalidParam {
                        name: "features",
                        message: format!(
                            "row {r}: column {c} weight {w} (matrix has {cols} columns)"
                        ),
                    });
                }
                *sorted.entry(c).or_insert(0.0) += w;
            }
            for (c, w) in sorted {
                if w != 0.0 {
                    indices.push(c);
                    data.push(w);
                }
            }
            indptr.push(indices.len() as u32);
        }
        Ok(CsrMatrix {
            rows: rows.len() as u32,
            cols,
            indptr,
            indices,
            data,
        })
    }

    /// Columns and weights of row `r`.
    pub fn row(&self, r: u32) -> (&[u32], &[f32]) {
        let (a, b) = (
            self.indptr[r as usize] as usize,
            self.indptr[r as usize + 1] as usize,
        );
        (&self.indices[a..b], &self.data[a..b])
    }

    /// Divides every row by the sum of its weights (rows summing to 0 are left alone).
    pub fn normalize_rows(&mut self) {
        for r in 0..self.rows as usize {
            let (a, b) = (self.indptr[r] as usize, self.indptr[r + 1] as usize);
            let s: f64 = self.data[a..b].iter().map(|&w| f64::from(w)).sum();
            if s != 0.0 {
                for w in &mut self.data[a..b] {
                    *w = (f64::from(*w) / s) as f32;
                }
            }
        }
    }

    /// Whether column `c` is stored in row `r` (binary search).
    pub fn contains(&self, r: u32, c: u32) -> bool {
        self.row(r).0.binary_search(&c).is_ok()
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
}

/// Feature names and their ids, in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    names: Vec<String>,
    #[serde(skip)]
    ids: BTreeMap<String, u32>,
}

impl Vocabulary {
    /// The id of `name`, adding it when new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if self.ids.is_empty() && !self.names.is_empty() {
            self.reindex();
        }
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    /// The id of `name` if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        if self.ids.is_empty() {
            return self.names.iter().position(|n| n == name).map(|p| p as u32);
        }
        self.ids.get(name).copied()
    }

    /// Rebuilds the lookup map (after deserialisation).
    pub fn reindex(&mut self) {
        self.ids = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Feature names by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sorted_summed_and_normalised() {
        let mut m = CsrMatrix::from_rows(
            4,
            &[vec![(3, 1.0), (0, 1.0), (3, 2.0)], vec![], vec![(1, 0.0)]],
        )
        .unwrap();
        assert_eq!(m.row(0), (&[0u32, 3][..], &[1.0f32, 3.0][..]));
        assert_eq!(m.row(1).0.len(), 0);
        assert_eq!(m.row(2).0.len(), 0, "zero weights are dropped");
        m.normalize_rows();
        assert_eq!(m.row(0).1, &[0.25, 0.75]);
        assert!(m.contains(0, 3) && !m.contains(0, 1));
        assert!(CsrMatrix::from_rows(2, &[vec![(2, 1.0)]]).is_err());
    }

    #[test]
    fn vocabulary_interns_in_order() {
        let mut v = Vocabulary::default();
        assert_eq!(v.intern("a"), 0);
        assert_eq!(v.intern("b"), 1);
        assert_eq!(v.intern("a"), 0);
        assert_eq!(v.get("b"), Some(1));
        assert_eq!(v.get("c"), None);
    }
}
