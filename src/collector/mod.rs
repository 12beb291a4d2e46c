//! The collector: interaction batches from browsers come home into a database, and one
//! server serves the page, pkg/ and the current bundle beside the batch endpoint. Native only
//! (an edge of the crate: files, network, database).
//!
//! Storage is a trait with two backends ([`storage`]): SQLite (the default; one process) and
//! PostgreSQL (several `serve` instances behind a load balancer on one database). Both keep
//! the same guarantees: every batch is one transaction, the answer is sent only after the
//! commit returned, so a crash or a kill at any moment loses no acknowledged row; the event
//! id is the primary key, so a repeated row (a retry after a lost answer, to any instance) is
//! stored once.

pub mod evidence;
pub mod limiter;
pub mod listen;
pub mod postgres;
pub mod retrain;
pub mod sqlite;
pub mod storage;
pub mod wire;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;
use storage::now_ms;
pub use storage::{block_on, redact, Storage, StoredRow, SCHEMA_VERSION};

use crate::bundle;
use crate::error::{Error, Result};
use crate::model::PointsConfig;
use crate::text::key;
use limiter::{Buckets, DailyCounts};
use wire::{Ack, BrandProfile, Known, Limits};

/// Which database a `--db` value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A SQLite file (created if absent).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl DbTarget {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else is a SQLite path
    /// (`sqlite://path` also names one).
    pub fn parse(s: &str) -> DbTarget {
        let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            DbTarget::Postgres(s.to_string())
        } else if let Some(path) = s.strip_prefix("sqlite://") {
            DbTarget::Sqlite(PathBuf::from(path))
        } else {
            DbTarget::Sqlite(PathBuf::from(s))
        }
    }

    /// For messages: the path, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            DbTarget::Sqlite(p) => p.display().to_string(),
            DbTarget::Postgres(url) => redact(url),
        }
    }

    /// Opens the database (applying migrations).
    pub async fn open(&self) -> Result<Arc<dyn Storage>> {
        Ok(match self {
            DbTarget::Sqlite(p) => Arc::new(SqliteStore::open(p)?),
            DbTarget::Postgres(url) => Arc::new(PgStore::open(url).await?),
        })
    }
}

impl std::str::FromStr for DbTarget {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(DbTarget::parse(s))
    }
}

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Folder holding www/ and pkg/.
    pub root: std::path::PathBuf,
    /// Where the published bundle (model.bundle, manifest.json, topk.json) lives when not in
    /// root/pkg (a data folder made by `init`); root/pkg still serves the wasm module.
    pub bundle_dir: Option<std::path::PathBuf>,
    /// Address to bind.
    pub addr: String,
    /// The database: a SQLite file or a PostgreSQL URL.
    pub db: DbTarget,
    /// Origins allowed to post batches from other sites (CORS); empty: same origin only.
    pub allow_origins: Vec<String>,
    /// Largest request body accepted, in bytes (larger gets 413).
    pub max_body: usize,
    /// Write keys by site name: when any is set, every batch must carry one of the keys in
    /// `X-Site-Key` (401 otherwise).
    pub site_keys: Vec<(String, String)>,
    /// Rates, bursts and caps.
    pub limits: Limits,
    /// Timeouts and connection caps.
    pub connections: listen::ConnectionLimits,
}

/// A published bundle's version, influencer name keys and brand name keys.
type PublishedNames = (String, std::collections::BTreeSet<String>, Vec<String>);

/// What the data knows, cached by bundle version.
struct KnownCache {
    version: String,
    /// Shared with the requests that read it: a batch clones a pointer, not the name sets.
    known: Arc<Known>,
}

struct State {
    storage: Arc<dyn Storage>,
    /// Origins besides the server's own that may post batches.
    allowed_origins: Vec<String>,
    pkg: std::path::PathBuf,
    points: PointsConfig,
    known: Mutex<KnownCache>,
    site_keys: Vec<(String, String)>,
    limits: Limits,
    max_body: usize,
    /// Requests by client address.
    addresses: Mutex<Buckets>,
    /// Rows by device id.
    devices: Mutex<Buckets>,
    /// Rows by client address (whatever device ids its batches name).
    address_rows: Mutex<Buckets>,
    /// New brands by device id and UTC day.
    new_brands: Mutex<DailyCounts>,
    /// The clock of the buckets.
    started: std::time::Instant,
    /// The database's address salt, read on the first batch.
    salt: tokio::sync::OnceCell<String>,
}

impl State {
    /// The influencer and brand names of the bundle now published (reloaded when the
    /// manifest names another version; without a manifest, when the bundle file's size or
    /// modification time changes) plus the new brands received so far (by any instance: they
    /// are read from the database when the bundle is loaded).
    async fn known(self: &Arc<Self>) -> Result<Arc<Known>> {
        let st = Arc::clone(self);
        // The bundle is read off the async workers (a file of megabytes, parsed).
        let loaded = tokio::task::spawn_blocking(move || st.published_names())
            .await
            .map_err(task_failed)??;
        let Some((version, influencers, brands)) = loaded else {
            return Ok(Arc::clone(
                &self.known.lock().map_err(|_| poisoned())?.known,
            ));
        };
        let stored = self.storage.brand_keys(None).await?;
        let known = Arc::new(Known {
            influencers,
            brands: brands.into_iter().chain(stored).collect(),
        });
        let mut cache = self.known.lock().map_err(|_| poisoned())?;
        cache.known = Arc::clone(&known);
        cache.version = version;
        Ok(known)
    }

    /// The published bundle's version and, when it is not the cached one, its influencer and
    /// brand name keys.
    fn published_names(&self) -> Result<Option<PublishedNames>> {
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
        if self.known.lock().map_err(|_| poisoned())?.version == version && !version.is_empty() {
            return Ok(None);
        }
        let bytes = std::fs::read(&b_path).map_err(|e| Error::io(&b_path, e))?;
        let (_, b) = bundle::read(&bytes, &b_path.display().to_string())?;
        let influencers = b
            .catalog
            .influencers()
            .iter()
            .map(|i| key(&i.name))
            .collect();
        let brands = b.catalog.brands().iter().map(|x| key(&x.name)).collect();
        Ok(Some((version, influencers, brands)))
    }

    fn remember_brands(&self, brands: &[BrandProfile]) {
        // Devices re-send a new brand's description with each batch of its rows: only a
        // brand not known yet changes the shared sets.
        self.remember_keys(brands.iter().map(|b| key(&b.name)));
    }

    /// Adds brand name keys to the known sets (copying them if a request holds them) and
    /// gives the sets back.
    fn remember_keys(&self, keys: impl IntoIterator<Item = String>) -> Option<Arc<Known>> {
        let mut cache = self.known.lock().ok()?;
        let new: Vec<String> = keys
            .into_iter()
            .filter(|k| !cache.known.brands.contains(k))
            .collect();
        if !new.is_empty() {
            Arc::make_mut(&mut cache.known).brands.extend(new);
        }
        Some(Arc::clone(&cache.known))
    }
}

fn task_failed(e: tokio::task::JoinError) -> Error {
    Error::Database {
        path: "<collector>".into(),
        message: format!("request task failed: {e}"),
        source: Some(Box::new(e)),
    }
}

fn poisoned() -> Error {
    Error::Database {
        path: "<collector>".into(),
        message: "a previous request failed while holding the lock".into(),
        source: None,
    }
}

/// The HTTP app: `POST /api/interactions`, `/pkg/*` and the page, storing into `storage`.
pub fn app(opts: &ServeOptions, storage: Arc<dyn Storage>) -> Result<axum::Router> {
    use axum::http::{header, HeaderValue, Method};
    use axum::routing::post;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeader;

    opts.limits.validate()?;
    opts.connections.validate()?;
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
        storage,
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
        address_rows: Mutex::new(Buckets::new(
            opts.limits.address_row_rate,
            opts.limits.address_row_burst,
            opts.limits.tracked_clients,
        )),
        new_brands: Mutex::new(DailyCounts::new(opts.limits.tracked_clients)),
        started: std::time::Instant::now(),
        salt: tokio::sync::OnceCell::new(),
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
    let (request_timeout, body_timeout) = opts.connections.layers();
    // /pkg: the published bundle's folder first, then the built module's.
    Ok(api
        .nest_service(
            "/pkg",
            static_files(ServeDir::new(published).fallback(ServeDir::new(pkg))),
        )
        .fallback_service(static_files(ServeDir::new(www)))
        .layer(body_timeout)
        .layer(request_timeout))
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
    let mut size = RequestSize(0);
    let (status, mut ack, wait) = match check_and_store(&st, &parts, body, &mut size).await {
        Ok(answer) => answer,
        Err(e) => refusal(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    // The request's size: its body (when read) and its headers; the answer stays within a
    // small multiple of it.
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let body = ack.to_json_within(Ack::budget(size.0 + header_bytes));
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Some(w) = wait {
        // Whole seconds, rounded up: never sooner than the bucket allows.
        let secs = (w.min(3600.0).ceil() as u64).max(1);
        if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
    }
    response
}

/// The bytes of a request's body, once read.
struct RequestSize(usize);

/// The client's address as the limiters key it ([`listen::address_key`]).
fn client_address(parts: &axum::http::request::Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".into(), |c| listen::address_key(c.0.ip()))
}

async fn check_and_store(
    st: &Arc<State>,
    parts: &axum::http::request::Parts,
    body: axum::body::Body,
    size: &mut RequestSize,
) -> Result<Answer> {
    use axum::http::StatusCode;

    let headers = &parts.headers;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = st.started.elapsed().as_secs_f64();
    // The socket's peer: behind a reverse proxy this is the proxy (limit there, too).
    let address = client_address(parts);
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
                format!("origin {} may not post batches here", wire::excerpt(origin)),
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
    let too_large = || {
        refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a batch body is at most {} bytes", st.max_body),
        )
    };
    // A declared length over the limit is answered at once, before any of the body is read
    // (hyper then closes the connection instead of reading the rest).
    let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > st.max_body as u64) {
        return Ok(too_large());
    }
    let bytes = match axum::body::to_bytes(body, st.max_body).await {
        Ok(bytes) => bytes,
        Err(e) if timed_out(&e) => {
            return Ok(refusal(
                StatusCode::REQUEST_TIMEOUT,
                "the body stalled past --body-timeout".into(),
            ))
        }
        Err(_) => return Ok(too_large()),
    };
    size.0 = bytes.len();
    let idempotency = header("idempotency-key").map(str::to_string);
    let now_ms = now_ms();
    let mut known = st.known().await?;
    let mut parsed = parse(st, &bytes, &idempotency, &known, now_ms).await?;
    // A brand this instance has not seen may have been described to another one (devices
    // send a new brand's profile with the batches of its first rows, which may have gone
    // elsewhere): look the unknown ones up in the database once before refusing their rows.
    if let Ok(batch) = &parsed {
        let unknown = unknown_brands(&bytes, batch);
        if !unknown.is_empty() {
            let found = st.storage.brand_keys(Some(&unknown)).await?;
            if !found.is_empty() {
                known = st.remember_keys(found).ok_or_else(poisoned)?;
                parsed = parse(st, &bytes, &idempotency, &known, now_ms).await?;
            }
        }
    }
    let mut batch = match parsed {
        Err(refused) => {
            let (status, max_rows) = match refused.kind {
                wire::RefusedAs::TooManyRows => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some(st.limits.rows_per_batch),
                ),
                _ => (StatusCode::BAD_REQUEST, None),
            };
            return Ok((
                status,
                Ack {
                    error: Some(refused.error),
                    batch_refused: refused.kind == wire::RefusedAs::Malformed,
                    max_rows,
                    ..Ack::default()
                },
                None,
            ));
        }
        Ok(batch) => batch,
    };
    let rows = batch.rows.len().max(1) as f64;
    let device = batch.device_id.clone();
    if let Err(wait) = st
        .address_rows
        .lock()
        .map_err(|_| poisoned())?
        .take(&address, rows, now)
    {
        return Ok(too_many(&format!("rows from address {address}"), wait));
    }
    if let Err(wait) = st
        .devices
        .lock()
        .map_err(|_| poisoned())?
        .take(&device, rows, now)
    {
        return Ok(too_many(
            &format!("device {}", wire::excerpt(&device)),
            wait,
        ));
    }
    // New brands past the device's day: reserve what the batch may add, give back what it did
    // not use.
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
    let kept = wire::cap_new_brands(&mut batch, &known, got, &reason);
    if let Ok(mut counts) = st.new_brands.lock() {
        counts.release(&device, day, got - kept);
    }
    // A profile of a brand the data or the database already has (under any spelling its key
    // matches: "ATLAS CO", "Atlas" + U+200B + " Co") is that brand, not a new one: not stored.
    batch
        .brands
        .retain(|b| !known.brands.contains(&key(&b.name)));
    let salt = st
        .salt
        .get_or_try_init(|| st.storage.address_salt())
        .await?;
    batch.source = source_hash(salt, &address);
    let mut ack = st.storage.store(&batch, now_ms).await?;
    st.remember_brands(&batch.brands);
    ack.rejected = batch.rejected;
    ack.rejected_without_id = batch.rejected_without_id;
    Ok((StatusCode::OK, ack, None))
}

/// Where a row came from, kept instead of the client's address: the first 128 bits of
/// SHA-256(salt, 0, address key), hex. The salt is secret to the database, so the hash links
/// rows of one address (to count distinct addresses behind a pair's evidence) without
/// storing the address, and no table built elsewhere reverses it.
pub fn source_hash(salt: &str, address: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(salt.as_bytes());
    h.update([0u8]);
    h.update(address.as_bytes());
    storage::hex(&h.finalize()[..16])
}

/// Whether reading a body failed on tower-http's body timeout (else: the size limit, or the
/// client went away).
fn timed_out(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Parses and checks a batch body off the async workers (up to `max_body` bytes of JSON).
async fn parse(
    st: &Arc<State>,
    bytes: &axum::body::Bytes,
    idempotency: &Option<String>,
    known: &Arc<Known>,
    now_ms: i64,
) -> Result<std::result::Result<wire::Batch, wire::Refused>> {
    let (st, bytes, idempotency, known) = (
        Arc::clone(st),
        bytes.clone(),
        idempotency.clone(),
        Arc::clone(known),
    );
    tokio::task::spawn_blocking(move || {
        wire::parse_batch(
            &bytes,
            idempotency.as_deref(),
            &known,
            &st.points,
            &st.limits,
            now_ms,
        )
    })
    .await
    .map_err(task_failed)
}

/// The name keys of the brands whose rows `batch` rejected as unknown (read again from the
/// body: the rejection keeps only the event id and the reason).
fn unknown_brands(body: &[u8], batch: &wire::Batch) -> Vec<String> {
    let ids: std::collections::BTreeSet<&str> = batch
        .rejected
        .iter()
        .filter(|r| r.reason.starts_with("unknown brand"))
        .map(|r| r.event_id.as_str())
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = v
        .get("rows")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| {
            r.get("event_id")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|id| ids.contains(id))
        })
        .filter_map(|r| r.get("brand").and_then(serde_json::Value::as_str).map(key))
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn serve(opts: &ServeOptions) -> Result<()> {
    let addr = opts.addr.clone();
    let rt = tokio::runtime::Runtime::new().map_err(|e| Error::io(&addr, e))?;
    rt.block_on(async move {
        let storage = opts.db.open().await?;
        let app = app(opts, Arc::clone(&storage))?;
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| Error::io(&addr, e))?;
        println!("serving influence-rec on http://{addr}/ (Ctrl-C to stop)");
        println!("collector: {}", storage.describe());
        println!(
            "connections: at most {} ({} per address); header {} s, body {} s, request {} s",
            listen::effective_max_connections(&opts.connections),
            opts.connections.max_connections_per_address,
            opts.connections.header_timeout,
            opts.connections.body_timeout,
            opts.connections.request_timeout
        );
        let shutdown = async {
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
        };
        listen::run(listener, app, opts.connections, shutdown).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_values_name_their_backend() {
        assert_eq!(
            DbTarget::parse("collector.db"),
            DbTarget::Sqlite("collector.db".into())
        );
        assert_eq!(
            DbTarget::parse("sqlite:///var/lib/c.db"),
            DbTarget::Sqlite("/var/lib/c.db".into())
        );
        for url in [
            "postgres://u@h/db",
            "postgresql://u@h:5433/db?sslmode=disable",
            "POSTGRES://u@h/db",
        ] {
            assert_eq!(DbTarget::parse(url), DbTarget::Postgres(url.into()));
        }
        // A file that merely starts like one is a file.
        assert_eq!(
            DbTarget::parse("postgres.db"),
            DbTarget::Sqlite("postgres.db".into())
        );
        assert_eq!(DbTarget::parse("é"), DbTarget::Sqlite("é".into()));
        assert_eq!(
            DbTarget::parse("postgres://a:b@h/d").display(),
            "postgres://a:***@h/d"
        );
    }
}
