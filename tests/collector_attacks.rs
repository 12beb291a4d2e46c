//! The collector under attack, on loopback against the real server (issue 26): answers
//! bounded by their requests, slow and idle connections cut off by the timeouts, an early 413,
//! and connection caps per address and in total. These are about HTTP, not storage: they run
//! on SQLite only (the storage attacks run on both backends in `tests/collector.rs`).
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code, unused_macros)] // the shared helpers: this file uses a subset

include!("collector/common.rs");

/// Sends raw bytes on a fresh connection and reads the whole answer (the server closes).
fn raw(addr: &str, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    // A refused body may close the connection before all of it is written.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn request(addr: &str, body: &[u8], key: &str) -> Vec<u8> {
    let mut r = format!(
        "POST /api/interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn status(answer: &[u8]) -> u16 {
    String::from_utf8_lossy(answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Whether the server closes `s` within `within` (read returns end of stream or a reset),
/// reading and dropping whatever it sends first.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut buf = [0u8; 4096];
    while start.elapsed() < within {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn an_answer_is_never_much_larger_than_its_request() {
    let (site, brands, infs) = site();
    let db = TestDb::new(Backend::Sqlite, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(0), NO_RATE_LIMITS);
    let good = |i: usize| row(&format!("r{i}"), &brands[0], &infs[0], "click", 1.0);
    let envelope = |format: Value, id: Value, rows: Vec<Value>, brands: Value| {
        serde_json::to_vec(&json!({
            "format": format, "version": 1, "batch_id": id, "device_id": "d",
            "sent_at_ms": now_ms(), "brands": brands, "rows": rows
        }))
        .expect("json")
    };
    let rows = |n: usize| (0..n).map(good).collect::<Vec<_>>();
    let long = "\u{202e}=".repeat(50_000);
    let mut cases: Vec<(&str, Vec<u8>, String)> = vec![
        // The 106 kB batch: a 100,000-byte format and (here) the row cap of rows.
        (
            "a 100 kB format",
            envelope(json!(long), json!("k"), rows(500), json!([])),
            "k".into(),
        ),
        (
            "a non-string batch_id",
            envelope(
                json!("influence-rec/interactions"),
                json!([long.clone()]),
                rows(500),
                json!([]),
            ),
            "k".into(),
        ),
        (
            "a bad brands entry",
            envelope(
                json!("influence-rec/interactions"),
                json!("k"),
                rows(500),
                json!([{"name": long.clone(), "country": [1, 2]}]),
            ),
            "k".into(),
        ),
        (
            "bare zeros for rows",
            envelope(
                json!("influence-rec/interactions"),
                json!("k"),
                vec![json!(0); 500],
                json!([]),
            ),
            "k".into(),
        ),
        (
            "rows whose names are long and unknown",
            envelope(
                json!("influence-rec/interactions"),
                json!("k"),
                (0..400)
                    .map(|i| json!({"event_id": format!("x{i}"), "brand": &brands[0], "influencer": "\u{202e}".repeat(255 / 3), "kind": "click", "points": 1, "timestamp_ms": now_ms()}))
                    .collect(),
                json!([]),
            ),
            "k".into(),
        ),
    ];
    // A 60 kB Idempotency-Key (under hyper's header limits) on ten rows.
    cases.push((
        "a long Idempotency-Key",
        envelope(
            json!("influence-rec/interactions"),
            json!("k"),
            rows(10),
            json!([]),
        ),
        "K".repeat(60_000),
    ));
    // 520,000 rows of 0 (1.04 MB): past the row cap, one short 413.
    let zeros = format!(
        "{{\"format\":\"influence-rec/interactions\",\"version\":1,\"batch_id\":\"z\",\"rows\":[{}0]}}",
        "0,".repeat(499_999)
    );
    let zeros_req = request(&server.addr, zeros.as_bytes(), "z");
    for (what, body, key) in &cases {
        let req = request(&server.addr, body, key);
        let answer = raw(&server.addr, &req);
        let st = status(&answer);
        assert!(
            st == 400 || st == 200,
            "{what}: status {st}: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(300)])
        );
        assert!(
            answer.len() <= 4 * req.len() + 1024,
            "{what}: {} bytes answered to {}",
            answer.len(),
            req.len()
        );
        let text = String::from_utf8_lossy(&answer);
        assert!(
            !text.contains('\u{202e}'),
            "{what}: a raw bidi override was echoed"
        );
        assert!(
            !text.contains(&"=\\u{202e}".repeat(40)),
            "{what}: more than an excerpt of the client's text was echoed"
        );
    }
    // Refused as a whole: one reason, not one per row.
    let answer = raw(
        &server.addr,
        &request(&server.addr, &cases[0].1, &cases[0].2),
    );
    let text = String::from_utf8_lossy(&answer);
    let (_, body) = text.split_once("\r\n\r\n").expect("a body");
    let ack: Value = serde_json::from_str(body).expect("json");
    assert_eq!(ack["batch_refused"], json!(true));
    assert_eq!(ack["rejected"], json!([]));
    assert!(ack["error"]
        .as_str()
        .expect("error")
        .starts_with("format: expected"));
    // The huge batch of zeros: 413 naming the row limit, in a few hundred bytes.
    let answer = raw(&server.addr, &zeros_req);
    assert_eq!(status(&answer), 413);
    assert!(answer.len() < 1024, "{}", answer.len());
    assert!(String::from_utf8_lossy(&answer).contains("\"max_rows\":500"));
    // Still serving, and nothing of the refused batches was stored.
    let ok = batch("fine", vec![good(9_999)]);
    assert_eq!(
        post(&server.addr, &ok, Some("fine")).expect("answer").0,
        200
    );
    assert_eq!(db.stored(), ["r9999"]);
}

#[test]
fn slow_headers_slow_bodies_and_idle_connections_are_cut_off() {
    let (site, brands, infs) = site();
    let db = TestDb::new(Backend::Sqlite, site.path(), "c.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(0),
        &[
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
            "--request-timeout",
            "3",
            "--address-rate",
            "0",
        ],
    );
    let addr = server.addr.clone();
    // An unfinished header.
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.write_all(b"POST /api/interactions HTTP/1.1\r\nHost: x\r\n")
        .expect("writes");
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "an unfinished header stayed open"
    );
    // A header trickled a byte every 200 ms: the timeout counts from the start, not the
    // last byte.
    let mut s = TcpStream::connect(&addr).expect("connects");
    let start = Instant::now();
    let mut cut = false;
    for b in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" {
        if s.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        if start.elapsed() > Duration::from_secs(6) {
            break;
        }
    }
    assert!(
        cut || closed_within(&mut s, Duration::from_secs(1)),
        "a trickled header stayed open"
    );
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "cut after {:?}",
        start.elapsed()
    );
    // An idle keep-alive connection after one answer.
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("writes");
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "an idle keep-alive connection stayed open"
    );
    // A body stopped short of its Content-Length: 408 once the body stalls.
    let one = batch("slow", vec![row("s1", &brands[0], &infs[0], "click", 1.0)]);
    let req = request(&addr, &one, "slow");
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.write_all(&req[..req.len() - 20]).expect("writes");
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert_eq!(status(&out), 408, "{}", String::from_utf8_lossy(&out));
    assert!(start.elapsed() < Duration::from_secs(5));
    // A body trickled within the body timeout is still cut off by the request timeout.
    let mut s = TcpStream::connect(&addr).expect("connects");
    let head_end = req.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    s.write_all(&req[..head_end]).expect("writes");
    let start = Instant::now();
    let mut written = head_end;
    while written < req.len() - 1 && start.elapsed() < Duration::from_secs(8) {
        if s.write_all(&req[written..written + 1]).is_err() {
            break;
        }
        written += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert_eq!(status(&out), 408, "{}", String::from_utf8_lossy(&out));
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "cut after {:?}",
        start.elapsed()
    );
    // A declared length over --max-body, no body sent: 413 at once.
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.write_all(
        b"POST /api/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Idempotency-Key: k\r\nContent-Length: 2097152\r\n\r\n",
    )
    .expect("writes");
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).expect("an answer before any body");
    assert_eq!(status(&buf[..n]), 413);
    assert!(
        start.elapsed() < Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
    // None of it was stored, and the server still answers.
    assert!(db.stored().is_empty());
    let ok = batch("fine", vec![row("f1", &brands[0], &infs[0], "click", 1.0)]);
    assert_eq!(post(&addr, &ok, Some("fine")).expect("answer").0, 200);
}

/// Opens a connection from a chosen loopback address (127.0.0.0/8 is all loopback on Linux).
fn connect_from(source: &str, addr: &str) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let stream = rt.block_on(async {
        let s = tokio::net::TcpSocket::new_v4().expect("socket");
        s.bind(format!("{source}:0").parse().expect("source"))
            .expect("binds");
        s.connect(addr.parse().expect("addr"))
            .await
            .expect("connects")
            .into_std()
            .expect("std")
    });
    stream.set_nonblocking(false).expect("blocking");
    stream
}

fn get(s: &mut TcpStream) -> u16 {
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("writes");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    status(&out)
}

#[test]
fn connections_are_capped_per_address_and_in_total() {
    let (site, _, _) = site();
    let db = TestDb::new(Backend::Sqlite, site.path(), "c.db");
    let server = Server::start(
        site.path(),
        &db.arg,
        port(0),
        &[
            "--max-connections",
            "6",
            "--max-connections-per-address",
            "4",
            "--header-timeout",
            "2",
        ],
    );
    let addr = server.addr.clone();
    // One address holds its four; a fifth is closed at once, others still get in.
    let mut idle: Vec<TcpStream> = (0..4).map(|_| connect_from("127.0.0.2", &addr)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut fifth = connect_from("127.0.0.2", &addr);
    assert!(
        closed_within(&mut fifth, Duration::from_secs(1)),
        "a fifth connection from one address was kept"
    );
    assert_eq!(get(&mut connect_from("127.0.0.3", &addr)), 200);
    // Six open in total: a seventh waits (not refused) until the header timeout frees a slot.
    idle.push(connect_from("127.0.0.3", &addr));
    idle.push(connect_from("127.0.0.4", &addr));
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    assert_eq!(get(&mut connect_from("127.0.0.5", &addr)), 200);
    let waited = start.elapsed();
    assert!(
        waited > Duration::from_millis(500),
        "answered at once past the cap: {waited:?}"
    );
    assert!(waited < Duration::from_secs(6), "{waited:?}");
    // The idle ones were closed by the timeout.
    for s in &mut idle {
        assert!(closed_within(s, Duration::from_secs(3)));
    }
}

/// POSTs from a chosen loopback address; the status and the answer.
fn post_from(source: &str, addr: &str, body: &[u8], key: &str) -> (u16, Value) {
    let mut s = connect_from(source, addr);
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(&request(addr, body, key)).expect("writes");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1);
    (
        status(&out),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

/// Each brand's published top list, as sets of influencer names.
fn top_lists(dir: &Path) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let v: Value = serde_json::from_slice(&std::fs::read(dir.join("pkg/topk.json")).expect("topk"))
        .expect("json");
    v.as_array()
        .expect("lists")
        .iter()
        .map(|l| {
            (
                l["brand"].as_str().expect("brand").to_string(),
                l["influencers"]
                    .as_array()
                    .expect("influencers")
                    .iter()
                    .map(|i| i["name"].as_str().expect("name").to_string())
                    .collect(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn retrain_forced(dir: &Path) -> String {
    let o = run_retrain(dir, "c.db", &["--force"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("\npublished "), "{out}");
    out
}

/// The attack: honest rows from ten addresses, then one address sends 100
/// collaborations of one chosen influencer with every brand under a new device id per batch
/// and timestamps 23 h ahead, then floods one pair. A retrain that publishes whatever it
/// trained (`--force`) is compared with the same retrain without the attacker's rows (a
/// retrain moves lists by itself: here about one in five unlisted influencers enters some
/// list): the chosen influencer, in no list before nor in the control, is in no list after.
#[test]
fn one_address_cannot_buy_the_rankings() {
    let (site, brands, infs) = site_sized(300, 30);
    let d = site.path();
    let db = TestDb::new(Backend::Sqlite, d, "c.db");
    let server = Server::start(d, &db.arg, port(0), &[]);
    let before = top_lists(d);
    let kinds = [
        ("click", 1.0),
        ("check_info", 2.0),
        ("add_to_campaign", 5.0),
        ("collaboration", 10.0),
    ];
    // Honest: ten addresses, one device each, 300 rows each with what their lists show.
    for h in 0..10usize {
        let source = format!("127.0.1.{}", h + 1);
        for b in 0..3usize {
            let brand = &brands[(h * 3 + b) % brands.len()];
            let list: Vec<&String> = before[brand].iter().collect();
            let rows: Vec<Value> = (0..100)
                .map(|i| {
                    let (kind, points) = kinds[(i * 7 + h) % 4];
                    row(
                        &format!("h{h}-{b}-{i}"),
                        brand,
                        list[(i * 13 + h) % list.len()],
                        kind,
                        points,
                    )
                })
                .collect();
            let id = format!("hb{h}-{b}");
            let body = device_batch(&id, &format!("honest-{h}"), vec![], rows);
            let (st, ack) = post_from(&source, &server.addr, &body, &id);
            assert_eq!(st, 200, "{ack}");
        }
    }
    server.kill();
    let control = tempfile::tempdir().expect("control");
    copy_dir(d, control.path());
    retrain_forced(control.path());
    let control_lists = top_lists(control.path());
    let listed: std::collections::BTreeSet<&String> = before
        .values()
        .chain(control_lists.values())
        .flatten()
        .collect();
    let chosen = infs
        .iter()
        .find(|i| !listed.contains(i))
        .expect("an influencer in no top list")
        .clone();
    let server = Server::start(d, &db.arg, port(0), &[]);
    // The attacker: one address, a new device id per batch, 23 h ahead.
    let ahead = now_ms() + 23 * 3_600_000;
    let mut attack_rows: Vec<Value> = Vec::new();
    for brand in &brands {
        for i in 0..100 {
            attack_rows.push(
                json!({"event_id": format!("x-{brand}-{i}"), "brand": brand, "influencer": &chosen,
                "kind": "collaboration", "points": 10, "timestamp_ms": ahead}),
            );
        }
    }
    let mut stored_attack = 0;
    for (n, chunk) in attack_rows.chunks(500).enumerate() {
        let id = format!("xb{n}");
        let body = device_batch(&id, &format!("attacker-{n}"), vec![], chunk.to_vec());
        let (st, ack) = post_from("127.0.0.9", &server.addr, &body, &id);
        if st == 200 {
            stored_attack += ids(&ack, "accepted").len();
        }
    }
    // Then a flood of one pair until the address's row budget says no.
    let mut flood_stored = 0;
    for n in 0..40 {
        let id = format!("fl{n}");
        let rows: Vec<Value> = (0..500)
            .map(|i| json!({"event_id": format!("fl-{n}-{i}"), "brand": &brands[0], "influencer": &chosen,
                "kind": "collaboration", "points": 10, "timestamp_ms": ahead}))
            .collect();
        let (st, ack) = post_from(
            "127.0.0.9",
            &server.addr,
            &device_batch(&id, &format!("flood-{n}"), vec![], rows),
            &id,
        );
        match st {
            200 => flood_stored += ids(&ack, "accepted").len(),
            429 => break,
            other => panic!("flood answered {other}: {ack}"),
        }
    }
    assert!(
        stored_attack + flood_stored <= 5_000 + 1_000,
        "the address's row burst bounds what it stores"
    );
    drop(server);
    let out = retrain_forced(d);
    assert!(
        out.contains("1 sources naming more than 5 brands, not counted"),
        "{out}"
    );
    // Held out by receipt time across sources: not only the attacker's (newest) rows.
    let from: usize = out
        .split("(by receipt time, from ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the held-out sources");
    assert!(from >= 3, "{out}");
    let after = top_lists(d);
    let gained: Vec<&String> = after
        .iter()
        .filter(|(_, l)| l.contains(&chosen))
        .map(|(b, _)| b)
        .collect();
    assert!(
        gained.is_empty(),
        "{chosen} entered the top lists of {gained:?}\n{out}"
    );
    // Every timestamp the attacker sent ahead was clamped to its receipt.
    let rows = influence_rec::collector::block_on(async {
        influence_rec::collector::DbTarget::parse(&db.arg)
            .open()
            .await?
            .rows()
            .await
    })
    .expect("rows");
    assert!(rows.iter().all(|r| r.row.timestamp_ms <= r.received_ms));
}

/// Profiles of one brand under hidden characters and another case: each is that brand (no
/// new brand stored), and the rows naming it are stored under its visible name.
#[test]
fn look_alike_names_are_the_brand_they_imitate() {
    let (site, brands, infs) = site();
    let db = TestDb::new(Backend::Sqlite, site.path(), "c.db");
    let server = Server::start(site.path(), &db.arg, port(0), NO_RATE_LIMITS);
    let real = &brands[0];
    let (head, tail) = real.split_at(1);
    let hidden = [
        '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{00AD}', '\u{202E}', '\u{2066}', '\u{180E}',
    ];
    let mut names: Vec<String> = hidden.iter().map(|c| format!("{head}{c}{tail}")).collect();
    names.push(real.to_uppercase());
    // Look-alike letters (TR39 confusables): the first Latin letter that has one, swapped.
    let swaps = [
        ('a', 'а'),
        ('e', 'е'),
        ('o', 'о'),
        ('c', 'с'),
        ('p', 'р'),
        ('x', 'х'),
        ('i', 'і'),
    ];
    if let Some((latin, other)) = swaps.iter().find(|(l, _)| real.contains(*l)) {
        names.push(real.replacen(*latin, &other.to_string(), 1));
    }
    names.push(format!("\u{202D}{real}\u{202C}"));
    for (i, name) in names.iter().enumerate() {
        let id = format!("look-{i}");
        let body = device_batch(
            &id,
            "d",
            vec![json!({"name": name, "description": "the real one, honestly"})],
            vec![row(&format!("r{i}"), name, &infs[i], "click", 1.0)],
        );
        let (st, ack) = post(&server.addr, &body, Some(&id)).expect("answer");
        assert_eq!(st, 200, "{ack}");
        assert_eq!(ids(&ack, "accepted"), [format!("r{i}")], "{name:?}: {ack}");
    }
    let target = influence_rec::collector::DbTarget::parse(&db.arg);
    let (profiles, rows) = influence_rec::collector::block_on(async {
        let s = target.open().await?;
        Ok((s.brands().await?, s.rows().await?))
    })
    .expect("read");
    assert!(profiles.is_empty(), "stored as new brands: {profiles:?}");
    for r in rows {
        assert!(
            !r.row
                .brand
                .chars()
                .any(influence_rec::text::is_default_ignorable),
            "{:?}",
            r.row.brand
        );
        assert_eq!(
            influence_rec::text::key(&r.row.brand),
            influence_rec::text::key(real)
        );
    }
}
