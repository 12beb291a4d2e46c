//! The native command line: the edge where paths, terminals and sockets live. Each command
//! reads files, calls the pure core and writes files; one file per command group:
//! - [`data`]: generate, ingest, train, eval, mf-export, mf-bench;
//! - [`recommend`]: recommend, relationships, infer-category (and the table printer);
//! - [`gbdt`]: gbdt train, predict, export-ranking;
//! - [`serve`]: serve, retrain, export, copy-db (the collector loop);
//! - [`plan`]: campaign planning from a candidates CSV;
//! - [`args`]: arguments shared by several commands, defaults from the settings' `Default`;
//! - [`io`]: files, atomic publishing, CSV output.

pub mod args;
pub mod data;
pub mod gbdt;
pub mod io;
pub mod plan;
pub mod recommend;
pub mod serve;

use clap::{Parser, Subcommand};

use crate::error::Result;

pub use io::publish;

/// influence-rec: recommends influencers to brands.
#[derive(Debug, Parser)]
#[command(name = "influence-rec", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the synthetic dataset (scraped-style posts, then ingested tables, and
    /// simulated interactions) into a data folder.
    Generate(data::GenerateArgs),
    /// Import scraped per-post exports (CSV, or JSON / JSONL as scrapers write them, detected by
    /// content) and aggregate them into one profile per account.
    Ingest(data::IngestArgs),
    /// Build the model bundle from the data folder's tables.
    Train(data::TrainArgs),
    /// From a scrape to a working app: ingest the influencers' and the brands' per-post
    /// exports, train day-one models (no interactions needed) and publish the bundle.
    Init(data::InitArgs),
    /// Evaluate popularity, the cohesion rule, the factorization model, the ranker and the
    /// pipeline on a random split and a cold-start split (held-out brands) of the data
    /// folder's interactions.
    Eval(data::EvalArgs),
    /// Write a factorization data set (features, train and test positives) as CSV files for
    /// the reference-library scripts in benches/.
    MfExport(data::MfExportArgs),
    /// Train our factorization model on an exported data set and print per-epoch time and
    /// test metrics as JSON (the Rust side of benches/lightfm_bench.py).
    MfBench(data::MfBenchArgs),
    /// Rank influencers for a known brand or a new one described by its features.
    Recommend(recommend::RecommendArgs),
    /// Write the relationship table (every brand x influencer with its rating) as CSV.
    Relationships(recommend::RelationshipsArgs),
    /// Infer the category of a text with the bundled lexicon.
    InferCategory {
        /// The text.
        text: String,
    },
    /// Gradient-boosted trees (LightGBM-compatible).
    Gbdt {
        #[command(subcommand)]
        command: gbdt::GbdtCommand,
    },
    /// Serve www/ at / and pkg/ at /pkg/ (static files) and take interaction batches.
    Serve(serve::ServeArgs),
    /// Retrain from the data and the collected interactions; publish the new bundle only if it
    /// scores no worse than the published one on the newest interactions collected since the
    /// published bundle was trained (rows neither bundle learned from).
    Retrain(serve::RetrainArgs),
    /// Choose the candidates (CSV: id, cost, value) with the most value whose costs fit the
    /// budget, exactly in whole cents, and write the chosen rows as CSV.
    Plan(plan::PlanArgs),
    /// Export the collected interactions (and the relationship table of the published bundle)
    /// as CSV, for people who retrain elsewhere.
    Export(serve::ExportArgs),
    /// Copy the collected rows and new brands from one collector database to another (SQLite
    /// to PostgreSQL, or back): what was there already is kept, so it can be run again.
    CopyDb(serve::CopyDbArgs),
}

/// Runs the command line; the returned error is printed by `main`.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate(a) => data::generate(&a),
        Command::Ingest(a) => data::ingest(&a),
        Command::Train(a) => data::train(&a),
        Command::Init(a) => data::init(&a),
        Command::Eval(a) => data::eval(&a),
        Command::MfExport(a) => data::mf_export(&a),
        Command::MfBench(a) => data::mf_bench(&a),
        Command::Recommend(a) => recommend::recommend(a),
        Command::Relationships(a) => recommend::relationships(&a),
        Command::InferCategory { text } => {
            recommend::infer_category(&text);
            Ok(())
        }
        Command::Gbdt { command } => gbdt::run(command),
        Command::Serve(a) => serve::serve(a),
        Command::Retrain(a) => serve::retrain(&a),
        Command::Export(a) => serve::export(&a),
        Command::CopyDb(a) => serve::copy_db(&a),
        Command::Plan(a) => plan::plan(&a),
    }
}
