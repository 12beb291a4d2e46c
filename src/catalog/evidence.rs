//! The catalog's collaboration evidence: which influencers' posts name which handles, and
//! what that makes of known brands (mentions as learning positives).

use std::collections::BTreeMap;

use super::{Catalog, MentionRow};
use crate::dates::iso_date;
use crate::model::Mention;

/// Most distinct handles an account may name for its organic mentions to count as evidence
/// ([`Catalog::evidence_pairs`]); creators who work with brands name tens, not hundreds.
pub const MAX_EVIDENCE_HANDLES: usize = 200;

impl Catalog {
    /// Collaboration evidence, sorted by (influencer, handle).
    pub fn mentions(&self) -> &[MentionRow] {
        &self.tables.mentions
    }

    /// The collaboration evidence as `mentions.csv` rows (names and ISO days): the inverse of
    /// [`Catalog::with_mentions`].
    pub fn mention_records(&self) -> Vec<Mention> {
        let day = |d: Option<i32>| d.map(|d| iso_date(i64::from(d))).unwrap_or_default();
        self.tables
            .mentions
            .iter()
            .map(|m| Mention {
                influencer: self.tables.influencers[m.influencer as usize].name.clone(),
                handle: m.handle.clone(),
                posts: m.posts,
                sponsored_posts: m.sponsored_posts,
                first_seen: day(m.first_seen),
                last_seen: day(m.last_seen),
            })
            .collect()
    }

    /// The handles influencer `id` named, sorted by handle.
    pub fn mentions_of(&self, id: u32) -> &[MentionRow] {
        let m = &self.tables.mentions;
        let a = m.partition_point(|r| r.influencer < id);
        let b = m.partition_point(|r| r.influencer <= id);
        &m[a..b]
    }

    /// The known brand whose handle is `handle` (normalised), if any.
    pub fn brand_by_handle(&self, handle: &str) -> Option<u32> {
        self.tables
            .brands
            .iter()
            .position(|b| !b.handle.is_empty() && b.handle == handle)
            .map(|i| i as u32)
    }

    /// Collaboration evidence about known brands: `(brand, influencer, posts, paid posts)` of
    /// every mention row whose handle is a brand's, sorted by pair. An account that names
    /// more than [`MAX_EVIDENCE_HANDLES`] distinct handles (a giveaway or tag-your-friends
    /// account, or a scrape of comments) gives only its paid credits: naming everyone says
    /// nothing about anyone. Its rows stay in the table, on its card and in `export`.
    pub fn evidence_pairs(&self) -> Vec<(u32, u32, u32, u32)> {
        let by_handle: BTreeMap<&str, u32> = self
            .tables
            .brands
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.handle.is_empty())
            .map(|(k, b)| (b.handle.as_str(), k as u32))
            .collect();
        let mut out: Vec<(u32, u32, u32, u32)> = self
            .tables
            .mentions
            .iter()
            .filter(|m| {
                m.sponsored_posts > 0
                    || self.mentions_of(m.influencer).len() <= MAX_EVIDENCE_HANDLES
            })
            .filter_map(|m| {
                let b = *by_handle.get(m.handle.as_str())?;
                Some((b, m.influencer, m.posts, m.sponsored_posts))
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Everything the learned models learn from as graded points, sorted by pair: the
    /// interaction positives (summed points >= `min_points`) plus, for a pair whose posts
    /// name the brand, the points of an add-to-campaign (organic mentions: the influencer
    /// chose to show the brand) or of a collaboration (a paid post crediting it).
    pub fn learning_positives(&self, min_points: f64) -> Vec<(u32, u32, f64)> {
        let mut acc: BTreeMap<(u32, u32), f64> = self
            .positives(min_points)
            .into_iter()
            .map(|(b, i, p)| ((b, i), p))
            .collect();
        let points = self.points();
        for (b, i, _, paid) in self.evidence_pairs() {
            *acc.entry((b, i)).or_insert(0.0) += if paid > 0 {
                points.collaboration
            } else {
                points.add_to_campaign
            };
        }
        acc.into_iter().map(|((b, i), p)| (b, i, p)).collect()
    }
}
