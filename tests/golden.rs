//! Golden files: a small bundle written by this format version keeps loading byte-for-byte,
//! and its rankings stay exactly what they were (the wasm test asserts the same JSON in a
//! browser). Regenerate deliberately with `UPDATE_GOLDEN=1 cargo test --test golden`.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use influence_rec::bundle;
use influence_rec::catalog::{BuildParams, Catalog};
use influence_rec::factor::{FactorSettings, ItemIdentity, RelationshipPrior};
use influence_rec::generate::{generate, GenerateParams};
use influence_rec::mf::{LightFmParams, Loss};
use influence_rec::model::AccountKind;
use influence_rec::pipeline::{train, TrainConfig};
use influence_rec::ranker::train::RankerSettings;
use influence_rec::Lexicon;

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn small_bundle_bytes() -> Vec<u8> {
    let p = GenerateParams {
        seed: 7,
        influencers: 60,
        brands: 6,
        exposures_per_brand: 30,
    };
    let mut d = generate(&p, Lexicon::builtin()).expect("generates");
    // What real scrapes have, so the golden bundle and rankings pin them too: hidden likes,
    // an unknown follower count, a shop's and a magazine's own accounts.
    for i in [3, 17] {
        d.influencers[i].mean_likes = None;
        d.influencers[i].engagement_rate = None;
    }
    d.influencers[29].followers = None;
    d.influencers[29].engagement_rate = None;
    d.influencers[8].kind = AccountKind::Brand;
    d.influencers[41].kind = AccountKind::Media;
    let (c, _) = Catalog::build(
        d.influencers,
        d.brands,
        &d.interactions,
        &BuildParams::default(),
    )
    .expect("builds");
    let settings = FactorSettings {
        params: LightFmParams {
            loss: Loss::Warp,
            no_components: 8,
            ..LightFmParams::default()
        },
        epochs: 5,
        num_threads: 1,
        min_points: 1.0,
        relationship: RelationshipPrior::default(),
        evidence: Default::default(),
        // Content-only influencers, so the golden rankings pin the vectors the browser
        // builds at load against the native build's.
        item_identity: ItemIdentity::Off,
    };
    let config = TrainConfig {
        factor: settings,
        // Six brands: below the default floor of brands with interactions, on purpose, so the
        // golden bundle still carries a ranker to pin.
        ranker: RankerSettings {
            min_brands: 2,
            ..RankerSettings::default()
        },
        ..TrainConfig::default()
    };
    let t = train(c, &config, None).expect("trains");
    bundle::write(&t.bundle).expect("writes")
}

#[test]
fn small_bundle_is_byte_stable_and_loads() {
    let bytes = small_bundle_bytes();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(fixture_path("small.bundle"), &bytes).expect("write fixture");
    }
    assert_eq!(
        bytes,
        common::SMALL_BUNDLE,
        "bundle bytes changed: bump FORMAT_VERSION or regenerate on purpose"
    );
    let (h, _) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("golden bundle loads");
    assert_eq!(h.format_version, bundle::FORMAT_VERSION);
}

#[test]
fn rankings_match_golden() {
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let got = common::rankings_json(&b.recommender("small.bundle").expect("valid"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(fixture_path("small_rankings.json"), &got).expect("write fixture");
    }
    assert_eq!(got, common::GOLDEN_RANKINGS);
}

#[test]
fn older_bundles_are_refused_with_a_version_error() {
    for v in [1, 2, 3, 4, 6, 7, 11] {
        let name = format!("small_v{v}.bundle");
        let old = std::fs::read(fixture_path(&name)).expect("old fixture");
        match bundle::read(&old, &name) {
            Err(influence_rec::Error::UnsupportedVersion {
                found, supported, ..
            }) => {
                assert_eq!((found, supported), (v, bundle::FORMAT_VERSION))
            }
            other => panic!("expected a version error for {name}, got {other:?}"),
        }
    }
}

#[test]
fn ranker_orders_by_its_score_and_explains_it() {
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = b.recommender("small.bundle").expect("valid");
    assert!(rec.ranker().is_some(), "the golden bundle carries a ranker");
    for brand in rec.brands() {
        let req = influence_rec::RankRequest {
            by: influence_rec::RankBy::Ranker,
            ..Default::default()
        };
        let r = rec
            .rank(influence_rec::Who::Known(&brand.name), 10, &req)
            .expect("known");
        assert_eq!(r.ranked_by, influence_rec::RankBy::Ranker);
        let expected = r.ranker_expected.expect("expected value");
        let scores: Vec<f64> = r
            .recommendations
            .iter()
            .map(|x| x.ranker_score.expect("scored"))
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{}: {scores:?}",
            brand.name
        );
        for x in &r.recommendations {
            // Local accuracy: expected value + contributions = the ranker's score.
            let sum: f64 = x.contributions.iter().map(|c| c.contribution).sum();
            assert!((expected + sum - x.ranker_score.unwrap_or(f64::NAN)).abs() < 1e-9);
            assert_eq!(x.contributions.len(), influence_rec::ranker::NUM_FEATURES);
        }
    }
}

/// A bundle's ranker must be over exactly the features this build computes: a model with
/// more would read past each feature row (it panicked), one with fewer ignores some.
#[test]
fn a_ranker_over_another_feature_count_is_refused() {
    use influence_rec::ranker::{Ranker, NUM_FEATURES};
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let stored = b.ranker.expect("the small bundle has a ranker");
    assert!(Ranker::load(&stored).is_ok());
    for n in [NUM_FEATURES + 3, NUM_FEATURES - 1] {
        let mut bad = stored.clone();
        bad.model.num_features = n;
        bad.model.trees.iter_mut().for_each(|t| {
            t.split_feature.iter_mut().for_each(|f| *f %= n as u32);
        });
        let e = Ranker::load(&bad).expect_err("refused");
        assert!(e.to_string().contains("features"), "{e}");
    }
}
