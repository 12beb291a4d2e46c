//! The WebAssembly API: the only module that knows about JavaScript. Errors become
//! `JsError` in exactly one place, [`to_js`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::bundle;
use crate::category::Lexicon;
use crate::error::{Error, Location};
use crate::model::Influencer;
use crate::rank::{NewBrand, Ranking, Recommendation, Recommender};

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
    recommendations: Vec<RecommendationView<'a>>,
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
}

#[wasm_bindgen]
impl Engine {
    /// Loads a bundle from its bytes; a truncated, corrupted or foreign file is a typed error.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<Engine, JsError> {
        let (header, b) = bundle::read(bytes, "model.bundle").map_err(to_js)?;
        let rec = Recommender::new(b).map_err(to_js)?;
        Ok(Engine { rec, header })
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

    /// Top `k` influencers for a known brand, with breakdowns and influencer records.
    #[wasm_bindgen(js_name = rankKnown)]
    pub fn rank_known(&self, brand: &str, k: usize) -> Result<JsValue, JsError> {
        let r = self.rec.rank_known(brand, k).map_err(to_js)?;
        self.view(&r)
    }

    /// Top `k` influencers for a new brand `{name, category, country, hashtags, description}`.
    #[wasm_bindgen(js_name = rankNew)]
    pub fn rank_new(&self, brand: JsValue, k: usize) -> Result<JsValue, JsError> {
        let nb: NewBrand = from_value(brand, "new brand")?;
        let r = self.rec.rank_new(&nb, Lexicon::builtin(), k);
        self.view(&r)
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
        let mut buf = [0u8; 8];
        getrandom::fill(&mut buf).map_err(|e| {
            to_js(Error::malformed(
                Location::source("getrandom"),
                e.to_string(),
            ))
        })?;
        to_value(&self.rec.pair_new_brand(&resolved, u64::from_le_bytes(buf)))
    }

    fn view(&self, r: &Ranking) -> Result<JsValue, JsError> {
        let infs = self.rec.influencers();
        to_value(&RankingView {
            brand: &r.brand,
            known: r.known,
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
