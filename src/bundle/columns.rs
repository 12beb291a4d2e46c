//! The payload's wire form: the tables stored column by column, the way column stores do it,
//! because a column of like values compresses far better than interleaved records (the bundle
//! travels gzipped to every browser). Decoding rebuilds the same tables exactly and checks
//! every column against the others; a column that does not fit is [`Error::Corrupted`] naming
//! it.
//!
//! Encodings, each exact:
//! - strings that repeat (countries, categories, hashtags) become indices into a dictionary
//!   sorted by frequency, most frequent first (small indices are one-byte varints), ties by
//!   text;
//! - an engagement rate that is bit for bit `mean_likes / followers` is not stored (the common
//!   case: scraped rates are mostly derived that way) and is recomputed on load; an unknown
//!   one is stored as unknown, as are unknown follower counts and likes (never as 0);
//! - interaction pairs, sorted by (brand, influencer), store the brand's pair count and the
//!   gaps between its influencer ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{CatalogMeta, CatalogTables, MentionRow, PairPoints};
use crate::cohesion::{CohesionWeights, TagIds};
use crate::dates::{in_range, iso_date, parse_iso_date};
use crate::error::{Error, Result};
use crate::mf::stored::StoredFactorModel;
use crate::model::{AccountKind, Brand, Influencer, PointsConfig};
use crate::price::StoredPrices;
use crate::rank::OrderingChoice;
use crate::ranker::StoredRanker;

/// A bundle's payload before it is validated into a catalog: the tables and the stored
/// models.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Parts {
    pub(super) tables: CatalogTables,
    /// The influencers' hashtags as the dictionary stored them (the index is built from the
    /// ids without hashing a string per occurrence).
    pub(super) hashtag_ids: TagIds,
    pub(super) factor: Option<StoredFactorModel>,
    pub(super) ranker: Option<StoredRanker>,
    pub(super) prices: Option<StoredPrices>,
    pub(super) ordering: Option<OrderingChoice>,
}

/// What is written after the header.
#[derive(Serialize, Deserialize)]
pub(super) struct Wire {
    meta: CatalogMeta,
    weights: CohesionWeights,
    points: PointsConfig,
    influencers: InfluencerColumns,
    brands: Vec<Brand>,
    pairs: PairColumns,
    mentions: MentionColumns,
    factor: Option<StoredFactorModel>,
    ranker: Option<StoredRanker>,
    prices: Option<StoredPrices>,
    ordering: Option<OrderingChoice>,
}

/// A column of repeated strings: a dictionary (most frequent first) and one index per row.
#[derive(Serialize, Deserialize)]
struct DictColumn {
    words: Vec<String>,
    rows: Vec<Vec<u32>>,
}

impl DictColumn {
    fn encode<'a>(rows: impl Iterator<Item = &'a [String]> + Clone) -> DictColumn {
        let mut freq: BTreeMap<&str, u64> = BTreeMap::new();
        for r in rows.clone() {
            for w in r {
                *freq.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut words: Vec<(&str, u64)> = freq.into_iter().collect();
        crate::sorting::sort_by(&mut words, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let index: BTreeMap<&str, u32> = words
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (*w, i as u32))
            .collect();
        DictColumn {
            rows: rows
                .map(|r| r.iter().map(|w| index[w.as_str()]).collect())
                .collect(),
            words: words.into_iter().map(|(w, _)| w.to_string()).collect(),
        }
    }

    fn decode(&self, column: &str, n: usize) -> Result<Vec<Vec<String>>> {
        check_len(column, self.rows.len(), n)?;
        let words = &self.words;
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&i| {
                        words.get(i as usize).cloned().ok_or_else(|| {
                            corrupted(format!(
                                "column {column}: index {i} outside its dictionary of {}",
                                words.len()
                            ))
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// What the first ranking and the campaign planner need of each influencer; the rest (bio,
/// post links, the scraped place) is in the detail shards (`super::DetailShard`).
#[derive(Serialize, Deserialize)]
struct InfluencerColumns {
    name: Vec<String>,
    followers: Vec<Option<u64>>,
    mean_likes: Vec<Option<f64>>,
    engagement_rate: Vec<Rate>,
    /// One value per row.
    country: DictColumn,
    /// One value per row.
    category: DictColumn,
    hashtags: DictColumn,
    cost_per_post: Vec<Option<f64>>,
    cost_per_story: Vec<Option<f64>>,
    kind: Vec<AccountKind>,
    /// Days since 1970-01-01 of the newest post.
    last_post: Vec<Option<i32>>,
    posts_per_week: Vec<Option<f64>>,
    recent_engagement_rate: Vec<Option<f64>>,
}

/// An engagement rate on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Rate {
    /// Exactly [`derived_rate`] of the row's counts.
    Derived,
    /// A rate of its own (the scrape gave it, or it counts comments).
    Given(f64),
    /// Unknown (no likes, or no followers).
    Unknown,
}

/// The engagement rate implied by the counts, when both are known and there are followers.
fn derived_rate(mean_likes: Option<f64>, followers: Option<u64>) -> Option<f64> {
    let (likes, followers) = (mean_likes?, followers?);
    (followers > 0).then(|| likes / followers as f64)
}

/// Collaboration evidence, by influencer: its row count, then per row the handle (a
/// dictionary index), the counts and the days.
#[derive(Serialize, Deserialize)]
struct MentionColumns {
    per_influencer: Vec<u32>,
    /// One value per row.
    handle: DictColumn,
    posts: Vec<u32>,
    sponsored_posts: Vec<u32>,
    first_seen: Vec<Option<i32>>,
    last_seen: Vec<Option<i32>>,
}

impl MentionColumns {
    fn encode(rows: &[MentionRow], n: usize) -> Result<MentionColumns> {
        let mut per_influencer = vec![0u32; n];
        for m in rows {
            let slot = per_influencer
                .get_mut(m.influencer as usize)
                .ok_or_else(|| {
                    corrupted(format!(
                        "mention row names influencer {} of {n}",
                        m.influencer
                    ))
                })?;
            *slot += 1;
        }
        // Rows are stored in influencer order; a table in another order could not be read back.
        if rows.windows(2).any(|w| w[0].influencer > w[1].influencer) {
            return Err(corrupted(
                "mention rows are not sorted by influencer".into(),
            ));
        }
        let handles: Vec<[String; 1]> = rows.iter().map(|m| [m.handle.clone()]).collect();
        Ok(MentionColumns {
            per_influencer,
            handle: DictColumn::encode(handles.iter().map(|h| h.as_slice())),
            posts: rows.iter().map(|m| m.posts).collect(),
            sponsored_posts: rows.iter().map(|m| m.sponsored_posts).collect(),
            first_seen: rows.iter().map(|m| m.first_seen).collect(),
            last_seen: rows.iter().map(|m| m.last_seen).collect(),
        })
    }

    /// The rows back; their values are checked with the rest of the tables
    /// (`Catalog::from_tables`).
    fn decode(self, n: usize) -> Result<Vec<MentionRow>> {
        check_len("mention per_influencer", self.per_influencer.len(), n)?;
        let total: u64 = self.per_influencer.iter().map(|&c| u64::from(c)).sum();
        let rows = self.posts.len();
        check_len("mention rows", total as usize, rows)?;
        check_len("mention sponsored_posts", self.sponsored_posts.len(), rows)?;
        check_len("mention first_seen", self.first_seen.len(), rows)?;
        check_len("mention last_seen", self.last_seen.len(), rows)?;
        let handles = self.handle.decode("mention handle", rows)?;
        let mut out = Vec::with_capacity(rows);
        let mut i = 0;
        for (influencer, &count) in self.per_influencer.iter().enumerate() {
            for _ in 0..count {
                let [handle]: [String; 1] = handles[i]
                    .clone()
                    .try_into()
                    .map_err(|_| corrupted("column mention handle: one value per row".into()))?;
                out.push(MentionRow {
                    influencer: influencer as u32,
                    handle,
                    posts: self.posts[i],
                    sponsored_posts: self.sponsored_posts[i],
                    first_seen: self.first_seen[i],
                    last_seen: self.last_seen[i],
                });
                i += 1;
            }
        }
        Ok(out)
    }
}

#[derive(Serialize, Deserialize)]
struct PairColumns {
    /// Pairs of each brand, in brand order.
    per_brand: Vec<u32>,
    /// The first influencer id of a brand, then the gap to the previous id (> 0).
    influencer_gap: Vec<u32>,
    points: Vec<f64>,
}

fn corrupted(message: String) -> Error {
    Error::Corrupted {
        source_name: "<bundle payload>".into(),
        message,
    }
}

fn check_len(column: &str, found: usize, expected: usize) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(corrupted(format!(
            "column {column} has {found} rows, expected {expected}"
        )))
    }
}

impl Wire {
    /// The wire form of `b`; fails when pairs are not sorted by (brand, influencer) or name a
    /// brand or influencer that does not exist (a bundle that could not be read back).
    pub(super) fn encode(
        b: &CatalogTables,
        factor: &Option<StoredFactorModel>,
        ranker: &Option<StoredRanker>,
        prices: &Option<StoredPrices>,
        ordering: &Option<OrderingChoice>,
    ) -> Result<Wire> {
        let infs = &b.influencers;
        let one = |f: fn(&Influencer) -> &String| -> Vec<[String; 1]> {
            infs.iter().map(|i| [f(i).clone()]).collect()
        };
        let countries = one(|i| &i.country);
        let categories = one(|i| &i.category);
        let influencers = InfluencerColumns {
            name: infs.iter().map(|i| i.name.clone()).collect(),
            followers: infs.iter().map(|i| i.followers).collect(),
            mean_likes: infs.iter().map(|i| i.mean_likes).collect(),
            engagement_rate: infs
                .iter()
                .map(|i| match i.engagement_rate {
                    None => Rate::Unknown,
                    Some(r)
                        if derived_rate(i.mean_likes, i.followers).map(f64::to_bits)
                            == Some(r.to_bits()) =>
                    {
                        Rate::Derived
                    }
                    Some(r) => Rate::Given(r),
                })
                .collect(),
            country: DictColumn::encode(countries.iter().map(|c| c.as_slice())),
            category: DictColumn::encode(categories.iter().map(|c| c.as_slice())),
            hashtags: DictColumn::encode(infs.iter().map(|i| i.hashtags.as_slice())),
            cost_per_post: infs.iter().map(|i| i.cost_per_post).collect(),
            cost_per_story: infs.iter().map(|i| i.cost_per_story).collect(),
            kind: infs.iter().map(|i| i.kind).collect(),
            last_post: infs
                .iter()
                .map(|i| match i.last_post.as_str() {
                    "" => Ok(None),
                    d => parse_iso_date(d)
                        .and_then(|day| i32::try_from(day).ok())
                        .map(Some)
                        .ok_or_else(|| {
                            corrupted(format!("{:?} has last_post {d:?}, not a date", i.name))
                        }),
                })
                .collect::<Result<_>>()?,
            posts_per_week: infs.iter().map(|i| i.posts_per_week).collect(),
            recent_engagement_rate: infs.iter().map(|i| i.recent_engagement_rate).collect(),
        };
        let mut per_brand = vec![0u32; b.brands.len()];
        let mut influencer_gap = Vec::with_capacity(b.pair_points.len());
        let mut prev: Option<(u32, u32)> = None;
        for p in &b.pair_points {
            if p.brand as usize >= b.brands.len() || p.influencer as usize >= infs.len() {
                return Err(corrupted(format!(
                    "pair ({}, {}) names a brand or influencer outside the tables",
                    p.brand, p.influencer
                )));
            }
            let gap = match prev {
                Some((pb, pi)) if pb == p.brand && p.influencer > pi => p.influencer - pi,
                Some((pb, _)) if pb < p.brand => p.influencer,
                None => p.influencer,
                Some(_) => {
                    return Err(corrupted(format!(
                        "pairs are not sorted by (brand, influencer) at ({}, {})",
                        p.brand, p.influencer
                    )))
                }
            };
            per_brand[p.brand as usize] += 1;
            influencer_gap.push(gap);
            prev = Some((p.brand, p.influencer));
        }
        Ok(Wire {
            meta: b.meta.clone(),
            weights: b.weights,
            points: b.points,
            influencers,
            brands: b.brands.clone(),
            pairs: PairColumns {
                per_brand,
                influencer_gap,
                points: b.pair_points.iter().map(|p| p.points).collect(),
            },
            mentions: MentionColumns::encode(&b.mentions, infs.len())?,
            factor: factor.clone(),
            ranker: ranker.clone(),
            prices: prices.clone(),
            ordering: ordering.clone(),
        })
    }

    /// The tables and models back, every column checked against the others.
    pub(super) fn decode(self) -> Result<Parts> {
        let c = self.influencers;
        let n = c.name.len();
        check_len("followers", c.followers.len(), n)?;
        check_len("mean_likes", c.mean_likes.len(), n)?;
        check_len("engagement_rate", c.engagement_rate.len(), n)?;
        check_len("cost_per_post", c.cost_per_post.len(), n)?;
        check_len("cost_per_story", c.cost_per_story.len(), n)?;
        check_len("kind", c.kind.len(), n)?;
        check_len("last_post", c.last_post.len(), n)?;
        check_len("posts_per_week", c.posts_per_week.len(), n)?;
        check_len("recent_engagement_rate", c.recent_engagement_rate.len(), n)?;
        let single = |column: &str, rows: Vec<Vec<String>>| -> Result<Vec<String>> {
            rows.into_iter()
                .map(|mut r| match (r.pop(), r.is_empty()) {
                    (Some(v), true) => Ok(v),
                    _ => Err(corrupted(format!("column {column}: one value per row"))),
                })
                .collect()
        };
        let country = single("country", c.country.decode("country", n)?)?;
        let category = single("category", c.category.decode("category", n)?)?;
        let hashtags = c.hashtags.decode("hashtags", n)?;
        let hashtag_ids = TagIds {
            words: c.hashtags.words,
            rows: c.hashtags.rows,
        };
        // Every column has n rows (checked above), so the iterators run out together.
        let mut influencers = Vec::with_capacity(n);
        let mut followers = c.followers.into_iter();
        let mut mean_likes = c.mean_likes.into_iter();
        let mut rate = c.engagement_rate.into_iter();
        let mut country = country.into_iter();
        let mut category = category.into_iter();
        let mut hashtags = hashtags.into_iter();
        let mut cost_per_post = c.cost_per_post.into_iter();
        let mut cost_per_story = c.cost_per_story.into_iter();
        let mut kind = c.kind.into_iter();
        let mut last_post = c.last_post.into_iter();
        let mut posts_per_week = c.posts_per_week.into_iter();
        let mut recent_rate = c.recent_engagement_rate.into_iter();
        for name in c.name {
            let followers = followers.next().flatten();
            let mean_likes = mean_likes.next().flatten();
            let engagement_rate = match rate.next().unwrap_or(Rate::Unknown) {
                Rate::Unknown => None,
                Rate::Given(r) => Some(r),
                Rate::Derived => Some(derived_rate(mean_likes, followers).ok_or_else(|| {
                    corrupted(format!(
                        "column engagement_rate: {name:?} has no likes and followers to derive \
                         it from"
                    ))
                })?),
            };
            influencers.push(Influencer {
                name,
                followers,
                // Details arrive with their shard (`Recommender::add_details`).
                description: String::new(),
                mean_likes,
                engagement_rate,
                country: country.next().unwrap_or_default(),
                location: String::new(),
                category: category.next().unwrap_or_default(),
                hashtags: hashtags.next().unwrap_or_default(),
                post_urls: Vec::new(),
                cost_per_post: cost_per_post.next().flatten(),
                cost_per_story: cost_per_story.next().flatten(),
                kind: kind.next().unwrap_or_default(),
                last_post: match last_post.next().flatten() {
                    None => String::new(),
                    // Only a date the tables would read back (years 2000 to 2100).
                    Some(d) if in_range(i64::from(d)) => iso_date(i64::from(d)),
                    Some(d) => {
                        return Err(corrupted(format!(
                            "column last_post: day {d} is out of range"
                        )))
                    }
                },
                posts_per_week: posts_per_week.next().flatten(),
                recent_engagement_rate: recent_rate.next().flatten(),
            });
        }
        let p = self.pairs;
        check_len("pair per_brand", p.per_brand.len(), self.brands.len())?;
        check_len("pair points", p.points.len(), p.influencer_gap.len())?;
        let total: u64 = p.per_brand.iter().map(|&c| u64::from(c)).sum();
        check_len(
            "pair influencer_gap",
            p.influencer_gap.len(),
            total as usize,
        )?;
        let mut pair_points = Vec::with_capacity(p.points.len());
        let mut gaps = p.influencer_gap.into_iter().zip(p.points);
        for (brand, &count) in p.per_brand.iter().enumerate() {
            let mut id: Option<u32> = None;
            for (gap, points) in gaps.by_ref().take(count as usize) {
                let next = match id {
                    None => Some(gap),
                    Some(prev) if gap > 0 => prev.checked_add(gap),
                    Some(_) => None,
                };
                let influencer = next.filter(|&i| (i as usize) < n).ok_or_else(|| {
                    corrupted(format!(
                        "pair influencer_gap: brand {brand} steps outside the {n} influencers"
                    ))
                })?;
                id = Some(influencer);
                pair_points.push(PairPoints {
                    brand: brand as u32,
                    influencer,
                    points,
                });
            }
        }
        Ok(Parts {
            tables: CatalogTables {
                meta: self.meta,
                weights: self.weights,
                points: self.points,
                influencers,
                brands: self.brands,
                pair_points,
                mentions: self.mentions.decode(n)?,
            },
            hashtag_ids,
            factor: self.factor,
            ranker: self.ranker,
            prices: self.prices,
            ordering: self.ordering,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::small_tables as small;

    fn encode(b: &CatalogTables) -> Result<Wire> {
        Wire::encode(b, &None, &None, &None, &None)
    }

    fn round_trip(b: &CatalogTables) -> CatalogTables {
        let bytes = postcard::to_allocvec(&encode(b).unwrap()).unwrap();
        postcard::from_bytes::<Wire>(&bytes)
            .unwrap()
            .decode()
            .unwrap()
            .tables
    }

    #[test]
    fn every_encoding_is_exact() {
        let mut b = small();
        // A rate that is not likes / followers, one that is, one with no followers, and one
        // unknown (no likes) beside a known follower count.
        b.influencers[0].engagement_rate = Some(0.123_456_789);
        b.influencers[1].mean_likes = Some(389.5);
        b.influencers[1].followers = Some(6540);
        b.influencers[1].engagement_rate = Some(389.5 / 6540.0);
        let mut c = b.influencers[0].clone();
        c.name = "c".into();
        c.followers = Some(0);
        c.engagement_rate = Some(0.5);
        c.kind = AccountKind::Media;
        c.hashtags = vec!["z".into(), "z2".into()];
        c.cost_per_post = Some(74.78);
        c.post_urls = vec!["https://example.com/p/1".into()];
        b.influencers.push(c);
        let mut d = b.influencers[1].clone();
        d.name = "d".into();
        d.mean_likes = None;
        d.engagement_rate = None;
        b.influencers.push(d);
        b.brands.push(b.brands[0].clone());
        b.brands[1].name = "beta".into();
        b.brands[1].handle = "beta.co".into();
        let row = |influencer: u32, handle: &str, days: Option<(i32, i32)>| MentionRow {
            influencer,
            handle: handle.into(),
            posts: 3,
            sponsored_posts: 1,
            first_seen: days.map(|d| d.0),
            last_seen: days.map(|d| d.1),
        };
        b.mentions = vec![
            row(0, "beta.co", Some((20_000, 20_100))),
            row(0, "nike", None),
            row(2, "beta.co", Some((20_050, 20_050))),
        ];
        b.pair_points = vec![
            PairPoints {
                brand: 0,
                influencer: 0,
                points: 1.0,
            },
            PairPoints {
                brand: 0,
                influencer: 2,
                points: 10.5,
            },
            PairPoints {
                brand: 1,
                influencer: 1,
                points: 3.0,
            },
        ];
        let wire = encode(&b).unwrap();
        assert_eq!(
            wire.influencers.engagement_rate,
            vec![
                Rate::Given(0.123_456_789),
                Rate::Derived,
                Rate::Given(0.5),
                Rate::Unknown
            ],
            "only the derivable rate is left out"
        );
        assert_eq!(
            wire.influencers.hashtags.words[0], "z",
            "most frequent first"
        );
        assert_eq!(wire.pairs.per_brand, vec![2, 1]);
        assert_eq!(wire.pairs.influencer_gap, vec![0, 2, 1]);
        assert_eq!(wire.mentions.per_influencer, vec![2, 0, 1, 0]);
        assert_eq!(wire.mentions.handle.words, ["beta.co", "nike"]);
        let mut core = b.clone();
        core.influencers = b.influencers.iter().map(|i| i.without_details()).collect();
        assert_eq!(
            round_trip(&b),
            core,
            "the core leaves the details to the shards"
        );
    }

    #[test]
    fn pairs_out_of_order_or_outside_the_tables_are_refused_at_write() {
        let mut b = small();
        b.pair_points.push(PairPoints {
            brand: 0,
            influencer: 0,
            points: 1.0,
        });
        assert!(matches!(encode(&b), Err(Error::Corrupted { .. })));
        let mut b = small();
        b.pair_points[0].influencer = 9;
        assert!(matches!(encode(&b), Err(Error::Corrupted { .. })));
    }

    #[test]
    fn columns_that_do_not_fit_name_the_column() {
        let message = |mutate: fn(&mut Wire)| {
            let mut w = encode(&small()).unwrap();
            mutate(&mut w);
            match w.decode() {
                Err(Error::Corrupted { message, .. }) => message,
                other => panic!("expected Corrupted, got {other:?}"),
            }
        };
        assert!(message(|w| {
            w.influencers.followers.pop();
        })
        .contains("column followers"));
        assert!(message(|w| w.influencers.hashtags.rows[0] = vec![99]).contains("column hashtags"));
        assert!(message(|w| w.influencers.country.rows[0] = vec![]).contains("column country"));
        assert!(message(|w| w.pairs.per_brand[0] = 2).contains("influencer_gap"));
        assert!(message(|w| w.pairs.influencer_gap[0] = 50).contains("outside the 2 influencers"));
        assert!(message(|w| {
            w.influencers.last_post.pop();
        })
        .contains("column last_post"));
        assert!(message(|w| w.mentions.per_influencer[0] = 1).contains("mention rows"));
        assert!(message(|w| {
            w.mentions.per_influencer.pop();
        })
        .contains("mention per_influencer"));
        for day in [i32::MIN, -1, i32::MAX] {
            let mut w = encode(&small()).unwrap();
            w.influencers.last_post[0] = Some(day);
            let e = w.decode().map(|_| ()).unwrap_err().to_string();
            assert!(
                e.contains("last_post: day") && e.contains("out of range"),
                "{e}"
            );
        }
    }
}
