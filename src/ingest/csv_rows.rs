//! Scraped CSV exports: the header resolved to fields, each record to one post row.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::aggregate::{take_row, PostRow};
use super::fields::{name_key, ColumnMapping, Field};
use super::flat_json::Layout;
use super::json_rows::{Sink, POST_LISTS};
use super::report::IngestReport;
use super::row::post_row;
use crate::error::{Error, Location, Result};

/// Reads every record of `input` (named `source`) as a post row; a bad record is a row error
/// in `report`, an unusable header fails the whole file.
pub(super) fn read<R: std::io::Read>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
    report: &mut IngestReport,
) -> Result<Vec<PostRow>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let header_read = rdr
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(source, e))?;
    if !header_read {
        return Err(Error::malformed(
            Location::source(source),
            "empty file: no header row",
        ));
    }
    let header: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let s = String::from_utf8_lossy(h);
            let s = if i == 0 {
                s.trim_start_matches('\u{feff}').to_string()
            } else {
                s.into_owned()
            };
            s.trim().to_string()
        })
        .collect();
    // A platform's CSV export of nested records (`latestPosts/0/caption`, `hashtags/3`) is
    // read as the records it was flattened from.
    if let Some(layout) = Layout::detect(&header, source, report) {
        return read_flattened(&layout, rdr, &header, source, mapping, report);
    }
    let columns = resolve_columns(&header, mapping, source, report)?;

    // Records are read in order and parsed in batches in parallel (parsing, hashtags and
    // numbers are most of the work); results are taken in order, so rows and errors do not
    // depend on the number of threads. A batch bounds the raw records held at once.
    let mut rows: Vec<PostRow> = Vec::new();
    // Records are reused batch after batch, so reading allocates only while they grow.
    let mut batch: Vec<(csv::ByteRecord, u64)> = vec![(csv::ByteRecord::new(), 0); BATCH];
    let mut filled = 0;
    loop {
        let (mut done, mut error) = (false, None);
        while filled < BATCH {
            let (rec, line) = &mut batch[filled];
            match rdr.read_byte_record(rec) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => {
                    *line = rec.position().map(|p| p.line()).unwrap_or(0);
                    filled += 1;
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let parsed: Vec<Result<PostRow>> = batch[..filled]
            .par_iter()
            .map(|(rec, line)| {
                let at = Location::source(source).at_line(*line);
                parse_row(rec, &header, &columns, at)
            })
            .collect();
        filled = 0;
        for r in parsed {
            take_row(r, report, &mut rows);
        }
        // A CSV-level error (e.g. unreadable bytes) loses only that record, reported after
        // the records read before it.
        if let Some(e) = error {
            report.rows_read += 1;
            report.errors.push(csv_error(source, e));
        }
        if done {
            break;
        }
    }
    Ok(rows)
}

/// Records parsed together.
const BATCH: usize = 4096;

pub(super) fn csv_error(source: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let mut at = Location::source(source);
    at.line = line;
    match e.kind() {
        csv::ErrorKind::Io(_) => Error::malformed(at, format!("read error: {e}")),
        _ => Error::malformed(at, format!("unreadable CSV record: {e}")),
    }
}

pub(super) fn resolve_columns(
    header: &[String],
    mapping: &ColumnMapping,
    source: &str,
    report: &mut IngestReport,
) -> Result<BTreeMap<Field, usize>> {
    let mut cols: BTreeMap<Field, usize> = BTreeMap::new();
    let keys: Vec<String> = header.iter().map(|h| name_key(h)).collect();
    for (&field, col) in &mapping.explicit {
        match keys.iter().position(|h| *h == name_key(col)) {
            Some(i) => {
                cols.insert(field, i);
            }
            None => {
                return Err(Error::malformed(
                    Location::source(source).at_line(1),
                    format!(
                        "mapped column {col:?} (for `{}`) is not in the header",
                        field.as_str()
                    ),
                ))
            }
        }
    }
    let mut ignored: Vec<String> = Vec::new();
    for (i, h) in keys.iter().enumerate() {
        if cols.values().any(|&c| c == i) {
            continue;
        }
        let field = Field::ALL.into_iter().find(|f| {
            !cols.contains_key(f) && f.default_columns().iter().any(|d| name_key(d) == *h)
        });
        match field {
            Some(f) => {
                cols.insert(f, i);
            }
            None => ignored.push(format!("{:?}", crate::text::truncate_chars(&header[i], 40))),
        }
    }
    // One note for all of them: real exports carry dozens of columns we do not read.
    match ignored.len() {
        0 => {}
        1 => report.notes.push(format!(
            "{source}:1: column {} is not used and was ignored",
            ignored[0]
        )),
        n => report.notes.push(format!(
            "{source}:1: {n} columns are not used and were ignored: {}",
            ignored.join(", ")
        )),
    }
    if !cols.contains_key(&Field::Name) {
        return Err(Error::malformed(
            Location::source(source).at_line(1),
            format!(
                "no account-name column: expected one of {:?} or a mapping name=COLUMN",
                Field::Name.default_columns()
            ),
        ));
    }
    Ok(cols)
}

pub(super) fn parse_row(
    rec: &csv::ByteRecord,
    header: &[String],
    columns: &BTreeMap<Field, usize>,
    at: Location,
) -> Result<PostRow> {
    if rec.len() != header.len() {
        return Err(Error::malformed(
            at,
            format!("expected {} fields, found {}", header.len(), rec.len()),
        ));
    }
    // Text of a field, or "" when the column is absent.
    let get = |f: Field| -> Result<String> {
        match columns.get(&f) {
            None => Ok(String::new()),
            // A cell a CSV writer defused against spreadsheet formulas (ours do; so do some
            // scrapers' exports) reads as its value.
            Some(&i) => match std::str::from_utf8(&rec[i]) {
                Ok(s) => Ok(crate::text::csv_uncell(s).trim().to_string()),
                Err(_) => Err(Error::parse(
                    at.clone().field(header[i].clone()),
                    "UTF-8 text",
                    String::from_utf8_lossy(&rec[i]).into_owned(),
                )),
            },
        }
    };
    let col = |f: Field| {
        columns
            .get(&f)
            .map(|&i| header[i].clone())
            .unwrap_or_default()
    };
    post_row(&get, &col, &at)
}

/// Reads every row past the header as the record it was flattened from (see
/// [`super::flat_json`]), each through the JSON reader.
fn read_flattened<R: std::io::Read>(
    layout: &Layout,
    mut rdr: csv::Reader<R>,
    header: &[String],
    source: &str,
    mapping: &ColumnMapping,
    report: &mut IngestReport,
) -> Result<Vec<PostRow>> {
    // As for a plain CSV, a file with no account name at all is refused as a whole: the
    // name is a key of the record or of its posts (`latestPosts/0/ownerUsername`).
    if !layout.has_key(&mapping.names_for(Field::Name), &POST_LISTS) {
        return Err(Error::malformed(
            Location::source(source).at_line(1),
            format!(
                "no account-name column: expected a column or path ending in one of {:?} or a mapping name=COLUMN",
                Field::Name.default_columns()
            ),
        ));
    }
    let mut sink = Sink::new(source, mapping, report);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                sink.line = Some(line);
                match layout.record(&rec, header, &Location::source(source).at_line(line)) {
                    Ok(v) => sink.record(&v, "$".to_string()),
                    Err(e) => sink.error(e),
                }
            }
            Err(e) => {
                // Unreadable bytes lose that record alone; a read error ends the file.
                let io = matches!(e.kind(), csv::ErrorKind::Io(_));
                sink.error(csv_error(source, e));
                if io {
                    break;
                }
            }
        }
    }
    Ok(sink.into_rows())
}
