//! The collector against the real server on loopback: idempotent batches, per-row rejection,
//! 413 for oversized bodies, and no acknowledged row lost or doubled when the server is
//! killed with SIGKILL while a client keeps retrying. Every test runs on both storage
//! backends (`sqlite::` and `postgres::` below): SQLite files, and PostgreSQL databases made
//! for each test on the cluster `INFLUENCE_REC_PG_URL` names (`.ci/test` starts a throwaway
//! one; see the README). Two `serve` instances on one PostgreSQL database, one killed
//! mid-stream: `two_instances_on_one_postgres_one_killed_mid_stream_store_every_row_once`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_influence-rec");

/// A served folder: a small generated dataset trained into pkg/, and an empty www/.
fn site() -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let run = |args: &[&str]| {
        let o = Command::new(BIN)
            .args(args)
            .current_dir(d)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&[
        "generate",
        "--influencers",
        "120",
        "--brands",
        "5",
        "--out",
        "data",
    ]);
    run(&["train", "--data", "data", "--out", "pkg/model.bundle"]);
    std::fs::create_dir_all(d.join("www")).expect("www");
    std::fs::write(d.join("www/index.html"), "<!doctype html><title>t</title>").expect("page");
    let names = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(d.join("data").join(file)).expect("table");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        r.records()
            .map(|x| x.expect("row")[0].to_string())
            .collect()
    };
    let (brands, influencers) = (names("brands.csv"), names("influencers.csv"));
    (dir, brands, influencers)
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(root: &Path, db: &str, port: u16, extra: &[&str]) -> Server {
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(BIN)
            .args(["serve", "--root"])
            .arg(root)
            .args(["--addr", &addr, "--db", db])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("server starts");
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "server did not come up");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, addr }
    }

    fn kill(mut self) {
        // SIGKILL: no chance to flush or finish anything.
        self.child.kill().expect("kill");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` as JSON over a fresh connection; `None` when the connection fails or drops.
fn post(addr: &str, body: &[u8], key: Option<&str>) -> Option<(u16, Value)> {
    post_with(addr, body, key, &[("Content-Type", "application/json")])
}

/// POSTs `body` with these headers (and Host, Content-Length, the key).
fn post_with(
    addr: &str,
    body: &[u8],
    key: Option<&str>,
    headers: &[(&str, &str)],
) -> Option<(u16, Value)> {
    send(addr, body, key, headers).map(|(status, _, v)| (status, v))
}

/// [`post_with`], also giving the answer's head.
fn send(
    addr: &str,
    body: &[u8],
    key: Option<&str>,
    headers: &[(&str, &str)],
) -> Option<(u16, String, Value)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = format!(
        "POST /api/interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(k) = key {
        head.push_str(&format!("Idempotency-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    // A refused oversized body may close the connection before all of it is written.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let text = String::from_utf8_lossy(&out);
    let status: u16 = text.split(' ').nth(1)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Some((
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    ))
}

/// `serve` flags that lift the rate limits (for tests about other things that post fast).
const NO_RATE_LIMITS: &[&str] = &["--address-rate", "0", "--device-rate", "0"];

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

fn batch(id: &str, rows: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": id, "device_id": "test",
        "sent_at_ms": now_ms(),
        "brands": [{"name": "Trail Gear", "description": "hiking boots"}],
        "rows": rows
    }))
    .expect("json")
}

fn row(id: &str, brand: &str, influencer: &str, kind: &str, points: f64) -> Value {
    json!({"event_id": id, "brand": brand, "influencer": influencer, "kind": kind, "points": points, "timestamp_ms": now_ms()})
}

/// The storage backends every test runs on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database of one backend for one test: a SQLite file in the test's folder, or a
/// PostgreSQL database created on the cluster `INFLUENCE_REC_PG_URL` names (dropped at the
/// end, with any connection left).
struct TestDb {
    /// The `--db` value for a process started anywhere (absolute path, or URL).
    arg: String,
    /// The `--db` value for a command run in the test's folder (`c.db`, or the URL): what
    /// retrain prints as the place of its state.
    rel: String,
    /// Where retrain keeps its trainer state and publish record, relative to the folder
    /// (`c.db` for SQLite; the bundle `pkg/model.bundle` for PostgreSQL).
    beside: &'static str,
    pg: Option<(String, String)>,
}

static PG_DATABASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs SQL (simple protocol, any statements) on the database `url` names; the rows of its
/// results as text.
fn pg_sql(url: &str, sql: &str) -> Vec<Vec<String>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        let task = tokio::spawn(conn);
        let out = client
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                    (0..r.len())
                        .map(|i| r.get(i).unwrap_or("").to_string())
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        drop(client);
        let _ = task.await;
        out
    })
}

/// Runs SQL on the test cluster's `postgres` database.
fn pg_admin(sql: &str) {
    pg_sql(&pg_url(), sql);
}

fn pg_url() -> String {
    std::env::var("INFLUENCE_REC_PG_URL").unwrap_or_else(|_| {
        panic!(
            "INFLUENCE_REC_PG_URL is not set: the PostgreSQL variants of the collector tests need \
             a cluster (`.ci/test` starts a throwaway one; by hand: `source .ci/lib.sh; source \
             .ci/pg.sh; pg_start` in the shell that runs cargo test), or skip them with \
             `cargo test -- --skip postgres::`"
        )
    })
}

impl TestDb {
    fn new(backend: Backend, dir: &Path, file: &'static str) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                arg: dir.join(file).display().to_string(),
                rel: file.to_string(),
                beside: file,
                pg: None,
            },
            Backend::Postgres => {
                let admin = pg_url();
                let n = PG_DATABASES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let name = format!("ir_test_{}_{n}", std::process::id());
                pg_admin(&format!("CREATE DATABASE {name}"));
                let (base, _) = admin.rsplit_once('/').expect("a URL ending in /database");
                let url = format!("{base}/{name}");
                TestDb {
                    arg: url.clone(),
                    rel: url,
                    beside: "pkg/model.bundle",
                    pg: Some((admin, name)),
                }
            }
        }
    }

    /// The stored event ids, sorted, read through the library (either backend).
    fn stored(&self) -> Vec<String> {
        let target = influence_rec::collector::DbTarget::parse(&self.arg);
        let rows = influence_rec::collector::block_on(async { target.open().await?.rows().await })
            .expect("rows");
        let mut ids: Vec<String> = rows.into_iter().map(|r| r.row.event_id).collect();
        ids.sort();
        ids
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((_, name)) = &self.pg {
            pg_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs each named test (a `fn(Backend)`) once per backend, as `sqlite::name` and
/// `postgres::name`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(super::Backend::Postgres) })*
        }
    };
}

on_both_backends!(
    a_batch_posted_twice_is_stored_once_and_bad_rows_are_reported_one_by_one,
    an_oversized_body_gets_413_and_nothing_is_stored,
    killed_mid_stream_every_acknowledged_row_is_stored_exactly_once,
    retrain_publishes_warm_starts_while_the_vocabulary_holds_and_refits_when_it_changes,
    only_the_own_or_an_allowed_origin_may_write_and_only_json_with_its_key,
    a_flooding_address_or_device_gets_429_with_retry_after_while_others_write,
    new_brands_per_device_day_and_site_keys_are_enforced,
    retrain_scores_only_rows_neither_bundle_learned_from_and_keeps_the_bundle_when_too_few_or_worse,
    a_newer_schema_is_refused_at_start,
);

/// A free loopback port (the OS's choice; the tests of both backends run side by side).
fn port(_n: u16) -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn ids(v: &Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_str().expect("id").to_string())
        .collect()
}

fn a_batch_posted_twice_is_stored_once_and_bad_rows_are_reported_one_by_one(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(0), &[]);
    let body = batch(
        "b1",
        vec![
            row("e1", &brands[0], &infs[0], "click", 1.0),
            row("e2", "Trail Gear", &infs[1], "pairing", 0.0),
            row("e3", &brands[0], "no such influencer", "click", 1.0),
            row("e4", "No Such Brand", &infs[0], "click", 1.0),
            row("e5", &brands[1], &infs[2], "collaboration", 10.0),
        ],
    );
    let (status, first) = post(&server.addr, &body, Some("b1")).expect("answer");
    assert_eq!(status, 200, "{first}");
    assert_eq!(ids(&first, "accepted"), ["e1", "e2", "e5"]);
    let rejected: Vec<(String, String)> = first["rejected"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["event_id"].as_str().unwrap_or("").into(),
                r["reason"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        rejected[0],
        (
            "e3".into(),
            "unknown influencer \"no such influencer\"".into()
        )
    );
    assert_eq!(rejected[1].0, "e4");
    assert!(rejected[1].1.starts_with("unknown brand \"No Such Brand\""));
    let (status, again) = post(&server.addr, &body, Some("b1")).expect("answer");
    assert_eq!(status, 200);
    assert!(ids(&again, "accepted").is_empty());
    assert_eq!(ids(&again, "duplicates"), ["e1", "e2", "e5"]);
    assert_eq!(db.stored(), ["e1", "e2", "e5"]);
    // A new brand received once is known to later batches without its description.
    let later = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "b2",
        "rows": [row("e6", "trail gear", &infs[3], "check_info", 2.0)]
    }))
    .expect("json");
    let (status, ack) = post(&server.addr, &later, Some("b2")).expect("answer");
    assert_eq!(
        (status, ids(&ack, "accepted")),
        (200, vec!["e6".to_string()])
    );
    // A malformed envelope: 400, every row named with the reason.
    let mut bad: Value = serde_json::from_slice(&body).expect("json");
    bad["version"] = json!(99);
    let (status, ack) = post(
        &server.addr,
        &serde_json::to_vec(&bad).expect("json"),
        Some("b1"),
    )
    .expect("answer");
    assert_eq!(status, 400);
    assert_eq!(ack["error"], "version: expected 1, found Some(99)");
    assert_eq!(ack["rejected"].as_array().map(Vec::len), Some(5));
    let (status, _) = post(&server.addr, b"{not json", None).expect("answer");
    assert_eq!(status, 400);
    let (status, _) = post(&server.addr, &body, Some("another key")).expect("answer");
    assert_eq!(status, 400, "the idempotency key must be the batch id");
    assert_eq!(db.stored().len(), 4);
}

fn an_oversized_body_gets_413_and_nothing_is_stored(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(1), &["--max-body", "4096"]);
    let rows: Vec<Value> = (0..100)
        .map(|i| row(&format!("big-{i:03}"), &brands[0], &infs[0], "click", 1.0))
        .collect();
    let body = batch("big", rows);
    assert!(body.len() > 4096);
    let (status, _) = post(&server.addr, &body, Some("big")).expect("answer");
    assert_eq!(status, 413);
    let small = batch("small", vec![row("s1", &brands[0], &infs[0], "click", 1.0)]);
    assert_eq!(
        post(&server.addr, &small, Some("small")).expect("answer").0,
        200
    );
    assert_eq!(db.stored(), ["s1"]);
}

fn killed_mid_stream_every_acknowledged_row_is_stored_exactly_once(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let p = port(2);
    let server = Server::start(site.path(), &db.arg, p, NO_RATE_LIMITS);
    let addr = server.addr.clone();
    // The client: 300 batches of 25 rows, each re-sent (same key, same rows) until answered.
    const BATCHES: usize = 300;
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = {
        let (brands, infs) = (brands.clone(), infs.clone());
        let progress = progress.clone();
        std::thread::spawn(move || {
            let mut acked = Vec::new();
            let mut retries = 0u32;
            for b in 0..BATCHES {
                let rows: Vec<Value> = (0..25)
                    .map(|i| {
                        row(
                            &format!("k{b:02}-{i:02}"),
                            &brands[(b + i) % brands.len()],
                            &infs[(b * 7 + i) % infs.len()],
                            "click",
                            1.0,
                        )
                    })
                    .collect();
                let body = batch(&format!("batch-{b}"), rows);
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    match post(&addr, &body, Some(&format!("batch-{b}"))) {
                        Some((200, ack)) => {
                            acked.extend(ids(&ack, "accepted"));
                            acked.extend(ids(&ack, "duplicates"));
                            progress.store(b + 1, std::sync::atomic::Ordering::SeqCst);
                            break;
                        }
                        _ => {
                            retries += 1;
                            assert!(Instant::now() < deadline, "batch {b} never acknowledged");
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            }
            (acked, retries)
        })
    };
    // Kill the server twice while batches are in flight, restarting it on the same port and
    // database each time.
    let wait_for = |n: usize| {
        while progress.load(std::sync::atomic::Ordering::SeqCst) < n {
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    wait_for(50);
    server.kill();
    std::thread::sleep(Duration::from_millis(200));
    let server = Server::start(site.path(), &db.arg, p, NO_RATE_LIMITS);
    wait_for(150);
    server.kill();
    std::thread::sleep(Duration::from_millis(100));
    let _server = Server::start(site.path(), &db.arg, p, NO_RATE_LIMITS);
    let (mut acked, retries) = client.join().expect("client");
    assert!(retries > 0, "the kills interrupted the client");
    acked.sort();
    acked.dedup();
    assert_eq!(
        acked.len(),
        BATCHES * 25,
        "every batch was acknowledged in the end"
    );
    let got = db.stored();
    assert_eq!(
        got, acked,
        "every acknowledged row stored, exactly once (the key is unique)"
    );
    if backend == Backend::Sqlite {
        let c = rusqlite::Connection::open(&db.arg).expect("db");
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(ok, "ok");
    }
}

/// Stores rows straight into the collector's database (as the server would).
fn store(db: &TestDb, body: &[u8], brands: &[String], infs: &[String]) {
    use influence_rec::sync::{parse_batch, Known};
    let known = Known {
        influencers: infs.iter().map(|n| influence_rec::text::key(n)).collect(),
        brands: brands.iter().map(|n| influence_rec::text::key(n)).collect(),
    };
    let v: Value = serde_json::from_slice(body).expect("json");
    let id = v["batch_id"].as_str().expect("batch id");
    let batch = parse_batch(
        body,
        Some(id),
        &known,
        &Default::default(),
        &Default::default(),
        now_ms(),
    )
    .expect("batch");
    assert!(batch.rejected.is_empty(), "{:?}", batch.rejected);
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    influence_rec::collector::block_on(async {
        target.open().await?.store(&batch, now_ms()).await
    })
    .expect("stored");
}

fn retrain_publishes_warm_starts_while_the_vocabulary_holds_and_refits_when_it_changes(
    backend: Backend,
) {
    let (site, brands, infs) = site();
    let d = site.path();
    let db = TestDb::new(backend, d, "c.db");
    let run = || {
        Command::new(BIN)
            .args([
                "retrain",
                "--data",
                "data",
                "--db",
                &db.rel,
                "--out",
                "pkg/model.bundle",
                "--min-holdout",
                "1",
            ])
            .current_dir(d)
            .output()
            .expect("runs")
    };
    let retrain = || -> String {
        let o = run();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let manifest = || -> String {
        let m: Value =
            serde_json::from_slice(&std::fs::read(d.join("pkg/manifest.json")).expect("m"))
                .expect("json");
        m["version"].as_str().expect("version").to_string()
    };
    let rows = |tag: &str, brand: &str| -> Vec<Value> {
        (0..8)
            .map(|i| {
                row(
                    &format!("{tag}{i}"),
                    brand,
                    &infs[(i * 11) % infs.len()],
                    "collaboration",
                    10.0,
                )
            })
            .collect()
    };
    store(&db, &batch("r1", rows("a", &brands[0])), &brands, &infs);
    let v0 = manifest();
    let out = retrain();
    assert!(
        out.contains("factorization: full refit (no trainer state yet)"),
        "{out}"
    );
    assert!(out.contains("new bundle:       NDCG@10"), "{out}");
    assert!(out.contains("published bundle: NDCG@10"), "{out}");
    assert!(out.contains("\npublished "), "{out}");
    assert_ne!(manifest(), v0);
    assert!(
        d.join(format!("{}.trainer", db.beside)).exists(),
        "the trainer state is kept for the next retrain"
    );
    // More rows from known brands: same vocabularies, so training continues from the state.
    store(&db, &batch("r2", rows("b", &brands[1])), &brands, &infs);
    let out = retrain();
    assert!(
        out.contains(&format!(
            "factorization: warm start from {}.trainer (fit_partial, 10 epochs)",
            db.beside
        )),
        "{out}"
    );
    // A new brand adds an identity feature: the vocabulary changed, so a full refit.
    let new_brand = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "r3",
        "brands": [{"name": "Peak Outfitters", "description": "climbing gear"}],
        "rows": rows("c", "Peak Outfitters")
    }))
    .expect("json");
    store(&db, &new_brand, &brands, &infs);
    let out = retrain();
    assert!(
        out.contains("factorization: full refit (the brands' features changed"),
        "{out}"
    );
    let b = std::fs::read(d.join("pkg/model.bundle")).expect("bundle");
    let (_, b) = influence_rec::bundle::read(&b, "model.bundle").expect("loads");
    assert!(
        b.catalog
            .brands()
            .iter()
            .any(|x| x.name == "Peak Outfitters"),
        "the new brand its rows name is in the data now"
    );
    assert!(
        !b.catalog.brands().iter().any(|x| x.name == "Trail Gear"),
        "a profile no row named was never stored"
    );
    // A trainer state that is not one is refused with a typed error naming the file.
    std::fs::write(d.join(format!("{}.trainer", db.beside)), b"garbage").expect("write");
    let o = run();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!(
        "{}.trainer: not an influence-rec bundle",
        db.beside
    )));
}

fn only_the_own_or_an_allowed_origin_may_write_and_only_json_with_its_key(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(5),
        &["--allow-origin", "https://partner.example"],
    );
    let one = |id: &str| batch(id, vec![row(id, &brands[0], &infs[0], "click", 1.0)]);
    let json = ("Content-Type", "application/json");
    // Another site: refused before anything is read.
    let (status, ack) = post_with(
        &server.addr,
        &one("evil"),
        Some("evil"),
        &[json, ("Origin", "https://evil.example")],
    )
    .expect("answer");
    assert_eq!(status, 403, "{ack}");
    // A "simple" cross-site request (no preflight): text/plain is not taken.
    let (status, _) = post_with(
        &server.addr,
        &one("plain"),
        Some("plain"),
        &[
            ("Content-Type", "text/plain"),
            ("Origin", "https://evil.example"),
        ],
    )
    .expect("answer");
    assert_eq!(status, 403);
    let (status, _) = post_with(
        &server.addr,
        &one("plain2"),
        Some("plain2"),
        &[("Content-Type", "text/plain;charset=UTF-8")],
    )
    .expect("answer");
    assert_eq!(status, 415);
    // No key: refused.
    assert_eq!(
        post(&server.addr, &one("nokey"), None).expect("answer").0,
        400
    );
    // The allowed partner, the server's own origin, and no Origin (not a browser) write.
    let own = format!("http://{}", server.addr);
    for (id, origin) in [
        ("partner", Some("https://partner.example")),
        ("own", Some(own.as_str())),
        ("cli", None),
    ] {
        let mut h = vec![("Content-Type", "application/json; charset=utf-8")];
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        let (status, ack) = post_with(&server.addr, &one(id), Some(id), &h).expect("answer");
        assert_eq!(status, 200, "{id}: {ack}");
    }
    assert_eq!(db.stored(), ["cli", "own", "partner"]);
}

fn device_batch(id: &str, device: &str, brands: Vec<Value>, rows: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": id,
        "device_id": device, "sent_at_ms": now_ms(), "brands": brands, "rows": rows
    }))
    .expect("json")
}

fn a_flooding_address_or_device_gets_429_with_retry_after_while_others_write(backend: Backend) {
    let (site, brands, infs) = site();
    // Per address: a burst of 5, then one a second.
    let db = TestDb::new(backend, site.path(), "a.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(6),
        &["--address-rate", "1", "--address-burst", "5"],
    );
    let one = |id: &str, device: &str| {
        device_batch(
            id,
            device,
            vec![],
            vec![row(id, &brands[0], &infs[0], "click", 1.0)],
        )
    };
    for i in 0..5 {
        let id = format!("a{i}");
        let (status, _, ack) = send(
            &server.addr,
            &one(&id, "d"),
            Some(&id),
            &[("Content-Type", "application/json")],
        )
        .expect("answer");
        assert_eq!(status, 200, "{ack}");
    }
    let (status, head, ack) = send(
        &server.addr,
        &one("a5", "d"),
        Some("a5"),
        &[("Content-Type", "application/json")],
    )
    .expect("answer");
    assert_eq!(status, 429, "{ack}");
    assert!(head.contains("\r\nretry-after: 1"), "{head}");
    assert_eq!(db.stored(), ["a0", "a1", "a2", "a3", "a4"]);
    drop(server);

    // Per device: 30 rows in a burst, one a second after; another device is not affected.
    let db = TestDb::new(backend, site.path(), "d.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(7),
        &[
            "--address-rate",
            "0",
            "--device-rate",
            "1",
            "--device-burst",
            "30",
        ],
    );
    let rows = |prefix: &str| -> Vec<Value> {
        (0..25)
            .map(|i| {
                row(
                    &format!("{prefix}{i:02}"),
                    &brands[0],
                    &infs[i],
                    "click",
                    1.0,
                )
            })
            .collect()
    };
    let json_ct = [("Content-Type", "application/json")];
    let post_rows = |id: &str, device: &str| {
        send(
            &server.addr,
            &device_batch(id, device, vec![], rows(id)),
            Some(id),
            &json_ct,
        )
        .expect("answer")
    };
    assert_eq!(post_rows("x", "flood").0, 200);
    let (status, head, _) = post_rows("y", "flood");
    assert_eq!(status, 429);
    // 25 rows wanted, 5 tokens left at one a second: 20 s.
    assert!(head.contains("\r\nretry-after: 20"), "{head}");
    assert_eq!(post_rows("z", "honest").0, 200);
    let got = db.stored();
    assert_eq!(got.len(), 50);
    assert!(got.iter().all(|id| !id.starts_with('y')));
}

fn new_brands_per_device_day_and_site_keys_are_enforced(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let key = "0123456789abcdef-partner";
    let server = Server::start(
        site.path(),
        &db.arg,
        port(8),
        &[
            "--new-brands-per-device-day",
            "2",
            "--site-key",
            &format!("partner={key}"),
        ],
    );
    let body = device_batch(
        "b1",
        "dev",
        (0..3)
            .map(|i| json!({"name": format!("Brand New {i}")}))
            .collect(),
        (0..3)
            .map(|i| {
                row(
                    &format!("n{i}"),
                    &format!("Brand New {i}"),
                    &infs[i],
                    "pairing",
                    0.0,
                )
            })
            .chain([row("known", &brands[0], &infs[0], "click", 1.0)])
            .collect(),
    );
    let json_ct = ("Content-Type", "application/json");
    // No key, a wrong key: 401, nothing stored.
    for h in [
        vec![json_ct],
        vec![json_ct, ("X-Site-Key", "0123456789abcdef-wrong!!")],
    ] {
        let (status, ack) = post_with(&server.addr, &body, Some("b1"), &h).expect("answer");
        assert_eq!(status, 401, "{ack}");
    }
    assert!(db.stored().is_empty());
    let with_key = [json_ct, ("X-Site-Key", key)];
    let (status, ack) = post_with(&server.addr, &body, Some("b1"), &with_key).expect("answer");
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ids(&ack, "accepted"), ["n0", "n1", "known"]);
    assert_eq!(ack["rejected"][0]["event_id"], "n2");
    assert_eq!(
        ack["rejected"][0]["reason"],
        "new brands: at most 2 per device a day"
    );
    // The day's allowance is spent: a fourth new brand is refused; a brand already added
    // (re-sent with its next rows) is not new and passes.
    let more = device_batch(
        "b2",
        "dev",
        vec![
            json!({"name": "Brand New 3"}),
            json!({"name": "Brand New 0"}),
        ],
        vec![
            row("n3", "Brand New 3", &infs[3], "pairing", 0.0),
            row("n0b", "Brand New 0", &infs[4], "click", 1.0),
        ],
    );
    let (status, ack) = post_with(&server.addr, &more, Some("b2"), &with_key).expect("answer");
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ids(&ack, "accepted"), ["n0b"]);
    assert_eq!(ack["rejected"][0]["event_id"], "n3");
    // Another device has its own allowance.
    let other = device_batch(
        "b3",
        "other",
        vec![json!({"name": "Brand New 3"})],
        vec![row("n3", "Brand New 3", &infs[3], "pairing", 0.0)],
    );
    let (status, ack) = post_with(&server.addr, &other, Some("b3"), &with_key).expect("answer");
    assert_eq!(
        (status, ids(&ack, "accepted")),
        (200, vec!["n3".to_string()])
    );
}

fn retrain_scores_only_rows_neither_bundle_learned_from_and_keeps_the_bundle_when_too_few_or_worse(
    backend: Backend,
) {
    let (site, brands, infs) = site();
    let d = site.path();
    let db = TestDb::new(backend, d, "c.db");
    let retrain = |extra: &[&str]| -> String {
        let o = Command::new(BIN)
            .args([
                "retrain",
                "--data",
                "data",
                "--db",
                &db.rel,
                "--out",
                "pkg/model.bundle",
            ])
            .args(extra)
            .current_dir(d)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let bundle_bytes = || std::fs::read(d.join("pkg/model.bundle")).expect("bundle");
    let t0 = now_ms() - 3_600_000;
    let timed = |id: String, brand: &str, inf: &str, kind: &str, points: f64, ts: i64| json!({"event_id": id, "brand": brand, "influencer": inf, "kind": kind, "points": points, "timestamp_ms": ts});
    let rows: Vec<Value> = (0..30)
        .map(|i| {
            timed(
                format!("a{i:02}"),
                &brands[i % 2],
                &infs[(i * 7) % infs.len()],
                "click",
                1.0,
                t0 + i as i64,
            )
        })
        .collect();
    store(&db, &batch("r1", rows), &brands, &infs);
    // The bundle `train` wrote learned from no collected row: all 30 are fair to score on.
    let out = retrain(&["--min-holdout", "5"]);
    assert!(
        out.contains("30 since the published bundle was trained; holding out the newest 6"),
        "{out}"
    );
    assert!(out.contains("published bundle: NDCG@10"), "{out}");
    assert!(out.contains("\npublished "), "{out}");
    let record: Value = serde_json::from_slice(
        &std::fs::read(d.join(format!("{}.published", db.beside))).expect("record"),
    )
    .expect("json");
    assert_eq!(record["format"], "influence-rec/retrain-record");
    let published = bundle_bytes();
    // Nothing new since: the published bundle trained on every row, so nothing is fair to
    // compare on; it is kept (before: it was scored on rows it had trained on, and won).
    let out = retrain(&[]);
    assert!(
        out.contains("0 since the published bundle was trained"),
        "{out}"
    );
    assert!(
        out.contains("too few new interactions to compare fairly: 0 held out, --min-holdout is 20"),
        "{out}"
    );
    assert!(
        out.contains("not published: keeping the published bundle"),
        "{out}"
    );
    assert_eq!(bundle_bytes(), published);
    let out = retrain(&["--force"]);
    assert!(out.contains("\npublished "), "{out}");

    // Worse: the newest interactions are with the published bundle's own top influencers for
    // a brand, the older new ones pull the candidate elsewhere (collaborations with others).
    let (_, b) = influence_rec::bundle::read(&bundle_bytes(), "model.bundle").expect("bundle");
    let rec = b.recommender("model.bundle").expect("rec");
    let brand = &brands[2];
    let req = influence_rec::rank::RankRequest {
        by: influence_rec::rank::RankBy::Ranker,
        ..Default::default()
    };
    let ranking = rec
        .rank(influence_rec::rank::Who::Known(brand), infs.len(), &req)
        .expect("ranks");
    let order: Vec<String> = ranking
        .recommendations
        .iter()
        .map(|r| r.name.clone())
        .collect();
    let t1 = now_ms() - 60_000;
    let mut rows: Vec<Value> = order[order.len() - 40..]
        .iter()
        .enumerate()
        .map(|(i, inf)| {
            timed(
                format!("w{i:02}"),
                brand,
                inf,
                "collaboration",
                10.0,
                t1 + i as i64,
            )
        })
        .collect();
    rows.extend((0..10).map(|i| {
        timed(
            format!("x{i:02}"),
            brand,
            &order[i],
            "click",
            1.0,
            t1 + 100 + i as i64,
        )
    }));
    store(&db, &batch("r2", rows), &brands, &infs);
    let published = bundle_bytes();
    let out = retrain(&["--min-holdout", "5"]);
    assert!(
        out.contains("50 since the published bundle was trained; holding out the newest 10"),
        "{out}"
    );
    assert!(
        out.contains("not published: the new bundle scores worse"),
        "{out}"
    );
    assert_eq!(bundle_bytes(), published);
}

/// The schema check: a database whose schema is newer than this build's is refused at start,
/// naming the versions, on both backends; an older build's database (here: the current one,
/// reopened) is accepted as it is.
fn a_newer_schema_is_refused_at_start(backend: Backend) {
    let (site, _, _) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    influence_rec::collector::block_on(async { target.open().await.map(|_| ()) }).expect("opens");
    influence_rec::collector::block_on(async { target.open().await.map(|_| ()) })
        .expect("opens again (migrations already applied)");
    match backend {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(&db.arg).expect("db");
            c.pragma_update(None, "user_version", 2).expect("bump");
        }
        Backend::Postgres => {
            pg_sql(
                &db.arg,
                "INSERT INTO influence_rec_schema (version, applied_ms, writer) VALUES (2, 0, 'a later build')",
            );
        }
    }
    let o = Command::new(BIN)
        .args(["serve", "--root"])
        .arg(site.path())
        .args(["--addr", &format!("127.0.0.1:{}", port(0)), "--db", &db.arg])
        .output()
        .expect("runs");
    assert!(!o.status.success(), "a newer schema must not be served");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("schema version 2 is newer than this build's 1"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Two `serve` instances on one PostgreSQL database behind a "load balancer" of clients: each
/// batch goes to one instance and, until it is answered, is retried on the other; one instance
/// is SIGKILLed mid-stream and restarted, then the other. Afterwards every row is stored
/// exactly once, every acknowledged row is stored, and no row was reported as stored now
/// (`accepted`) by two answers.
#[test]
fn two_instances_on_one_postgres_one_killed_mid_stream_store_every_row_once() {
    let (site, brands, infs) = site();
    let db = TestDb::new(Backend::Postgres, site.path(), "c.db");
    let ports = [port(0), port(1)];
    // Both instances start together on a fresh database: the migration runs once.
    let mut servers = [
        Some(Server::start(
            site.path(),
            &db.arg,
            ports[0],
            NO_RATE_LIMITS,
        )),
        Some(Server::start(
            site.path(),
            &db.arg,
            ports[1],
            NO_RATE_LIMITS,
        )),
    ];
    const CLIENTS: usize = 4;
    const BATCHES: usize = 80;
    const ROWS: usize = 20;
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (brands, infs, progress) = (brands.clone(), infs.clone(), progress.clone());
            std::thread::spawn(move || {
                let (mut accepted, mut duplicates, mut retries) = (Vec::new(), Vec::new(), 0u32);
                for b in 0..BATCHES {
                    let id = format!("c{c}-b{b:03}");
                    let rows: Vec<Value> = (0..ROWS)
                        .map(|i| {
                            row(
                                &format!("{id}-{i:02}"),
                                &brands[(b + i) % brands.len()],
                                &infs[(c * 31 + b * 7 + i) % infs.len()],
                                "click",
                                1.0,
                            )
                        })
                        .collect();
                    let mut body: Value = serde_json::from_slice(&batch(&id, rows)).expect("json");
                    body["device_id"] = json!(format!("client-{c}"));
                    let body = serde_json::to_vec(&body).expect("json");
                    let deadline = Instant::now() + Duration::from_secs(60);
                    // Spread over both; a failed try moves to the other instance.
                    let mut target = (b + c) % 2;
                    loop {
                        let addr = format!("127.0.0.1:{}", ports[target]);
                        match post(&addr, &body, Some(&id)) {
                            Some((200, ack)) => {
                                accepted.extend(ids(&ack, "accepted"));
                                duplicates.extend(ids(&ack, "duplicates"));
                                progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                break;
                            }
                            _ => {
                                retries += 1;
                                assert!(Instant::now() < deadline, "batch {id} never acknowledged");
                                target = 1 - target;
                                std::thread::sleep(Duration::from_millis(10));
                            }
                        }
                    }
                }
                (accepted, duplicates, retries)
            })
        })
        .collect();
    let wait_for = |n: usize| {
        while progress.load(std::sync::atomic::Ordering::SeqCst) < n {
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let total = CLIENTS * BATCHES;
    // Kill instance 0 a quarter of the way in, restart it; kill instance 1 at 60%, restart.
    let mut kills = 0;
    for (at, which) in [(total / 4, 0usize), (total * 3 / 5, 1usize)] {
        wait_for(at);
        servers[which].take().expect("running").kill();
        kills += 1;
        std::thread::sleep(Duration::from_millis(300));
        servers[which] = Some(Server::start(
            site.path(),
            &db.arg,
            ports[which],
            NO_RATE_LIMITS,
        ));
    }
    let (mut accepted, mut duplicates, mut retries) = (Vec::new(), Vec::new(), 0);
    for c in clients {
        let (a, d, r) = c.join().expect("client");
        accepted.extend(a);
        duplicates.extend(d);
        retries += r;
    }
    let sent = total * ROWS;
    let stored = db.stored();
    let mut acked: Vec<String> = accepted.iter().chain(&duplicates).cloned().collect();
    acked.sort();
    acked.dedup();
    let mut once = accepted.clone();
    once.sort();
    once.dedup();
    println!(
        "two instances, {kills} SIGKILLs: {sent} rows sent in {total} batches by {CLIENTS} clients, \
         {} acknowledged, {} stored ({} distinct), {} answered as stored now, {} as duplicates, \
         {retries} retries",
        acked.len(),
        stored.len(),
        {
            let mut s = stored.clone();
            s.dedup();
            s.len()
        },
        accepted.len(),
        duplicates.len()
    );
    assert!(retries > 0, "the kills interrupted the clients");
    assert_eq!(acked.len(), sent, "every batch was acknowledged in the end");
    assert_eq!(stored, acked, "every acknowledged row stored, exactly once");
    assert_eq!(
        once.len(),
        accepted.len(),
        "no row was stored now by two answers"
    );
    // The schema was applied once though both instances started on the fresh database.
    let versions = pg_sql(&db.arg, "SELECT count(*) FROM influence_rec_schema");
    assert_eq!(versions, [["1"]]);
    drop(servers);
}

/// A new brand described in a batch to one instance is known to the other: a later batch of
/// its rows without the description, sent to the other instance, is stored (the instance
/// looks the brand up in the shared database before refusing the rows).
#[test]
fn a_brand_described_to_one_instance_is_known_to_the_other() {
    let (site, _, infs) = site();
    let db = TestDb::new(Backend::Postgres, site.path(), "c.db");
    let a = Server::start(site.path(), &db.arg, port(0), NO_RATE_LIMITS);
    let b = Server::start(site.path(), &db.arg, port(1), NO_RATE_LIMITS);
    // B loads its names first (an answered request), so its cache predates the brand.
    let none = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "warm", "rows": []
    }))
    .expect("json");
    assert_eq!(post(&b.addr, &none, Some("warm")).expect("answer").0, 200);
    let first = batch(
        "first",
        vec![row("f1", "Trail Gear", &infs[0], "pairing", 0.0)],
    );
    let (status, ack) = post(&a.addr, &first, Some("first")).expect("answer");
    assert_eq!(
        (status, ids(&ack, "accepted")),
        (200, vec!["f1".to_string()])
    );
    let later = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "later",
        "rows": [row("l1", "trail gear", &infs[1], "click", 1.0), row("l2", "Nobody Else", &infs[1], "click", 1.0)]
    }))
    .expect("json");
    let (status, ack) = post(&b.addr, &later, Some("later")).expect("answer");
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ids(&ack, "accepted"), ["l1"]);
    assert_eq!(ack["rejected"][0]["event_id"], "l2");
    assert_eq!(db.stored(), ["f1", "l1"]);
    // Described again, differently, to the other instance: still one profile, the first.
    let again = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "again",
        "brands": [{"name": "TRAIL GEAR", "description": "something else"}],
        "rows": [row("a1", "Trail Gear", &infs[2], "click", 1.0)]
    }))
    .expect("json");
    assert_eq!(post(&b.addr, &again, Some("again")).expect("answer").0, 200);
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    let profiles =
        influence_rec::collector::block_on(async { target.open().await?.brands().await })
            .expect("brands");
    assert_eq!(profiles.len(), 1, "{profiles:?}");
    assert_eq!(profiles[0].name, "Trail Gear");
    assert_eq!(profiles[0].description, "hiking boots");
}

/// `copy-db` moves a SQLite collector's rows and new brands to PostgreSQL with where each row
/// came from, and run again copies nothing twice; back to a fresh SQLite file gives the same.
#[test]
fn copy_db_moves_rows_and_brands_between_backends_once() {
    let (site, brands, infs) = site();
    let from = TestDb::new(Backend::Sqlite, site.path(), "c.db");
    let to = TestDb::new(Backend::Postgres, site.path(), "c.db");
    let server = Server::start(site.path(), &from.arg, port(0), NO_RATE_LIMITS);
    for b in 0..3 {
        let id = format!("b{b}");
        let mut rows: Vec<Value> = (0..5)
            .map(|i| {
                row(
                    &format!("{id}-{i}"),
                    &brands[i % 2],
                    &infs[b * 5 + i],
                    "click",
                    1.0,
                )
            })
            .collect();
        rows.push(row(
            &format!("{id}-new"),
            "Trail Gear",
            &infs[0],
            "pairing",
            0.0,
        ));
        let (status, _) = post(&server.addr, &batch(&id, rows), Some(&id)).expect("answer");
        assert_eq!(status, 200);
    }
    drop(server);
    let copy = |from: &str, to: &str| -> String {
        let o = Command::new(BIN)
            .args(["copy-db", "--from", from, "--to", to])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let out = copy(&from.arg, &to.arg);
    assert!(
        out.contains(": 18 interactions (18 new, 0 there already), 1 new-brand profiles"),
        "{out}"
    );
    let read = |db: &TestDb| {
        let target = influence_rec::collector::DbTarget::parse(&db.arg);
        influence_rec::collector::block_on(async {
            let s = target.open().await?;
            Ok((s.rows().await?, s.brands().await?))
        })
        .expect("reads")
    };
    let (a, a_brands) = read(&from);
    let (b, b_brands) = read(&to);
    assert_eq!(a, b, "the same rows, with batch, device and time received");
    assert_eq!(a_brands, b_brands);
    let out = copy(&from.arg, &to.arg);
    assert!(out.contains("(0 new, 18 there already)"), "{out}");
    assert_eq!(to.stored().len(), 18);
    // And back, into a fresh SQLite file.
    let back = TestDb::new(Backend::Sqlite, site.path(), "back.db");
    copy(&to.arg, &back.arg);
    assert_eq!(read(&back), (a, a_brands));
    // A source that does not exist is an error naming it, not an empty copy.
    let o = Command::new(BIN)
        .args(["copy-db", "--from", "no-such.db", "--to", &back.arg])
        .output()
        .expect("runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such.db"));
}

/// A PostgreSQL database that cannot be used is a clear error at start (what failed, the URL
/// without its password), never a panic or a server that answers 503 forever.
#[test]
fn an_unusable_postgres_url_is_refused_at_start_with_the_reason() {
    let (site, _, _) = site();
    let run = |db: &str| {
        let o = Command::new(BIN)
            .args(["serve", "--root"])
            .arg(site.path())
            .args(["--addr", &format!("127.0.0.1:{}", port(0)), "--db", db])
            .output()
            .expect("runs");
        assert!(!o.status.success(), "{db} must not be served");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    // Nothing listens on port 1.
    let err = run("postgres://ir:hunter22@127.0.0.1:1/ir");
    assert!(err.contains("Connection refused"), "{err}");
    assert!(err.contains("postgres://ir:***@127.0.0.1:1/ir"), "{err}");
    assert!(
        !err.contains("hunter22"),
        "the password is not printed: {err}"
    );
    let err = run("postgres://ir@127.0.0.1:1/ir?sslmode=require");
    assert!(err.contains("sslmode=require"), "{err}");
    let err = run("postgres://ir@127.0.0.1:1/ir?no_such_option=1");
    assert!(err.contains("not a PostgreSQL URL"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
