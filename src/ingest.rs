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
//!   else the country of a venue the gazetteer lacks, learned from the other accounts that
//!   tagged it (two or more whose own places resolve, two thirds agreeing); else none;
//! - category: the most frequent category that the lexicon resolves (first seen wins a tie),
//!   else inferred from all the account's text;
//! - costs: mean of the given values.

mod aggregate;
mod csv_rows;
mod fields;
mod flat_json;
mod json_rows;
mod kind;
mod report;
mod row;
#[cfg(test)]
mod tests;

use std::io::Read;

use crate::category::Lexicon;
use crate::error::Result;
use crate::model::{Brand, Influencer, Mention};
use crate::places::Places;

pub use fields::{ColumnMapping, Field};
pub use report::{IngestReport, LeftOut, MentionStats, PlaceStats};

/// An aggregated account, before it becomes an influencer or a brand.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The account as an influencer record.
    pub influencer: Influencer,
    /// The handles its posts name, by handle.
    pub mentions: Vec<Mention>,
}

impl Profile {
    /// The same account read as a brand.
    pub fn into_brand(self) -> Brand {
        let i = self.influencer;
        // A brand scrape's account name is the brand's handle.
        let handle = crate::text::normalize_handle(&i.name).unwrap_or_default();
        Brand {
            name: i.name,
            category: i.category,
            country: i.country,
            hashtags: i.hashtags,
            // A brand's follower count is context for the ranker, where 0 reads as missing.
            followers: i.followers.unwrap_or(0),
            description: i.description,
            handle,
        }
    }
}

/// Reads scraped per-post rows from `input` (named `source` in errors) and aggregates them
/// into profiles sorted by account name, places resolved with the platform's gazetteer
/// ([`Places::gazetteer`] natively). Fails as a whole only when the header is unusable (no
/// name column, unreadable); every other problem is a row error in the report.
pub fn ingest<R: Read + Send>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
    lexicon: &Lexicon,
) -> Result<(Vec<Profile>, IngestReport)> {
    // The gazetteer is built while the rows are read (on another thread where there is one).
    let (rows, places) = rayon::join(
        || read_rows(input, source, mapping),
        || {
            #[cfg(not(target_arch = "wasm32"))]
            let places = Places::gazetteer();
            #[cfg(target_arch = "wasm32")]
            let places = Places::builtin();
            places
        },
    );
    let (rows, mut report) = rows?;
    let profiles = aggregate::aggregate(rows, lexicon, places, &mut report);
    Ok((profiles, report))
}

/// [`ingest`] with the given gazetteer.
pub fn ingest_with<R: Read>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
    lexicon: &Lexicon,
    places: &Places,
) -> Result<(Vec<Profile>, IngestReport)> {
    let (rows, mut report) = read_rows(input, source, mapping)?;
    let profiles = aggregate::aggregate(rows, lexicon, places, &mut report);
    Ok((profiles, report))
}

/// Every post row of `input`, in the format its content shows (JSON, JSONL or CSV).
fn read_rows<R: Read>(
    input: R,
    source: &str,
    mapping: &ColumnMapping,
) -> Result<(Vec<aggregate::PostRow>, IngestReport)> {
    let mut report = IngestReport::default();
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let rows = if json_rows::looks_like_json(&mut input, source)? {
        json_rows::read(input, source, mapping, &mut report)?
    } else {
        csv_rows::read(input, source, mapping, &mut report)?
    };
    Ok((rows, report))
}
