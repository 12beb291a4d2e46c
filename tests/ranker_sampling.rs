//! The ranker's sampled training table: deterministic for a seed, bounded per brand, holding
//! every label pair and none of the history (issue 15, part 1).

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use influence_rec::catalog::{BuildParams, Catalog};
use influence_rec::factor::FactorSettings;
use influence_rec::generate::{generate, GenerateParams};
use influence_rec::mf::{LightFmParams, Loss};
use influence_rec::ranker::train::{ranking_tables, PairTable, RankerSettings, TrainingPairs};
use influence_rec::Lexicon;

fn catalog() -> Catalog {
    let p = GenerateParams {
        seed: 11,
        influencers: 900,
        brands: 40,
        exposures_per_brand: 80,
    };
    let d = generate(&p, Lexicon::builtin()).expect("generates");
    Catalog::build(
        d.influencers,
        d.brands,
        &d.interactions,
        &BuildParams::default(),
    )
    .expect("builds")
    .0
}

fn factor() -> FactorSettings {
    FactorSettings {
        params: LightFmParams {
            loss: Loss::Warp,
            no_components: 8,
            ..LightFmParams::default()
        },
        epochs: 3,
        ..FactorSettings::default()
    }
}

fn tables(c: &Catalog, pairs: TrainingPairs, seed: u64) -> (PairTable, PairTable) {
    let s = RankerSettings {
        pairs,
        seed,
        ..RankerSettings::default()
    };
    ranking_tables(c, &c.positives(1.0), Some(&factor()), &s).expect("tables")
}

/// Rows of each brand query: (brand, influencers).
fn queries(t: &PairTable) -> Vec<(u32, Vec<u32>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for &g in &t.group {
        let rows = &t.pairs[at..at + g as usize];
        assert!(rows.iter().all(|p| p.0 == rows[0].0), "one brand per query");
        out.push((rows[0].0, rows.iter().map(|p| p.1).collect()));
        at += g as usize;
    }
    assert_eq!(at, t.pairs.len());
    out
}

/// The labelled rows (brand, influencer, grade), in pair order.
fn graded(t: &PairTable) -> Vec<(u32, u32, f64)> {
    let mut v: Vec<(u32, u32, f64)> = t
        .pairs
        .iter()
        .zip(&t.y)
        .filter(|(_, &y)| y > 0.0)
        .map(|(p, &y)| (p.0, p.1, y))
        .collect();
    v.sort_by_key(|a| (a.0, a.1));
    v
}

fn positives(t: &PairTable) -> BTreeSet<(u32, u32)> {
    t.pairs
        .iter()
        .zip(&t.y)
        .filter(|(_, &y)| y > 0.0)
        .map(|(p, _)| *p)
        .collect()
}

#[test]
fn sampled_training_is_deterministic_for_a_seed() {
    let c = catalog();
    let sampled = TrainingPairs::Sampled {
        top: 20,
        random: 50,
    };
    let (a, av) = tables(&c, sampled, 5);
    let (b, bv) = tables(&c, sampled, 5);
    assert_eq!(a.pairs, b.pairs);
    assert_eq!(a.group, b.group);
    assert_eq!(a.y, b.y);
    assert_eq!(
        a.x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(av.pairs, bv.pairs);
    let (other, _) = tables(&c, sampled, 6);
    assert_ne!(a.pairs, other.pairs, "another seed draws other negatives");
}

#[test]
fn sampled_queries_are_bounded_hold_every_label_and_no_history() {
    let c = catalog();
    let (top, random) = (20u32, 50u32);
    for seed in [1, 2] {
        let (every, every_valid) = tables(&c, TrainingPairs::Every, seed);
        let (sampled, sampled_valid) = tables(&c, TrainingPairs::Sampled { top, random }, seed);
        for (e, s) in [(&every, &sampled), (&every_valid, &sampled_valid)] {
            // The same label pairs with the same grades: sampling only drops negatives.
            assert_eq!(positives(e), positives(s));
            assert_eq!(graded(e), graded(s));
            let eq = queries(e);
            let sq = queries(s);
            assert_eq!(
                eq.iter().map(|q| q.0).collect::<Vec<_>>(),
                sq.iter().map(|q| q.0).collect::<Vec<_>>(),
                "the same query brands"
            );
            for ((u, all), (_, picked)) in eq.iter().zip(&sq) {
                // Every influencer outside the brand's history is in the full query, so a
                // sampled one outside it would be a history pair.
                let all: BTreeSet<u32> = all.iter().copied().collect();
                assert!(
                    picked.iter().all(|i| all.contains(i)),
                    "brand {u}: history pair"
                );
                assert!(picked.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
                let labels = s
                    .pairs
                    .iter()
                    .zip(&s.y)
                    .filter(|(p, &y)| p.0 == *u && y > 0.0);
                let bound = labels.count() + 2 * top as usize + random as usize;
                assert!(
                    picked.len() <= bound,
                    "brand {u}: {} > {bound}",
                    picked.len()
                );
                assert!(
                    picked.len() < all.len(),
                    "brand {u}: sampling kept everyone"
                );
            }
        }
        assert!(
            sampled.y.len() * 3 < every.y.len(),
            "the sampled table is smaller"
        );
    }
}

#[test]
fn the_proposers_top_candidates_are_in_the_query() {
    let c = catalog();
    let (t, _) = tables(&c, TrainingPairs::Sampled { top: 30, random: 0 }, 3);
    let index = c.index();
    for (u, picked) in queries(&t) {
        let scores = index.score_all(&index.prepare_brand(&c.brands()[u as usize]));
        let best = influence_rec::topk::top_k(&scores, 30);
        let picked: BTreeSet<u32> = picked.into_iter().collect();
        // History pairs are left out, so at most a few of the rule's best may be missing.
        let present = best
            .iter()
            .filter(|&&i| picked.contains(&(i as u32)))
            .count();
        assert!(present + 10 >= best.len(), "brand {u}: {present} of 30");
    }
}
