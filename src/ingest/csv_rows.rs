//! Scraped CSV exports: the header resolved to fields, each record to one post row.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::aggregate::{take_row, PostRow};
use super::fields::{ColumnMapping, Field};
use super::report::IngestReport;
use crate::dates::parse_timestamp;
use crate::error::{Error, Location, Result};
use crate::text::{
    hashtags_in_text, is_paid_tag, mentions_in_text, paid_partners_in_text, parse_handles,
    parse_hashtags, parse_number,
};

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
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    for (&field, col) in &mapping.explicit {
        match lower.iter().position(|h| *h == col.to_lowercase()) {
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
    for (i, h) in lower.iter().enumerate() {
        if cols.values().any(|&c| c == i) {
            continue;
        }
        let field = Field::ALL.into_iter().find(|f| {
            !cols.contains_key(f) && f.default_columns().iter().any(|d| d.to_lowercase() == *h)
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

/// One post row from its fields' text (`get`, "" for an absent field) whatever the format:
/// `col` names a field's column or JSON path in errors.
pub(super) fn post_row(
    get: &dyn Fn(Field) -> Result<String>,
    col: &dyn Fn(Field) -> String,
    at: &Location,
) -> Result<PostRow> {
    let num = |f: Field, nonneg: bool| -> Result<Option<f64>> {
        let s = get(f)?;
        let col = col(f);
        match parse_number(&s) {
            Ok(Some(v)) if nonneg && v < 0.0 => {
                Err(Error::parse(at.clone().field(col), "a number >= 0", s))
            }
            Ok(v) => Ok(v),
            Err(_) => Err(Error::parse(at.clone().field(col), "a number", s)),
        }
    };
    // An empty name is kept: the aggregate counts such rows as left out, in one line.
    let name = get(Field::Name)?;
    let mut engagement_rate = num(Field::EngagementRate, true)?;
    if get(Field::EngagementRate)?.ends_with('%') {
        engagement_rate = engagement_rate.map(|v| v / 100.0);
    }
    let post_text = get(Field::PostText)?;
    let mut hashtags = parse_hashtags(&get(Field::Hashtags)?);
    for t in parse_hashtags(&get(Field::HashtagsTranslated)?)
        .into_iter()
        .chain(hashtags_in_text(&post_text))
    {
        if !hashtags.contains(&t) {
            hashtags.push(t);
        }
    }
    let mut mentions = mentions_in_text(&post_text);
    let mut named: std::collections::HashSet<String> = mentions.iter().cloned().collect();
    for h in parse_handles(&get(Field::Mentions)?)
        .into_iter()
        .chain(parse_handles(&get(Field::Tagged)?))
        .chain(parse_handles(&get(Field::Coauthors)?))
    {
        if named.insert(h.clone()) {
            mentions.push(h);
        }
    }
    let mut sponsors = parse_handles(&get(Field::Sponsors)?);
    for h in paid_partners_in_text(&post_text) {
        if !sponsors.contains(&h) {
            sponsors.push(h);
        }
    }
    let sponsored = !sponsors.is_empty()
        || parse_flag(&get(Field::Sponsored)?) == Some(true)
        || hashtags.iter().any(|t| is_paid_tag(t));
    let texts: Vec<String> = [
        post_text,
        get(Field::AllDescriptions)?,
        get(Field::Translated)?,
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    let locations: Vec<String> = [get(Field::Location)?, get(Field::PostLocation)?]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    Ok(PostRow {
        name,
        followers: num(Field::Followers, true)?,
        description: get(Field::Description)?,
        likes: num(Field::Likes, true)?,
        texts,
        locations,
        hashtags,
        post_url: get(Field::PostUrl)?,
        engagement_rate,
        category: get(Field::Category)?,
        cost_post: num(Field::CostPost, true)?,
        cost_story: num(Field::CostStory, true)?,
        comments: num(Field::Comments, true)?,
        business: parse_flag(&get(Field::Business)?),
        business_category: get(Field::BusinessCategory)?,
        full_name: get(Field::FullName)?,
        timestamp: {
            let s = get(Field::Timestamp)?;
            match s.trim() {
                "" => None,
                t => Some(parse_timestamp(t).ok_or_else(|| {
                    Error::parse(
                        at.clone().field(col(Field::Timestamp)),
                        "an ISO 8601 date-time or a Unix time between 2000 and 2100",
                        s.clone(),
                    )
                })?),
            }
        },
        mentions,
        sponsors,
        sponsored,
    })
}

/// A yes/no cell ("true", "False", "1", "yes"); anything else is unknown.
pub(super) fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "f" => Some(false),
        _ => None,
    }
}
