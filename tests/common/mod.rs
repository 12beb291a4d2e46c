//! Shared by the native golden test and the in-browser wasm test, so both compute the very
//! same rankings from the same committed bundle.
#![allow(dead_code)]

use influence_rec::{Lexicon, NewBrand, RankBy, RankRequest, Ranking, Recommender, Who};

/// The new-brand queries both sides rank.
pub const NEW_BRANDS: &str = include_str!("../fixtures/new_brands.json");
/// The committed small bundle.
pub const SMALL_BUNDLE: &[u8] = include_bytes!("../fixtures/small.bundle");
/// The rankings the native build produced from it.
pub const GOLDEN_RANKINGS: &str = include_str!("../fixtures/small_rankings.json");

/// For each of rating, model and ranker: every known brand's top 10, then every new-brand
/// query's top 10 (cold start), as pretty JSON.
pub fn rankings_json(rec: &Recommender) -> String {
    let mut out: Vec<Ranking> = Vec::new();
    for by in [RankBy::Rating, RankBy::Model, RankBy::Ranker] {
        let req = RankRequest {
            by,
            ..RankRequest::default()
        };
        for b in rec.brands() {
            out.push(
                rec.rank(Who::Known(&b.name), 10, &req)
                    .expect("known brand"),
            );
        }
        let queries: Vec<NewBrand> = serde_json::from_str(NEW_BRANDS).expect("fixture parses");
        for q in &queries {
            let brand = q.resolve(Lexicon::builtin());
            out.push(rec.rank(Who::New(&brand), 10, &req).expect("new brand"));
        }
    }
    serde_json::to_string_pretty(&out).expect("serialises") + "\n"
}
