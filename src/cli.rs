//! The native command line: the edge where paths, terminals and sockets live.
//! Each subcommand reads files, calls the pure core and writes files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};

use crate::bundle;
use crate::category::Lexicon;
use crate::cohesion::CohesionWeights;
use crate::error::{Error, Result};
use crate::gbdt::train::{GbdtParams, ObjectiveKind};
use crate::generate::{self, GenerateParams};
use crate::ingest::{self, ColumnMapping};
use crate::model::PointsConfig;
use crate::pipeline::{build_bundle, BuildParams};
use crate::rank::{NewBrand, Ranking, Recommender};
use crate::tables;

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
    Generate {
        /// RNG seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Number of influencers.
        #[arg(long, default_value_t = 2400)]
        influencers: usize,
        /// Number of brands.
        #[arg(long, default_value_t = 120)]
        brands: usize,
        /// Output folder.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
    /// Import scraped per-post CSV exports and aggregate them into one profile per account.
    Ingest {
        /// Input CSV files (rows of all inputs are aggregated together).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// What the accounts are.
        #[arg(long, value_enum, default_value_t = Kind::Influencers)]
        kind: Kind,
        /// Output table (influencers.csv or brands.csv format).
        #[arg(long, short)]
        out: PathBuf,
        /// Map a canonical field onto a column: `--map followers="Follower count"`.
        /// Fields: name, followers, description, likes, post_text, location, post_location,
        /// hashtags, post_url, engagement_rate, hashtags_translated, all_descriptions,
        /// translated, category, cost_post, cost_story.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Exit with an error when any row was rejected.
        #[arg(long)]
        strict: bool,
    },
    /// Build the model bundle from the data folder's tables.
    Train {
        /// Data folder with influencers.csv, brands.csv and interactions.csv.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Output bundle.
        #[arg(long, short, default_value = "pkg/model.bundle")]
        out: PathBuf,
        /// Seed for the learned models.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        weights: WeightArgs,
        #[command(flatten)]
        factor: FactorArgs,
        /// Storage of the model's embeddings in the bundle: i8 (per-row scaled; measured test
        /// AUC change +0.0002 on the bundled data, bundle 1.01 MB -> 0.72 MB) or f32.
        #[arg(long, default_value = "i8")]
        precision: String,
        /// Leave the learned models (factorization and ranker) out of the bundle.
        #[arg(long)]
        no_model: bool,
    },
    /// Evaluate popularity, the cohesion rule and the factorization model on a random split
    /// and a cold-start split (held-out brands) of the data folder's interactions.
    Eval {
        /// Data folder with influencers.csv, brands.csv and interactions.csv.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Cut-off for precision, recall and NDCG.
        #[arg(short, default_value_t = 10)]
        k: usize,
        /// Seed of the splits and the model.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Repeat with seeds seed, seed+1, ... and print the mean of each metric.
        #[arg(long, default_value_t = 1)]
        repeat: u64,
        #[command(flatten)]
        factor: FactorArgs,
    },
    /// Write a factorization data set (features, train and test positives) as CSV files for
    /// the reference-library scripts in benches/.
    MfExport {
        /// `bundled` (the data folder) or `synthetic` (2,000 x 20,000, ~1M positives).
        #[arg(long, default_value = "bundled")]
        dataset: String,
        /// Data folder (for `bundled`).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Seed of the split (and of the synthetic data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// `random` (80/20 of the positives) or `cold-start` (20 % of the brands held out
        /// whole, scored from content features only).
        #[arg(long, default_value = "random")]
        split: String,
        /// Output folder.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Train our factorization model on an exported data set and print per-epoch time and
    /// test metrics as JSON (the Rust side of benches/lightfm_bench.py).
    MfBench {
        /// Folder written by `mf-export`.
        #[arg(long)]
        input: PathBuf,
        #[command(flatten)]
        factor: FactorArgs,
        /// Seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Rank influencers for a known brand or a new one described by its features.
    Recommend {
        /// Bundle to load.
        #[arg(long, default_value = "pkg/model.bundle")]
        bundle: PathBuf,
        /// A known brand's name.
        #[arg(long, conflicts_with_all = ["name", "category", "country", "hashtags", "description"])]
        brand: Option<String>,
        /// New brand: name.
        #[arg(long)]
        name: Option<String>,
        /// New brand: category (name or slug; inferred from the description when absent).
        #[arg(long)]
        category: Option<String>,
        /// New brand: country.
        #[arg(long)]
        country: Option<String>,
        /// New brand: hashtags ("#a #b" or "a, b").
        #[arg(long)]
        hashtags: Option<String>,
        /// New brand: free-text description.
        #[arg(long)]
        description: Option<String>,
        /// How many influencers.
        #[arg(short, default_value_t = 10)]
        k: usize,
        /// Seed for the random pairing of a new brand.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// New brand: append it to this brands.csv so the data grows.
        #[arg(long)]
        save_to: Option<PathBuf>,
        /// Order by `rating` (cohesion + interactions) or `model` (factorization).
        #[arg(long, default_value = "rating")]
        by: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write the relationship table (every brand x influencer with its rating) as CSV.
    Relationships {
        /// Bundle to load.
        #[arg(long, default_value = "pkg/model.bundle")]
        bundle: PathBuf,
        /// Output CSV.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Infer the category of a text with the bundled lexicon.
    InferCategory {
        /// The text.
        text: String,
    },
    /// Gradient-boosted trees (LightGBM-compatible).
    Gbdt {
        #[command(subcommand)]
        command: GbdtCommand,
    },
    /// Serve www/ at / and pkg/ at /pkg/ (static files) on a local address.
    Serve {
        /// Repository root holding www/ and pkg/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The collector's SQLite database (created if absent).
        #[arg(long, default_value = "collector.db")]
        db: PathBuf,
        /// An origin allowed to post batches from another site (CORS), e.g.
        /// https://partner.example; repeatable. None: same origin only.
        #[arg(long = "allow-origin")]
        allow_origin: Vec<String>,
        /// Largest batch body in bytes; larger gets 413.
        #[arg(long, default_value_t = 1 << 20)]
        max_body: usize,
    },
    /// Retrain from the data and the collected interactions; publish the new bundle only if it
    /// scores no worse than the published one on the newest collected interactions.
    Retrain(RetrainArgs),
    /// Export the collected interactions (and the relationship table of the published bundle)
    /// as CSV, for people who retrain elsewhere.
    Export {
        /// The collector's database.
        #[arg(long, default_value = "collector.db")]
        db: PathBuf,
        /// Bundle whose relationship table to write.
        #[arg(long, default_value = "pkg/model.bundle")]
        bundle: PathBuf,
        /// Output folder (interactions.csv, brands.csv, relationships.csv).
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum GbdtCommand {
    /// Train on a CSV with a header (one label column, every other column a feature; empty
    /// cells and `nan` are missing) and write a LightGBM text model.
    Train {
        /// Training CSV.
        #[arg(long)]
        input: PathBuf,
        /// Validation CSV (same columns) for the metric and early stopping.
        #[arg(long)]
        valid: Option<PathBuf>,
        /// Name of the label column.
        #[arg(long, default_value = "label")]
        label: String,
        /// Name of the query-id column (lambdarank; consecutive rows with one id are a query).
        #[arg(long)]
        group_column: Option<String>,
        #[command(flatten)]
        params: GbdtArgs,
        /// Output model (LightGBM text format).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Print one prediction a line for each row of a CSV of feature values (a header line is
    /// skipped; empty cells and `nan` are missing), from a LightGBM text model.
    Predict {
        /// LightGBM text model (v4).
        #[arg(long)]
        model: PathBuf,
        /// CSV of feature values, one row per line.
        #[arg(long)]
        input: PathBuf,
        /// Print raw scores instead of transformed outputs.
        #[arg(long)]
        raw: bool,
    },
    /// Write the ranker's training and validation tables (query column `brand`, graded
    /// `label`, the pair features) as CSV, for benches/gbdt_bench.py and LightGBM users.
    ExportRanking {
        /// Data folder with influencers.csv, brands.csv and interactions.csv.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Output folder (ranking_train.csv, ranking_valid.csv).
        #[arg(long)]
        out: PathBuf,
        /// Seed of the splits and the factorization model.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        factor: FactorArgs,
    },
}

/// LightGBM parameters on the command line (defaults from [`GbdtParams::default`]).
#[derive(Debug, Args)]
struct GbdtArgs {
    /// regression, binary or lambdarank.
    #[arg(long, default_value = "regression")]
    objective: String,
    /// Boosting rounds.
    #[arg(long, default_value_t = 100)]
    num_iterations: u32,
    /// Leaves per tree.
    #[arg(long, default_value_t = 31)]
    num_leaves: u32,
    /// Shrinkage.
    #[arg(long, default_value_t = 0.1)]
    learning_rate: f64,
    /// Maximum depth (<= 0: none).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    max_depth: i32,
    /// Minimum rows per leaf.
    #[arg(long, default_value_t = 20)]
    min_data_in_leaf: u32,
    /// Fraction of features per tree.
    #[arg(long, default_value_t = 1.0)]
    feature_fraction: f64,
    /// Fraction of rows per bag.
    #[arg(long, default_value_t = 1.0)]
    bagging_fraction: f64,
    /// Re-draw the bag every this many rounds (0: no bagging).
    #[arg(long, default_value_t = 0)]
    bagging_freq: u32,
    /// Rounds without validation improvement before stopping (0: never).
    #[arg(long, default_value_t = 0)]
    early_stopping_round: u32,
    /// Threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    num_threads: u32,
    /// Seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl GbdtArgs {
    fn params(&self) -> Result<GbdtParams> {
        let objective =
            ObjectiveKind::parse(&self.objective).ok_or_else(|| Error::InvalidParam {
                name: "objective",
                message: format!(
                    "{:?}: expected regression, binary or lambdarank",
                    self.objective
                ),
            })?;
        let p = GbdtParams {
            objective,
            num_iterations: self.num_iterations,
            num_leaves: self.num_leaves,
            learning_rate: self.learning_rate,
            max_depth: self.max_depth,
            min_data_in_leaf: self.min_data_in_leaf,
            feature_fraction: self.feature_fraction,
            bagging_fraction: self.bagging_fraction,
            bagging_freq: self.bagging_freq,
            early_stopping_round: self.early_stopping_round,
            num_threads: self.num_threads,
            seed: self.seed,
            ..Default::default()
        };
        p.validate()?;
        Ok(p)
    }
}

/// A training table read from CSV: feature names, row-major values, labels, query sizes.
struct GbdtTable {
    names: Vec<String>,
    x: Vec<f64>,
    y: Vec<f64>,
    group: Vec<u32>,
}

fn data(t: &GbdtTable) -> crate::gbdt::train::Dataset<'_> {
    crate::gbdt::train::Dataset {
        x: &t.x,
        n_features: t.names.len(),
        y: &t.y,
        group: &t.group,
    }
}

/// Reads a CSV with a header: the label column, an optional query-id column, and every other
/// column a feature (empty cells and `nan` are missing). Errors name file, line and column.
fn read_gbdt_csv(path: &Path, label: &str, group_column: Option<&str>) -> Result<GbdtTable> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let src = path.display().to_string();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .collect();
    let column = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| {
            Error::malformed(
                crate::error::Location::source(src.clone()).at_line(1),
                format!("no column {name:?}"),
            )
        })
    };
    let li = column(label)?;
    let gi = group_column.map(column).transpose()?;
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != li && Some(*j) != gi)
        .map(|(_, h)| h.to_string())
        .collect();
    let mut t = GbdtTable {
        names,
        x: Vec::new(),
        y: Vec::new(),
        group: Vec::new(),
    };
    let mut last_query: Option<String> = None;
    for (i, line) in lines.enumerate() {
        let at = crate::error::Location::source(src.clone()).at_line(i as u64 + 2);
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err(Error::malformed(
                at,
                format!("expected {} fields, found {}", header.len(), cells.len()),
            ));
        }
        for (j, c) in cells.iter().enumerate() {
            if Some(j) == gi {
                if last_query.as_deref() == Some(*c) {
                    if let Some(g) = t.group.last_mut() {
                        *g += 1;
                    }
                } else {
                    t.group.push(1);
                    last_query = Some(c.to_string());
                }
                continue;
            }
            // Features may be missing; the label must be a finite number.
            let v = if j == li {
                c.parse::<f64>().ok().filter(|v| v.is_finite())
            } else {
                feature_value(c)
            };
            let v = v.ok_or_else(|| {
                Error::parse(at.clone().field(header[j].to_string()), "a number", *c)
            })?;
            if j == li {
                t.y.push(v)
            } else {
                t.x.push(v)
            }
        }
    }
    Ok(t)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Influencers,
    Brands,
}

/// What `retrain` is asked to do.
#[derive(Debug, Args)]
struct RetrainArgs {
    /// Data folder (the scraped tables and the original interactions).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The collector's database.
    #[arg(long, default_value = "collector.db")]
    db: PathBuf,
    /// The published bundle (compared with, and replaced).
    #[arg(long, default_value = "pkg/model.bundle")]
    out: PathBuf,
    /// Fraction of the newest collected interactions held out for the comparison.
    #[arg(long, default_value_t = 0.2)]
    holdout: f64,
    /// List length of the comparison (NDCG@k).
    #[arg(long, short, default_value_t = 10)]
    k: usize,
    /// Seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Publish even when the new bundle scores worse.
    #[arg(long)]
    force: bool,
    /// The factorization trainer's state, kept between retrains for warm starts
    /// (default: beside the database, `<db>.trainer`).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Epochs of `fit_partial` on a warm start.
    #[arg(long, default_value_t = 10)]
    warm_epochs: u32,
}

#[derive(Debug, Args)]
struct FactorArgs {
    /// Factorization loss: logistic, bpr, warp or warp-kos.
    #[arg(long, default_value = "warp")]
    loss: String,
    /// Embedding dimension.
    #[arg(long, default_value_t = 32)]
    no_components: u32,
    /// Training epochs.
    #[arg(long, default_value_t = 30)]
    epochs: u32,
    /// Adagrad learning rate.
    #[arg(long, default_value_t = 0.05)]
    learning_rate: f32,
    /// Training threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// How several threads train: merge (per-thread copies, deterministic) or hogwild.
    #[arg(long, default_value = "merge")]
    parallel: String,
}

impl FactorArgs {
    fn settings(&self, seed: u64) -> Result<crate::mf::experiment::FactorSettings> {
        let loss = crate::mf::Loss::parse(&self.loss).ok_or_else(|| Error::InvalidParam {
            name: "loss",
            message: format!(
                "unknown loss {:?} (logistic, bpr, warp, warp-kos)",
                self.loss
            ),
        })?;
        let d = crate::mf::experiment::FactorSettings::default();
        Ok(crate::mf::experiment::FactorSettings {
            params: crate::mf::LightFmParams {
                loss,
                no_components: self.no_components,
                learning_rate: self.learning_rate,
                random_state: seed,
                ..d.params
            },
            epochs: self.epochs,
            num_threads: self.threads,
            ..d
        })
    }
}

#[derive(Debug, Args)]
struct WeightArgs {
    /// Cohesion points for the same category.
    #[arg(long, default_value_t = CohesionWeights::default().category)]
    w_category: f64,
    /// Cohesion points for the same country.
    #[arg(long, default_value_t = CohesionWeights::default().location)]
    w_location: f64,
    /// Cohesion points per shared hashtag.
    #[arg(long, default_value_t = CohesionWeights::default().hashtag)]
    w_hashtag: f64,
    /// Multiplier of the engagement rate.
    #[arg(long, default_value_t = CohesionWeights::default().engagement)]
    w_engagement: f64,
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| Error::io(path, e))
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| Error::io(path, e))
}

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn report_rejects(errors: &[Error]) {
    for e in errors.iter().take(50) {
        eprintln!("rejected: {e}");
    }
    if errors.len() > 50 {
        eprintln!("... and {} more rejected rows", errors.len() - 50);
    }
}

/// Runs the command line; the returned error is printed by `main`.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate {
            seed,
            influencers,
            brands,
            out,
        } => {
            let params = GenerateParams {
                seed,
                influencers,
                brands,
                ..Default::default()
            };
            let pb = spinner("generating dataset");
            let d = generate::generate(&params, Lexicon::builtin())?;
            let raw = out.join("raw");
            let inf_posts = raw.join("influencer_posts.csv");
            let brand_posts = raw.join("brand_posts.csv");
            generate::write_posts(
                create(&inf_posts)?,
                &inf_posts.display().to_string(),
                &d.influencer_posts,
            )?;
            generate::write_posts(
                create(&brand_posts)?,
                &brand_posts.display().to_string(),
                &d.brand_posts,
            )?;
            let ix = out.join("interactions.csv");
            tables::write_interactions(create(&ix)?, &ix.display().to_string(), &d.interactions)?;
            pb.finish_and_clear();
            println!(
                "generated {} influencers ({} post rows), {} brands ({} post rows), {} interactions (seed {seed})",
                d.influencers.len(),
                d.influencer_posts.len(),
                d.brands.len(),
                d.brand_posts.len(),
                d.interactions.len()
            );
            ingest_files(
                &[inf_posts],
                Kind::Influencers,
                &out.join("influencers.csv"),
                &[],
                false,
            )?;
            ingest_files(
                &[brand_posts],
                Kind::Brands,
                &out.join("brands.csv"),
                &[],
                false,
            )
        }
        Command::Ingest {
            inputs,
            kind,
            out,
            map,
            strict,
        } => ingest_files(&inputs, kind, &out, &map, strict),
        Command::Train {
            data,
            out,
            seed,
            weights,
            factor,
            precision,
            no_model,
        } => {
            let params = BuildParams {
                weights: CohesionWeights {
                    category: weights.w_category,
                    location: weights.w_location,
                    hashtag: weights.w_hashtag,
                    engagement: weights.w_engagement,
                },
                points: PointsConfig::default(),
                seed,
            };
            let precision = match precision.as_str() {
                "f32" => crate::mf::model::Precision::F32,
                "i8" => crate::mf::model::Precision::I8,
                other => {
                    return Err(Error::InvalidParam {
                        name: "precision",
                        message: format!("{other:?}: expected f32 or i8"),
                    })
                }
            };
            let settings = factor.settings(seed)?;
            let pb = spinner("training");
            let mut b = bundle_from_folder(&data, &params)?;
            let mut ranker_report = None;
            if !no_model {
                crate::mf::experiment::attach_factor_model(&mut b, &settings, precision)?;
                let rs = crate::ranker::train::RankerSettings {
                    seed,
                    ..Default::default()
                };
                ranker_report = Some(crate::ranker::train::attach_ranker(
                    &mut b,
                    Some(&settings),
                    &rs,
                )?);
            }
            let bytes = bundle::write(&b)?;
            let top = Recommender::new(b.clone())?.top_lists(TOP_LIST_K);
            publish(&out, &bytes, &top)?;
            pb.finish_and_clear();
            if let Some(f) = &b.factor {
                println!(
                    "factorization model: {:?} loss, d = {}, {} epochs, {precision:?} storage",
                    settings.params.loss, f.no_components, settings.epochs
                );
            }
            if let Some(r) = ranker_report {
                println!(
                    "ranker: lambdarank GBDT, {} trees, {} training rows in {} brand queries, validation NDCG@10 {:.4} ({} rows)",
                    r.rounds, r.train_rows, r.train_queries, r.valid_ndcg, r.valid_rows
                );
            }
            println!(
                "wrote {} ({} bytes, format v{}, {}): {} influencers, {} brands, {} interactions, {} brand x influencer pairs",
                out.display(),
                bytes.len(),
                bundle::FORMAT_VERSION,
                bundle::WRITER,
                b.influencers.len(),
                b.brands.len(),
                b.meta.interactions,
                b.influencers.len() * b.brands.len()
            );
            Ok(())
        }
        Command::Eval {
            data,
            k,
            seed,
            repeat,
            factor,
        } => {
            let settings = factor.settings(seed)?;
            let pb = spinner("evaluating (training one factorization model per split)");
            let b = bundle_from_folder(&data, &BuildParams::default())?;
            let rs = crate::ranker::train::RankerSettings {
                seed,
                ..Default::default()
            };
            let seeds: Vec<u64> = (seed..seed.saturating_add(repeat.max(1))).collect();
            let rows = crate::evaluation::evaluate_seeds(&b, &settings, Some(&rs), k, &seeds)?;
            pb.finish_and_clear();
            if seeds.len() > 1 {
                println!(
                    "mean over {} seeds ({}..={}); users per split",
                    seeds.len(),
                    seed,
                    seeds[seeds.len() - 1]
                );
            }
            println!(
                "{:<34} {:<11} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}",
                "model",
                "split",
                format!("P@{k}"),
                format!("R@{k}"),
                "AUC",
                "MRR",
                format!("NDCG@{k}"),
                "users"
            );
            for r in rows {
                let m = r.metrics;
                println!(
                    "{:<34} {:<11} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>6}",
                    r.model,
                    r.split,
                    m.precision_at_k,
                    m.recall_at_k,
                    m.auc,
                    m.reciprocal_rank,
                    m.ndcg_at_k,
                    m.users
                );
            }
            Ok(())
        }
        Command::MfExport {
            dataset,
            data,
            seed,
            split,
            out,
        } => {
            let kind = match split.as_str() {
                "random" => crate::mf::experiment::SplitKind::Random,
                "cold-start" => crate::mf::experiment::SplitKind::ColdStart,
                other => {
                    return Err(Error::InvalidParam {
                        name: "split",
                        message: format!("{other:?}: expected random or cold-start"),
                    })
                }
            };
            let ds = match dataset.as_str() {
                "bundled" => crate::mf::experiment::bundled_dataset(
                    &bundle_from_folder(&data, &BuildParams::default())?,
                    1.0,
                    seed,
                    kind,
                )?,
                "synthetic" => {
                    let pb = spinner("generating 2,000 x 20,000 synthetic interactions");
                    let ds = crate::mf::experiment::synthetic_dataset(
                        &crate::mf::synthetic::SyntheticParams {
                            seed,
                            ..Default::default()
                        },
                        kind,
                    )?;
                    pb.finish_and_clear();
                    ds
                }
                other => {
                    return Err(Error::InvalidParam {
                        name: "dataset",
                        message: format!("{other:?}: expected bundled or synthetic"),
                    })
                }
            };
            crate::cli::mf_files::write(&out, &ds)?;
            println!(
                "wrote {} ({} users, {} items, {} train and {} test positives)",
                out.display(),
                ds.user_features.rows,
                ds.item_features.rows,
                ds.train.len(),
                ds.test.len()
            );
            Ok(())
        }
        Command::MfBench {
            input,
            factor,
            seed,
        } => {
            let ds = crate::cli::mf_files::read(&input)?;
            let settings = factor.settings(seed)?;
            let ix = crate::mf::data::interactions(
                ds.user_features.rows,
                ds.item_features.rows,
                &ds.train,
            );
            let data = crate::mf::TrainData {
                interactions: &ix,
                user_features: &ds.user_features,
                item_features: &ds.item_features,
                sample_weight: None,
            };
            let mut m = crate::mf::LightFm::new(settings.params.clone())?;
            m.parallelism = match factor.parallel.as_str() {
                "merge" => crate::mf::Parallelism::Merge,
                "hogwild" => crate::mf::Parallelism::Hogwild,
                other => {
                    return Err(Error::InvalidParam {
                        name: "parallel",
                        message: format!("{other:?}: expected merge or hogwild"),
                    })
                }
            };
            let mut times = Vec::new();
            for _ in 0..settings.epochs {
                let t = std::time::Instant::now();
                m.fit_partial(data, 1, settings.num_threads)?;
                times.push(t.elapsed().as_secs_f64());
            }
            let metrics = crate::mf::experiment::score_dataset(&m, &ds, 10)?;
            let out = serde_json::json!({ "epoch_seconds": times, "auc": metrics.auc, "precision_at_10": metrics.precision_at_k, "threads": settings.num_threads, "loss": factor.loss });
            println!("{out}");
            Ok(())
        }
        Command::Recommend {
            bundle: path,
            brand,
            name,
            category,
            country,
            hashtags,
            description,
            k,
            seed,
            save_to,
            by,
            json,
        } => {
            let by = crate::rank::RankBy::parse(&by).ok_or_else(|| Error::InvalidParam {
                name: "by",
                message: format!("{by:?}: expected rating or model"),
            })?;
            let rec = load(&path)?;
            let ranking = match brand {
                Some(b) => rec.rank_known_by(&b, k, by, None)?,
                None => {
                    let nb = NewBrand {
                        name: name.unwrap_or_else(|| "new brand".into()),
                        category: category.unwrap_or_default(),
                        country: country.unwrap_or_default(),
                        hashtags: hashtags.unwrap_or_default(),
                        description: description.unwrap_or_default(),
                    };
                    let ranking = rec.rank_new_by(&nb, Lexicon::builtin(), k, by, None);
                    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                    if let Some(row) = rec.pair_new_brand(&ranking.brand, rng.random()) {
                        eprintln!(
                            "new row: {} x {} (cohesion {:.3})",
                            row.brand, row.influencer, row.cohesion
                        );
                    }
                    if let Some(path) = save_to {
                        append_brand(&path, &ranking.brand)?;
                        eprintln!("appended {:?} to {}", ranking.brand.name, path.display());
                    }
                    ranking
                }
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&ranking).map_err(|e| Error::malformed(
                        crate::error::Location::source("<stdout>"),
                        e.to_string()
                    ))?
                );
            } else {
                print_ranking(&ranking);
            }
            Ok(())
        }
        Command::Relationships { bundle: path, out } => {
            let rec = load(&path)?;
            let pb = ProgressBar::new((rec.brands().len() * rec.influencers().len()) as u64);
            let n = write_relationships(&rec, &out, |n| {
                if n % 4096 == 0 {
                    pb.set_position(n);
                }
            })?;
            pb.finish_and_clear();
            println!("wrote {n} rows to {}", out.display());
            Ok(())
        }
        Command::InferCategory { text } => {
            match Lexicon::builtin().infer(&text) {
                Some(i) => println!("{} ({} keyword hits)", i.slug, i.hits),
                None => println!("(no category: no keyword hits)"),
            }
            Ok(())
        }
        Command::Gbdt {
            command:
                GbdtCommand::Train {
                    input,
                    valid,
                    label,
                    group_column,
                    params,
                    out,
                },
        } => {
            let p = params.params()?;
            let t = read_gbdt_csv(&input, &label, group_column.as_deref())?;
            let v = valid
                .as_deref()
                .map(|v| read_gbdt_csv(v, &label, group_column.as_deref()))
                .transpose()?;
            let pb = spinner("training gradient-boosted trees");
            let started = std::time::Instant::now();
            let vd = v.as_ref().map(data);
            let fitted = crate::gbdt::train::fit(&data(&t), vd.as_ref(), &p)?;
            let seconds = started.elapsed().as_secs_f64();
            pb.finish_and_clear();
            let mut m = fitted.model;
            m.feature_names = t.names.clone();
            std::fs::write(&out, m.to_lightgbm_text()).map_err(|e| Error::io(&out, e))?;
            println!(
                "wrote {} ({} trees, {} rows, {} features)",
                out.display(),
                m.trees.len(),
                t.y.len(),
                m.num_features
            );
            if let (Some(last), Some(_)) = (fitted.valid_metric.last(), &v) {
                println!(
                    "validation {}: {last:.6} after {} rounds{}",
                    match p.objective {
                        ObjectiveKind::Regression => "rmse".to_string(),
                        ObjectiveKind::Binary => "logloss".to_string(),
                        ObjectiveKind::LambdaRank => format!("ndcg@{}", p.eval_at),
                    },
                    fitted.valid_metric.len(),
                    fitted
                        .best_iteration
                        .map_or(String::new(), |b| format!(", best round {b}")),
                );
            }
            // Machine-readable timing for benches/gbdt_bench.py (training only, no CSV I/O).
            eprintln!("train_seconds={seconds:.6}");
            Ok(())
        }
        Command::Gbdt {
            command: GbdtCommand::Predict { model, input, raw },
        } => {
            let text = std::fs::read_to_string(&model).map_err(|e| Error::io(&model, e))?;
            let m = crate::gbdt::GbdtModel::parse(&text, &model.display().to_string())?;
            let rows = std::fs::read_to_string(&input).map_err(|e| Error::io(&input, e))?;
            let src = input.display().to_string();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut x = Vec::new();
            for (i, line) in rows.lines().enumerate() {
                let at = crate::error::Location::source(src.clone()).at_line(i as u64 + 1);
                let cells: Vec<&str> = line.split(',').map(str::trim).collect();
                let parsed: std::result::Result<Vec<f64>, usize> = cells
                    .iter()
                    .enumerate()
                    .map(|(j, c)| feature_value(c).ok_or(j))
                    .collect();
                let row = match parsed {
                    Ok(r) => r,
                    // A first line that is not numbers is a header.
                    Err(_) if i == 0 => continue,
                    Err(j) => {
                        return Err(Error::parse(
                            at.field(format!("column {}", j + 1)),
                            "a number or an empty cell",
                            cells[j],
                        ))
                    }
                };
                if row.len() != m.num_features {
                    return Err(Error::malformed(
                        at,
                        format!("expected {} features, found {}", m.num_features, row.len()),
                    ));
                }
                x.extend(row);
            }
            // Time the trees alone (no CSV parsing, no printing) for benches/gbdt_bench.py.
            let flat = m.flatten();
            let started = std::time::Instant::now();
            let mut preds = Vec::new();
            flat.predict_raw_batch(&x, &mut preds);
            if !raw {
                for p in &mut preds {
                    *p = m.transform(*p);
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            for v in &preds {
                writeln!(out, "{v:?}").map_err(|e| Error::io("<stdout>", e))?;
            }
            out.flush().map_err(|e| Error::io("<stdout>", e))?;
            eprintln!("predict_seconds={seconds:.6} rows={}", preds.len());
            Ok(())
        }
        Command::Gbdt {
            command:
                GbdtCommand::ExportRanking {
                    data,
                    out,
                    seed,
                    factor,
                },
        } => {
            let b = bundle_from_folder(&data, &BuildParams::default())?;
            let f = crate::mf::experiment::features(&b)?;
            let fs = factor.settings(seed)?;
            let positives =
                crate::mf::data::positives(&crate::mf::experiment::pair_points(&b), fs.min_points);
            let rs = crate::ranker::train::RankerSettings {
                seed,
                ..Default::default()
            };
            let pb = spinner("building ranking features");
            let (train, valid) =
                crate::ranker::train::ranking_tables(&b, &f, &positives, Some(&fs), &rs)?;
            pb.finish_and_clear();
            std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
            for (name, t) in [("ranking_train.csv", &train), ("ranking_valid.csv", &valid)] {
                let path = out.join(name);
                let mut w = BufWriter::new(create(&path)?);
                let mut text = String::from("brand,label");
                for f in crate::ranker::FEATURE_NAMES {
                    text.push(',');
                    text.push_str(f);
                }
                text.push('\n');
                for (r, row) in t.x.chunks_exact(crate::ranker::NUM_FEATURES).enumerate() {
                    text.push_str(&format!("{},{}", t.pairs[r].0, t.y[r]));
                    for v in row {
                        if v.is_nan() {
                            text.push(',');
                        } else {
                            text.push_str(&format!(",{v:?}"));
                        }
                    }
                    text.push('\n');
                    if text.len() > 1 << 20 {
                        w.write_all(text.as_bytes())
                            .map_err(|e| Error::io(&path, e))?;
                        text.clear();
                    }
                }
                w.write_all(text.as_bytes())
                    .and_then(|_| w.flush())
                    .map_err(|e| Error::io(&path, e))?;
                println!(
                    "wrote {} ({} rows, {} brand queries)",
                    path.display(),
                    t.y.len(),
                    t.group.len()
                );
            }
            Ok(())
        }
        Command::Serve {
            root,
            addr,
            db,
            allow_origin,
            max_body,
        } => crate::collector::serve(&crate::collector::ServeOptions {
            root,
            addr,
            db,
            allow_origins: allow_origin,
            max_body,
        }),
        Command::Retrain(a) => retrain(&a),
        Command::Export { db, bundle, out } => export(&db, &bundle, &out),
    }
}

/// Reads the three tables of a data folder (reporting rejected rows) into a bundle.
fn bundle_from_folder(data: &Path, params: &BuildParams) -> Result<crate::bundle::Bundle> {
    let (influencers, brands, interactions) = read_tables(data)?;
    let (b, report) = build_bundle(influencers, brands, &interactions, params)?;
    report_rejects(&report.skipped);
    Ok(b)
}

/// A feature cell of the GBDT CSVs: empty, `nan` or `na` is missing (NaN), otherwise a
/// finite number; `None` for anything else.
fn feature_value(cell: &str) -> Option<f64> {
    match cell.to_ascii_lowercase().as_str() {
        "" | "nan" | "na" => Some(f64::NAN),
        t => t.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

fn load(path: &Path) -> Result<Recommender> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (_, b) = bundle::read(&bytes, &path.display().to_string())?;
    Recommender::new(b)
}

fn append_brand(path: &Path, brand: &crate::model::Brand) -> Result<()> {
    let (mut brands, errors) = tables::read_brands(open(path)?, &path.display().to_string())?;
    report_rejects(&errors);
    let k = crate::text::key(&brand.name);
    if brands.iter().any(|b| crate::text::key(&b.name) == k) {
        return Err(Error::InvalidParam {
            name: "name",
            message: format!("brand {:?} is already in {}", brand.name, path.display()),
        });
    }
    brands.push(brand.clone());
    // Write to a sibling file first so an interrupted write loses nothing.
    let tmp = path.with_extension("csv.tmp");
    let mut w = create(&tmp)?;
    tables::write_brands(&mut w, &tmp.display().to_string(), &brands)?;
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn print_ranking(r: &Ranking) {
    println!(
        "{} brand {:?} (category {}, country {}, hashtags {})",
        if r.known { "known" } else { "new" },
        r.brand.name,
        if r.brand.category.is_empty() {
            "?"
        } else {
            &r.brand.category
        },
        if r.brand.country.is_empty() {
            "?"
        } else {
            &r.brand.country
        },
        r.brand
            .hashtags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("{:>4}  {:<28} {:>8}  why", "rank", "influencer", "score");
    for x in &r.recommendations {
        let c = &x.cohesion;
        let mut why = Vec::new();
        if let Some(cat) = &c.category {
            why.push(format!("category {cat} +{}", c.category_points));
        }
        if let Some(loc) = &c.location {
            why.push(format!("location {loc} +{}", c.location_points));
        }
        if !c.shared_hashtags.is_empty() {
            why.push(format!(
                "hashtags {} +{}",
                c.shared_hashtags
                    .iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                c.hashtag_points
            ));
        }
        why.push(format!(
            "engagement {:.2}% +{:.3}",
            c.engagement_rate * 100.0,
            c.engagement_points
        ));
        if x.interaction_points != 0.0 {
            why.push(format!("interactions +{}", x.interaction_points));
        }
        println!(
            "{:>4}  {:<28} {:>8.3}  {}",
            x.rank,
            x.name,
            x.score,
            why.join(", ")
        );
    }
}

fn ingest_files(
    inputs: &[PathBuf],
    kind: Kind,
    out: &Path,
    map: &[String],
    strict: bool,
) -> Result<()> {
    let mapping = ColumnMapping::parse(map)?;
    let mut profiles = Vec::new();
    let mut errors = Vec::new();
    let (mut read, mut accepted) = (0, 0);
    for input in inputs {
        let (p, report) = ingest::ingest(
            open(input)?,
            &input.display().to_string(),
            &mapping,
            Lexicon::builtin(),
        )?;
        for n in &report.notes {
            eprintln!("note: {n}");
        }
        read += report.rows_read;
        accepted += report.rows_accepted;
        errors.extend(report.errors);
        profiles.extend(p);
    }
    report_rejects(&errors);
    let dest = out.display().to_string();
    let n = match kind {
        Kind::Influencers => {
            let rows: Vec<_> = profiles.into_iter().map(|p| p.influencer).collect();
            tables::write_influencers(create(out)?, &dest, &rows)?;
            rows.len()
        }
        Kind::Brands => {
            let rows: Vec<_> = profiles.into_iter().map(|p| p.into_brand()).collect();
            tables::write_brands(create(out)?, &dest, &rows)?;
            rows.len()
        }
    };
    println!(
        "ingested {read} rows: {accepted} accepted, {} rejected -> {n} profiles in {dest}",
        errors.len()
    );
    if strict && !errors.is_empty() {
        return Err(Error::InvalidParam {
            name: "strict",
            message: format!("{} rows were rejected", errors.len()),
        });
    }
    Ok(())
}

/// Serves `root/www` at `/` and `root/pkg` at `/pkg/` until interrupted.
/// The three tables of a data folder (rejected rows reported).
fn read_tables(
    data: &Path,
) -> Result<(
    Vec<crate::model::Influencer>,
    Vec<crate::model::Brand>,
    Vec<crate::model::Interaction>,
)> {
    let read = |name: &str| -> Result<(BufReader<File>, String)> {
        let p = data.join(name);
        Ok((open(&p)?, p.display().to_string()))
    };
    let (r, n) = read("influencers.csv")?;
    let (influencers, e1) = tables::read_influencers(r, &n)?;
    let (r, n) = read("brands.csv")?;
    let (brands, e2) = tables::read_brands(r, &n)?;
    let (r, n) = read("interactions.csv")?;
    let (interactions, e3) = tables::read_interactions(r, &n)?;
    for e in [e1, e2, e3] {
        report_rejects(&e);
    }
    Ok((influencers, brands, interactions))
}

/// The data plus collected `rows`, trained into a bundle with both learned models.
fn train_with(
    tables: &(
        Vec<crate::model::Influencer>,
        Vec<crate::model::Brand>,
        Vec<crate::model::Interaction>,
    ),
    profiles: &[crate::sync::BrandProfile],
    rows: &[crate::sync::Row],
    seed: u64,
    warm: Option<&crate::mf::experiment::WarmStart>,
    warm_epochs: u32,
) -> Result<(
    crate::bundle::Bundle,
    crate::mf::experiment::WarmStart,
    crate::mf::experiment::Fit,
)> {
    let (influencers, mut brands, mut interactions) = tables.clone();
    crate::retrain::merge(
        &mut brands,
        &mut interactions,
        profiles,
        rows,
        Lexicon::builtin(),
    );
    let params = BuildParams {
        seed,
        ..BuildParams::default()
    };
    let (mut b, report) = build_bundle(influencers, brands, &interactions, &params)?;
    report_rejects(&report.skipped);
    // The settings `train` uses by default (FactorArgs' defaults are these).
    let d = crate::mf::experiment::FactorSettings::default();
    let settings = crate::mf::experiment::FactorSettings {
        params: crate::mf::LightFmParams {
            random_state: seed,
            ..d.params
        },
        ..d
    };
    let (state, fit) = crate::mf::experiment::attach_factor_model_from(
        &mut b,
        &settings,
        crate::mf::model::Precision::I8,
        warm,
        warm_epochs,
    )?;
    let rs = crate::ranker::train::RankerSettings {
        seed,
        ..Default::default()
    };
    crate::ranker::train::attach_ranker(&mut b, Some(&settings), &rs)?;
    Ok((b, state, fit))
}

fn retrain(a: &RetrainArgs) -> Result<()> {
    let (data, db, out, holdout, k, seed) = (&a.data, &a.db, &a.out, a.holdout, a.k, a.seed);
    let state_path = a.state.clone().unwrap_or_else(|| {
        let mut p = db.as_os_str().to_owned();
        p.push(".trainer");
        PathBuf::from(p)
    });
    if !(holdout > 0.0 && holdout < 1.0) {
        return Err(Error::InvalidParam {
            name: "holdout",
            message: format!("must be between 0 and 1 (exclusive), got {holdout}"),
        });
    }
    let (rows, profiles) = {
        let db = crate::collector::Db::open(db)?;
        let rows: Vec<crate::sync::Row> = db.rows()?.into_iter().map(|s| s.row).collect();
        (rows, db.brands()?)
    };
    let tables = read_tables(data)?;
    let (train_rows, held) = crate::retrain::hold_out(&rows, holdout);
    println!(
        "collected: {} rows ({} new brands); holding out the newest {} interactions",
        rows.len(),
        profiles.len(),
        held.len()
    );
    let previous = match std::fs::read(out) {
        Ok(bytes) => Some(Recommender::new(
            bundle::read(&bytes, &out.display().to_string())?.1,
        )?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(out, e)),
    };
    let warm = match std::fs::read(&state_path) {
        Ok(bytes) => Some(bundle::read_trainer_state(&bytes, &state_path.display().to_string())?.1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&state_path, e)),
    };
    let (candidate, _, fit) = train_with(
        &tables,
        &profiles,
        &train_rows,
        seed,
        warm.as_ref(),
        a.warm_epochs,
    )?;
    let candidate = Recommender::new(candidate)?;
    match &fit {
        crate::mf::experiment::Fit::Warm(n) => {
            println!(
                "factorization: warm start from {} (fit_partial, {n} epochs)",
                state_path.display()
            )
        }
        crate::mf::experiment::Fit::Full(why) => println!("factorization: full refit ({why})"),
    }
    let new_score = crate::retrain::score(&candidate, &held, &profiles, k)?;
    println!(
        "new bundle:       NDCG@{k} {:.4}, hit rate {:.4} on {} held-out brands",
        new_score.ndcg, new_score.hit_rate, new_score.brands
    );
    if let Some(prev) = &previous {
        let old = crate::retrain::score(prev, &held, &profiles, k)?;
        println!(
            "published bundle: NDCG@{k} {:.4}, hit rate {:.4}",
            old.ndcg, old.hit_rate
        );
        if new_score.ndcg < old.ndcg && !a.force {
            println!("not published: the new bundle scores worse on the held-out interactions");
            return Ok(());
        }
    }
    // Not worse: the published bundle learns from every collected row, the held-out ones too.
    let (b, state, _) = train_with(
        &tables,
        &profiles,
        &rows,
        seed,
        warm.as_ref(),
        a.warm_epochs,
    )?;
    let bytes = bundle::write(&b)?;
    let top = Recommender::new(b.clone())?.top_lists(TOP_LIST_K);
    publish(out, &bytes, &top)?;
    write_atomic(&state_path, &bundle::write_trainer_state(&state)?)?;
    println!(
        "published {} (version {:016x}): {} brands, {} interactions",
        out.display(),
        bundle::fnv1a64(&bytes),
        b.brands.len(),
        b.meta.interactions
    );
    Ok(())
}

/// Writes a CSV file: `header`, then `rows`; returns how many rows, reporting each count to
/// `progress`.
fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let dest = path.display().to_string();
    let err = |e: csv::Error| {
        Error::malformed(crate::error::Location::source(dest.clone()), e.to_string())
    };
    let mut w = csv::Writer::from_writer(create(path)?);
    w.write_record(header).map_err(err)?;
    let mut n = 0;
    for r in rows {
        w.write_record(&r).map_err(err)?;
        n += 1;
        progress(n);
    }
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(n)
}

/// The relationship table (every brand x influencer with its rating) as CSV.
fn write_relationships(rec: &Recommender, out: &Path, progress: impl FnMut(u64)) -> Result<u64> {
    write_csv(
        out,
        &[
            "brand",
            "influencer",
            "cohesion",
            "interaction_points",
            "rating",
        ],
        rec.relationships().map(|row| {
            vec![
                row.brand,
                row.influencer,
                row.cohesion.to_string(),
                row.interaction_points.to_string(),
                row.rating.to_string(),
            ]
        }),
        progress,
    )
}

fn export(db: &Path, bundle_path: &Path, out: &Path) -> Result<()> {
    let db = crate::collector::Db::open(db)?;
    let rows = db.rows()?;
    let n_rows = write_csv(
        &out.join("interactions.csv"),
        &[
            &tables::INTERACTION_COLUMNS[..],
            &["batch_id", "device_id", "received_ms"],
        ]
        .concat(),
        rows.into_iter().map(|s| {
            vec![
                s.row.event_id,
                s.row.brand,
                s.row.influencer,
                s.row.kind.as_str().to_string(),
                s.row.timestamp_ms.to_string(),
                s.row.points.to_string(),
                s.batch_id,
                s.device_id,
                s.received_ms.to_string(),
            ]
        }),
        |_| {},
    )?;
    let n_brands = write_csv(
        &out.join("brands.csv"),
        &["name", "category", "country", "hashtags", "description"],
        db.brands()?
            .into_iter()
            .map(|b| vec![b.name, b.category, b.country, b.hashtags, b.description]),
        |_| {},
    )?;
    let n_pairs = write_relationships(&load(bundle_path)?, &out.join("relationships.csv"), |_| {})?;
    println!(
        "wrote {}: {n_rows} interactions, {n_brands} new brands, {n_pairs} relationship rows",
        out.display()
    );
    Ok(())
}

/// How many influencers each precomputed top list holds (the widget's largest `k`).
pub const TOP_LIST_K: usize = 20;

/// Writes `path` atomically: a temporary file beside it, flushed and synced, then renamed.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut w = create(&tmp)?;
    let go = || -> std::io::Result<()> {
        w.write_all(bytes)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    go().map_err(|e| Error::io(path, e))
}

/// Publishes a bundle: the bundle at `out`, then `topk.json` (every brand's top list for the
/// widget's fallback) and last `manifest.json` beside it, each written atomically, so a
/// reader that follows the manifest never sees a half-written bundle.
pub fn publish(out: &Path, bytes: &[u8], top: &[crate::rank::TopList]) -> Result<()> {
    let dir = out.parent().unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model.bundle".into());
    write_atomic(out, bytes)?;
    let top_path = dir.join("topk.json");
    write_atomic(
        &top_path,
        &serde_json::to_vec(top).map_err(json_err(&top_path))?,
    )?;
    let manifest = bundle::Manifest::of(bytes, &name, "topk.json");
    let m_path = dir.join("manifest.json");
    write_atomic(
        &m_path,
        &serde_json::to_vec_pretty(&manifest).map_err(json_err(&m_path))?,
    )
}

/// Maps a JSON encoding error to the crate's error, naming where it was going.
fn json_err(dest: &Path) -> impl Fn(serde_json::Error) -> Error + '_ {
    move |e| {
        Error::malformed(
            crate::error::Location::source(dest.display().to_string()),
            e.to_string(),
        )
    }
}

/// The CSV exchange format of factorization data sets (`mf-export`): `meta.csv`
/// (n_users,n_items,n_user_features,n_item_features), `user_features.csv` and
/// `item_features.csv` (row,col,weight), `train.csv` and `test.csv` (user,item).
pub mod mf_files {
    use std::io::Write;
    use std::path::Path;

    use crate::error::{Error, Location, Result};
    use crate::mf::experiment::MfDataset;
    use crate::mf::CsrMatrix;

    fn write_file(path: &Path, header: &str, rows: impl Iterator<Item = String>) -> Result<()> {
        let mut w = super::create(path)?;
        let go = |w: &mut std::io::BufWriter<std::fs::File>| -> std::io::Result<()> {
            writeln!(w, "{header}")?;
            for r in rows {
                writeln!(w, "{r}")?;
            }
            w.flush()
        };
        go(&mut w).map_err(|e| Error::io(path, e))
    }

    fn csr_rows(m: &CsrMatrix) -> impl Iterator<Item = String> + '_ {
        (0..m.rows).flat_map(move |r| {
            let (c, w) = m.row(r);
            c.iter()
                .zip(w)
                .map(move |(c, w)| format!("{r},{c},{w}"))
                .collect::<Vec<_>>()
        })
    }

    /// Writes `ds` into folder `dir`.
    pub fn write(dir: &Path, ds: &MfDataset) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let (u, i) = (&ds.user_features, &ds.item_features);
        write_file(
            &dir.join("meta.csv"),
            "n_users,n_items,n_user_features,n_item_features",
            std::iter::once(format!("{},{},{},{}", u.rows, i.rows, u.cols, i.cols)),
        )?;
        write_file(
            &dir.join("user_features.csv"),
            "row,col,weight",
            csr_rows(u),
        )?;
        write_file(
            &dir.join("item_features.csv"),
            "row,col,weight",
            csr_rows(i),
        )?;
        write_file(
            &dir.join("train.csv"),
            "user,item",
            ds.train.iter().map(|p| format!("{},{}", p.0, p.1)),
        )?;
        write_file(
            &dir.join("test.csv"),
            "user,item",
            ds.test.iter().map(|p| format!("{},{}", p.0, p.1)),
        )
    }

    fn numbers(dir: &Path, name: &str, cols: usize) -> Result<Vec<Vec<f64>>> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let src = path.display().to_string();
        text.lines()
            .enumerate()
            .skip(1)
            .map(|(n, line)| {
                let v: Vec<f64> = line
                    .split(',')
                    .filter_map(|x| x.trim().parse().ok())
                    .collect();
                if v.len() == cols {
                    Ok(v)
                } else {
                    Err(Error::malformed(
                        Location::source(src.clone()).at_line(n as u64 + 1),
                        format!("expected {cols} numbers, found {line:?}"),
                    ))
                }
            })
            .collect()
    }

    /// Reads a folder written by [`write`].
    pub fn read(dir: &Path) -> Result<MfDataset> {
        let meta = numbers(dir, "meta.csv", 4)?;
        let m = meta.first().ok_or_else(|| {
            Error::malformed(
                Location::source(dir.join("meta.csv").display().to_string()),
                "no data row",
            )
        })?;
        let (nu, ni, nuf, nif) = (m[0] as u32, m[1] as u32, m[2] as u32, m[3] as u32);
        let csr = |name: &str, rows: u32, cols: u32| -> Result<CsrMatrix> {
            let mut r = vec![Vec::new(); rows as usize];
            for v in numbers(dir, name, 3)? {
                let row = r.get_mut(v[0] as usize).ok_or_else(|| {
                    Error::malformed(Location::source(name.to_string()), "row out of range")
                })?;
                row.push((v[1] as u32, v[2] as f32));
            }
            CsrMatrix::from_rows(cols, &r)
        };
        let pairs = |name: &str| -> Result<Vec<(u32, u32, f64)>> {
            Ok(numbers(dir, name, 2)?
                .into_iter()
                .map(|v| (v[0] as u32, v[1] as u32, 1.0))
                .collect())
        };
        Ok(MfDataset {
            user_features: csr("user_features.csv", nu, nuf)?,
            item_features: csr("item_features.csv", ni, nif)?,
            train: pairs("train.csv")?,
            test: pairs("test.csv")?,
        })
    }
}
