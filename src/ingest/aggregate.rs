//! Post rows of one account aggregated into its profile (see the module docs of
//! [`crate::ingest`] for the rules).

use std::collections::BTreeMap;

use super::kind::{account_kind, page_reason};
use super::report::IngestReport;
use super::Profile;
use crate::category::Lexicon;
use crate::model::Influencer;
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
        if let Some(reason) = page_reason(&name) {
            report.leave_out(reason, &name, rows.len() as u64);
            continue;
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
        // Engagement = (mean likes + mean comments, where the export has comments) /
        // followers; unknown when likes or followers are (an account whose posts report no
        // likes has no engagement figure, not a zero one).
        let engagement_rate = mean(&given_er).or_else(|| {
            let interactions = mean_likes? + mean(&comments).unwrap_or(0.0);
            followers
                .filter(|&f| f > 0)
                .map(|f| interactions / f as f64)
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
        // Every place the account wrote is resolved; the country is the most frequent
        // country among those that resolve, so a venue ("Marlins Park") that names no
        // country neither wins nor becomes one. The location shown is the most frequent
        // text that resolved to that country (else the most frequent text).
        let mut codes: Vec<String> = Vec::new();
        let mut resolved_texts: Vec<(&str, String)> = Vec::new();
        for text in rows.iter().flat_map(|r| r.locations.iter()) {
            let code = resolved
                .entry(text.clone())
                .or_insert_with(|| places.resolve(text))
                .clone();
            report.places.cells += 1;
            match code {
                Some(c) => {
                    report.places.resolved += 1;
                    resolved_texts.push((text.as_str(), c.clone()));
                    codes.push(c);
                }
                None => *report.places.unresolved.entry(text.clone()).or_default() += 1,
            }
        }
        let country = vote(codes.iter().map(String::as_str))
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
            report.places.accounts_with_place += 1;
            if !country.is_empty() {
                report.places.accounts_resolved += 1;
            }
        }
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
        };
        report.count_profile(&influencer);
        out.push(Profile { influencer });
    }
    // Listed by sort key (grouped by key: look-alikes are one account).
    out.sort_by_cached_key(|p| crate::text::sort_key(&p.influencer.name));
    out
}
