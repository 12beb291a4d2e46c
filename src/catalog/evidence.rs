//! The catalog's collaboration evidence: which influencers' posts name which handles, and
//! what that makes of known brands (mentions as learning positives).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::{Catalog, MentionRow};
use crate::dates::iso_date;
use crate::mf::features::{handle_feature, influencer_features, HandleFeatures};
use crate::model::Mention;

/// Most distinct handles an account may name for its organic mentions to count as evidence
/// ([`Catalog::evidence_pairs`]); creators who work with brands name tens, not hundreds.
pub const MAX_EVIDENCE_HANDLES: usize = 200;

/// A handle is an item feature when at least this many accounts name it: a handle one
/// account names says nothing about any other.
pub const MIN_ACCOUNTS_PER_HANDLE_FEATURE: usize = 3;
/// Most handle features in all, the most named first.
pub const MAX_HANDLE_FEATURES: usize = 2_000;
/// Most handle features per account: its paid credits first, then the handles it names in
/// most posts. An account's row is L1-normalised (LightFM's 1/|F_i|), so without a cap a
/// prolific tagger's category, country and hashtags would drown in its handles.
pub const MAX_HANDLE_FEATURES_PER_ACCOUNT: usize = 10;

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

    /// The handles that are the influencers' content features ([`HandleFeatures`]): of
    /// the rows [`Catalog::evidence_pairs`] would count (a giveaway account's paid credits
    /// only), the handles no known brand has that [`MIN_ACCOUNTS_PER_HANDLE_FEATURE`]
    /// accounts name, at most [`MAX_HANDLE_FEATURES`] (by accounts, then by handle), and of
    /// those at most [`MAX_HANDLE_FEATURES_PER_ACCOUNT`] per account.
    ///
    /// Why: two accounts that name the same photographers, magazines, stores or competitors
    /// get close item representations, so a brand learns from the look-alikes of its
    /// positives (accounts that name what they name), and a brand without evidence of its
    /// own, or a new one described by category, country and hashtags, reaches them through
    /// its content. Known brands' handles are left out: a mention of a known brand is a
    /// learning positive of that brand ([`Catalog::learning_positives`]), and a feature that
    /// is the label lets the model fit each brand's positives by their one
    /// `mention:<brand>` column instead of their content, which is what carries over to
    /// held-out and new brands (measured on the semi-synthetic day-one set, 4 seeds: MRR
    /// 0.186 without such features, 0.161 with). Built from the catalog's evidence only, so
    /// an evaluation that hides a brand's mention rows hides what they contributed too.
    pub fn handle_features(&self) -> HandleFeatures<'_> {
        // Sorted vectors and binary search throughout, not trees: this runs in the browser
        // at load, and every map type is code the module carries.
        let t = &self.tables;
        let mut brands: Vec<&str> = (t.brands.iter())
            .filter(|b| !b.handle.is_empty())
            .map(|b| b.handle.as_str())
            .collect();
        brands.sort_unstable();
        let has = |set: &[&str], h: &str| set.binary_search(&h).is_ok();
        // Rows come sorted by influencer: one group per account that names anything.
        let groups: Vec<&[MentionRow]> = t
            .mentions
            .chunk_by(|a, b| a.influencer == b.influencer)
            .collect();
        // A giveaway account's paid credits only (as `evidence_pairs`).
        fn counted(g: &[MentionRow]) -> impl Iterator<Item = &MentionRow> {
            let everyone = g.len() > MAX_EVIDENCE_HANDLES;
            g.iter().filter(move |m| !everyone || m.sponsored_posts > 0)
        }
        // Accounts per handle: a pair is one row, so a handle's rows are its accounts.
        let mut named: Vec<&str> = (groups.iter().flat_map(|g| counted(g)))
            .map(|m| m.handle.as_str())
            .collect();
        named.sort_unstable();
        // (The key has the shape of the per-account key below: one sort in the module.)
        let mut chosen: Vec<(Reverse<u32>, Reverse<u32>, &str)> = (named.chunk_by(|a, b| a == b))
            .filter(|r| r.len() >= MIN_ACCOUNTS_PER_HANDLE_FEATURE && !has(&brands, r[0]))
            .map(|r| (Reverse(r.len() as u32), Reverse(0), r[0]))
            .collect();
        chosen.sort_unstable();
        chosen.truncate(MAX_HANDLE_FEATURES);
        let mut chosen: Vec<&str> = chosen.into_iter().map(|(_, _, h)| h).collect();
        chosen.sort_unstable();
        // Each account's capped choice, then the handles some account kept, as ids.
        let mut per: Vec<(u32, Vec<&str>)> = Vec::with_capacity(groups.len());
        for g in &groups {
            let mut rows: Vec<(Reverse<u32>, Reverse<u32>, &str)> = counted(g)
                .filter(|m| has(&chosen, &m.handle))
                .map(|m| {
                    (
                        Reverse(m.sponsored_posts),
                        Reverse(m.posts),
                        m.handle.as_str(),
                    )
                })
                .collect();
            rows.sort_unstable();
            rows.truncate(MAX_HANDLE_FEATURES_PER_ACCOUNT);
            let mut kept: Vec<&str> = rows.into_iter().map(|(_, _, h)| h).collect();
            kept.sort_unstable();
            per.push((g[0].influencer, kept));
        }
        let mut handles: Vec<&str> = per.iter().flat_map(|(_, h)| h.iter().copied()).collect();
        handles.sort_unstable();
        handles.dedup();
        let id = |h: &str| handles.binary_search(&h).map_or(0, |k| k as u32);
        let n = t.influencers.len();
        let mut out = HandleFeatures {
            offsets: Vec::with_capacity(n + 1),
            ids: Vec::new(),
            handles: Vec::new(),
        };
        out.offsets.push(0);
        let mut next = per.into_iter().peekable();
        for i in 0..n as u32 {
            if let Some((_, kept)) = next.next_if(|(j, _)| *j == i) {
                out.ids.extend(kept.into_iter().map(id));
            }
            out.offsets.push(out.ids.len() as u32);
        }
        out.handles = handles;
        out
    }

    /// Every influencer's item feature names (`identity`: with its `influencer:` feature):
    /// [`influencer_features`] and its [`HandleFeatures`].
    pub fn influencer_feature_rows(&self, identity: bool) -> Vec<Vec<String>> {
        let hf = self.handle_features();
        let names: Vec<String> = hf.handles.iter().map(|h| handle_feature(h)).collect();
        self.tables
            .influencers
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut f = influencer_features(x, identity);
                f.extend(hf.of(i).iter().map(|&h| names[h as usize].clone()));
                f
            })
            .collect()
    }

    /// Everything the learned models learn from as graded points, sorted by pair: the
    /// interaction positives (summed points >= `min_points`) plus, for a pair whose posts
    /// name the brand, the points of an add-to-campaign (organic mentions: the influencer
    /// chose to show the brand) or of a collaboration (a paid post crediting it).
    pub fn learning_positives(&self, min_points: f64) -> Vec<(u32, u32, f64)> {
        // Inserted one by one rather than collected: a collected map sorts its pairs with a
        // sort of its own type in the page's module (see crate::sorting).
        let mut acc: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        for (b, i, p) in self.positives(min_points) {
            acc.insert((b, i), p);
        }
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
