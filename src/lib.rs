//! # influence-rec
//!
//! Recommends influencers to brands. Every brand x influencer pair gets a cohesion rating
//! (category, location, shared hashtags, engagement; see [`cohesion`]); interactions (click,
//! check info, add to campaign, collaboration) add points; learned models re-rank on top.
//! A native binary trains and writes one versioned [`bundle`]; the wasm module loads it in the
//! browser and ranks there.
//!
//! Layout, dependencies pointing one way (pure core <- formats <- edges; checked by
//! `tests/architecture.rs`):
//! - pure: [`text`], [`category`], [`model`], [`cohesion`], the one in-memory dataset
//!   [`catalog`], the learned models and their trainers ([`mf`] and the product's
//!   [`factor`] recipe, [`gbdt`], [`ranker`]), ranking ([`rank`]), the device's
//!   [`session`], [`evaluation`], [`planner`];
//! - formats (readers and bytes, no paths): [`ingest`], [`tables`], [`bundle`]; the
//!   training recipe [`pipeline`] (catalog in, bundle out);
//! - edges: the CLI and HTTP server (native, `src/main.rs`, `cli`, and the collector wing:
//!   the server, its wire format, limiter, storage and retraining loop, `collector`), the wasm
//!   API (`wasm`).
//!
//! The trainers (and the training recipe and evaluation) are behind the default `trainers`
//! feature on wasm32: the page's module is built without them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
pub mod catalog;
pub mod category;
pub mod cohesion;
pub mod dates;
pub mod error;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod evaluation;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod factor;
pub mod gbdt;
pub mod ingest;
pub mod mf;
pub mod model;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub mod pipeline;
pub mod places;
pub mod plan_table;
pub mod planner;
pub mod platform;
pub mod price;
pub mod random;
pub mod rank;
pub mod ranker;
pub mod session;
pub mod sorting;
pub mod tables;
pub mod text;
pub mod topk;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod collector;
#[cfg(not(target_arch = "wasm32"))]
pub mod generate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use bundle::Bundle;
pub use catalog::Catalog;
pub use category::Lexicon;
pub use cohesion::{Breakdown, CohesionIndex, CohesionWeights};
pub use error::{Error, Location, Result};
pub use model::{Brand, Influencer, Interaction, InteractionKind, PointsConfig};
pub use rank::{
    NewBrand, RankBy, RankRequest, Ranking, Recommendation, Recommender, RelationshipRow, Who,
};
