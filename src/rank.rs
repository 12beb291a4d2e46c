//! Ranking influencers for a brand: a known brand by its rating (cohesion + its interaction
//! points), a new brand by cohesion from its described features.
//!
//! Top-k selection has a reference implementation (full sort) and the fast one used in
//! production (partial selection with `select_nth_unstable_by`, then a sort of the k
//! survivors); a test pins the two together. Order: score descending, then influencer id
//! ascending, so ties are broken the same way on every platform.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bundle::Bundle;
use crate::category::Lexicon;
use crate::cohesion::{Breakdown, CohesionIndex, PreparedBrand};
use crate::error::{Error, Result};
use crate::mf::data::brand_features;
use crate::mf::FactorModel;
use crate::model::{Brand, Influencer};
use crate::ranker::{pair_features, BrandContext, Contribution, History, Ranker, NUM_FEATURES};
use crate::text::{hashtags_in_text, key, parse_hashtags};

/// A brand that is not in the data, described by what the user typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewBrand {
    /// Display name.
    pub name: String,
    /// Category name or slug; empty to infer it from the description.
    pub category: String,
    /// Country.
    pub country: String,
    /// Hashtags in any accepted shape (`"#a #b"`, `"a, b"`, ...).
    pub hashtags: String,
    /// Free-text description; its `#tags` count as hashtags.
    pub description: String,
}

impl NewBrand {
    /// Resolves the description into a brand record: the category is the named one when the
    /// lexicon knows it, else the one inferred from description and hashtags (empty if none).
    pub fn resolve(&self, lexicon: &Lexicon) -> Brand {
        let mut hashtags = parse_hashtags(&self.hashtags);
        for t in hashtags_in_text(&self.description) {
            if !hashtags.contains(&t) {
                hashtags.push(t);
            }
        }
        let category = lexicon.resolve(&self.category).unwrap_or_else(|| {
            let text = format!("{} {}", self.description, self.hashtags);
            lexicon.infer(&text).map(|i| i.slug).unwrap_or_default()
        });
        Brand {
            name: self.name.trim().to_string(),
            category,
            country: self.country.trim().to_string(),
            hashtags,
            followers: 0,
            description: self.description.clone(),
        }
    }
}

/// What a list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    /// The rating: cohesion + the brand's interaction points (the product's rule).
    #[default]
    Rating,
    /// The factorization model's score (falls back to the rating without a model).
    Model,
    /// The two-stage pipeline: rule and model propose candidates, the GBDT ranker orders
    /// them (falls back to the model, then the rating, when the bundle lacks them).
    Ranker,
}

impl RankBy {
    /// Parses `rating` or `model`.
    pub fn parse(s: &str) -> Option<RankBy> {
        match s {
            "rating" => Some(RankBy::Rating),
            "model" => Some(RankBy::Model),
            "ranker" => Some(RankBy::Ranker),
            _ => None,
        }
    }
}

/// Which influencers a list may show (the page's filters); an empty filter admits all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Countries, compared by [`key`]; empty admits every country.
    pub countries: Vec<String>,
    /// Fewest followers.
    pub min_followers: Option<u64>,
    /// Most followers.
    pub max_followers: Option<u64>,
    /// Lowest engagement rate, as a fraction (0.02 = 2 %).
    pub min_engagement: Option<f64>,
    /// Highest cost per post. When set, influencers whose cost is unknown are left out: a
    /// budget filter cannot vouch for them.
    pub max_cost: Option<f64>,
}

impl Filter {
    /// Refuses bounds that are negative, not finite, or inverted.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidParam { name, message });
        if let (Some(lo), Some(hi)) = (self.min_followers, self.max_followers) {
            if lo > hi {
                return bad("max_followers", format!("{hi} is below min_followers {lo}"));
            }
        }
        for (name, v) in [
            ("min_engagement", self.min_engagement),
            ("max_cost", self.max_cost),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return bad(name, format!("must be a finite number >= 0, got {v}"));
            }
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether `inf` passes; `countries` are this filter's countries as keys.
    fn admits(&self, inf: &Influencer, countries: &[String]) -> bool {
        (countries.is_empty() || countries.contains(&key(&inf.country)))
            && self.min_followers.is_none_or(|m| inf.followers >= m)
            && self.max_followers.is_none_or(|m| inf.followers <= m)
            && self.min_engagement.is_none_or(|m| inf.engagement_rate >= m)
            && self
                .max_cost
                .is_none_or(|m| inf.cost_per_post.is_some_and(|c| c <= m))
    }

    /// One flag per influencer, or `None` when the filter admits everyone.
    fn mask(&self, influencers: &[Influencer]) -> Option<Vec<bool>> {
        if self.is_empty() {
            return None;
        }
        let countries: Vec<String> = self.countries.iter().map(|c| key(c)).collect();
        Some(
            influencers
                .iter()
                .map(|i| self.admits(i, &countries))
                .collect(),
        )
    }
}

/// What a ranking request adds to the brand: the ordering, a fold-in vector, the device's own
/// interactions and the filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankRequest {
    /// What the list is ordered by.
    pub by: RankBy,
    /// Overrides the brand's model vector (e.g. after fold-in of its newest interactions).
    pub vector: Option<Vec<f32>>,
    /// Points of interactions recorded on the device and not yet in the bundle, as
    /// (influencer id, points); they add to the rating like the bundle's own points.
    pub local_points: Vec<(u32, f64)>,
    /// Which influencers may be shown.
    pub filter: Filter,
}

/// One recommended influencer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// 1-based rank.
    pub rank: u32,
    /// Influencer id (index into the bundle's influencers).
    pub id: u32,
    /// Influencer name.
    pub name: String,
    /// The score ranked by: cohesion + interaction points.
    pub score: f64,
    /// The cohesion part with its breakdown.
    pub cohesion: Breakdown,
    /// Points from this brand's past interactions with the influencer.
    pub interaction_points: f64,
    /// The factorization model's score ŷ, when the bundle has a model.
    pub model_score: Option<f32>,
    /// The GBDT ranker's raw score, when the bundle has a ranker.
    pub ranker_score: Option<f64>,
    /// Why the ranker scored it so: TreeSHAP contributions, largest first (empty without a
    /// ranker). They sum to `ranker_score` minus the ranking's `ranker_expected`.
    pub contributions: Vec<Contribution>,
}

/// A ranked list for one brand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The brand as it was ranked (a new brand's resolved record).
    pub brand: Brand,
    /// Whether the brand is in the data.
    pub known: bool,
    /// What the list is ordered by (`model` / `ranker` only when the bundle has them).
    pub ranked_by: RankBy,
    /// The ranker's expected score over its training rows (the base of `contributions`).
    pub ranker_expected: Option<f64>,
    /// The top influencers, best first.
    pub recommendations: Vec<Recommendation>,
}

/// A known brand's precomputed top list: what the widget shows where WebAssembly may not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopList {
    /// Brand name.
    pub brand: String,
    /// What the list is ordered by.
    pub ranked_by: RankBy,
    /// Best first.
    pub influencers: Vec<TopEntry>,
}

/// One influencer of a [`TopList`]: what a compact card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    /// Name.
    pub name: String,
    /// Follower count.
    pub followers: u64,
    /// Engagement rate (fraction).
    pub engagement_rate: f64,
    /// Country.
    pub country: String,
    /// Category slug.
    pub category: String,
    /// Cost per post, when known.
    pub cost_per_post: Option<f64>,
    /// The rating (cohesion + interaction points).
    pub score: f64,
}

/// One row of the relationship table: a brand x influencer pair and its rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationshipRow {
    /// Brand name.
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// Cohesion rating.
    pub cohesion: f64,
    /// Summed interaction points.
    pub interaction_points: f64,
    /// cohesion + interaction points.
    pub rating: f64,
}

/// Order used for ranking: higher score first, then lower id.
fn better(scores: &[f64], a: usize, b: usize) -> Ordering {
    scores[b].total_cmp(&scores[a]).then(a.cmp(&b))
}

/// Reference top-k: sort every index, keep k.
pub fn top_k_reference(scores: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| better(scores, a, b));
    idx.truncate(k);
    idx
}

/// Fast top-k: partial selection in O(n), then sort the k winners. Must return exactly
/// what [`top_k_reference`] returns.
pub fn top_k(scores: &[f64], k: usize) -> Vec<usize> {
    let k = k.min(scores.len());
    if k == 0 {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, |&a, &b| better(scores, a, b));
        idx.truncate(k);
    }
    idx.sort_by(|&a, &b| better(scores, a, b));
    idx
}

/// Sinks the scores of influencers a filter's `mask` leaves out below every other.
fn sink_filtered(scores: &mut [f64], mask: Option<&[bool]>) {
    if let Some(m) = mask {
        for (x, _) in scores.iter_mut().zip(m).filter(|(_, &ok)| !ok) {
            *x = f64::NEG_INFINITY;
        }
    }
}

/// The two-stage order: candidates (top `c` by `rating` ∪ top `c` by the factorization
/// score) ordered by `ranker`'s scores of them, then, while fewer than `k`, the remaining
/// influencers by rating. `ranker` gets the candidate ids (ascending) and returns one score
/// each. Ties go to the lower id.
pub fn pipeline_order(
    rating: &[f64],
    model: Option<&[f32]>,
    c: usize,
    k: usize,
    ranker: impl FnOnce(&[usize]) -> Vec<f64>,
) -> Vec<usize> {
    let mut cand = top_k(rating, c);
    if let Some(m) = model {
        let m: Vec<f64> = m.iter().map(|&x| f64::from(x)).collect();
        cand.extend(top_k(&m, c));
    }
    cand.sort_unstable();
    cand.dedup();
    let scores = ranker(&cand);
    let mut order: Vec<usize> = top_k(&scores, k).into_iter().map(|j| cand[j]).collect();
    if order.len() < k {
        let mut rest = rating.to_vec();
        for &i in &cand {
            rest[i] = f64::NEG_INFINITY;
        }
        let more = k.min(rating.len()) - order.len();
        order.extend(top_k(&rest, more));
    }
    order
}

/// The recommender over one loaded bundle.
#[derive(Debug, Clone)]
pub struct Recommender {
    bundle: Bundle,
    index: CohesionIndex,
    brand_ids: BTreeMap<String, u32>,
    influencer_ids: BTreeMap<String, u32>,
    /// Per brand, its (influencer, points) pairs sorted by influencer.
    points_by_brand: Vec<Vec<(u32, f64)>>,
    factor: Option<FactorModel>,
    ranker: Option<Ranker>,
    history: History,
}

impl Recommender {
    /// Builds the recommender; fails on an inconsistent bundle (ids out of range).
    pub fn new(bundle: Bundle) -> Result<Self> {
        bundle.points.validate()?;
        let index = CohesionIndex::new(&bundle.influencers, bundle.weights)?;
        let mut brand_ids = BTreeMap::new();
        for (i, b) in bundle.brands.iter().enumerate() {
            brand_ids.insert(key(&b.name), i as u32);
        }
        let influencer_ids = bundle
            .influencers
            .iter()
            .enumerate()
            .map(|(i, inf)| (key(&inf.name), i as u32))
            .collect();
        let mut points_by_brand = vec![Vec::new(); bundle.brands.len()];
        for p in &bundle.pair_points {
            if p.brand as usize >= bundle.brands.len()
                || p.influencer as usize >= bundle.influencers.len()
            {
                return Err(Error::Corrupted {
                    source_name: "<bundle>".into(),
                    message: format!(
                        "pair ({}, {}) is out of range ({} brands, {} influencers)",
                        p.brand,
                        p.influencer,
                        bundle.brands.len(),
                        bundle.influencers.len()
                    ),
                });
            }
            points_by_brand[p.brand as usize].push((p.influencer, p.points));
        }
        for v in &mut points_by_brand {
            v.sort_by_key(|p| p.0);
        }
        let factor = match &bundle.factor {
            None => None,
            Some(stored) => {
                let fm = FactorModel::load(stored)
                    .filter(|m| {
                        m.item_repr.nrows() == bundle.influencers.len()
                            && m.user_repr.nrows() == bundle.brands.len()
                    })
                    .ok_or_else(|| Error::Corrupted {
                        source_name: "<bundle>".into(),
                        message: "the factorization model's shapes do not match the tables".into(),
                    })?;
                Some(fm)
            }
        };
        let ranker = bundle.ranker.as_ref().map(Ranker::load).transpose()?;
        let history = History::from_pairs(
            bundle.brands.len(),
            bundle.influencers.len(),
            bundle
                .pair_points
                .iter()
                .filter(|p| p.points > 0.0)
                .map(|p| (p.brand, p.influencer, p.points)),
        );
        Ok(Recommender {
            bundle,
            index,
            brand_ids,
            influencer_ids,
            points_by_brand,
            factor,
            ranker,
            history,
        })
    }

    /// The factorization model, when the bundle has one.
    pub fn factor_model(&self) -> Option<&FactorModel> {
        self.factor.as_ref()
    }

    /// The GBDT ranker, when the bundle has one.
    pub fn ranker(&self) -> Option<&Ranker> {
        self.ranker.as_ref()
    }

    /// The model's vector for a brand: a known brand's trained vector, or one built from a
    /// (new) brand's content features.
    pub fn brand_vector(&self, brand: &Brand, known: Option<u32>) -> Option<Vec<f32>> {
        let fm = self.factor.as_ref()?;
        Some(match known {
            Some(b) => fm.known_user(b as usize).to_vec(),
            None => fm.user_from_features(&brand_features(brand, false)),
        })
    }

    /// The bundle this recommender serves.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// All influencers, by id.
    pub fn influencers(&self) -> &[Influencer] {
        &self.bundle.influencers
    }

    /// All known brands, by id.
    pub fn brands(&self) -> &[Brand] {
        &self.bundle.brands
    }

    /// The id of a known brand (name compared case-insensitively).
    pub fn brand_id(&self, name: &str) -> Option<u32> {
        self.brand_ids.get(&key(name)).copied()
    }

    /// The id of an influencer (name compared case-insensitively).
    pub fn influencer_id(&self, name: &str) -> Option<u32> {
        self.influencer_ids.get(&key(name)).copied()
    }

    /// Summed interaction points of known brand `b` with influencer `i`.
    pub fn pair_points(&self, b: u32, i: u32) -> f64 {
        let v = &self.points_by_brand[b as usize];
        v.binary_search_by_key(&i, |p| p.0).map_or(0.0, |k| v[k].1)
    }

    /// Ratings (cohesion + interaction points) of every influencer for brand `b`.
    fn known_scores(&self, b: u32, prepared: &PreparedBrand) -> Vec<f64> {
        let mut scores = self.index.score_all(prepared);
        for &(i, p) in &self.points_by_brand[b as usize] {
            scores[i as usize] += p;
        }
        scores
    }

    fn ranking(&self, brand: Brand, known: Option<u32>, k: usize, req: &RankRequest) -> Ranking {
        let prepared = self.index.prepare_brand(&brand);
        let mut scores = match known {
            Some(b) => self.known_scores(b, &prepared),
            None => self.index.score_all(&prepared),
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
        let model_scores: Option<Vec<f32>> = self.factor.as_ref().and_then(|fm| {
            let v = req
                .vector
                .clone()
                .or_else(|| self.brand_vector(&brand, known))?;
            let mut out = Vec::new();
            fm.score_all(&v, &mut out);
            Some(out)
        });
        // What was asked for, or the best the bundle has below it.
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
        };
        let features = |i: usize| {
            let mut row = [0.0; NUM_FEATURES];
            pair_features(
                &self.index,
                &self.bundle.influencers,
                &self.history,
                &ctx,
                i,
                &mut row,
            );
            row
        };
        // Filtered-out influencers sink below every admitted one in what the order reads,
        // and are dropped from the list at the end.
        let mask = req.filter.mask(&self.bundle.influencers);
        let sink = |v: &mut [f64]| sink_filtered(v, mask.as_deref());
        let mut rating_order = scores.clone();
        sink(&mut rating_order);
        let model_order: Option<Vec<f64>> = model_scores.as_ref().map(|m| {
            let mut v: Vec<f64> = m.iter().map(|&x| f64::from(x)).collect();
            sink(&mut v);
            v
        });
        let mut order = match (&model_order, &self.ranker, by) {
            (_, Some(r), RankBy::Ranker) => {
                let m32: Option<Vec<f32>> = model_order
                    .as_ref()
                    .map(|m| m.iter().map(|&x| x as f32).collect());
                pipeline_order(&rating_order, m32.as_deref(), r.candidates(), k, |cand| {
                    cand.iter().map(|&i| r.score(&features(i))).collect()
                })
            }
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
                let cohesion = self.index.breakdown(&prepared, i);
                let (ranker_score, contributions) = match &self.ranker {
                    Some(rk) => {
                        let row = features(i);
                        // The ranker was validated on load, so explaining cannot fail; an
                        // empty list would only hide the explanation, never the result.
                        let (c, e) = rk.explain(&row).unwrap_or_default();
                        ranker_expected = Some(e);
                        (Some(rk.score(&row)), c)
                    }
                    None => (None, Vec::new()),
                };
                Recommendation {
                    rank: r as u32 + 1,
                    id: i as u32,
                    name: self.bundle.influencers[i].name.clone(),
                    score: scores[i],
                    interaction_points: known.map_or(0.0, |b| self.pair_points(b, i as u32))
                        + local.get(i).copied().unwrap_or(0.0),
                    cohesion,
                    model_score: model_scores.as_ref().map(|m| m[i]),
                    ranker_score,
                    contributions,
                }
            })
            .collect();
        Ranking {
            brand,
            known: known.is_some(),
            ranked_by: by,
            ranker_expected,
            recommendations,
        }
    }

    /// Top `k` influencers for a known brand.
    pub fn rank_known(&self, brand: &str, k: usize) -> Result<Ranking> {
        self.rank_known_by(brand, k, RankBy::Rating, None)
    }

    /// Top `k` for a known brand ordered by `by`; `vector` overrides the brand's model vector
    /// (e.g. after fold-in of its newest interactions).
    pub fn rank_known_by(
        &self,
        brand: &str,
        k: usize,
        by: RankBy,
        vector: Option<Vec<f32>>,
    ) -> Result<Ranking> {
        self.rank_known_with(
            brand,
            k,
            &RankRequest {
                by,
                vector,
                ..RankRequest::default()
            },
        )
    }

    /// Top `k` for a known brand as `req` asks (ordering, fold-in vector, the device's own
    /// interactions, filters).
    pub fn rank_known_with(&self, brand: &str, k: usize, req: &RankRequest) -> Result<Ranking> {
        req.filter.validate()?;
        let b = self.brand_id(brand).ok_or_else(|| Error::Unknown {
            what: "brand",
            name: brand.to_string(),
        })?;
        Ok(self.ranking(self.bundle.brands[b as usize].clone(), Some(b), k, req))
    }

    /// Top `k` for a new brand as `req` asks.
    pub fn rank_new_with(
        &self,
        brand: &NewBrand,
        lexicon: &Lexicon,
        k: usize,
        req: &RankRequest,
    ) -> Result<Ranking> {
        req.filter.validate()?;
        Ok(self.ranking(brand.resolve(lexicon), None, k, req))
    }

    /// Every known brand's top `k`, in brand order, by the best ordering the bundle has.
    pub fn top_lists(&self, k: usize) -> Vec<TopList> {
        let req = RankRequest {
            by: RankBy::Ranker,
            ..RankRequest::default()
        };
        (0..self.bundle.brands.len())
            .map(|b| {
                let r = self.ranking(self.bundle.brands[b].clone(), Some(b as u32), k, &req);
                TopList {
                    brand: r.brand.name,
                    ranked_by: r.ranked_by,
                    influencers: r
                        .recommendations
                        .iter()
                        .map(|x| {
                            let inf = &self.bundle.influencers[x.id as usize];
                            TopEntry {
                                name: inf.name.clone(),
                                followers: inf.followers,
                                engagement_rate: inf.engagement_rate,
                                country: inf.country.clone(),
                                category: inf.category.clone(),
                                cost_per_post: inf.cost_per_post,
                                score: x.score,
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
        let infs = &self.bundle.influencers;
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
                    followers: me.followers,
                    description: String::new(),
                };
                self.index.score_all(&self.index.prepare_brand(&as_brand))
            }
        };
        sim[id as usize] = f64::NEG_INFINITY;
        sink_filtered(&mut sim, filter.mask(infs).as_deref());
        Ok(top_k(&sim, k)
            .into_iter()
            .filter(|&j| sim[j] > f64::NEG_INFINITY)
            .map(|j| (j as u32, sim[j]))
            .collect())
    }

    /// Top `k` for a new brand ordered by `by` (cold start: the model vector comes from its
    /// content features unless `vector` is given).
    pub fn rank_new_by(
        &self,
        brand: &NewBrand,
        lexicon: &Lexicon,
        k: usize,
        by: RankBy,
        vector: Option<Vec<f32>>,
    ) -> Ranking {
        self.ranking(
            brand.resolve(lexicon),
            None,
            k,
            &RankRequest {
                by,
                vector,
                ..RankRequest::default()
            },
        )
    }

    /// Top `k` influencers for a brand described by its features (cohesion only). A name
    /// that matches a known brand still ranks by the described features: the user asked
    /// about this description.
    pub fn rank_new(&self, brand: &NewBrand, lexicon: &Lexicon, k: usize) -> Ranking {
        self.rank_new_by(brand, lexicon, k, RankBy::Rating, None)
    }

    /// The row that pairs a new brand with the influencer picked by `random` (any u64 from
    /// the caller's RNG: seeded natively, `getrandom` in the browser).
    pub fn pair_new_brand(&self, brand: &Brand, random: u64) -> Option<RelationshipRow> {
        let n = self.bundle.influencers.len() as u64;
        if n == 0 {
            return None;
        }
        let i = (random % n) as usize;
        let prepared = self.index.prepare_brand(brand);
        let cohesion = self.index.score(&prepared, i);
        Some(RelationshipRow {
            brand: brand.name.clone(),
            influencer: self.bundle.influencers[i].name.clone(),
            cohesion,
            interaction_points: 0.0,
            rating: cohesion,
        })
    }

    /// The relationship table: every known brand x every influencer with its rating,
    /// brand-major in id order.
    pub fn relationships(&self) -> impl Iterator<Item = RelationshipRow> + '_ {
        self.bundle
            .brands
            .iter()
            .enumerate()
            .flat_map(move |(b, brand)| {
                let prepared = self.index.prepare_brand(brand);
                let cohesion = self.index.score_all(&prepared);
                let scores = self.known_scores(b as u32, &prepared);
                self.bundle
                    .influencers
                    .iter()
                    .enumerate()
                    .map(move |(i, inf)| RelationshipRow {
                        brand: brand.name.clone(),
                        influencer: inf.name.clone(),
                        cohesion: cohesion[i],
                        interaction_points: self.pair_points(b as u32, i as u32),
                        rating: scores[i],
                    })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::tests::small;
    use rand::{Rng, SeedableRng};

    #[test]
    fn fast_top_k_matches_reference_on_random_scores_with_ties() {
        let seed = 20261125u64;
        println!("seed {seed}");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..300 {
            let n = rng.random_range(0..60);
            // Few distinct values, so ties are common.
            let scores: Vec<f64> = (0..n).map(|_| rng.random_range(0..5) as f64).collect();
            let k = rng.random_range(0..70);
            assert_eq!(
                top_k(&scores, k),
                top_k_reference(&scores, k),
                "{scores:?} k={k}"
            );
        }
    }

    #[test]
    fn known_brand_adds_interaction_points() {
        let r = Recommender::new(small()).unwrap();
        // acme (music, US, #x): a = 10 + 5 + 1 + 0.1 = 16.1; b = 0.2 + 3 points = 3.2.
        let rk = r.rank_known("ACME", 5).unwrap();
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
        assert!(matches!(
            r.rank_known("nobody", 3),
            Err(Error::Unknown { .. })
        ));
    }

    #[test]
    fn new_brand_is_ranked_from_its_description() {
        let r = Recommender::new(small()).unwrap();
        let nb = NewBrand {
            name: "Zara-ish".into(),
            description: "Streetwear and denim for everyone #z".into(),
            country: "es".into(),
            ..Default::default()
        };
        let rk = r.rank_new(&nb, Lexicon::builtin(), 1);
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
    fn relationship_table_covers_every_pair() {
        let r = Recommender::new(small()).unwrap();
        let rows: Vec<_> = r.relationships().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].interaction_points, 3.0);
        assert!((rows[1].rating - 3.2).abs() < 1e-12);
    }

    /// Four influencers with costs, followers and countries that the filters can tell apart.
    fn four() -> Recommender {
        let mut b = small();
        let mut c = crate::cohesion::tests::influencer("c", "music", "FR", &["x"], 0.05);
        c.followers = 500;
        c.cost_per_post = Some(50.0);
        let mut d = crate::cohesion::tests::influencer("d", "music", "US", &[], 0.01);
        d.cost_per_post = Some(500.0);
        b.influencers[0].cost_per_post = Some(100.0);
        b.influencers.extend([c, d]);
        Recommender::new(b).unwrap()
    }

    fn names(rk: &Ranking) -> Vec<&str> {
        rk.recommendations.iter().map(|x| x.name.as_str()).collect()
    }

    #[test]
    fn filters_keep_the_order_of_what_they_admit() {
        let r = four();
        let all = r.rank_known("acme", 10).unwrap();
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
                let got = r.rank_known_with("acme", 10, &req).unwrap();
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
                r.rank_known_with("acme", 3, &req),
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
        let rk = r.rank_known_with("acme", 2, &req).unwrap();
        assert_eq!(names(&rk), ["d", "a"]);
        assert!((rk.recommendations[0].score - 17.01).abs() < 1e-12);
        assert!((rk.recommendations[0].interaction_points - 2.0).abs() < 1e-12);
        // A new brand gets them too.
        let nb = NewBrand {
            name: "n".into(),
            category: "music".into(),
            ..NewBrand::default()
        };
        let rk = r.rank_new_with(&nb, Lexicon::builtin(), 1, &req).unwrap();
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
        let mut b = small();
        b.pair_points[0].influencer = 9;
        assert!(matches!(Recommender::new(b), Err(Error::Corrupted { .. })));
    }
}
