//! The collector against the real server on loopback: idempotent batches, per-row rejection,
//! 413 for oversized bodies, and no acknowledged row lost or doubled when the server is
//! killed with SIGKILL while a client keeps retrying. Every test runs on both storage
//! backends (`sqlite::` and `postgres::` below): SQLite files, and PostgreSQL databases made
//! for each test on the cluster `INFLUENCE_REC_PG_URL` names (`.ci/test` starts a throwaway
//! one; see the README). Two `serve` instances on one PostgreSQL database, one killed
//! mid-stream: `two_instances_on_one_postgres_one_killed_mid_stream_store_every_row_once` in
//! `tests/collector_storage.rs`.
//!
//! This file: the batch protocol (idempotency, rejections, 413), SIGKILL mid-stream, origins,
//! rate limits and new-brand caps. Storage, retraining and several instances:
//! `tests/collector_storage.rs`. Both include `tests/collector/common.rs`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)] // the shared helpers: each file uses a subset

include!("collector/common.rs");

on_both_backends!(
    a_batch_posted_twice_is_stored_once_and_bad_rows_are_reported_one_by_one,
    an_oversized_body_gets_413_and_nothing_is_stored,
    killed_mid_stream_every_acknowledged_row_is_stored_exactly_once,
    only_the_own_or_an_allowed_origin_may_write_and_only_json_with_its_key,
    a_flooding_address_or_device_gets_429_with_retry_after_while_others_write,
    new_brands_per_device_day_and_site_keys_are_enforced,
    an_event_id_sent_again_with_other_content_is_a_duplicate_and_the_first_wins,
);

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
    // A malformed envelope: 400, the batch refused once (its rows are not listed: the device
    // refuses every row of the batch with the one reason).
    let mut bad: Value = serde_json::from_slice(&body).expect("json");
    bad["version"] = json!(99);
    let (status, ack) = post(
        &server.addr,
        &serde_json::to_vec(&bad).expect("json"),
        Some("b1"),
    )
    .expect("answer");
    assert_eq!(status, 400);
    assert_eq!(ack["error"], "version: expected 1, found 99");
    assert_eq!(ack["batch_refused"], json!(true));
    assert_eq!(ack["rejected"].as_array().map(Vec::len), Some(0));
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
            "--rows-per-batch",
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
    drop(server);

    // Per address, whatever device ids it names: a new device id per batch does not buy
    // more rows than the address's burst.
    let db = TestDb::new(backend, site.path(), "r.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(8),
        &[
            "--address-rate",
            "0",
            "--address-row-rate",
            "1",
            "--address-row-burst",
            "60",
            "--rows-per-batch",
            "30",
        ],
    );
    let post_rows = |id: &str, device: &str| {
        send(
            &server.addr,
            &device_batch(id, device, vec![], rows(id)),
            Some(id),
            &json_ct,
        )
        .expect("answer")
    };
    assert_eq!(post_rows("p", "new-1").0, 200);
    assert_eq!(post_rows("q", "new-2").0, 200);
    let (status, head, _) = post_rows("r", "new-3");
    assert_eq!(status, 429);
    assert!(head.contains("\r\nretry-after: "), "{head}");
    // A batch larger than the row cap: 413 naming the limit, nothing stored.
    let many: Vec<Value> = (0..31)
        .map(|i| row(&format!("m{i:02}"), &brands[0], &infs[0], "click", 1.0))
        .collect();
    let (status, ack) = post(
        &server.addr,
        &device_batch("m", "new-4", vec![], many),
        Some("m"),
    )
    .expect("answer");
    assert_eq!(status, 413);
    assert_eq!(ack["max_rows"], json!(30));
    assert_eq!(db.stored().len(), 50);
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

/// The contract (README, "The sync contract"): a row is its event id; the same id with other
/// content, in another batch, is a duplicate and the first stored row stays as it was.
fn an_event_id_sent_again_with_other_content_is_a_duplicate_and_the_first_wins(backend: Backend) {
    let (site, brands, infs) = site();
    let db = TestDb::new(backend, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(9), NO_RATE_LIMITS);
    let first = batch("b1", vec![row("e1", &brands[0], &infs[0], "click", 1.0)]);
    let (status, ack) = post(&server.addr, &first, Some("b1")).expect("answer");
    assert_eq!(
        (status, ids(&ack, "accepted")),
        (200, vec!["e1".to_string()])
    );
    let other = batch(
        "b2",
        vec![row("e1", &brands[1], &infs[1], "collaboration", 10.0)],
    );
    let (status, ack) = post(&server.addr, &other, Some("b2")).expect("answer");
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ids(&ack, "duplicates"), ["e1"]);
    assert!(ids(&ack, "accepted").is_empty(), "{ack}");
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    let rows = influence_rec::collector::block_on(async { target.open().await?.rows().await })
        .expect("rows");
    assert_eq!(rows.len(), 1);
    let r = &rows[0].row;
    assert_eq!(
        (
            r.brand.as_str(),
            r.influencer.as_str(),
            r.kind.as_str(),
            r.points
        ),
        (brands[0].as_str(), infs[0].as_str(), "click", 1.0),
        "the first content stays"
    );
}
