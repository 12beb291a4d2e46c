//! The SQLite backend: one file, WAL mode with `synchronous = FULL`, one process. The embedded
//! default; see [`super::storage`] for the guarantees both backends give.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection};

use super::storage::{Storage, StoreFuture, StoredRow, SCHEMA_VERSION};
use crate::collector::wire::{Ack, Batch, BrandProfile, Row, RowKind};
use crate::error::{Error, Result};
use crate::text::key;

/// The collector's SQLite database.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: String,
}

/// Maps a SQLite error to the crate's error, naming the database file.
fn sql_err(path: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Database {
        path: path.to_string(),
        message: e.to_string(),
        source: Some(Box::new(e)),
    }
}

/// Runs blocking database work from async code: on a multi-threaded runtime the worker is
/// handed over (`block_in_place`) so other requests keep running; elsewhere (a command's own
/// single-threaded runtime) it simply runs.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path`; refuses a newer schema.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let name = path.display().to_string();
        let err = sql_err(&name);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path).map_err(&err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        super::storage::refuse_newer_schema(&name, version)?;
        // The migrations the file lacks, with the version, in one transaction.
        let mut script = String::from("BEGIN IMMEDIATE;");
        for (v, sql) in super::storage::MIGRATIONS
            .iter()
            .filter(|(v, _)| *v > version)
        {
            script.push_str(sql);
            script.push_str(&format!("\nPRAGMA user_version = {v};"));
        }
        script.push_str("COMMIT;");
        conn.execute_batch(&script).map_err(&err)?;
        debug_assert!(super::storage::MIGRATIONS.last().map(|m| m.0) == Some(SCHEMA_VERSION));
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: name.clone(),
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| Error::Database {
            path: self.path.clone(),
            message: "a previous request failed while holding the connection".into(),
            source: None,
        })
    }

    /// The durability settings as the connection reports them: `(journal_mode,
    /// synchronous)`, e.g. `("wal", 2)` (2 = FULL). Read back, not assumed, so a test can
    /// tell when a build loses them.
    pub fn durability(&self) -> Result<(String, i64)> {
        let err = sql_err(&self.path);
        let conn = self.conn()?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(&err)?;
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .map_err(&err)?;
        Ok((mode, sync))
    }

    fn store_now(&self, batch: &Batch, received_ms: i64) -> Result<Ack> {
        let err = sql_err(&self.path);
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(&err)?;
        let mut ack = Ack::default();
        {
            let mut brand = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO brands (name_key, name, category, country, hashtags, description, received_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(&err)?;
            for b in &batch.brands {
                brand
                    .execute(params![
                        key(&b.name),
                        b.name.trim(),
                        b.category,
                        b.country,
                        b.hashtags,
                        b.description,
                        received_ms
                    ])
                    .map_err(&err)?;
            }
            let mut row = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO interactions
                     (event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(&err)?;
            for r in &batch.rows {
                let n = row
                    .execute(params![
                        r.event_id,
                        r.brand,
                        r.influencer,
                        r.kind.as_str(),
                        r.points,
                        r.timestamp_ms,
                        batch.batch_id,
                        batch.device_id,
                        received_ms,
                        batch.source
                    ])
                    .map_err(&err)?;
                if n == 1 {
                    ack.accepted.push(r.event_id.clone());
                } else {
                    ack.duplicates.push(r.event_id.clone());
                }
            }
        }
        tx.commit().map_err(&err)?;
        Ok(ack)
    }

    fn brand_keys_now(&self, among: Option<&[String]>) -> Result<BTreeSet<String>> {
        let err = sql_err(&self.path);
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached("SELECT name_key FROM brands")
            .map_err(&err)?;
        let all: BTreeSet<String> = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        Ok(match among {
            None => all,
            Some(keys) => keys.iter().filter(|k| all.contains(*k)).cloned().collect(),
        })
    }

    fn brands_now(&self) -> Result<Vec<BrandProfile>> {
        let err = sql_err(&self.path);
        let conn = self.conn()?;
        let mut st = conn
            .prepare("SELECT name, category, country, hashtags, description FROM brands ORDER BY name_key")
            .map_err(&err)?;
        let rows = st
            .query_map([], |r| {
                Ok(BrandProfile {
                    name: r.get(0)?,
                    category: r.get(1)?,
                    country: r.get(2)?,
                    hashtags: r.get(3)?,
                    description: r.get(4)?,
                })
            })
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        Ok(rows)
    }

    fn rows_now(&self) -> Result<Vec<StoredRow>> {
        let err = sql_err(&self.path);
        let conn = self.conn()?;
        let mut st = conn
            .prepare(
                "SELECT event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms, source
                 FROM interactions ORDER BY timestamp_ms, event_id",
            )
            .map_err(&err)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(3)?,
                    StoredRow {
                        row: Row {
                            event_id: r.get(0)?,
                            brand: r.get(1)?,
                            influencer: r.get(2)?,
                            kind: RowKind::Pairing,
                            points: r.get(4)?,
                            timestamp_ms: r.get(5)?,
                        },
                        batch_id: r.get(6)?,
                        device_id: r.get(7)?,
                        received_ms: r.get(8)?,
                        source: r.get(9)?,
                    },
                ))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for r in rows {
            let (kind, s) = r.map_err(&err)?;
            out.push(super::storage::with_kind(&self.path, &kind, s)?);
        }
        Ok(out)
    }
}

impl SqliteStore {
    fn address_salt_now(&self) -> Result<String> {
        let err = sql_err(&self.path);
        let conn = self.conn()?;
        conn.execute(
            "INSERT OR IGNORE INTO collector_secrets (name, value) VALUES ('address_salt', ?1)",
            params![super::storage::new_salt()?],
        )
        .map_err(&err)?;
        conn.query_row(
            "SELECT value FROM collector_secrets WHERE name = 'address_salt'",
            [],
            |r| r.get(0),
        )
        .map_err(&err)
    }
}

impl Storage for SqliteStore {
    fn describe(&self) -> String {
        match self.durability() {
            Ok((mode, sync)) => {
                format!(
                    "{} (SQLite journal_mode={mode}, synchronous={sync})",
                    self.path
                )
            }
            Err(e) => format!("{} (SQLite; durability unreadable: {e})", self.path),
        }
    }

    fn store<'a>(&'a self, batch: &'a Batch, received_ms: i64) -> StoreFuture<'a, Ack> {
        Box::pin(async move { blocking(|| self.store_now(batch, received_ms)) })
    }

    fn brand_keys<'a>(&'a self, among: Option<&'a [String]>) -> StoreFuture<'a, BTreeSet<String>> {
        Box::pin(async move { blocking(|| self.brand_keys_now(among)) })
    }

    fn brands(&self) -> StoreFuture<'_, Vec<BrandProfile>> {
        Box::pin(async move { blocking(|| self.brands_now()) })
    }

    fn rows(&self) -> StoreFuture<'_, Vec<StoredRow>> {
        Box::pin(async move { blocking(|| self.rows_now()) })
    }

    fn address_salt(&self) -> StoreFuture<'_, String> {
        Box::pin(async move { blocking(|| self.address_salt_now()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_opened_in_wal_mode_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteStore::open(&dir.path().join("c.db")).unwrap();
        // synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        assert_eq!(db.durability().unwrap(), ("wal".to_string(), 2));
        // WAL is a property of the file: a plain connection sees it too.
        let other = Connection::open(dir.path().join("c.db")).unwrap();
        let mode: String = other
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_version_1_file_is_migrated_keeping_its_rows_and_the_salt_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(super::super::storage::SCHEMA_V1).unwrap();
            c.execute(
                "INSERT INTO interactions VALUES ('e1', 'Acme', 'bebe', 'click', 1, 5, 'b', 'dev', 7)",
                [],
            )
            .unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
        }
        let db = SqliteStore::open(&path).unwrap();
        let rows = db.rows_now().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].source.as_str(), rows[0].source_or_device()),
            ("", "dev")
        );
        let salt = db.address_salt_now().unwrap();
        assert_eq!(salt.len(), 32);
        assert_eq!(db.address_salt_now().unwrap(), salt);
        drop(db);
        // Reopened: nothing migrates twice, the salt stays.
        let db = SqliteStore::open(&path).unwrap();
        assert_eq!(db.address_salt_now().unwrap(), salt);
        let v: i64 = db
            .conn()
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}
