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
use crate::collector::wire::{BrandProfile, Row, RowKind};
use crate::error::Result;
use crate::model::{Brand, Interaction};
use crate::rank::{NewBrand, RankBy, RankRequest, Recommender, Who};
use crate::text::key;

/// Appends to `brands` the received new brands the data does not have (resolved as the page
/// resolves them) and turns the collected interaction rows into interactions (pairing rows
/// carry no points and are not interactions).
pub fn merge(
    brands: &mut Vec<Brand>,
    interactions: &mut Vec<Interaction>,
    profiles: &[BrandProfile],
    rows: &[Row],
    lexicon: &Lexicon,
) {
    let mut known: BTreeSet<String> = brands.iter().map(|b| key(&b.name)).collect();
    for p in profiles {
        if known.insert(key(&p.name)) {
            brands.push(profile_brand(p).resolve(lexicon));
        }
    }
    interactions.extend(rows.iter().filter_map(|r| match r.kind {
        RowKind::Interaction(kind) => Some(Interaction {
            event_id: r.event_id.clone(),
            brand: r.brand.clone(),
            influencer: r.influencer.clone(),
            kind,
            timestamp_ms: r.timestamp_ms,
            points: r.points,
        }),
        RowKind::Pairing => None,
    }));
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

/// Splits collected rows (sorted by time) into the rows to train on and the newest
/// `fraction` of the interaction rows, held out (at least one when there are any).
pub fn hold_out(rows: &[Row], fraction: f64) -> (Vec<Row>, Vec<Row>) {
    let interactions: Vec<usize> = (0..rows.len())
        .filter(|&i| matches!(rows[i].kind, RowKind::Interaction(_)))
        .collect();
    let n = ((interactions.len() as f64 * fraction).ceil() as usize).min(interactions.len());
    let held: BTreeSet<usize> = interactions[interactions.len() - n..]
        .iter()
        .copied()
        .collect();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, r) in rows.iter().enumerate() {
        if held.contains(&i) {
            test.push(r.clone());
        } else {
            train.push(r.clone());
        }
    }
    (train, test)
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
    fn merge_adds_new_brands_once_and_drops_pairing_rows() {
        let mut brands = small().brands().to_vec();
        let mut interactions = Vec::new();
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
        let click = RowKind::Interaction(InteractionKind::Click);
        let rows = [
            row("e1", "Trail Gear", "a", click, 1),
            row("e2", "Trail Gear", "b", RowKind::Pairing, 2),
        ];
        merge(
            &mut brands,
            &mut interactions,
            &profiles,
            &rows,
            Lexicon::builtin(),
        );
        let names: Vec<&str> = brands.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["acme", "Trail Gear"]);
        assert_eq!(brands[1].category, "nature");
        assert_eq!(interactions.len(), 1);
        assert_eq!(interactions[0].kind, InteractionKind::Click);
    }

    #[test]
    fn the_newest_interactions_are_held_out() {
        let click = RowKind::Interaction(InteractionKind::Click);
        let rows: Vec<Row> = (0..10)
            .map(|i| {
                row(
                    &format!("e{i}"),
                    "acme",
                    "a",
                    if i == 9 { RowKind::Pairing } else { click },
                    i,
                )
            })
            .collect();
        let (train, test) = hold_out(&rows, 0.2);
        let ids = |v: &[Row]| v.iter().map(|r| r.event_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&test), ["e7", "e8"]);
        assert_eq!(train.len(), 8);
        assert_eq!(hold_out(&rows[..1], 0.2).1.len(), 1, "at least one");
        assert_eq!(hold_out(&[], 0.2).1.len(), 0);
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
