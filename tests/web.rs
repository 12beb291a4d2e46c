//! The same ranking code in a real browser (headless Chromium through wasm-bindgen-test):
//! rankings computed in wasm from the committed bundle must equal, byte for byte, the JSON
//! the native build produced (`tests/golden.rs`).
#![cfg(target_arch = "wasm32")]

mod common;

use influence_rec::bundle;
use influence_rec::wasm::Engine;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn rankings_in_wasm_equal_the_native_golden() {
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = b.recommender("small.bundle").expect("valid");
    let got = common::rankings_json(&rec);
    // Report the first differing line (the documents are long).
    for (n, (a, b)) in got.lines().zip(common::GOLDEN_RANKINGS.lines()).enumerate() {
        assert_eq!(a, b, "line {} differs", n + 1);
    }
    assert_eq!(got, common::GOLDEN_RANKINGS);
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

/// A JSON value as the page would pass it (plain objects, not Maps).
fn js(v: serde_json::Value) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("plain data")
}

/// The ranking the page receives (`rankKnown`) as plain JSON.
fn page_ranking(e: &Engine, brand: &str, k: usize, options: Option<JsValue>) -> serde_json::Value {
    let v = e.rank_known(brand, k, None, options).expect("ranks");
    serde_wasm_bindgen::from_value(v).expect("plain data")
}

#[wasm_bindgen_test]
fn engine_rankings_match_core_and_take_local_interactions_and_filters() {
    let mut e = Engine::new(common::SMALL_BUNDLE).expect("loads");
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = b.recommender("small.bundle").expect("valid");
    let name = rec.brands()[0].name.clone();
    let core = rec
        .rank(
            influence_rec::Who::Known(&name),
            5,
            &influence_rec::RankRequest::default(),
        )
        .expect("known");
    let page = page_ranking(&e, &name, 5, None);
    let recs = page["recommendations"].as_array().expect("list");
    assert_eq!(recs.len(), core.recommendations.len());
    for (p, c) in recs.iter().zip(&core.recommendations) {
        assert_eq!(p["name"], c.name.as_str());
        assert_eq!(p["influencer"]["name"], c.name.as_str());
        assert_eq!(p["rank"], c.rank);
        assert_eq!(p["score"].as_f64(), Some(c.score));
        assert_eq!(p["model_score"].as_f64().map(|x| x as f32), c.model_score);
    }
    // 100 points recorded on this device for the last one lift it to the top.
    let last = core.recommendations.last().expect("some").name.clone();
    let rows = js(serde_json::json!([
        {"brand": name.to_uppercase(), "influencer": last, "points": 100.0},
        {"brand": name, "influencer": "nobody", "points": 1.0}
    ]));
    assert_eq!(e.add_local_interactions(rows).expect("counted"), 1);
    let page = page_ranking(&e, &name, 5, None);
    assert_eq!(page["recommendations"][0]["name"], last.as_str());
    assert_eq!(
        page["recommendations"][0]["interaction_points"].as_f64(),
        Some(
            core.recommendations
                .last()
                .expect("some")
                .interaction_points
                + 100.0
        )
    );
    // A filter by the top influencer's country keeps only that country.
    let country = rec.influencers()[core.recommendations[0].id as usize]
        .country
        .clone();
    let opts = js(serde_json::json!({"filter": {"countries": [country]}}));
    let page = page_ranking(&e, &name, 5, Some(opts));
    let recs = page["recommendations"].as_array().expect("list");
    assert!(!recs.is_empty());
    for p in recs {
        assert_eq!(p["influencer"]["country"], country.as_str());
    }
}

#[wasm_bindgen_test]
fn fold_in_lifts_what_the_brand_just_chose() {
    let mut e = Engine::new(common::SMALL_BUNDLE).expect("loads");
    assert!(e.has_model());
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    let rec = b.recommender("small.bundle").expect("valid");
    let brand = rec.brands()[0].name.clone();
    let before = e.model_scores(&brand).expect("scores");
    // The brand picks an influencer the model ranked in the bottom half, and its two
    // nearest neighbours in embedding space (similar profiles, as a real pick would be).
    let fm = rec.factor_model().expect("model");
    let mut order: Vec<usize> = (0..before.len()).collect();
    order.sort_by(|&a, &b| before[b].total_cmp(&before[a]));
    let seed = order[order.len() * 3 / 4];
    let mut near: Vec<usize> = (0..before.len()).filter(|&i| i != seed).collect();
    near.sort_by(|&a, &b| {
        fm.item_similarity(seed, b)
            .total_cmp(&fm.item_similarity(seed, a))
    });
    let chosen: Vec<usize> = vec![seed, near[0], near[1]];
    let names: Vec<String> = chosen
        .iter()
        .map(|&i| rec.influencers()[i].name.clone())
        .collect();
    // Collaborations with the three, recorded on the device, then the fold-in.
    let rows: Vec<serde_json::Value> = names
        .iter()
        .map(|n| serde_json::json!({"brand": brand, "influencer": n, "points": 10.0}))
        .collect();
    assert_eq!(
        e.add_local_interactions(js(serde_json::json!(rows)))
            .expect("counted"),
        3
    );
    let used = e
        .fold_in(wasm_bindgen::JsValue::from_str(&brand))
        .expect("folds in");
    assert_eq!(used, 3);
    let after = e.model_scores(&brand).expect("scores");
    let rank = |s: &[f32], i: usize| s.iter().filter(|&&x| x > s[i]).count();
    let mean = |s: &[f32]| chosen.iter().map(|&i| rank(s, i)).sum::<usize>() as f64 / 3.0;
    assert!(
        rank(&after, seed) < rank(&before, seed),
        "the picked influencer moved up"
    );
    assert!(
        mean(&after) < 0.5 * mean(&before),
        "mean rank {} -> {}",
        mean(&before),
        mean(&after)
    );
    e.reset_fold_in();
    assert_eq!(e.model_scores(&brand).expect("scores"), before);
}

#[wasm_bindgen_test]
fn unicode_normalisation_in_the_browser_matches_native() {
    // The browser build takes NFKC from the engine's ICU (see `platform`); these are the
    // native doc examples.
    use influence_rec::text::{key, normalize_hashtag};
    assert_eq!(key("  United\u{00A0}States "), "united states");
    assert_eq!(key("ＵＳＡ"), "usa");
    assert_eq!(normalize_hashtag("'#Ｃａｆé'").as_deref(), Some("café"));
    assert_eq!(normalize_hashtag("#ﬁtness").as_deref(), Some("fitness"));
    assert_eq!(normalize_hashtag("#Cafe\u{0301}").as_deref(), Some("café"));
}

/// The hostile names' keys (the table `tests/name_keys.rs` checks natively) in the browser:
/// one name at a time, and batched into one call to the browser's normalisation, for the
/// table as it is (a name with a line feed sends them one by one) and without those names
/// (the joined path).
#[wasm_bindgen_test]
fn name_keys_in_the_browser_match_the_table_one_by_one_and_batched() {
    use influence_rec::text::{key, keys};
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/name_keys.json")).expect("the table");
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    let want: Vec<&str> = rows
        .iter()
        .map(|r| r["key"].as_str().expect("key"))
        .collect();
    for (n, k) in names.iter().zip(&want) {
        assert_eq!(key(n), *k, "key of {n:?}");
    }
    assert_eq!(keys(&names), want);
    let (joined, want): (Vec<&str>, Vec<&str>) = names
        .iter()
        .zip(&want)
        .filter(|(n, _)| !n.contains('\n'))
        .unzip();
    assert!(joined.iter().filter(|n| !n.is_ascii()).count() > 20);
    assert_eq!(keys(&joined), want);
}

/// The planner in wasm32 (64-bit integers and floats as native): the exact optimum of the
/// float-grid counter-example, and an equal-density instance against a DP over cents.
#[wasm_bindgen_test]
fn the_exact_planner_runs_in_wasm() {
    use influence_rec::planner::{cents, fill_to_budget, Item};
    let items: Vec<Item> = [(1826, 722.0), (1694, 201.0), (499, 671.0), (897, 590.0)]
        .iter()
        .enumerate()
        .map(|(id, &(cost_cents, value))| Item {
            id: id as u32,
            cost_cents,
            value,
        })
        .collect();
    let p = fill_to_budget(&items, cents(32.22, true).expect("budget")).expect("plan");
    assert_eq!(
        (p.chosen, p.cost_cents, p.value),
        (vec![0, 2, 3], 3222, 1983.0)
    );
    // Value = cost (every plan equally dense, the hardest case for the LP bounds), against an
    // exact DP over cents computed here.
    let items: Vec<Item> = (0..300u32)
        .map(|id| {
            let c = 1 + u64::from(id.wrapping_mul(2_654_435_761) % 200_000);
            Item {
                id,
                cost_cents: c,
                value: c as f64,
            }
        })
        .collect();
    let budget = 1_000_000usize;
    let mut best = vec![0f64; budget + 1];
    for it in &items {
        let w = it.cost_cents as usize;
        for x in (w..=budget).rev() {
            best[x] = best[x].max(best[x - w] + it.value);
        }
    }
    let p = fill_to_budget(&items, budget as u64).expect("plan");
    assert!(p.optimal);
    assert_eq!(p.value, best[budget]);
}

/// LightGBM parity in wasm32: the multiclass fixtures (every class's raw score), linear
/// trees and the special-token rows, bit for bit as natively (`tests/lgbm_parity.rs`).
#[wasm_bindgen_test]
fn lightgbm_multiclass_linear_and_special_tokens_are_bit_exact_in_wasm() {
    use influence_rec::gbdt::{csv::read_rows, GbdtModel};
    let bits = |text: &str| -> Vec<u64> {
        text.split(['\n', ','])
            .filter(|t| !t.is_empty())
            .map(|t| t.parse::<f64>().expect("number").to_bits())
            .collect()
    };
    for (model, rows, raw) in [
        (
            include_str!("fixtures/lgbm/multiclass.model.txt"),
            include_str!("fixtures/lgbm/multiclass.rows.csv"),
            include_str!("fixtures/lgbm/multiclass.raw.txt"),
        ),
        (
            include_str!("fixtures/lgbm/multiclassova.model.txt"),
            include_str!("fixtures/lgbm/multiclassova.rows.csv"),
            include_str!("fixtures/lgbm/multiclassova.raw.txt"),
        ),
        (
            include_str!("fixtures/lgbm/rf.model.txt"),
            include_str!("fixtures/lgbm/rf.rows.csv"),
            include_str!("fixtures/lgbm/rf.raw.txt"),
        ),
        (
            include_str!("fixtures/lgbm/linear.model.txt"),
            include_str!("fixtures/lgbm/linear.rows.csv"),
            include_str!("fixtures/lgbm/linear.raw.txt"),
        ),
        (
            include_str!("fixtures/lgbm/regression_nan.model.txt"),
            include_str!("fixtures/lgbm/tokens.rows.csv"),
            include_str!("fixtures/lgbm/tokens.raw.txt"),
        ),
    ] {
        let m = GbdtModel::parse(model, "model.txt").expect("parses");
        let x = read_rows(rows.as_bytes(), "rows.csv", m.num_features).expect("rows");
        let mut got = Vec::new();
        m.flatten().predict_raw_batch(&x, &mut got);
        let got: Vec<u64> = got.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, bits(raw));
    }
}

/// The SIMD128 scoring kernel equals the scalar one bit for bit (the page loads whichever the
/// browser supports and must rank alike), for every remainder of d mod 4. The wasm tests are
/// built with SIMD128 (.ci/lib.sh), so `score_all` here is the SIMD kernel.
#[wasm_bindgen_test]
fn simd128_scoring_equals_the_scalar_kernel_bit_for_bit() {
    use influence_rec::mf::stored::{Precision, StoredFactorModel, StoredItems, StoredMatrix};
    use influence_rec::mf::FactorModel;
    use rand::{Rng, SeedableRng};
    assert!(
        influence_rec::wasm::simd128(),
        "build the wasm tests with -C target-feature=+simd128 (wasm_cargo in .ci/lib.sh does)"
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261129);
    for d in [1usize, 3, 4, 5, 8, 10, 17, 32, 33] {
        let items = 257;
        let m = |rows: usize, rng: &mut rand_chacha::ChaCha8Rng| {
            let v: Vec<f32> = (0..rows * (d + 1))
                .map(|_| rng.random_range(-2.0f32..2.0))
                .collect();
            StoredMatrix::new(
                &ndarray::Array2::from_shape_vec((rows, d + 1), v).expect("shape"),
                Precision::F32,
            )
        };
        let stored = StoredFactorModel {
            no_components: d as u32,
            items: StoredItems::Rows(m(items, &mut rng)),
            user_feature_repr: m(0, &mut rng),
            user_features: Vec::new(),
            user_repr: m(0, &mut rng),
            normalize: true,
        };
        let fm = FactorModel::load(&stored, || unreachable!("rows are stored"))
            .expect("consistent shapes");
        for _ in 0..5 {
            let user: Vec<f32> = (0..=d).map(|_| rng.random_range(-2.0f32..2.0)).collect();
            let (mut simd, mut scalar, mut reference) = (Vec::new(), Vec::new(), Vec::new());
            fm.score_all(&user, &mut simd);
            fm.score_all_scalar(&user, &mut scalar);
            fm.score_all_reference(&user, &mut reference);
            assert_eq!(simd.len(), items);
            assert_eq!(
                simd.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                scalar.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "d={d}"
            );
            for (x, y) in simd.iter().zip(&reference) {
                assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "d={d}: {x} vs {y}");
            }
        }
    }
}

/// Detail shards load into the engine after the bundle, are checked against the manifest's
/// checksum and the bundle's version, and one of another bundle is refused, changing nothing.
#[wasm_bindgen_test]
fn detail_shards_load_verify_their_version_and_refuse_another_bundles() {
    let (_, b) = bundle::read(common::SMALL_BUNDLE, "small.bundle").expect("loads");
    // Details to ship: the golden bundle's core has none, so give every influencer a bio.
    let mut tables = b.catalog.clone().into_tables();
    for (k, inf) in tables.influencers.iter_mut().enumerate() {
        inf.set_details(influence_rec::model::InfluencerDetails {
            description: format!("bio {k} <b>as text</b>"),
            post_urls: vec![format!("https://example.com/{k}")],
            location: "Madrid".into(),
        });
    }
    let catalog = influence_rec::catalog::Catalog::from_tables(tables, "t").expect("valid");
    let version = bundle::fnv1a64(common::SMALL_BUNDLE);
    let shards = bundle::write_details(&catalog, version).expect("writes");
    let mut e = Engine::new(common::SMALL_BUNDLE).expect("loads");
    let names = |e: &Engine| -> serde_json::Value {
        let n: Vec<String> = catalog
            .influencers()
            .iter()
            .map(|i| i.name.clone())
            .collect();
        serde_wasm_bindgen::from_value(e.influencers_by_name(n).expect("records")).expect("json")
    };
    assert_eq!(
        names(&e)[0]["description"],
        "",
        "no details before the shard"
    );
    // Another bundle's shard: refused, nothing filled.
    let other = bundle::write_details(&catalog, version ^ 1).expect("writes");
    assert!(e.add_details(&other[0], None).is_err());
    assert_eq!(names(&e)[0]["description"], "");
    // A checksum that is not the file's: refused.
    assert!(e
        .add_details(&shards[0], Some("0000000000000000".into()))
        .is_err());
    let sum = format!("{:016x}", bundle::fnv1a64(&shards[0]));
    let filled = e
        .add_details(&shards[0], Some(sum))
        .expect("the bundle's own shard");
    assert_eq!(filled as usize, catalog.influencers().len().min(1024));
    assert_eq!(names(&e)[0]["description"], "bio 0 <b>as text</b>");
    assert_eq!(names(&e)[0]["post_urls"][0], "https://example.com/0");
    assert_eq!(
        e.detail_shard(&catalog.influencers()[0].name)
            .expect("known"),
        0
    );
}
