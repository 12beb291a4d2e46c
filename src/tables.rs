//! The canonical tables influence-rec writes and trains from: `influencers.csv`,
//! `brands.csv`, `interactions.csv` and `mentions.csv`. Readers take any `io::Read` plus a name for errors;
//! writers take any `io::Write`. Lists are space-separated (`#a #b` for hashtags), unknown
//! optional numbers are empty cells, timestamps are milliseconds since the Unix epoch.
//!
//! Reading follows the importer's policy: a bad row is reported (file, line, field) and
//! skipped, the good rows are returned.

use std::io::{Read, Write};

use crate::dates::parse_iso_date;
use crate::error::{Error, Location, Result};
use crate::model::{AccountKind, Brand, Influencer, Interaction, InteractionKind, Mention};
use crate::text::{csv_cell, csv_uncell, normalize_handle, parse_hashtags, parse_number};

/// Header of `influencers.csv`.
pub const INFLUENCER_COLUMNS: [&str; 16] = [
    "name",
    "followers",
    "description",
    "mean_likes",
    "engagement_rate",
    "country",
    "category",
    "hashtags",
    "post_urls",
    "cost_per_post",
    "cost_per_story",
    "location",
    "kind",
    "last_post",
    "posts_per_week",
    "recent_engagement_rate",
];
/// Header of `brands.csv` (`handle` may be absent: tables written before it).
pub const BRAND_COLUMNS: [&str; 7] = [
    "name",
    "category",
    "country",
    "hashtags",
    "followers",
    "description",
    "handle",
];
/// Header of `mentions.csv`.
pub const MENTION_COLUMNS: [&str; 6] = [
    "influencer",
    "handle",
    "posts",
    "sponsored_posts",
    "first_seen",
    "last_seen",
];
/// Header of `interactions.csv`.
pub const INTERACTION_COLUMNS: [&str; 6] = [
    "event_id",
    "brand",
    "influencer",
    "kind",
    "timestamp_ms",
    "points",
];

/// Rows read from a table and the rows rejected on the way.
pub type Rows<T> = (Vec<T>, Vec<Error>);

/// One record being read, with the means to name a field in errors.
pub struct Row<'a> {
    rec: &'a csv::StringRecord,
    header: &'a [&'static str],
    at: Location,
}

impl Row<'_> {
    fn idx(&self, col: &str) -> usize {
        self.header
            .iter()
            .position(|h| *h == col)
            .unwrap_or(usize::MAX)
    }

    /// The trimmed text of column `col` (a cell [`write_record`] defused reads as its value).
    pub fn text(&self, col: &str) -> String {
        csv_uncell(self.rec.get(self.idx(col)).unwrap_or(""))
            .trim()
            .to_string()
    }

    fn err(&self, col: &str, expected: &str) -> Error {
        Error::parse(self.at.clone().field(col), expected, self.text(col))
    }

    /// A required non-empty text.
    pub fn required(&self, col: &str) -> Result<String> {
        let t = self.text(col);
        if t.is_empty() {
            Err(self.err(col, "a non-empty value"))
        } else {
            Ok(t)
        }
    }

    /// An optional finite number >= 0.
    pub fn opt_nonneg(&self, col: &str) -> Result<Option<f64>> {
        match parse_number(&self.text(col)) {
            Ok(Some(v)) if v >= 0.0 => Ok(Some(v)),
            Ok(None) => Ok(None),
            _ => Err(self.err(col, "a number >= 0")),
        }
    }

    /// A required finite number >= 0.
    pub fn nonneg(&self, col: &str) -> Result<f64> {
        self.opt_nonneg(col)?
            .ok_or_else(|| self.err(col, "a number >= 0"))
    }

    /// A required whole number >= 0.
    pub fn count(&self, col: &str) -> Result<u64> {
        self.opt_count(col)?
            .ok_or_else(|| self.err(col, "a whole number >= 0"))
    }

    /// A whole number >= 0, or `None` for an empty cell (unknown).
    pub fn opt_count(&self, col: &str) -> Result<Option<u64>> {
        match self.opt_nonneg(col) {
            Ok(None) => Ok(None),
            Ok(Some(v)) if v.fract() == 0.0 && v <= u64::MAX as f64 => Ok(Some(v as u64)),
            _ => Err(self.err(col, "a whole number >= 0")),
        }
    }
}

/// Reads a table with exactly `header` (in that order), mapping each record with `f`.
pub fn read_table<R: Read, T>(
    input: R,
    source: &str,
    header: &'static [&'static str],
    f: impl FnMut(&Row) -> Result<T>,
) -> Result<Rows<T>> {
    read_table_with_optional(input, source, header, 0, f)
}

/// [`read_table`] where the last `optional` columns of `header` may be absent from the file
/// (tables written before those columns existed); an absent column reads as empty.
pub fn read_table_with_optional<R: Read, T>(
    input: R,
    source: &str,
    header: &'static [&'static str],
    optional: usize,
    mut f: impl FnMut(&Row) -> Result<T>,
) -> Result<Rows<T>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::StringRecord::new();
    let at0 = Location::source(source).at_line(1);
    match rdr.read_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => return Err(Error::malformed(at0, "empty file: no header row")),
        Err(e) => return Err(Error::malformed(at0, format!("unreadable header: {e}"))),
    }
    let found: Vec<&str> = rec
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                h.trim_start_matches('\u{feff}').trim()
            } else {
                h.trim()
            }
        })
        .collect();
    let present = (header.len() - optional.min(header.len())..=header.len())
        .rev()
        .find(|&n| found == header[..n]);
    let Some(present) = present else {
        return Err(Error::malformed(
            at0,
            format!(
                "expected header {:?}, found {:?}",
                header.join(","),
                found.join(",")
            ),
        ));
    };
    let header = &header[..present];
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                let at = Location::source(source).at_line(line);
                if rec.len() != header.len() {
                    errors.push(Error::malformed(
                        at,
                        format!("expected {} fields, found {}", header.len(), rec.len()),
                    ));
                    continue;
                }
                match f(&Row {
                    rec: &rec,
                    header,
                    at,
                }) {
                    Ok(t) => rows.push(t),
                    Err(e) => errors.push(e),
                }
            }
            Err(e) => {
                let mut at = Location::source(source);
                at.line = e.position().map(|p| p.line());
                errors.push(Error::malformed(at, format!("unreadable CSV record: {e}")));
            }
        }
    }
    Ok((rows, errors))
}

fn tags_cell(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("#{t}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn opt_cell(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes one record with every cell through [`csv_cell`], so no cell of a CSV the product
/// writes starts a spreadsheet formula (OWASP CSV injection); every reader of ours takes the
/// cells back with [`csv_uncell`].
pub fn write_record<W: Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    w.write_record(cells.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()))
}

/// A failed write is an I/O error on `dest` (not bad input).
fn write_err(e: impl Into<std::io::Error>, dest: &str) -> Error {
    Error::io(dest, e.into())
}

/// Writes `influencers.csv`.
pub fn write_influencers<W: Write>(out: W, dest: &str, rows: &[Influencer]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(INFLUENCER_COLUMNS)
        .map_err(|e| write_err(e, dest))?;
    for i in rows {
        write_record(
            &mut w,
            [
                i.name.clone(),
                i.followers.map(|f| f.to_string()).unwrap_or_default(),
                i.description.clone(),
                opt_cell(i.mean_likes),
                opt_cell(i.engagement_rate),
                i.country.clone(),
                i.category.clone(),
                tags_cell(&i.hashtags),
                i.post_urls.join(" "),
                opt_cell(i.cost_per_post),
                opt_cell(i.cost_per_story),
                i.location.clone(),
                i.kind.as_str().to_string(),
                i.last_post.clone(),
                opt_cell(i.posts_per_week),
                opt_cell(i.recent_engagement_rate),
            ],
        )
        .map_err(|e| write_err(e, dest))?;
    }
    w.flush().map_err(|e| write_err(e, dest))
}

/// Reads `influencers.csv` (a table without the later `location`, `kind` and recency
/// columns reads too). An empty count, likes or rate cell is unknown; an empty rate with both counts known
/// is mean likes / followers.
pub fn read_influencers<R: Read>(input: R, source: &str) -> Result<Rows<Influencer>> {
    read_table_with_optional(input, source, &INFLUENCER_COLUMNS, 5, |r| {
        let followers = r.opt_count("followers")?;
        let mean_likes = r.opt_nonneg("mean_likes")?;
        let engagement_rate = r.opt_nonneg("engagement_rate")?.or_else(|| {
            let f = followers.filter(|&f| f > 0)?;
            Some(mean_likes? / f as f64)
        });
        let kind = AccountKind::parse(&r.text("kind"))
            .ok_or_else(|| r.err("kind", "creator, brand or media (or empty for a creator)"))?;
        let last_post = r.text("last_post");
        if !last_post.is_empty() && parse_iso_date(&last_post).is_none() {
            return Err(r.err("last_post", "an ISO 8601 date such as 2026-11-20, or empty"));
        }
        Ok(Influencer {
            kind,
            name: r.required("name")?,
            followers,
            description: r.text("description"),
            mean_likes,
            engagement_rate,
            country: r.text("country"),
            location: r.text("location"),
            category: r.text("category"),
            hashtags: parse_hashtags(&r.text("hashtags")),
            post_urls: r
                .text("post_urls")
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            cost_per_post: r.opt_nonneg("cost_per_post")?,
            cost_per_story: r.opt_nonneg("cost_per_story")?,
            last_post,
            posts_per_week: r.opt_nonneg("posts_per_week")?,
            recent_engagement_rate: r.opt_nonneg("recent_engagement_rate")?,
        })
    })
}

/// Writes `brands.csv`.
pub fn write_brands<W: Write>(out: W, dest: &str, rows: &[Brand]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BRAND_COLUMNS)
        .map_err(|e| write_err(e, dest))?;
    for b in rows {
        write_record(
            &mut w,
            [
                b.name.clone(),
                b.category.clone(),
                b.country.clone(),
                tags_cell(&b.hashtags),
                b.followers.to_string(),
                b.description.clone(),
                b.handle.clone(),
            ],
        )
        .map_err(|e| write_err(e, dest))?;
    }
    w.flush().map_err(|e| write_err(e, dest))
}

/// Reads `brands.csv` (a table without the later `handle` column reads too). A handle is
/// normalised (`@Nike` is `nike`); a second brand claiming a handle already claimed is a row
/// error that names both brands.
pub fn read_brands<R: Read>(input: R, source: &str) -> Result<Rows<Brand>> {
    let mut claimed: std::collections::HashMap<String, String> = Default::default();
    read_table_with_optional(input, source, &BRAND_COLUMNS, 1, |r| {
        let name = r.required("name")?;
        let handle = match r.text("handle") {
            h if h.is_empty() => String::new(),
            h => normalize_handle(&h).ok_or_else(|| {
                r.err(
                    "handle",
                    "an account handle (letters, digits, _ and ., at most 30), or empty",
                )
            })?,
        };
        if !handle.is_empty() {
            if let Some(first) = claimed.get(&handle) {
                return Err(r.err(
                    "handle",
                    &format!(
                        "a handle of its own (@{handle} is claimed by both {first:?} and {name:?})"
                    ),
                ));
            }
            claimed.insert(handle.clone(), name.clone());
        }
        Ok(Brand {
            name,
            category: r.text("category"),
            country: r.text("country"),
            hashtags: parse_hashtags(&r.text("hashtags")),
            followers: r.count("followers")?,
            description: r.text("description"),
            handle,
        })
    })
}

/// Writes `mentions.csv`.
pub fn write_mentions<W: Write>(out: W, dest: &str, rows: &[Mention]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(MENTION_COLUMNS)
        .map_err(|e| write_err(e, dest))?;
    for m in rows {
        write_record(
            &mut w,
            [
                m.influencer.clone(),
                m.handle.clone(),
                m.posts.to_string(),
                m.sponsored_posts.to_string(),
                m.first_seen.clone(),
                m.last_seen.clone(),
            ],
        )
        .map_err(|e| write_err(e, dest))?;
    }
    w.flush().map_err(|e| write_err(e, dest))
}

/// Reads `mentions.csv`: a handle that is no handle, a count that is no whole number in
/// 1..=u32::MAX (sponsored posts at most the posts), a day that is no ISO date, or a first
/// day after the last is a row error.
pub fn read_mentions<R: Read>(input: R, source: &str) -> Result<Rows<Mention>> {
    read_table(input, source, &MENTION_COLUMNS, |r| {
        let handle = normalize_handle(&r.text("handle")).ok_or_else(|| {
            r.err(
                "handle",
                "an account handle (letters, digits, _ and ., at most 30)",
            )
        })?;
        let count = |col: &str, min: u64, max: u64| -> Result<u32> {
            match r.count(col)? {
                n if n >= min && n <= max => Ok(n as u32),
                _ => Err(r.err(col, &format!("a whole number from {min} to {max}"))),
            }
        };
        let posts = count("posts", 1, u64::from(u32::MAX))?;
        let sponsored_posts = count("sponsored_posts", 0, u64::from(posts))?;
        let day = |col: &str| -> Result<(String, Option<i64>)> {
            let t = r.text(col);
            match parse_iso_date(&t) {
                _ if t.is_empty() => Ok((t, None)),
                Some(d) => Ok((t, Some(d))),
                None => Err(r.err(col, "an ISO 8601 date such as 2026-11-20, or empty")),
            }
        };
        let (first_seen, first) = day("first_seen")?;
        let (last_seen, last) = day("last_seen")?;
        if let (Some(f), Some(l)) = (first, last) {
            if f > l {
                return Err(r.err("first_seen", "a day no later than last_seen"));
            }
        }
        Ok(Mention {
            influencer: r.required("influencer")?,
            handle,
            posts,
            sponsored_posts,
            first_seen,
            last_seen,
        })
    })
}

/// Writes `interactions.csv`.
pub fn write_interactions<W: Write>(out: W, dest: &str, rows: &[Interaction]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(INTERACTION_COLUMNS)
        .map_err(|e| write_err(e, dest))?;
    for x in rows {
        write_record(
            &mut w,
            [
                x.event_id.clone(),
                x.brand.clone(),
                x.influencer.clone(),
                x.kind.as_str().to_string(),
                x.timestamp_ms.to_string(),
                x.points.to_string(),
            ],
        )
        .map_err(|e| write_err(e, dest))?;
    }
    w.flush().map_err(|e| write_err(e, dest))
}

/// Reads `interactions.csv`.
pub fn read_interactions<R: Read>(input: R, source: &str) -> Result<Rows<Interaction>> {
    read_table(input, source, &INTERACTION_COLUMNS, |r| {
        let kind_text = r.text("kind");
        let kind = InteractionKind::parse(&kind_text).ok_or_else(|| {
            Error::parse(
                r.at.clone().field("kind"),
                "one of click, check_info, add_to_campaign, collaboration",
                kind_text.clone(),
            )
        })?;
        let ts = r.text("timestamp_ms");
        let timestamp_ms = ts.parse::<i64>().map_err(|_| {
            Error::parse(
                r.at.clone().field("timestamp_ms"),
                "milliseconds since 1970 (integer)",
                ts.clone(),
            )
        })?;
        Ok(Interaction {
            event_id: r.required("event_id")?,
            brand: r.required("brand")?,
            influencer: r.required("influencer")?,
            kind,
            timestamp_ms,
            points: r.nonneg("points")?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohesion::tests::influencer;

    #[test]
    fn a_handle_claimed_by_two_brands_is_refused_by_line_naming_both_and_the_rest_is_kept() {
        // Handles compare in their normal form: "@NIKE" is "nike".
        let csv = "name,category,country,hashtags,followers,description,handle\n\
                   Nike,fitness_sport,US,,300,,nike\n\
                   Nike Running,fitness_sport,US,,200,,@NIKE\n\
                   Strava,fitness_sport,US,,100,,strava\n";
        let (rows, errs) = read_brands(csv.as_bytes(), "brands.csv").unwrap();
        let names: Vec<&str> = rows.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["Nike", "Strava"], "{errs:?}");
        assert_eq!(errs.len(), 1);
        let e = errs[0].to_string();
        for part in [
            "brands.csv:3",
            "field `handle`",
            "\"Nike\"",
            "\"Nike Running\"",
            "@nike",
        ] {
            assert!(e.contains(part), "{part:?} in {e}");
        }
    }

    #[test]
    fn influencers_round_trip() {
        let mut a = influencer("a, \"quoted\"\nname", "music", "US", &["x", "y"], 0.25);
        a.cost_per_post = Some(120.5);
        a.post_urls = vec!["https://e.x/p/1".into(), "https://e.x/p/2".into()];
        (a.last_post, a.posts_per_week, a.recent_engagement_rate) =
            ("2026-11-20".into(), Some(2.5), Some(0.031));
        let rows = vec![a, influencer("b", "", "", &[], 0.0)];
        let mut buf = Vec::new();
        write_influencers(&mut buf, "mem", &rows).unwrap();
        let (back, errs) = read_influencers(buf.as_slice(), "mem").unwrap();
        assert!(errs.is_empty());
        assert_eq!(back, rows);
        // A last post that is no date is refused by name; the other row stays.
        let text = String::from_utf8(buf)
            .unwrap()
            .replace("2026-11-20", "2026-02-30");
        let (back, errs) = read_influencers(text.as_bytes(), "i.csv").unwrap();
        assert_eq!(back.len(), 1);
        let e = errs[0].to_string();
        assert!(
            e.contains("field `last_post`") && e.contains("2026-02-30"),
            "{e}"
        );
    }

    #[test]
    fn bad_interaction_rows_are_reported_and_skipped() {
        let csv = "event_id,brand,influencer,kind,timestamp_ms,points\n\
                   e1,b,i,click,1700000000000,1\n\
                   e2,b,i,like,1700000000000,1\n\
                   e3,b,i,click,yesterday,1\n\
                   e4,b,i,click,1700000000000\n\
                   e5,b,i,collaboration,1700000000001,10\n";
        let (rows, errs) = read_interactions(csv.as_bytes(), "ix.csv").unwrap();
        assert_eq!(
            rows.iter().map(|r| r.event_id.as_str()).collect::<Vec<_>>(),
            ["e1", "e5"]
        );
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "ix.csv:3 field `kind`: expected one of click, check_info, add_to_campaign, collaboration, found \"like\"",
                "ix.csv:4 field `timestamp_ms`: expected milliseconds since 1970 (integer), found \"yesterday\"",
                "ix.csv:5: expected 6 fields, found 5",
            ]
        );
    }

    #[test]
    fn mentions_round_trip_and_bad_rows_are_named() {
        let rows = vec![
            Mention {
                influencer: "=ana".into(),
                handle: "nike".into(),
                posts: 3,
                sponsored_posts: 1,
                first_seen: "2026-01-02".into(),
                last_seen: "2026-03-04".into(),
            },
            Mention {
                influencer: "bo".into(),
                handle: "glossier.play".into(),
                posts: 1,
                ..Mention::default()
            },
        ];
        let mut buf = Vec::new();
        write_mentions(&mut buf, "mem", &rows).unwrap();
        let (back, errs) = read_mentions(buf.as_slice(), "mem").unwrap();
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(back, rows);
        let csv = "influencer,handle,posts,sponsored_posts,first_seen,last_seen\n\
                   a,@Nike,2,0,,\n\
                   a,ni ke,2,0,,\n\
                   a,x,0,0,,\n\
                   a,x,2,3,,\n\
                   a,x,2,1,2026-02-30,\n\
                   a,x,2,1,2026-03-01,2026-02-01\n\
                   ,x,1,0,,\n";
        let (rows, errs) = read_mentions(csv.as_bytes(), "m.csv").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].handle, "nike");
        let fields: Vec<String> = errs
            .iter()
            .map(|e| {
                e.to_string()
                    .split(':')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        assert_eq!(
            fields,
            [
                "m.csv:3 field `handle`",
                "m.csv:4 field `posts`",
                "m.csv:5 field `sponsored_posts`",
                "m.csv:6 field `first_seen`",
                "m.csv:7 field `first_seen`",
                "m.csv:8 field `influencer`",
            ]
        );
    }

    #[test]
    fn brand_handles_are_normalised_and_one_handle_has_one_brand() {
        let csv = "name,category,country,hashtags,followers,description,handle\n\
                   Nike,sports,US,,10,,@Nike\n\
                   Nike Running,sports,US,,10,,nike\n\
                   Glossier,beauty,US,,10,,\n\
                   Bad,beauty,US,,10,,not a handle\n";
        let (rows, errs) = read_brands(csv.as_bytes(), "b.csv").unwrap();
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|b| (b.name.as_str(), b.handle.as_str()))
            .collect();
        assert_eq!(got, [("Nike", "nike"), ("Glossier", "")]);
        let e = errs[0].to_string();
        assert!(
            e.starts_with("b.csv:3 field `handle`") && e.contains("\"Nike\" and \"Nike Running\""),
            "{e}"
        );
        assert!(errs[1].to_string().starts_with("b.csv:5 field `handle`"));
        // A table written before the column reads, without handles.
        let old = "name,category,country,hashtags,followers,description\nNike,sports,US,,10,\n";
        assert_eq!(
            read_brands(old.as_bytes(), "b.csv").unwrap().0[0].handle,
            ""
        );
    }

    #[test]
    fn wrong_header_is_refused() {
        let err = read_brands("name,category\n".as_bytes(), "b.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("b.csv:1: expected header"),
            "{err}"
        );
    }
    #[test]
    fn formula_cells_are_written_defused_and_read_back() {
        // Every table the product writes: no cell may start a spreadsheet formula, and each
        // reads back as it was.
        let formula = |c: &str| c.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let cells_of = |buf: &[u8]| -> Vec<String> {
            csv::Reader::from_reader(buf)
                .records()
                .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
                .collect()
        };
        let mut inf = influencer("=HYPERLINK(\"x\")", "music", "@home", &["x"], 0.25);
        inf.description = "+1 call now".into();
        inf.location = "-ibiza".into();
        let infs = vec![inf, influencer("'=quoted", "", "", &[], 0.0)];
        let mut buf = Vec::new();
        write_influencers(&mut buf, "mem", &infs).unwrap();
        assert!(
            !cells_of(&buf).iter().any(|c| formula(c)),
            "{:?}",
            cells_of(&buf)
        );
        assert_eq!(read_influencers(buf.as_slice(), "mem").unwrap().0, infs);

        let brands = vec![Brand {
            name: "@SUM(A1)".into(),
            category: "=1".into(),
            country: "US".into(),
            hashtags: vec![],
            followers: 3,
            description: "\tcmd".into(),
            handle: String::new(),
        }];
        let mut buf = Vec::new();
        write_brands(&mut buf, "mem", &brands).unwrap();
        assert!(!cells_of(&buf).iter().any(|c| formula(c)));
        let back = read_brands(buf.as_slice(), "mem").unwrap().0;
        // The reader trims, as it does every cell: the tab is gone, the rest is back.
        assert_eq!(back[0].name, "@SUM(A1)");
        assert_eq!(back[0].category, "=1");
        assert_eq!(back[0].description, "cmd");

        let rows = vec![Interaction {
            event_id: "-e1".into(),
            brand: "+brand".into(),
            influencer: "=inf".into(),
            kind: InteractionKind::Click,
            timestamp_ms: 1_767_225_907_414,
            points: 1.0,
        }];
        let mut buf = Vec::new();
        write_interactions(&mut buf, "mem", &rows).unwrap();
        assert!(!cells_of(&buf).iter().any(|c| formula(c)));
        assert_eq!(read_interactions(buf.as_slice(), "mem").unwrap().0, rows);
    }
}
