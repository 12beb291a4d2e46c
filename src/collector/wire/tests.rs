use super::*;
use serde_json::json;

const NOW: i64 = 1_767_225_907_414;

fn known() -> Known {
    Known {
        influencers: ["bebe".to_string(), "zoe".to_string()].into(),
        brands: ["atlas co".to_string()].into(),
    }
}

fn row(id: &str, brand: &str, inf: &str, kind: &str, points: f64) -> serde_json::Value {
    json!({"event_id": id, "brand": brand, "influencer": inf, "kind": kind, "points": points, "timestamp_ms": NOW - 1000})
}

fn batch(rows: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": BATCH_FORMAT, "version": 1, "batch_id": "b1", "device_id": "d1", "sent_at_ms": NOW,
        "brands": [{"name": "Trail Gear", "country": "Spain", "hashtags": "#hiking", "description": "boots"}],
        "rows": rows
    }))
    .unwrap()
}

#[test]
fn good_rows_pass_and_each_bad_row_has_its_reason() {
    let body = batch(vec![
        row("e1", "Atlas Co", "BEBE", "click", 1.0),
        row("e2", "trail gear", "zoe", "pairing", 0.0),
        row("e3", "Atlas Co", "nobody", "click", 1.0),
        row("e4", "Nobody Inc", "bebe", "click", 1.0),
        row("e5", "Atlas Co", "bebe", "like", 1.0),
        row("e6", "Atlas Co", "bebe", "collaboration", 1000.0),
        json!({"event_id": "e7", "brand": "Atlas Co"}),
        row("e1", "Atlas Co", "zoe", "check_info", 2.0),
        json!({"event_id": "e8", "brand": "Atlas Co", "influencer": "bebe", "kind": "click", "points": 1, "timestamp_ms": 5}),
        json!(17),
    ]);
    let b = parse_batch(
        &body,
        Some("b1"),
        &known(),
        &PointsConfig::default(),
        &Limits::default(),
        NOW,
    )
    .unwrap();
    let ids: Vec<&str> = b.rows.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2"]);
    assert_eq!(b.rows[1].kind, RowKind::Pairing);
    assert_eq!(b.brands[0].name, "Trail Gear");
    let reasons: Vec<(&str, &str)> = b
        .rejected
        .iter()
        .map(|r| (r.event_id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("e3", "unknown influencer \"nobody\""),
            ("e4", "unknown brand \"Nobody Inc\" (a new brand travels in the batch's brands)"),
            ("e5", "kind: expected click, check_info, add_to_campaign, collaboration or pairing, found \"like\""),
            ("e6", "points: a collaboration earns 10, found 1000"),
            ("e7", "influencer: missing"),
            ("e1", "event_id: twice in this batch"),
            ("e8", "timestamp_ms: 5 is more than 90 days before its receipt"),
        ]
    );
    // The bare 17 has no id: counted, not listed.
    assert_eq!(b.rejected_without_id, 1);
}

#[test]
fn a_bad_envelope_refuses_the_batch_once() {
    let p = PointsConfig::default();
    assert!(
        parse_batch(b"{nope", None, &known(), &p, &Limits::default(), NOW)
            .unwrap_err()
            .error
            .starts_with("body is not JSON")
    );
    let mut v: serde_json::Value =
        serde_json::from_slice(&batch(vec![row("e1", "Atlas Co", "bebe", "click", 1.0)])).unwrap();
    v["version"] = json!(2);
    let r = parse_batch(
        &serde_json::to_vec(&v).unwrap(),
        None,
        &known(),
        &p,
        &Limits::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.error, "version: expected 1, found 2");
    assert_eq!(r.kind, RefusedAs::Malformed);
    let body = batch(vec![]);
    let r = parse_batch(&body, Some("other"), &known(), &p, &Limits::default(), NOW).unwrap_err();
    assert!(r.error.starts_with("Idempotency-Key"));
    let r = parse_batch(&body, None, &known(), &p, &Limits::default(), NOW).unwrap_err();
    assert!(
        r.error.starts_with("Idempotency-Key header missing"),
        "{}",
        r.error
    );
    v["version"] = json!(1);
    v["rows"] = json!("x");
    let r = parse_batch(
        &serde_json::to_vec(&v).unwrap(),
        Some("b1"),
        &known(),
        &p,
        &Limits::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.error, "rows: expected a list");
    assert_eq!(r.kind, RefusedAs::Unreadable);
}

/// The refusals that once repeated client text: each quotes at most a short escaped excerpt.
#[test]
fn refusals_quote_client_text_only_as_short_escaped_excerpts() {
    let p = PointsConfig::default();
    let huge = "=x\u{202e}".repeat(50_000);
    let base = || -> serde_json::Value {
        serde_json::from_slice(&batch(vec![row("e1", "Atlas Co", "bebe", "click", 1.0)])).unwrap()
    };
    let mut cases: Vec<(serde_json::Value, Option<String>)> = Vec::new();
    let mut v = base();
    v["format"] = json!(huge);
    cases.push((v, Some("b1".into())));
    let mut v = base();
    v["format"] = json!({"deep": [huge.clone(), huge.clone()]});
    cases.push((v, Some("b1".into())));
    let mut v = base();
    v["batch_id"] = json!([huge.clone()]);
    cases.push((v, Some("b1".into())));
    let mut v = base();
    v["brands"] = json!([{"name": huge.clone(), "country": [huge.clone()]}]);
    cases.push((v, Some("b1".into())));
    cases.push((base(), Some(huge.clone())));
    let mut v = base();
    v["rows"] = json!([{"event_id": "e1", "brand": "Atlas Co", "influencer": huge.clone()},
                       {"event_id": "e2", "brand": "Atlas Co", "influencer": "x".repeat(200), "kind": "click", "points": 1, "timestamp_ms": NOW},
                       {"event_id": "e3", "brand": "\u{202e}oC saltA", "influencer": "bebe", "kind": "click", "points": 1, "timestamp_ms": NOW}]);
    cases.push((v, Some("b1".into())));
    for (v, key) in cases {
        let body = serde_json::to_vec(&v).unwrap();
        let texts: Vec<String> =
            match parse_batch(&body, key.as_deref(), &known(), &p, &Limits::default(), NOW) {
                Err(r) => vec![r.error],
                Ok(b) => b.rejected.into_iter().map(|r| r.reason).collect(),
            };
        assert!(!texts.is_empty());
        for t in texts {
            assert!(
                t.chars().count() <= 200,
                "{} chars: {}",
                t.chars().count(),
                &t[..200.min(t.len())]
            );
            assert!(!t.contains('\u{202e}'), "a raw bidi override in {t:?}");
        }
    }
    assert_eq!(excerpt("a\u{202e}b\n"), "\"a\\u{202e}b\\n\"");
    assert_eq!(
        excerpt(&"é".repeat(40)),
        format!("\"{}…\"", "é".repeat(EXCERPT_CHARS))
    );
}

#[test]
fn rows_past_the_cap_refuse_the_batch_as_too_large() {
    let limits = Limits {
        rows_per_batch: 3,
        ..Limits::default()
    };
    let rows = |n: usize| {
        (0..n)
            .map(|i| row(&format!("e{i}"), "Atlas Co", "bebe", "click", 1.0))
            .collect()
    };
    let b = parse_batch(
        &batch(rows(3)),
        Some("b1"),
        &known(),
        &PointsConfig::default(),
        &limits,
        NOW,
    )
    .unwrap();
    assert_eq!(b.rows.len(), 3);
    let r = parse_batch(
        &batch(rows(4)),
        Some("b1"),
        &known(),
        &PointsConfig::default(),
        &limits,
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.kind, RefusedAs::TooManyRows);
    assert_eq!(r.error, "rows: 4 in this batch, at most 3 per batch");
    // A cap above a row burst could never pass it: refused before serving.
    let bad = Limits {
        rows_per_batch: 3_000,
        ..Limits::default()
    };
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("rows-per-batch"));
    assert!(Limits::default().validate().is_ok());
}

#[test]
fn an_answer_is_fitted_within_its_budget() {
    let mut ack = Ack {
        accepted: vec!["a".into()],
        rejected: (0..100)
            .map(|i| Rejected {
                event_id: format!("e{i}"),
                reason: format!("unknown influencer: {}", "x".repeat(100)),
            })
            .collect(),
        ..Ack::default()
    };
    let full = serde_json::to_vec(&ack).unwrap().len();
    let body = ack.clone().to_json_within(full);
    assert_eq!(body.len(), full, "within budget: unchanged");
    let body = ack.clone().to_json_within(6_000);
    assert!(body.len() <= 6_000, "{}", body.len());
    let back: Ack = serde_json::from_slice(&body).unwrap();
    assert_eq!(back.rejected.len(), 100);
    assert_eq!(back.rejected[0].reason, "unknown influencer");
    let body = ack.to_json_within(200);
    assert!(body.len() <= 200, "{}", body.len());
    let back: Ack = serde_json::from_slice(&body).unwrap();
    assert_eq!((back.rejected.len(), back.rejected_without_id), (0, 100));
    assert_eq!(back.accepted, ["a"]);
}

fn with_brands(rows: Vec<serde_json::Value>, brands: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": BATCH_FORMAT, "version": 1, "batch_id": "b1", "device_id": "d1",
        "sent_at_ms": NOW, "brands": brands, "rows": rows
    }))
    .unwrap()
}

#[test]
fn profiles_are_kept_only_when_a_row_names_them_and_within_their_caps() {
    let p = PointsConfig::default();
    // Ten profiles sent, one named by a row: one kept.
    let many: Vec<serde_json::Value> = (0..10)
        .map(|i| json!({"name": format!("Spam {i}"), "description": "buy now"}))
        .collect();
    let body = with_brands(
        vec![row("e1", "Spam 3", "bebe", "pairing", 0.0)],
        json!(many),
    );
    let b = parse_batch(&body, Some("b1"), &known(), &p, &Limits::default(), NOW).unwrap();
    assert_eq!(b.brands.len(), 1);
    assert_eq!(b.brands[0].name, "Spam 3");
    // More profiles than a batch may carry: the batch is refused.
    let eleven: Vec<serde_json::Value> =
        (0..11).map(|i| json!({"name": format!("B{i}")})).collect();
    let r = parse_batch(
        &with_brands(vec![], json!(eleven)),
        Some("b1"),
        &known(),
        &p,
        &Limits::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.error, "brands: 11 profiles, at most 10 per batch");
    // A 200 kB description: the profile is refused and so is the row naming it; the
    // batch's other rows stand.
    let huge = "x".repeat(200_000);
    let body = with_brands(
        vec![
            row("e1", "Huge", "bebe", "pairing", 0.0),
            row("e2", "Atlas Co", "zoe", "click", 1.0),
        ],
        json!([{"name": "Huge", "description": huge}]),
    );
    let b = parse_batch(&body, Some("b1"), &known(), &p, &Limits::default(), NOW).unwrap();
    assert!(b.brands.is_empty());
    assert_eq!(b.rows.len(), 1);
    assert_eq!(b.rejected[0].event_id, "e1");
    assert!(
        b.rejected[0]
            .reason
            .contains("description has 200000 characters, at most 2000"),
        "{}",
        b.rejected[0].reason
    );
}

#[test]
fn nul_characters_are_refused_so_every_backend_stores_the_same_rows() {
    let p = PointsConfig::default();
    let body = serde_json::to_vec(&json!({
        "format": BATCH_FORMAT, "version": 1, "batch_id": "b1", "device_id": "d\u{0}1",
        "brands": [{"name": "Nul Co", "description": "a\u{0}b"}, {"name": "Fine Co", "description": "ok"}],
        "rows": [
            row("e\u{0}1", "Atlas Co", "bebe", "click", 1.0),
            row("e2", "Atlas\u{0} Co", "bebe", "click", 1.0),
            row("e3", "Nul Co", "bebe", "pairing", 0.0),
            row("e4", "Fine Co", "zoe", "pairing", 0.0),
        ]
    }))
    .unwrap();
    let b = parse_batch(&body, Some("b1"), &known(), &p, &Limits::default(), NOW).unwrap();
    assert_eq!(b.device_id, "d1");
    let ids: Vec<&str> = b.rows.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, ["e4"]);
    assert_eq!(b.brands.len(), 1);
    assert_eq!(b.brands[0].name, "Fine Co");
    let reasons: Vec<(&str, &str)> = b
        .rejected
        .iter()
        .map(|r| (r.event_id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("e\u{0}1", "event_id: contains a NUL character"),
            ("e2", "brand: contains a NUL character"),
            (
                "e3",
                "brand profile \"Nul Co\": description contains a NUL character"
            ),
        ]
    );
    // A NUL in the batch id refuses the batch.
    let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v["batch_id"] = json!("b\u{0}1");
    let r = parse_batch(
        &serde_json::to_vec(&v).unwrap(),
        Some("b\u{0}1"),
        &known(),
        &p,
        &Limits::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.error, "batch_id: contains a NUL character");
}

#[test]
fn row_kinds_round_trip() {
    for k in [
        "click",
        "check_info",
        "add_to_campaign",
        "collaboration",
        "pairing",
    ] {
        assert_eq!(RowKind::parse(k).map(RowKind::as_str), Some(k));
        let v: RowKind = serde_json::from_value(json!(k)).unwrap();
        assert_eq!(serde_json::to_value(v).unwrap(), json!(k));
    }
    assert_eq!(RowKind::parse("like"), None);
}

#[test]
fn new_brands_past_the_device_allowance_are_refused_with_their_rows() {
    let p = PointsConfig::default();
    let body = with_brands(
        vec![
            row("e1", "First New", "bebe", "pairing", 0.0),
            row("e2", "Second New", "bebe", "pairing", 0.0),
            row("e3", "Atlas Co", "zoe", "click", 1.0),
            row("e4", "Second New", "zoe", "click", 1.0),
        ],
        json!([{"name": "First New"}, {"name": "Second New"}, {"name": "Atlas Co"}]),
    );
    let mut b = parse_batch(&body, Some("b1"), &known(), &p, &Limits::default(), NOW).unwrap();
    // "Atlas Co" is known: it never counts. One new brand left today: the first is kept.
    let kept = cap_new_brands(&mut b, &known(), 1, "new brands: at most 20 a day");
    assert_eq!(kept, 1);
    let names: Vec<&str> = b.brands.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["First New", "Atlas Co"]);
    let rows: Vec<&str> = b.rows.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(rows, ["e1", "e3"]);
    let refused: Vec<(&str, &str)> = b
        .rejected
        .iter()
        .map(|r| (r.event_id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            ("e2", "new brands: at most 20 a day"),
            ("e4", "new brands: at most 20 a day")
        ]
    );
}

#[test]
fn limits_are_validated() {
    assert!(Limits::default().validate().is_ok());
    for bad in [
        Limits {
            address_rate: -1.0,
            ..Limits::default()
        },
        Limits {
            device_rate: f64::NAN,
            ..Limits::default()
        },
        Limits {
            device_burst: 0.5,
            ..Limits::default()
        },
        Limits {
            tracked_clients: 0,
            ..Limits::default()
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    let off = Limits {
        address_rate: 0.0,
        address_burst: 0.0,
        ..Limits::default()
    };
    assert!(off.validate().is_ok());
}

#[test]
fn a_time_ahead_of_the_receipt_is_clamped_to_it() {
    let mut r = row("e1", "Atlas Co", "bebe", "click", 1.0);
    r["timestamp_ms"] = json!(NOW + 23 * 3_600_000);
    let b = parse_batch(
        &batch(vec![r]),
        Some("b1"),
        &known(),
        &PointsConfig::default(),
        &Limits::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(b.rows[0].timestamp_ms, NOW);
}
