//! Collaboration evidence end to end (issue 28): `init` on a real-format scrape writes
//! `mentions.csv`, the brands' handles come from a brand scrape's account names, the bundle
//! carries both, and `export` writes the evidence back as `ingest` wrote it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

mod run;
use run::{cli, ok};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scrapes")
        .join(name)
        .display()
        .to_string()
}

const BRAND_POSTS: &str = "ownerUsername,biography,followersCount,caption,locationName\n\
    Nike,Just do it,300000000,Run #running #marathon,\"Portland, Oregon\"\n\
    mahou_es,Cerveza de Madrid,200000,Paella y cerveza #paella #recetas,\"Madrid, España\"\n";

#[test]
fn init_writes_the_evidence_the_bundle_carries_it_and_export_gives_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("brands.csv"), BRAND_POSTS).expect("write");
    let out = ok(&cli(
        &[
            "init",
            "--influencers",
            &fixture("instaloader.jsonl"),
            "--brands",
            "brands.csv",
            "--out",
            "app",
        ],
        d,
    ));
    assert!(
        out.contains("collaboration evidence: 2 accounts name other accounts in their posts, 4 account-to-handle pairs (2 with paid posts)"),
        "{out}"
    );
    let mentions = std::fs::read_to_string(d.join("app/data/mentions.csv")).expect("mentions");
    assert_eq!(
        mentions,
        "influencer,handle,posts,sponsored_posts,first_seen,last_seen\n\
         lucia.cocina,mahou_es,1,0,2026-10-02,2026-10-02\n\
         lucia.cocina,philadelphia_es,2,1,2026-06-01,2026-10-03\n\
         runwithjules,nike,2,2,2026-10-01,2026-10-02\n\
         runwithjules,strava,1,0,2026-10-01,2026-10-01\n"
    );
    // A brand scrape's account name is the brand's handle (in comparison form).
    let brands = std::fs::read_to_string(d.join("app/data/brands.csv")).expect("brands");
    assert!(brands.starts_with("name,category,country,hashtags,followers,description,handle\n"));
    assert!(
        brands.contains(",nike\n") && brands.contains(",mahou_es\n"),
        "{brands}"
    );

    // The bundle carries the evidence: export writes it back row for row.
    let o = cli(
        &[
            "export",
            "--db",
            "c.db",
            "--bundle",
            "app/pkg/model.bundle",
            "--out",
            "export",
        ],
        d,
    );
    let said = ok(&o);
    assert!(said.contains("4 mention rows"), "{said}");
    assert_eq!(
        std::fs::read_to_string(d.join("export/mentions.csv")).expect("exported"),
        mentions
    );

    // The orderings on the held-out evidence: nike and mahou_es are named by one account
    // each; every ordering has a row, the ranker says why it is absent.
    let said = ok(&cli(&["eval", "--mentions", "app/data"], d));
    assert!(
        said.starts_with("2 brands with a handle that accounts named (2 accounts in all), 2 folds"),
        "{said}"
    );
    for row in [
        "random",
        "popularity (followers)",
        "cohesion rule (the rating)",
        "factorization model, brand in the table",
        "factorization model, described as a new brand",
    ] {
        let figures = |l: &str| {
            l[row.len()..]
                .split_whitespace()
                .filter(|w| w.parse::<f64>().is_ok_and(|x| (0.0..=1.0).contains(&x)))
                .count()
        };
        assert!(
            said.lines().any(|l| l.starts_with(row) && figures(l) == 3),
            "{row}: {said}"
        );
    }
    assert!(said.contains("ranker pipeline"), "{said}");
    assert!(said.contains("absent: no ranker"), "{said}");
    // A folder without handles or mentions says there is nothing to evaluate.
    let o = cli(&["eval", "--mentions", "export"], d);
    assert!(!o.status.success());
}

#[test]
fn a_mentions_table_with_bad_rows_is_reported_by_line_and_the_rest_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&cli(
        &[
            "generate",
            "--influencers",
            "40",
            "--brands",
            "3",
            "--out",
            "data",
        ],
        d,
    ));
    let table = std::fs::read_to_string(d.join("data/influencers.csv")).expect("table");
    let first = table
        .lines()
        .nth(1)
        .expect("a row")
        .split(',')
        .next()
        .expect("name");
    std::fs::write(
        d.join("data/mentions.csv"),
        format!(
            "influencer,handle,posts,sponsored_posts,first_seen,last_seen\n\
             {first},nike,2,1,,\n\
             {first},not a handle,2,1,,\n\
             nobody_here,nike,1,0,,\n"
        ),
    )
    .expect("write");
    let o = cli(&["train", "--data", "data", "--out", "pkg/model.bundle"], d);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mentions.csv:3 field `handle`"), "{err}");
    assert!(err.contains("nobody_here"), "{err}");
}

#[test]
fn cards_list_who_an_account_worked_with_and_filters_find_or_hide_them() {
    use influence_rec::catalog::{BuildParams, Catalog};
    use influence_rec::ingest::{ingest, ColumnMapping};
    use influence_rec::model::Brand;
    use influence_rec::rank::{Filter, RankRequest, Recommender, Who};
    use influence_rec::Lexicon;

    let bytes = std::fs::read(fixture("profiles.json")).expect("fixture");
    let (profiles, _) = ingest(
        bytes.as_slice(),
        "profiles.json",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("ingest");
    let mentions: Vec<_> = profiles.iter().flat_map(|p| p.mentions.clone()).collect();
    let infs = profiles.into_iter().map(|p| p.influencer).collect();
    let brand = Brand {
        name: "Nike".into(),
        category: "fitness_sport".into(),
        country: "US".into(),
        handle: "nike".into(),
        ..Brand::default()
    };
    let (c, _) = Catalog::build(infs, vec![brand], &[], &BuildParams::default()).expect("build");
    let (c, _) = c.with_mentions(&mentions).expect("mentions");
    let rec = Recommender::new(c, None, None).expect("recommender");
    // Most recent first, paid before organic on a day; a known brand's handle names it.
    let jules = rec.influencer_id("runwithjules").expect("jules");
    let ww = rec.worked_with(jules, 5);
    let got: Vec<(&str, Option<&str>, u32, &str)> = ww
        .iter()
        .map(|w| {
            (
                w.handle.as_str(),
                w.brand.as_deref(),
                w.sponsored_posts,
                w.last_seen.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("nike", Some("Nike"), 2, "2026-10-02"),
            ("strava", None, 0, "2026-10-01")
        ]
    );
    let lucia = rec.influencer_id("lucia.cocina").expect("lucia");
    let first: Vec<String> = rec
        .worked_with(lucia, 1)
        .into_iter()
        .map(|w| w.handle)
        .collect();
    assert_eq!(
        first,
        ["philadelphia_es"],
        "last seen 2026-10-03, after mahou_es"
    );

    // The widget's precomputed lists carry the same line as the cards; an entry without
    // evidence writes none, and a list published before the field existed still reads.
    let lists = rec.top_lists(rec.influencers().len());
    let entries = &lists[0].influencers;
    let entry = |name: &str| entries.iter().find(|e| e.name == name).expect("listed");
    assert_eq!(
        entry("runwithjules").worked_with,
        rec.worked_with(jules, influence_rec::rank::WORKED_WITH_SHOWN)
    );
    let quiet = entries
        .iter()
        .find(|e| {
            rec.worked_with(rec.influencer_id(&e.name).expect("id"), 5)
                .is_empty()
        })
        .expect("an account that named nobody");
    assert!(quiet.worked_with.is_empty());
    let json = serde_json::to_value(quiet).expect("json");
    assert!(json.get("worked_with").is_none(), "{json}");
    let old: influence_rec::rank::TopEntry = serde_json::from_value(json).expect("older entry");
    assert_eq!(&old, quiet);

    let names = |filter: Filter| -> Vec<String> {
        let req = RankRequest {
            filter,
            ..RankRequest::default()
        };
        let mut v: Vec<String> = rec
            .rank(Who::Known("Nike"), 10, &req)
            .expect("rank")
            .recommendations
            .into_iter()
            .map(|r| r.name)
            .collect();
        v.sort();
        v
    };
    // A competitor's collaborators, and exclusivity: hide whoever worked with them.
    assert_eq!(
        names(Filter {
            worked_with: vec!["@Nike".into(), "mahou_es".into()],
            ..Filter::default()
        }),
        ["lucia.cocina", "runwithjules"]
    );
    assert_eq!(
        names(Filter {
            not_worked_with: vec!["strava".into()],
            ..Filter::default()
        }),
        ["lucia.cocina", "tienda_fitgear"]
    );
    let bad = RankRequest {
        filter: Filter {
            worked_with: vec!["not a handle".into()],
            ..Filter::default()
        },
        ..RankRequest::default()
    };
    let e = rec
        .rank(Who::Known("Nike"), 10, &bad)
        .map(|_| ())
        .unwrap_err();
    assert!(e.to_string().contains("worked_with"), "{e}");
}

#[test]
fn liked_influencers_are_a_new_brands_first_rows_folded_in_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&cli(
        &[
            "generate",
            "--influencers",
            "300",
            "--brands",
            "12",
            "--out",
            "data",
        ],
        d,
    ));
    ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    let rank = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "recommend",
            "--name",
            "Probe",
            "--category",
            "food_cooking",
            "-k",
            "300",
            "--by",
            "model",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(&cli(&args, d))).expect("JSON")
    };
    let position = |r: &serde_json::Value, name: &str| {
        r["recommendations"]
            .as_array()
            .expect("list")
            .iter()
            .position(|x| x["name"] == name)
            .expect("ranked")
    };
    let before = rank(&[]);
    // The account the model ranks last for the brand as described: liking it moves it up
    // (fold-in), and it counts an add-to-campaign's points in the rating.
    let recs = before["recommendations"].as_array().expect("list");
    let last = recs.last().expect("someone")["name"]
        .as_str()
        .expect("name")
        .to_string();
    let after = rank(&["--like", &last.to_uppercase()]);
    assert!(
        position(&after, &last) < position(&before, &last) / 2,
        "{}",
        position(&after, &last)
    );
    let rated = after["recommendations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["name"] == last.as_str())
        .expect("ranked");
    assert_eq!(rated["interaction_points"], 5.0);
    // A name that is no influencer is refused by name, and nothing is written.
    let o = cli(
        &[
            "recommend",
            "--name",
            "Probe",
            "--like",
            &last,
            "--like",
            "nobody_here",
            "--save-to",
            "data/brands.csv",
        ],
        d,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nobody_here"), "{err}");
    let brands = std::fs::read_to_string(d.join("data/brands.csv")).expect("brands");
    assert!(!brands.contains("Probe"));
    // Saved, the brand and its likes are the data's new rows.
    let interactions = std::fs::read_to_string(d.join("data/interactions.csv")).expect("rows");
    ok(&cli(
        &[
            "recommend",
            "--name",
            "Probe",
            "--like",
            &last,
            "--save-to",
            "data/brands.csv",
        ],
        d,
    ));
    let grown = std::fs::read_to_string(d.join("data/interactions.csv")).expect("rows");
    assert_eq!(grown.lines().count(), interactions.lines().count() + 1);
    let row = grown.lines().last().expect("row");
    assert!(
        row.contains(&format!(",Probe,{last},add_to_campaign,")),
        "{row}"
    );
    ok(&cli(
        &["train", "--data", "data", "--out", "pkg/model.bundle"],
        d,
    ));
    let known = ok(&cli(&["recommend", "--brand", "Probe", "-k", "3"], d));
    assert!(known.starts_with("known brand \"Probe\""), "{known}");
}
