//! The collector loop's commands: serve, retrain, export.

use std::path::PathBuf;

use clap::Args;

use super::io::{
    load, publish, read_tables, report_rejects, write_atomic, write_csv, write_relationships,
};
use crate::bundle;
use crate::catalog::{BuildParams, Catalog};
use crate::category::Lexicon;
use crate::collector::listen::ConnectionLimits;
use crate::collector::wire::{BrandProfile, Limits, Row};
use crate::collector::StoredRow;
use crate::error::{Error, Result};
use crate::factor::Fit;
use crate::mf::WarmStart;
use crate::pipeline::{TrainConfig, Trained};
use crate::random::DEFAULT_SEED;
use crate::tables;

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Repository root holding www/ and pkg/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Serve the published bundle (model.bundle, manifest.json, topk.json) from this folder
    /// instead of ROOT/pkg, e.g. the pkg/ folder `init` wrote.
    #[arg(long)]
    bundle_dir: Option<PathBuf>,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// The collector's database: a SQLite file (created if absent) or a PostgreSQL URL
    /// (postgres://user[:password]@host[:port]/database) shared by several instances.
    #[arg(long, default_value = "collector.db")]
    db: crate::collector::DbTarget,
    /// An origin allowed to post batches from another site (CORS), e.g.
    /// `https://partner.example`; repeatable. None: same origin only.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// Largest batch body in bytes; larger gets 413.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// A partner site's write key, NAME=KEY; repeatable. When any is given, every batch
    /// must carry one of the keys in X-Site-Key (401 otherwise); the page and the widget
    /// send theirs from their configuration.
    #[arg(long = "site-key", value_parser = site_key)]
    site_key: Vec<(String, String)>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The collector's limits (`sync::Limits`; defaults from its `Default`).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Requests per second one client address may make on average (0: no limit).
    #[arg(long, default_value_t = Limits::default().address_rate)]
    address_rate: f64,
    /// Requests one client address may make in a burst.
    #[arg(long, default_value_t = Limits::default().address_burst)]
    address_burst: f64,
    /// Rows per second one device may send on average (0: no limit).
    #[arg(long, default_value_t = Limits::default().device_rate)]
    device_rate: f64,
    /// Rows one device may send in a burst.
    #[arg(long, default_value_t = Limits::default().device_burst)]
    device_burst: f64,
    /// New brands one device may add per UTC day.
    #[arg(long, default_value_t = Limits::default().new_brands_per_device_day)]
    new_brands_per_device_day: usize,
    /// New-brand profiles per batch.
    #[arg(long, default_value_t = Limits::default().brands_per_batch)]
    brands_per_batch: usize,
    /// Longest new-brand description, in characters (name, category, country and hashtags
    /// have their own caps: 120, 60, 80, 500).
    #[arg(long, default_value_t = Limits::default().description_chars)]
    description_chars: usize,
    /// Clients each limiter remembers.
    #[arg(long, default_value_t = Limits::default().tracked_clients)]
    tracked_clients: usize,
    /// Rows per batch; more is answered 413 naming the limit (at most the row bursts).
    #[arg(long, default_value_t = Limits::default().rows_per_batch)]
    rows_per_batch: usize,
    /// Rows per second one client address may send on average, whatever device ids it
    /// names (0: no limit).
    #[arg(long, default_value_t = Limits::default().address_row_rate)]
    address_row_rate: f64,
    /// Rows one client address may send in a burst.
    #[arg(long, default_value_t = Limits::default().address_row_burst)]
    address_row_burst: f64,
    /// Seconds for a request's head, counted from the connection's start or the end of the
    /// previous answer (so also the idle keep-alive timeout).
    #[arg(long, default_value_t = ConnectionLimits::default().header_timeout)]
    header_timeout: f64,
    /// Seconds allowed between two pieces of a request body.
    #[arg(long, default_value_t = ConnectionLimits::default().body_timeout)]
    body_timeout: f64,
    /// Seconds for a whole request, body included (408 past it).
    #[arg(long, default_value_t = ConnectionLimits::default().request_timeout)]
    request_timeout: f64,
    /// Connections open at once (lowered to fit the process's open-file limit).
    #[arg(long, default_value_t = ConnectionLimits::default().max_connections)]
    max_connections: usize,
    /// Connections open at once from one address (an IPv6 /64 counts as one); more are
    /// closed at once.
    #[arg(long, default_value_t = ConnectionLimits::default().max_connections_per_address)]
    max_connections_per_address: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            address_rate: self.address_rate,
            address_burst: self.address_burst,
            device_rate: self.device_rate,
            device_burst: self.device_burst,
            new_brands_per_device_day: self.new_brands_per_device_day,
            brands_per_batch: self.brands_per_batch,
            description_chars: self.description_chars,
            tracked_clients: self.tracked_clients,
            rows_per_batch: self.rows_per_batch,
            address_row_rate: self.address_row_rate,
            address_row_burst: self.address_row_burst,
            ..Limits::default()
        }
    }

    fn connections(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            request_timeout: self.request_timeout,
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
        }
    }
}

/// `NAME=KEY`, both non-empty, the key at least 16 characters of visible ASCII.
fn site_key(s: &str) -> std::result::Result<(String, String), String> {
    let (name, key) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=KEY, found {s:?}"))?;
    if name.trim().is_empty() {
        return Err("the site name is empty".into());
    }
    if key.len() < 16 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the key must be at least 16 visible ASCII characters".into());
    }
    Ok((name.trim().to_string(), key.to_string()))
}

/// What `retrain` is asked to do.
#[derive(Debug, Args)]
pub struct RetrainArgs {
    /// Data folder (the scraped tables and the original interactions).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The collector's database: a SQLite file or a PostgreSQL URL.
    #[arg(long, default_value = "collector.db")]
    db: crate::collector::DbTarget,
    /// The published bundle (compared with, and replaced).
    #[arg(long, default_value = "pkg/model.bundle")]
    out: PathBuf,
    /// Fraction of the interactions collected since the published bundle was trained (the
    /// newest) held out for the comparison; neither bundle trains on them before it.
    #[arg(long, default_value_t = 0.2)]
    holdout: f64,
    /// List length of the comparison (NDCG@k), at least 1.
    #[arg(long, short, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    k: u32,
    /// Seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Publish even when the new bundle scores worse, or when too few rows came in since the
    /// published bundle was trained to compare them fairly.
    #[arg(long)]
    force: bool,
    /// Fewest held-out interactions (collected since the published bundle was trained) a
    /// comparison needs; with fewer the published bundle is kept unless --force.
    #[arg(long, default_value_t = 20)]
    min_holdout: usize,
    /// The factorization trainer's state, kept between retrains for warm starts (default:
    /// beside a SQLite database, `<db>.trainer`; with PostgreSQL beside the bundle,
    /// `<out>.trainer`).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Epochs of `fit_partial` on a warm start.
    #[arg(long, default_value_t = 10)]
    warm_epochs: u32,
    /// Fewest distinct sources (client addresses) the held-out interactions must come from;
    /// with fewer the published bundle is kept unless --force (one address cannot decide a
    /// comparison).
    #[arg(long, default_value_t = 3)]
    min_holdout_sources: usize,
    /// Most points one source (address) adds to one pair, whatever its devices sent.
    #[arg(long, default_value_t = crate::collector::evidence::EvidenceParams::default().per_source_cap)]
    per_source_cap: f64,
    /// Brands one source (address) may speak for; the rows of a source naming more are not
    /// counted.
    #[arg(long, default_value_t = crate::collector::evidence::EvidenceParams::default().brands_per_source)]
    brands_per_source: usize,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The collector's database: a SQLite file or a PostgreSQL URL.
    #[arg(long, default_value = "collector.db")]
    db: crate::collector::DbTarget,
    /// Bundle whose relationship table to write.
    #[arg(long, default_value = "pkg/model.bundle")]
    bundle: PathBuf,
    /// Output folder (interactions.csv, brands.csv, relationships.csv).
    #[arg(long, short)]
    out: PathBuf,
}

pub(super) fn serve(a: ServeArgs) -> Result<()> {
    crate::collector::serve(&crate::collector::ServeOptions {
        root: a.root,
        bundle_dir: a.bundle_dir,
        addr: a.addr,
        db: a.db,
        allow_origins: a.allow_origin,
        max_body: a.max_body,
        site_keys: a.site_key,
        limits: a.limits.limits(),
        connections: a.limits.connections(),
    })
}

/// The data plus collected `rows` (weighed as evidence), trained into a bundle with both
/// learned models.
fn train_with(
    tables: &super::io::Tables,
    profiles: &[BrandProfile],
    evidence: &[crate::catalog::PairEvidence],
    seed: u64,
    warm: Option<(&WarmStart, u32)>,
) -> Result<Trained> {
    let (influencers, mut brands, interactions, mentions) = tables.clone();
    crate::collector::retrain::merge_brands(&mut brands, profiles, Lexicon::builtin());
    let params = BuildParams {
        seed,
        ..BuildParams::default()
    };
    let (catalog, report) =
        Catalog::build_with(influencers, brands, &interactions, evidence, &params)?;
    report_rejects(&report.skipped);
    let (catalog, skipped) = catalog.with_mentions(&mentions)?;
    report_rejects(&skipped);
    crate::pipeline::train(catalog, &TrainConfig::seeded(seed), warm)
}

pub(super) fn retrain(a: &RetrainArgs) -> Result<()> {
    let (data, db, out, holdout, k, seed) =
        (&a.data, &a.db, &a.out, a.holdout, a.k as usize, a.seed);
    // What retrain keeps between runs lives beside a SQLite file, or beside the bundle when the
    // rows are in PostgreSQL (no file of its own to sit beside).
    let base = match db {
        crate::collector::DbTarget::Sqlite(p) => p.clone(),
        crate::collector::DbTarget::Postgres(_) => out.clone(),
    };
    let state_path = a.state.clone().unwrap_or_else(|| beside(&base, ".trainer"));
    if !(holdout > 0.0 && holdout < 1.0) {
        return Err(Error::InvalidParam {
            name: "holdout",
            message: format!("must be between 0 and 1 (exclusive), got {holdout}"),
        });
    }
    let (stored, profiles) = crate::collector::block_on(async {
        let db = db.open().await?;
        Ok((db.rows().await?, db.brands().await?))
    })?;
    let tables = read_tables(data)?;
    let previous = match std::fs::read(out) {
        Ok(bytes) => {
            let source = out.display().to_string();
            let version = format!("{:016x}", bundle::fnv1a64(&bytes));
            Some((
                bundle::read(&bytes, &source)?.1.recommender(&source)?,
                version,
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(out, e)),
    };
    // A fair comparison scores both bundles only on rows neither trained on. The record
    // beside the database says which collected rows the published bundle learned from (those
    // received up to a time); a bundle retrain did not write (train, init) learned from none.
    let record_path = beside(&base, ".published");
    let record = read_record(&record_path)?;
    let seen_through = match (&record, &previous) {
        (Some(r), Some((_, version))) if &r.bundle_version == version => Some(r.trained_through_ms),
        _ => None,
    };
    let (seen, unseen): (Vec<&StoredRow>, Vec<&StoredRow>) = stored
        .iter()
        .partition(|s| seen_through.is_some_and(|t| s.received_ms <= t));
    let unseen: Vec<StoredRow> = unseen.into_iter().cloned().collect();
    // Held out by the server's receipt time, drawn across sources (addresses).
    let (fresh_train, held) =
        crate::collector::evidence::hold_out(&unseen, holdout, a.min_holdout_sources);
    let train_rows: Vec<StoredRow> = seen.into_iter().cloned().chain(fresh_train).collect();
    let held_sources = crate::collector::evidence::sources(&held);
    let held: Vec<Row> = held.into_iter().map(|s| s.row).collect();
    println!(
        "collected: {} rows ({} new brands), {} since the published bundle was trained; holding out the newest {} of their interactions (by receipt time, from {} sources)",
        stored.len(),
        profiles.len(),
        unseen.len(),
        held.len(),
        held_sources
    );
    let evidence_params = crate::collector::evidence::EvidenceParams {
        per_source_cap: a.per_source_cap,
        brands_per_source: a.brands_per_source,
    };
    let (all_evidence, all_report) = crate::collector::evidence::weigh(&stored, &evidence_params);
    for line in all_report.lines(&evidence_params) {
        println!("{line}");
    }
    let warm = match std::fs::read(&state_path) {
        Ok(bytes) => Some(bundle::read_trainer_state(&bytes, &state_path.display().to_string())?.1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&state_path, e)),
    };
    let warm = warm.as_ref().map(|w| (w, a.warm_epochs));
    let enough = held.len() >= a.min_holdout && held_sources >= a.min_holdout_sources;
    let compare = previous.is_some() && enough;
    if previous.is_some() && !enough {
        if held_sources < a.min_holdout_sources && !held.is_empty() {
            println!(
                "too few sources to compare fairly: the held-out interactions come from {} sources (addresses), --min-holdout-sources is {}",
                held_sources, a.min_holdout_sources
            );
        } else {
            println!(
                "too few new interactions to compare fairly: {} held out, --min-holdout is {}",
                held.len(),
                a.min_holdout
            );
        }
        if !a.force {
            println!("not published: keeping the published bundle (--force publishes anyway)");
            return Ok(());
        }
    }
    if compare {
        let (train_evidence, _) = crate::collector::evidence::weigh(&train_rows, &evidence_params);
        let candidate = train_with(&tables, &profiles, &train_evidence, seed, warm)?;
        match &candidate.report.factor {
            Some((Fit::Warm(n), _)) => println!(
                "factorization: warm start from {} (fit_partial, {n} epochs)",
                state_path.display()
            ),
            Some((Fit::Full(why), _)) => println!("factorization: full refit ({why})"),
            None => {}
        }
        let candidate = candidate.bundle.recommender("candidate")?;
        let new_score = crate::collector::retrain::score(&candidate, &held, &profiles, k)?;
        println!(
            "new bundle:       NDCG@{k} {:.4}, hit rate {:.4} on {} held-out brands",
            new_score.ndcg, new_score.hit_rate, new_score.brands
        );
        if let Some((prev, _)) = &previous {
            let old = crate::collector::retrain::score(prev, &held, &profiles, k)?;
            println!(
                "published bundle: NDCG@{k} {:.4}, hit rate {:.4}",
                old.ndcg, old.hit_rate
            );
            // Published only when strictly better: a tie keeps what is published (rows that
            // change nothing measurable do not get to change the lists).
            if new_score.ndcg <= old.ndcg {
                if !a.force {
                    println!(
                        "not published: the new bundle scores {} on the held-out interactions",
                        if new_score.ndcg < old.ndcg {
                            "worse"
                        } else {
                            "no better (a tie)"
                        }
                    );
                    return Ok(());
                }
                println!("publishing anyway (--force)");
            }
        }
    }
    // Published: the bundle learns from every collected row, the held-out ones too.
    let t = train_with(&tables, &profiles, &all_evidence, seed, warm)?;
    if !compare {
        if let Some((Fit::Full(why), _)) = &t.report.factor {
            println!("factorization: full refit ({why})");
        }
    }
    let bytes = publish(
        out,
        &t.bundle,
        &t.top_lists,
        TrainConfig::default().top_list_len,
    )?;
    if let Some(state) = &t.state {
        write_atomic(&state_path, &bundle::write_trainer_state(state)?)?;
    }
    let version = format!("{:016x}", bundle::fnv1a64(&bytes));
    let through = stored.iter().map(|s| s.received_ms).max().unwrap_or(0);
    write_record(&record_path, &version, through)?;
    println!(
        "published {} (version {version}): {} brands, {} interactions",
        out.display(),
        t.bundle.catalog.brands().len(),
        t.bundle.catalog.meta().interactions
    );
    Ok(())
}

/// `path` with `suffix` appended to its file name (`c.db` -> `c.db.published`).
fn beside(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// What the published bundle learned from, kept beside the database by `retrain`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RetrainRecord {
    format: String,
    version: u32,
    /// The published bundle's version (FNV-1a of its bytes, hex).
    bundle_version: String,
    /// It trained on every collected row received up to this time (ms since the epoch).
    trained_through_ms: i64,
}

const RECORD_FORMAT: &str = "influence-rec/retrain-record";

fn read_record(path: &std::path::Path) -> Result<Option<RetrainRecord>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let r: RetrainRecord = serde_json::from_slice(&bytes).map_err(|e| {
        Error::malformed(
            crate::error::Location::source(path.display().to_string()),
            format!("not a retrain record: {e}"),
        )
    })?;
    if r.format != RECORD_FORMAT || r.version != 1 {
        return Err(Error::malformed(
            crate::error::Location::source(path.display().to_string()),
            format!(
                "expected {RECORD_FORMAT} version 1, found {:?} version {}",
                r.format, r.version
            ),
        ));
    }
    Ok(Some(r))
}

fn write_record(path: &std::path::Path, bundle_version: &str, through: i64) -> Result<()> {
    let r = RetrainRecord {
        format: RECORD_FORMAT.into(),
        version: 1,
        bundle_version: bundle_version.into(),
        trained_through_ms: through,
    };
    write_atomic(path, &super::io::to_json(&r, path, true)?)
}

pub(super) fn export(a: &ExportArgs) -> Result<()> {
    let (rows, brands) = crate::collector::block_on(async {
        let db = a.db.open().await?;
        Ok((db.rows().await?, db.brands().await?))
    })?;
    let out = &a.out;
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
        brands
            .into_iter()
            .map(|b| vec![b.name, b.category, b.country, b.hashtags, b.description]),
        |_| {},
    )?;
    let rec = load(&a.bundle)?;
    let n_pairs = write_relationships(&rec, &out.join("relationships.csv"), |_| {})?;
    // The bundle's collaboration evidence, as `ingest` wrote it, so a retrain elsewhere
    // starts from the same evidence.
    let mentions = rec.catalog().mention_records();
    let m_path = out.join("mentions.csv");
    tables::write_mentions(
        super::io::create(&m_path)?,
        &m_path.display().to_string(),
        &mentions,
    )?;
    println!(
        "wrote {}: {n_rows} interactions, {n_brands} new brands, {n_pairs} relationship rows, {} \
         mention rows",
        out.display(),
        mentions.len()
    );
    Ok(())
}

/// `copy-db`.
#[derive(Debug, Args)]
pub struct CopyDbArgs {
    /// The database to read: a SQLite file or a PostgreSQL URL.
    #[arg(long)]
    from: crate::collector::DbTarget,
    /// The database to write (created or migrated as `serve` would).
    #[arg(long)]
    to: crate::collector::DbTarget,
}

pub(super) fn copy_db(a: &CopyDbArgs) -> Result<()> {
    use crate::collector::wire::Batch;
    if let crate::collector::DbTarget::Sqlite(p) = &a.from {
        if !p.exists() {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such database"),
            ));
        }
    }
    let (rows, brands, ack) = crate::collector::block_on(async {
        let from = a.from.open().await?;
        let to = a.to.open().await?;
        let rows = from.rows().await?;
        let brands = from.brands().await?;
        // The brands first (their own batch without rows), then the rows grouped as they
        // arrived (batch, device, time received), so each keeps where it came from.
        let received = rows.iter().map(|r| r.received_ms).min().unwrap_or(0);
        to.store(
            &Batch {
                batch_id: "copy-db".into(),
                device_id: String::new(),
                source: String::new(),
                brands: brands.clone(),
                rows: Vec::new(),
                rejected: Vec::new(),
                rejected_without_id: 0,
            },
            received,
        )
        .await?;
        type Origin<'a> = (i64, &'a str, &'a str, &'a str);
        let mut groups: std::collections::BTreeMap<Origin, Vec<Row>> = Default::default();
        for r in &rows {
            groups
                .entry((
                    r.received_ms,
                    r.batch_id.as_str(),
                    r.device_id.as_str(),
                    r.source.as_str(),
                ))
                .or_default()
                .push(r.row.clone());
        }
        let mut ack = crate::collector::wire::Ack::default();
        for ((received_ms, batch_id, device_id, source), rows) in groups {
            let got = to
                .store(
                    &Batch {
                        batch_id: batch_id.to_string(),
                        device_id: device_id.to_string(),
                        source: source.to_string(),
                        brands: Vec::new(),
                        rows,
                        rejected: Vec::new(),
                        rejected_without_id: 0,
                    },
                    received_ms,
                )
                .await?;
            ack.accepted.extend(got.accepted);
            ack.duplicates.extend(got.duplicates);
        }
        Ok((rows.len(), brands.len(), ack))
    })?;
    println!(
        "copied {} to {}: {rows} interactions ({} new, {} there already), {brands} new-brand profiles",
        a.from.display(),
        a.to.display(),
        ack.accepted.len(),
        ack.duplicates.len()
    );
    Ok(())
}
