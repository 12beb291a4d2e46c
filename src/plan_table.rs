//! The candidates table of `influence-rec plan`: untrusted CSV bytes in, planner items out,
//! and the chosen rows back as CSV. Amounts are read as exact decimal cents (never through a
//! float), so `32.22` is 3,222 cents whatever its binary expansion.

use crate::error::{Error, Location, Result};
use crate::planner::{Item, MAX_CENTS, MAX_ITEMS};
use crate::text::csv_uncell;

/// The candidates as read: the header, each record's fields, and the planner's items (item id
/// = record index).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    /// The header as written.
    pub header: Vec<String>,
    /// Every record as written.
    pub records: Vec<Vec<String>>,
    /// One item per record, `id` = its index in `records`.
    pub items: Vec<Item>,
}

/// An amount of dollars as exact cents: digits with at most two decimals and an optional
/// leading `$` (`1234.5`, `$0.07`, `32.22`); thousands separators are refused because `1,234`
/// and `1.234` mean different things in different countries.
pub fn parse_cents(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t);
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return Err("an amount in dollars with at most 2 decimals, e.g. 1234.56".into());
    }
    let too_big = || format!("an amount of at most {} dollars", MAX_CENTS / 100);
    let whole = whole.trim_start_matches('0');
    if whole.len() > 12 {
        return Err(too_big());
    }
    let dollars: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_big())?
    };
    let cents: u64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let total = dollars
        .checked_mul(100)
        .and_then(|d| d.checked_add(cents))
        .filter(|&c| c <= MAX_CENTS)
        .ok_or_else(too_big)?;
    Ok(total)
}

/// Reads a candidates CSV: a header naming `id`, `cost` and `value` (any order, any case,
/// other columns kept), then one row per candidate. The first bad row is an error naming
/// `source`, its line and field.
pub fn read_candidates(bytes: &[u8], source: &str) -> Result<Candidates> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let at = |line: u64| Location::source(source).at_line(line);
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => return Err(Error::malformed(at(1), "empty file: no header row")),
        Err(e) => return Err(Error::malformed(at(1), format!("unreadable header: {e}"))),
    }
    let header: Vec<String> = rec
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let column = |name: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::malformed(
                    at(1).field(name),
                    format!("no `{name}` column (need id, cost, value), found {header:?}"),
                )
            })
    };
    let (id_col, cost_col, value_col) = (column("id")?, column("cost")?, column("value")?);
    let mut records = Vec::new();
    let mut items = Vec::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(Error::malformed(at(line), format!("unreadable row: {e}")));
            }
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                // A cell defused by a CSV writer (ours: `plan`'s own output) reads as its value.
                let rec: Vec<String> = rec.iter().map(|f| csv_uncell(f).to_string()).collect();
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                if rec.len() != header.len() {
                    return Err(Error::malformed(
                        at(line),
                        format!("{} fields, the header has {}", rec.len(), header.len()),
                    ));
                }
                if items.len() == MAX_ITEMS {
                    return Err(Error::malformed(
                        at(line),
                        format!("more than {MAX_ITEMS} candidates"),
                    ));
                }
                let field = |col: usize, expected: String| Error::Parse {
                    at: at(line).field(&header[col]),
                    expected,
                    found: rec[col].chars().take(60).collect(),
                };
                if rec[id_col].trim().is_empty() {
                    return Err(field(id_col, "an id".into()));
                }
                let cost_cents = parse_cents(&rec[cost_col]).map_err(|e| field(cost_col, e))?;
                let value = rec[value_col]
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| field(value_col, "a finite number".into()))?;
                items.push(Item {
                    id: records.len() as u32,
                    cost_cents,
                    value,
                });
                records.push(rec);
            }
        }
    }
    Ok(Candidates {
        header,
        records,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_cents() {
        for (text, want) in [
            ("32.22", 3222),
            ("0.07", 7),
            ("$1234.5", 123_450),
            (" 10 ", 1000),
            (".29", 29),
            ("7.", 700),
            ("10000000", 1_000_000_000),
            ("000000000000000000001.00", 100),
        ] {
            assert_eq!(parse_cents(text), Ok(want), "{text}");
        }
        for bad in [
            "",
            ".",
            "1,234",
            "1.234",
            "-5",
            "1e3",
            "12.3.4",
            "NaN",
            "99999999999999",
            "١٢",
        ] {
            assert!(parse_cents(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rows_become_items_and_bad_rows_name_line_and_field() {
        let c = read_candidates(
            b"Name,Value,ID,Cost\nann,722,a,18.26\n\nbob,201,b,16.94\n",
            "c.csv",
        )
        .unwrap();
        assert_eq!(c.records.len(), 2);
        assert_eq!(
            c.items[1],
            Item {
                id: 1,
                cost_cents: 1694,
                value: 201.0
            }
        );
        let e = read_candidates(b"id,cost,value\na,1,2\nb,1.234,3\n", "c.csv").unwrap_err();
        assert!(e.to_string().starts_with("c.csv:3 field `cost`"), "{e}");
        let e = read_candidates(b"id,cost,value\na,1,inf\n", "c.csv").unwrap_err();
        assert!(e.to_string().contains("field `value`"), "{e}");
        let e = read_candidates(b"id,price,value\n", "c.csv").unwrap_err();
        assert!(e.to_string().contains("no `cost` column"), "{e}");
        let e = read_candidates(b"id,cost,value\na,1\n", "c.csv").unwrap_err();
        assert!(e.to_string().starts_with("c.csv:2"), "{e}");
        assert!(read_candidates(b"", "c.csv").is_err());
    }
}
