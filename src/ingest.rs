//! Importer for scraped exports: per-post CSV rows aggregate into one profile per account.
//!
//! The core reads any `io::Read` and names its input by a label, so it works the same on a
//! file, an upload or a test string. Policy: a bad row is reported with its source, line and
//! field and skipped; every good row is kept; nothing panics.
//!
//! Aggregation per account (rows grouped by the case-folded account name):
//! - followers: the largest value reported (scrapes of one account at different times);
//! - mean likes: mean over the posts that report likes;
//! - engagement rate: the mean of given values (a cell ending in `%` is a percentage, a bare
//!   number a fraction); when none is given, mean likes / followers (0 with no followers);
//! - hashtags: union of the hashtag columns and the `#tags` in post text, first-seen order;
//! - location: the most frequent non-empty `location`/`post_Location` text (first seen wins
//!   a tie), kept as written;
//! - country: each location text resolved to an ISO 3166-1 code ([`crate::places`]; every
//!   distinct text once), the most frequent code winning (first seen wins a tie); with no
//!   resolvable location, the one country the bio points to (a flag, or a country name);
//!   else the location text itself;
//! - category: the most frequent category that the lexicon resolves (first seen wins a tie),
//!   else inferred from all the account's text;
//! - costs: mean of the given values.

use std::collections::BTreeMap;
use std::io::Read;

use crate::category::Lexicon;
use crate::error::{Error, Location, Result};
use crate::model::{Brand, Influencer};
use crate::places::Places;
use crate::text::{hashtags_in_text, key, parse_hashtags, parse_number};

/// The canonical fields a scraped column can map onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// Account name (required).
    Name,
    /// Follower count.
    Followers,
    /// Profile bio.
    Description,
    /// Likes of the post.
    Likes,
    /// Post caption.
    PostText,
    /// Profile location / audience country.
    Location,
    /// Location tagged on the post.
    PostLocation,
    /// Hashtag list.
    Hashtags,
    /// Post URL.
    PostUrl,
    /// Engagement rate.
    EngagementRate,
    /// Translated hashtag list.
    HashtagsTranslated,
    /// All descriptions joined by the scraper.
    AllDescriptions,
    /// Translated text.
    Translated,
    /// Given category.
    Category,
    /// Cost of a sponsored post.
    CostPost,
    /// Cost of a sponsored story.
    CostStory,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 16] = [
        Field::Name,
        Field::Followers,
        Field::Description,
        Field::Likes,
        Field::PostText,
        Field::Location,
        Field::PostLocation,
        Field::Hashtags,
        Field::PostUrl,
        Field::EngagementRate,
        Field::HashtagsTranslated,
        Field::AllDescriptions,
        Field::Translated,
        Field::Category,
        Field::CostPost,
        Field::CostStory,
    ];

    /// The canonical name used by `--map FIELD=COLUMN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Followers => "followers",
            Field::Description => "description",
            Field::Likes => "likes",
            Field::PostText => "post_text",
            Field::Location => "location",
            Field::PostLocation => "post_location",
            Field::Hashtags => "hashtags",
            Field::PostUrl => "post_url",
            Field::EngagementRate => "engagement_rate",
            Field::HashtagsTranslated => "hashtags_translated",
            Field::AllDescriptions => "all_descriptions",
            Field::Translated => "translated",
            Field::Category => "category",
            Field::CostPost => "cost_post",
            Field::CostStory => "cost_story",
        }
    }

    /// Column names recognised without a mapping (compared case-insensitively): the seed
    /// scrape's names first, then common alternatives.
    pub fn default_columns(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["user_Name", "name", "account", "username"],
            Field::Followers => &["followers"],
            Field::Description => &["user_Description", "description", "bio"],
            Field::Likes => &["likes", "mean_likes"],
            Field::PostText => &["post_Description", "post_text", "caption"],
            Field::Location => &["location", "country", "audience country"],
            Field::PostLocation => &["post_Location"],
            Field::Hashtags => &["hashtags"],
            Field::PostUrl => &["post_Url", "post_urls", "link"],
            Field::EngagementRate => &["engagement_rate"],
            Field::HashtagsTranslated => &["hashtags_translated"],
            Field::AllDescriptions => &["all_descriptions"],
            Field::Translated => &["translated"],
            Field::Category => &["max_category", "category", "category1"],
            Field::CostPost => &["cost_post", "cost_per_post", "cost post"],
            Field::CostStory => &["cost_story", "cost_per_story", "cost story"],
        }
    }

    /// Parses a canonical field name.
    pub fn parse(s: &str) -> Option<Field> {
        let k = s.trim().to_lowercase();
        Field::ALL.into_iter().find(|f| f.as_str() == k)
    }
}

/// Explicit `field -> column` assignments that take precedence over the default names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    explicit: BTreeMap<Field, String>,
}

impl ColumnMapping {
    /// Parses `FIELD=COLUMN` specs, e.g. `["followers=Followers count", "name=handle"]`.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<Self> {
        let mut explicit = BTreeMap::new();
        for spec in specs {
            let spec = spec.as_ref();
            let (f, col) = spec.split_once('=').ok_or_else(|| Error::InvalidParam {
                name: "map",
                message: format!("expected FIELD=COLUMN, found {spec:?}"),
            })?;
            let field = Field::parse(f).ok_or_else(|| Error::InvalidParam {
                name: "map",
                message: format!(
                    "unknown field {:?}; fields are: {}",
                    f.trim(),
                    Field::ALL.map(Field::as_str).join(", ")
                ),
            })?;
            explicit.insert(field, col.trim().to_string());
        }
        Ok(ColumnMapping { explicit })
    }
}

/// What an import did: how many rows, which were rejected and why, and notes.
#[derive(Debug, Default)]
pub struct IngestReport {
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows that went into a profile.
    pub rows_accepted: u64,
    /// One error per rejected row, with file, line and field.
    pub errors: Vec<Error>,
    /// Non-fatal remarks (ignored columns, profiles missing values).
    pub notes: Vec<String>,
    /// How the rows' location texts resolved to countries.
    pub places: PlaceStats,
}

/// How location texts resolved, counted over rows (a text in two rows counts twice).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PlaceStats {
    /// Non-empty location cells.
    pub cells: u64,
    /// Of which resolved to a country.
    pub resolved: u64,
    /// Unresolved texts and how often each occurred.
    pub unresolved: BTreeMap<String, u64>,
}

impl PlaceStats {
    /// The share of non-empty cells that resolved (1 when there were none).
    pub fn share(&self) -> f64 {
        if self.cells == 0 {
            1.0
        } else {
            self.resolved as f64 / self.cells as f64
        }
    }

    /// Adds `other`'s counts (several input files of one import).
    pub fn merge(&mut self, other: PlaceStats) {
        self.cells += other.cells;
        self.resolved += other.resolved;
        for (t, c) in other.unresolved {
            *self.unresolved.entry(t).or_default() += c;
        }
    }

    /// The `n` most frequent unresolved texts, most frequent first (ties by text).
    pub fn top_unresolved(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self
            .unresolved
            .iter()
            .map(|(k, &c)| (k.as_str(), c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

/// One accepted post row.
#[derive(Debug, Clone, Default)]
struct PostRow {
    name: String,
    followers: Option<f64>,
    description: String,
    likes: Option<f64>,
    texts: Vec<String>,
    locations: Vec<String>,
    hashtags: Vec<String>,
    post_url: String,
    engagement_rate: Option<f64>,
    category: String,
    cost_post: Option<f64>,
    cost_story: Option<f64>,
}

/// An aggregated account, before it becomes an influencer or a brand.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The account as an influencer record.
    pub influencer: Influencer,
}

impl Profile {
    /// The same account read as a brand.
    pub fn into_brand(self) -> Brand {
        let i = self.influencer;
        Brand {
            name: i.name,
            category: i.category,
            country: i.country,
            hashtags: i.hashtags,
            followers: i.followers,
            description: i.description,
        }
    }
}

/// Reads scraped per-post rows from `input` (named `source` in errors) and aggregates them
/// into profiles sorted by account name, places resolved with the platform's gazetteer
/// ([`Places::gazetteer`] natively). Fails as a whole only when the header is unusable (no
/// name column, unreadable); every other problem is a row error in the report.
pub fn ingest<R: Read>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
    lexicon: &Lexicon,
) -> Result<(Vec<Profile>, IngestReport)> {
    #[cfg(not(target_arch = "wasm32"))]
    let places = Places::gazetteer();
    #[cfg(target_arch = "wasm32")]
    let places = Places::builtin();
    ingest_with(input, source, mapping, lexicon, places)
}

/// [`ingest`] with the given gazetteer.
pub fn ingest_with<R: Read>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
    lexicon: &Lexicon,
    places: &Places,
) -> Result<(Vec<Profile>, IngestReport)> {
    let mut report = IngestReport::default();
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
    let columns = resolve_columns(&header, mapping, source, &mut report)?;

    let mut rows: Vec<PostRow> = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                report.rows_read += 1;
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                let at = Location::source(source).at_line(line);
                match parse_row(&rec, &header, &columns, at) {
                    Ok(row) => {
                        report.rows_accepted += 1;
                        rows.push(row);
                    }
                    Err(e) => report.errors.push(e),
                }
            }
            Err(e) => {
                // A CSV-level error (e.g. unreadable bytes) loses only that record.
                report.rows_read += 1;
                report.errors.push(csv_error(source, e));
            }
        }
    }
    let profiles = aggregate(rows, lexicon, places, &mut report);
    Ok((profiles, report))
}

fn csv_error(source: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let mut at = Location::source(source);
    at.line = line;
    match e.kind() {
        csv::ErrorKind::Io(_) => Error::malformed(at, format!("read error: {e}")),
        _ => Error::malformed(at, format!("unreadable CSV record: {e}")),
    }
}

fn resolve_columns(
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
            None => report.notes.push(format!(
                "{source}:1: column {:?} is not used and was ignored",
                header[i]
            )),
        }
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

fn parse_row(
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
    let num = |f: Field, nonneg: bool| -> Result<Option<f64>> {
        let s = get(f)?;
        let col = columns
            .get(&f)
            .map(|&i| header[i].clone())
            .unwrap_or_default();
        match parse_number(&s) {
            Ok(Some(v)) if nonneg && v < 0.0 => {
                Err(Error::parse(at.clone().field(col), "a number >= 0", s))
            }
            Ok(v) => Ok(v),
            Err(_) => Err(Error::parse(at.clone().field(col), "a number", s)),
        }
    };
    let name = get(Field::Name)?;
    if name.is_empty() {
        let col = header[columns[&Field::Name]].clone();
        return Err(Error::parse(at.field(col), "a non-empty account name", ""));
    }
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
    })
}

/// Most frequent value by `key`; the first-seen value wins a tie. Returns the first-seen
/// display form of the winning key.
fn vote<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: Vec<(String, &'a str, u32)> = Vec::new();
    for v in values {
        let k = key(v);
        if k.is_empty() {
            continue;
        }
        match counts.iter_mut().find(|(ck, _, _)| *ck == k) {
            Some(c) => c.2 += 1,
            None => counts.push((k, v, 1)),
        }
    }
    let mut best: Option<&(String, &str, u32)> = None;
    for c in &counts {
        if best.is_none_or(|b| c.2 > b.2) {
            best = Some(c);
        }
    }
    best.map(|b| b.1.trim().to_string())
}

fn mean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        None
    } else {
        Some(v.iter().sum::<f64>() / v.len() as f64)
    }
}

fn aggregate(
    rows: Vec<PostRow>,
    lexicon: &Lexicon,
    places: &Places,
    report: &mut IngestReport,
) -> Vec<Profile> {
    // Every distinct text is resolved once: scrapes repeat the same few places many times.
    let mut resolved: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let mut groups: BTreeMap<String, Vec<PostRow>> = BTreeMap::new();
    for r in rows {
        groups.entry(key(&r.name)).or_default().push(r);
    }
    let mut out = Vec::with_capacity(groups.len());
    for rows in groups.into_values() {
        let name = rows[0].name.clone();
        let followers = rows
            .iter()
            .filter_map(|r| r.followers)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        if followers.is_none() {
            report
                .notes
                .push(format!("{name}: no follower count in any row; using 0"));
        }
        let followers = followers.unwrap_or(0.0).round() as u64;
        let likes: Vec<f64> = rows.iter().filter_map(|r| r.likes).collect();
        let mean_likes = mean(&likes).unwrap_or(0.0);
        let given_er: Vec<f64> = rows.iter().filter_map(|r| r.engagement_rate).collect();
        let engagement_rate = mean(&given_er).unwrap_or(if followers > 0 {
            mean_likes / followers as f64
        } else {
            0.0
        });
        let mut hashtags: Vec<String> = Vec::new();
        let mut post_urls: Vec<String> = Vec::new();
        for r in &rows {
            for t in &r.hashtags {
                if !hashtags.contains(t) {
                    hashtags.push(t.clone());
                }
            }
            if !r.post_url.is_empty() && !post_urls.contains(&r.post_url) {
                post_urls.push(r.post_url.clone());
            }
        }
        let description = rows
            .iter()
            .map(|r| r.description.as_str())
            .find(|d| !d.is_empty())
            .unwrap_or("")
            .to_string();
        let location = vote(
            rows.iter()
                .flat_map(|r| r.locations.iter().map(String::as_str)),
        )
        .unwrap_or_default();
        let mut codes: Vec<String> = Vec::new();
        for text in rows.iter().flat_map(|r| r.locations.iter()) {
            let code = resolved
                .entry(text.clone())
                .or_insert_with(|| places.resolve(text))
                .clone();
            report.places.cells += 1;
            match code {
                Some(c) => {
                    report.places.resolved += 1;
                    codes.push(c);
                }
                None => *report.places.unresolved.entry(text.clone()).or_default() += 1,
            }
        }
        let country = vote(codes.iter().map(String::as_str))
            .or_else(|| crate::places::country_in_text(&description))
            .unwrap_or_else(|| location.clone());
        let resolved: Vec<String> = rows
            .iter()
            .filter_map(|r| lexicon.resolve(&r.category))
            .collect();
        let category = vote(resolved.iter().map(String::as_str)).unwrap_or_else(|| {
            let mut all = description.clone();
            for r in &rows {
                for t in &r.texts {
                    all.push(' ');
                    all.push_str(t);
                }
            }
            for t in &hashtags {
                all.push_str(" #");
                all.push_str(t);
            }
            lexicon.infer(&all).map(|i| i.slug).unwrap_or_default()
        });
        let costs =
            |f: fn(&PostRow) -> Option<f64>| mean(&rows.iter().filter_map(f).collect::<Vec<_>>());
        out.push(Profile {
            influencer: Influencer {
                name,
                followers,
                description,
                mean_likes,
                engagement_rate,
                country,
                location,
                category,
                hashtags,
                post_urls,
                cost_per_post: costs(|r| r.cost_post),
                cost_per_story: costs(|r| r.cost_story),
            },
        });
    }
    // Listed by sort key (grouped by key: look-alikes are one account).
    out.sort_by_cached_key(|p| crate::text::sort_key(&p.influencer.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(csv: &str) -> (Vec<Influencer>, IngestReport) {
        let (p, r) = ingest(
            csv.as_bytes(),
            "t.csv",
            &ColumnMapping::default(),
            Lexicon::builtin(),
        )
        .expect("header is fine");
        (p.into_iter().map(|p| p.influencer).collect(), r)
    }

    #[test]
    fn aggregation_worked_example() {
        // Two posts of "ana": likes 100 and 300 -> mean 200; followers max(10,000; 9,000)
        // = 10,000; ER not given -> 200 / 10,000 = 0.02. Location votes: Spain, spain, Peru
        // -> Spain (2), resolved ES (ES twice, PE once). Category: "fashion" given once,
        // empty once -> fashion.
        let csv = "user_Name,followers,likes,location,post_Location,max_category,hashtags\n\
                   ana,\"10,000\",100,Spain,Peru,fashion,#a#b\n\
                   ANA,9000,300,spain,,,\"['#b', '#c']\"\n";
        let (p, r) = run(csv);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(p.len(), 1);
        let ana = &p[0];
        assert_eq!(ana.name, "ana");
        assert_eq!(ana.followers, 10_000);
        assert_eq!(ana.mean_likes, 200.0);
        assert_eq!(ana.engagement_rate, 0.02);
        assert_eq!(ana.country, "ES");
        assert_eq!(ana.location, "Spain");
        assert_eq!((r.places.cells, r.places.resolved), (3, 3));
        assert_eq!(ana.category, "fashion");
        assert_eq!(ana.hashtags, vec!["a", "b", "c"]);
    }

    #[test]
    fn places_resolve_to_codes_and_unknown_places_keep_their_text() {
        let csv = "user_Name,followers,location,user_Description\n\
                   a,10,\"Los Angeles, CA\",\n\
                   b,10,Narnia,\n\
                   c,10,,Chef 🇮🇹 in Rome\n\
                   d,10,Worldwide,Travel creator\n";
        let (p, r) = run(csv);
        let got: Vec<(&str, &str, &str)> = p
            .iter()
            .map(|i| (i.name.as_str(), i.country.as_str(), i.location.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "US", "Los Angeles, CA"),
                ("b", "Narnia", "Narnia"),
                ("c", "IT", ""),
                ("d", "Worldwide", "Worldwide"),
            ]
        );
        assert_eq!((r.places.cells, r.places.resolved), (3, 1));
        assert_eq!(
            r.places.top_unresolved(5),
            [("Narnia", 1), ("Worldwide", 1)]
        );
    }

    #[test]
    fn given_engagement_rates_are_fractions_unless_marked_percent() {
        let csv = "user_Name,followers,likes,engagement_rate\nx,100,1,0.05\nx,100,1,3%\n";
        let (p, _) = run(csv);
        // mean(0.05, 0.03) = 0.04
        assert!((p[0].engagement_rate - 0.04).abs() < 1e-12);
    }

    #[test]
    fn missing_name_column_is_fatal_and_named() {
        let err = ingest(
            "followers,likes\n1,2\n".as_bytes(),
            "f.csv",
            &ColumnMapping::default(),
            Lexicon::builtin(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.csv:1: no account-name column"),
            "{err}"
        );
    }

    #[test]
    fn mapping_overrides_defaults() {
        let m = ColumnMapping::parse(&["name=Handle", "followers=Fans"]).unwrap();
        let (p, r) = ingest(
            "Handle,Fans,followers\nzoe,5,999\n".as_bytes(),
            "m.csv",
            &m,
            Lexicon::builtin(),
        )
        .unwrap();
        assert_eq!(p[0].influencer.followers, 5);
        assert_eq!(
            r.notes.len(),
            1,
            "the unmapped `followers` column is noted: {:?}",
            r.notes
        );
        assert!(ColumnMapping::parse(&["nope=x"]).is_err());
        assert!(ColumnMapping::parse(&["name"]).is_err());
    }

    #[test]
    fn category_is_inferred_when_not_given() {
        let csv = "user_Name,user_Description,post_Description\n\
                   chef_li,Home cook,New pasta recipe #foodie\n";
        let (p, _) = run(csv);
        assert_eq!(p[0].category, "food_cooking");
    }
}
