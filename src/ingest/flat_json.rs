//! CSV exports of nested JSON. A scraping platform's CSV (or spreadsheet) export writes each
//! record of a dataset as one row and its nested fields as slash paths: a profile export
//! holds `latestPosts/0/caption`, `latestPosts/0/likesCount`, `latestPosts/0/hashtags/2`, ...
//! for each of its latest posts, a post export `hashtags/3`, `mentions/0` and
//! `taggedUsers/1/username`. Read as plain columns, a profile's posts, and every post's tags,
//! mentions and tagged accounts, would be lost. Such a header is told by its paths (a column
//! with a numbered segment, `x/0`, or `x.0` as some converters write it); each row is
//! unflattened into the record it was written from and read as the JSON reader reads that
//! record, so a profile export gives one post row per latest post like its JSON twin does.
//! An error names the file, the line and the record's JSON path
//! (`$.latestPosts[3].likesCount`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fields::name_key;
use super::report::IngestReport;
use crate::error::{Error, Location, Result};

/// A path deeper than this is no scraper's (Apify's deepest are four: `latestPosts/0/
/// taggedUsers/1/username`); its column is ignored, which also bounds the work per cell.
const MAX_DEPTH: usize = 8;

/// One step of a column's path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(u32),
}

/// Where each column read goes in the record: the record's shape, its leaves the columns.
#[derive(Debug)]
pub(super) struct Layout {
    tree: Node,
}

/// A column's path: its name split at `/` (the platform's export), or at `.` when a dotted
/// segment after a key is a list index (`hashtags.0`, `latestPosts.0.caption`, as some
/// converters write it; a dotted name without one, `node.owner.username`, stays one key), a
/// segment of digits being a list index. A name with an empty segment is one key as it is.
fn steps(name: &str) -> Vec<Step> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let sep = if name.contains('/') {
        '/'
    } else if name
        .split('.')
        .collect::<Vec<_>>()
        .windows(2)
        // A list index after a key that does not end in a digit: not a version or a
        // decimal ("v1.2", "Q1.2023").
        .any(|w| digits(w[1]) && !w[0].ends_with(|c: char| c.is_ascii_digit()))
    {
        '.'
    } else {
        return vec![Step::Key(name.to_string())];
    };
    let parts: Vec<&str> = name.split(sep).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return vec![Step::Key(name.to_string())];
    }
    parts
        .into_iter()
        .map(|p| match p.parse::<u32>() {
            Ok(i) if digits(p) => Step::Index(i),
            _ => Step::Key(p.to_string()),
        })
        .collect()
}

/// The record a row is written from, as a tree of its non-empty cells.
#[derive(Debug)]
enum Node {
    Leaf(usize),
    Object(BTreeMap<String, Node>),
    List(BTreeMap<u32, Node>),
}

impl Node {
    /// Whether this node is an object with a value at one of `keys` ([`name_key`]s; a
    /// dotted one is a path through nested objects, as the JSON reader looks it up).
    fn holds(&self, keys: &[String]) -> bool {
        keys.iter().any(|k| self.holds_at(k))
    }

    fn holds_at(&self, key: &str) -> bool {
        let Node::Object(m) = self else {
            return false;
        };
        m.iter().any(|(k, n)| {
            let k = name_key(k);
            match n {
                Node::Leaf(_) => k == key,
                node => key
                    .strip_prefix(k.as_str())
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|rest| node.holds_at(rest)),
            }
        })
    }

    /// Puts `leaf` at `path` under this node; false (and nothing changed) when the path runs
    /// into a value, or asks a list for a key or an object for an index.
    fn insert(&mut self, path: &[Step], leaf: usize) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let fresh = |rest: &[Step]| match rest.first() {
            None => Node::Leaf(leaf),
            Some(Step::Key(_)) => Node::Object(BTreeMap::new()),
            Some(Step::Index(_)) => Node::List(BTreeMap::new()),
        };
        let child = match (self, first) {
            (Node::Object(m), Step::Key(k)) => {
                if rest.is_empty() && m.contains_key(k) {
                    return false;
                }
                m.entry(k.clone()).or_insert_with(|| fresh(rest))
            }
            (Node::List(m), Step::Index(i)) => {
                if rest.is_empty() && m.contains_key(i) {
                    return false;
                }
                m.entry(*i).or_insert_with(|| fresh(rest))
            }
            _ => return false,
        };
        match child {
            Node::Leaf(_) => rest.is_empty(),
            node => !rest.is_empty() && node.insert(rest, leaf),
        }
    }

    /// The JSON value of this node, leaves taking their cells' text (`None`: an empty cell,
    /// left out, so an empty list or object is absent as in the export's JSON).
    fn value(&self, cell: &dyn Fn(usize) -> Option<String>) -> Option<Value> {
        match self {
            Node::Leaf(i) => cell(*i).map(Value::String),
            Node::Object(m) => {
                let o: Map<String, Value> = m
                    .iter()
                    .filter_map(|(k, n)| n.value(cell).map(|v| (k.clone(), v)))
                    .collect();
                (!o.is_empty()).then_some(Value::Object(o))
            }
            Node::List(m) => {
                let l: Vec<Value> = m.values().filter_map(|n| n.value(cell)).collect();
                (!l.is_empty()).then_some(Value::Array(l))
            }
        }
    }
}

impl Layout {
    /// The layout of a header of flattened JSON, or `None` for a plain header (no column
    /// has a numbered path segment). Columns whose path collides with another's (a value
    /// and a list at one place, one place twice) or runs deeper than [`MAX_DEPTH`] are
    /// ignored, in one note.
    pub(super) fn detect(
        header: &[String],
        source: &str,
        report: &mut IngestReport,
    ) -> Option<Layout> {
        let all: Vec<Vec<Step>> = header.iter().map(|h| steps(h)).collect();
        if !all
            .iter()
            .any(|p| p.len() > 1 && p.iter().any(|s| matches!(s, Step::Index(_))))
        {
            return None;
        }
        let mut tree = Node::Object(BTreeMap::new());
        let mut ignored = Vec::new();
        for (i, p) in all.iter().enumerate() {
            if p.len() > MAX_DEPTH || !tree.insert(p, i) {
                ignored.push(format!("{:?}", crate::text::truncate_chars(&header[i], 60)));
            }
        }
        if !ignored.is_empty() {
            report.notes.push(format!(
                "{source}:1: {} flattened column(s) collide with another column or nest deeper than {MAX_DEPTH} and were ignored: {}",
                ignored.len(),
                ignored.join(", ")
            ));
        }
        Some(Layout { tree })
    }

    /// Whether the record, or the objects listed under one of `lists` (its posts:
    /// `latestPosts/0/...`), has a value at one of `keys` (lower case; compared
    /// case-insensitively): where the JSON reader looks for the account's name.
    pub(super) fn has_key(&self, keys: &[String], lists: &[&str]) -> bool {
        let Node::Object(root) = &self.tree else {
            return false;
        };
        self.tree.holds(keys)
            || root.iter().any(|(k, n)| match n {
                Node::List(items) if lists.contains(&k.as_str()) => {
                    items.values().any(|i| i.holds(keys))
                }
                _ => false,
            })
    }

    /// The record of one row (`at`: its file and line): its non-empty cells at their paths,
    /// as text (the JSON reader parses numbers and flags from text as from a string value).
    pub(super) fn record(
        &self,
        rec: &csv::ByteRecord,
        header: &[String],
        at: &Location,
    ) -> Result<Value> {
        if rec.len() != header.len() {
            return Err(Error::malformed(
                at.clone(),
                format!("expected {} fields, found {}", header.len(), rec.len()),
            ));
        }
        let cells = rec
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                std::str::from_utf8(raw)
                    .map(|s| crate::text::csv_uncell(s).trim())
                    .map_err(|_| {
                        Error::parse(
                            at.clone().field(header[i].clone()),
                            "UTF-8 text",
                            String::from_utf8_lossy(raw).into_owned(),
                        )
                    })
            })
            .collect::<Result<Vec<&str>>>()?;
        let cell = |i: usize| Some(cells[i]).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(self
            .tree
            .value(&cell)
            .unwrap_or_else(|| Value::Object(Map::new())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(cols: &[&str]) -> (Option<Layout>, IngestReport) {
        let header: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        let mut report = IngestReport::default();
        (Layout::detect(&header, "t.csv", &mut report), report)
    }

    #[test]
    fn a_header_is_flattened_json_when_a_path_is_numbered() {
        assert!(layout(&["ownerUsername", "caption", "likesCount"])
            .0
            .is_none());
        assert!(
            layout(&[
                "name",
                "cost/post",
                "a//b",
                "node.owner.username",
                "v1.2",
                "Q1.2023"
            ])
            .0
            .is_none(),
            "a slash or a dot alone is a plain name"
        );
        assert_eq!(
            steps("latestPosts.0.hashtags.1"),
            [
                Step::Key("latestPosts".into()),
                Step::Index(0),
                Step::Key("hashtags".into()),
                Step::Index(1)
            ]
        );
        assert_eq!(steps("a.b/0"), [Step::Key("a.b".into()), Step::Index(0)]);
        let (l, report) = layout(&["username", "latestPosts/0/caption", "latestPosts/1/caption"]);
        assert!(l.is_some());
        assert!(report.notes.is_empty(), "{:?}", report.notes);
    }

    #[test]
    fn colliding_and_too_deep_columns_are_ignored_in_one_note() {
        let deep = "a/0/b/c/d/e/f/g/h";
        let (l, report) = layout(&["hashtags", "hashtags/0", "x/0", "x/0", "x/a", deep, "ok/1"]);
        let l = l.expect("flattened");
        assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
        let note = &report.notes[0];
        assert!(note.contains("4 flattened column(s)"), "{note}");
        for c in ["\"hashtags/0\"", "\"x/a\"", deep] {
            assert!(note.contains(c), "{c} in {note}");
        }
        // The first of each collision is read.
        let header: Vec<String> = ["hashtags", "hashtags/0", "x/0", "x/0", "x/a", deep, "ok/1"]
            .map(String::from)
            .to_vec();
        let rec = csv::ByteRecord::from(vec!["#a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(
            l.record(&rec, &header, &Location::source("t.csv").at_line(2))
                .expect("record"),
            serde_json::json!({"hashtags": "#a", "x": ["c"], "ok": ["g"]})
        );
    }

    #[test]
    fn rows_unflatten_into_their_records_without_empty_cells() {
        let header: Vec<String> = [
            "username",
            "latestPosts/0/caption",
            "latestPosts/0/hashtags/0",
            "latestPosts/0/hashtags/1",
            "latestPosts/1/caption",
            "latestPosts/1/taggedUsers/0/username",
            "latestPosts/2/caption",
        ]
        .map(String::from)
        .to_vec();
        let mut report = IngestReport::default();
        let l = Layout::detect(&header, "t.csv", &mut report).expect("flattened");
        let rec = csv::ByteRecord::from(vec!["ana", "hola", "", "tapas", "dos", "bar_x", ""]);
        let v = l
            .record(&rec, &header, &Location::source("t.csv").at_line(2))
            .expect("record");
        assert_eq!(
            v,
            serde_json::json!({"username": "ana", "latestPosts": [
                {"caption": "hola", "hashtags": ["tapas"]},
                {"caption": "dos", "taggedUsers": [{"username": "bar_x"}]}
            ]})
        );
        let short = csv::ByteRecord::from(vec!["ana"]);
        let e = l
            .record(&short, &header, &Location::source("t.csv").at_line(3))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv:3"), "{e}");
    }
}
