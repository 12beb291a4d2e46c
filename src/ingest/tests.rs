use super::*;

/// The profiles (with their mentions) ingested from `csv`, and the report.
fn profiles(csv: &str) -> (Vec<Profile>, IngestReport) {
    ingest(
        csv.as_bytes(),
        "t.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .expect("header is fine")
}

fn run(csv: &str) -> (Vec<Influencer>, IngestReport) {
    let (p, r) = profiles(csv);
    (p.into_iter().map(|p| p.influencer).collect(), r)
}

#[test]
fn aggregation_worked_example() {
    // Two posts of "ana": likes 100 and 300 -> mean 200; followers max(10,000; 9,000)
    // = 10,000; ER not given -> 200 / 10,000 = 0.02. Location votes: Spain, spain, Peru
    // -> Spain (2), resolved ES (ES twice, PE once). Category: "fashion" given once,
    // empty once -> fashion.
    let csv = "user_Name,followers,likes,location,post_Location,max_category,hashtags\n\
                   ana,\"10,000\",100,Spain,Peru,fashion,#a#b\n\
                   ANA,9000,300,spain,,,\"['#b', '#c']\"\n";
    let (p, r) = run(csv);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(p.len(), 1);
    let ana = &p[0];
    assert_eq!(ana.name, "ana");
    assert_eq!(ana.followers, Some(10_000));
    assert_eq!(ana.mean_likes, Some(200.0));
    assert_eq!(ana.engagement_rate, Some(0.02));
    assert_eq!(ana.country, "ES");
    assert_eq!(ana.location, "Spain");
    assert_eq!((r.places.cells, r.places.resolved), (3, 3));
    assert_eq!(ana.category, "fashion");
    assert_eq!(ana.hashtags, vec!["a", "b", "c"]);
}

#[test]
fn places_resolve_to_codes_and_unknown_places_are_no_country() {
    let csv = "user_Name,followers,location,user_Description\n\
                   a,10,\"Los Angeles, CA\",\n\
                   b,10,Narnia,\n\
                   c,10,,Chef 🇮🇹 in Rome\n\
                   d,10,Worldwide,Travel creator\n";
    let (p, r) = run(csv);
    let got: Vec<(&str, &str, &str)> = p
        .iter()
        .map(|i| (i.name.as_str(), i.country.as_str(), i.location.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "US", "Los Angeles, CA"),
            ("b", "", "Narnia"),
            ("c", "IT", ""),
            ("d", "", "Worldwide"),
        ]
    );
    assert_eq!((r.places.cells, r.places.resolved), (3, 1));
    assert_eq!(
        r.places.top_unresolved(5),
        [("Narnia", 1), ("Worldwide", 1)]
    );
}

#[test]
fn given_engagement_rates_are_fractions_unless_marked_percent() {
    let csv = "user_Name,followers,likes,engagement_rate\nx,100,1,0.05\nx,100,1,3%\n";
    let (p, _) = run(csv);
    // mean(0.05, 0.03) = 0.04
    assert!((p[0].engagement_rate.unwrap() - 0.04).abs() < 1e-12);
}

#[test]
fn missing_name_column_is_fatal_and_named() {
    let err = ingest(
        "followers,likes\n1,2\n".as_bytes(),
        "f.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("f.csv:1: no account-name column"),
        "{err}"
    );
}

#[test]
fn mapping_overrides_defaults() {
    let m = ColumnMapping::parse(&["name=Handle", "followers=Fans"]).unwrap();
    let (p, r) = ingest(
        "Handle,Fans,followers\nzoe,5,999\n".as_bytes(),
        "m.csv",
        &m,
        Lexicon::builtin(),
    )
    .unwrap();
    assert_eq!(p[0].influencer.followers, Some(5));
    assert_eq!(
        r.notes.len(),
        1,
        "the unmapped `followers` column is noted: {:?}",
        r.notes
    );
    assert!(ColumnMapping::parse(&["nope=x"]).is_err());
    assert!(ColumnMapping::parse(&["name"]).is_err());
}

#[test]
fn category_is_inferred_when_not_given() {
    let csv = "user_Name,user_Description,post_Description\n\
                   chef_li,Home cook,New pasta recipe #foodie\n";
    let (p, _) = run(csv);
    assert_eq!(p[0].category, "food_cooking");
}

#[test]
fn unknown_counts_stay_unknown() {
    // "nolikes" reports followers but no likes: its likes and engagement are unknown, not
    // 0. "nofollowers" reports likes but no followers. "withcomments" counts comments.
    let csv = "user_Name,followers,likes,comments\n\
               nolikes,5000,,\n\
               nolikes,5000,,\n\
               nofollowers,,120,\n\
               withcomments,1000,40,10\n\
               withcomments,1000,60,\n";
    let (p, r) = run(csv);
    let by = |n: &str| p.iter().find(|i| i.name == n).unwrap().clone();
    let a = by("nolikes");
    assert_eq!(
        (a.followers, a.mean_likes, a.engagement_rate),
        (Some(5000), None, None)
    );
    let b = by("nofollowers");
    assert_eq!(
        (b.followers, b.mean_likes, b.engagement_rate),
        (None, Some(120.0), None)
    );
    // (mean likes 50 + mean comments 10) / 1,000.
    assert_eq!(by("withcomments").engagement_rate, Some(0.06));
    assert_eq!(r.unknown["likes"], 1);
    assert_eq!(r.unknown["engagement"], 2);
    assert_eq!(r.unknown["followers"], 1);
}

#[test]
fn venues_are_not_countries_and_the_country_comes_from_a_place_that_resolves() {
    // "fan" posts mostly from a stadium (no country) and once from Miami: the country is the
    // one place that resolves, and the place shown is that one. "venue" only has venues.
    let csv = "user_Name,followers,post_Location\n\
               fan,10,Marlins Park\n\
               fan,10,Marlins Park\n\
               fan,10,\"Miami, Florida\"\n\
               venue,10,Grand Ole Opry\n";
    let (p, r) = run(csv);
    assert_eq!(
        (p[0].country.as_str(), p[0].location.as_str()),
        ("US", "Miami, Florida")
    );
    assert_eq!(
        (p[1].country.as_str(), p[1].location.as_str()),
        ("", "Grand Ole Opry")
    );
    assert_eq!(
        (r.places.accounts_with_place, r.places.accounts_resolved),
        (2, 1)
    );
}

#[test]
fn a_venue_the_gazetteer_lacks_takes_the_country_its_taggers_agree_on() {
    // Two accounts whose places resolve to the US tagged "Marlins Park"; "only_venue" tagged
    // nothing else, so it takes the US from them. "Grand Ole Opry" was tagged by one GB
    // account only (too few to learn from); "Sala Apolo" by a Spanish and a French account
    // (no agreement). "bio_says" names Mexico in its bio, which wins over a learned venue.
    let csv = "user_Name,followers,post_Location,description\n\
               a_fan,10,Marlins Park,\n\
               a_fan,10,\"Miami, Florida\",\n\
               a_fan,10,Sala Apolo,\n\
               b_fan,10,Marlins Park,\n\
               b_fan,10,\"Austin, Texas\",\n\
               c_fan,10,Grand Ole Opry,\n\
               c_fan,10,Manchester,\n\
               d_fan,10,Sala Apolo,\n\
               d_fan,10,Paris,\n\
               e_fan,10,Sala Apolo,\n\
               e_fan,10,Madrid,\n\
               only_venue,10,Marlins Park,\n\
               only_venue,10,Marlins Park,\n\
               only_venue,10,Grand Ole Opry,\n\
               bio_says,10,Marlins Park,vivo en México\n\
               lonely,10,Grand Ole Opry,\n";
    let (p, r) = run(csv);
    let by = |n: &str| p.iter().find(|i| i.name == n).expect(n);
    assert_eq!(
        (
            by("only_venue").country.as_str(),
            by("only_venue").location.as_str()
        ),
        ("US", "Marlins Park")
    );
    assert_eq!(by("bio_says").country, "MX");
    assert_eq!(by("lonely").country, "", "one tagger is too few");
    assert_eq!(by("a_fan").country, "US");
    // Sala Apolo: one ES and one FR tagger (a_fan's US makes three, none with two thirds).
    assert_eq!(r.places.learned_texts, 1);
    // Marlins Park's five cells count as resolved; the rest of the venues do not.
    assert_eq!(r.places.learned, 5);
    assert_eq!(r.places.unresolved.get("Grand Ole Opry"), Some(&3));
    assert_eq!(r.places.unresolved.get("Sala Apolo"), Some(&3));
    assert_eq!(
        (r.places.accounts_with_place, r.places.accounts_resolved),
        (8, 7)
    );
    assert!(
        r.summary()
            .iter()
            .any(|l| l.contains("5 of them at 1 venues the gazetteer lacks")),
        "{:?}",
        r.summary()
    );
}

#[test]
fn pages_and_rows_without_a_handle_are_left_out_in_one_line_each() {
    let mut csv = String::from("user_Name,followers,likes\n");
    csv.push_str("Top Posts,0,10\nTop posts,0,5\nRecent posts,,3\nana,100,5\n");
    for _ in 0..190 {
        csv.push_str(",,1\n");
    }
    let (p, r) = run(&csv);
    assert_eq!(p.len(), 1, "only ana is an account");
    assert!(
        r.errors.is_empty(),
        "left out, not rejected: {:?}",
        r.errors
    );
    let pages = &r.left_out["explore pages"];
    assert_eq!(
        (pages.accounts, pages.rows),
        (2, 3),
        "Top Posts and Top posts are one"
    );
    assert_eq!(r.left_out["rows without a usable handle"].rows, 190);
    let summary = r.summary();
    assert!(summary.len() <= 8, "compact: {summary:#?}");
    assert_eq!(
        summary
            .iter()
            .filter(|l| l.contains("rows without a usable handle"))
            .count(),
        1
    );
}

#[test]
fn rejects_are_counted_by_reason_with_two_examples() {
    let mut csv = String::from("user_Name,followers,likes\n");
    for k in 0..50 {
        csv.push_str(&format!("a{k},lots,1\n"));
    }
    csv.push_str("b,1,-5\n");
    let (_, r) = run(&csv);
    let by = r.rejects_by_reason();
    assert_eq!(by.len(), 2);
    assert_eq!(
        (by[0].0.as_str(), by[0].1, by[0].2.len()),
        ("followers: expected a number", 50, 2)
    );
    assert!(
        by[0].2[0].to_string().starts_with("t.csv:2 "),
        "{}",
        by[0].2[0]
    );
    assert_eq!(by[1].1, 1);
}

#[test]
fn mentions_fold_case_leave_out_the_account_itself_and_keep_thousands_of_handles() {
    // ana names herself in other case (not evidence), @Nike and @nike (one handle, two
    // posts, the second paid by a bare #ad), and @strava, a handle no brand has (kept: the
    // card says who, a brand or not). A giveaway post tags 5,000 accounts: every one is
    // kept in the table (the learners discount such an account, `catalog::evidence`).
    let many: Vec<String> = (0..5000).map(|i| format!("@fan_{i:04}")).collect();
    let csv = format!(
        "ownerUsername,followersCount,caption,likesCount\n\
         Ana.Cooks,1000,cooking with @ANA.COOKS and @Nike,10\n\
         Ana.Cooks,1000,again @nike and @Strava #ad,12\n\
         giveaway_es,5000,win! {} @fan_0001,50\n",
        many.join(" ")
    );
    let (p, r) = profiles(&csv);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let of = |name: &str| {
        p.iter()
            .find(|x| x.influencer.name == name)
            .map(|x| &x.mentions)
            .expect("profile")
    };
    let ana: Vec<(&str, u32, u32)> = of("Ana.Cooks")
        .iter()
        .map(|m| (m.handle.as_str(), m.posts, m.sponsored_posts))
        .collect();
    assert_eq!(ana, [("nike", 2, 1), ("strava", 1, 1)]);
    let fans = of("giveaway_es");
    assert_eq!(fans.len(), 5000);
    assert!(fans
        .iter()
        .all(|m| m.posts == 1 && m.handle.starts_with("fan_")));
    assert_eq!(r.mentions.pairs, 5002);
}
