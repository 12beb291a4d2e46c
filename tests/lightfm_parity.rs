//! Parity with the reference library: on the same data and split, our test AUC and
//! precision@10 are within 0.01 of LightFM 1.17's (fixtures written by
//! `benches/lightfm_parity.py`, which runs the reference from PyPI).
#![cfg(not(target_arch = "wasm32"))]

use influence_rec::catalog::{BuildParams, Catalog};
use influence_rec::factor::dataset;
use influence_rec::mf::experiment::{score_dataset, SplitKind};
use influence_rec::mf::{data, LightFm, LightFmParams, Loss, TrainData};
use influence_rec::tables;

fn bundled() -> Catalog {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let open = |n: &str| std::fs::File::open(root.join(n)).expect("bundled data");
    let (inf, _) =
        tables::read_influencers(open("influencers.csv"), "influencers.csv").expect("reads");
    let (br, _) = tables::read_brands(open("brands.csv"), "brands.csv").expect("reads");
    let (ix, _) =
        tables::read_interactions(open("interactions.csv"), "interactions.csv").expect("reads");
    Catalog::build(inf, br, &ix, &BuildParams::default())
        .expect("builds")
        .0
}

#[test]
fn test_metrics_match_lightfm_within_0_01() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/lightfm_parity.json")).expect("fixture parses");
    let s = &fixture["settings"];
    let ds = dataset(&bundled(), 1.0, 42, SplitKind::Random).expect("dataset");
    let ix = data::interactions(ds.user_features.rows, ds.item_features.rows, &ds.train);
    for (name, loss) in [
        ("warp", Loss::Warp),
        ("bpr", Loss::Bpr),
        ("logistic", Loss::Logistic),
    ] {
        let params = LightFmParams {
            loss,
            no_components: s["no_components"].as_u64().expect("d") as u32,
            learning_rate: s["learning_rate"].as_f64().expect("lr") as f32,
            random_state: s["seed"].as_u64().expect("seed"),
            ..LightFmParams::default()
        };
        let mut m = LightFm::new(params).expect("valid");
        let data = TrainData {
            interactions: &ix,
            user_features: &ds.user_features,
            item_features: &ds.item_features,
            sample_weight: None,
        };
        m.fit(data, s["epochs"].as_u64().expect("epochs") as u32, 1)
            .expect("fits");
        let ours = score_dataset(&m, &ds, 10).expect("scores");
        let reference = &fixture["losses"][name];
        let (ra, rp) = (
            reference["auc"].as_f64().expect("auc"),
            reference["precision_at_10"].as_f64().expect("p"),
        );
        println!(
            "{name}: AUC ours {:.4} reference {ra:.4}; P@10 ours {:.4} reference {rp:.4}",
            ours.auc, ours.precision_at_k
        );
        assert!(
            (ours.auc - ra).abs() <= 0.01,
            "{name} AUC {} vs {ra}",
            ours.auc
        );
        assert!(
            (ours.precision_at_k - rp).abs() <= 0.01,
            "{name} P@10 {} vs {rp}",
            ours.precision_at_k
        );
    }
}
