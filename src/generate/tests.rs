use super::*;

#[test]
fn generation_is_deterministic_and_sized() {
    let p = GenerateParams {
        influencers: 200,
        brands: 10,
        exposures_per_brand: 40,
        seed: 3,
    };
    let a = generate(&p, Lexicon::builtin()).unwrap();
    let b = generate(&p, Lexicon::builtin()).unwrap();
    assert_eq!(a.influencers, b.influencers);
    assert_eq!(a.interactions, b.interactions);
    assert_eq!(a.influencers.len(), 200);
    assert_eq!(a.brands.len(), 10);
    assert!(a.influencer_posts.len() >= 400);
    assert!(!a.interactions.is_empty());
    let c = generate(&GenerateParams { seed: 4, ..p }, Lexicon::builtin()).unwrap();
    assert_ne!(a.influencers, c.influencers);
}

#[test]
fn engagement_falls_with_followers() {
    let d = generate(
        &GenerateParams {
            influencers: 2000,
            brands: 2,
            ..Default::default()
        },
        Lexicon::builtin(),
    )
    .unwrap();
    let mean_er = |lo: u64, hi: u64| {
        let v: Vec<f64> = d
            .influencers
            .iter()
            .filter(|i| i.followers.is_some_and(|f| f >= lo && f < hi))
            .filter_map(|i| i.engagement_rate)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean_er(1_000, 10_000) > 1.5 * mean_er(100_000, 100_000_000));
}

#[test]
fn ingesting_the_generated_scrape_recovers_the_true_profiles() {
    let d = generate(
        &GenerateParams {
            influencers: 600,
            brands: 2,
            ..Default::default()
        },
        Lexicon::builtin(),
    )
    .unwrap();
    let mut buf = Vec::new();
    write_posts(&mut buf, "mem", &d.influencer_posts).unwrap();
    let (profiles, report) = crate::ingest::ingest(
        buf.as_slice(),
        "mem",
        &crate::ingest::ColumnMapping::default(),
        Lexicon::builtin(),
    )
    .unwrap();
    assert!(report.errors.is_empty());
    assert_eq!(profiles.len(), d.influencers.len());
    let truth: std::collections::BTreeMap<String, &Influencer> =
        d.influencers.iter().map(|i| (key(&i.name), i)).collect();
    let mut same_category = 0;
    for p in &profiles {
        let t = truth[&key(&p.influencer.name)];
        assert_eq!(p.influencer.followers, t.followers);
        assert_eq!(p.influencer.country, t.country, "{}", t.name);
        assert!(p.influencer.hashtags.iter().all(|h| t.hashtags.contains(h)));
        same_category += usize::from(p.influencer.category == t.category);
    }
    let acc = same_category as f64 / profiles.len() as f64;
    println!("category accuracy after ingest: {acc:.4}");
    assert!(acc >= 0.97, "category accuracy {acc}");
}
