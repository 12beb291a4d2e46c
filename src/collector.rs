//! The collector: interaction batches from browsers come home into SQLite, and one server
//! serves the page, pkg/ and the current bundle beside the batch endpoint. Native only (an
//! edge of the crate: files, network, database).
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, every batch is one
//! transaction, and the answer is sent only after the commit returned, so a crash or a kill at
//! any moment loses no acknowledged row; the event id is the table's primary key, so a
//! repeated row (a retry after a lost answer) is stored once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};

use crate::bundle;
use crate::error::{Error, Result};
use crate::limiter::{Buckets, DailyCounts};
use crate::model::PointsConfig;
use crate::sync::{Ack, Batch, BrandProfile, Known, Limits, Row, RowKind};
use crate::text::key;

/// The database schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// The collector's database.
pub struct Db {
    conn: Connection,
    path: String,
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
}

/// Maps a SQLite error to the crate's error, naming the database file.
fn sql_err(path: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Database {
        path: path.to_string(),
        message: e.to_string(),
        source: Some(Box::new(e)),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Db {
    /// Opens (creating if absent) the database at `path`; refuses a newer schema.
    pub fn open(path: &Path) -> Result<Db> {
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
        if version > SCHEMA_VERSION {
            return Err(Error::Database {
                path: name.clone(),
                message: format!(
                    "schema version {version} is newer than this build's {SCHEMA_VERSION}"
                ),
                source: None,
            });
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS interactions (
                event_id TEXT PRIMARY KEY NOT NULL,
                brand TEXT NOT NULL,
                influencer TEXT NOT NULL,
                kind TEXT NOT NULL,
                points REAL NOT NULL,
                timestamp_ms INTEGER NOT NULL,
                batch_id TEXT NOT NULL,
                device_id TEXT NOT NULL,
                received_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS brands (
                name_key TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                category TEXT NOT NULL,
                country TEXT NOT NULL,
                hashtags TEXT NOT NULL,
                description TEXT NOT NULL,
                received_ms INTEGER NOT NULL
            );
            PRAGMA user_version = 1;",
        )
        .map_err(&err)?;
        Ok(Db {
            conn,
            path: name.clone(),
        })
    }

    /// The durability settings as the connection reports them: `(journal_mode,
    /// synchronous)`, e.g. `("wal", 2)` (2 = FULL). Read back, not assumed, so a test can
    /// tell when a build loses them.
    pub fn durability(&self) -> Result<(String, i64)> {
        let err = sql_err(&self.path);
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(&err)?;
        let sync: i64 = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .map_err(&err)?;
        Ok((mode, sync))
    }

    /// Stores a checked batch in one transaction: new brand profiles (first description
    /// wins) and every row whose event id is new. Returns which rows were stored now and
    /// which were there already; the caller answers only after this returned.
    pub fn store(&mut self, batch: &Batch, received_ms: i64) -> Result<Ack> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(&err)?;
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
                     (event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
                        received_ms
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

    /// Keys of the new brands received so far.
    pub fn brand_keys(&self) -> Result<BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare("SELECT name_key FROM brands")
            .map_err(sql_err(&self.path))?;
        let keys = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sql_err(&self.path))?
            .collect::<std::result::Result<_, _>>()
            .map_err(sql_err(&self.path))?;
        Ok(keys)
    }

    /// The new brands received, by name key.
    pub fn brands(&self) -> Result<Vec<BrandProfile>> {
        let mut st = self
            .conn
            .prepare("SELECT name, category, country, hashtags, description FROM brands ORDER BY name_key")
            .map_err(sql_err(&self.path))?;
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
            .map_err(sql_err(&self.path))?
            .collect::<std::result::Result<_, _>>()
            .map_err(sql_err(&self.path))?;
        Ok(rows)
    }

    /// Every stored row, by (timestamp, event id).
    pub fn rows(&self) -> Result<Vec<StoredRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT event_id, brand, influencer, kind, points, timestamp_ms, batch_id, device_id, received_ms
                 FROM interactions ORDER BY timestamp_ms, event_id",
            )
            .map_err(sql_err(&self.path))?;
        let rows = st
            .query_map([], |r| {
                let kind: String = r.get(3)?;
                Ok((
                    kind,
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
                    },
                ))
            })
            .map_err(sql_err(&self.path))?;
        let mut out = Vec::new();
        for r in rows {
            let (kind, mut s) = r.map_err(sql_err(&self.path))?;
            s.row.kind = RowKind::parse(&kind).ok_or_else(|| Error::Database {
                path: self.path.clone(),
                message: format!("event {}: unknown kind {kind:?}", s.row.event_id),
                source: None,
            })?;
            out.push(s);
        }
        Ok(out)
    }
}

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Folder holding www/ and pkg/.
    pub root: PathBuf,
    /// Where the published bundle (model.bundle, manifest.json, topk.json) lives when not in
    /// root/pkg (a data folder made by `init`); root/pkg still serves the wasm module.
    pub bundle_dir: Option<PathBuf>,
    /// Address to bind.
    pub addr: String,
    /// The database file.
    pub db: PathBuf,
    /// Origins allowed to post batches from other sites (CORS); empty: same origin only.
    pub allow_origins: Vec<String>,
    /// Largest request body accepted, in bytes (larger gets 413).
    pub max_body: usize,
    /// Write keys by site name: when any is set, every batch must carry one of the keys in
    /// `X-Site-Key` (401 otherwise).
    pub site_keys: Vec<(String, String)>,
    /// Rates, bursts and caps.
    pub limits: Limits,
}

/// What the data knows, cached by bundle version.
struct KnownCache {
    version: String,
    /// Shared with the requests that read it: a batch clones a pointer, not the name sets.
    known: Arc<Known>,
}

struct State {
    db: Mutex<Db>,
    /// Origins besides the server's own that may post batches.
    allowed_origins: Vec<String>,
    pkg: PathBuf,
    points: PointsConfig,
    known: Mutex<KnownCache>,
    site_keys: Vec<(String, String)>,
    limits: Limits,
    max_body: usize,
    /// Requests by client address.
    addresses: Mutex<Buckets>,
    /// Rows by device id.
    devices: Mutex<Buckets>,
    /// New brands by device id and UTC day.
    new_brands: Mutex<DailyCounts>,
    /// The clock of the buckets.
    started: std::time::Instant,
}

impl State {
    /// The influencer and brand names of the bundle now published (reloaded when the
    /// manifest names another version; without a manifest, when the bundle file's size or
    /// modification time changes) plus the new brands received so far.
    fn known(&self) -> Result<Arc<Known>> {
        let m_path = self.pkg.join("manifest.json");
        let b_path = self.pkg.join("model.bundle");
        let version = std::fs::read(&m_path)
            .ok()
            .and_then(|b| serde_json::from_slice::<bundle::Manifest>(&b).ok())
            .map(|m| m.version)
            .or_else(|| {
                let meta = std::fs::metadata(&b_path).ok()?;
                let modified = meta.modified().ok()?;
                Some(format!("file:{}:{:?}", meta.len(), modified))
            })
            .unwrap_or_default();
        let mut cache = self.known.lock().map_err(|_| poisoned())?;
        if cache.version != version || version.is_empty() {
            let bytes = std::fs::read(&b_path).map_err(|e| Error::io(&b_path, e))?;
            let (_, b) = bundle::read(&bytes, &b_path.display().to_string())?;
            let db_brands = self.db.lock().map_err(|_| poisoned())?.brand_keys()?;
            cache.known = Arc::new(Known {
                influencers: b
                    .catalog
                    .influencers()
                    .iter()
                    .map(|i| key(&i.name))
                    .collect(),
                brands: b
                    .catalog
                    .brands()
                    .iter()
                    .map(|x| key(&x.name))
                    .chain(db_brands)
                    .collect(),
            });
            cache.version = version;
        }
        Ok(Arc::clone(&cache.known))
    }

    fn remember_brands(&self, brands: &[BrandProfile]) {
        if let Ok(mut cache) = self.known.lock() {
            // Devices re-send a new brand's description with each batch of its rows: only a
            // brand not known yet changes the shared sets (copying them if a request holds
            // them).
            let new: Vec<String> = brands
                .iter()
                .map(|b| key(&b.name))
                .filter(|k| !cache.known.brands.contains(k))
                .collect();
            if !new.is_empty() {
                Arc::make_mut(&mut cache.known).brands.extend(new);
            }
        }
    }
}

fn poisoned() -> Error {
    Error::Database {
        path: "<collector>".into(),
        message: "a previous request failed while holding the lock".into(),
        source: None,
    }
}

/// The HTTP app: `POST /api/interactions`, `/pkg/*` and the page.
pub fn app(opts: &ServeOptions) -> Result<axum::Router> {
    use axum::http::{header, HeaderValue, Method};
    use axum::routing::post;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeader;

    opts.limits.validate()?;
    let www = opts.root.join("www");
    let pkg = opts.root.join("pkg");
    let published = opts.bundle_dir.clone().unwrap_or_else(|| pkg.clone());
    for dir in [&www, &pkg, &published] {
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "folder not found"),
            ));
        }
    }
    let state = Arc::new(State {
        db: Mutex::new(Db::open(&opts.db)?),
        allowed_origins: opts.allow_origins.clone(),
        pkg: published.clone(),
        points: PointsConfig::default(),
        known: Mutex::new(KnownCache {
            version: String::new(),
            known: Arc::new(Known::default()),
        }),
        site_keys: opts.site_keys.clone(),
        limits: opts.limits,
        max_body: opts.max_body,
        addresses: Mutex::new(Buckets::new(
            opts.limits.address_rate,
            opts.limits.address_burst,
            opts.limits.tracked_clients,
        )),
        devices: Mutex::new(Buckets::new(
            opts.limits.device_rate,
            opts.limits.device_burst,
            opts.limits.tracked_clients,
        )),
        new_brands: Mutex::new(DailyCounts::new(opts.limits.tracked_clients)),
        started: std::time::Instant::now(),
    });
    let origins: Vec<HeaderValue> = opts
        .allow_origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o).map_err(|_| Error::InvalidParam {
                name: "allow-origin",
                message: format!("{o:?} is not a valid origin"),
            })
        })
        .collect::<Result<_>>()?;
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-site-key"),
        ])
        // A cross-site page may read Retry-After only when exposed.
        .expose_headers([header::RETRY_AFTER]);
    // Static files: revalidated on every load (the bundle and pkg change with each build;
    // unchanged files answer 304), and public to every origin (the widget loads them from
    // partner pages).
    fn static_files<S>(s: S) -> SetResponseHeader<SetResponseHeader<S, HeaderValue>, HeaderValue> {
        SetResponseHeader::overriding(
            SetResponseHeader::overriding(
                s,
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ),
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        )
    }
    let api = axum::Router::new()
        .route("/api/interactions", post(post_batch))
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(opts.max_body))
        .layer(cors);
    // /pkg: the published bundle's folder first, then the built module's.
    Ok(api
        .nest_service(
            "/pkg",
            static_files(ServeDir::new(published).fallback(ServeDir::new(pkg))),
        )
        .fallback_service(static_files(ServeDir::new(www))))
}

/// An answer: the status, the acknowledgement, and how long to wait (429).
type Answer = (axum::http::StatusCode, Ack, Option<f64>);

fn refusal(status: axum::http::StatusCode, error: String) -> Answer {
    (
        status,
        Ack {
            error: Some(error),
            ..Ack::default()
        },
        None,
    )
}

fn too_many(what: &str, wait: f64) -> Answer {
    let (status, ack, _) = refusal(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        format!(
            "{what}: too many requests, retry in {:.0} s",
            wait.ceil().max(1.0)
        ),
    );
    (status, ack, Some(wait))
}

/// `POST /api/interactions`. The checks run cheapest first and before anything is stored:
/// the client address's rate (429), the origin (403), the media type (415), the site key
/// (401), the body's size (413), the batch itself (400), the device's rate (429); then new
/// brands past the device's day are refused row by row, and the rest is stored.
async fn post_batch(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    let (parts, body) = request.into_parts();
    let (status, ack, wait) = match check_and_store(&st, &parts, body).await {
        Ok(answer) => answer,
        Err(e) => refusal(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    let body = serde_json::to_vec(&ack).unwrap_or_default();
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Some(w) = wait {
        // Whole seconds, rounded up: never sooner than the bucket allows.
        let secs = (w.ceil() as u64).max(1);
        if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
    }
    response
}

async fn check_and_store(
    st: &Arc<State>,
    parts: &axum::http::request::Parts,
    body: axum::body::Body,
) -> Result<Answer> {
    use axum::http::StatusCode;

    let headers = &parts.headers;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = st.started.elapsed().as_secs_f64();
    // The socket's peer: behind a reverse proxy this is the proxy (limit there, too).
    let address = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
    if let Err(wait) = st
        .addresses
        .lock()
        .map_err(|_| poisoned())?
        .take(&address, 1.0, now)
    {
        return Ok(too_many(&format!("address {address}"), wait));
    }
    // Who may write. A browser names the page's origin on every cross-site request: it must
    // be the server's own or an allowed one (403). Only JSON is taken (415): a cross-site
    // JSON POST needs a CORS preflight, which the CORS layer answers for allowed origins
    // only, so a "simple" text/plain request from another site cannot write either.
    if let Some(origin) = headers.get(axum::http::header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let host = header("host").unwrap_or("");
        let own = origin == format!("http://{host}") || origin == format!("https://{host}");
        if !own && !st.allowed_origins.iter().any(|a| a == origin) {
            return Ok(refusal(
                StatusCode::FORBIDDEN,
                format!("origin {origin:?} may not post batches here"),
            ));
        }
    }
    let json_body = header("content-type")
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return Ok(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "batches are application/json".into(),
        ));
    }
    if !st.site_keys.is_empty() {
        let sent = header("x-site-key").unwrap_or("").as_bytes();
        // Compared in time independent of where the bytes differ.
        let same = |k: &str| {
            k.len() == sent.len() && k.bytes().zip(sent).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        };
        if !st.site_keys.iter().any(|(_, k)| same(k)) {
            return Ok(refusal(
                StatusCode::UNAUTHORIZED,
                "X-Site-Key missing or unknown: this collector takes batches from its partner sites only".into(),
            ));
        }
    }
    let Ok(bytes) = axum::body::to_bytes(body, st.max_body).await else {
        return Ok(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a batch body is at most {} bytes", st.max_body),
        ));
    };
    let idempotency = header("idempotency-key").map(str::to_string);
    let st = Arc::clone(st);
    let work = tokio::task::spawn_blocking(move || -> Result<Answer> {
        let known = st.known()?;
        let now_ms = now_ms();
        let mut batch = match crate::sync::parse_batch(
            &bytes,
            idempotency.as_deref(),
            &known,
            &st.points,
            &st.limits,
            now_ms,
        ) {
            Err(refused) => {
                return Ok((
                    StatusCode::BAD_REQUEST,
                    Ack {
                        rejected: refused.rejected,
                        error: Some(refused.error),
                        ..Ack::default()
                    },
                    None,
                ))
            }
            Ok(batch) => batch,
        };
        let rows = batch.rows.len().max(1) as f64;
        let device = batch.device_id.clone();
        if let Err(wait) = st
            .devices
            .lock()
            .map_err(|_| poisoned())?
            .take(&device, rows, now)
        {
            return Ok(too_many(&format!("device {device:?}"), wait));
        }
        // New brands past the device's day: reserve what the batch may add, give back what
        // it did not use.
        let day = now_ms.div_euclid(86_400_000);
        let max = st.limits.new_brands_per_device_day;
        let want = batch
            .brands
            .iter()
            .filter(|b| !known.brands.contains(&key(&b.name)))
            .count();
        let got = st
            .new_brands
            .lock()
            .map_err(|_| poisoned())?
            .reserve(&device, day, want, max);
        let reason = format!("new brands: at most {max} per device a day");
        let kept = crate::sync::cap_new_brands(&mut batch, &known, got, &reason);
        if let Ok(mut counts) = st.new_brands.lock() {
            counts.release(&device, day, got - kept);
        }
        let mut ack = st
            .db
            .lock()
            .map_err(|_| poisoned())?
            .store(&batch, now_ms)?;
        st.remember_brands(&batch.brands);
        ack.rejected = batch.rejected;
        Ok((StatusCode::OK, ack, None))
    })
    .await;
    work.map_err(|e| Error::Database {
        path: "<collector>".into(),
        message: format!("request task failed: {e}"),
        source: Some(Box::new(e)),
    })?
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn serve(opts: &ServeOptions) -> Result<()> {
    let durability = Db::open(&opts.db)?.durability()?;
    let app = app(opts)?;
    let addr = opts.addr.clone();
    let rt = tokio::runtime::Runtime::new().map_err(|e| Error::io(&addr, e))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| Error::io(&addr, e))?;
        println!("serving influence-rec on http://{addr}/ (Ctrl-C to stop)");
        println!(
            "collector: {} (SQLite journal_mode={}, synchronous={})",
            opts.db.display(),
            durability.0,
            durability.1
        );
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let term = async {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(_) => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term => {}
            }
        })
        .await
        .map_err(|e| Error::io(&addr, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_opened_in_wal_mode_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).unwrap();
        // synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        assert_eq!(db.durability().unwrap(), ("wal".to_string(), 2));
        // WAL is a property of the file: a plain connection sees it too.
        let other = Connection::open(dir.path().join("c.db")).unwrap();
        let mode: String = other
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
