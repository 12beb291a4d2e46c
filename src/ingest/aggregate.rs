//! Post rows of one account aggregated into its profile (see the module docs of
//! [`crate::ingest`] for the rules).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::kind::{account_kind, page_reason};
use super::report::{IngestReport, PlaceStats};
use super::Profile;
use crate::category::Lexicon;
use crate::dates::{iso_date, SECONDS_PER_DAY};
use crate::model::{Influencer, Mention, RECENT_DAYS};
use crate::places::Places;
use crate::text::key;

/// One accepted post row, whatever format it came from.
#[derive(Debug, Clone, Default)]
pub(super) struct PostRow {
    pub(super) name: String,
    pub(super) followers: Option<f64>,
    pub(super) description: String,
    pub(super) likes: Option<f64>,
    pub(super) comments: Option<f64>,
    pub(super) texts: Vec<String>,
    pub(super) locations: Vec<String>,
    pub(super) hashtags: Vec<String>,
    pub(super) post_url: String,
    pub(super) engagement_rate: Option<f64>,
    pub(super) category: String,
    pub(super) cost_post: Option<f64>,
    pub(super) cost_story: Option<f64>,
    /// The export's business-account flag, when it has one.
    pub(super) business: Option<bool>,
    /// The platform's own category for a business account ("Shopping & Retail").
    pub(super) business_category: String,
    /// The account's display name ("Ana Lopez"), when the export has one.
    pub(super) full_name: String,
    /// When the post was published, seconds since the Unix epoch, when the export says.
    pub(super) timestamp: Option<i64>,
    /// Handles the post names: its caption's @mentions, the scraper's mention list and the
    /// accounts tagged on it (normalised, each once).
    pub(super) mentions: Vec<String>,
    /// The partners a paid post names: a sponsor field or a "paid partnership with X" line.
    pub(super) sponsors: Vec<String>,
    /// Whether the post is marked paid: a sponsor, a paid-partnership flag or a disclosure
    /// hashtag (#ad, #anzeige, #publi, ...).
    pub(super) sponsored: bool,
}

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

/// Counts a parsed row in the report and keeps it, or keeps its error.
pub(super) fn take_row(
    r: crate::error::Result<PostRow>,
    report: &mut IngestReport,
    rows: &mut Vec<PostRow>,
) {
    report.rows_read += 1;
    match r {
        Ok(row) => {
            report.rows_accepted += 1;
            rows.push(row);
        }
        Err(e) => report.errors.push(e),
    }
}

/// Engagement = (mean likes + mean comments, where the posts report comments) / followers;
/// unknown when likes or followers are (posts that report no likes have no engagement
/// figure, not a zero one).
fn engagement(
    mean_likes: Option<f64>,
    mean_comments: Option<f64>,
    followers: Option<u64>,
) -> Option<f64> {
    let f = followers.filter(|&f| f > 0)?;
    Some((mean_likes? + mean_comments.unwrap_or(0.0)) / f as f64)
}

fn mean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        None
    } else {
        Some(v.iter().sum::<f64>() / v.len() as f64)
    }
}

pub(super) fn aggregate(
    rows: Vec<PostRow>,
    lexicon: &Lexicon,
    places: &Places,
    report: &mut IngestReport,
) -> Vec<Profile> {
    // Recency is measured against the scrape's newest post, not the clock: the same file
    // makes the same tables on any day.
    let newest = rows.iter().filter_map(|r| r.timestamp).max();
    // Rows come in runs of one account's posts: each run is keyed once, the runs sorted by
    // key (stably, so an account's rows keep their file order) and runs of one key joined.
    let mut runs: Vec<(String, Vec<PostRow>)> = Vec::new();
    for r in rows {
        match runs.last_mut() {
            Some((_, run)) if run[0].name == r.name => run.push(r),
            _ => runs.push((key(&r.name), vec![r])),
        }
    }
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut groups: Vec<Vec<PostRow>> = Vec::new();
    let mut last_key: Option<String> = None;
    for (k, run) in runs {
        match groups.last_mut() {
            Some(group) if last_key.as_ref() == Some(&k) => group.extend(run),
            _ => {
                groups.push(run);
                last_key = Some(k);
            }
        }
    }
    // Every distinct place text is resolved once (scrapes repeat a few places many times),
    // the texts in parallel.
    let mut texts: Vec<&String> = groups
        .iter()
        .flat_map(|rows| rows.iter().flat_map(|r| r.locations.iter()))
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let resolved: HashMap<String, Option<String>> = texts
        .into_par_iter()
        .map(|t| (t.clone(), places.resolve(t)))
        .collect();
    // Accounts are independent: aggregated in parallel, then reported in key order, so the
    // report and the profiles do not depend on the number of threads.
    let mut outcomes: Vec<Outcome> = groups
        .into_par_iter()
        .map(|rows| account(rows, lexicon, &resolved, newest))
        .collect();
    let venues = learn_venues(&outcomes);
    report.places.learned_texts += venues.len() as u64;
    for o in &mut outcomes {
        if let Outcome::Kept(influencer, stats, _, _) = o {
            apply_venues(influencer, stats, &venues);
        }
    }
    let mut out = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        match o {
            Outcome::LeftOut { reason, name, rows } => report.leave_out(reason, &name, rows),
            Outcome::Kept(influencer, stats, _, mentions) => {
                report.places.merge(stats);
                report.count_profile(&influencer);
                report.count_mentions(&mentions);
                out.push(Profile {
                    influencer: *influencer,
                    mentions,
                });
            }
        }
    }
    // Listed by sort key (grouped by key: look-alikes are one account).
    out.sort_by_cached_key(|p| crate::text::sort_key(&p.influencer.name));
    out
}

/// One account's aggregate: its profile and its places' statistics, or why it is left out.
enum Outcome {
    LeftOut {
        reason: &'static str,
        name: String,
        rows: u64,
    },
    /// The profile, its places' statistics, and whether its country came from its own
    /// places (rather than its bio or nothing).
    Kept(Box<Influencer>, PlaceStats, bool, Vec<Mention>),
}

/// Venues learned from the scrape: a place text that no gazetteer entry resolves ("Marlins
/// Park", "Grand Ole Opry") takes the country of the accounts that tagged it, where at least
/// [`VENUE_MIN_ACCOUNTS`] accounts whose own places resolve tagged it and at least
/// [`VENUE_AGREEMENT`] of them share one country. Accounts, not posts, vote, so one account
/// posting from a stadium fifty times counts once.
const VENUE_MIN_ACCOUNTS: usize = 2;
const VENUE_AGREEMENT: f64 = 2.0 / 3.0;

/// Unresolved place text → the country its taggers agree on (see [`VENUE_MIN_ACCOUNTS`]).
fn learn_venues(outcomes: &[Outcome]) -> BTreeMap<String, String> {
    let mut votes: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for o in outcomes {
        if let Outcome::Kept(influencer, stats, true, _) = o {
            for text in stats.unresolved.keys() {
                *votes
                    .entry(text.as_str())
                    .or_default()
                    .entry(influencer.country.as_str())
                    .or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(text, by_country)| {
            let total: usize = by_country.values().sum();
            // The most votes, ties to the smaller code (deterministic; a tie never passes
            // the agreement bar anyway).
            let (code, n) = by_country
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            (total >= VENUE_MIN_ACCOUNTS && *n as f64 >= VENUE_AGREEMENT * total as f64)
                .then(|| (text.to_string(), code.to_string()))
        })
        .collect()
}

/// Counts an account's learned venues as resolved, and gives an account that has no country
/// yet (none of its places resolved and its bio names none) the country its learned venues
/// point to most often, by posts, and the most frequent of those venues as its location.
fn apply_venues(
    influencer: &mut Influencer,
    stats: &mut PlaceStats,
    venues: &BTreeMap<String, String>,
) {
    let mut by_country: BTreeMap<&str, u64> = BTreeMap::new();
    let mut best_text: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    for (text, &n) in &stats.unresolved {
        if let Some(code) = venues.get(text) {
            *by_country.entry(code).or_default() += n;
            let b = best_text.entry(code).or_insert((text, n));
            if n > b.1 {
                *b = (text, n);
            }
        }
    }
    if by_country.is_empty() {
        return;
    }
    if influencer.country.is_empty() {
        // Most posts, ties to the smaller code.
        let (code, _) = by_country
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(c, n)| (*c, *n))
            .unwrap_or_default();
        influencer.country = code.to_string();
        if let Some((text, _)) = best_text.get(code) {
            influencer.location = text.trim().to_string();
        }
        if !influencer.location.is_empty() {
            stats.accounts_resolved += 1;
        }
    }
    stats.unresolved.retain(|text, n| {
        let learned = venues.contains_key(text);
        if learned {
            stats.resolved += *n;
            stats.learned += *n;
        }
        !learned
    });
}

/// The profile of one account's rows (`resolved`: each place text's country, if any).
fn account(
    rows: Vec<PostRow>,
    lexicon: &Lexicon,
    resolved: &HashMap<String, Option<String>>,
    newest: Option<i64>,
) -> Outcome {
    let name = rows[0].name.clone();
    if let Some(reason) = page_reason(&name) {
        let rows = rows.len() as u64;
        return Outcome::LeftOut { reason, name, rows };
    }
    let followers = rows
        .iter()
        .filter_map(|r| r.followers)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        .map(|f| f.round() as u64);
    let likes: Vec<f64> = rows.iter().filter_map(|r| r.likes).collect();
    let mean_likes = mean(&likes);
    let comments: Vec<f64> = rows.iter().filter_map(|r| r.comments).collect();
    let given_er: Vec<f64> = rows.iter().filter_map(|r| r.engagement_rate).collect();
    // The export's own rate where it gives one, else [`engagement`] of the posts.
    let engagement_rate =
        mean(&given_er).or_else(|| engagement(mean_likes, mean(&comments), followers));
    let mut hashtags: Vec<String> = Vec::new();
    let mut post_urls: Vec<String> = Vec::new();
    for r in &rows {
        // A disclosure tag (#ad, #anzeige) says how a post was paid, not what it is about.
        for t in r.hashtags.iter().filter(|t| !crate::text::is_paid_tag(t)) {
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
    // Every place the account wrote is resolved; the country is the most frequent
    // country among those that resolve, so a venue ("Marlins Park") that names no
    // country neither wins nor becomes one. The location shown is the most frequent
    // text that resolved to that country (else the most frequent text).
    let mut stats = PlaceStats::default();
    let mut codes: Vec<String> = Vec::new();
    let mut resolved_texts: Vec<(&str, String)> = Vec::new();
    for text in rows.iter().flat_map(|r| r.locations.iter()) {
        stats.cells += 1;
        match resolved.get(text).cloned().flatten() {
            Some(c) => {
                stats.resolved += 1;
                resolved_texts.push((text.as_str(), c.clone()));
                codes.push(c);
            }
            None => *stats.unresolved.entry(text.clone()).or_default() += 1,
        }
    }
    let place_country = vote(codes.iter().map(String::as_str));
    let placed = place_country.is_some();
    let country = place_country
        .or_else(|| crate::places::country_in_text(&description))
        .unwrap_or_default();
    let location = vote(
        resolved_texts
            .iter()
            .filter(|(_, c)| *c == country)
            .map(|(t, _)| *t),
    )
    .or_else(|| {
        vote(
            rows.iter()
                .flat_map(|r| r.locations.iter().map(String::as_str)),
        )
    })
    .unwrap_or_default();
    if !location.is_empty() {
        stats.accounts_with_place += 1;
        if !country.is_empty() {
            stats.accounts_resolved += 1;
        }
    }
    // An account repeats its category cell on every row: each distinct cell resolves once.
    let mut cells: Vec<(&str, Option<String>)> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for r in &rows {
        let c = match cells.iter().find(|(cell, _)| *cell == r.category) {
            Some((_, c)) => c.clone(),
            None => {
                let c = lexicon.resolve(&r.category);
                cells.push((&r.category, c.clone()));
                c
            }
        };
        categories.extend(c);
    }
    let category = vote(categories.iter().map(String::as_str)).unwrap_or_else(|| {
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
    let business = rows.iter().find_map(|r| r.business);
    let business_category = rows
        .iter()
        .map(|r| r.business_category.as_str())
        .find(|c| !c.is_empty())
        .unwrap_or("");
    let full_name = rows
        .iter()
        .map(|r| r.full_name.as_str())
        .find(|c| !c.is_empty())
        .unwrap_or("");
    let kind = account_kind(&name, full_name, &description, business, business_category);
    let costs =
        |f: fn(&PostRow) -> Option<f64>| mean(&rows.iter().filter_map(f).collect::<Vec<_>>());
    let recent = recency(&rows, newest, followers);
    let influencer = Influencer {
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
        kind,
        last_post: recent.last_post,
        posts_per_week: recent.posts_per_week,
        recent_engagement_rate: recent.engagement_rate,
    };
    let mentions = mentions(&influencer.name, &rows);
    Outcome::Kept(Box::new(influencer), stats, placed, mentions)
}

/// The handles an account's posts name (not its own), by handle: how many posts name each,
/// how many of those are paid and credit it, and the first and last day. A paid post credits
/// its named sponsors; one that names none (a bare #ad) credits every handle it names.
fn mentions(name: &str, rows: &[PostRow]) -> Vec<Mention> {
    let own = crate::text::normalize_handle(name);
    // Per handle: posts, paid posts crediting it, first and last post time.
    type Tally = (u32, u32, Option<i64>, Option<i64>);
    let mut by: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in rows {
        let mut named: Vec<&str> = r.mentions.iter().map(String::as_str).collect();
        let mut seen: std::collections::HashSet<&str> = named.iter().copied().collect();
        let sponsors: std::collections::HashSet<&str> =
            r.sponsors.iter().map(String::as_str).collect();
        for s in &r.sponsors {
            if seen.insert(s.as_str()) {
                named.push(s);
            }
        }
        for h in named {
            if own.as_deref() == Some(h) {
                continue;
            }
            let e = by.entry(h).or_insert((0, 0, None, None));
            e.0 += 1;
            let credited = if r.sponsors.is_empty() {
                r.sponsored
            } else {
                sponsors.contains(h)
            };
            if credited {
                e.1 += 1;
            }
            if let Some(t) = r.timestamp {
                e.2 = Some(e.2.map_or(t, |f| f.min(t)));
                e.3 = Some(e.3.map_or(t, |l| l.max(t)));
            }
        }
    }
    let day = |t: Option<i64>| {
        t.map(|t| iso_date(t.div_euclid(SECONDS_PER_DAY)))
            .unwrap_or_default()
    };
    by.into_iter()
        .map(|(handle, (posts, sponsored_posts, first, last))| Mention {
            influencer: name.to_string(),
            handle: handle.to_string(),
            posts,
            sponsored_posts,
            first_seen: day(first),
            last_seen: day(last),
        })
        .collect()
}

/// An account's recency, from its dated posts.
struct Recency {
    last_post: String,
    posts_per_week: Option<f64>,
    engagement_rate: Option<f64>,
}

/// The newest post's day; posts per week over the dated posts' span, (n − 1) gaps in
/// `span` days is 7(n − 1)/span a week, to two decimals; and the engagement of the posts of
/// the last [`RECENT_DAYS`] before `newest` (the scrape's newest post), by the same
/// [`engagement`] as the overall rate.
fn recency(rows: &[PostRow], newest: Option<i64>, followers: Option<u64>) -> Recency {
    let mut times: Vec<i64> = rows.iter().filter_map(|r| r.timestamp).collect();
    times.sort_unstable();
    times.dedup();
    let last_post = times
        .last()
        .map(|&t| iso_date(t.div_euclid(SECONDS_PER_DAY)))
        .unwrap_or_default();
    let posts_per_week = match (times.first(), times.last()) {
        (Some(&a), Some(&b)) if times.len() >= 2 && b - a >= SECONDS_PER_DAY => {
            let weeks = (b - a) as f64 / (7 * SECONDS_PER_DAY) as f64;
            Some(((times.len() - 1) as f64 / weeks * 100.0).round() / 100.0)
        }
        _ => None,
    };
    let engagement_rate = newest.and_then(|now| {
        let from = now - RECENT_DAYS * SECONDS_PER_DAY;
        let recent: Vec<&PostRow> = rows
            .iter()
            .filter(|r| r.timestamp.is_some_and(|t| t >= from))
            .collect();
        let likes = mean(&recent.iter().filter_map(|r| r.likes).collect::<Vec<_>>());
        let comments = mean(&recent.iter().filter_map(|r| r.comments).collect::<Vec<_>>());
        engagement(likes, comments, followers)
    });
    Recency {
        last_post,
        posts_per_week,
        engagement_rate,
    }
}
