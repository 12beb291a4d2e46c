//! Parity with LightGBM 4.6 (fixtures from `benches/lightgbm_fixtures.py`): raw scores of
//! models trained by LightGBM itself equal LightGBM's own raw predictions bit for bit, and
//! transformed outputs agree within a few ulp. Covers NaN and zero missing types, default
//! left and right, categorical bitset splits, regression, binary and lambdarank.
#![cfg(not(target_arch = "wasm32"))]

use influence_rec::gbdt::GbdtModel;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lgbm")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rows(name: &str) -> Vec<Vec<f64>> {
    fixture(name)
        .lines()
        .map(|l| {
            l.split(',')
                .map(|v| {
                    if v == "nan" {
                        f64::NAN
                    } else {
                        v.parse().expect("number")
                    }
                })
                .collect()
        })
        .collect()
}

fn values(name: &str) -> Vec<f64> {
    fixture(name)
        .lines()
        .map(|l| l.parse().expect("number"))
        .collect()
}

fn ulps(a: f64, b: f64) -> u64 {
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
}

#[test]
fn raw_scores_are_bit_exact_and_outputs_within_ulps() {
    for case in [
        "regression_nan",
        "regression_zero",
        "binary",
        "lambdarank",
        "linear",
        "rf",
    ] {
        let m = GbdtModel::parse(&fixture(&format!("{case}.model.txt")), case).expect("parses");
        let x = rows(&format!("{case}.rows.csv"));
        let raw = values(&format!("{case}.raw.txt"));
        let out = values(&format!("{case}.pred.txt"));
        assert_eq!(x.len(), raw.len());
        let flat = m.flatten();
        for (i, row) in x.iter().enumerate() {
            let r = m.predict_raw(row);
            // The fast evaluator returns the reference's very bits.
            assert_eq!(
                flat.predict_raw(row).to_bits(),
                r.to_bits(),
                "{case} row {i} (flat)"
            );
            assert_eq!(
                r.to_bits(),
                raw[i].to_bits(),
                "{case} row {i}: {r} vs {}",
                raw[i]
            );
            assert!(
                ulps(m.predict(row), out[i]) <= 4,
                "{case} row {i}: {} vs {}",
                m.predict(row),
                out[i]
            );
        }
        println!(
            "{case}: {} rows bit-exact over {} trees",
            x.len(),
            m.trees.len()
        );
    }
}

#[test]
fn the_cli_prints_the_same_raw_scores() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lgbm");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_influence-rec"))
        .args(["gbdt", "predict", "--raw", "--model"])
        .arg(dir.join("regression_nan.model.txt"))
        .arg("--input")
        .arg(dir.join("regression_nan.rows.csv"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.parse().expect("number"))
        .collect();
    let want = values("regression_nan.raw.txt");
    assert_eq!(got.len(), want.len());
    assert!(got
        .iter()
        .zip(&want)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_influence-rec"))
        .args(["gbdt", "predict", "--model"])
        .arg(dir.join("regression_nan.model.txt"))
        .arg("--input")
        .arg(dir.join("regression_nan.model.txt"))
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("regression_nan.model.txt:2 field `column 1`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn our_written_model_loads_in_lightgbm_and_predicts_the_same() {
    // ours.lgbm_raw.txt holds LightGBM 4.6's raw predictions of ours.model.txt, a model that
    // `influence-rec gbdt train` wrote (benches/lightgbm_roundtrip.py).
    let m = GbdtModel::parse(&fixture("ours.model.txt"), "ours.model.txt").expect("parses");
    let x = rows("ours.rows.csv");
    let lgbm = values("ours.lgbm_raw.txt");
    for (i, row) in x.iter().enumerate() {
        assert_eq!(m.predict_raw(row).to_bits(), lgbm[i].to_bits(), "row {i}");
    }
    // Training again on the same data writes the same model, byte for byte.
    assert_retrains_to(&[], "ours.train.csv", "ours.model.txt");
}

/// `gbdt train` with `extra` arguments (30 rounds) on fixture `train` writes fixture `model`
/// byte for byte.
fn assert_retrains_to(extra: &[&str], train: &str, model: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("again.txt");
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lgbm");
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_influence-rec"))
        .args(["gbdt", "train"])
        .args(extra)
        .args(["--num-iterations", "30", "--input"])
        .arg(fx.join(train))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(
        std::fs::read_to_string(&out).expect("written") == fixture(model),
        "{model}: training is deterministic"
    );
}

#[test]
fn training_grows_the_trees_lightgbm_grows() {
    // ours.model.txt is what `gbdt train` writes (the test above retrains it byte for byte);
    // ours.lgbm_model.txt is the model LightGBM 4.6 trains on the same data with the same
    // parameters (benches/lightgbm_roundtrip.py). Every tree array is the same, bit for
    // bit: the splits, thresholds, leaf values and the statistics LightGBM reports.
    assert_same_trees("ours.model.txt", "ours.lgbm_model.txt");
}

/// Every tree array of two model fixtures is the same, bit for bit: the splits, thresholds,
/// leaf values and the statistics LightGBM reports.
fn assert_same_trees(ours: &str, theirs: &str) {
    let ours = GbdtModel::parse(&fixture(ours), ours).expect("parses");
    let theirs = GbdtModel::parse(&fixture(theirs), theirs).expect("parses");
    assert_eq!(ours.trees.len(), theirs.trees.len());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for (i, (a, b)) in ours.trees.iter().zip(&theirs.trees).enumerate() {
        assert_eq!(a.split_feature, b.split_feature, "tree {i} split_feature");
        assert_eq!(bits(&a.threshold), bits(&b.threshold), "tree {i} threshold");
        assert_eq!(a.decision_type, b.decision_type, "tree {i} decision_type");
        assert_eq!(a.left_child, b.left_child, "tree {i} left_child");
        assert_eq!(a.right_child, b.right_child, "tree {i} right_child");
        assert_eq!(
            bits(&a.leaf_value),
            bits(&b.leaf_value),
            "tree {i} leaf_value"
        );
        assert_eq!(a.leaf_count, b.leaf_count, "tree {i} leaf_count");
        assert_eq!(
            a.internal_count, b.internal_count,
            "tree {i} internal_count"
        );
        let (sa, sb) = (&a.stats, &b.stats);
        assert_eq!(
            bits(&sa.split_gain),
            bits(&sb.split_gain),
            "tree {i} split_gain"
        );
        assert_eq!(
            bits(&sa.leaf_weight),
            bits(&sb.leaf_weight),
            "tree {i} leaf_weight"
        );
        assert_eq!(
            bits(&sa.internal_value),
            bits(&sb.internal_value),
            "tree {i} internal_value"
        );
        assert_eq!(
            bits(&sa.internal_weight),
            bits(&sb.internal_weight),
            "tree {i} internal_weight"
        );
    }
}

#[test]
fn quantile_training_grows_lightgbm_trees_and_predicts_its_bits() {
    // benches/lightgbm_quantile.py: LightGBM 4.6 and `gbdt train --objective quantile` on
    // the same long-tailed data at three quantiles. Same trees, leaf values renewed to the
    // leaves' residual quantiles as LightGBM renews them; and our reader predicts LightGBM's
    // own model to its raw bits.
    let x = rows("quantile.rows.csv");
    for (tag, alpha) in [("a10", "0.1"), ("a50", "0.5"), ("a90", "0.9")] {
        assert_same_trees(
            &format!("quantile_{tag}.model.txt"),
            &format!("quantile_{tag}.lgbm_model.txt"),
        );
        let name = format!("quantile_{tag}.lgbm_model.txt");
        let theirs = GbdtModel::parse(&fixture(&name), &name).expect("parses");
        let raw = values(&format!("quantile_{tag}.lgbm_raw.txt"));
        for (i, row) in x.iter().enumerate() {
            assert_eq!(
                theirs.predict_raw(row).to_bits(),
                raw[i].to_bits(),
                "{tag} row {i}"
            );
        }
        // Training again writes our fixture byte for byte.
        assert_retrains_to(
            &["--objective", "quantile", "--alpha", alpha],
            "quantile.train.csv",
            &format!("quantile_{tag}.model.txt"),
        );
    }
}

#[test]
fn a_quantile_outside_zero_one_is_refused_by_name_before_training() {
    // LightGBM's alpha must be in (0, 1) for objective=quantile; `gbdt train` checks it before
    // it reads the table or writes a model.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("q.txt");
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lgbm");
    for alpha in ["0", "1", "1.5", "-0.2", "NaN"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_influence-rec"))
            .args(["gbdt", "train", "--objective", "quantile"])
            .arg(format!("--alpha={alpha}"))
            .arg("--input")
            .arg(fx.join("quantile.train.csv"))
            .arg("--out")
            .arg(&out)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "alpha {alpha} accepted");
        assert!(err.contains("alpha") && err.contains("(0, 1)"), "{err}");
        assert!(!out.exists(), "alpha {alpha}: nothing written");
    }
}

#[test]
fn contributions_match_lightgbm_pred_contrib() {
    // *.contrib.csv: LightGBM 4.6's predict(pred_contrib=True) on the first 100 fixture rows
    // (benches/lightgbm_contrib.py), for LightGBM's models and for ours.model.txt: one block
    // of (features, expected value) per class for the multiclass models; a random forest's
    // add up to its raw score (the sum of its trees), as LightGBM's do.
    for case in [
        "regression_nan",
        "regression_zero",
        "binary",
        "lambdarank",
        "ours",
        "multiclass",
        "multiclassova",
        "rf",
    ] {
        let m = GbdtModel::parse(&fixture(&format!("{case}.model.txt")), case).expect("parses");
        let x = rows(&format!("{case}.rows.csv"));
        let want = rows(&format!("{case}.contrib.csv"));
        let mut worst = 0f64;
        for (i, w) in want.iter().enumerate() {
            let got = m.contributions(&x[i]).expect("counts present");
            assert_eq!(got.len(), w.len(), "{case} row {i}");
            for (a, b) in got.iter().zip(w) {
                let err = (a - b).abs() / b.abs().max(1.0);
                worst = worst.max(err);
                assert!(err < 1e-9, "{case} row {i}: {got:?} vs {w:?}");
            }
            // Local accuracy: each class's block sums to its raw score.
            let mut raw = Vec::new();
            m.predict_raw_all(&x[i], &mut raw);
            for (c, block) in got.chunks(m.num_features + 1).enumerate() {
                let sum: f64 = block.iter().sum();
                assert!(
                    (sum - raw[c]).abs() < 1e-9,
                    "{case} row {i} class {c}: local accuracy"
                );
            }
        }
        println!("{case}: worst relative difference {worst:e}");
    }
    // LightGBM refuses SHAP for linear trees ("not implemented for linear trees"): so do we.
    let linear = GbdtModel::parse(&fixture("linear.model.txt"), "linear").expect("parses");
    let row = &rows("linear.rows.csv")[0];
    assert!(linear.contributions(row).is_err());
}

#[test]
fn lightgbm_models_written_back_predict_the_same_bits() {
    // Reading a LightGBM model (categorical bitsets, NaN and zero missing types, default-left
    // bits, lambdarank and binary objective lines) and writing it in our v4 text form loses
    // nothing: the re-read model still matches LightGBM's raw predictions bit for bit.
    for case in ["regression_nan", "regression_zero", "binary", "lambdarank"] {
        let m = GbdtModel::parse(&fixture(&format!("{case}.model.txt")), case).expect("parses");
        let again = GbdtModel::parse(&m.to_lightgbm_text(), "rewritten").expect("re-parses");
        assert_eq!(again.objective, m.objective, "{case}");
        let raw = values(&format!("{case}.raw.txt"));
        for (i, row) in rows(&format!("{case}.rows.csv")).iter().enumerate() {
            assert_eq!(
                again.predict_raw(row).to_bits(),
                raw[i].to_bits(),
                "{case} row {i}"
            );
        }
        // Counts survive too, so explanations of the rewritten model are the same.
        assert_eq!(again.trees[0].leaf_count, m.trees[0].leaf_count, "{case}");
    }
}

/// Special tokens in an input file (inf, infinity, nan, na, null, empty, decimals beyond f64,
/// in every column, the categorical one too), read by our CSV reader, predict exactly what
/// LightGBM predicts reading the same file with its own parser.
#[test]
fn special_tokens_read_as_lightgbm_reads_them() {
    let m =
        GbdtModel::parse(&fixture("regression_nan.model.txt"), "regression_nan").expect("parses");
    let text = fixture("tokens.rows.csv");
    let x = influence_rec::gbdt::csv::read_rows(text.as_bytes(), "tokens.rows.csv", m.num_features)
        .expect("every token reads");
    let raw = values("tokens.raw.txt");
    assert_eq!(x.len(), raw.len() * m.num_features);
    for (i, row) in x.chunks_exact(m.num_features).enumerate() {
        let r = m.predict_raw(row);
        assert_eq!(r.to_bits(), raw[i].to_bits(), "row {i}: {r} vs {}", raw[i]);
    }
}

/// Multiclass models (softmax and one-vs-all, 3 classes, a categorical feature and NaN):
/// every class's raw score bit-exact, by the reference and by the flat evaluator, and the
/// probabilities within 4 ulp of LightGBM's.
#[test]
fn multiclass_scores_every_class_exactly() {
    for case in ["multiclass", "multiclassova"] {
        let m = GbdtModel::parse(&fixture(&format!("{case}.model.txt")), case).expect("parses");
        assert_eq!(m.num_class, 3);
        let x = rows(&format!("{case}.rows.csv"));
        let table = |name: &str| -> Vec<Vec<f64>> {
            fixture(name)
                .lines()
                .map(|l| l.split(',').map(|v| v.parse().expect("number")).collect())
                .collect()
        };
        let (raw, out) = (
            table(&format!("{case}.raw.txt")),
            table(&format!("{case}.pred.txt")),
        );
        let flat = m.flatten();
        let mut batch = Vec::new();
        flat.predict_raw_batch(&x.concat(), &mut batch);
        let mut r = Vec::new();
        for (i, row) in x.iter().enumerate() {
            m.predict_raw_all(row, &mut r);
            assert_eq!(r.len(), 3);
            for c in 0..3 {
                assert_eq!(
                    r[c].to_bits(),
                    raw[i][c].to_bits(),
                    "{case} row {i} class {c}"
                );
                assert_eq!(
                    batch[i * 3 + c].to_bits(),
                    r[c].to_bits(),
                    "{case} row {i} (flat)"
                );
            }
            m.transform_all(&mut r);
            for c in 0..3 {
                assert!(
                    ulps(r[c], out[i][c]) <= 4,
                    "{case} row {i} class {c}: {} vs {}",
                    r[c],
                    out[i][c]
                );
            }
        }
        // Written back, LightGBM's header and objective lines say the same.
        let text = m.to_lightgbm_text();
        assert!(text.contains("num_class=3\nnum_tree_per_iteration=3\n"));
        let back = GbdtModel::parse(&text, "written").expect("reads back");
        assert_eq!((back.num_class, &back.objective), (3, &m.objective));
    }
}

/// A linear-tree model written back in LightGBM's text format reads back to the very same
/// leaf models (every prediction bit-identical), and its first trees really are linear.
#[test]
fn linear_trees_round_trip_through_the_writer() {
    let m = GbdtModel::parse(&fixture("linear.model.txt"), "linear").expect("parses");
    assert!(m.trees.iter().any(|t| t
        .linear
        .as_ref()
        .is_some_and(|l| l.features.iter().any(|f| !f.is_empty()))));
    let back = GbdtModel::parse(&m.to_lightgbm_text(), "written").expect("reads back");
    assert_eq!(back.trees, m.trees);
    for row in rows("linear.rows.csv") {
        assert_eq!(
            back.predict_raw(&row).to_bits(),
            m.predict_raw(&row).to_bits()
        );
    }
}
