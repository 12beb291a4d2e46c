//! Commands over a data folder: generate, ingest, train, eval, mf-export, mf-bench.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{DataArgs, FactorArgs, Kind, RankerArgs, WeightArgs};
use super::io::{catalog_from_folder, create, open, publish, spinner};
use crate::bundle;
use crate::catalog::BuildParams;
use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::generate::{self, GenerateParams};
use crate::ingest::{self, ColumnMapping};
use crate::mf::exchange;
use crate::mf::experiment::SplitKind;
use crate::mf::stored::Precision;
use crate::pipeline::TrainConfig;
use crate::random::DEFAULT_SEED;
use crate::tables;

/// `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// RNG seed.
    #[arg(long, default_value_t = GenerateParams::default().seed)]
    seed: u64,
    /// Number of influencers.
    #[arg(long, default_value_t = GenerateParams::default().influencers)]
    influencers: usize,
    /// Number of brands.
    #[arg(long, default_value_t = GenerateParams::default().brands)]
    brands: usize,
    /// Influencers shown to each brand in the simulated sessions (more: more interactions;
    /// about 1.4 interactions per exposure).
    #[arg(long, default_value_t = GenerateParams::default().exposures_per_brand)]
    exposures: usize,
    /// Output folder.
    #[arg(long, default_value = "data")]
    out: PathBuf,
}

/// `ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Input files, CSV or JSON / JSONL (rows of all inputs are aggregated together).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// What the accounts are.
    #[arg(long, value_enum, default_value_t = Kind::Influencers)]
    kind: Kind,
    /// Output table (influencers.csv or brands.csv format).
    #[arg(long, short)]
    out: PathBuf,
    /// Map a canonical field onto a column (or a JSON key): `--map followers="Follower count"`.
    /// Fields: name, followers, description, likes, comments, post_text, location,
    /// post_location, hashtags, post_url, engagement_rate, hashtags_translated,
    /// all_descriptions, translated, category, business, business_category, full_name,
    /// cost_post, cost_story, timestamp, mentions, tagged, sponsors, sponsored.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    map: Vec<String>,
    /// Where the collaboration evidence goes (influencers only): the handles each account's
    /// posts mention, tag or are paid by. Default: `mentions.csv` beside `--out`.
    #[arg(long)]
    mentions: Option<PathBuf>,
    /// Exit with an error when any row was rejected.
    #[arg(long)]
    strict: bool,
}

/// `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output bundle.
    #[arg(long, short, default_value = "pkg/model.bundle")]
    out: PathBuf,
    #[command(flatten)]
    weights: WeightArgs,
    #[command(flatten)]
    factor: FactorArgs,
    #[command(flatten)]
    ranker: RankerArgs,
    /// Storage of the model's embeddings in the bundle: i8 (per-row scaled; measured test
    /// AUC change +0.0002 on the bundled data, bundle 1.01 MB -> 0.72 MB) or f32.
    #[arg(long, value_enum, default_value_t = TrainConfig::default().precision)]
    precision: Precision,
    /// Leave the learned models (factorization and ranker) out of the bundle.
    #[arg(long)]
    no_model: bool,
}

/// `init`: a scrape to a working app in one command.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Per-post CSV exports of the influencers' accounts.
    #[arg(long, required = true, num_args = 1..)]
    influencers: Vec<PathBuf>,
    /// Per-post CSV exports of the brands' accounts.
    #[arg(long, required = true, num_args = 1..)]
    brands: Vec<PathBuf>,
    /// Output folder: data/ (the tables) and pkg/ (the bundle, top lists, manifest).
    #[arg(long, short)]
    out: PathBuf,
    /// Column mapping of the influencer exports (`--map followers="Follower count"`).
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    map: Vec<String>,
    /// Column mapping of the brand exports.
    #[arg(long = "brand-map", value_name = "FIELD=COLUMN")]
    brand_map: Vec<String>,
    /// Seed of the learned models.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    #[command(flatten)]
    weights: WeightArgs,
}

/// `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Cut-off for precision, recall and NDCG.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Repeat with seeds seed, seed+1, ... and print the mean of each metric.
    #[arg(long, default_value_t = 1)]
    repeat: u64,
    /// Seed of the synthetic world the data may be (`generate --seed`): when the data
    /// folder is that world, an oracle row scores by the generator's hidden affinity.
    #[arg(long, default_value_t = GenerateParams::default().seed)]
    oracle_seed: u64,
    /// Evaluate on held-out collaboration evidence instead: a data folder as `init` writes
    /// it (brands with handles, mentions.csv). Each brand's mentions and brand-name hashtags
    /// are hidden in turn (by folds) and every account is ranked for it.
    #[arg(long, value_name = "DATA")]
    mentions: Option<PathBuf>,
    /// Folds of the brands for `--mentions`.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// With `--mentions`: interaction positives are evidence too, looked for and hidden with
    /// the brand's mentions (what `train` measures its default ordering on).
    #[arg(long)]
    with_interactions: bool,
    #[command(flatten)]
    factor: FactorArgs,
    #[command(flatten)]
    ranker: RankerArgs,
}

/// Which data set `mf-export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dataset {
    /// The data folder.
    Bundled,
    /// 2,000 x 20,000 planted synthetic interactions (~1M positives).
    Synthetic,
}

/// `mf-export`.
#[derive(Debug, Args)]
pub struct MfExportArgs {
    /// Which data set.
    #[arg(long, value_enum, default_value_t = Dataset::Bundled)]
    dataset: Dataset,
    #[command(flatten)]
    data: DataArgs,
    /// `random` (80/20 of the positives) or `cold-start` (20 % of the brands held out
    /// whole, scored from content features only).
    #[arg(long, value_enum, default_value_t = SplitKind::Random)]
    split: SplitKind,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
}

/// `mf-bench`.
#[derive(Debug, Args)]
pub struct MfBenchArgs {
    /// Folder written by `mf-export`.
    #[arg(long)]
    input: PathBuf,
    #[command(flatten)]
    factor: FactorArgs,
    /// Seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

pub(super) fn generate(a: &GenerateArgs) -> Result<()> {
    let params = GenerateParams {
        seed: a.seed,
        influencers: a.influencers,
        brands: a.brands,
        exposures_per_brand: a.exposures,
    };
    let pb = spinner("generating dataset");
    let d = generate::generate(&params, Lexicon::builtin())?;
    let raw = a.out.join("raw");
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
    let ix = a.out.join("interactions.csv");
    tables::write_interactions(create(&ix)?, &ix.display().to_string(), &d.interactions)?;
    pb.finish_and_clear();
    println!(
        "generated {} influencers ({} post rows), {} brands ({} post rows), {} interactions (seed {})",
        d.influencers.len(),
        d.influencer_posts.len(),
        d.brands.len(),
        d.brand_posts.len(),
        d.interactions.len(),
        a.seed
    );
    ingest_files(
        &[inf_posts],
        Kind::Influencers,
        &a.out.join("influencers.csv"),
        &a.out.join("mentions.csv"),
        &[],
        false,
    )?;
    ingest_files(
        &[brand_posts],
        Kind::Brands,
        &a.out.join("brands.csv"),
        &a.out.join("mentions.csv"),
        &[],
        false,
    )
}

pub(super) fn ingest(a: &IngestArgs) -> Result<()> {
    let mentions = a
        .mentions
        .clone()
        .unwrap_or_else(|| a.out.with_file_name("mentions.csv"));
    ingest_files(&a.inputs, a.kind, &a.out, &mentions, &a.map, a.strict)
}

fn ingest_files(
    inputs: &[PathBuf],
    kind: Kind,
    out: &std::path::Path,
    mentions_out: &std::path::Path,
    map: &[String],
    strict: bool,
) -> Result<()> {
    let mapping = ColumnMapping::parse(map)?;
    let mut profiles = Vec::new();
    let mut report = ingest::IngestReport::default();
    for input in inputs {
        let (p, r) = ingest::ingest(
            open(input)?,
            &input.display().to_string(),
            &mapping,
            Lexicon::builtin(),
        )?;
        report.merge(r);
        profiles.extend(p);
    }
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    let dest = out.display().to_string();
    if kind == Kind::Brands {
        report = report.for_brands();
    }
    let mut evidence = None;
    let n = match kind {
        Kind::Influencers => {
            let mut mentions = Vec::new();
            let rows: Vec<_> = profiles
                .into_iter()
                .map(|p| {
                    mentions.extend(p.mentions);
                    p.influencer
                })
                .collect();
            tables::write_influencers(create(out)?, &dest, &rows)?;
            let m_dest = mentions_out.display().to_string();
            tables::write_mentions(create(mentions_out)?, &m_dest, &mentions)?;
            evidence = Some((mentions.len(), m_dest));
            rows.len()
        }
        Kind::Brands => {
            let rows: Vec<_> = profiles.into_iter().map(|p| p.into_brand()).collect();
            tables::write_brands(create(out)?, &dest, &rows)?;
            rows.len()
        }
    };
    // One compact report: rejects by reason with two examples each, accounts left out by
    // reason, kinds, unknowns per field, places.
    println!("ingested -> {n} profiles in {dest}");
    for line in report.summary() {
        println!("{line}");
    }
    if let Some((rows, m_dest)) = evidence {
        println!("collaboration evidence -> {rows} rows in {m_dest}");
    }
    if strict && !report.errors.is_empty() {
        return Err(Error::InvalidParam {
            name: "strict",
            message: format!("{} rows were rejected", report.errors.len()),
        });
    }
    Ok(())
}

pub(super) fn train(a: &TrainArgs) -> Result<()> {
    let seed = a.data.seed;
    let params = BuildParams {
        weights: a.weights.weights(),
        seed,
        ..BuildParams::default()
    };
    let config = TrainConfig {
        factor: a.factor.settings(seed),
        ranker: a.ranker.settings(seed),
        precision: a.precision,
        models: !a.no_model,
        ..TrainConfig::seeded(seed)
    };
    train_folder(&a.data.data, &a.out, &params, &config)
}

pub(super) fn init(a: &InitArgs) -> Result<()> {
    let data = a.out.join("data");
    ingest_files(
        &a.influencers,
        Kind::Influencers,
        &data.join("influencers.csv"),
        &data.join("mentions.csv"),
        &a.map,
        false,
    )?;
    ingest_files(
        &a.brands,
        Kind::Brands,
        &data.join("brands.csv"),
        &data.join("mentions.csv"),
        &a.brand_map,
        false,
    )?;
    let ix = data.join("interactions.csv");
    if !ix.exists() {
        // Day one: the table exists, empty, so retrain and export find it.
        tables::write_interactions(create(&ix)?, &ix.display().to_string(), &[])?;
    }
    let params = BuildParams {
        weights: a.weights.weights(),
        seed: a.seed,
        ..BuildParams::default()
    };
    let bundle = a.out.join("pkg").join("model.bundle");
    train_folder(&data, &bundle, &params, &TrainConfig::seeded(a.seed))?;
    println!(
        "ready: influence-rec serve --bundle-dir {}   (or recommend --bundle {} --brand NAME)",
        a.out.join("pkg").display(),
        bundle.display()
    );
    Ok(())
}

/// `eval --mentions DATA`: the orderings on held-out collaboration evidence.
fn eval_mentions(a: &EvalArgs, dir: &std::path::Path) -> Result<()> {
    let seed = a.data.seed;
    let pb = spinner("evaluating on held-out mentions (training the models once per fold)");
    let c = catalog_from_folder(dir, &BuildParams::default())?;
    let params = crate::evaluation::MentionEvalParams {
        folds: a.folds,
        seed,
        factor: a.factor.settings(seed),
        ranker: a.ranker.settings(seed),
        interactions: a.with_interactions,
    };
    let e = crate::evaluation::evaluate_mentions(&c, &params)?;
    pb.finish_and_clear();
    println!(
        "{} brands with {} ({} accounts in all), {} folds: each brand's {} and brand-name \
         hashtags hidden, every account ranked",
        e.targets,
        if a.with_interactions {
            "mentions or interactions"
        } else {
            "a handle that accounts named"
        },
        e.positives,
        e.folds,
        if a.with_interactions {
            "mentions, interactions"
        } else {
            "mentions"
        }
    );
    let w = e.rows.iter().map(|r| r.ordering.len()).max().unwrap_or(8);
    println!(
        "{:<w$} {:>7} {:>8} {:>7} {:>11}",
        "ordering", "HR@10", "NDCG@25", "MRR", "overlap@10"
    );
    for r in &e.rows {
        match &r.absent {
            Some(why) => println!("{:<w$} absent: {why}", r.ordering),
            None => println!(
                "{:<w$} {:>7.3} {:>8.3} {:>7.3} {:>11}",
                r.ordering,
                r.hr_at_10,
                r.ndcg_at_25,
                r.mrr,
                r.overlap_at_10
                    .map_or("-".to_string(), |o| format!("{o:.2}"))
            ),
        }
    }
    Ok(())
}

/// Trains the tables of folder `data` into a bundle published at `out`, printing the report.
fn train_folder(
    data: &std::path::Path,
    out: &std::path::Path,
    params: &BuildParams,
    config: &TrainConfig,
) -> Result<()> {
    let pb = spinner("training");
    let catalog = catalog_from_folder(data, params)?;
    let t = crate::pipeline::train(catalog, config, None)?;
    let bytes = publish(out, &t.bundle, &t.top_lists, config.top_list_len)?;
    pb.finish_and_clear();
    print_train_report(&t, config);
    let c = &t.bundle.catalog;
    println!(
        "wrote {} ({} bytes, format v{}, {}): {} influencers, {} brands, {} interactions, {} brand x influencer pairs",
        out.display(),
        bytes.len(),
        bundle::FORMAT_VERSION,
        bundle::WRITER,
        c.influencers().len(),
        c.brands().len(),
        c.meta().interactions,
        c.influencers().len() * c.brands().len()
    );
    Ok(())
}

pub(super) fn eval(a: &EvalArgs) -> Result<()> {
    if let Some(dir) = &a.mentions {
        return eval_mentions(a, dir);
    }
    let seed = a.data.seed;
    let settings = a.factor.settings(seed);
    let pb = spinner("evaluating (training one factorization model per split)");
    let c = catalog_from_folder(&a.data.data, &BuildParams::default())?;
    let rs = a.ranker.settings(seed);
    let seeds: Vec<u64> = (seed..seed.saturating_add(a.repeat.max(1))).collect();
    let mut rows = crate::evaluation::evaluate_seeds(&c, &settings, Some(&rs), a.k, &seeds)?;
    rows.extend(crate::evaluation::evaluate_day_one_seeds(
        &c, &settings, a.k, &seeds,
    )?);
    match oracle(&c, a.oracle_seed)? {
        Some(scores) => rows.extend(crate::evaluation::evaluate_scorer(
            &c,
            settings.min_points,
            a.k,
            &seeds,
            "oracle (generator's affinity)",
            |u| scores[u as usize].clone(),
        )?),
        None => eprintln!(
            "note: no oracle row: the data folder is not the synthetic world of generate --seed {}",
            a.oracle_seed
        ),
    }
    pb.finish_and_clear();
    if seeds.len() > 1 {
        println!(
            "mean over {} seeds ({}..={}); users per split",
            seeds.len(),
            seed,
            seeds[seeds.len() - 1]
        );
    }
    let k = a.k;
    let w = rows
        .iter()
        .map(|r| r.model.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    println!(
        "{:<w$} {:<22} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}",
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
            "{:<w$} {:<22} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>6}",
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

/// The generator's hidden affinity of every (brand, influencer) of `c`, in catalog ids, when
/// `c` is the synthetic world of `seed` (same influencer and brand names); else `None`.
fn oracle(c: &crate::catalog::Catalog, seed: u64) -> Result<Option<Vec<Vec<f32>>>> {
    let params = GenerateParams {
        seed,
        influencers: c.influencers().len(),
        brands: c.brands().len(),
        ..GenerateParams::default()
    };
    let d = generate::generate(&params, Lexicon::builtin())?;
    let inf_ids: Option<Vec<u32>> = d
        .influencers
        .iter()
        .map(|i| c.influencer_id(&i.name))
        .collect();
    let brand_of: Option<Vec<u32>> = d.brands.iter().map(|b| c.brand_id(&b.name)).collect();
    let (Some(inf_ids), Some(brand_of)) = (inf_ids, brand_of) else {
        return Ok(None);
    };
    let mut scores = vec![Vec::new(); c.brands().len()];
    for (gb, &cb) in brand_of.iter().enumerate() {
        let a = d.affinity(gb)?;
        let mut row = vec![0f32; c.influencers().len()];
        for (gi, &ci) in inf_ids.iter().enumerate() {
            row[ci as usize] = a[gi] as f32;
        }
        scores[cb as usize] = row;
    }
    Ok(Some(scores))
}

pub(super) fn mf_export(a: &MfExportArgs) -> Result<()> {
    let seed = a.data.seed;
    let ds = match a.dataset {
        Dataset::Bundled => {
            let c = catalog_from_folder(&a.data.data, &BuildParams::default())?;
            crate::factor::dataset(&c, 1.0, seed, a.split)?
        }
        Dataset::Synthetic => {
            let pb = spinner("generating 2,000 x 20,000 synthetic interactions");
            let ds = crate::mf::experiment::synthetic_dataset(
                &crate::mf::synthetic::SyntheticParams {
                    seed,
                    ..Default::default()
                },
                a.split,
            )?;
            pb.finish_and_clear();
            ds
        }
    };
    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(&a.out, e))?;
    for name in exchange::FILES {
        let path = a.out.join(name);
        let mut w = create(&path)?;
        exchange::write(&ds, name, &mut w)
            .and_then(|_| std::io::Write::flush(&mut w))
            .map_err(|e| Error::io(&path, e))?;
    }
    println!(
        "wrote {} ({} users, {} items, {} train and {} test positives)",
        a.out.display(),
        ds.user_features.rows,
        ds.item_features.rows,
        ds.train.len(),
        ds.test.len()
    );
    Ok(())
}

pub(super) fn mf_bench(a: &MfBenchArgs) -> Result<()> {
    let ds = exchange::read(|name| {
        let p = a.input.join(name);
        Ok((open(&p)?, p.display().to_string()))
    })?;
    let settings = a.factor.settings(a.seed);
    let ix = crate::mf::Interactions::from_pairs(
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
    m.parallelism = a.factor.parallel;
    let mut times = Vec::new();
    for _ in 0..settings.epochs {
        let t = std::time::Instant::now();
        m.fit_partial(data, 1, settings.num_threads)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let metrics = crate::mf::experiment::score_dataset(&m, &ds, 10)?;
    let loss = a
        .factor
        .loss
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let out = serde_json::json!({ "epoch_seconds": times, "auc": metrics.auc, "precision_at_10": metrics.precision_at_k, "threads": settings.num_threads, "loss": loss });
    println!("{out}");
    Ok(())
}

/// Prints what `pipeline::train` did: each model, what it learned from, or why it was left
/// out.
fn print_train_report(t: &crate::pipeline::Trained, config: &crate::pipeline::TrainConfig) {
    if let (Some(f), Some((_, src))) = (&t.bundle.factor, &t.report.factor) {
        println!(
            "factorization model: {:?} loss, d = {}, {} epochs, {:?} storage; learned from {} relationship-table pairs and {} interaction pairs ({} both), and {} pairs whose posts name the brand",
            config.factor.params.loss,
            f.no_components,
            config.factor.epochs,
            config.precision,
            src.relationship + src.both,
            src.interactions + src.both,
            src.both,
            src.evidence
        );
    }
    if let Some(r) = &t.report.ranker {
        println!(
            "ranker: lambdarank GBDT, {} trees; learned from {} interaction and mention pairs of {} brands (0 relationship-table pairs: its labels are what brands and accounts did): {} training rows in {} brand queries, validation NDCG@10 {:.4} ({} rows)",
            r.rounds,
            r.interaction_pairs,
            r.brands,
            r.train_rows,
            r.train_queries,
            r.valid_ndcg,
            r.valid_rows
        );
    }
    for (model, why) in &t.report.left_out {
        println!("{model}: left out: {why}");
    }
    if let Some(e) = &t.report.ordering_eval {
        println!(
            "orderings on held-out evidence ({} brands, {} accounts, {} folds; NDCG@25 gain over the rating ± its standard error):",
            e.targets, e.positives, e.folds
        );
        for f in &t.report.ordering.figures {
            println!(
                "  {:<7} HR@10 {:.3}  NDCG@25 {:.3}  MRR {:.3}  overlap@10 {}  gain {:+.3} ± {:.3}",
                format!("{:?}", f.by).to_lowercase(),
                f.hr_at_10,
                f.ndcg_at_25,
                f.mrr,
                f.overlap_at_10
                    .map_or("-".to_string(), |o| format!("{o:.2}")),
                f.gain,
                f.gain_se
            );
        }
    }
    println!("default ordering: {}", t.report.ordering.sentence());
    match t.report.prices {
        (crate::price::PriceBasis::QuantileModel, n) => println!(
            "prices: quantile models (10th, 50th, 90th percentile) of the {n} listed post costs estimate the rest"
        ),
        (_, n) if n < crate::price::MIN_KNOWN => println!(
            "prices: {n} profiles list a post cost, fewer than {} to learn from: the rest are estimated by the rate card (follower tiers)",
            crate::price::MIN_KNOWN
        ),
        (_, n) => println!("prices: every profile lists its post cost ({n})"),
    }
}
