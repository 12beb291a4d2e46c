//! Sparse feature matrices and vocabularies for the factorization model.
//!
//! A row (a brand or an influencer) is a sparse vector over named features: its identity
//! feature plus content features (`category:fashion`, `country:spain`, `tag:vegan`, ...).
//! Optionally each row is L1-normalised so its weights sum to 1, as LightFM's `Dataset` does
//! with `normalize=True` (the representation is then the weighted mean of its features'
//! embeddings, so rows with many hashtags are not scaled up).
//!
//! Feature names (stable strings; a vocabulary keeps insertion order):
//! - brands (users): `brand:<name>` (identity), `category:<slug>`, `country:<name>`,
//!   `tag:<hashtag>`;
//! - influencers (items): `influencer:<name>` (identity), `category:`, `country:`, `tag:`,
//!   and buckets the cohesion rule does not use: `followers:<half-decade of log10>`,
//!   `er:<bucket>`, `cost:<half-decade of log10 cost per post>` or `cost:unknown`.
//!
//! Rows are L1-normalised (as LightFM's `Dataset(normalize=True)`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Brand, Influencer};
use crate::text::key;

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
        // Inserted one by one (a later duplicate's id wins, as in a collected map) rather
        // than collected: a collected map sorts with a sort of its own type in the page's
        // module (see crate::sorting).
        self.ids = BTreeMap::new();
        for (i, n) in self.names.iter().enumerate() {
            self.ids.insert(n.clone(), i as u32);
        }
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
/// (and NaN) is bucket 0, at or above 10^20 bucket 40. See `Bounds` for why the bounds are
/// not `log10`.
pub fn half_decade_bucket(x: f64) -> i32 {
    let x = x.max(1.0); // NaN too (`max` takes the number)
                        // The number of bounds at or below x, less one (bound 0 is 1 <= x).
    bounds().half_decade.partition_point(|&b| b <= x) as i32 - 1
}

/// The quarter-of-a-natural-log bucket k of an engagement rate (x in [q^k, q^(k+1)) with
/// q = e^(1/4), k in -40..=40; rates are floored at 10⁻⁴, so k ≥ -37). See `Bounds`.
pub fn quarter_ln_bucket(x: f64) -> i32 {
    let x = x.max(1e-4);
    let below = bounds().quarter_ln.partition_point(|&b| b <= x) as i32;
    (below - 41).max(-40)
}

/// An influencer's buckets of the values the cohesion rule does not use: followers'
/// half-decade, engagement's quarter-log and cost per post's half-decade (`None`: unknown,
/// a feature of its own, never the bucket of 0).
pub type Buckets = (Option<i32>, Option<i32>, Option<i32>);

/// The [`Buckets`] of followers, engagement rate and cost per post.
pub fn buckets(
    followers: Option<u64>,
    engagement_rate: Option<f64>,
    cost_per_post: Option<f64>,
) -> Buckets {
    (
        followers.map(|f| half_decade_bucket(f as f64)),
        engagement_rate.map(quarter_ln_bucket),
        cost_per_post.map(half_decade_bucket),
    )
}

/// The feature names of [`Buckets`]: `followers:<k/2>`, `er:<k/4>`, `cost:<k/2>`, each
/// `<name>:unknown` when its value is.
pub fn bucket_features((followers, er, cost): Buckets) -> [String; 3] {
    let name = |prefix: &str, b: Option<i32>, per_unit: f64| match b {
        Some(k) => format!("{prefix}:{}", f64::from(k) / per_unit),
        None => format!("{prefix}:unknown"),
    };
    [
        name("followers", followers, 2.0),
        name("er", er, 4.0),
        name("cost", cost, 2.0),
    ]
}

/// The feature name of a handle an influencer's posts name.
pub fn handle_feature(handle: &str) -> String {
    format!("mention:{handle}")
}

/// The handles influencers name that are item features ([`handle_feature`]), as sparse
/// rows: which handles qualify is the catalog's choice (`Catalog::handle_features`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandleFeatures<'a> {
    /// The handles that are some account's feature, sorted.
    pub handles: Vec<&'a str>,
    /// Influencer i's features are `handles[k]` for k in `ids[offsets[i]..offsets[i + 1]]`,
    /// ascending.
    pub offsets: Vec<u32>,
    /// See `offsets`.
    pub ids: Vec<u32>,
}

impl HandleFeatures<'_> {
    /// Influencer `i`'s handle ids (into `handles`), ascending.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohesion::tests::influencer;

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

    #[test]
    fn influencer_features_name_the_buckets() {
        let mut i = influencer("Ana", "fashion", "Spain", &["ootd"], 0.05);
        i.followers = Some(31_623); // log10 = 4.5
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
            bucket_features(buckets(Some(10_000), Some(0.05), None)),
            ["followers:4", "er:-3", "cost:unknown"]
        );
        // Unknown is a feature of its own, not the bucket of 0.
        assert_eq!(
            bucket_features(buckets(None, None, Some(100.0))),
            ["followers:unknown", "er:unknown", "cost:2"]
        );
    }

    #[test]
    fn repeated_tags_are_one_feature() {
        let i = influencer("Ana", "fashion", "Spain", &["ootd", "ootd", "style"], 0.05);
        let f = influencer_features(&i, false);
        assert_eq!(f.iter().filter(|n| *n == "tag:ootd").count(), 1, "{f:?}");
    }
}
