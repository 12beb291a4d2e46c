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
            ("e8", "timestamp_ms: 5 is not a plausible time"),
            ("", "event_id: missing"),
        ]
    );
}

#[test]
fn a_bad_envelope_refuses_the_batch_naming_every_row() {
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
    assert_eq!(r.error, "version: expected 1, found Some(2)");
    assert_eq!(r.rejected[0].event_id, "e1");
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
