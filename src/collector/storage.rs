//! Where collected rows are kept: one [`Storage`] trait, two backends (SQLite, the embedded
//! default; PostgreSQL, for several collector instances on one database), the same schema and
//! the same guarantees:
//!
//! - the event id is the primary key: a repeated row (a retry after a lost answer, from any
//!   instance) is stored once and reported as a duplicate;
//! - a batch is one transaction, and [`Storage::store`] returns only after the commit, so the
//!   caller acknowledges only what is durable;
//! - a new brand's profile is stored once (the first description wins);
//! - the schema is versioned ([`SCHEMA_VERSION`]); opening applies the missing migrations and
//!   refuses a database whose schema is newer than this build's.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use crate::collector::wire::{Ack, Batch, BrandProfile, Row, RowKind};
use crate::error::{Error, Result};

/// The schema version this build writes, in both backends (SQLite `PRAGMA user_version`,
/// PostgreSQL table `influence_rec_schema`).
pub const SCHEMA_VERSION: i64 = 2;

/// Version 1 of the schema, in SQL both backends take as it is (SQLite reads `BIGINT` as
/// INTEGER and `DOUBLE PRECISION` as REAL affinity): the event id is the key of
/// `interactions`, the name key (`text::key`) the key of `brands`.
pub(super) const SCHEMA_V1: &str = "
    CREATE TABLE IF NOT EXISTS interactions (
        event_id TEXT PRIMARY KEY NOT NULL,
        brand TEXT NOT NULL,
        influencer TEXT NOT NULL,
        kind TEXT NOT NULL,
        points DOUBLE PRECISION NOT NULL,
        timestamp_ms BIGINT NOT NULL,
        batch_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        received_ms BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS brands (
        name_key TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        category TEXT NOT NULL,
        country TEXT NOT NULL,
        hashtags TEXT NOT NULL,
        description TEXT NOT NULL,
        received_ms BIGINT NOT NULL
    );";

/// Version 2: where each row came from, as a salted hash of the client's address (`source`;
/// rows stored before it have none, and count their device as their source), and the salt.
pub(super) const SCHEMA_V2: &str = "
    ALTER TABLE interactions ADD COLUMN source TEXT NOT NULL DEFAULT '';
    CREATE TABLE IF NOT EXISTS collector_secrets (
        name TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );";

/// The migrations in order: (version, SQL). Each runs once, when the database is older.
pub(super) const MIGRATIONS: &[(i64, &str)] = &[(1, SCHEMA_V1), (2, SCHEMA_V2)];

/// A new address salt: 128 bits from the operating system, hex.
pub(super) fn new_salt() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Database {
        path: "<collector>".into(),
        message: format!("no randomness for the address salt: {e}"),
        source: None,
    })?;
    Ok(hex(&bytes))
}

/// Bytes as lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses a database whose schema version (`found`) is newer than this build's: its rows may
/// mean something this build cannot read.
pub(super) fn refuse_newer_schema(path: &str, found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(Error::Database {
            path: path.to_string(),
            message: format!("schema version {found} is newer than this build's {SCHEMA_VERSION}"),
            source: None,
        });
    }
    Ok(())
}

/// A stored row with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    /// The row as the device sent it.
    pub row: Row,
    /// The batch it arrived in.
    pub batch_id: String,
    /// The sending device.
    pub device_id: String,
    /// When the collector committed it (ms since the epoch).
    pub received_ms: i64,
    /// The sending address as a salted hash ("" for rows stored before schema 2).
    pub source: String,
}

impl StoredRow {
    /// Who vouches for the row: its address hash, or for older rows its device.
    pub fn source_or_device(&self) -> &str {
        if self.source.is_empty() {
            &self.device_id
        } else {
            &self.source
        }
    }
}

/// What a storage call gives back, boxed so the trait can be used as `dyn Storage`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// The collector's database, whichever it is. Calls need a Tokio runtime (the server's, or
/// one made for a command: [`block_on`]).
pub trait Storage: Send + Sync {
    /// Where the rows go and how durably, for the server's start-up line.
    fn describe(&self) -> String;

    /// Stores a checked batch in one transaction: new brand profiles (first description wins)
    /// and every row whose event id is new. Returns which rows were stored now and which were
    /// there already, after the commit.
    fn store<'a>(&'a self, batch: &'a Batch, received_ms: i64) -> StoreFuture<'a, Ack>;

    /// The name keys of the new brands received so far; with `among`, only those of these
    /// keys that are stored.
    fn brand_keys<'a>(&'a self, among: Option<&'a [String]>) -> StoreFuture<'a, BTreeSet<String>>;

    /// The new brands received, by name key (byte order).
    fn brands(&self) -> StoreFuture<'_, Vec<BrandProfile>>;

    /// Every stored row, by (timestamp, event id in byte order).
    fn rows(&self) -> StoreFuture<'_, Vec<StoredRow>>;

    /// The secret salt of the address hashes, made on first use and shared by every instance
    /// on the database (so one address is one source whichever instance it reaches).
    fn address_salt(&self) -> StoreFuture<'_, String>;
}

/// A URL with the password of its user part replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match auth.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs a storage call from a command that has no runtime of its own (`retrain`, `export`).
pub fn block_on<T>(f: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Database {
            path: "<runtime>".into(),
            message: format!("could not start a runtime: {e}"),
            source: Some(Box::new(e)),
        })?
        .block_on(f)
}

/// Sets a stored row's kind from its text; an unknown kind is a corrupt database.
pub fn with_kind(path: &str, kind: &str, mut s: StoredRow) -> Result<StoredRow> {
    s.row.kind = RowKind::parse(kind).ok_or_else(|| Error::Database {
        path: path.to_string(),
        message: format!("event {}: unknown kind {kind:?}", s.row.event_id),
        source: None,
    })?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_do_not_reach_messages() {
        assert_eq!(
            redact("postgres://ir:s3cr:et@db.example:5432/ir?x=1"),
            "postgres://ir:***@db.example:5432/ir?x=1"
        );
        assert_eq!(redact("postgres://ir@db/ir"), "postgres://ir@db/ir");
        assert_eq!(redact("postgres://db/ir"), "postgres://db/ir");
    }
}
