//! One post row from its fields' text, whatever the format the text came from (a CSV
//! cell, a JSON value, an instaloader node).

use super::aggregate::PostRow;
use super::fields::Field;
use crate::dates::parse_timestamp;
use crate::error::{Error, Location, Result};
use crate::text::{
    hashtags_in_text, is_paid_tag, mentions_in_text, paid_partners_in_text, parse_handles,
    parse_hashtags, parse_number,
};

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
fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "f" => Some(false),
        _ => None,
    }
}
