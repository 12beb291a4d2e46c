//! Collaboration evidence as ranker features: what each influencer's posts say about the
//! brands it works with, read for one query brand at a time.
//!
//! For a pair (b, i) the features count what i named *besides* b:
//! - `brands_named`: known brands i named, b excluded;
//! - `category_brands_named`: of those, brands of b's category (the look-alike signal: an
//!   account that posts about three skincare brands is a likely fourth skincare partner);
//! - `handles_named`: distinct handles i named, b's handle excluded (brands or not: how much
//!   the account tags others at all);
//! - `sponsored_posts`: i's paid posts, those crediting b excluded.
//!
//! Excluding b is what makes the features leak-free when the ranker learns from mention
//! labels: the label "i named b" never shows in (b, i)'s own row, and a new brand's rows
//! read the same numbers a held-out known brand's did in training.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, MentionRow};
use crate::cohesion::CohesionIndex;
use crate::model::Brand;

/// Number of evidence features (their names are in [`super::FEATURE_NAMES`]).
pub const EVIDENCE_FEATURES: usize = 4;

/// Per-influencer evidence over a catalog's brands (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence {
    /// Influencer i's named known brands are `named[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    /// (brand id, paid posts crediting it), sorted by brand within an influencer.
    named: Vec<(u32, u32)>,
    /// Per influencer: distinct handles named.
    handles: Vec<u32>,
    /// Per influencer: paid posts over every handle.
    sponsored: Vec<u32>,
    /// Per known brand: its category as the cohesion index interns it (`None`: a category no
    /// influencer has, which then matches no named brand's either).
    brand_category: Vec<Option<u32>>,
}

impl Evidence {
    /// Evidence of `n_influencers` influencers from `mentions` (sorted by influencer, as a
    /// catalog keeps them), with `brands` (their handles and categories) as the known brands.
    /// Rows naming an influencer outside the range are skipped.
    pub fn new(
        n_influencers: usize,
        mentions: &[MentionRow],
        brands: &[Brand],
        index: &CohesionIndex,
    ) -> Evidence {
        let by_handle: BTreeMap<&str, u32> = brands
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.handle.is_empty())
            .map(|(k, b)| (b.handle.as_str(), k as u32))
            .collect();
        let mut e = Evidence {
            offsets: Vec::with_capacity(n_influencers + 1),
            named: Vec::new(),
            handles: vec![0; n_influencers],
            sponsored: vec![0; n_influencers],
            brand_category: brands
                .iter()
                .map(|b| index.prepare_brand(b).category())
                .collect(),
        };
        let mut rows = mentions.iter().peekable();
        for i in 0..n_influencers {
            e.offsets.push(e.named.len() as u32);
            let start = e.named.len();
            while let Some(m) = rows.next_if(|m| m.influencer as usize <= i) {
                if m.influencer as usize != i {
                    continue;
                }
                e.handles[i] += 1;
                e.sponsored[i] = e.sponsored[i].saturating_add(m.sponsored_posts);
                if let Some(&b) = by_handle.get(m.handle.as_str()) {
                    e.named.push((b, m.sponsored_posts));
                }
            }
            e.named[start..].sort_unstable();
        }
        e.offsets.push(e.named.len() as u32);
        e
    }

    /// The evidence of catalog `c`.
    pub fn of(c: &Catalog) -> Evidence {
        Evidence::new(c.influencers().len(), c.mentions(), c.brands(), c.index())
    }

    /// The known brands influencer `i` named, with the paid posts crediting each.
    fn named_by(&self, i: usize) -> &[(u32, u32)] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.named[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Writes the evidence features of (query brand, influencer `i`) into `out` (length
    /// [`EVIDENCE_FEATURES`]): `brand` is the query brand's id when it is a known brand,
    /// `category` its interned category.
    pub fn features(&self, brand: Option<u32>, category: Option<u32>, i: usize, out: &mut [f64]) {
        let named = self.named_by(i);
        let own = brand.and_then(|b| named.iter().find(|n| n.0 == b));
        let category_brands = named
            .iter()
            .filter(|n| Some(n.0) != brand)
            .filter(|n| {
                category.is_some() && self.brand_category.get(n.0 as usize) == Some(&category)
            })
            .count();
        let handles = self.handles.get(i).copied().unwrap_or(0);
        let sponsored = self.sponsored.get(i).copied().unwrap_or(0);
        out[0] = (named.len() - usize::from(own.is_some())) as f64;
        out[1] = category_brands as f64;
        out[2] = f64::from(handles - u32::from(own.is_some()));
        out[3] = f64::from(sponsored - own.map_or(0, |n| n.1.min(sponsored)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohesion::CohesionWeights;
    use crate::model::Influencer;

    fn row(influencer: u32, handle: &str, posts: u32, sponsored_posts: u32) -> MentionRow {
        MentionRow {
            influencer,
            handle: handle.into(),
            posts,
            sponsored_posts,
            first_seen: None,
            last_seen: None,
        }
    }

    #[test]
    fn a_pair_counts_what_the_influencer_named_besides_the_query_brand() {
        let inf = |cat: &str| Influencer {
            category: cat.into(),
            ..Influencer::default()
        };
        let influencers = vec![inf("beauty"), inf("food"), inf("beauty")];
        let index = CohesionIndex::new(&influencers, CohesionWeights::default()).unwrap();
        let brand = |handle: &str, cat: &str| Brand {
            handle: handle.into(),
            category: cat.into(),
            ..Brand::default()
        };
        let brands = vec![
            brand("glow", "beauty"),
            brand("lush_es", "beauty"),
            brand("pasta", "food"),
            brand("", "beauty"),
        ];
        let mentions = vec![
            row(0, "friend", 3, 0),
            row(0, "glow", 2, 1),
            row(0, "lush_es", 1, 0),
            row(0, "pasta", 1, 1),
            row(2, "glow", 1, 0),
            row(7, "glow", 1, 0), // outside the catalog: skipped
        ];
        let e = Evidence::new(3, &mentions, &brands, &index);
        let beauty = index.prepare_brand(&brands[0]).category();
        assert!(beauty.is_some());
        let f = |b: Option<u32>, i: usize| {
            let mut out = [0.0; EVIDENCE_FEATURES];
            e.features(b, beauty, i, &mut out);
            out
        };
        // For glow: lush_es and pasta named (lush_es in beauty), friend + two brands as
        // handles, one paid post besides glow's.
        assert_eq!(f(Some(0), 0), [2.0, 1.0, 3.0, 1.0]);
        // For a new beauty brand nothing is excluded: glow and lush_es are both beauty.
        assert_eq!(f(None, 0), [3.0, 2.0, 4.0, 2.0]);
        // The only brand influencer 2 named is the query brand: nothing is left.
        assert_eq!(f(Some(0), 2), [0.0; 4]);
        assert_eq!(f(Some(1), 2), [1.0, 1.0, 1.0, 0.0]);
        assert_eq!(f(None, 1), [0.0; 4]);
        // An id past the table reads as an influencer with no evidence.
        assert_eq!(f(None, 9), [0.0; 4]);
    }
}
