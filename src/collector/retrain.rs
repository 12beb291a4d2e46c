//! The retraining loop's pure parts: collected rows joined to the data, a held-out slice of
//! the newest collected interactions, and the score a bundle earns on it. `influence-rec
//! retrain` (the CLI) reads and writes the files around them.
//!
//! The held-out score is the mean over held-out brands of NDCG@k with binary relevance: the
//! influencers a brand interacted with in the held-out rows are relevant, and the brand's
//! list is the bundle's best ordering (the ranker pipeline when it has one; a brand the bundle
//! does not know is ranked as a new brand from its received description).

use std::collections::{BTreeMap, BTreeSet};

use crate::category::Lexicon;
use crate::collector::wire::{BrandProfile, Row};
use crate::error::Result;
use crate::model::Brand;
use crate::rank::{NewBrand, RankBy, RankRequest, Recommender, Who};
use crate::text::key;

/// Appends to `brands` the received new brands the data does not have (resolved as the page
/// resolves them). The collected rows themselves enter as weighed evidence
/// ([`crate::collector::evidence::weigh`]), not as interactions.
pub fn merge_brands(brands: &mut Vec<Brand>, profiles: &[BrandProfile], lexicon: &Lexicon) {
    let mut known: BTreeSet<String> = brands.iter().map(|b| key(&b.name)).collect();
    for p in profiles {
        if known.insert(key(&p.name)) {
            brands.push(profile_brand(p).resolve(lexicon));
        }
    }
}

fn profile_brand(p: &BrandProfile) -> NewBrand {
    NewBrand {
        name: p.name.clone(),
        category: p.category.clone(),
        country: p.country.clone(),
        hashtags: p.hashtags.clone(),
        description: p.description.clone(),
    }
}

/// A bundle's score on held-out rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldoutScore {
    /// Brands with held-out rows.
    pub brands: usize,
    /// Mean NDCG@k over them.
    pub ndcg: f64,
    /// Fraction of held-out (brand, influencer) pairs in their brand's top k.
    pub hit_rate: f64,
}

/// Scores `rec` on the `held` rows; `profiles` describe brands it may not know.
pub fn score(
    rec: &Recommender,
    held: &[Row],
    profiles: &[BrandProfile],
    k: usize,
) -> Result<HoldoutScore> {
    let mut by_brand: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for r in held {
        by_brand
            .entry(key(&r.brand))
            .or_insert_with(|| (r.brand.clone(), BTreeSet::new()))
            .1
            .insert(key(&r.influencer));
    }
    let profiles: BTreeMap<String, &BrandProfile> =
        profiles.iter().map(|p| (key(&p.name), p)).collect();
    let req = RankRequest {
        by: RankBy::Ranker,
        ..RankRequest::default()
    };
    let (mut ndcg, mut hits, mut pairs, mut brands) = (0.0, 0usize, 0usize, 0usize);
    for (bk, (name, relevant)) in &by_brand {
        let ranking = match (rec.brand_id(name), profiles.get(bk)) {
            (Some(_), _) => rec.rank(Who::Known(name), k, &req)?,
            (None, Some(p)) => {
                let brand = profile_brand(p).resolve(Lexicon::builtin());
                rec.rank(Who::New(&brand), k, &req)?
            }
            // A brand neither known nor described cannot be ranked: it counts as a miss.
            (None, None) => {
                brands += 1;
                pairs += relevant.len();
                continue;
            }
        };
        let mut dcg = 0.0;
        for (pos, r) in ranking.recommendations.iter().enumerate() {
            if relevant.contains(&key(&r.name)) {
                dcg += 1.0 / (pos as f64 + 2.0).log2();
                hits += 1;
            }
        }
        let ideal: f64 = (0..relevant.len().min(k))
            .map(|pos| 1.0 / (pos as f64 + 2.0).log2())
            .sum();
        ndcg += dcg / ideal;
        pairs += relevant.len();
        brands += 1;
    }
    Ok(HoldoutScore {
        brands,
        ndcg: if brands == 0 {
            0.0
        } else {
            ndcg / brands as f64
        },
        hit_rate: if pairs == 0 {
            0.0
        } else {
            hits as f64 / pairs as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::small;
    use crate::collector::wire::RowKind;
    use crate::model::InteractionKind;

    fn row(id: &str, brand: &str, inf: &str, kind: RowKind, ts: i64) -> Row {
        Row {
            event_id: id.into(),
            brand: brand.into(),
            influencer: inf.into(),
            kind,
            points: 1.0,
            timestamp_ms: ts,
        }
    }

    #[test]
    fn new_brands_are_added_once_and_resolved() {
        let mut brands = small().brands().to_vec();
        let profiles = [
            BrandProfile {
                name: "Trail Gear".into(),
                description: "hiking boots and camping".into(),
                ..Default::default()
            },
            BrandProfile {
                name: "ACME".into(),
                ..Default::default()
            },
        ];
        merge_brands(&mut brands, &profiles, Lexicon::builtin());
        let names: Vec<&str> = brands.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["acme", "Trail Gear"]);
        assert_eq!(brands[1].category, "nature");
    }

    #[test]
    fn score_is_ndcg_over_held_out_brands() {
        let r = Recommender::new(small(), None, None).unwrap();
        let click = RowKind::Interaction(InteractionKind::Click);
        // acme ranks a first, then b: a relevant is NDCG 1, b relevant is 1/log2(3).
        let s = score(&r, &[row("e1", "acme", "a", click, 1)], &[], 10).unwrap();
        assert_eq!((s.brands, s.ndcg, s.hit_rate), (1, 1.0, 1.0));
        let s = score(&r, &[row("e1", "acme", "b", click, 1)], &[], 10).unwrap();
        assert!((s.ndcg - 1.0 / 3f64.log2()).abs() < 1e-12);
        // An unknown, undescribed brand is a miss; a described one is ranked as new.
        let s = score(&r, &[row("e1", "ghost", "a", click, 1)], &[], 10).unwrap();
        assert_eq!((s.brands, s.ndcg, s.hit_rate), (1, 0.0, 0.0));
        let p = BrandProfile {
            name: "ghost".into(),
            category: "music".into(),
            country: "US".into(),
            ..Default::default()
        };
        let s = score(&r, &[row("e1", "ghost", "a", click, 1)], &[p], 1).unwrap();
        assert_eq!(s.hit_rate, 1.0);
    }
}
