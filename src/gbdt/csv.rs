//! Tables of feature values as CSV, the way `gbdt train` and `gbdt predict` read them.
//! Readers in, tables out; errors name the source, line and column.
//!
//! A training table has a header: the label column, an optional query-id column (consecutive
//! rows with one id are a query, lambdarank's `group`), and every other column a feature. A
//! feature cell that is empty, `nan` or `na` is missing (NaN); a label must be a finite
//! number.

use std::io::Read;

use super::train::Dataset;
use crate::error::{Error, Location, Result};

/// A training table: feature names, row-major values, labels, query sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// Row-major feature values (NaN = missing).
    pub x: Vec<f64>,
    /// Labels.
    pub y: Vec<f64>,
    /// Query sizes (empty without a query column).
    pub group: Vec<u32>,
}

impl Table {
    /// The table as training data.
    pub fn dataset(&self) -> Dataset<'_> {
        Dataset {
            x: &self.x,
            n_features: self.names.len(),
            y: &self.y,
            group: &self.group,
        }
    }
}

/// A feature cell, read as LightGBM's text parser (`Common::Atof`) reads it: empty, `nan`,
/// `na` or `null` (any case, any sign) is missing (NaN); `inf` and `infinity` (any case,
/// signed) are ±1e308, the value LightGBM gives them; otherwise a decimal number (one beyond
/// ±1e308 is ±1e308 too, so every non-missing value is finite). `None` for anything else.
pub fn feature_value(cell: &str) -> Option<f64> {
    let t = cell.trim().to_ascii_lowercase();
    let (sign, word) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t.as_str()),
    };
    match word {
        "" if t.is_empty() => Some(f64::NAN),
        "nan" | "na" | "null" => Some(f64::NAN),
        "inf" | "infinity" => Some(sign * 1e308),
        // Rust's parser also takes "inf"/"nan" spellings; those are handled above, so what
        // remains must start like a number.
        w if w.starts_with(|c: char| c.is_ascii_digit() || c == '.') => {
            t.parse::<f64>().ok().map(|v| v.clamp(-1e308, 1e308))
        }
        _ => None,
    }
}

fn csv_error(source: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let mut at = Location::source(source);
    at.line = line;
    Error::malformed(at, e.to_string())
}

/// Reads a training table (see the module docs) from `r`, named `source` in errors.
pub fn read_table(
    r: impl Read,
    source: &str,
    label: &str,
    group_column: Option<&str>,
) -> Result<Table> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(r);
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| csv_error(source, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Error::malformed(
                Location::source(source).at_line(1),
                format!("no column {name:?}"),
            )
        })
    };
    let li = column(label)?;
    let gi = group_column.map(column).transpose()?;
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != li && Some(*j) != gi)
        .map(|(_, h)| h.clone())
        .collect();
    let mut t = Table {
        names,
        x: Vec::new(),
        y: Vec::new(),
        group: Vec::new(),
    };
    let mut last_query: Option<String> = None;
    for rec in rd.records() {
        let rec = rec.map_err(|e| csv_error(source, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let at = Location::source(source).at_line(line);
        for (j, c) in rec.iter().enumerate() {
            if Some(j) == gi {
                if last_query.as_deref() == Some(c) {
                    if let Some(g) = t.group.last_mut() {
                        *g += 1;
                    }
                } else {
                    t.group.push(1);
                    last_query = Some(c.to_string());
                }
                continue;
            }
            // Features may be missing; the label must be a finite number.
            let v = if j == li {
                c.parse::<f64>().ok().filter(|v| v.is_finite())
            } else {
                feature_value(c)
            };
            let v = v.ok_or_else(|| {
                Error::parse(
                    at.clone().field(header[j].clone()),
                    if j == li {
                        "a finite number"
                    } else {
                        "a number, an empty cell, nan, na, null, inf or infinity"
                    },
                    c,
                )
            })?;
            if j == li {
                t.y.push(v)
            } else {
                t.x.push(v)
            }
        }
    }
    Ok(t)
}

/// Reads rows of feature values for prediction: `n_features` cells a row; a first line that
/// is not numbers is a header and skipped. Returns row-major values.
pub fn read_rows(r: impl Read, source: &str, n_features: usize) -> Result<Vec<f64>> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(r);
    let mut x = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| csv_error(source, e))?;
        let line = rec.position().map_or(i as u64 + 1, |p| p.line());
        let at = Location::source(source).at_line(line);
        let parsed: std::result::Result<Vec<f64>, usize> = rec
            .iter()
            .enumerate()
            .map(|(j, c)| feature_value(c).ok_or(j))
            .collect();
        let row = match parsed {
            Ok(r) => r,
            // A first line that is not numbers is a header.
            Err(_) if i == 0 => continue,
            Err(j) => {
                return Err(Error::parse(
                    at.field(format!("column {}", j + 1)),
                    "a number, an empty cell, nan, na, null, inf or infinity",
                    rec.get(j).unwrap_or(""),
                ))
            }
        };
        if row.len() != n_features {
            return Err(Error::malformed(
                at,
                format!("expected {n_features} features, found {}", row.len()),
            ));
        }
        x.extend(row);
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_with_queries_and_missing_cells() {
        let text = "q,label,a,b\n1,2,0.5,\n1,0,nan,3\n2,1,NA,-1e3\n";
        let t = read_table(text.as_bytes(), "t.csv", "label", Some("q")).unwrap();
        assert_eq!(t.names, ["a", "b"]);
        assert_eq!(t.y, [2.0, 0.0, 1.0]);
        assert_eq!(t.group, [2, 1]);
        assert_eq!(t.x[0], 0.5);
        assert!(t.x[1].is_nan() && t.x[2].is_nan() && t.x[4].is_nan());
        assert_eq!(t.x[5], -1000.0);
    }

    #[test]
    fn every_token_lightgbm_reads_has_its_meaning() {
        for missing in [
            "", " ", "nan", "NaN", "-nan", "na", "NA", "null", "NULL", "+null",
        ] {
            assert!(feature_value(missing).unwrap().is_nan(), "{missing:?}");
        }
        for (t, v) in [
            ("inf", 1e308),
            ("-inf", -1e308),
            ("+Inf", 1e308),
            ("INFINITY", 1e308),
            ("-Infinity", -1e308),
            ("1e400", 1e308),
            ("-1e400", -1e308),
            ("-0", -0.0),
            (".5", 0.5),
            (" 2.5e-3 ", 0.0025),
        ] {
            assert_eq!(feature_value(t), Some(v), "{t:?}");
        }
        for bad in ["x", "1,5", "infinit", "nul", "--1", "0x10", "e5"] {
            assert_eq!(feature_value(bad), None, "{bad:?}");
        }
        let x = read_rows("a,b\ninf,null\n-infinity,\n".as_bytes(), "r.csv", 2).unwrap();
        assert_eq!(x[0], 1e308);
        assert!(x[1].is_nan() && x[3].is_nan());
        assert_eq!(x[2], -1e308);
    }

    #[test]
    fn bad_cells_name_file_line_and_column() {
        let e = read_table("label,a\n1,2\n1,x\n".as_bytes(), "t.csv", "label", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3 field `a`: expected a number, an empty cell, nan, na, null, inf or infinity, found \"x\""
        );
        let e = read_table("label,a\nnan,2\n".as_bytes(), "t.csv", "label", None).unwrap_err();
        assert!(e.to_string().contains("field `label`"), "{e}");
        let e = read_table("label,a\n1,2,3\n".as_bytes(), "t.csv", "label", None).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:2"), "{e}");
        let e = read_table("a,b\n1,2\n".as_bytes(), "t.csv", "label", None).unwrap_err();
        assert!(e.to_string().contains("no column \"label\""), "{e}");
    }

    #[test]
    fn prediction_rows_skip_a_header_and_check_widths() {
        let x = read_rows("f1,f2\n1,\n3,4\n".as_bytes(), "r.csv", 2).unwrap();
        assert_eq!(x.len(), 4);
        assert!(x[1].is_nan());
        let e = read_rows("1,2\n3\n".as_bytes(), "r.csv", 2).unwrap_err();
        assert_eq!(e.to_string(), "r.csv:2: expected 2 features, found 1");
        let e = read_rows("1,2\n3,y\n".as_bytes(), "r.csv", 2).unwrap_err();
        assert!(e.to_string().contains("r.csv:2 field `column 2`"), "{e}");
    }
}
