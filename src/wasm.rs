//! The WebAssembly API: the only module that knows about JavaScript. Errors become
//! `JsError` in exactly one place, [`to_js`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::bundle;
use crate::category::Lexicon;
use crate::error::{Error, Location};
use crate::model::Influencer;
use crate::rank::{NewBrand, RankBy, Ranking, Recommendation, Recommender};
use crate::text::key;
use std::collections::BTreeMap;

/// Fold-in step: the margin a single normalised step moves (see `FactorModel::fold_in`).
const FOLD_IN_LEARNING_RATE: f32 = 0.5;

/// The one conversion from the crate's error to JavaScript.
fn to_js(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn to_value<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js(Error::malformed(Location::source("<wasm>"), e.to_string())))
}

fn from_value<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| to_js(Error::malformed(Location::source(what), e.to_string())))
}

#[derive(Serialize)]
struct RecommendationView<'a> {
    #[serde(flatten)]
    recommendation: &'a Recommendation,
    influencer: &'a Influencer,
}

#[derive(Serialize)]
struct RankingView<'a> {
    brand: &'a crate::model::Brand,
    known: bool,
    ranked_by: RankBy,
    /// Whether the model vector was adapted by fold-in on this device.
    folded_in: bool,
    recommendations: Vec<RecommendationView<'a>>,
}

fn parse_by(by: Option<String>) -> Result<RankBy, JsError> {
    match by.as_deref() {
        None | Some("") => Ok(RankBy::Rating),
        Some(s) => RankBy::parse(s).ok_or_else(|| {
            to_js(Error::InvalidParam {
                name: "by",
                message: format!("{s:?}: expected \"rating\", \"model\" or \"ranker\""),
            })
        }),
    }
}

/// A brand named by a string (known brand) or described by an object (new brand).
enum BrandRef {
    Known(String),
    New(NewBrand),
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

/// xorshift64* seeded from [`random_u64`]: the fold-in's negative sampler.
fn random_source() -> Result<impl FnMut() -> u32, JsError> {
    let mut x = random_u64()? | 1;
    Ok(move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    })
}

#[derive(Serialize)]
struct Info<'a> {
    format_version: u32,
    writer: &'a str,
    influencers: usize,
    brands: usize,
    interactions: u64,
    seed: u64,
}

/// A loaded bundle, ready to rank.
#[wasm_bindgen]
pub struct Engine {
    rec: Recommender,
    header: bundle::Header,
    /// Brand vectors adapted on this device by fold-in, by brand name key.
    folded: BTreeMap<String, Vec<f32>>,
}

#[wasm_bindgen]
impl Engine {
    /// Loads a bundle from its bytes; a truncated, corrupted or foreign file is a typed error.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<Engine, JsError> {
        let (header, b) = bundle::read(bytes, "model.bundle").map_err(to_js)?;
        let rec = Recommender::new(b).map_err(to_js)?;
        Ok(Engine {
            rec,
            header,
            folded: BTreeMap::new(),
        })
    }

    /// What the bundle is: format version, writer, sizes.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let b = self.rec.bundle();
        to_value(&Info {
            format_version: self.header.format_version,
            writer: &self.header.writer,
            influencers: b.influencers.len(),
            brands: b.brands.len(),
            interactions: b.meta.interactions,
            seed: b.meta.seed,
        })
    }

    /// Names of the known brands, sorted.
    #[wasm_bindgen(js_name = brandNames)]
    pub fn brand_names(&self) -> Result<JsValue, JsError> {
        let names: Vec<&str> = self.rec.brands().iter().map(|b| b.name.as_str()).collect();
        to_value(&names)
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

    /// Top `k` influencers for a known brand, with breakdowns and influencer records, ordered
    /// by `by`: `"rating"` (default) or `"model"`.
    #[wasm_bindgen(js_name = rankKnown)]
    pub fn rank_known(
        &self,
        brand: &str,
        k: usize,
        by: Option<String>,
    ) -> Result<JsValue, JsError> {
        let by = parse_by(by)?;
        let folded = self.folded.get(&key(brand)).cloned();
        let was_folded = folded.is_some();
        let r = self
            .rec
            .rank_known_by(brand, k, by, folded)
            .map_err(to_js)?;
        self.view(&r, was_folded)
    }

    /// Top `k` influencers for a new brand `{name, category, country, hashtags, description}`
    /// (cold start), ordered by `by`.
    #[wasm_bindgen(js_name = rankNew)]
    pub fn rank_new(
        &self,
        brand: JsValue,
        k: usize,
        by: Option<String>,
    ) -> Result<JsValue, JsError> {
        let by = parse_by(by)?;
        let nb: NewBrand = from_value(brand, "new brand")?;
        let folded = self.folded.get(&key(&nb.name)).cloned();
        let was_folded = folded.is_some();
        let r = self.rec.rank_new_by(&nb, Lexicon::builtin(), k, by, folded);
        self.view(&r, was_folded)
    }

    /// The model's score of every influencer for a known brand, in influencer order (the
    /// scoring loop the page and the browser benchmark time).
    #[wasm_bindgen(js_name = modelScores)]
    pub fn model_scores(&self, brand: &str) -> Result<Vec<f32>, JsError> {
        let fm = self.rec.factor_model().ok_or_else(|| {
            to_js(Error::Unknown {
                what: "model in this bundle",
                name: "factorization".into(),
            })
        })?;
        let b = self.rec.brand_id(brand).ok_or_else(|| {
            to_js(Error::Unknown {
                what: "brand",
                name: brand.to_string(),
            })
        })?;
        let v = match self.folded.get(&key(brand)) {
            Some(v) => v.clone(),
            None => fm.known_user(b as usize).to_vec(),
        };
        let mut out = Vec::with_capacity(self.rec.influencers().len());
        fm.score_all(&v, &mut out);
        Ok(out)
    }

    /// Fold-in: adapts the brand's model vector (a known brand by name, or a new brand
    /// object) to the influencers it just interacted with, `steps` passes of user-side BPR
    /// steps with the items frozen. Offline, on the device. Returns how many of the names
    /// were known influencers.
    #[wasm_bindgen(js_name = foldIn)]
    pub fn fold_in(
        &mut self,
        brand: JsValue,
        influencers: Vec<String>,
        steps: u32,
    ) -> Result<u32, JsError> {
        let fm = self.rec.factor_model().ok_or_else(|| {
            to_js(Error::Unknown {
                what: "model in this bundle",
                name: "factorization".into(),
            })
        })?;
        let (name, base) = match brand_ref(brand)? {
            BrandRef::Known(name) => {
                let b = self.rec.brand_id(&name).ok_or_else(|| {
                    to_js(Error::Unknown {
                        what: "brand",
                        name: name.clone(),
                    })
                })?;
                let v = self
                    .rec
                    .brand_vector(&self.rec.brands()[b as usize], Some(b));
                (name, v)
            }
            BrandRef::New(nb) => {
                let resolved = nb.resolve(Lexicon::builtin());
                let v = self.rec.brand_vector(&resolved, None);
                (nb.name, v)
            }
        };
        let k = key(&name);
        let mut v = match self.folded.get(&k) {
            Some(v) => v.clone(),
            None => base.unwrap_or_default(),
        };
        let ids: Vec<u32> = {
            let infs = self.rec.influencers();
            let mut ids: Vec<u32> = influencers
                .iter()
                .filter_map(|n| {
                    infs.iter()
                        .position(|i| key(&i.name) == key(n))
                        .map(|p| p as u32)
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        fm.fold_in(&mut v, &ids, steps, FOLD_IN_LEARNING_RATE, random_source()?);
        self.folded.insert(k, v);
        Ok(ids.len() as u32)
    }

    /// Forgets fold-in adaptations (all brands).
    #[wasm_bindgen(js_name = resetFoldIn)]
    pub fn reset_fold_in(&mut self) {
        self.folded.clear();
    }

    /// The ranking as JSON text, exactly as the native build serialises it (for parity
    /// checks and for callers that want a string).
    #[wasm_bindgen(js_name = rankKnownJson)]
    pub fn rank_known_json(&self, brand: &str, k: usize) -> Result<String, JsError> {
        let r = self.rec.rank_known(brand, k).map_err(to_js)?;
        serde_json::to_string(&r)
            .map_err(|e| to_js(Error::malformed(Location::source("<wasm>"), e.to_string())))
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
        let infs = self.rec.influencers();
        to_value(&RankingView {
            brand: &r.brand,
            known: r.known,
            ranked_by: r.ranked_by,
            folded_in,
            recommendations: r
                .recommendations
                .iter()
                .map(|x| RecommendationView {
                    recommendation: x,
                    influencer: &infs[x.id as usize],
                })
                .collect(),
        })
    }
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

/// A LightGBM text model (v4) evaluated in the browser: the same flat trees and f64
/// accumulation as natively, so raw scores equal LightGBM's bit for bit.
#[wasm_bindgen]
pub struct Trees {
    model: crate::gbdt::FlatForest,
}

#[wasm_bindgen]
impl Trees {
    /// Parses a LightGBM text model; errors name the line and field.
    #[wasm_bindgen(js_name = fromLightgbmText)]
    pub fn from_lightgbm_text(text: &str) -> Result<Trees, JsError> {
        let model = crate::gbdt::GbdtModel::parse(text, "model.txt").map_err(to_js)?;
        Ok(Trees {
            model: model.flatten(),
        })
    }

    /// Number of feature columns a row must have.
    #[wasm_bindgen(js_name = numFeatures)]
    pub fn num_features(&self) -> usize {
        self.model.num_features()
    }

    /// Raw scores of row-major `values` (NaN is missing); its length must be a multiple of
    /// the number of features.
    #[wasm_bindgen(js_name = predictRaw)]
    pub fn predict_raw(&self, values: &[f64]) -> Result<Vec<f64>, JsError> {
        let nf = self.model.num_features().max(1);
        if values.len() % nf != 0 {
            return Err(to_js(Error::InvalidParam {
                name: "values",
                message: format!(
                    "{} values is not a whole number of {nf}-feature rows",
                    values.len()
                ),
            }));
        }
        let mut out = Vec::new();
        self.model.predict_raw_batch(values, &mut out);
        Ok(out)
    }
}
