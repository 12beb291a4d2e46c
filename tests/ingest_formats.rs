//! The formats real scrapers write (issue 27): JSON arrays of profiles with their latest
//! posts, the same as JSON lines, flat per-post JSON, instaloader's per-post JSON and the
//! CSV export of nested records (slash paths: `latestPosts/0/caption`, `hashtags/2`), all
//! detected by content, each ingesting into the same profiles as its CSV twin; and hostile
//! JSON (deep nesting, wrong types, nulls, broken syntax, a large single line) with located
//! errors that lose nothing already read.
#![cfg(not(target_arch = "wasm32"))]

use influence_rec::ingest::{ingest, ColumnMapping, IngestReport, Profile};
use influence_rec::model::{AccountKind, Mention};
use influence_rec::{Influencer, Lexicon};

fn profiles(bytes: &[u8], source: &str) -> (Vec<Profile>, IngestReport) {
    ingest(bytes, source, &ColumnMapping::default(), Lexicon::builtin())
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn read(bytes: &[u8], source: &str) -> (Vec<Influencer>, IngestReport) {
    let (p, r) = profiles(bytes, source);
    (p.into_iter().map(|p: Profile| p.influencer).collect(), r)
}

fn mention(inf: &str, handle: &str, posts: u32, paid: u32, first: &str, last: &str) -> Mention {
    Mention {
        influencer: inf.into(),
        handle: handle.into(),
        posts,
        sponsored_posts: paid,
        first_seen: first.into(),
        last_seen: last.into(),
    }
}

/// The collaboration evidence every twin holds: C1 mentions @Philadelphia_ES with #ad, C3
/// mentions it without; C2 tags mahou_es; R1 is a "Paid partnership with @nike" co-authored
/// with strava (the named sponsor alone is paid); R2 mentions @Nike on a post flagged paid.
fn twin_mentions() -> Vec<Mention> {
    vec![
        mention("lucia.cocina", "mahou_es", 1, 0, "2026-10-02", "2026-10-02"),
        mention(
            "lucia.cocina",
            "philadelphia_es",
            2,
            1,
            "2026-06-01",
            "2026-10-03",
        ),
        mention("runwithjules", "nike", 2, 2, "2026-10-01", "2026-10-02"),
        mention("runwithjules", "strava", 1, 0, "2026-10-01", "2026-10-01"),
    ]
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scrapes")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_json_format_makes_the_profiles_of_its_csv_twin() {
    let (twin, report) = read(&fixture("posts.csv"), "posts.csv");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(twin.len(), 3);
    // What the twins are about: unknown likes stay unknown, comments count, kinds, venues.
    let by = |n: &str| twin.iter().find(|i| i.name == n).expect(n);
    let jules = by("runwithjules");
    assert_eq!(jules.followers, Some(5_721_916));
    assert_eq!((jules.mean_likes, jules.engagement_rate), (None, None));
    assert_eq!(
        jules.country, "US",
        "Boulder resolves; the ballpark is not a country"
    );
    let lucia = by("lucia.cocina");
    // (1820 + 2105) / 2 likes and (31 + 40) / 2 comments over the posts that report them.
    let want = (1962.5 + 35.5) / 48_200.0;
    assert!((lucia.engagement_rate.expect("known") - want).abs() < 1e-12);
    assert_eq!(
        (lucia.country.as_str(), lucia.location.as_str()),
        ("ES", "Madrid, España")
    );
    // Recency from post times, against the scrape's newest post (2026-10-03 12:00 UTC): C1
    // (June) is outside the last 90 days, C3 hides its likes, so only C2 counts; three posts
    // over 124 days are two gaps, 0.11 a week.
    assert_eq!(lucia.last_post, "2026-10-03");
    assert_eq!(lucia.posts_per_week, Some(0.11));
    let recent = (2105.0 + 40.0) / 48_200.0;
    assert!((lucia.recent_engagement_rate.expect("recent") - recent).abs() < 1e-12);
    assert_eq!(
        (
            jules.last_post.as_str(),
            jules.posts_per_week,
            jules.recent_engagement_rate
        ),
        ("2026-10-02", Some(7.0), None),
        "a day apart; hidden likes have no recent engagement either"
    );
    let shop = by("tienda_fitgear");
    assert_eq!(
        (shop.kind, shop.followers),
        (AccountKind::Brand, Some(1_200_000))
    );
    // A time that is none is a row error naming its line and column; the other rows stay.
    let (rows, bad) = read(
        b"ownerUsername,followersCount,timestamp\na,10,2026-10-01T12:00:00Z\nb,20,yesterday\nc,30,\n",
        "t.csv",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(bad.errors.len(), 1);
    let e = bad.errors[0].to_string();
    assert!(e.starts_with("t.csv:3 field `timestamp`"), "{e}");
    assert!(e.contains("ISO 8601"), "{e}");
    for name in [
        "profiles.json",
        "profiles.jsonl",
        "posts.json",
        "instaloader.jsonl",
        "profiles_flat.csv",
        "posts_flat.csv",
    ] {
        let (got, report) = read(&fixture(name), name);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        assert_eq!(report.rows_accepted, 7, "{name}");
        assert_eq!(got, twin, "{name}");
    }
    // The same export with its paths dotted (`latestPosts.0.caption`), as some converters
    // write it.
    let flat = String::from_utf8(fixture("profiles_flat.csv")).expect("UTF-8");
    let (head, body) = flat.split_once('\n').expect("header");
    let dotted = format!("{}\n{body}", head.replace('/', "."));
    let (got, report) = read(dotted.as_bytes(), "profiles_dotted.csv");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(got, twin, "dotted paths");
    // Collaboration evidence, the same from every twin; the #ad disclosure is no hashtag of
    // the profile.
    assert!(
        !lucia.hashtags.contains(&"ad".to_string()),
        "{:?}",
        lucia.hashtags
    );
    for name in [
        "posts.csv",
        "profiles.json",
        "profiles.jsonl",
        "posts.json",
        "instaloader.jsonl",
        "profiles_flat.csv",
        "posts_flat.csv",
    ] {
        let (got, report) = profiles(&fixture(name), name);
        let m: Vec<Mention> = got.into_iter().flat_map(|p| p.mentions).collect();
        assert_eq!(m, twin_mentions(), "{name}");
        assert_eq!(
            (
                report.mentions.accounts,
                report.mentions.pairs,
                report.mentions.sponsored_pairs
            ),
            (2, 4, 2),
            "{name}"
        );
    }
}

/// TikTok's exports name the account inside a nested author (`authorMeta.name`,
/// `author.uniqueId`): the scraper's JSON, its CSV export (slash paths, or dotted as pandas
/// writes them, with or without the list columns) and the web app's item JSON all make the
/// same profiles and evidence, with no flag and no `--map`.
#[test]
fn tiktok_exports_make_one_set_of_profiles() {
    let (want, report) = profiles(&fixture("tiktok.json"), "tiktok.json");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.rows_accepted, 5);
    let infs: Vec<&Influencer> = want.iter().map(|p| &p.influencer).collect();
    let marco = infs.iter().find(|i| i.name == "chef.marco").expect("marco");
    assert_eq!(marco.followers, Some(250_000));
    // (12000 + 9000 + 15000) / 3 likes and (340 + 120 + 410) / 3 comments a video.
    assert_eq!(marco.mean_likes, Some(12_000.0));
    assert!((marco.engagement_rate.expect("known") - 12_290.0 / 250_000.0).abs() < 1e-12);
    assert_eq!(
        (marco.country.as_str(), marco.category.as_str()),
        ("MX", "food_cooking")
    );
    // Tag objects give their names; an empty one and the #ad disclosure are no hashtags.
    assert_eq!(marco.hashtags, ["recetas", "tacos", "pozole", "salsa"]);
    assert!(marco.description.starts_with("Recetas fáciles"));
    assert_eq!(marco.last_post, "2026-10-01");
    assert!(marco.post_urls[0].starts_with("https://www.tiktok.com/@chef.marco/video/"));
    let kai = infs.iter().find(|i| i.name == "dancewithkai").expect("kai");
    assert_eq!(
        (kai.followers, kai.country.as_str()),
        (Some(1_200_000), "US")
    );
    let evidence =
        |ps: &[Profile]| -> Vec<Mention> { ps.iter().flat_map(|p| p.mentions.clone()).collect() };
    // `isAd` marks the pozole video paid: it credits the handle it names.
    assert_eq!(
        evidence(&want),
        [
            mention("chef.marco", "knorr_mx", 1, 1, "2026-09-20", "2026-09-20"),
            mention("chef.marco", "lacostena", 1, 0, "2026-08-15", "2026-08-15"),
            mention("dancewithkai", "nike", 1, 0, "2026-10-03", "2026-10-03"),
        ]
    );

    let flat = String::from_utf8(fixture("tiktok_flat.csv")).expect("UTF-8");
    let (head, body) = flat.split_once('\n').expect("header");
    // Without the list columns the header holds no numbered path and is read as a plain
    // CSV: `authorMeta/name` is still the name, the caption still gives tags and mentions.
    let cols: Vec<&str> = head.split(',').collect();
    let keep: Vec<usize> = (0..cols.len())
        .filter(|&i| !cols[i].starts_with("hashtags/") && !cols[i].starts_with("mentions/"))
        .collect();
    let mut plain = csv::Writer::from_writer(Vec::new());
    for line in csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(flat.as_bytes())
        .records()
    {
        let line = line.expect("record");
        plain
            .write_record(keep.iter().map(|&i| &line[i]))
            .expect("write");
    }
    let plain = plain.into_inner().expect("csv");
    let dotted = format!("{}\n{body}", head.replace('/', "."));
    for (name, bytes) in [
        ("tiktok_flat.csv", flat.as_bytes()),
        ("tiktok_dotted.csv", dotted.as_bytes()),
        ("tiktok_plain.csv", &plain[..]),
    ] {
        let (got, report) = profiles(bytes, name);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        assert_eq!(got, want, "{name}");
    }
    // The web app's items carry no video link; everything else is the same.
    let (got, report) = profiles(&fixture("tiktok_items.jsonl"), "tiktok_items.jsonl");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(evidence(&got), evidence(&want));
    let no_links = |ps: &[Profile]| -> Vec<Influencer> {
        ps.iter()
            .map(|p| Influencer {
                post_urls: Vec::new(),
                ..p.influencer.clone()
            })
            .collect()
    };
    assert_eq!(no_links(&got), no_links(&want));

    // A nested name can be mapped too (`--map name=creator.handle`), and a tag that is
    // neither text nor a named tag is a row error naming its path.
    let json = r#"[{"creator": {"handle": "li"}, "hashtags": [{"name": "ok"}, {"id": 3}, {"name": 5}]},
                   {"creator": {"handle": "mo", "stats": {"followers": 10}}, "likes": 1,
                    "hashtags": [{"title": "x"}, {"id": 3}]}]"#;
    let mapping =
        ColumnMapping::parse(&["name=creator.handle", "followers=Creator/Stats/Followers"])
            .expect("mapping");
    let (got, report) =
        ingest(json.as_bytes(), "m.json", &mapping, Lexicon::builtin()).expect("read");
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["m.json field `$[0].hashtags[2]`: expected a hashtag (a string, or a tag with a name), found \"an object\""]
    );
    let got: Vec<(&str, Option<u64>, &[String])> = got
        .iter()
        .map(|p| {
            (
                p.influencer.name.as_str(),
                p.influencer.followers,
                &p.influencer.hashtags[..],
            )
        })
        .collect();
    assert_eq!(got, [("mo", Some(10), &["x".to_string()][..])]);
}

#[test]
fn hostile_json_gets_located_errors_and_keeps_what_was_read() {
    // Wrong types and nulls: the bad post is a row error naming its JSON path; nulls are
    // unknown; numbers written as strings are numbers.
    let json = r#"[
      {"ownerUsername": "ana", "followersCount": "1.2M", "likesCount": null, "caption": "hola"},
      {"ownerUsername": "ana", "followersCount": 1200000, "likesCount": {"n": 3}},
      {"username": "bo", "followersCount": "5,721,916",
       "latestPosts": [{"caption": "a", "likesCount": "12"}, 7, {"likesCount": [1]},
                       {"caption": "b", "taggedUsers": [{"username": "ok"}, 5]},
                       {"caption": "<script>@x</script> @a.b@c.d", "mentions": [{"id": 1}]}]},
      "not a record"
    ]"#;
    let (got, report) = read(json.as_bytes(), "bad.json");
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "bad.json field `$[1].likesCount`: expected a value for `likes`, found \"an object\"",
            "bad.json field `$[2].latestPosts[1]`: expected a post object, found \"a number\"",
            "bad.json field `$[2].latestPosts[2].likesCount`: expected a value for `likes`, found \"an array\"",
            "bad.json field `$[2].latestPosts[3].taggedUsers[1]`: expected a handle (a string) or an account with a username, found \"a number\"",
            "bad.json field `$[2].latestPosts[4].mentions[0]`: expected a handle (a string) or an account with a username, found \"an object\"",
            "bad.json field `$[3]`: expected an object (a profile or a post), found \"a string\"",
        ]
    );
    assert_eq!((report.rows_read, report.rows_accepted), (8, 2));
    let names: Vec<(&str, Option<u64>, Option<f64>)> = got
        .iter()
        .map(|i| (i.name.as_str(), i.followers, i.mean_likes))
        .collect();
    assert_eq!(
        names,
        [
            ("ana", Some(1_200_000), None),
            ("bo", Some(5_721_916), Some(12.0))
        ]
    );

    // Nesting past the parser's limit stops the file at a located error; earlier records stay.
    let deep = format!(
        "{{\"ownerUsername\": \"cy\", \"caption\": \"x\"}}\n{{\"ownerUsername\": \"di\", \"x\": {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (got, report) = read(deep.as_bytes(), "deep.jsonl");
    assert_eq!(
        got.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["cy"]
    );
    let e = report.errors[0].to_string();
    assert!(e.starts_with("deep.jsonl:2: unreadable JSON"), "{e}");
    assert!(e.contains("recursion limit"), "{e}");

    // Broken syntax mid-array: the records before it stay, the error says where.
    let broken = "[{\"ownerUsername\": \"ed\"}, {\"ownerUsername\": \"fi\", \"likesCount\": 1,,}]";
    let (got, report) = read(broken.as_bytes(), "broken.json");
    assert_eq!(
        got.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["ed"]
    );
    let e = report.errors[0].to_string();
    assert!(
        e.starts_with("broken.json:1: unreadable JSON at column"),
        "{e}"
    );
    assert!(e.contains("after 1 records"), "{e}");

    // Invalid UTF-8 inside a string is a located error too, never a panic.
    let mut bad = b"[{\"ownerUsername\": \"gu\"}, {\"ownerUsername\": \"h".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(b"\"}]");
    let (got, report) = read(&bad, "latin1.json");
    assert_eq!(got.len(), 1);
    assert!(report.errors[0]
        .to_string()
        .starts_with("latin1.json:1: unreadable JSON"));
}

#[test]
fn a_large_single_line_array_is_read_record_by_record() {
    // 20,000 posts of 40 accounts on one line (about 6 MB): every post arrives.
    let mut s = String::from("[");
    for k in 0..20_000 {
        if k > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"ownerUsername\":\"acct{}\",\"followersCount\":{},\"likesCount\":{},\"caption\":\"{} #running\",\"locationName\":\"Lisboa, Portugal\"}}",
            k % 40,
            10_000 + k % 40,
            k % 97,
            "a long caption about training for a marathon ".repeat(5)
        ));
    }
    s.push(']');
    assert!(!s.contains('\n'));
    let (got, report) = read(s.as_bytes(), "big.json");
    assert!(report.errors.is_empty());
    assert_eq!((report.rows_read, report.rows_accepted), (20_000, 20_000));
    assert_eq!(got.len(), 40);
    assert!(got.iter().all(|i| i.country == "PT"));
}

#[test]
fn hostile_flattened_csv_gets_located_errors_and_keeps_what_was_read() {
    // A profile export flattened to slash paths: a bad count names the line and the post's
    // path, a short record and bytes that are not UTF-8 name their line, and the rest stays.
    let mut csv = b"username,followersCount,latestPosts/0/caption,latestPosts/0/likesCount,latestPosts/1/caption,latestPosts/1/likesCount,latestPosts/4294967295/caption,a/0/b/c/d/e/f/g/h\n".to_vec();
    csv.extend_from_slice(b"ana,\"1,200\",hola #tapas,12,adios,lots,last,deep\n");
    csv.extend_from_slice(b"bo,10\n");
    csv.extend_from_slice(b"cy,30,x,");
    csv.extend_from_slice(&[0xff, 0xfe]);
    csv.extend_from_slice(b",,,,\n");
    csv.extend_from_slice(b"di,40,,,,,,\n");
    let (got, report) = read(&csv, "flat.csv");
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "flat.csv:2 field `$.latestPosts[1].likesCount`: expected a number, found \"lots\"",
            "flat.csv:3: expected 8 fields, found 2",
            "flat.csv:4 field `latestPosts/0/likesCount`: expected UTF-8 text, found \"\u{fffd}\u{fffd}\"",
        ]
    );
    // ana's first and huge-index posts, and di as an account without posts.
    assert_eq!((report.rows_read, report.rows_accepted), (6, 3));
    let ana = got.iter().find(|i| i.name == "ana").expect("ana");
    assert_eq!((ana.followers, ana.mean_likes), (Some(1200), Some(12.0)));
    assert_eq!(ana.hashtags, ["tapas"]);
    assert!(got.iter().any(|i| i.name == "di"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("\"a/0/b/c/d/e/f/g/h\"")),
        "{:?}",
        report.notes
    );

    // No account name where the reader looks for it (the record or its posts; a tagged
    // account's username is not the poster's): the file is refused, as a plain CSV is.
    for header in [
        "followersCount,hashtags/0",
        "followersCount,taggedUsers/0/username",
    ] {
        let e = ingest(
            format!("{header}\n10,a\n").as_bytes(),
            "anon.csv",
            &ColumnMapping::default(),
            Lexicon::builtin(),
        )
        .expect_err("no name");
        assert!(
            e.to_string()
                .starts_with("anon.csv:1: no account-name column"),
            "{header}: {e}"
        );
    }
}
