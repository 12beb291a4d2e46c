//! The command line end to end on a temporary folder: generate -> train -> recommend, with
//! the new-brand path growing the data, and bad inputs giving located errors.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

mod run;
use run::{cli, ok};

#[test]
fn generate_train_recommend_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&cli(
        &[
            "generate",
            "--influencers",
            "150",
            "--brands",
            "6",
            "--out",
            "data",
        ],
        d,
    ));
    let out = ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    assert!(out.contains("150 influencers, 6 brands"), "{out}");
    // Published beside the bundle: the manifest names it by the checksum of its bytes, and the
    // top lists hold every brand's top 20 by the best ordering, as `recommend` gives it.
    let bundle = std::fs::read(d.join("pkg/model.bundle")).expect("bundle");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("pkg/manifest.json")).expect("manifest"))
            .expect("JSON");
    assert_eq!(manifest["format"], "influence-rec/manifest/1");
    assert_eq!(
        manifest["version"],
        format!("{:016x}", influence_rec::bundle::fnv1a64(&bundle))
    );
    assert_eq!(manifest["bytes"], bundle.len());
    assert_eq!(
        manifest["format_version"],
        influence_rec::bundle::FORMAT_VERSION
    );
    assert!(
        !d.join("pkg/model.bundle.tmp").exists(),
        "no temporary file left"
    );
    // The details (bios, post links) in shards beside it, each checked against the bundle.
    assert_eq!(manifest["details_dir"], "details");
    let shards = manifest["detail_shards"].as_array().expect("shards");
    assert_eq!(shards.len(), 1, "150 influencers: one shard");
    let version = influence_rec::bundle::fnv1a64(&bundle);
    let shard = std::fs::read(
        d.join("pkg/details")
            .join(shards[0]["file"].as_str().expect("file")),
    )
    .expect("shard file");
    assert_eq!(
        shards[0]["checksum"],
        format!("{:016x}", influence_rec::bundle::fnv1a64(&shard))
    );
    let rows = influence_rec::bundle::read_details(&shard, "shard", version).expect("its bundle's");
    assert_eq!(rows.rows.len(), 150);
    assert!(rows.rows.iter().any(|r| !r.description.is_empty()));
    assert!(influence_rec::bundle::read_details(&shard, "shard", version ^ 1).is_err());
    let top: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("pkg/topk.json")).expect("top lists"))
            .expect("JSON");
    let top = top.as_array().expect("list");
    assert_eq!(top.len(), 6);
    // One small file per brand in top/, named by the hash of the brand's key and stamped with
    // the bundle version; each holds the brand's list from topk.json.
    assert_eq!(manifest["top_dir"], "top");
    let files: Vec<_> = std::fs::read_dir(d.join("pkg/top"))
        .expect("top/")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 6, "{files:?}");
    for list in top {
        let name = list["brand"].as_str().expect("brand");
        let file = d
            .join("pkg/top")
            .join(influence_rec::rank::TopList::file_name(name));
        let f: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).expect("the brand's file")).expect("JSON");
        assert_eq!(f["format"], influence_rec::rank::TOP_LIST_FORMAT);
        assert_eq!(f["version"], manifest["version"]);
        assert_eq!(&f["lists"][0], list);
    }
    // Publishing again with fewer brands removes the files of brands no longer listed.
    std::fs::write(d.join("pkg/top/0123456789abcdef.json"), "{}").expect("stale file");
    ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    assert!(!d.join("pkg/top/0123456789abcdef.json").exists());
    assert_eq!(
        std::fs::read_dir(d.join("pkg/top")).expect("top/").count(),
        6
    );

    let brands = std::fs::read_to_string(d.join("data/brands.csv")).expect("brands.csv");
    let first = brands
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').next())
        .expect("a brand")
        .to_string();
    let json = ok(&cli(
        &["recommend", "--brand", &first, "-k", "10", "--json"],
        d,
    ));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let recs = v["recommendations"].as_array().expect("list");
    assert_eq!(recs.len(), 10);
    // Every pick carries a price per post and per story: listed where the table has one,
    // otherwise estimated (the generated data lists enough costs to learn from).
    for r in recs {
        for field in ["price_estimate", "story_price_estimate"] {
            let p = &r[field];
            let (low, typical, high) = (
                p["low"].as_f64().expect("low"),
                p["typical"].as_f64().expect("typical"),
                p["high"].as_f64().expect("high"),
            );
            assert!(0.0 < low && low <= typical && typical <= high, "{r}");
            let basis = p["basis"].as_str().expect("basis");
            assert!(["listed", "quantile_model"].contains(&basis), "{basis}");
            if basis == "listed" {
                assert_eq!(low, high);
            }
        }
    }
    assert!(
        recs.iter()
            .any(|r| r["price_estimate"]["basis"] == "quantile_model"),
        "some costs are unlisted in the generated data"
    );
    // The published lists are in the bundle's default ordering, which `recommend` without
    // --by uses and the manifest names for the widget.
    let by_default: serde_json::Value = serde_json::from_str(&ok(&cli(
        &["recommend", "--brand", &first, "-k", "20", "--json"],
        d,
    )))
    .expect("JSON");
    let list = top
        .iter()
        .find(|l| l["brand"] == first.as_str())
        .expect("the brand's list");
    assert_eq!(list["ranked_by"], by_default["ranked_by"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("pkg/manifest.json")).expect("manifest"))
            .expect("JSON");
    assert_eq!(manifest["default_ordering"], by_default["ranked_by"]);
    let names = |xs: &serde_json::Value, field: &str| -> Vec<String> {
        xs.as_array()
            .expect("list")
            .iter()
            .map(|x| x[field].as_str().expect("name").to_string())
            .collect()
    };
    assert_eq!(
        names(&list["influencers"], "name"),
        names(&by_default["recommendations"], "name")
    );
    let scores: Vec<f64> = recs
        .iter()
        .map(|r| r["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "sorted best first: {scores:?}"
    );
    assert_eq!(v["known"], true);

    // A new brand is ranked at once and, with --save-to, joins the brand table.
    let o = cli(
        &[
            "recommend",
            "--name",
            "Brand New Co",
            "--description",
            "vegan recipes and baking",
            "--country",
            "Spain",
            "--save-to",
            "data/brands.csv",
            "--json",
        ],
        d,
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).expect("valid JSON");
    assert_eq!(v["known"], false);
    assert_eq!(v["brand"]["category"], "food_cooking");
    assert!(String::from_utf8_lossy(&o.stderr).contains("new row: Brand New Co x "));
    let after = std::fs::read_to_string(d.join("data/brands.csv")).expect("brands.csv");
    assert_eq!(after.lines().count(), brands.lines().count() + 1);
    ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    let v: serde_json::Value = serde_json::from_str(&ok(&cli(
        &["recommend", "--brand", "brand new co", "--json"],
        d,
    )))
    .expect("json");
    assert_eq!(v["known"], true, "after retraining the new brand is known");

    // Relationship table: every brand x influencer.
    ok(&cli(&["relationships", "--out", "rel.csv"], d));
    let rel = std::fs::read_to_string(d.join("rel.csv")).expect("rel.csv");
    assert_eq!(rel.lines().count(), 1 + 7 * 150);
    // The same table as Parquet: the same rows, value for value.
    ok(&cli(
        &[
            "relationships",
            "--format",
            "parquet",
            "--out",
            "rel.parquet",
        ],
        d,
    ));
    let csv_rows: Vec<Vec<String>> = rel.lines().skip(1).map(csv_fields).collect();
    assert_eq!(parquet_rows(&d.join("rel.parquet")), csv_rows);
}

/// One CSV line's fields (the writer quotes a field with a comma or a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let rec = r.records().next().expect("a record").expect("parses");
    rec.iter().map(str::to_string).collect()
}

/// A relationship Parquet file's rows, numbers printed as the CSV prints them.
fn parquet_rows(path: &Path) -> Vec<Vec<String>> {
    use arrow_array::{Array, Float64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).expect("parquet file");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader");
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.expect("batch");
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(
            names,
            [
                "brand",
                "influencer",
                "cohesion",
                "interaction_points",
                "rating"
            ]
        );
        let text = |c: usize| {
            batch
                .column(c)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("utf8")
                .clone()
        };
        let num = |c: usize| {
            batch
                .column(c)
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("f64")
                .clone()
        };
        let (b, i, c, p, r) = (text(0), text(1), num(2), num(3), num(4));
        for k in 0..batch.num_rows() {
            assert!(!b.is_null(k) && !c.is_null(k));
            rows.push(vec![
                b.value(k).to_string(),
                i.value(k).to_string(),
                c.value(k).to_string(),
                p.value(k).to_string(),
                r.value(k).to_string(),
            ]);
        }
    }
    rows
}

#[test]
fn bad_inputs_give_located_errors_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("posts.csv"), "user_Name,followers\nok,10\nbad,ten\n").expect("write");
    let o = cli(&["ingest", "posts.csv", "--out", "inf.csv"], d);
    assert!(o.status.success(), "a bad row does not fail the run");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("rejected 1 x followers: expected a number")
            && out.contains("e.g. posts.csv:3 field `followers`: expected a number, found \"ten\""),
        "{out}"
    );
    assert!(out.contains("2 rows read: 1 accepted, 1 rejected"), "{out}");
    let o = cli(&["ingest", "posts.csv", "--out", "inf.csv", "--strict"], d);
    assert!(!o.status.success());

    // A header of the current version that ends before the artifact kind.
    let mut truncated = influence_rec::bundle::MAGIC.to_vec();
    truncated.extend_from_slice(&influence_rec::bundle::FORMAT_VERSION.to_le_bytes());
    std::fs::write(d.join("model.bundle"), &truncated).expect("write");
    let o = cli(
        &["recommend", "--bundle", "model.bundle", "--brand", "x"],
        d,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("model.bundle: bundle is truncated or corrupted"),
        "{err}"
    );
    let o = cli(
        &["recommend", "--bundle", "missing.bundle", "--brand", "x"],
        d,
    );
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: missing.bundle: "));
}

#[test]
fn gbdt_train_refuses_a_missing_label_but_accepts_missing_features() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut rows = String::from("x,label\n");
    for i in 0..60 {
        rows += &format!(
            "{},{}\n",
            if i % 7 == 0 {
                String::new()
            } else {
                i.to_string()
            },
            i % 2
        );
    }
    std::fs::write(d.join("ok.csv"), &rows).expect("write");
    ok(&cli(
        &[
            "gbdt",
            "train",
            "--input",
            "ok.csv",
            "--num-iterations",
            "3",
            "--out",
            "m.txt",
        ],
        d,
    ));
    std::fs::write(d.join("bad.csv"), rows + "5,nan\n").expect("write");
    let o = cli(
        &["gbdt", "train", "--input", "bad.csv", "--out", "m2.txt"],
        d,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.csv:62 field `label`: expected a finite number, found \"nan\""),
        "{err}"
    );
}

/// A small generated data folder in a temporary directory.
fn small_data(influencers: &str, brands: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&cli(
        &[
            "generate",
            "--influencers",
            influencers,
            "--brands",
            brands,
            "--out",
            "data",
        ],
        dir.path(),
    ));
    dir
}

#[test]
fn eval_prints_every_model_on_both_splits() {
    let dir = small_data("400", "30");
    let out = ok(&cli(&["eval", "--epochs", "3", "-k", "5"], dir.path()));
    let rows: Vec<&str> = out.lines().skip(1).collect();
    for model in [
        "popularity",
        "cohesion rule",
        "factorization (warp, d=32, f32)",
        "factorization (warp, d=32, int8)",
        "factorization (warp, d=32, f32, content-only influencers)",
        "gbdt ranker (sampled, 0 top, 200 random)",
        "pipeline (200 each, sampled, 0 top, 200 random)",
        "gbdt ranker (every pair)",
        "pipeline (200 each, every pair)",
    ] {
        for split in ["random", "cold-start"] {
            let row = rows
                .iter()
                .find(|r| r.starts_with(model) && r.contains(split))
                .unwrap_or_else(|| panic!("no row {model} / {split} in\n{out}"));
            // P@5, R@5, AUC, MRR, NDCG@5 are in [0, 1]; users > 0.
            let nums: Vec<f64> = row
                .split_whitespace()
                .rev()
                .take(6)
                .map(|x| x.parse().expect("number"))
                .collect();
            assert!(nums[0] > 0.0, "users in {row}");
            assert!(nums[1..].iter().all(|v| (0.0..=1.0).contains(v)), "{row}");
        }
    }
    assert!(out.lines().next().unwrap_or("").contains("NDCG@5"), "{out}");
}

#[test]
fn mf_export_then_mf_bench_round_trip_the_exchange_format() {
    let dir = small_data("300", "20");
    let d = dir.path();
    let out = ok(&cli(
        &["mf-export", "--split", "cold-start", "--out", "mf"],
        d,
    ));
    assert!(out.contains("20 users, 300 items"), "{out}");
    let meta = std::fs::read_to_string(d.join("mf/meta.csv")).expect("meta");
    let nums: Vec<u32> = meta
        .lines()
        .nth(1)
        .expect("row")
        .split(',')
        .map(|x| x.parse().expect("int"))
        .collect();
    assert_eq!(&nums[..2], [20, 300]);
    for f in [
        "user_features.csv",
        "item_features.csv",
        "train.csv",
        "test.csv",
    ] {
        assert!(d.join("mf").join(f).exists(), "{f}");
    }
    let o = ok(&cli(
        &[
            "mf-bench", "--input", "mf", "--epochs", "4", "--loss", "bpr",
        ],
        d,
    ));
    let v: serde_json::Value = serde_json::from_str(o.trim()).expect("JSON");
    assert_eq!(v["epoch_seconds"].as_array().expect("times").len(), 4);
    assert_eq!(v["loss"], "bpr");
    let auc = v["auc"].as_f64().expect("auc");
    assert!((0.0..=1.0).contains(&auc), "{auc}");
    // A broken exchange file is a located error, not a panic.
    std::fs::write(d.join("mf/train.csv"), "user,item\n0,zz\n").expect("write");
    let o = cli(&["mf-bench", "--input", "mf", "--epochs", "1"], d);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("train.csv:2"), "{err}");
    // An unknown enum value is refused by the argument parser with the choices.
    let o = cli(&["mf-export", "--split", "sideways", "--out", "x"], d);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cold-start"));
}

#[test]
fn export_ranking_writes_tables_that_gbdt_train_reads() {
    let dir = small_data("300", "20");
    let d = dir.path();
    let out = ok(&cli(
        &["gbdt", "export-ranking", "--out", "rk", "--epochs", "2"],
        d,
    ));
    assert!(out.contains("ranking_train.csv"), "{out}");
    let text = std::fs::read_to_string(d.join("rk/ranking_train.csv")).expect("table");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..2], ["brand", "label"]);
    assert_eq!(&header[2..], influence_rec::ranker::FEATURE_NAMES);
    let mut labels = std::collections::BTreeSet::new();
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{l}");
        labels.insert(cells[1].to_string());
    }
    assert!(labels.contains("0"), "{labels:?}");
    assert!(labels.len() >= 2, "graded labels: {labels:?}");
    let o = ok(&cli(
        &[
            "gbdt",
            "train",
            "--input",
            "rk/ranking_train.csv",
            "--valid",
            "rk/ranking_valid.csv",
            "--group-column",
            "brand",
            "--objective",
            "lambdarank",
            "--num-iterations",
            "5",
            "--out",
            "rk/model.txt",
        ],
        d,
    ));
    assert!(o.contains("validation ndcg@10"), "{o}");
    let model = std::fs::read_to_string(d.join("rk/model.txt")).expect("model");
    assert!(model.contains("objective=lambdarank"), "{model:.200}");
}

#[test]
fn train_works_on_day_one_without_interactions_and_says_what_it_learned_from() {
    let dir = small_data("300", "12");
    let d = dir.path();
    std::fs::remove_file(d.join("data/interactions.csv")).expect("rm");
    let o = cli(&["train", "--data", "data", "--out", "pkg/model.bundle"], d);
    let out = ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("interactions.csv does not exist"),
        "a note says it is day one"
    );
    assert!(
        out.contains("relationship-table pairs and 0 interaction pairs"),
        "{out}"
    );
    assert!(
        out.contains("ranker: left out: 0 brands have interactions or mentions; it needs 10"),
        "{out}"
    );
    assert!(out.contains(", 0 interactions,"), "{out}");
    // A file with only its header is the same day one.
    std::fs::write(
        d.join("data/interactions.csv"),
        "event_id,brand,influencer,kind,timestamp_ms,points\n",
    )
    .expect("write");
    let again = ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    assert!(again.contains("0 interaction pairs"), "{again}");
    // Every ordering answers; the ranker falls back to the model the bundle has.
    let brands = std::fs::read_to_string(d.join("data/brands.csv")).expect("brands");
    let brand = brands
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').next())
        .expect("a brand");
    for (by, want) in [
        ("rating", "rating"),
        ("model", "model"),
        ("ranker", "model"),
    ] {
        let j = ok(&cli(
            &[
                "recommend",
                "--brand",
                brand,
                "--by",
                by,
                "-k",
                "5",
                "--json",
            ],
            d,
        ));
        let v: serde_json::Value = serde_json::from_str(&j).expect("JSON");
        assert_eq!(v["ranked_by"], want, "{by}");
        assert_eq!(v["recommendations"].as_array().map(Vec::len), Some(5));
    }
}

#[test]
fn a_committed_sample_scrape_becomes_a_working_app_with_init() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let inf = samples.join("influencer_posts.csv");
    let brands = samples.join("brand_posts.csv");
    let out = ok(&cli(
        &[
            "init",
            "--influencers",
            inf.to_str().expect("utf-8 path"),
            "--brands",
            brands.to_str().expect("utf-8 path"),
            "--out",
            "mydata",
        ],
        d,
    ));
    assert!(out.contains("-> 20 profiles"), "{out}");
    assert!(out.contains("-> 8 profiles"), "{out}");
    // Places: at least 95 % of the sample's accounts with a place resolve to a country.
    let share: f64 = out
        .lines()
        .find(|l| l.trim_start().starts_with("places:"))
        .and_then(|l| l.split('(').nth(1))
        .and_then(|s| s.split('%').next())
        .and_then(|s| s.parse().ok())
        .expect("a places line");
    assert!(share >= 95.0, "{out}");
    assert!(out.contains("0 interaction pairs"), "{out}");
    assert!(out.contains("ranker: left out"), "{out}");
    let infs = std::fs::read_to_string(d.join("mydata/data/influencers.csv")).expect("table");
    for (name, country) in [
        ("lucia.cocina", ",ES,"),
        ("glow.by.priya", ",IN,"),
        ("gamer.kenji", ",JP,"),
        ("runwithjules", ",US,"),
        ("kucing.jakarta", ",ID,"),
    ] {
        let line = infs
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in\n{infs}"));
        assert!(line.contains(country), "{name}: {line}");
    }
    let bundle = d.join("mydata/pkg/model.bundle");
    let b = bundle.to_str().expect("utf-8 path");
    // A known brand, by every ordering the bundle has (the ranker falls back to the model).
    for (by, want) in [
        ("rating", "rating"),
        ("model", "model"),
        ("ranker", "model"),
    ] {
        let j = ok(&cli(
            &[
                "recommend",
                "--bundle",
                b,
                "--brand",
                "Dulce Hogar",
                "--by",
                by,
                "-k",
                "3",
                "--json",
            ],
            d,
        ));
        let v: serde_json::Value = serde_json::from_str(&j).expect("JSON");
        assert_eq!(v["ranked_by"], want, "{by}");
        assert_eq!(v["brand"]["country"], "ES");
        let recs = v["recommendations"].as_array().expect("list");
        assert_eq!(recs.len(), 3);
        if by == "rating" {
            // Spanish food brand: the Madrid recipe account is the best fit by the rule.
            assert_eq!(recs[0]["name"], "lucia.cocina", "{j}");
        }
    }
    // A new brand described in Portuguese, from Brazil, by every ordering the bundle has.
    for (by, want) in [
        ("rating", "rating"),
        ("model", "model"),
        ("ranker", "model"),
    ] {
        let j = ok(&cli(
            &[
                "recommend",
                "--bundle",
                b,
                "--name",
                "Treino Já",
                "--country",
                "Brasil",
                "--description",
                "roupas de treino e academia #fitness #treino",
                "--by",
                by,
                "-k",
                "3",
                "--json",
            ],
            d,
        ));
        let v: serde_json::Value = serde_json::from_str(&j).expect("JSON");
        assert_eq!(v["known"], false);
        assert_eq!(v["brand"]["country"], "BR");
        assert_eq!(v["brand"]["category"], "fitness_sport");
        assert_eq!(v["ranked_by"], want, "{by}");
        assert_eq!(v["recommendations"].as_array().map(Vec::len), Some(3));
    }
    // Every profile with 3 or more posts got a category.
    let posts = std::fs::read_to_string(&inf).expect("posts");
    let mut counts = std::collections::BTreeMap::new();
    for line in posts.lines().skip(1) {
        if let Some(name) = line.split(',').next() {
            *counts.entry(name.to_string()).or_insert(0) += 1;
        }
    }
    for line in infs.lines().skip(1) {
        let name = line.split(',').next().expect("name");
        let category = line.split(',').nth(6).unwrap_or("");
        if counts.get(name).copied().unwrap_or(0) >= 3 {
            assert!(!category.is_empty(), "{name} has no category: {line}");
        }
    }
}

#[test]
fn retrain_refuses_an_empty_comparison_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = cli(&["retrain", "-k", "0", "--db", "c.db"], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid value '0'") && err.contains("1.."),
        "{err}"
    );
    assert!(
        !dir.path().join("c.db").exists(),
        "refused before anything is opened"
    );
}

#[test]
fn gbdt_predict_prints_one_column_per_class_of_a_multiclass_model() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lgbm");
    let model = fixtures.join("multiclass.model.txt");
    let rows = fixtures.join("multiclass.rows.csv");
    for (raw, want) in [(true, "multiclass.raw.txt"), (false, "multiclass.pred.txt")] {
        let mut args = vec![
            "gbdt",
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--input",
            rows.to_str().unwrap(),
        ];
        if raw {
            args.push("--raw");
        }
        let out = ok(&cli(&args, dir.path()));
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("class_0,class_1,class_2"));
        let reference = std::fs::read_to_string(fixtures.join(want)).unwrap();
        for (got, expected) in lines.zip(reference.lines()) {
            let g: Vec<f64> = got.split(',').map(|v| v.parse().unwrap()).collect();
            let e: Vec<f64> = expected.split(',').map(|v| v.parse().unwrap()).collect();
            for (a, b) in g.iter().zip(&e) {
                let ulps = (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
                assert!(
                    if raw { ulps == 0 } else { ulps <= 4 },
                    "{got} vs {expected}"
                );
            }
        }
    }
}
