//! What an import did: rows read and accepted, rejects, notes, how places resolved.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::model::{AccountKind, Influencer, Mention};

/// Examples kept per reason (rejects, accounts left out): enough to find the rows.
const EXAMPLES: usize = 2;

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
    /// Accounts left out (explore and hashtag pages, rows without a usable handle), by
    /// reason: how many accounts, how many rows, and the first names.
    pub left_out: BTreeMap<&'static str, LeftOut>,
    /// Profiles made.
    pub profiles: u64,
    /// Profiles by kind.
    pub kinds: BTreeMap<AccountKind, u64>,
    /// Profiles with each field unknown (`followers`, `likes`, `engagement`, `country`,
    /// `category`, `cost_per_post`).
    pub unknown: BTreeMap<&'static str, u64>,
    /// Collaboration evidence: account-to-handle pairs, the accounts that name any handle,
    /// and the pairs with at least one paid post.
    pub mentions: MentionStats,
}

/// How much collaboration evidence an import found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MentionStats {
    /// Distinct account-to-handle pairs.
    pub pairs: u64,
    /// Accounts that name at least one handle.
    pub accounts: u64,
    /// Pairs with at least one paid post.
    pub sponsored_pairs: u64,
}

/// Accounts left out for one reason.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LeftOut {
    /// Accounts.
    pub accounts: u64,
    /// Their rows.
    pub rows: u64,
    /// The first few names.
    pub examples: Vec<String>,
}

impl IngestReport {
    pub(super) fn leave_out(&mut self, reason: &'static str, name: &str, rows: u64) {
        let l = self.left_out.entry(reason).or_default();
        l.accounts += 1;
        l.rows += rows;
        if l.examples.len() < EXAMPLES && !name.is_empty() {
            l.examples.push(name.to_string());
        }
    }

    pub(super) fn count_mentions(&mut self, m: &[Mention]) {
        self.mentions.pairs += m.len() as u64;
        self.mentions.accounts += u64::from(!m.is_empty());
        self.mentions.sponsored_pairs += m.iter().filter(|m| m.sponsored_posts > 0).count() as u64;
    }

    pub(super) fn count_profile(&mut self, i: &Influencer) {
        self.profiles += 1;
        *self.kinds.entry(i.kind).or_default() += 1;
        for (field, unknown) in [
            ("followers", i.followers.is_none()),
            ("likes", i.mean_likes.is_none()),
            ("engagement", i.engagement_rate.is_none()),
            ("country", i.country.is_empty()),
            ("category", i.category.is_empty()),
            ("cost_per_post", i.cost_per_post.is_none()),
        ] {
            let n = self.unknown.entry(field).or_default();
            *n += u64::from(unknown);
        }
    }

    /// The report of a brand import: brands have no kind, engagement or price of their own
    /// that the product reads, so only followers, country and category unknowns are kept.
    pub fn for_brands(mut self) -> Self {
        self.kinds.clear();
        self.mentions = MentionStats::default();
        self.unknown
            .retain(|f, _| matches!(*f, "followers" | "country" | "category"));
        self
    }

    /// Adds `other` (another file of the same import).
    pub fn merge(&mut self, other: IngestReport) {
        self.rows_read += other.rows_read;
        self.rows_accepted += other.rows_accepted;
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.places.merge(other.places);
        for (reason, l) in other.left_out {
            let mine = self.left_out.entry(reason).or_default();
            mine.accounts += l.accounts;
            mine.rows += l.rows;
            for e in l.examples {
                if mine.examples.len() < EXAMPLES {
                    mine.examples.push(e);
                }
            }
        }
        self.profiles += other.profiles;
        self.mentions.pairs += other.mentions.pairs;
        self.mentions.accounts += other.mentions.accounts;
        self.mentions.sponsored_pairs += other.mentions.sponsored_pairs;
        for (k, n) in other.kinds {
            *self.kinds.entry(k).or_default() += n;
        }
        for (f, n) in other.unknown {
            *self.unknown.entry(f).or_default() += n;
        }
    }

    /// Rejected rows grouped by reason (the field and what it expected, or the record's
    /// fault with its numbers as `N`), most frequent first: (reason, count, first examples).
    pub fn rejects_by_reason(&self) -> Vec<(String, usize, Vec<&Error>)> {
        let mut by: BTreeMap<String, (usize, Vec<&Error>)> = BTreeMap::new();
        for e in &self.errors {
            let reason = match e {
                Error::Parse { at, expected, .. } => format!(
                    "{}: expected {expected}",
                    at.field.as_deref().unwrap_or("record")
                ),
                Error::Malformed { message, .. } => numbers_as_n(message),
                other => numbers_as_n(&other.to_string()),
            };
            let slot = by.entry(reason).or_default();
            slot.0 += 1;
            if slot.1.len() < EXAMPLES {
                slot.1.push(e);
            }
        }
        let mut v: Vec<(String, usize, Vec<&Error>)> =
            by.into_iter().map(|(r, (n, ex))| (r, n, ex)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// The report in a few lines: rows, rejects by reason with two examples each, accounts
    /// left out, kinds, the share of unknowns per field, and places.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        let left: u64 = self.left_out.values().map(|l| l.accounts).sum();
        out.push(format!(
            "{} rows read: {} accepted, {} rejected; {} profiles, {} accounts left out",
            self.rows_read,
            self.rows_accepted,
            self.errors.len(),
            self.profiles,
            left
        ));
        for (reason, n, examples) in self.rejects_by_reason() {
            out.push(format!("  rejected {n} x {reason}"));
            for e in examples {
                out.push(format!("    e.g. {e}"));
            }
        }
        for (reason, l) in &self.left_out {
            let eg = if l.examples.is_empty() {
                String::new()
            } else {
                format!(", e.g. {}", quoted(&l.examples))
            };
            out.push(format!(
                "  left out {} {reason} ({} rows){eg}",
                l.accounts, l.rows
            ));
        }
        if self.profiles > 0 && !self.kinds.is_empty() {
            let kinds: Vec<String> = self
                .kinds
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect();
            out.push(format!("  kinds: {}", kinds.join(", ")));
        }
        if self.profiles > 0 {
            let unknown: Vec<String> = self
                .unknown
                .iter()
                .filter(|(_, &n)| n > 0)
                .map(|(f, &n)| format!("{f} {n} ({:.1}%)", 100.0 * n as f64 / self.profiles as f64))
                .collect();
            if !unknown.is_empty() {
                out.push(format!("  unknown: {}", unknown.join(", ")));
            }
        }
        let m = &self.mentions;
        if m.pairs > 0 {
            out.push(format!(
                "  collaboration evidence: {} accounts name other accounts in their posts, {} \
                 account-to-handle pairs ({} with paid posts)",
                m.accounts, m.pairs, m.sponsored_pairs
            ));
        }
        let p = &self.places;
        out.push(format!(
            "  places: {} of {} accounts with a place resolved to a country ({:.1}%); {} of {} \
             location cells{}{}",
            p.accounts_resolved,
            p.accounts_with_place,
            100.0 * p.account_share(),
            p.resolved,
            p.cells,
            match p.learned_texts {
                0 => String::new(),
                n => format!(
                    " ({} of them at {n} venues the gazetteer lacks, by the country of the \
                     accounts that tagged them)",
                    p.learned
                ),
            },
            match p.top_unresolved(3) {
                v if v.is_empty() => String::new(),
                v => format!(
                    "; most frequent unresolved: {}",
                    v.iter()
                        .map(|(t, c)| format!("{:?} ({c})", crate::text::truncate_chars(t, 40)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        ));
        out
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{:?}", crate::text::truncate_chars(n, 40)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `message` with every run of digits as `N`, so "expected 12 fields, found 11" and
/// "expected 12 fields, found 9" are one reason.
fn numbers_as_n(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_digits = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
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
    /// Of the resolved cells, those resolved as venues learned from the accounts that
    /// tagged them (see `ingest::aggregate`).
    pub learned: u64,
    /// The distinct venue texts so learned.
    pub learned_texts: u64,
    /// Profiles with at least one place.
    pub accounts_with_place: u64,
    /// Of which resolved to a country.
    pub accounts_resolved: u64,
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

    /// The share of accounts with a place whose country resolved (1 when none had one).
    pub fn account_share(&self) -> f64 {
        if self.accounts_with_place == 0 {
            1.0
        } else {
            self.accounts_resolved as f64 / self.accounts_with_place as f64
        }
    }

    /// Adds `other`'s counts (several input files of one import).
    pub fn merge(&mut self, other: PlaceStats) {
        self.cells += other.cells;
        self.resolved += other.resolved;
        self.learned += other.learned;
        self.learned_texts += other.learned_texts;
        self.accounts_with_place += other.accounts_with_place;
        self.accounts_resolved += other.accounts_resolved;
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
