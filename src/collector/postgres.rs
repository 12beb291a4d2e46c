//! The PostgreSQL backend: several collector instances on one database, through a pool of
//! async connections (tokio-postgres with deadpool; why these, see the README). The same
//! schema and guarantees as SQLite ([`super::storage`]); what differs is how they are kept:
//!
//! - a batch's rows go in with one `INSERT … SELECT FROM unnest(…) ON CONFLICT (event_id) DO
//!   NOTHING RETURNING event_id`: what comes back was stored now, the rest was there already
//!   (stored by this instance or another, in a transaction that committed first: the insert
//!   waits for a concurrent transaction holding the same key and then skips or inserts);
//! - rows and brands are inserted in byte order of their keys, so two instances storing
//!   overlapping batches take their locks in the same order and cannot deadlock;
//! - the commit waits for the WAL flush: when the server's `synchronous_commit` is `off`, each
//!   batch's transaction sets it `on` for itself;
//! - migrations run in one transaction under an advisory lock, so instances starting together
//!   apply each exactly once; text is ordered with `COLLATE "C"` (byte order, as SQLite).

use std::collections::BTreeSet;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;

use super::storage::{redact, Storage, StoreFuture, StoredRow, MIGRATIONS};
use crate::collector::wire::{Ack, Batch, BrandProfile, Row, RowKind};
use crate::error::{Error, Result};
use crate::text::key;

/// Connections per instance: a batch holds one for its transaction.
pub const POOL_SIZE: usize = 16;
/// The advisory lock key migrations take (any constant; "influrec" in ASCII).
const MIGRATION_LOCK: i64 = 0x696e_666c_7572_6563;

/// The collector's PostgreSQL database.
pub struct PgStore {
    pool: Pool,
    /// The URL without its password.
    url: String,
    /// The server's `synchronous_commit` is `off`: every batch turns it on for itself.
    force_sync: bool,
    /// What the server reported at start (for [`Storage::describe`]).
    settings: String,
}

/// What went wrong, in full: the server's message and code for a database error, else the
/// error and its causes (`tokio_postgres::Error`'s own text is only "db error" or "error
/// connecting to server").
fn pg_message(e: &tokio_postgres::Error) -> String {
    if let Some(d) = e.as_db_error() {
        return format!("{} ({}: {})", d.message(), d.code().code(), d.severity());
    }
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// A PostgreSQL error as the crate's, naming the database (its URL without the password).
fn pg_err(url: &str) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
    move |e| Error::Database {
        path: url.to_string(),
        message: pg_message(&e),
        source: Some(Box::new(e)),
    }
}

fn pool_err(url: &str, e: deadpool_postgres::PoolError) -> Error {
    let message = match &e {
        deadpool_postgres::PoolError::Backend(pg) => format!("no connection: {}", pg_message(pg)),
        other => format!("no connection: {other}"),
    };
    Error::Database {
        path: url.to_string(),
        message,
        source: Some(Box::new(e)),
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database[?options]`),
    /// applies the missing migrations and refuses a newer schema. TLS is not built in:
    /// `sslmode=require` is refused (connect over loopback, a private network or a tunnel).
    pub async fn open(url: &str) -> Result<PgStore> {
        let shown = redact(url);
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| Error::InvalidParam {
            name: "db",
            message: format!("{shown}: not a PostgreSQL URL: {e}"),
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(Error::InvalidParam {
                name: "db",
                message: format!(
                    "{shown}: sslmode=require, but this build speaks to PostgreSQL without TLS; \
                     use a loopback, private-network or tunnelled connection with sslmode=disable"
                ),
            });
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("influence-rec collector");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Database {
                path: shown.clone(),
                message: format!("cannot make a connection pool: {e}"),
                source: None,
            })?;
        let err = pg_err(&shown);
        let mut client = pool.get().await.map_err(|e| pool_err(&shown, e))?;
        migrate(&mut client, &shown).await?;
        let show = |name: &'static str| {
            let client = &client;
            let err = &err;
            async move {
                client
                    .query_one(&format!("SHOW {name}"), &[])
                    .await
                    .map(|r| r.get::<_, String>(0))
                    .map_err(err)
            }
        };
        let sync = show("synchronous_commit").await?;
        let fsync = show("fsync").await?;
        let version = show("server_version").await?;
        let mut settings = format!(
            "PostgreSQL {version}, synchronous_commit={sync}, fsync={fsync}, pool of {POOL_SIZE}"
        );
        if fsync != "on" {
            settings.push_str("; WARNING: fsync is off on the server, commits are not durable");
        }
        Ok(PgStore {
            pool,
            url: shown.clone(),
            force_sync: sync == "off",
            settings,
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| pool_err(&self.url, e))
    }

    async fn store_now(&self, batch: &Batch, received_ms: i64) -> Result<Ack> {
        let err = pg_err(&self.url);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(&err)?;
        if self.force_sync {
            tx.batch_execute("SET LOCAL synchronous_commit TO on")
                .await
                .map_err(&err)?;
        }
        // Brands: the first profile of a name in the batch, in key order.
        let mut brands: Vec<(String, &BrandProfile)> = Vec::new();
        for b in &batch.brands {
            let k = key(&b.name);
            if !brands.iter().any(|(x, _)| *x == k) {
                brands.push((k, b));
            }
        }
        brands.sort_by(|a, b| a.0.cmp(&b.0));
        if !brands.is_empty() {
            let col = |f: fn(&BrandProfile) -> &str| -> Vec<&str> {
                brands.iter().map(|(_, b)| f(b)).collect()
            };
            let keys: Vec<&str> = brands.iter().map(|(k, _)| k.as_str()).collect();
            tx.execute(
                "INSERT INTO brands (name_key, name, category, country, hashtags, description, received_ms)
                 SELECT k, n, c, co, h, d, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                   WITH ORDINALITY AS x(k, n, c, co, h, d, o)
                 ORDER BY o
                 ON CONFLICT (name_key) DO NOTHING",
                &[
                    &keys,
                    &col(|b| b.name.trim()),
                    &col(|b| b.category.as_str()),
                    &col(|b| b.country.as_str()),
                    &col(|b| b.hashtags.as_str()),
                    &col(|b| b.description.as_str()),
                    &received_ms,
                ],
            )
            .await
            .map_err(&err)?;
        }
        // Rows, in event-id byte order.
        let mut order: Vec<&Row> = batch.rows.iter().collect();
        order.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        let stored: BTreeSet<String> = if order.is_empty() {
            BTreeSet::new()
        } else {
            let ids: Vec<&str> = order.iter().map(|r| r.event_id.as_str()).collect();
            let brand: Vec<&str> = order.iter().map(|r| r.brand.as_str()).collect();
            let influencer: Vec<&str> = order.iter().map(|r| r.influencer.as_str()).collect();
            let kind: Vec<&str> = order.iter().map(|r| r.kind.as_str()).collect();
            let points: Vec<f64> = order.iter().map(|r| r.points).collect();
            let ts: Vec<i64> = order.iter().map(|r| r.timestamp_ms).collect();
            tx.query(
                "INSERT INTO interactions
                   (event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms, source)
                 SELECT e, b, i, k, p, t, $7, $8, $9, $10
                   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::int8[])
                   WITH ORDINALITY AS x(e, b, i, k, p, t, o)
                 ORDER BY o
                 ON CONFLICT (event_id) DO NOTHING
                 RETURNING event_id",
                &[
                    &ids,
                    &brand,
                    &influencer,
                    &kind,
                    &points,
                    &ts,
                    &batch.batch_id,
                    &batch.device_id,
                    &received_ms,
                    &batch.source,
                ],
            )
            .await
            .map_err(&err)?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
        };
        tx.commit().await.map_err(&err)?;
        // The answer in the batch's order, as SQLite gives it.
        let mut ack = Ack::default();
        for r in &batch.rows {
            if stored.contains(&r.event_id) {
                ack.accepted.push(r.event_id.clone());
            } else {
                ack.duplicates.push(r.event_id.clone());
            }
        }
        Ok(ack)
    }

    async fn brand_keys_now(&self, among: Option<&[String]>) -> Result<BTreeSet<String>> {
        let err = pg_err(&self.url);
        let client = self.client().await?;
        let rows = match among {
            None => client
                .query("SELECT name_key FROM brands", &[])
                .await
                .map_err(&err)?,
            Some(keys) => client
                .query(
                    "SELECT name_key FROM brands WHERE name_key = ANY($1::text[])",
                    &[&keys],
                )
                .await
                .map_err(&err)?,
        };
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    async fn brands_now(&self) -> Result<Vec<BrandProfile>> {
        let err = pg_err(&self.url);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT name, category, country, hashtags, description FROM brands
                 ORDER BY name_key COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(&err)?;
        Ok(rows
            .iter()
            .map(|r| BrandProfile {
                name: r.get(0),
                category: r.get(1),
                country: r.get(2),
                hashtags: r.get(3),
                description: r.get(4),
            })
            .collect())
    }

    async fn rows_now(&self) -> Result<Vec<StoredRow>> {
        let err = pg_err(&self.url);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms, source
                 FROM interactions ORDER BY timestamp_ms, event_id COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(&err)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(3);
                super::storage::with_kind(
                    &self.url,
                    &kind,
                    StoredRow {
                        row: Row {
                            event_id: r.get(0),
                            brand: r.get(1),
                            influencer: r.get(2),
                            kind: RowKind::Pairing,
                            points: r.get(4),
                            timestamp_ms: r.get(5),
                        },
                        batch_id: r.get(6),
                        device_id: r.get(7),
                        received_ms: r.get(8),
                        source: r.get(9),
                    },
                )
            })
            .collect()
    }
}

/// Applies the migrations the database lacks, in one transaction under an advisory lock (an
/// instance starting at the same time waits, then finds them applied); refuses a schema newer
/// than this build's.
async fn migrate(client: &mut deadpool_postgres::Object, url: &str) -> Result<()> {
    let err = pg_err(url);
    let tx = client.transaction().await.map_err(&err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(&err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS influence_rec_schema (
            version BIGINT PRIMARY KEY NOT NULL,
            applied_ms BIGINT NOT NULL,
            writer TEXT NOT NULL
        )",
    )
    .await
    .map_err(&err)?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM influence_rec_schema",
            &[],
        )
        .await
        .map_err(&err)?
        .get(0);
    super::storage::refuse_newer_schema(url, current)?;
    let writer = format!("influence-rec {}", env!("CARGO_PKG_VERSION"));
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).await.map_err(&err)?;
        tx.execute(
            "INSERT INTO influence_rec_schema (version, applied_ms, writer) VALUES ($1, $2, $3)",
            &[version, &super::storage::now_ms(), &writer],
        )
        .await
        .map_err(&err)?;
    }
    tx.commit().await.map_err(&err)
}

impl Storage for PgStore {
    fn describe(&self) -> String {
        format!("{} ({})", self.url, self.settings)
    }

    fn store<'a>(&'a self, batch: &'a Batch, received_ms: i64) -> StoreFuture<'a, Ack> {
        Box::pin(self.store_now(batch, received_ms))
    }

    fn brand_keys<'a>(&'a self, among: Option<&'a [String]>) -> StoreFuture<'a, BTreeSet<String>> {
        Box::pin(self.brand_keys_now(among))
    }

    fn brands(&self) -> StoreFuture<'_, Vec<BrandProfile>> {
        Box::pin(self.brands_now())
    }

    fn rows(&self) -> StoreFuture<'_, Vec<StoredRow>> {
        Box::pin(self.rows_now())
    }

    fn address_salt(&self) -> StoreFuture<'_, String> {
        Box::pin(async move {
            let err = pg_err(&self.url);
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO collector_secrets (name, value) VALUES ('address_salt', $1)
                     ON CONFLICT (name) DO NOTHING",
                    &[&super::storage::new_salt()?],
                )
                .await
                .map_err(&err)?;
            Ok(client
                .query_one(
                    "SELECT value FROM collector_secrets WHERE name = 'address_salt'",
                    &[],
                )
                .await
                .map_err(&err)?
                .get(0))
        })
    }
}
