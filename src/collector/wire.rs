//! The sync contract between the web app and the collector (README "Sync batch format"): a
//! batch of interaction rows recorded on a device, and the collector's acknowledgement. Pure:
//! parsing and checking bytes against what the data knows; storage lives in the collector.
//!
//! A batch whose envelope is wrong (not JSON, another format or version, no row list) is
//! refused whole; inside a good envelope every row is judged on its own, so one bad row never
//! costs the others.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{InteractionKind, PointsConfig};
use crate::text::key;

/// The `format` of a batch.
pub const BATCH_FORMAT: &str = "influence-rec/interactions";
/// The batch `version` this build reads.
pub const BATCH_VERSION: u32 = 1;
/// Longest id (event, batch, device) accepted.
pub const MAX_ID_LEN: usize = 128;
/// How long before its receipt a row may have been recorded (90 days: a device offline for a
/// season still syncs); older rows are refused.
pub const MAX_AGE_MS: i64 = 90 * 86_400_000;
/// Longest brand or influencer name accepted.
pub const MAX_NAME_LEN: usize = 256;

/// What a row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A new brand's randomly paired row (no points).
    Pairing,
    /// An interaction of the product's funnel (untagged variants come last).
    #[serde(untagged)]
    Interaction(InteractionKind),
}

impl RowKind {
    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Interaction(k) => k.as_str(),
            RowKind::Pairing => "pairing",
        }
    }

    /// Parses a canonical name.
    pub fn parse(s: &str) -> Option<RowKind> {
        if s == "pairing" {
            Some(RowKind::Pairing)
        } else {
            InteractionKind::ALL
                .into_iter()
                .find(|k| k.as_str() == s)
                .map(RowKind::Interaction)
        }
    }
}

/// One row as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Made on the device, once; the collector stores each at most once.
    pub event_id: String,
    /// Brand name.
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// What happened.
    pub kind: RowKind,
    /// Points earned.
    pub points: f64,
    /// When, in ms since the Unix epoch.
    pub timestamp_ms: i64,
}

/// Everything the collector limits, in one place, with its defaults (`serve` has a flag for
/// each; README "Collector limits").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Rows per batch (500; the page sends 100): more is answered 413 naming the limit, and
    /// the device halves its batches. At most the device and address row bursts, so one
    /// batch never passes a burst limit.
    pub rows_per_batch: usize,
    /// New-brand profiles per batch (10): more refuses the batch.
    pub brands_per_batch: usize,
    /// Characters of a profile's name (120), category (60), country (80), hashtags (500) and
    /// description (2,000): a profile over any is refused, and so are the rows naming it.
    pub name_chars: usize,
    /// See `name_chars`.
    pub category_chars: usize,
    /// See `name_chars`.
    pub country_chars: usize,
    /// See `name_chars`.
    pub hashtags_chars: usize,
    /// See `name_chars`.
    pub description_chars: usize,
    /// New brands one device may add per UTC day (20); a profile past it is refused with the
    /// rows naming it.
    pub new_brands_per_device_day: usize,
    /// Requests per second one client address may make, on average (10; 0: no limit) ...
    pub address_rate: f64,
    /// ... and in a burst (60). Past it: 429 with `Retry-After`, nothing read.
    pub address_burst: f64,
    /// Rows per second one device id may send, on average (50; 0: no limit) ...
    pub device_rate: f64,
    /// ... and in a burst (2,000: an offline week of planning drains at once). Past it: 429
    /// with `Retry-After`, nothing stored.
    pub device_burst: f64,
    /// Rows per second one client address may send, whatever device ids its batches name
    /// (20; 0: no limit) ...
    pub address_row_rate: f64,
    /// ... and in a burst (5,000). Past it: 429 with `Retry-After`, nothing stored. A device
    /// id costs nothing to invent, an address does: this is what bounds a flood.
    pub address_row_burst: f64,
    /// Clients (addresses, devices) each limiter remembers (100,000); idle ones are forgotten
    /// first, and when all are busy a new client waits (429) rather than growing memory.
    pub tracked_clients: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows_per_batch: 500,
            brands_per_batch: 10,
            name_chars: 120,
            category_chars: 60,
            country_chars: 80,
            hashtags_chars: 500,
            description_chars: 2_000,
            new_brands_per_device_day: 20,
            address_rate: 10.0,
            address_burst: 60.0,
            device_rate: 50.0,
            device_burst: 2_000.0,
            address_row_rate: 20.0,
            address_row_burst: 5_000.0,
            tracked_clients: 100_000,
        }
    }
}

impl Limits {
    /// Refuses limits that make no sense (negative or non-finite rates, a burst below one
    /// request or row when limited).
    pub fn validate(&self) -> crate::error::Result<()> {
        let bad = |name: &'static str, message: String| crate::error::Error::InvalidParam {
            name,
            message,
        };
        if self.rows_per_batch == 0 {
            return Err(bad("rows-per-batch", "must be at least 1".into()));
        }
        for (name, rate, burst, rows) in [
            ("address-rate", self.address_rate, self.address_burst, false),
            ("device-rate", self.device_rate, self.device_burst, true),
            (
                "address-row-rate",
                self.address_row_rate,
                self.address_row_burst,
                true,
            ),
        ] {
            if !(rate.is_finite() && rate >= 0.0) {
                return Err(bad(name, format!("must be a number >= 0, got {rate}")));
            }
            if rate > 0.0 && !(burst.is_finite() && burst >= 1.0) {
                return Err(bad(name, format!("its burst must be >= 1, got {burst}")));
            }
            // A batch larger than a row burst could never pass it (or, clamped, would pass
            // more than the burst at once).
            if rows && rate > 0.0 && (self.rows_per_batch as f64) > burst {
                return Err(bad(
                    name,
                    format!(
                        "its burst ({burst}) must be at least rows-per-batch ({})",
                        self.rows_per_batch
                    ),
                ));
            }
        }
        if self.tracked_clients == 0 {
            return Err(bad("tracked-clients", "must be at least 1".into()));
        }
        Ok(())
    }

    /// Why `p` is refused, or `None`.
    fn refuses(&self, p: &BrandProfile) -> Option<String> {
        let fields = [
            ("name", &p.name),
            ("category", &p.category),
            ("country", &p.country),
            ("hashtags", &p.hashtags),
            ("description", &p.description),
        ];
        if let Some((field, _)) = fields.iter().find(|(_, v)| v.contains('\0')) {
            return Some(format!(
                "brand profile {}: {field} contains a NUL character",
                excerpt(&p.name)
            ));
        }
        [
            ("name", &p.name, self.name_chars),
            ("category", &p.category, self.category_chars),
            ("country", &p.country, self.country_chars),
            ("hashtags", &p.hashtags, self.hashtags_chars),
            ("description", &p.description, self.description_chars),
        ]
        .into_iter()
        .find(|(_, v, max)| v.chars().count() > *max)
        .map(|(field, v, max)| {
            format!(
                "brand profile {}: {field} has {} characters, at most {max}",
                excerpt(&p.name),
                v.chars().count()
            )
        })
    }
}

/// A new brand described on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct BrandProfile {
    /// Display name.
    pub name: String,
    /// Category (name or slug), possibly empty.
    pub category: String,
    /// Country.
    pub country: String,
    /// Hashtags as typed.
    pub hashtags: String,
    /// Description.
    pub description: String,
}

/// A checked batch: its envelope, the rows that passed and the reasons of those that did not.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The idempotency key.
    pub batch_id: String,
    /// The sending device (random per browser profile), possibly empty.
    pub device_id: String,
    /// The sending address as a salted hash (set by the collector, not the client; "" when
    /// unknown).
    pub source: String,
    /// New brands the rows name.
    pub brands: Vec<BrandProfile>,
    /// Rows that passed every check.
    pub rows: Vec<Row>,
    /// Rows that did not, with why.
    pub rejected: Vec<Rejected>,
    /// Rows that did not and had no usable `event_id` (counted only).
    pub rejected_without_id: usize,
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    /// The row's event id ("" when it had none).
    pub event_id: String,
    /// Why, in words.
    pub reason: String,
}

/// The collector's answer (also the body of a 400, then with `error` set).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ack {
    /// Stored now.
    pub accepted: Vec<String>,
    /// Stored before (a retry).
    pub duplicates: Vec<String>,
    /// Not stored, with reasons.
    pub rejected: Vec<Rejected>,
    /// Rows refused without a readable `event_id` (counted, not listed: no device can match
    /// them to a row, and listing them would let a body of bare `0`s buy an answer many
    /// times its size).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub rejected_without_id: usize,
    /// Why the whole batch was refused, when it was.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// The whole batch was refused for `error`: every row of it is refused with that reason
    /// (the reason is sent once, not per row).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub batch_refused: bool,
    /// With a 413 for too many rows: the most a batch may carry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_rows: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Ack {
    /// The most bytes an answer to a request of `request` bytes may take: 4 times the request
    /// plus 1 KiB for the envelope and a refusal's reason. Holds by construction (every
    /// listed id is in the request, reasons quote only [`excerpt`]s); [`Ack::to_json_within`] enforces
    /// it in case a reason ever grows.
    pub fn budget(request: usize) -> usize {
        request.saturating_mul(4).saturating_add(1024)
    }

    /// Serialises the answer within `budget` bytes: when the full answer is larger, the
    /// rejections keep only the first word of their reasons, then are counted instead of
    /// listed (their rows stay queued on the device and are sent again).
    pub fn to_json_within(&mut self, budget: usize) -> Vec<u8> {
        let body = serde_json::to_vec(&*self).unwrap_or_default();
        if body.len() <= budget {
            return body;
        }
        for r in &mut self.rejected {
            let short: String = r
                .reason
                .split(':')
                .next()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect();
            r.reason = short;
        }
        if let Some(e) = &mut self.error {
            *e = e.chars().take(200).collect();
        }
        let body = serde_json::to_vec(&*self).unwrap_or_default();
        if body.len() <= budget {
            return body;
        }
        self.rejected_without_id += self.rejected.len();
        self.rejected.clear();
        serde_json::to_vec(&*self).unwrap_or_default()
    }
}

/// What the data knows: influencer and brand names (as [`key`]s).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Influencer name keys.
    pub influencers: BTreeSet<String>,
    /// Brand name keys (known brands and new brands already received).
    pub brands: BTreeSet<String>,
}

/// Why a batch was refused whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedAs {
    /// The body is not JSON or has no readable row list: nothing about its rows is known
    /// (400; the device retries with backoff).
    Unreadable,
    /// A readable row list in an envelope that is wrong (format, version, keys, profiles):
    /// every row of the batch is refused with the one reason (400, `batch_refused`).
    Malformed,
    /// More rows than [`Limits::rows_per_batch`] (413 naming the limit; the device re-sends
    /// them in smaller batches).
    TooManyRows,
}

/// A batch refused whole: the reason, once (never copied per row, so the answer stays a
/// few hundred bytes however many rows the batch had).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// Why.
    pub error: String,
    /// Which kind of refusal (the status the collector answers).
    pub kind: RefusedAs,
}

/// Characters of client text an answer may quote.
pub const EXCERPT_CHARS: usize = 32;

/// A short, escaped excerpt of client text for an answer or a log: at most [`EXCERPT_CHARS`]
/// characters, quoted, with control, format (bidi overrides, zero widths) and other
/// unprintable characters escaped as `\u{..}`, and "…" when cut. An answer therefore never
/// repeats more than a few dozen bytes of what was sent, however long the field.
pub fn excerpt(s: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        if i == EXCERPT_CHARS {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out.push('"');
    out
}

/// A name as stored and shown: without default-ignorable code points (zero widths, bidi
/// controls, the BOM: nothing a reader sees, but enough to spoof or reverse a name), trimmed.
pub fn visible(name: &str) -> String {
    crate::text::without_ignorables(name).trim().to_string()
}

/// The JSON type of a value, for messages (never its content).
fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

fn text_field<'a>(row: &'a serde_json::Value, field: &str, max: usize) -> Result<&'a str, String> {
    match row.get(field) {
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Err(format!("{field}: empty")),
        // PostgreSQL text cannot hold U+0000; refused here so both backends store the same
        // rows (and a stored row never fails to commit on one of them).
        Some(serde_json::Value::String(s)) if s.contains('\0') => {
            Err(format!("{field}: contains a NUL character"))
        }
        Some(serde_json::Value::String(s)) if s.len() > max => {
            Err(format!("{field}: longer than {max} bytes"))
        }
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "{field}: expected a string, found {}",
            json_type(other)
        )),
        None => Err(format!("{field}: missing")),
    }
}

/// Checks one row; `brands` are the keys of the brands this batch may name.
fn check_row(
    row: &serde_json::Value,
    known: &Known,
    new_brands: &BTreeSet<String>,
    points: &PointsConfig,
    now_ms: i64,
) -> Result<Row, String> {
    let event_id = text_field(row, "event_id", MAX_ID_LEN)?;
    let brand = text_field(row, "brand", MAX_NAME_LEN)?;
    let influencer = text_field(row, "influencer", MAX_NAME_LEN)?;
    let kind_text = text_field(row, "kind", 32)?;
    let kind = RowKind::parse(kind_text).ok_or_else(|| {
        format!(
            "kind: expected click, check_info, add_to_campaign, collaboration or pairing, found {}",
            excerpt(kind_text)
        )
    })?;
    let p = row
        .get("points")
        .and_then(serde_json::Value::as_f64)
        .ok_or("points: expected a number")?;
    let expected = match kind {
        RowKind::Interaction(k) => points.points(k),
        RowKind::Pairing => 0.0,
    };
    if p != expected {
        return Err(format!(
            "points: a {} earns {expected}, found {p}",
            kind.as_str()
        ));
    }
    let ts = row
        .get("timestamp_ms")
        .and_then(serde_json::Value::as_i64)
        .ok_or("timestamp_ms: expected an integer")?;
    // Far from the receipt time: refused. Ahead of it: clamped to it (a device clock can be
    // wrong; a time in the future must never make a row look newer than the rows received
    // after it). The retrain orders rows by receipt time in any case.
    if ts < now_ms - MAX_AGE_MS {
        return Err(format!(
            "timestamp_ms: {ts} is more than {} days before its receipt",
            MAX_AGE_MS / 86_400_000
        ));
    }
    let ts = ts.min(now_ms);
    if !known.influencers.contains(&key(influencer)) {
        return Err(format!("unknown influencer {}", excerpt(influencer)));
    }
    let bk = key(brand);
    if !known.brands.contains(&bk) && !new_brands.contains(&bk) {
        return Err(format!(
            "unknown brand {} (a new brand travels in the batch's brands)",
            excerpt(brand)
        ));
    }
    Ok(Row {
        event_id: event_id.to_string(),
        brand: visible(brand),
        influencer: visible(influencer),
        kind,
        points: p,
        timestamp_ms: ts,
    })
}

/// Parses and checks a batch body. `key_header` is the request's `Idempotency-Key`, which
/// must equal `batch_id` when present.
pub fn parse_batch(
    body: &[u8],
    key_header: Option<&str>,
    known: &Known,
    points: &PointsConfig,
    limits: &Limits,
    now_ms: i64,
) -> Result<Batch, Refused> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| Refused {
        // serde_json's syntax messages name a position and a category, never the content.
        error: format!("body is not JSON: {e}"),
        kind: RefusedAs::Unreadable,
    })?;
    let rows = v.get("rows").and_then(serde_json::Value::as_array);
    let kind = if rows.is_some() {
        RefusedAs::Malformed
    } else {
        RefusedAs::Unreadable
    };
    let refuse = |error: String| Refused { error, kind };
    match v.get("format") {
        Some(serde_json::Value::String(f)) if f == BATCH_FORMAT => {}
        Some(serde_json::Value::String(f)) => {
            return Err(refuse(format!(
                "format: expected {BATCH_FORMAT:?}, found {}",
                excerpt(f)
            )))
        }
        other => {
            return Err(refuse(format!(
                "format: expected {BATCH_FORMAT:?}, found {}",
                other.map_or("nothing", json_type)
            )))
        }
    }
    match v.get("version").and_then(serde_json::Value::as_u64) {
        Some(x) if x == u64::from(BATCH_VERSION) => {}
        Some(x) => {
            return Err(refuse(format!(
                "version: expected {BATCH_VERSION}, found {x}"
            )))
        }
        None => {
            return Err(refuse(format!(
                "version: expected {BATCH_VERSION}, found {}",
                v.get("version").map_or("nothing", json_type)
            )))
        }
    }
    let batch_id = text_field(&v, "batch_id", MAX_ID_LEN)
        .map_err(refuse)?
        .to_string();
    // The key is required: a retry must be recognisable as one before its body is trusted.
    match key_header {
        None => {
            return Err(refuse(format!(
                "Idempotency-Key header missing: it must be the batch_id {}",
                excerpt(&batch_id)
            )))
        }
        Some(h) if h != batch_id => {
            return Err(refuse(format!(
                "Idempotency-Key {} is not the batch_id {}",
                excerpt(h),
                excerpt(&batch_id)
            )))
        }
        Some(_) => {}
    }
    let Some(rows) = rows else {
        return Err(refuse("rows: expected a list".into()));
    };
    if rows.len() > limits.rows_per_batch {
        return Err(Refused {
            error: format!(
                "rows: {} in this batch, at most {} per batch",
                rows.len(),
                limits.rows_per_batch
            ),
            kind: RefusedAs::TooManyRows,
        });
    }
    let brands: Vec<BrandProfile> = match v.get("brands") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(list)) if list.len() > limits.brands_per_batch => {
            return Err(refuse(format!(
                "brands: {} profiles, at most {} per batch",
                list.len(),
                limits.brands_per_batch
            )))
        }
        Some(b) => serde_json::from_value(b.clone()).map_err(|_| {
            refuse(
                "brands: expected a list of profiles {name, category, country, hashtags, description}, each a string"
                    .into(),
            )
        })?,
    };
    // Profiles over a cap are refused; rows naming them are rejected with the reason.
    let mut refused_profiles: BTreeMap<String, String> = BTreeMap::new();
    let brands: Vec<BrandProfile> = brands
        .into_iter()
        .filter(|b| match limits.refuses(b) {
            Some(why) => {
                refused_profiles.insert(key(&b.name), why);
                false
            }
            None => true,
        })
        .collect();
    let brands: Vec<BrandProfile> = brands
        .into_iter()
        .map(|b| BrandProfile {
            name: visible(&b.name),
            ..b
        })
        .collect();
    let new_brands: BTreeSet<String> = brands
        .iter()
        .map(|b| key(&b.name))
        .filter(|k| !k.is_empty())
        .collect();
    let mut out = Batch {
        batch_id,
        device_id: v
            .get("device_id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .chars()
            .filter(|&c| c != '\0')
            .take(MAX_ID_LEN)
            .collect(),
        source: String::new(),
        brands: brands
            .into_iter()
            .filter(|b| !key(&b.name).is_empty())
            .collect(),
        rows: Vec::new(),
        rejected: Vec::new(),
        rejected_without_id: 0,
    };
    let mut seen = BTreeSet::new();
    for r in rows {
        match check_row(r, known, &new_brands, points, now_ms) {
            Ok(row) if !seen.insert(row.event_id.clone()) => out.rejected.push(Rejected {
                event_id: row.event_id,
                reason: "event_id: twice in this batch".into(),
            }),
            Ok(row) => out.rows.push(row),
            Err(reason) => {
                let id = r
                    .get("event_id")
                    .and_then(serde_json::Value::as_str)
                    .filter(|id| !id.is_empty() && id.len() <= MAX_ID_LEN);
                let Some(id) = id else {
                    out.rejected_without_id += 1;
                    continue;
                };
                let brand = r.get("brand").and_then(serde_json::Value::as_str).map(key);
                out.rejected.push(Rejected {
                    event_id: id.to_string(),
                    reason: brand
                        .and_then(|b| refused_profiles.get(&b).cloned())
                        .unwrap_or(reason),
                })
            }
        }
    }
    // A profile is kept only when a row of this batch that passed names it: no row, no
    // brand (nothing is injected into the data by profiles alone).
    let named: BTreeSet<String> = out.rows.iter().map(|r| key(&r.brand)).collect();
    out.brands.retain(|b| named.contains(&key(&b.name)));
    Ok(out)
}

/// Keeps at most `allowance` profiles of brands not in `known` (in the batch's order); the
/// others are refused, and their rows move to `rejected` with `reason`. Returns how many new
/// brands were kept (the caller counts them against the device's day).
pub fn cap_new_brands(batch: &mut Batch, known: &Known, allowance: usize, reason: &str) -> usize {
    let mut kept = 0;
    let mut refused = BTreeSet::new();
    batch.brands.retain(|b| {
        let k = key(&b.name);
        if known.brands.contains(&k) {
            true
        } else if kept < allowance {
            kept += 1;
            true
        } else {
            refused.insert(k);
            false
        }
    });
    if !refused.is_empty() {
        let (out, keep): (Vec<Row>, Vec<Row>) = std::mem::take(&mut batch.rows)
            .into_iter()
            .partition(|r| refused.contains(&key(&r.brand)));
        batch.rows = keep;
        batch.rejected.extend(out.into_iter().map(|r| Rejected {
            event_id: r.event_id,
            reason: reason.to_string(),
        }));
    }
    kept
}

#[cfg(test)]
mod tests;
