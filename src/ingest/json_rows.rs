//! Scraped JSON exports, told apart by content (no flag): a top-level array of records, one
//! record per line (JSONL) or records one after another. A record is one of
//! - a profile with its latest posts (`username`, `fullName`, `biography`, `followersCount`,
//!   `isBusinessAccount`, `businessCategoryName`, `latestPosts: [{caption, hashtags,
//!   mentions, taggedUsers, coauthorProducers, isSponsored, likesCount, commentsCount,
//!   locationName, url, timestamp, ...}]`): one post row per post;
//! - instaloader's per-post JSON (`node.owner.username`, `edge_media_to_caption.edges[].node.text`,
//!   `edge_liked_by.count` or `edge_media_preview_like.count`, `edge_media_to_comment.count`,
//!   `location.name`, `shortcode`, `edge_media_to_tagged_user.edges[].node.user.username`,
//!   `coauthor_producers[].username`, `edge_media_to_sponsor_user.edges[].node.sponsor.username`,
//!   `is_paid_partnership`), with or without the outer `node`;
//! - a flat per-post object (`ownerUsername`, `caption`, `likesCount`, ... or the seed scrape's
//!   names), read by the same column names and `--map` as a CSV header.
//!
//! A top-level array is streamed element by element (serde's sequence access over a buffered
//! reader), so a 100 MB single-line file is held one record at a time. Nesting deeper than
//! serde_json's limit (128) and broken JSON stop the file with a located error; the rows read
//! before stay. A record of the wrong shape, or a value of the wrong type, is a row error
//! that names its JSON path (`$[12].latestPosts[3].likesCount`).

use std::fmt;
use std::io::BufRead;

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::aggregate::{take_row, PostRow};
use super::fields::{name_key, ColumnMapping, Field};
use super::report::IngestReport;
use super::row::post_row;
use crate::error::{Error, Location, Result};

/// Whether the input is JSON: the first byte past a BOM and white space in its first buffer
/// opens an array or an object. Consumes nothing, so a CSV keeps its line numbers.
pub(super) fn looks_like_json<R: BufRead>(input: &mut R, source: &str) -> Result<bool> {
    let buf = input
        .fill_buf()
        .map_err(|e| Error::malformed(Location::source(source), format!("read error: {e}")))?;
    Ok(buf
        .iter()
        .find(|b| !(b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)))
        .is_some_and(|b| matches!(b, b'[' | b'{')))
}

/// Reads every record of a JSON export (see the module docs) as post rows.
pub(super) fn read<R: BufRead>(
    mut input: R,
    source: &str,
    mapping: &ColumnMapping,
    report: &mut IngestReport,
) -> Result<Vec<PostRow>> {
    let mut sink = Sink::new(source, mapping, report);
    let first = first_byte(&mut input, source)?;
    let mut de = serde_json::Deserializer::from_reader(input);
    let outcome = if first == Some(b'[') {
        (&mut de).deserialize_seq(&mut sink).map(|_| ())
    } else {
        let mut stream = de.into_iter::<Value>();
        loop {
            match stream.next() {
                None => break Ok(()),
                Some(Ok(v)) => {
                    sink.record(&v, format!("$[{}]", sink.index));
                    sink.index += 1;
                }
                Some(Err(e)) => break Err(e),
            }
        }
    };
    if let Err(e) = outcome {
        // Past a syntax error nothing can be trusted to line up: the rows before it stay.
        let at = Location::source(source).at_line(e.line() as u64);
        sink.report.rows_read += 1;
        sink.report.errors.push(Error::malformed(
            at,
            format!(
                "unreadable JSON at column {} after {} records: {e}",
                e.column(),
                sink.index
            ),
        ));
    }
    Ok(sink.rows)
}

/// The first byte past a BOM and white space, which it consumes.
fn first_byte<R: BufRead>(input: &mut R, source: &str) -> Result<Option<u8>> {
    loop {
        let buf = input
            .fill_buf()
            .map_err(|e| Error::malformed(Location::source(source), format!("read error: {e}")))?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        if b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF) {
            input.consume(1);
        } else {
            return Ok(Some(b));
        }
    }
}

/// The keys under which a profile lists its posts.
pub(super) const POST_LISTS: [&str; 3] = ["latestPosts", "latest_posts", "posts"];

/// Where the records' post rows and row errors go.
pub(super) struct Sink<'a> {
    source: &'a str,
    mapping: &'a ColumnMapping,
    report: &'a mut IngestReport,
    rows: Vec<PostRow>,
    index: usize,
    /// The line of the record being read, when a line-oriented file holds it (a CSV row of
    /// flattened JSON): errors then name the line and the record's JSON path.
    pub(super) line: Option<u64>,
}

impl<'de> Visitor<'de> for &mut Sink<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.record(&v, format!("$[{}]", self.index));
            self.index += 1;
        }
        Ok(())
    }
}

impl<'a> Sink<'a> {
    pub(super) fn new(
        source: &'a str,
        mapping: &'a ColumnMapping,
        report: &'a mut IngestReport,
    ) -> Self {
        Sink {
            source,
            mapping,
            report,
            rows: Vec::new(),
            index: 0,
            line: None,
        }
    }

    /// Where a record is: its source and line (if any).
    fn base(&self) -> Location {
        Location {
            line: self.line,
            ..Location::source(self.source)
        }
    }

    /// The post rows read.
    pub(super) fn into_rows(self) -> Vec<PostRow> {
        self.rows
    }

    /// A record that could not be read at all: one row error.
    pub(super) fn error(&mut self, e: Error) {
        take_row(Err(e), self.report, &mut self.rows);
    }

    /// The post rows of one record, or its row errors.
    pub(super) fn record(&mut self, v: &Value, path: String) {
        let base = self.base();
        let at = |p: &str| base.clone().field(p.to_string());
        let Some(obj) = v.as_object() else {
            self.report.rows_read += 1;
            self.report.errors.push(Error::parse(
                at(&path),
                "an object (a profile or a post)",
                type_name(v),
            ));
            return;
        };
        if let Some(node) = instaloader_node(obj) {
            let p = if obj.contains_key("node") {
                format!("{path}.node")
            } else {
                path
            };
            let r = instaloader_row(node, &p, &base);
            take_row(r, self.report, &mut self.rows);
            return;
        }
        let posts = POST_LISTS
            .into_iter()
            .find_map(|k| obj.get(k).map(|p| (k, p)));
        match posts {
            Some((k, Value::Array(posts))) if !posts.is_empty() => {
                for (i, post) in posts.iter().enumerate() {
                    let p = format!("{path}.{k}[{i}]");
                    let r = match post.as_object() {
                        Some(post) => {
                            flat_row(&[(obj, path.as_str()), (post, &p)], self.mapping, &at(&p))
                        }
                        None => Err(Error::parse(at(&p), "a post object", type_name(post))),
                    };
                    take_row(r, self.report, &mut self.rows);
                }
            }
            // A profile without posts is still an account.
            _ => {
                let r = flat_row(&[(obj, path.as_str())], self.mapping, &at(&path));
                take_row(r, self.report, &mut self.rows);
            }
        }
    }
}

fn type_name(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
    .to_string()
}

/// Fields of a profile that its posts do not repeat: read from the profile, never the post.
const PROFILE_FIELDS: [Field; 6] = [
    Field::Followers,
    Field::Description,
    Field::Business,
    Field::BusinessCategory,
    Field::FullName,
    Field::Category,
];

/// A post row from flat objects, a profile then one of its posts (or one flat record): each
/// field by the `--map` column or the field's default names (case-insensitive).
fn flat_row(
    objs: &[(&Map<String, Value>, &str)],
    mapping: &ColumnMapping,
    at: &Location,
) -> Result<PostRow> {
    let find = |f: Field| -> Option<(String, &Value)> {
        let names = mapping.names_for(f);
        // Profile fields from the profile; the account's name from the profile (a post in its
        // latest posts may be a collaboration owned by another account), else the post's;
        // everything else from the post alone.
        let candidates: Vec<&(&Map<String, Value>, &str)> = if PROFILE_FIELDS.contains(&f) {
            objs.iter().take(1).collect()
        } else if f == Field::Name {
            objs.iter().collect()
        } else {
            objs.iter().rev().take(1).collect()
        };
        candidates.into_iter().find_map(|(o, p)| {
            o.iter()
                .find(|(k, _)| names.contains(&name_key(k)))
                .map(|(k, v)| (format!("{p}.{k}"), v))
                .or_else(|| names.iter().find_map(|n| nested(o, n, p)))
        })
    };
    let get = |f: Field| -> Result<String> {
        match find(f) {
            None => Ok(String::new()),
            Some((path, v)) => text_of(v, f, &path, at),
        }
    };
    let col = |f: Field| find(f).map(|(p, _)| p).unwrap_or_default();
    post_row(&get, &col, at)
}

/// The value at a dotted name's path through nested objects (`authormeta.name`: the `name`
/// of the record's `authorMeta`), keys compared by [`name_key`], with its JSON path; `None`
/// for an undotted name (looked up as a key already) or a path that is not there.
fn nested<'v>(obj: &'v Map<String, Value>, name: &str, path: &str) -> Option<(String, &'v Value)> {
    let mut steps = name.split('.');
    let first = steps.next()?;
    let mut rest = steps.peekable();
    rest.peek()?;
    let find = |o: &'v Map<String, Value>, step: &str| {
        o.iter()
            .find(|(k, _)| !step.is_empty() && name_key(k) == step)
    };
    let (k, mut v) = find(obj, first)?;
    let mut at = format!("{path}.{k}");
    for step in rest {
        let (k, next) = find(v.as_object()?, step)?;
        at = format!("{at}.{k}");
        v = next;
    }
    Some((at, v))
}

/// A JSON value as the text a CSV cell would hold: strings as they are (numbers as strings,
/// "1.2M" or "5,721,916", are parsed later like a cell), numbers and booleans written out,
/// null empty, hashtag lists joined; objects and other lists are a located error.
fn text_of(v: &Value, f: Field, path: &str, at: &Location) -> Result<String> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.trim().to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        // Mention, tag and sponsor lists: handles as strings, or account objects with a
        // `username` (Apify's taggedUsers) or a `user`/`sponsor` holding one (instaloader's
        // edges), joined as `@a @b`.
        Value::Array(items)
            if matches!(
                f,
                Field::Mentions | Field::Tagged | Field::Coauthors | Field::Sponsors
            ) =>
        {
            let mut handles = Vec::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                let name = match t {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => account_username(o),
                    _ => None,
                };
                match name {
                    Some(s) => handles.push(format!("@{}", s.trim().trim_start_matches('@'))),
                    None => {
                        return Err(Error::parse(
                            at.clone().field(format!("{path}[{i}]")),
                            "a handle (a string) or an account with a username",
                            type_name(t),
                        ))
                    }
                }
            }
            Ok(handles.join(" "))
        }
        // Hashtag lists: strings, or tag objects with a `name` (TikTok scrapers), `title`
        // (TikTok's `challenges`) or `hashtagName`.
        Value::Array(items) if matches!(f, Field::Hashtags | Field::HashtagsTranslated) => {
            let mut tags = Vec::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                let tag = match t {
                    Value::String(s) => Some(s.as_str()),
                    // A tag object without a name (an empty one, as a CSV export leaves it)
                    // is no tag.
                    Value::Object(o) => match ["name", "title", "hashtagName"]
                        .into_iter()
                        .find_map(|k| o.get(k).filter(|v| !v.is_null()))
                    {
                        None => Some(""),
                        Some(v) => v.as_str(),
                    },
                    _ => None,
                };
                match tag.map(|s| s.trim().trim_start_matches('#')) {
                    Some("") => {}
                    Some(s) => tags.push(format!("#{s}")),
                    None => {
                        return Err(Error::parse(
                            at.clone().field(format!("{path}[{i}]")),
                            "a hashtag (a string, or a tag with a name)",
                            type_name(t),
                        ))
                    }
                }
            }
            Ok(tags.join(" "))
        }
        other => Err(Error::parse(
            at.clone().field(path.to_string()),
            format!("a value for `{}`", f.as_str()),
            type_name(other),
        )),
    }
}

/// The username of an account object: `{username}`, `{user: {username}}`,
/// `{sponsor: {username}}` or instaloader's `{node: {user: {username}}}` edge.
fn account_username(o: &Map<String, Value>) -> Option<&str> {
    if let Some(s) = o.get("username").and_then(Value::as_str) {
        return Some(s);
    }
    ["node", "user", "sponsor"]
        .into_iter()
        .find_map(|k| o.get(k).and_then(Value::as_object))
        .and_then(account_username)
}

/// instaloader's post node: `{"node": {...}}` or the node itself, told by its owner and
/// shortcode.
fn instaloader_node(obj: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let node = obj.get("node").and_then(Value::as_object).unwrap_or(obj);
    (node.contains_key("owner")
        && (node.contains_key("shortcode") || node.contains_key("edge_media_to_caption")))
    .then_some(node)
}

fn instaloader_row(node: &Map<String, Value>, path: &str, base: &Location) -> Result<PostRow> {
    let at = base.clone().field(path.to_string());
    let walk = |keys: &[&str]| -> Option<&Value> {
        let mut v = node.get(keys[0])?;
        for k in &keys[1..] {
            v = v.get(k)?;
        }
        Some(v)
    };
    let text = |keys: &[&str]| -> Result<String> {
        match walk(keys) {
            None => Ok(String::new()),
            Some(v) => text_of(
                v,
                Field::PostText,
                &format!("{path}.{}", keys.join(".")),
                &at,
            ),
        }
    };
    let list = |keys: &[&str], f: Field| -> Result<String> {
        match walk(keys) {
            None => Ok(String::new()),
            Some(v) => text_of(v, f, &format!("{path}.{}", keys.join(".")), &at),
        }
    };
    let caption = match walk(&["edge_media_to_caption", "edges"]) {
        Some(Value::Array(edges)) => {
            let mut parts = Vec::new();
            for (i, e) in edges.iter().enumerate() {
                if let Some(t) = e.get("node").and_then(|n| n.get("text")) {
                    let p = format!("{path}.edge_media_to_caption.edges[{i}].node.text");
                    parts.push(text_of(t, Field::PostText, &p, &at)?);
                }
            }
            parts.join("\n")
        }
        _ => String::new(),
    };
    let likes_path: &[&str] = if walk(&["edge_liked_by", "count"]).is_some() {
        &["edge_liked_by", "count"]
    } else {
        &["edge_media_preview_like", "count"]
    };
    let cell = |f: Field| -> Result<String> {
        match f {
            Field::Name => text(&["owner", "username"]),
            Field::FullName => text(&["owner", "full_name"]),
            Field::Followers => text(&["owner", "edge_followed_by", "count"]),
            Field::Description => text(&["owner", "biography"]),
            Field::Business => text(&["owner", "is_business_account"]),
            Field::BusinessCategory => text(&["owner", "business_category_name"]),
            Field::Likes => text(likes_path),
            Field::Comments => text(&["edge_media_to_comment", "count"]),
            Field::Timestamp => text(&["taken_at_timestamp"]),
            Field::Location => text(&["location", "name"]),
            Field::Tagged => list(&["edge_media_to_tagged_user", "edges"], Field::Tagged),
            Field::Coauthors => list(&["coauthor_producers"], Field::Coauthors),
            Field::Sponsors => list(&["edge_media_to_sponsor_user", "edges"], Field::Sponsors),
            Field::Sponsored => text(&["is_paid_partnership"]),
            Field::PostText => Ok(caption.clone()),
            Field::PostUrl => Ok(match walk(&["shortcode"]).and_then(Value::as_str) {
                Some(code) => format!("https://www.instagram.com/p/{code}/"),
                None => String::new(),
            }),
            _ => Ok(String::new()),
        }
    };
    let col = |f: Field| format!("{path}.{}", f.as_str());
    post_row(&cell, &col, &at)
}
