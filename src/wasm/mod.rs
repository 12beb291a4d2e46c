//! The WebAssembly API: the only module that knows about JavaScript. Errors become
//! `JsError` in exactly one place, [`to_js`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::bundle;
use crate::category::Lexicon;
use crate::error::{Error, Location};
use crate::model::{Influencer, PointsConfig};
use crate::planner::{cents, fill_to_budget, Item};
use crate::price::{PriceBasis, PriceEstimate, PriceEstimates};
use crate::rank::{
    Filter, NewBrand, RankBy, Ranking, Recommendation, Recommender, Who, WorkedWith,
    WORKED_WITH_SHOWN,
};
use crate::session::{BrandRef, LocalRow, Session};

mod js_error;
#[cfg(feature = "lightgbm-text")]
mod trees;
use js_error::to_js;
#[cfg(feature = "lightgbm-text")]
pub use trees::Trees;

fn to_value<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js(Error::malformed(Location::source("<wasm>"), e.to_string())))
}

fn from_value<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| to_js(Error::malformed(Location::source(what), e.to_string())))
}

/// An influencer record as the page reads it: the record, its prices, listed or estimated
/// (`price_estimate`, `story_price_estimate`: `{low, typical, high, basis}`), and the handles
/// its posts named most recently (`worked_with`, at most [`WORKED_WITH_SHOWN`]).
#[derive(Serialize)]
struct InfluencerView<'a> {
    #[serde(flatten)]
    influencer: &'a Influencer,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_estimate: Option<PriceEstimate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    story_price_estimate: Option<PriceEstimate>,
    worked_with: Vec<WorkedWith>,
}

impl<'a> InfluencerView<'a> {
    fn new(rec: &'a Recommender, id: u32) -> Self {
        let influencer = &rec.influencers()[id as usize];
        Self::priced(rec, id, rec.prices(influencer))
    }

    /// With prices already estimated (a ranking's, a plan's): not estimated again.
    fn priced(rec: &'a Recommender, id: u32, p: PriceEstimates) -> Self {
        InfluencerView {
            influencer: &rec.influencers()[id as usize],
            price_estimate: p.post,
            story_price_estimate: p.story,
            worked_with: rec.worked_with(id, WORKED_WITH_SHOWN),
        }
    }
}

#[derive(Serialize)]
struct RecommendationView<'a> {
    #[serde(flatten)]
    recommendation: &'a Recommendation,
    influencer: InfluencerView<'a>,
}

#[derive(Serialize)]
struct RankingView<'a> {
    brand: &'a crate::model::Brand,
    known: bool,
    ranked_by: RankBy,
    /// Whether the model vector was adapted by fold-in on this device.
    folded_in: bool,
    /// The base of the recommendations' ranker contributions.
    ranker_expected: Option<f64>,
    recommendations: Vec<RecommendationView<'a>>,
    /// How many the filter's bounds left out only for an unknown value (the page offers to
    /// keep them).
    unknown_left_out: u32,
}

/// `by` as asked, or `default` (the bundle's default ordering) when it is not given.
fn parse_by(by: Option<String>, default: RankBy) -> Result<RankBy, JsError> {
    match by.as_deref() {
        None | Some("") => Ok(default),
        Some(s) => RankBy::parse(s).ok_or_else(|| {
            to_js(Error::InvalidParam {
                name: "by",
                message: format!("{s:?}: expected \"rating\", \"model\" or \"ranker\""),
            })
        }),
    }
}

fn brand_ref(v: JsValue) -> Result<BrandRef, JsError> {
    match v.as_string() {
        Some(name) => Ok(BrandRef::Known(name)),
        None => Ok(BrandRef::New(from_value(v, "new brand")?)),
    }
}

/// 64 random bits from the browser's crypto source.
fn random_u64() -> Result<u64, JsError> {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).map_err(|e| {
        to_js(Error::malformed(
            Location::source("getrandom"),
            e.to_string(),
        ))
    })?;
    Ok(u64::from_le_bytes(buf))
}

#[derive(Serialize)]
struct Info<'a> {
    /// FNV-1a 64 of the bundle's bytes, 16 hex digits (as in `manifest.json`).
    version: String,
    format_version: u32,
    writer: &'a str,
    influencers: usize,
    brands: usize,
    interactions: u64,
    seed: u64,
    /// Points per interaction kind (the page reads them from here).
    points: PointsConfig,
    /// The platform the accounts post on (`instagram.com`, ...; empty when unknown): where
    /// a name's profile link points.
    platform: &'a str,
}

/// A loaded bundle, ready to rank.
#[wasm_bindgen]
pub struct Engine {
    rec: Recommender,
    header: bundle::Header,
    /// FNV-1a 64 of the bundle's bytes.
    version: u64,
    /// What this device did since the bundle loaded.
    session: Session,
}

/// The options of a ranking call: `{filter}` (all optional).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Options {
    filter: Filter,
}

fn options(v: Option<JsValue>) -> Result<Options, JsError> {
    match v {
        Some(v) if !v.is_undefined() && !v.is_null() => from_value(v, "options"),
        _ => Ok(Options::default()),
    }
}

#[derive(Serialize)]
struct SimilarView<'a> {
    similarity: f64,
    influencer: InfluencerView<'a>,
}

#[derive(Serialize)]
struct PlanView<'a> {
    chosen: Vec<InfluencerView<'a>>,
    cost: f64,
    expected_engagements: f64,
    /// False only when the exact search stopped at its state limit.
    optimal: bool,
    /// Candidates left out because their post cost is unknown and cannot be estimated (no
    /// followers), or is beyond what the planner books: the page names this cause rather
    /// than the budget.
    unknown_cost: u32,
    /// Chosen influencers planned on their typical estimated price because none is listed.
    estimated_cost: Vec<&'a str>,
    /// Candidates left out because their followers are unknown (no expected engagements).
    unknown_value: u32,
    /// Chosen influencers whose expected engagements use the usual rate for their size
    /// because their own is unknown.
    estimated: Vec<&'a str>,
}

#[wasm_bindgen]
impl Engine {
    /// Loads a bundle from its bytes; a truncated, corrupted or foreign file is a typed error.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<Engine, JsError> {
        let (header, b) = bundle::read(bytes, "model.bundle").map_err(to_js)?;
        let rec = b.recommender("model.bundle").map_err(to_js)?;
        Ok(Engine {
            rec,
            header,
            version: bundle::fnv1a64(bytes),
            session: Session::default(),
        })
    }

    /// Loads a detail shard (`pkg/details/...`, fetched when a card needs it): the file's
    /// FNV-1a 64 against `checksum` (the manifest's, 16 hex digits) when given, the artifact's
    /// own checks, then its bundle version against this engine's; a shard of another bundle is
    /// a typed error and changes nothing. Returns how many influencers it filled.
    #[wasm_bindgen(js_name = addDetails)]
    pub fn add_details(&mut self, bytes: &[u8], checksum: Option<String>) -> Result<u32, JsError> {
        let source = "detail shard";
        if let Some(want) = checksum {
            let got = format!("{:016x}", bundle::fnv1a64(bytes));
            if got != want.to_ascii_lowercase() {
                return Err(to_js(Error::Corrupted {
                    source_name: source.into(),
                    message: format!("checksum {got}, the manifest says {want}"),
                }));
            }
        }
        let shard = bundle::read_details(bytes, source, self.version).map_err(to_js)?;
        let n = self
            .rec
            .add_details(shard.first, shard.rows)
            .map_err(to_js)?;
        Ok(n as u32)
    }

    /// Which detail shard holds the named influencer (its id / `DETAIL_SHARD_ROWS`; the
    /// manifest's `detail_shards[k]` names the file).
    #[wasm_bindgen(js_name = detailShard)]
    pub fn detail_shard(&self, influencer: &str) -> Result<u32, JsError> {
        Ok(self.influencer_id(influencer)? / bundle::DETAIL_SHARD_ROWS)
    }

    /// What the bundle is: format version, writer, sizes.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let c = self.rec.catalog();
        to_value(&Info {
            version: format!("{:016x}", self.version),
            format_version: self.header.format_version,
            writer: &self.header.writer,
            influencers: c.influencers().len(),
            brands: c.brands().len(),
            interactions: c.meta().interactions,
            seed: c.meta().seed,
            points: c.points(),
            platform: &c.meta().platform,
        })
    }

    /// Names of the known brands, sorted.
    #[wasm_bindgen(js_name = brandNames)]
    pub fn brand_names(&self) -> Result<JsValue, JsError> {
        let names: Vec<&str> = self.rec.brands().iter().map(|b| b.name.as_str()).collect();
        to_value(&names)
    }

    /// The known brands as the brand picker lists them, sorted by name: `[{name, category,
    /// country, handle}]` (category a slug, country as the catalog has it, both possibly
    /// empty).
    pub fn brands(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Entry<'a> {
            name: &'a str,
            category: &'a str,
            country: &'a str,
            handle: &'a str,
        }
        let list: Vec<Entry> = self
            .rec
            .brands()
            .iter()
            .map(|b| Entry {
                name: &b.name,
                category: &b.category,
                country: &b.country,
                handle: &b.handle,
            })
            .collect();
        to_value(&list)
    }

    /// Whether the bundle has a factorization model.
    #[wasm_bindgen(js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.rec.factor_model().is_some()
    }

    /// Whether the bundle has the GBDT ranker (then `by = "ranker"` is available and every
    /// recommendation carries TreeSHAP contributions).
    #[wasm_bindgen(js_name = hasRanker)]
    pub fn has_ranker(&self) -> bool {
        self.rec.ranker().is_some()
    }

    /// The bundle's default ordering (`"rating"`, `"model"` or `"ranker"`) and what it was
    /// chosen on: `{by, basis, targets, positives, needed, figures: [{by, hr_at_10,
    /// ndcg_at_25, mrr, overlap_at_10, gain, gain_se}]}`; `basis` is `measured`,
    /// `too_little_evidence` or `no_learned_ordering`. A bundle without a choice reads as
    /// the rating with no learned ordering measured.
    pub fn ordering(&self) -> Result<JsValue, JsError> {
        match self.rec.ordering() {
            Some(o) => to_value(o),
            None => to_value(&crate::rank::OrderingChoice::rating(
                crate::rank::Basis::NoLearnedOrdering,
                0,
                0,
                0,
            )),
        }
    }

    /// Top `k` influencers for a known brand, with breakdowns and influencer records, ordered
    /// by `by`: `"rating"`, `"model"` or `"ranker"` (none: the bundle's default ordering). `options.filter` narrows the
    /// list (`{countries, min_followers, max_followers, min_engagement, max_cost,
    /// include_unknown, creators_only}`); interactions recorded with `addLocalInteractions`
    /// count towards the rating.
    #[wasm_bindgen(js_name = rankKnown)]
    pub fn rank_known(
        &self,
        brand: &str,
        k: usize,
        by: Option<String>,
        options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let req = self.session.request(
            brand,
            parse_by(by, self.rec.default_by())?,
            self::options(options)?.filter,
        );
        let r = self.rec.rank(Who::Known(brand), k, &req).map_err(to_js)?;
        self.view(&r, req.vector.is_some())
    }

    /// Top `k` influencers for a new brand `{name, category, country, hashtags, description}`
    /// (cold start), ordered by `by`, with the same `options` as `rankKnown`.
    #[wasm_bindgen(js_name = rankNew)]
    pub fn rank_new(
        &self,
        brand: JsValue,
        k: usize,
        by: Option<String>,
        options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let nb: NewBrand = from_value(brand, "new brand")?;
        let req = self.session.request(
            &nb.name,
            parse_by(by, self.rec.default_by())?,
            self::options(options)?.filter,
        );
        let resolved = nb.resolve(Lexicon::builtin());
        let r = self.rec.rank(Who::New(&resolved), k, &req).map_err(to_js)?;
        self.view(&r, req.vector.is_some())
    }

    /// Adds interactions recorded on this device, `[{brand, influencer, points}]`, to the
    /// brands' ratings (rows naming an influencer the bundle does not have are skipped).
    /// Returns how many rows counted.
    #[wasm_bindgen(js_name = addLocalInteractions)]
    pub fn add_local_interactions(&mut self, rows: JsValue) -> Result<u32, JsError> {
        let rows: Vec<LocalRow> = from_value(rows, "interactions")?;
        self.session.add_local(&self.rec, &rows).map_err(to_js)
    }

    /// Forgets the interactions added with `addLocalInteractions` (all brands) and the
    /// fold-in vectors they made.
    #[wasm_bindgen(js_name = clearLocalInteractions)]
    pub fn clear_local_interactions(&mut self) {
        self.session.clear_local();
    }

    /// "More like this": the `k` influencers most similar to the named one (the model's item
    /// vectors, or cohesion without a model), `[{similarity, influencer}]`, filtered by
    /// `options.filter`.
    pub fn similar(
        &self,
        influencer: &str,
        k: usize,
        options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let id = self.influencer_id(influencer)?;
        let filter = self::options(options)?.filter;
        let got = self.rec.similar(id, k, &filter).map_err(to_js)?;
        to_value(
            &got.iter()
                .map(|&(j, similarity)| SimilarView {
                    similarity,
                    influencer: InfluencerView::new(&self.rec, j),
                })
                .collect::<Vec<_>>(),
        )
    }

    /// Influencer records by name (unknown names are left out), in the order given.
    #[wasm_bindgen(js_name = influencersByName)]
    pub fn influencers_by_name(&self, names: Vec<String>) -> Result<JsValue, JsError> {
        let found: Vec<InfluencerView> = names
            .iter()
            .filter_map(|n| self.rec.influencer_id(n))
            .map(|i| InfluencerView::new(&self.rec, i))
            .collect();
        to_value(&found)
    }

    /// The countries of the bundle's influencers, sorted, for the filter's choices.
    pub fn countries(&self) -> Result<JsValue, JsError> {
        let mut codes: Vec<&str> = self
            .rec
            .influencers()
            .iter()
            .map(|i| i.country.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        to_value(&codes)
    }

    /// Fill to budget: of the named candidates with a cost per post (listed, else the typical
    /// estimate, named in `estimated_cost`), the set with the most expected engagements
    /// (followers × engagement rate) whose cost fits in `budget` (see `planner`): exact in
    /// whole cents (a cost rounds up to its cent, the budget down), so never over budget.
    #[wasm_bindgen(js_name = fillToBudget)]
    pub fn fill_to_budget(&self, candidates: Vec<String>, budget: f64) -> Result<JsValue, JsError> {
        let infs = self.rec.influencers();
        let (mut unknown_cost, mut unknown_value) = (0u32, 0u32);
        let mut estimated = std::collections::BTreeSet::new();
        let mut estimated_cost = std::collections::BTreeSet::new();
        let mut priced = std::collections::BTreeMap::new();
        let mut items = Vec::new();
        for i in candidates.iter().filter_map(|n| self.rec.influencer_id(n)) {
            let inf = &infs[i as usize];
            let prices = self.rec.prices(inf);
            let Some(price) = prices.post else {
                unknown_cost += 1;
                continue;
            };
            // A cost the planner cannot book (beyond its bound) is as good as unknown: the
            // plan goes on without it.
            let Ok(cost_cents) = cents(price.typical, false) else {
                unknown_cost += 1;
                continue;
            };
            if price.basis != PriceBasis::Listed {
                estimated_cost.insert(i);
            }
            priced.insert(i, prices);
            let Some((value, is_estimate)) = self.rec.expected_engagements(inf) else {
                unknown_value += 1;
                continue;
            };
            if is_estimate {
                estimated.insert(i);
            }
            items.push(Item {
                id: i,
                cost_cents,
                value,
            });
        }
        let plan = fill_to_budget(&items, cents(budget, true).map_err(to_js)?).map_err(to_js)?;
        to_value(&PlanView {
            chosen: plan
                .chosen
                .iter()
                .map(|&i| match priced.get(&i) {
                    Some(&p) => InfluencerView::priced(&self.rec, i, p),
                    None => InfluencerView::new(&self.rec, i),
                })
                .collect(),
            cost: plan.cost_cents as f64 / 100.0,
            expected_engagements: plan.value,
            optimal: plan.optimal,
            unknown_cost,
            estimated_cost: plan
                .chosen
                .iter()
                .filter(|i| estimated_cost.contains(*i))
                .map(|&i| infs[i as usize].name.as_str())
                .collect(),
            unknown_value,
            estimated: plan
                .chosen
                .iter()
                .filter(|i| estimated.contains(*i))
                .map(|&i| infs[i as usize].name.as_str())
                .collect(),
        })
    }

    fn influencer_id(&self, name: &str) -> Result<u32, JsError> {
        self.rec.influencer_id(name).ok_or_else(|| {
            to_js(Error::Unknown {
                what: "influencer",
                name: name.to_string(),
            })
        })
    }

    /// The model's score of every influencer for a known brand, in influencer order (the
    /// scoring loop the page and the browser benchmark time).
    #[wasm_bindgen(js_name = modelScores)]
    pub fn model_scores(&self, brand: &str) -> Result<Vec<f32>, JsError> {
        self.session.model_scores(&self.rec, brand).map_err(to_js)
    }

    /// Fold-in: adapts the brand's model vector (a known brand by name, or a new brand
    /// object) to the influencers its interactions on this device engaged with (those
    /// added with `addLocalInteractions`), offline: rebuilt from the model's vector each
    /// time, so it is the same after the rows are replayed on a reload. Returns how many
    /// influencers it folded in (0: the brand keeps its model vector).
    #[wasm_bindgen(js_name = foldIn)]
    pub fn fold_in(&mut self, brand: JsValue) -> Result<u32, JsError> {
        let brand = brand_ref(brand)?;
        self.session
            .fold_in(&self.rec, &brand, Lexicon::builtin())
            .map_err(to_js)
    }

    /// The influencers a brand (a known brand by name, or a new brand object) already likes,
    /// by name: each counts as added to a campaign in its rating and the model folds the
    /// brand in towards them at once. A name that is no influencer refuses the call, naming
    /// it, and nothing is added. Returns the names as the bundle spells them (what the page
    /// records as the brand's first rows).
    pub fn like(&mut self, brand: JsValue, names: Vec<String>) -> Result<Vec<String>, JsError> {
        let brand = brand_ref(brand)?;
        let ids = self
            .session
            .like(&self.rec, &brand, Lexicon::builtin(), &names)
            .map_err(to_js)?;
        Ok(ids
            .into_iter()
            .map(|i| self.rec.influencers()[i as usize].name.clone())
            .collect())
    }

    /// Forgets fold-in adaptations (all brands).
    #[wasm_bindgen(js_name = resetFoldIn)]
    pub fn reset_fold_in(&mut self) {
        self.session.reset_fold_in();
    }

    /// The row pairing a new brand with a randomly chosen influencer (randomness from the
    /// browser's crypto source through `getrandom`).
    #[wasm_bindgen(js_name = pairNewBrand)]
    pub fn pair_new_brand(&self, brand: JsValue) -> Result<JsValue, JsError> {
        let nb: NewBrand = from_value(brand, "new brand")?;
        let resolved = nb.resolve(Lexicon::builtin());
        to_value(&self.rec.pair_new_brand(&resolved, random_u64()?))
    }

    fn view(&self, r: &Ranking, folded_in: bool) -> Result<JsValue, JsError> {
        to_value(&RankingView {
            brand: &r.brand,
            known: r.known,
            ranked_by: r.ranked_by,
            folded_in,
            ranker_expected: r.ranker_expected,
            unknown_left_out: r.unknown_left_out,
            recommendations: r
                .recommendations
                .iter()
                .map(|x| RecommendationView {
                    recommendation: x,
                    // The ranking estimated its picks' prices already.
                    influencer: InfluencerView::priced(
                        &self.rec,
                        x.id,
                        PriceEstimates {
                            post: x.price_estimate,
                            story: x.story_price_estimate,
                        },
                    ),
                })
                .collect(),
        })
    }
}

/// Whether this module scores with the SIMD128 kernel (the page loads the scalar build where
/// the browser has no SIMD; both score alike bit for bit).
#[wasm_bindgen]
pub fn simd128() -> bool {
    crate::mf::FactorModel::SIMD128
}

/// Infers a category from free text: `{slug, label, hits}` or `null`.
#[wasm_bindgen(js_name = inferCategory)]
pub fn infer_category(text: &str) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Out<'a> {
        slug: &'a str,
        label: &'a str,
        hits: u32,
    }
    let lex = Lexicon::builtin();
    match lex.infer(text) {
        None => Ok(JsValue::NULL),
        Some(i) => {
            let label = lex.get(&i.slug).map(|c| c.label.as_str()).unwrap_or("");
            to_value(&Out {
                slug: &i.slug,
                label,
                hits: i.hits,
            })
        }
    }
}

/// All categories of the lexicon as `[{slug, label}]`, in lexicon order.
#[wasm_bindgen]
pub fn categories() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Out<'a> {
        slug: &'a str,
        label: &'a str,
    }
    let v: Vec<Out> = Lexicon::builtin()
        .categories()
        .iter()
        .map(|c| Out {
            slug: &c.slug,
            label: &c.label,
        })
        .collect();
    to_value(&v)
}
