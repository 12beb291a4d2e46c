//! The same ranking code in a real browser (headless Chromium through wasm-bindgen-test):
//! rankings computed in wasm from the committed bundle must equal, byte for byte, the JSON
//! the native build produced (`tests/golden.rs`).
#![cfg(target_arch = "wasm32")]

mod common;

use influence_rec::wasm::Engine;
use influence_rec::{bundle, Recommender};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn rankings_in_wasm_equal_the_native_golden() {
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = Recommender::new(b).expect("valid");
    assert_eq!(common::rankings_json(&rec), common::GOLDEN_RANKINGS);
}

#[wasm_bindgen_test]
fn engine_refuses_truncated_and_foreign_bytes() {
    assert!(Engine::new(common::SMALL_BUNDLE).is_ok());
    for cut in [
        0,
        7,
        20,
        common::SMALL_BUNDLE.len() / 2,
        common::SMALL_BUNDLE.len() - 1,
    ] {
        assert!(
            Engine::new(&common::SMALL_BUNDLE[..cut]).is_err(),
            "cut {cut}"
        );
    }
    assert!(Engine::new(b"PK\x03\x04 not a bundle").is_err());
}

#[wasm_bindgen_test]
fn engine_json_matches_core() {
    let e = Engine::new(common::SMALL_BUNDLE).expect("loads");
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = Recommender::new(b).expect("valid");
    let name = rec.brands()[0].name.clone();
    let core = serde_json::to_string(&rec.rank_known(&name, 5).expect("known")).expect("json");
    assert_eq!(e.rank_known_json(&name, 5).expect("ranks"), core);
}
