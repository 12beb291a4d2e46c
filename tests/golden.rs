//! Golden files: a small bundle written by this format version keeps loading byte-for-byte,
//! and its rankings stay exactly what they were (the wasm test asserts the same JSON in a
//! browser). Regenerate deliberately with `UPDATE_GOLDEN=1 cargo test --test golden`.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use influence_rec::bundle;
use influence_rec::generate::{generate, GenerateParams};
use influence_rec::mf::experiment::{attach_factor_model, FactorSettings};
use influence_rec::mf::model::Precision;
use influence_rec::mf::{LightFmParams, Loss};
use influence_rec::pipeline::{build_bundle, BuildParams};
use influence_rec::{Lexicon, Recommender};

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
    let d = generate(&p, Lexicon::builtin()).expect("generates");
    let (mut b, _) = build_bundle(
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
    };
    attach_factor_model(&mut b, &settings, Precision::I8).expect("trains");
    bundle::write(&b).expect("writes")
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
    let got = common::rankings_json(&Recommender::new(b).expect("valid"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(fixture_path("small_rankings.json"), &got).expect("write fixture");
    }
    assert_eq!(got, common::GOLDEN_RANKINGS);
}

#[test]
fn a_version_1_bundle_is_refused_with_a_version_error() {
    let v1 = std::fs::read(fixture_path("small_v1.bundle")).expect("v1 fixture");
    match bundle::read(&v1, "small_v1.bundle") {
        Err(influence_rec::Error::UnsupportedVersion {
            found: 1,
            supported,
            ..
        }) => {
            assert_eq!(supported, bundle::FORMAT_VERSION)
        }
        other => panic!("expected a version error, got {other:?}"),
    }
}
