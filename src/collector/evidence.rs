//! Collected rows as evidence about people, not points summed (issue 26).
//!
//! A row says "someone at this address, on this device, did this with this pair". Summing
//! points lets whoever sends the most rows decide the rankings: a new device id costs nothing,
//! so one address could send 100 collaborations per pair under 120 device ids. Here a row
//! counts only through who vouches for it:
//!
//! - a *device's vouch* for a pair is the points of its strongest row for the pair (a click
//!   is 1, a collaboration 10): repeats from one device count once;
//! - a *source* (an address, kept as a salted hash; rows stored before schema 2 use their
//!   device) sums its devices' vouches for the pair, capped at `per_source_cap` (one
//!   collaboration): new device ids behind one address buy nothing past it;
//! - a source speaks for at most `brands_per_source` brands (5): a person works for a brand
//!   or a few, so a source whose rows name more (a script spreading one influencer over every
//!   brand) is not counted at all. The learners read a pair as a positive once its points
//!   reach one click's worth, so any sliver per brand would still be a vote in every brand;
//!   nothing is the only safe weight;
//! - a source adds at most `per_source_cap` to one influencer over all brands together;
//! - a pair's evidence is the sum over its sources.
//!
//! So one address adds to an influencer at most one collaboration's worth, in one brand or
//! spread over at most `brands_per_source` brands, which is what one honest person can do; N
//! addresses N times that.
//! Pairing rows carry no points and are not evidence.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::PairEvidence;
use crate::collector::storage::StoredRow;
use crate::collector::wire::RowKind;
use crate::text::key;

/// How rows become evidence; defaults documented in the README ("Rankings nobody can buy").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvidenceParams {
    /// Most points one source adds to one pair (10: one collaboration).
    pub per_source_cap: f64,
    /// Brands one source may speak for (5); a source naming more is not counted.
    pub brands_per_source: usize,
}

impl Default for EvidenceParams {
    fn default() -> Self {
        EvidenceParams {
            per_source_cap: 10.0,
            brands_per_source: 5,
        }
    }
}

/// What weighing discounted, and why, for `retrain`'s report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceReport {
    /// Interaction rows read.
    pub rows: usize,
    /// Points the rows claimed, summed as sent.
    pub points_sent: f64,
    /// Points the evidence kept.
    pub points_kept: f64,
    /// Rows that repeated a device's vouch for a pair (counted once).
    pub repeats: usize,
    /// Pairs where a source's devices together passed `per_source_cap` (capped).
    pub capped_pairs: usize,
    /// Sources whose rows named more than `brands_per_source` brands (not counted), with
    /// how many brands each named, largest first.
    pub spread_sources: Vec<usize>,
    /// Device vouches of those sources, not counted.
    pub spread_rows: usize,
    /// Pairs with evidence.
    pub pairs: usize,
    /// Pairs whose evidence comes from a single source.
    pub single_source_pairs: usize,
    /// Distinct sources.
    pub sources: usize,
    /// Distinct devices.
    pub devices: usize,
}

impl EvidenceReport {
    /// Lines for `retrain`'s output.
    pub fn lines(&self, params: &EvidenceParams) -> Vec<String> {
        let mut out = vec![format!(
            "evidence: {} interaction rows from {} devices behind {} sources (addresses): {} pairs, {:.1} points kept of {:.1} sent",
            self.rows, self.devices, self.sources, self.pairs, self.points_kept, self.points_sent
        )];
        if self.repeats > 0 {
            out.push(format!(
                "  discounted: {} rows repeating their device's vouch for a pair (counted once)",
                self.repeats
            ));
        }
        if self.capped_pairs > 0 {
            out.push(format!(
                "  discounted: {} pairs where one source's devices passed {} points (capped)",
                self.capped_pairs, params.per_source_cap
            ));
        }
        if !self.spread_sources.is_empty() {
            let shown: Vec<String> = self
                .spread_sources
                .iter()
                .take(10)
                .map(|n| n.to_string())
                .collect();
            out.push(format!(
                "  discounted: {} sources naming more than {} brands, not counted ({} device vouches; brands named: {})",
                self.spread_sources.len(),
                params.brands_per_source,
                self.spread_rows,
                shown.join(", ")
            ));
        }
        if self.single_source_pairs > 0 {
            out.push(format!(
                "  {} of the {} pairs rest on one source (at most {} points each)",
                self.single_source_pairs, self.pairs, params.per_source_cap
            ));
        }
        out
    }
}

/// Weighs collected rows into pair evidence (sorted by brand key, influencer key), with the
/// report of what was discounted.
pub fn weigh(rows: &[StoredRow], params: &EvidenceParams) -> (Vec<PairEvidence>, EvidenceReport) {
    let mut report = EvidenceReport::default();
    // (source, pair) -> device -> strongest points; the pair's first-seen names.
    type Pair = (String, String);
    let mut vouches: BTreeMap<(&str, Pair), BTreeMap<&str, f64>> = BTreeMap::new();
    let mut names: BTreeMap<Pair, (&str, &str)> = BTreeMap::new();
    let mut brands_of: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut devices: BTreeSet<&str> = BTreeSet::new();
    for r in rows {
        if !matches!(r.row.kind, RowKind::Interaction(_)) {
            continue;
        }
        let points = r.row.points;
        if !(points.is_finite() && points > 0.0) {
            continue;
        }
        report.rows += 1;
        report.points_sent += points;
        let pair = (key(&r.row.brand), key(&r.row.influencer));
        names
            .entry(pair.clone())
            .or_insert((&r.row.brand, &r.row.influencer));
        let source = r.source_or_device();
        brands_of.entry(source).or_default().insert(pair.0.clone());
        devices.insert(&r.device_id);
        let by_device = vouches.entry((source, pair)).or_default();
        match by_device.get_mut(r.device_id.as_str()) {
            Some(best) => {
                report.repeats += 1;
                *best = best.max(points);
            }
            None => {
                by_device.insert(&r.device_id, points);
            }
        }
    }
    // A source's evidence per pair: its devices' vouches, capped, scaled by its spread.
    let mut by_source: BTreeMap<(&str, &Pair), f64> = BTreeMap::new();
    let mut per_influencer: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for ((source, pair), by_device) in &vouches {
        let named = brands_of.get(source).map_or(1, BTreeSet::len);
        if named > params.brands_per_source {
            // Speaking for more brands than a person works for: not evidence about people.
            report.spread_rows += by_device.len();
            continue;
        }
        let total: f64 = by_device.values().sum();
        if total > params.per_source_cap {
            report.capped_pairs += 1;
        }
        let w = total.min(params.per_source_cap);
        by_source.insert((source, pair), w);
        *per_influencer
            .entry((source, pair.1.as_str()))
            .or_insert(0.0) += w;
    }
    // And at most `per_source_cap` for one influencer over all brands: spreading one
    // influencer over every brand adds to it no more than one collaboration in one brand
    // (else the sum across brands lifts its popularity, and it enters lists anyway).
    let mut sums: BTreeMap<Pair, (f64, usize)> = BTreeMap::new();
    for ((source, pair), w) in by_source {
        let all = per_influencer[&(source, pair.1.as_str())];
        let w = if all > params.per_source_cap {
            w * params.per_source_cap / all
        } else {
            w
        };
        let e = sums.entry(pair.clone()).or_insert((0.0, 0));
        e.0 += w;
        e.1 += 1;
    }
    report.spread_sources = brands_of
        .values()
        .map(BTreeSet::len)
        .filter(|&n| n > params.brands_per_source)
        .collect();
    report.spread_sources.sort_unstable_by(|a, b| b.cmp(a));
    report.sources = brands_of.len();
    report.devices = devices.len();
    report.pairs = sums.len();
    report.single_source_pairs = sums.values().filter(|(_, n)| *n == 1).count();
    let evidence: Vec<PairEvidence> = sums
        .into_iter()
        .filter(|(_, (p, _))| *p > 0.0)
        .map(|(pair, (points, _))| {
            let (brand, influencer) = names[&pair];
            PairEvidence {
                brand: brand.to_string(),
                influencer: influencer.to_string(),
                points,
            }
        })
        .collect();
    report.points_kept = evidence.iter().map(|e| e.points).sum();
    (evidence, report)
}

/// Splits rows into training rows and a held-out set drawn from the newest by the server's
/// receipt time (never the client's timestamp), across sources: about `fraction` of the
/// interaction rows, with each source giving at most its share (`ceil(n / min_sources)`), so
/// no single address fills the set. Returns (train, held).
pub fn hold_out(
    rows: &[StoredRow],
    fraction: f64,
    min_sources: usize,
) -> (Vec<StoredRow>, Vec<StoredRow>) {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| matches!(rows[i].row.kind, RowKind::Interaction(_)))
        .collect();
    // Newest received first; the event id breaks ties so the split is deterministic.
    order.sort_by(|&a, &b| {
        (rows[b].received_ms, &rows[b].row.event_id)
            .cmp(&(rows[a].received_ms, &rows[a].row.event_id))
    });
    let n = ((order.len() as f64 * fraction).ceil() as usize).min(order.len());
    let share = n.div_ceil(min_sources.max(1)).max(1);
    let mut taken: BTreeMap<&str, usize> = BTreeMap::new();
    let mut held = BTreeSet::new();
    for &i in &order {
        if held.len() == n {
            break;
        }
        let t = taken.entry(rows[i].source_or_device()).or_insert(0);
        if *t < share {
            *t += 1;
            held.insert(i);
        }
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, r) in rows.iter().enumerate() {
        if held.contains(&i) {
            test.push(r.clone());
        } else {
            train.push(r.clone());
        }
    }
    (train, test)
}

/// Distinct sources among `rows`.
pub fn sources(rows: &[StoredRow]) -> usize {
    rows.iter()
        .map(StoredRow::source_or_device)
        .collect::<BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::wire::Row;
    use crate::model::InteractionKind;

    fn stored(
        id: &str,
        brand: &str,
        inf: &str,
        kind: InteractionKind,
        device: &str,
        source: &str,
        received: i64,
    ) -> StoredRow {
        StoredRow {
            row: Row {
                event_id: id.into(),
                brand: brand.into(),
                influencer: inf.into(),
                kind: RowKind::Interaction(kind),
                points: crate::model::PointsConfig::default().points(kind),
                timestamp_ms: received,
            },
            batch_id: "b".into(),
            device_id: device.into(),
            received_ms: received,
            source: source.into(),
        }
    }

    use InteractionKind::{Click, Collaboration};

    #[test]
    fn repeats_and_new_device_ids_behind_one_address_buy_nothing() {
        let p = EvidenceParams::default();
        // 100 collaborations of one pair, a new device id each, from one address.
        let flood: Vec<StoredRow> = (0..100)
            .map(|i| {
                stored(
                    &format!("e{i}"),
                    "Acme",
                    "x",
                    Collaboration,
                    &format!("d{i}"),
                    "s1",
                    i,
                )
            })
            .collect();
        let (ev, r) = weigh(&flood, &p);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].points, 10.0, "one collaboration's worth");
        assert_eq!((r.points_sent, r.capped_pairs, r.sources), (1000.0, 1, 1));
        // One device repeating: counted once, at its strongest row.
        let repeats = vec![
            stored("a", "Acme", "x", Click, "d", "s", 1),
            stored("b", "Acme", "x", Click, "d", "s", 2),
            stored("c", "Acme", "x", Collaboration, "d", "s", 3),
            stored("d", "Acme", "x", Collaboration, "d", "s", 4),
        ];
        let (ev, r) = weigh(&repeats, &p);
        assert_eq!((ev[0].points, r.repeats), (10.0, 3));
        // Two addresses: two people.
        let two = vec![
            stored("a", "Acme", "x", Click, "d1", "s1", 1),
            stored("b", "Acme", "x", Click, "d2", "s2", 2),
        ];
        assert_eq!(weigh(&two, &p).0[0].points, 2.0);
    }

    #[test]
    fn a_source_spread_over_many_brands_counts_for_none() {
        let p = EvidenceParams::default();
        let brands: Vec<String> = (0..120).map(|i| format!("Brand {i}")).collect();
        let spread: Vec<StoredRow> = brands
            .iter()
            .enumerate()
            .map(|(i, b)| stored(&format!("e{i}"), b, "x", Collaboration, "d", "s", i as i64))
            .collect();
        let (ev, r) = weigh(&spread, &p);
        assert!(ev.is_empty());
        assert_eq!(
            (r.spread_sources.clone(), r.spread_rows, r.points_kept),
            (vec![120], 120, 0.0)
        );
        assert!(r
            .lines(&p)
            .iter()
            .any(|l| l.contains("1 sources naming more than 5 brands, not counted")));
        // Up to five brands: one collaboration's worth for the influencer over all of them.
        let (ev, _) = weigh(&spread[..1], &p);
        assert_eq!(ev[0].points, 10.0);
        let (ev, _) = weigh(&spread[..5], &p);
        assert_eq!(ev.len(), 5);
        assert!(ev.iter().all(|e| (e.points - 2.0).abs() < 1e-12));
        // Other influencers of the same source are not affected by the cap of this one.
        let mut mixed = spread[..2].to_vec();
        mixed.push(stored("o", "Brand 0", "y", Collaboration, "d", "s", 500));
        let (ev, _) = weigh(&mixed, &p);
        let y = ev.iter().find(|e| e.influencer == "y").unwrap();
        assert_eq!(y.points, 10.0);
    }

    #[test]
    fn rows_without_a_source_count_their_device() {
        let rows = vec![
            stored("a", "Acme", "x", Click, "d1", "", 1),
            stored("b", "Acme", "x", Click, "d2", "", 2),
        ];
        assert_eq!(weigh(&rows, &EvidenceParams::default()).0[0].points, 2.0);
        assert_eq!(sources(&rows), 2);
    }

    #[test]
    fn the_held_out_set_is_the_newest_received_drawn_across_sources() {
        // One source sent the 10 newest rows; four others one older row each.
        let mut rows: Vec<StoredRow> = (0..10)
            .map(|i| {
                stored(
                    &format!("a{i}"),
                    "Acme",
                    "x",
                    Click,
                    "d",
                    "attacker",
                    100 + i,
                )
            })
            .collect();
        rows.extend((0..4).map(|i| {
            stored(
                &format!("h{i}"),
                "Acme",
                "y",
                Click,
                "d",
                &format!("s{i}"),
                10 + i,
            )
        }));
        // 6 held out, at most ceil(6 / 3) = 2 from any source.
        let (train, held) = hold_out(&rows, 0.4, 3);
        assert_eq!(held.len(), 6);
        assert_eq!(train.len(), 8);
        let ids: Vec<&str> = held.iter().map(|r| r.row.event_id.as_str()).collect();
        assert_eq!(ids, ["a8", "a9", "h0", "h1", "h2", "h3"]);
        assert_eq!(sources(&held), 5);
        // The client's timestamp plays no part: a row claiming to be newest is not.
        rows[10].row.timestamp_ms = i64::MAX / 2;
        assert_eq!(hold_out(&rows, 0.4, 3).1.len(), 6);
        assert_eq!(hold_out(&[], 0.2, 3).1.len(), 0);
    }
}
