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

/// A feature cell: empty, `nan` or `na` is missing (NaN), otherwise a finite number; `None`
/// for anything else.
pub fn feature_value(cell: &str) -> Option<f64> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" | "nan" | "na" => Some(f64::NAN),
        t => t.parse::<f64>().ok().filter(|v| v.is_finite()),
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
            let v =
                v.ok_or_else(|| Error::parse(at.clone().field(header[j].clone()), "a number", c))?;
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
                    "a number or an empty cell",
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
    fn bad_cells_name_file_line_and_column() {
        let e = read_table("label,a\n1,2\n1,x\n".as_bytes(), "t.csv", "label", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3 field `a`: expected a number, found \"x\""
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
