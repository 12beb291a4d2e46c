//! Ranking influencers for a brand: a known brand by its rating (cohesion + its interaction
//! points), a new brand by cohesion from its described features, and either re-ordered by
//! the factorization model or by the two-stage pipeline (rule and model propose candidates,
//! the GBDT ranker orders them). One entry point, [`Recommender::rank`]; requests, responses
//! and the top-k kernels live in their own files.

mod ordering;
mod peers;
mod request;
mod response;
mod topk;

pub use ordering::{Basis, OrderingChoice, OrderingFigures};
pub use peers::{SizeNorms, MIN_PEERS};
pub use request::{Filter, NewBrand, RankBy, RankRequest, Who};
pub use response::{
    Ranking, Recommendation, RelationshipRow, TopEntry, TopList, TopListFile, WorkedWith,
    TOP_LIST_FORMAT, WORKED_WITH_SHOWN,
};
pub use topk::{pipeline_order, top_k, top_k_reference};

use topk::sink_filtered;

use crate::catalog::Catalog;
use crate::cohesion::PreparedBrand;
use crate::error::{Error, Result};
use crate::mf::FactorModel;
use crate::model::{Brand, Influencer};
use crate::price::{PriceEstimates, PriceModel};
use crate::ranker::{
    families, pair_features, BrandContext, Evidence, History, Ranker, NUM_FEATURES,
};

/// The recommender over one catalog and the models trained on it.
#[derive(Debug, Clone)]
pub struct Recommender {
    catalog: Catalog,
    factor: Option<FactorModel>,
    ranker: Option<Ranker>,
    history: History,
    evidence: Evidence,
    norms: SizeNorms,
    prices: PriceModel,
    ordering: Option<OrderingChoice>,
}

impl Recommender {
    /// Builds the recommender; refuses a factorization model whose shapes do not match the
    /// catalog (trained on other tables) with [`Error::Inconsistent`].
    pub fn new(
        catalog: Catalog,
        factor: Option<FactorModel>,
        ranker: Option<Ranker>,
    ) -> Result<Self> {
        if let Some(m) = &factor {
            let (ni, nb) = (catalog.influencers().len(), catalog.brands().len());
            if m.item_repr.nrows() != ni || m.user_repr.nrows() != nb {
                return Err(Error::Inconsistent {
                    what: "factorization model",
                    message: format!(
                        "it has {} items and {} users; the catalog has {ni} influencers and {nb} brands",
                        m.item_repr.nrows(),
                        m.user_repr.nrows()
                    ),
                });
            }
        }
        // What the ranker learned from: every pair with points, mentions of known brands
        // included (as its training history has them).
        let history = History::from_pairs(
            catalog.brands().len(),
            catalog.influencers().len(),
            catalog.learning_positives(f64::MIN_POSITIVE),
        );
        let evidence = Evidence::of(&catalog);
        let norms = SizeNorms::new(catalog.influencers());
        Ok(Recommender {
            norms,
            catalog,
            factor,
            ranker,
            history,
            evidence,
            prices: PriceModel::default(),
            ordering: None,
        })
    }

    /// The recommender with the bundle's price models (listed costs and the rate card alone
    /// until this is called).
    pub fn with_prices(self, prices: PriceModel) -> Self {
        Recommender { prices, ..self }
    }

    /// The recommender with the bundle's default ordering and what it was chosen on.
    pub fn with_ordering(self, ordering: Option<OrderingChoice>) -> Self {
        Recommender { ordering, ..self }
    }

    /// The default ordering and its evidence, when the bundle has them.
    pub fn ordering(&self) -> Option<&OrderingChoice> {
        self.ordering.as_ref()
    }

    /// What a list is ordered by when nobody asks for an ordering: the bundle's chosen
    /// default, or the rating (a bundle without a choice has not shown a learned ordering
    /// beats it). An ordering the recommender lacks falls back as [`Recommender::rank`] does.
    pub fn default_by(&self) -> RankBy {
        self.ordering.as_ref().map_or(RankBy::Rating, |o| o.by)
    }

    /// An influencer's prices: listed, estimated by the price models, or by the rate card
    /// ([`crate::price`]).
    pub fn prices(&self, inf: &Influencer) -> PriceEstimates {
        self.prices.estimate(inf)
    }

    /// Expected engagements per post: followers × engagement rate. Where the rate is unknown
    /// (a scrape without likes) it is the usual rate for the influencer's size (the median of
    /// its peers, [`SizeNorms`]) and the second value says so; `None` where the followers are
    /// unknown or the size has too few peers to have a usual rate.
    pub fn expected_engagements(&self, inf: &Influencer) -> Option<(f64, bool)> {
        let followers = inf.followers? as f64;
        match inf.engagement_rate.filter(|r| r.is_finite()) {
            Some(rate) => Some((followers * rate, false)),
            None => Some((
                followers * self.norms.median_engagement(inf.followers)?,
                true,
            )),
        }
    }

    /// The catalog this recommender serves.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Gives the catalog back.
    pub fn into_catalog(self) -> Catalog {
        self.catalog
    }

    /// The factorization model, when there is one.
    pub fn factor_model(&self) -> Option<&FactorModel> {
        self.factor.as_ref()
    }

    /// The GBDT ranker, when there is one.
    pub fn ranker(&self) -> Option<&Ranker> {
        self.ranker.as_ref()
    }

    /// The model's vector for a brand: a known brand's trained vector, or one built from a
    /// (new) brand's content features.
    pub fn brand_vector(&self, brand: &Brand, known: Option<u32>) -> Option<Vec<f32>> {
        Some(self.factor.as_ref()?.brand_vector(brand, known))
    }

    /// Fills influencers' detail fields from a detail shard's rows (see
    /// [`Catalog::set_details`]).
    pub fn add_details(
        &mut self,
        first: u32,
        rows: Vec<crate::model::InfluencerDetails>,
    ) -> Result<usize> {
        self.catalog.set_details(first, rows)
    }

    /// All influencers, by id.
    pub fn influencers(&self) -> &[Influencer] {
        self.catalog.influencers()
    }

    /// All known brands, by id.
    pub fn brands(&self) -> &[Brand] {
        self.catalog.brands()
    }

    /// The id of a known brand (name compared case-insensitively).
    pub fn brand_id(&self, name: &str) -> Option<u32> {
        self.catalog.brand_id(name)
    }

    /// The id of an influencer (name compared case-insensitively).
    pub fn influencer_id(&self, name: &str) -> Option<u32> {
        self.catalog.influencer_id(name)
    }

    /// Ratings (cohesion + interaction points) of every influencer for brand `b`.
    fn known_scores(&self, b: u32, prepared: &PreparedBrand) -> Vec<f64> {
        let mut scores = self.catalog.index().score_all(prepared);
        for &(i, p) in self.catalog.brand_points(b) {
            scores[i as usize] += p;
        }
        scores
    }

    /// The first `n` handles influencer `id` named: most recent first (undated last), then
    /// paid before organic, more posts first, then by handle.
    pub fn worked_with(&self, id: u32, n: usize) -> Vec<WorkedWith> {
        let mut rows: Vec<&crate::catalog::MentionRow> =
            self.catalog.mentions_of(id).iter().collect();
        crate::sorting::sort_by(&mut rows, |a, b| {
            b.last_seen
                .cmp(&a.last_seen)
                .then(b.sponsored_posts.cmp(&a.sponsored_posts))
                .then(b.posts.cmp(&a.posts))
                .then(a.handle.cmp(&b.handle))
        });
        rows.into_iter()
            .take(n)
            .map(|m| WorkedWith {
                handle: m.handle.clone(),
                brand: self
                    .catalog
                    .brand_by_handle(&m.handle)
                    .map(|b| self.brands()[b as usize].name.clone()),
                posts: m.posts,
                sponsored_posts: m.sponsored_posts,
                last_seen: m
                    .last_seen
                    .map(|d| crate::dates::iso_date(i64::from(d)))
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Top `k` influencers for `who` as `req` asks (ordering, fold-in vector, the device's
    /// own interactions, filters). `model` and `ranker` orderings fall back to the best the
    /// recommender has below them; [`Ranking::ranked_by`] says which was used.
    pub fn rank(&self, who: Who, k: usize, req: &RankRequest) -> Result<Ranking> {
        self.rank_explained(who, k, req, true)
    }

    /// The ordering [`Recommender::rank`] gives (which was used, and the ids best first),
    /// without the ranker's explanations: what evaluation reads, at a fraction of the cost.
    pub fn order(&self, who: Who, k: usize, req: &RankRequest) -> Result<(RankBy, Vec<u32>)> {
        let r = self.rank_explained(who, k, req, false)?;
        Ok((
            r.ranked_by,
            r.recommendations.iter().map(|x| x.id).collect(),
        ))
    }

    fn rank_explained(
        &self,
        who: Who,
        k: usize,
        req: &RankRequest,
        explain: bool,
    ) -> Result<Ranking> {
        req.filter.validate()?;
        Ok(match who {
            Who::Known(name) => {
                let b = self.brand_id(name).ok_or_else(|| Error::Unknown {
                    what: "brand",
                    name: name.to_string(),
                })?;
                self.ranking(self.brands()[b as usize].clone(), Some(b), k, req, explain)
            }
            Who::New(brand) => self.ranking(brand.clone(), None, k, req, explain),
        })
    }

    fn ranking(
        &self,
        brand: Brand,
        known: Option<u32>,
        k: usize,
        req: &RankRequest,
        explain: bool,
    ) -> Ranking {
        let index = self.catalog.index();
        let influencers = self.catalog.influencers();
        let prepared = index.prepare_brand(&brand);
        let mut scores = match known {
            Some(b) => self.known_scores(b, &prepared),
            None => index.score_all(&prepared),
        };
        let mut local = vec![
            0.0;
            if req.local_points.is_empty() {
                0
            } else {
                scores.len()
            }
        ];
        for &(i, p) in &req.local_points {
            if let (Some(s), Some(l)) = (scores.get_mut(i as usize), local.get_mut(i as usize)) {
                *s += p;
                *l += p;
            }
        }
        let model_scores: Option<Vec<f32>> = self.factor.as_ref().map(|fm| {
            let v = req
                .vector
                .clone()
                .unwrap_or_else(|| fm.brand_vector(&brand, known));
            let mut out = Vec::new();
            fm.score_all(&v, &mut out);
            out
        });
        // What was asked for, or the best the recommender has below it.
        let by = match (req.by, &self.ranker, &model_scores) {
            (RankBy::Ranker, Some(_), _) => RankBy::Ranker,
            (RankBy::Ranker | RankBy::Model, _, Some(_)) => RankBy::Model,
            _ => RankBy::Rating,
        };
        let ctx = BrandContext {
            brand: &brand,
            prepared: &prepared,
            activity: known.map_or(f64::NAN, |b| self.history.brand_activity[b as usize]),
            factor_scores: model_scores.as_deref(),
            known,
            evidence: &self.evidence,
        };
        let features = |i: usize| {
            let mut row = [0.0; NUM_FEATURES];
            pair_features(index, influencers, &self.history, &ctx, i, &mut row);
            row
        };
        // Filtered-out influencers sink below every admitted one in what the order reads,
        // and are dropped from the list at the end. Model scores widen to f64 once (exact).
        let mask = req.filter.mask(influencers, self.catalog.mentions());
        let sink = |v: &mut [f64]| sink_filtered(v, mask.as_deref());
        let mut rating_order = scores.clone();
        sink(&mut rating_order);
        let model_order: Option<Vec<f64>> = model_scores.as_ref().map(|m| {
            let mut v: Vec<f64> = m.iter().map(|&x| f64::from(x)).collect();
            sink(&mut v);
            v
        });
        let mut order = match (&model_order, &self.ranker, by) {
            (_, Some(r), RankBy::Ranker) => pipeline_order(
                &rating_order,
                model_order.as_deref(),
                r.candidates(),
                k,
                |cand| cand.iter().map(|&i| r.score(&features(i))).collect(),
            ),
            (Some(m), _, RankBy::Model) => top_k(m, k),
            _ => top_k(&rating_order, k),
        };
        if let Some(m) = &mask {
            order.retain(|&i| m[i]);
        }
        let mut ranker_expected = None;
        let recommendations = order
            .into_iter()
            .enumerate()
            .map(|(r, i)| {
                let cohesion = index.breakdown(&prepared, i);
                let price = self.prices.estimate(&influencers[i]);
                let (ranker_score, contributions) = match &self.ranker {
                    Some(rk) => {
                        let row = features(i);
                        // The ranker was validated on load, so explaining cannot fail; an
                        // empty list would only hide the explanation, never the result.
                        let (c, e) = if explain {
                            rk.explain(&row).unwrap_or_default()
                        } else {
                            Default::default()
                        };
                        ranker_expected = Some(e);
                        (Some(rk.score(&row)), c)
                    }
                    None => (None, Vec::new()),
                };
                Recommendation {
                    rank: r as u32 + 1,
                    id: i as u32,
                    name: influencers[i].name.clone(),
                    score: scores[i],
                    interaction_points: known.map_or(0.0, |b| self.catalog.points_of(b, i as u32))
                        + local.get(i).copied().unwrap_or(0.0),
                    cohesion,
                    model_score: model_scores.as_ref().map(|m| m[i]),
                    ranker_score,
                    families: families(&contributions),
                    contributions,
                    peer_engagement: self.norms.median_engagement(influencers[i].followers),
                    price_estimate: price.post,
                    story_price_estimate: price.story,
                }
            })
            .collect();
        Ranking {
            brand,
            known: known.is_some(),
            ranked_by: by,
            ranker_expected,
            recommendations,
            unknown_left_out: if mask.is_some() {
                req.filter.unknown_left_out(influencers)
            } else {
                0
            },
        }
    }

    /// Every known brand's top `k`, in brand order, by the default ordering
    /// ([`Recommender::default_by`]).
    pub fn top_lists(&self, k: usize) -> Vec<TopList> {
        let req = RankRequest {
            by: self.default_by(),
            ..RankRequest::default()
        };
        let influencers = self.catalog.influencers();
        (0..self.brands().len())
            .map(|b| {
                let r = self.ranking(self.brands()[b].clone(), Some(b as u32), k, &req, false);
                TopList {
                    brand: r.brand.name,
                    ranked_by: r.ranked_by,
                    influencers: r
                        .recommendations
                        .iter()
                        .map(|x| {
                            let inf = &influencers[x.id as usize];
                            TopEntry {
                                name: inf.name.clone(),
                                followers: inf.followers,
                                engagement_rate: inf.engagement_rate,
                                country: inf.country.clone(),
                                category: inf.category.clone(),
                                cost_per_post: inf.cost_per_post,
                                price_estimate: x.price_estimate,
                                score: x.score,
                                worked_with: self.worked_with(x.id, WORKED_WITH_SHOWN),
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The `k` influencers most like influencer `id`, most similar first: cosine similarity
    /// of the factorization model's item vectors, or, without a model, the cohesion rating of
    /// each influencer against this one's category, country and hashtags. Never `id` itself.
    pub fn similar(&self, id: u32, k: usize, filter: &Filter) -> Result<Vec<(u32, f64)>> {
        filter.validate()?;
        let infs = self.catalog.influencers();
        let me = infs.get(id as usize).ok_or_else(|| Error::Unknown {
            what: "influencer id",
            name: id.to_string(),
        })?;
        let mut sim: Vec<f64> = match &self.factor {
            Some(fm) => (0..infs.len())
                .map(|j| f64::from(fm.item_similarity(id as usize, j)))
                .collect(),
            None => {
                let as_brand = Brand {
                    name: me.name.clone(),
                    category: me.category.clone(),
                    country: me.country.clone(),
                    hashtags: me.hashtags.clone(),
                    followers: me.followers.unwrap_or(0),
                    ..Brand::default()
                };
                let index = self.catalog.index();
                index.score_all(&index.prepare_brand(&as_brand))
            }
        };
        sim[id as usize] = f64::NEG_INFINITY;
        sink_filtered(
            &mut sim,
            filter.mask(infs, self.catalog.mentions()).as_deref(),
        );
        Ok(top_k(&sim, k)
            .into_iter()
            .filter(|&j| sim[j] > f64::NEG_INFINITY)
            .map(|j| (j as u32, sim[j]))
            .collect())
    }

    /// The row that pairs a new brand with the influencer picked by `random` (any u64 from
    /// the caller's RNG: seeded natively, `getrandom` in the browser).
    pub fn pair_new_brand(&self, brand: &Brand, random: u64) -> Option<RelationshipRow> {
        let infs = self.catalog.influencers();
        let n = infs.len() as u64;
        if n == 0 {
            return None;
        }
        let i = (random % n) as usize;
        let index = self.catalog.index();
        let cohesion = index.score(&index.prepare_brand(brand), i);
        Some(RelationshipRow {
            brand: brand.name.clone(),
            influencer: infs[i].name.clone(),
            cohesion,
            interaction_points: 0.0,
            rating: cohesion,
        })
    }

    /// [`Recommender::pair_new_brand`] with the draw seeded by `seed` and the brand's name key
    /// together, so two new brands get independent influencers and the same brand the same
    /// one (native runs; the browser draws from its crypto source instead).
    pub fn pair_new_brand_seeded(&self, brand: &Brand, seed: u64) -> Option<RelationshipRow> {
        use rand::{Rng, SeedableRng};
        let mixed = seed ^ crate::random::fnv1a64(crate::text::key(&brand.name).as_bytes());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(mixed);
        self.pair_new_brand(brand, rng.random())
    }

    /// The relationship table: every known brand x every influencer with its rating,
    /// brand-major in id order.
    pub fn relationships(&self) -> impl Iterator<Item = RelationshipRow> + '_ {
        let index = self.catalog.index();
        self.brands()
            .iter()
            .enumerate()
            .flat_map(move |(b, brand)| {
                let prepared = index.prepare_brand(brand);
                let cohesion = index.score_all(&prepared);
                let scores = self.known_scores(b as u32, &prepared);
                self.catalog
                    .influencers()
                    .iter()
                    .enumerate()
                    .map(move |(i, inf)| RelationshipRow {
                        brand: brand.name.clone(),
                        influencer: inf.name.clone(),
                        cohesion: cohesion[i],
                        interaction_points: self.catalog.points_of(b as u32, i as u32),
                        rating: scores[i],
                    })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::{small, small_tables};
    use crate::catalog::Catalog;
    use crate::category::Lexicon;

    fn rec(c: Catalog) -> Recommender {
        Recommender::new(c, None, None).unwrap()
    }

    fn known(r: &Recommender, name: &str, k: usize) -> Result<Ranking> {
        r.rank(Who::Known(name), k, &RankRequest::default())
    }

    #[test]
    fn known_brand_adds_interaction_points() {
        let r = rec(small());
        // acme (music, US, #x): a = 10 + 5 + 1 + 0.1 = 16.1; b = 0.2 + 3 points = 3.2.
        let rk = known(&r, "ACME", 5).unwrap();
        assert!(rk.known);
        let got: Vec<(&str, f64)> = rk
            .recommendations
            .iter()
            .map(|x| (x.name.as_str(), x.score))
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "a");
        assert!((got[0].1 - 16.1).abs() < 1e-12);
        assert_eq!(got[1].0, "b");
        assert!((got[1].1 - 3.2).abs() < 1e-12);
        assert!((rk.recommendations[1].interaction_points - 3.0).abs() < 1e-12);
        assert!(matches!(known(&r, "nobody", 3), Err(Error::Unknown { .. })));
    }

    #[test]
    fn new_brand_is_ranked_from_its_description() {
        let r = rec(small());
        let nb = NewBrand {
            name: "Zara-ish".into(),
            description: "Streetwear and denim for everyone #z".into(),
            country: "es".into(),
            ..Default::default()
        };
        let rk = r
            .rank(
                Who::New(&nb.resolve(Lexicon::builtin())),
                1,
                &RankRequest::default(),
            )
            .unwrap();
        assert!(!rk.known);
        assert_eq!(rk.brand.category, "fashion");
        assert_eq!(rk.brand.hashtags, vec!["z"]);
        // b: fashion 10 + ES 5 + #z 1 + 0.2 = 16.2
        assert_eq!(rk.recommendations[0].name, "b");
        assert!((rk.recommendations[0].score - 16.2).abs() < 1e-12);
        let row = r.pair_new_brand(&rk.brand, 3).unwrap();
        assert_eq!(row.influencer, "b");
        assert!((row.rating - 16.2).abs() < 1e-12);
    }

    #[test]
    fn seeded_pairing_depends_on_the_brand() {
        let infs: Vec<_> = (0..50)
            .map(|i| crate::cohesion::tests::influencer(&format!("i{i:02}"), "", "", &[], 0.0))
            .collect();
        let mut t = small_tables();
        t.influencers = infs;
        t.pair_points.clear();
        let r = rec(Catalog::from_tables(t, "fifty").unwrap());
        let brand = |name: &str| {
            NewBrand {
                name: name.into(),
                ..NewBrand::default()
            }
            .resolve(Lexicon::builtin())
        };
        let picks: std::collections::BTreeSet<String> =
            ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]
                .iter()
                .map(|n| r.pair_new_brand_seeded(&brand(n), 42).unwrap().influencer)
                .collect();
        assert!(picks.len() >= 3, "five brands, one seed: {picks:?}");
        // The same brand and seed pair the same influencer; the name key decides, not case.
        let a = r.pair_new_brand_seeded(&brand("Alpha"), 42).unwrap();
        let b = r.pair_new_brand_seeded(&brand("alpha "), 42).unwrap();
        assert_eq!(a.influencer, b.influencer);
    }

    #[test]
    fn relationship_table_covers_every_pair() {
        let r = rec(small());
        let rows: Vec<_> = r.relationships().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].interaction_points, 3.0);
        assert!((rows[1].rating - 3.2).abs() < 1e-12);
    }

    /// Four influencers with costs, followers and countries that the filters can tell apart.
    fn four() -> Recommender {
        let mut b = small_tables();
        let mut c = crate::cohesion::tests::influencer("c", "music", "FR", &["x"], 0.05);
        c.followers = Some(500);
        c.cost_per_post = Some(50.0);
        let mut d = crate::cohesion::tests::influencer("d", "music", "US", &[], 0.01);
        d.cost_per_post = Some(500.0);
        b.influencers[0].cost_per_post = Some(100.0);
        b.influencers.extend([c, d]);
        rec(Catalog::from_tables(b, "four").unwrap())
    }

    fn names(rk: &Ranking) -> Vec<&str> {
        rk.recommendations.iter().map(|x| x.name.as_str()).collect()
    }

    #[test]
    fn filters_keep_the_order_of_what_they_admit() {
        let r = four();
        let all = known(&r, "acme", 10).unwrap();
        assert_eq!(names(&all), ["a", "d", "c", "b"]);
        let cases: [(Filter, &[&str]); 5] = [
            (
                Filter {
                    countries: vec![" us ".into()],
                    ..Filter::default()
                },
                &["a", "d"],
            ),
            (
                Filter {
                    min_followers: Some(1000),
                    ..Filter::default()
                },
                &["a", "d", "b"],
            ),
            (
                Filter {
                    max_followers: Some(1000),
                    ..Filter::default()
                },
                &["c"],
            ),
            (
                Filter {
                    min_engagement: Some(0.06),
                    ..Filter::default()
                },
                &["a", "b"],
            ),
            // Unknown cost (b) is left out by a cost cap.
            (
                Filter {
                    max_cost: Some(100.0),
                    ..Filter::default()
                },
                &["a", "c"],
            ),
        ];
        for by in [RankBy::Rating, RankBy::Model, RankBy::Ranker] {
            for (filter, want) in &cases {
                let req = RankRequest {
                    by,
                    filter: filter.clone(),
                    ..RankRequest::default()
                };
                let got = r.rank(Who::Known("acme"), 10, &req).unwrap();
                assert_eq!(names(&got), *want, "{filter:?} by {by:?}");
                let ranks: Vec<u32> = got.recommendations.iter().map(|x| x.rank).collect();
                assert_eq!(ranks, (1..=want.len() as u32).collect::<Vec<_>>());
            }
        }
        let inverted = Filter {
            min_followers: Some(10),
            max_followers: Some(5),
            ..Filter::default()
        };
        let not_a_number = Filter {
            max_cost: Some(f64::NAN),
            ..Filter::default()
        };
        for filter in [inverted, not_a_number] {
            let req = RankRequest {
                filter,
                ..RankRequest::default()
            };
            assert!(matches!(
                r.rank(Who::Known("acme"), 3, &req),
                Err(Error::InvalidParam { .. })
            ));
        }
    }

    #[test]
    fn the_devices_own_interactions_add_to_the_rating() {
        let r = four();
        // d: music 10 + US 5 + 0.01 = 15.01, below a (16.1); 2 local points make it 17.01.
        // An id outside the table (99) is ignored.
        let req = RankRequest {
            local_points: vec![(3, 2.0), (99, 5.0)],
            ..RankRequest::default()
        };
        let rk = r.rank(Who::Known("acme"), 2, &req).unwrap();
        assert_eq!(names(&rk), ["d", "a"]);
        assert!((rk.recommendations[0].score - 17.01).abs() < 1e-12);
        assert!((rk.recommendations[0].interaction_points - 2.0).abs() < 1e-12);
        // A new brand gets them too.
        let nb = NewBrand {
            name: "n".into(),
            category: "music".into(),
            ..NewBrand::default()
        };
        let rk = r
            .rank(Who::New(&nb.resolve(Lexicon::builtin())), 1, &req)
            .unwrap();
        assert_eq!(names(&rk), ["d"]);
        assert!((rk.recommendations[0].interaction_points - 2.0).abs() < 1e-12);
    }

    #[test]
    fn more_like_this_without_a_model_uses_cohesion_and_skips_itself() {
        let r = four();
        // Like a (music, US, #x): d (music, US) 15.01, c (music, #x) 11.05, b 0.2.
        let got = r.similar(0, 10, &Filter::default()).unwrap();
        let ids: Vec<u32> = got.iter().map(|p| p.0).collect();
        assert_eq!(ids, [3, 2, 1]);
        let only_fr = Filter {
            countries: vec!["FR".into()],
            ..Filter::default()
        };
        assert_eq!(r.similar(0, 10, &only_fr).unwrap().len(), 1);
        assert!(matches!(
            r.similar(9, 3, &Filter::default()),
            Err(Error::Unknown { .. })
        ));
    }

    #[test]
    fn out_of_range_pairs_are_refused() {
        let mut b = small_tables();
        b.pair_points[0].influencer = 9;
        assert!(matches!(
            Catalog::from_tables(b, "t"),
            Err(Error::Corrupted { .. })
        ));
    }
}
