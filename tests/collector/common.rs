// Shared by tests/collector.rs and tests/collector_storage.rs (included with `include!`, so
// each file gets its own copy of the helpers and the `on_both_backends!` macro): the served
// folder, the server process, raw HTTP requests, batches and rows, and the test databases of
// both backends.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_influence-rec");

/// A served folder: a small generated dataset trained into pkg/, and an empty www/.
fn site() -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    site_sized(120, 5)
}

/// [`site`] with this many influencers and brands.
fn site_sized(influencers: usize, brands: usize) -> (tempfile::TempDir, Vec<String>, Vec<String>) {
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
        &influencers.to_string(),
        "--brands",
        &brands.to_string(),
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

/// Runs `retrain --data data --db DB --out pkg/model.bundle EXTRA...` in the served folder.
fn run_retrain(dir: &Path, db: &str, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["retrain", "--data", "data", "--db", db, "--out", "pkg/model.bundle"])
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("retrain runs")
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

/// A batch from `device` with these profiles and rows.
fn device_batch(id: &str, device: &str, brands: Vec<Value>, rows: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": id,
        "device_id": device, "sent_at_ms": now_ms(), "brands": brands, "rows": rows
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
