use super::*;
use crate::cohesion::tests::influencer;
use crate::model::InteractionKind;

/// A two-influencer, one-brand catalog with one interacted pair.
pub(crate) fn small_tables() -> CatalogTables {
    CatalogTables {
        meta: CatalogMeta {
            seed: 7,
            interactions: 1,
            platform: String::new(),
        },
        weights: CohesionWeights::default(),
        points: PointsConfig::default(),
        influencers: vec![
            influencer("a", "music", "US", &["x"], 0.1),
            influencer("b", "fashion", "ES", &["y", "z"], 0.2),
        ],
        brands: vec![Brand {
            name: "acme".into(),
            category: "music".into(),
            country: "US".into(),
            hashtags: vec!["x".into()],
            followers: 5,
            description: "d".into(),
            ..Brand::default()
        }],
        pair_points: vec![PairPoints {
            brand: 0,
            influencer: 1,
            points: 3.0,
        }],
        mentions: vec![],
    }
}

pub(crate) fn small() -> Catalog {
    Catalog::from_tables(small_tables(), "small").unwrap()
}

/// A generated catalog plus influencers at the edges: a repeated hashtag, a category
/// and a country whose keys are empty, a cost, counts on bucket bounds.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn generated_catalog() -> Catalog {
    use crate::generate::{generate, GenerateParams};
    let d = generate(
        &GenerateParams {
            influencers: 300,
            brands: 12,
            exposures_per_brand: 30,
            seed: 11,
        },
        crate::category::Lexicon::builtin(),
    )
    .unwrap();
    let mut infs = d.influencers;
    let mut odd = influencer("zz-odd", "!!!", " ? ", &["x", "x", "y"], 0.05);
    odd.followers = Some(100_000);
    odd.cost_per_post = Some(1_000.0);
    infs.push(odd);
    infs.push(influencer("zz-bare", "", "", &[], 0.0));
    Catalog::build(infs, d.brands, &d.interactions, &BuildParams::default())
        .unwrap()
        .0
}

/// The content rows built at load from the index's ids equal the rows the trainer saw,
/// entry for entry, and the catalog's content names are the trained vocabulary, sorted.
fn assert_load_rows_are_trained_rows(c: &Catalog) -> &Features {
    let f = c.features_of(false).unwrap();
    assert_eq!(c.item_feature_rows(&f.item_vocab), f.items);
    let content = c.item_content();
    let mut trained: Vec<String> = f.item_vocab.names().to_vec();
    trained.sort();
    assert_eq!(content.names.names(), trained);
    assert_eq!(content.rows, c.item_feature_rows(&content.names));
    f
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn item_feature_rows_are_the_trained_content_rows() {
    let c = generated_catalog();
    let f = assert_load_rows_are_trained_rows(&c);
    for b in [
        (Some(0), Some(-37), None),
        (Some(40), Some(40), Some(0)),
        (Some(8), Some(-12), Some(40)),
        (Some(0), Some(-40), Some(3)),
        (None, None, Some(3)),
        (Some(9), None, None),
    ] {
        assert_eq!(unpack(pack(b)), b);
    }
    // A name the vocabulary lacks is left out and the row renormalised over the rest.
    let mut names: Vec<String> = f.item_vocab.names().to_vec();
    names.retain(|n| !n.starts_with("followers:"));
    let mut partial = Vocabulary::default();
    for n in &names {
        partial.intern(n);
    }
    let rows = c.item_feature_rows(&partial);
    assert_eq!(rows.rows as usize, c.influencers().len());
    for r in 0..rows.rows {
        let (cols, w) = rows.row(r);
        let full = f.items.row(r).0.len();
        assert_eq!(
            cols.len() + 1,
            full,
            "row {r} loses exactly its followers bucket"
        );
        assert!(w.iter().all(|&x| x == (1.0 / cols.len() as f64) as f32));
    }
}

fn ix(id: &str, b: &str, i: &str, kind: InteractionKind) -> Interaction {
    Interaction {
        event_id: id.into(),
        brand: b.into(),
        influencer: i.into(),
        kind,
        timestamp_ms: 0,
        points: 0.0,
    }
}

#[test]
fn points_are_summed_per_pair_from_the_kinds() {
    let infs = vec![
        influencer("Zed", "", "", &[], 0.0),
        influencer("amy", "", "", &[], 0.0),
    ];
    let brands = vec![Brand {
        name: "B".into(),
        category: String::new(),
        country: String::new(),
        hashtags: vec![],
        followers: 0,
        description: String::new(),
        ..Brand::default()
    }];
    let xs = vec![
        ix("1", "b", "zed", InteractionKind::Click),
        ix("2", "B", "Zed", InteractionKind::Collaboration),
        ix("3", "b", "ghost", InteractionKind::Click),
    ];
    let (c, report) = Catalog::build(infs, brands, &xs, &BuildParams::default()).unwrap();
    assert_eq!(c.influencers()[0].name, "amy", "sorted by name key");
    // zed is id 1: click 1 + collaboration 10 = 11.
    assert_eq!(
        c.pair_points(),
        [PairPoints {
            brand: 0,
            influencer: 1,
            points: 11.0
        }]
    );
    assert_eq!(c.meta().interactions, 2);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!((c.points_of(0, 1), c.points_of(0, 0)), (11.0, 0.0));
    assert_eq!(c.positives(1.0), [(0, 1, 11.0)]);
    assert_eq!(c.positives(12.0), []);
    assert_eq!(
        (c.brand_id(" b "), c.influencer_id("ZED")),
        (Some(0), Some(1))
    );
}

#[test]
fn a_hand_written_brand_table_is_read_in_codes_and_slugs() {
    let brand = |name: &str, category: &str, country: &str, description: &str| Brand {
        name: name.into(),
        category: category.into(),
        country: country.into(),
        hashtags: vec![],
        followers: 0,
        description: description.into(),
        ..Brand::default()
    };
    let brands = vec![
        brand("A", "Food & Cooking", "United States", ""),
        brand("B", "Fashion & Style", "España", ""),
        brand("C", "", "Narnia", "Vegan recipes and baking classes"),
        brand("D", "fitness_sport", "us", ""),
    ];
    let infs = vec![influencer("x", "Beauty", "Deutschland", &[], 0.1)];
    let (c, _) = Catalog::build(infs, brands, &[], &BuildParams::default()).unwrap();
    let got: Vec<(&str, &str)> = c
        .brands()
        .iter()
        .map(|b| (b.category.as_str(), b.country.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("food_cooking", "US"),
            ("fashion", "ES"),
            ("food_cooking", "Narnia"),
            ("fitness_sport", "US"),
        ]
    );
    let i = &c.influencers()[0];
    assert_eq!((i.category.as_str(), i.country.as_str()), ("beauty", "DE"));
}

#[test]
fn pairs_outside_the_tables_are_refused_naming_the_source() {
    let mut t = small_tables();
    t.pair_points[0].influencer = 2;
    let e = Catalog::from_tables(t, "model.bundle").unwrap_err();
    assert!(
        matches!(&e, Error::Corrupted { source_name, .. } if source_name == "model.bundle"),
        "{e}"
    );
}

#[test]
fn features_are_built_once_with_cold_rows_in_the_same_vocabulary() {
    let c = small();
    let f = c.features().unwrap();
    // brand:acme, category:music, country:us, tag:x.
    assert_eq!(f.user_vocab.len(), 4);
    assert_eq!((f.users.cols, f.users_cold.rows), (4, 1));
    assert_eq!(f.items.rows, 2);
    assert!(std::ptr::eq(f, c.features().unwrap()), "cached");
}

#[test]
fn mentions_join_by_name_and_evidence_that_does_not_fit_is_refused() {
    use crate::model::Mention;
    let c = Catalog::from_tables(small_tables(), "t").unwrap();
    let m = |inf: &str, handle: &str| Mention {
        influencer: inf.into(),
        handle: handle.into(),
        posts: 2,
        sponsored_posts: 1,
        first_seen: "2026-01-01".into(),
        last_seen: "2026-02-01".into(),
    };
    let names: Vec<String> = c.influencers().iter().map(|i| i.name.clone()).collect();
    let (c, skipped) = c
        .with_mentions(&[
            m(&names[1], "zeta"),
            m(&names[1], "acme"),
            m("nobody", "x"),
            m(&names[1], "zeta"),
        ])
        .unwrap();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    let got: Vec<(&str, Option<i32>)> = c
        .mentions_of(1)
        .iter()
        .map(|r| (r.handle.as_str(), r.first_seen))
        .collect();
    assert_eq!(got, [("acme", Some(20_454)), ("zeta", Some(20_454))]);
    assert!(c.mentions_of(0).is_empty());

    let refused = |f: fn(&mut CatalogTables)| {
        let mut t = c.tables().clone();
        f(&mut t);
        match Catalog::from_tables(t, "b.bundle") {
            Err(Error::Corrupted { source_name, .. }) => assert_eq!(source_name, "b.bundle"),
            other => panic!("expected Corrupted, got {:?}", other.map(|_| ())),
        }
    };
    refused(|t| t.meta.platform = "evil.example".into());
    refused(|t| t.mentions.reverse());
    refused(|t| t.mentions[0].influencer = 99);
    refused(|t| t.mentions[0].sponsored_posts = 9);
    refused(|t| t.mentions[0].posts = 0);
    refused(|t| t.mentions[0].handle = "Not A Handle".into());
    refused(|t| t.mentions[0].first_seen = Some(30_000));
    refused(|t| t.mentions[0].last_seen = None);
    refused(|t| t.brands[0].handle = "@Acme".into());
    refused(|t| {
        let mut b = t.brands[0].clone();
        b.name = "acme 2".into();
        t.brands[0].handle = "acme".into();
        b.handle = "acme".into();
        t.brands.push(b);
    });
}

#[test]
fn mentions_of_known_brands_are_learning_positives_and_a_tag_everyone_account_gives_none() {
    use crate::model::Mention;
    let mut t = small_tables();
    t.brands[0].handle = "acme".into();
    t.influencers
        .push(influencer("spam", "music", "US", &[], 0.0));
    let c = Catalog::from_tables(t, "t").unwrap();
    let m = |inf: &str, handle: &str, paid: u32| Mention {
        influencer: inf.into(),
        handle: handle.into(),
        posts: 2,
        sponsored_posts: paid,
        ..Mention::default()
    };
    // "a" names acme in two organic posts and an unknown handle; "b" (already interacted,
    // 3 points) is paid by acme; "spam" names acme among thousands of handles.
    let mut rows = vec![
        m("a", "acme", 0),
        m("a", "someone_else", 0),
        m("b", "acme", 1),
    ];
    rows.extend((0..3_000).map(|k| m("spam", &format!("user{k:04}"), 0)));
    rows.push(m("spam", "acme", 0));
    let (c, skipped) = c.with_mentions(&rows).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(c.mentions().len(), 3 + 3_001, "every row is kept");
    let (a, b, spam) = (
        c.influencer_id("a").unwrap(),
        c.influencer_id("b").unwrap(),
        c.influencer_id("spam").unwrap(),
    );
    assert_eq!(c.evidence_pairs(), [(0, a, 2, 0), (0, b, 2, 1)]);
    // Organic: an add-to-campaign's points; paid: a collaboration's, on top of the pair's own.
    let p = PointsConfig::default();
    assert_eq!(
        c.learning_positives(1.0),
        [(0, a, p.add_to_campaign), (0, b, 3.0 + p.collaboration)]
    );
    // A paid credit counts even from an account that names everyone.
    let mut t = c.tables().clone();
    for r in t
        .mentions
        .iter_mut()
        .filter(|r| r.influencer == spam && r.handle == "acme")
    {
        r.sponsored_posts = 1;
    }
    let c = Catalog::from_tables(t, "t").unwrap();
    assert!(c.evidence_pairs().contains(&(0, spam, 2, 1)));
    assert!(c.mentions_of(spam).len() > evidence::MAX_EVIDENCE_HANDLES);
}

#[test]
fn cards_keep_a_dozen_web_post_links_each_once() {
    let mut t = small_tables();
    let mut urls: Vec<String> = vec![
        "javascript:alert(1)".into(),
        " https://www.instagram.com/p/a/ ".into(),
        "https://www.instagram.com/p/a/".into(),
        "HTTP://example.org/x".into(),
        "https://example.org/with space".into(),
        "/relative".into(),
        format!("https://example.org/{}", "x".repeat(600)),
    ];
    urls.extend((0..20).map(|k| format!("https://www.instagram.com/p/{k}/")));
    t.influencers[0].post_urls = urls;
    let (c, _) = Catalog::build(t.influencers, t.brands, &[], &BuildParams::default()).unwrap();
    let kept = &c.influencers()[0].post_urls;
    assert_eq!(kept.len(), CATALOG_POST_URLS);
    assert_eq!(kept[0], "https://www.instagram.com/p/a/");
    assert_eq!(kept[1], "HTTP://example.org/x");
    assert_eq!(kept[2], "https://www.instagram.com/p/0/");
}

#[test]
fn handles_enough_accounts_name_are_item_features_and_known_brands_are_not() {
    use crate::model::Mention;
    use evidence::{MAX_EVIDENCE_HANDLES, MAX_HANDLE_FEATURES_PER_ACCOUNT};
    let mut t = small_tables();
    t.brands[0].handle = "acme".into();
    for name in ["c", "d", "e", "spam"] {
        t.influencers
            .push(influencer(name, "music", "US", &["x"], 0.1));
    }
    let c = Catalog::from_tables(t, "t").unwrap();
    let m = |inf: &str, handle: &str, posts: u32, paid: u32| Mention {
        influencer: inf.into(),
        handle: handle.into(),
        posts,
        sponsored_posts: paid,
        ..Mention::default()
    };
    let mut rows = Vec::new();
    // "studio": three accounts, one of them paid; "rare": two; "acme": a known brand's.
    for who in ["a", "b", "c"] {
        rows.push(m(who, "studio", 1, u32::from(who == "a")));
        rows.push(m(who, "acme", 1, 0));
    }
    rows.extend(["a", "b"].map(|w| m(w, "rare", 1, 0)));
    // Twelve handles c, d and e all name: d keeps its paid credit, then the most posts.
    for k in 0..12u32 {
        let h = format!("f{k:02}");
        rows.push(m("c", &h, 1, 0));
        rows.push(m("d", &h, 1 + k % 4, u32::from(k == 0)));
        rows.push(m("e", &h, 1, 0));
    }
    // An account naming everyone: its organic "rare" does not make it three accounts.
    rows.extend((0..=MAX_EVIDENCE_HANDLES).map(|k| m("spam", &format!("user{k:04}"), 1, 0)));
    rows.push(m("spam", "rare", 1, 0));
    let (c, skipped) = c.with_mentions(&rows).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let hf = c.handle_features();
    let named = |who: &str| -> Vec<&str> {
        let i = c.influencer_id(who).unwrap() as usize;
        hf.of(i).iter().map(|&h| hf.handles[h as usize]).collect()
    };
    assert_eq!(named("a"), ["studio"]);
    assert_eq!(named("b"), ["studio"]);
    assert_eq!(named("spam"), Vec::<&str>::new());
    // d: f00 (paid), then 4 posts (f03, f07, f11), 3 (f02, f06, f10), 2 (f01, f05, f09).
    let d = named("d");
    assert_eq!(d.len(), MAX_HANDLE_FEATURES_PER_ACCOUNT);
    assert_eq!(
        d,
        ["f00", "f01", "f02", "f03", "f05", "f06", "f07", "f09", "f10", "f11"]
    );
    assert_eq!(named("c").len(), MAX_HANDLE_FEATURES_PER_ACCOUNT);
    assert!(!hf.handles.contains(&"acme") && !hf.handles.contains(&"rare"));
    // The trainer's rows and the load-time rows agree with handles in them.
    let f = assert_load_rows_are_trained_rows(&c);
    assert!(f.item_vocab.get("mention:studio").is_some());
    assert!(f.item_vocab.get("mention:acme").is_none());
}
