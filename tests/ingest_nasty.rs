//! The importer on hand-written nasty scrapes: exact profiles and exact error lines.
#![cfg(not(target_arch = "wasm32"))]

use influence_rec::ingest::{ingest, ColumnMapping};
use influence_rec::Lexicon;

const NASTY: &str = "\u{feff}user_Name,followers,user_Description,likes,post_Description,location,hashtags,engagement_rate,max_category,extra_col
café_créme,\"5,721,916\",\"Paris 🇫🇷 baker
pastry lover 🥐\",57219,\"New recipe! #Croissant #butter\",France,\"['#Baking', '#paris']\",,Food,x
café_créme,5721916,,,\"Sunday #croissant\",france,#baking#bread,,,y
東京ガール,12000,東京のファッション,600,#ootd 🌸,Japan,,5%,,z
broken,only,three
bad_num,12k5,,10,,,,,,
,100,,1,,,,,,
東京ガール,\"12,000\",,,#tokyo,Japan,\"#fashion, #ootd\",,,
";

#[test]
fn nasty_scrape_aggregates_exactly_and_reports_bad_rows_by_line_and_field() {
    let (profiles, report) = ingest(
        NASTY.as_bytes(),
        "nasty.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("header is usable");
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "nasty.csv:6: expected 10 fields, found 3",
            "nasty.csv:7 field `followers`: expected a number, found \"12k5\"",
        ]
    );
    assert_eq!(report.rows_read, 7, "the multi-line record counts once");
    // The row without a name is accepted and left out as no account, counted in one line.
    assert_eq!(report.rows_accepted, 5);
    assert_eq!(report.left_out["rows without a usable handle"].rows, 1);
    assert_eq!(
        report.notes,
        ["nasty.csv:1: column \"extra_col\" is not used and was ignored"]
    );

    assert_eq!(profiles.len(), 2);
    let cafe = &profiles[0].influencer;
    assert_eq!(cafe.name, "café_créme");
    assert_eq!(cafe.followers, Some(5_721_916));
    assert_eq!(cafe.description, "Paris 🇫🇷 baker\npastry lover 🥐");
    assert_eq!(
        cafe.mean_likes,
        Some(57_219.0),
        "only the post that reports likes counts"
    );
    assert_eq!(cafe.engagement_rate, Some(57_219.0 / 5_721_916.0));
    assert_eq!(
        cafe.hashtags,
        ["baking", "paris", "croissant", "butter", "bread"]
    );
    assert_eq!(
        cafe.location, "France",
        "France and france are one vote; first spelling kept"
    );
    assert_eq!(cafe.country, "FR", "and it resolves to its ISO code");
    assert_eq!(
        cafe.category, "food_cooking",
        "\"Food\" is an alias of food_cooking"
    );

    let tokyo = &profiles[1].influencer;
    assert_eq!(tokyo.name, "東京ガール");
    assert_eq!(tokyo.followers, Some(12_000));
    assert_eq!(tokyo.mean_likes, Some(600.0));
    assert_eq!(tokyo.engagement_rate, Some(0.05), "\"5%\" is a percentage");
    assert_eq!(tokyo.hashtags, ["ootd", "fashion", "tokyo"]);
    assert_eq!(
        (tokyo.country.as_str(), tokyo.location.as_str()),
        ("JP", "Japan")
    );
    // No category given: inferred. Words: ootd, tokyo (captions) + ootd, fashion, tokyo
    // (hashtags) -> fashion has 3 hits (ootd, ootd, fashion).
    assert_eq!(tokyo.category, "fashion");
}

#[test]
fn missing_optional_columns_are_unknown_not_zero_and_not_errors() {
    let (p, r) = ingest(
        "user_Name\nsolo\n".as_bytes(),
        "min.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("a name column is enough");
    assert!(r.errors.is_empty());
    let solo = &p[0].influencer;
    assert_eq!(
        (solo.followers, solo.mean_likes, solo.engagement_rate),
        (None, None, None)
    );
    assert_eq!(
        (
            r.unknown["followers"],
            r.unknown["likes"],
            r.unknown["engagement"]
        ),
        (1, 1, 1)
    );
}

#[test]
fn invalid_utf8_is_a_row_error_naming_the_field() {
    let mut bytes = b"user_Name,user_Description\nok,fine\nbad,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    bytes.extend_from_slice(b"later,still kept\n");
    let (p, r) = ingest(
        bytes.as_slice(),
        "u.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("header fine");
    assert_eq!(p.len(), 2, "the rows before and after the bad one are kept");
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0]
            .to_string()
            .starts_with("u.csv:3 field `user_Description`: expected UTF-8 text"),
        "{}",
        r.errors[0]
    );
}

#[test]
fn the_bundled_raw_scrape_reproduces_the_committed_tables() {
    // data/influencers.csv is exactly what the importer makes of data/raw/influencer_posts.csv.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let raw =
        std::fs::read(root.join("data/raw/influencer_posts.csv")).expect("raw data is committed");
    let (profiles, report) = ingest(
        raw.as_slice(),
        "raw",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("ingests");
    assert!(report.errors.is_empty());
    let rows: Vec<_> = profiles.into_iter().map(|p| p.influencer).collect();
    let mut buf = Vec::new();
    influence_rec::tables::write_influencers(&mut buf, "mem", &rows).expect("writes");
    let committed = std::fs::read(root.join("data/influencers.csv")).expect("table is committed");
    assert!(
        buf == committed,
        "data/influencers.csv is stale: rerun `influence-rec generate`"
    );
    assert!(rows.len() >= 2000);
}

#[test]
fn a_number_that_overflows_with_its_suffix_is_a_row_error() {
    let csv = "user_Name,followers,likes\nbig,1e308k,5\nok,1000,5\n";
    let (profiles, report) = ingest(
        csv.as_bytes(),
        "posts.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("ingests");
    assert_eq!(profiles.len(), 1, "the good row is kept");
    assert_eq!(report.errors.len(), 1);
    let e = report.errors[0].to_string();
    assert!(e.starts_with("posts.csv:2 field `followers`"), "{e}");
    assert!(e.contains("1e308k"), "{e}");
}
