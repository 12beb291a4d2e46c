//! The cohesion rating: how well an influencer fits a brand by the product's rule.
//!
//! ```text
//! cohesion(b, i) = w_cat · [cat(b) = cat(i)] + w_loc · [country(b) = country(i)]
//!                + w_tag · |tags(b) ∩ tags(i)| + w_er · er(i)
//! ```
//! with defaults w_cat = 10, w_loc = 5, w_tag = 1, w_er = 1 and er(i) the engagement rate as a
//! fraction. An empty category or country never matches. An unknown engagement rate (the
//! scrape reported no likes, or no followers) adds nothing: er(i) = 0 in the sum, so the rule
//! neither rewards nor punishes what was not measured, and the [`Breakdown`] says the rate
//! is unknown rather than showing a zero. Every rating comes with its breakdown so the user
//! sees why.
//!
//! [`CohesionIndex`] interns categories, countries and hashtags once so that rating all
//! influencers for one brand is a pass over small integer arrays (a sorted-merge for the
//! hashtag intersection).

use std::collections::{BTreeMap, HashMap};

use crate::random::WordHashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Brand, Influencer};
use crate::text::key;

/// Weights of the cohesion rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CohesionWeights {
    /// Points for the same category (default 10).
    pub category: f64,
    /// Points for the same country (default 5).
    pub location: f64,
    /// Points per shared hashtag (default 1).
    pub hashtag: f64,
    /// Multiplier of the influencer's engagement rate (default 1).
    pub engagement: f64,
}

impl Default for CohesionWeights {
    fn default() -> Self {
        CohesionWeights {
            category: 10.0,
            location: 5.0,
            hashtag: 1.0,
            engagement: 1.0,
        }
    }
}

impl CohesionWeights {
    /// Rejects non-finite weights.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("weights.category", self.category),
            ("weights.location", self.location),
            ("weights.hashtag", self.hashtag),
            ("weights.engagement", self.engagement),
        ] {
            if !v.is_finite() {
                return Err(Error::InvalidParam {
                    name,
                    message: format!("must be finite, got {v}"),
                });
            }
        }
        Ok(())
    }
}

/// Why a pair got its rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The shared category slug, when the categories match.
    pub category: Option<String>,
    /// Points from the category term.
    pub category_points: f64,
    /// The shared country, when the countries match.
    pub location: Option<String>,
    /// Points from the location term.
    pub location_points: f64,
    /// Hashtags both sides use, sorted.
    pub shared_hashtags: Vec<String>,
    /// Points from the hashtag term.
    pub hashtag_points: f64,
    /// The influencer's engagement rate (fraction); `None` when unknown (its term is then 0).
    pub engagement_rate: Option<f64>,
    /// Points from the engagement term.
    pub engagement_points: f64,
    /// The cohesion rating: the sum of the four terms.
    pub total: f64,
}

/// Influencers' hashtags as ids into a dictionary of words: `words[rows[i][j]]` is
/// influencer i's hashtag j.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagIds {
    /// The distinct words.
    pub words: Vec<String>,
    /// One row of ids per influencer.
    pub rows: Vec<Vec<u32>>,
}

impl TagIds {
    /// The used words in first-use order and every occurrence's index into them, when these
    /// ids describe `influencers`' hashtags (same rows and lengths, ids in range, words
    /// distinct); `None` otherwise.
    fn occurrences<'a>(&'a self, influencers: &[Influencer]) -> Option<(Vec<&'a str>, Vec<u32>)> {
        if self.rows.len() != influencers.len() {
            return None;
        }
        let mut distinct: Vec<&str> = self.words.iter().map(String::as_str).collect();
        distinct.sort_unstable();
        if distinct.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        const UNSEEN: u32 = u32::MAX;
        let mut first = vec![UNSEEN; self.words.len()];
        let mut used: Vec<&str> = Vec::new();
        let mut occurrences = Vec::new();
        for (row, inf) in self.rows.iter().zip(influencers) {
            if row.len() != inf.hashtags.len() {
                return None;
            }
            for &w in row {
                let slot = first.get_mut(w as usize)?;
                if *slot == UNSEEN {
                    *slot = used.len() as u32;
                    used.push(&self.words[w as usize]);
                }
                occurrences.push(*slot);
            }
        }
        Some((used, occurrences))
    }
}

/// A brand reduced to what the rule compares, in the index's interned ids.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedBrand {
    category: Option<u32>,
    country: Option<u32>,
    tags: Vec<u32>,
}

impl PreparedBrand {
    /// The brand's category as this index interns it (`None`: no influencer has it).
    pub fn category(&self) -> Option<u32> {
        self.category
    }
}

#[derive(Debug, Clone, PartialEq)]
struct PreparedInfluencer {
    category: Option<u32>,
    country: Option<u32>,
    tags: Vec<u32>,
    /// The engagement rate, 0 when unknown (the term the rule adds).
    engagement_term: f64,
    engagement_rate: Option<f64>,
}

/// Interned influencer side of the rule, built once per influencer table.
#[derive(Debug, Clone, PartialEq)]
pub struct CohesionIndex {
    weights: CohesionWeights,
    categories: Vec<String>,
    countries: Vec<String>,
    country_display: Vec<String>,
    hashtags: Vec<String>,
    influencers: Vec<PreparedInfluencer>,
    /// Hashtag postings (CSR): the influencers using tag t are
    /// `tag_influencers[tag_start[t]..tag_start[t + 1]]`, ascending.
    tag_start: Vec<u32>,
    tag_influencers: Vec<u32>,
}

fn intern(map: &mut BTreeMap<String, u32>, k: String) -> Option<u32> {
    if k.is_empty() {
        return None;
    }
    let next = map.len() as u32;
    Some(*map.entry(k).or_insert(next))
}

fn sorted_by_id(map: BTreeMap<String, u32>) -> Vec<String> {
    let mut v: Vec<(u32, String)> = map.into_iter().map(|(k, id)| (id, k)).collect();
    v.sort();
    v.into_iter().map(|(_, k)| k).collect()
}

impl CohesionIndex {
    /// Builds the index over `influencers` (their order defines influencer ids).
    pub fn new(influencers: &[Influencer], weights: CohesionWeights) -> Result<Self> {
        Self::with_tag_ids(influencers, weights, None)
    }

    /// [`CohesionIndex::new`] given the influencers' hashtags already as dictionary ids (a
    /// bundle stores them so): no hashtag string is hashed or compared but the distinct ones,
    /// which is most of what loading a 100,000-influencer bundle costs. Ids that do not
    /// describe `influencers` (another row count or length, a repeated word) are ignored and
    /// the strings are interned instead, so the index is the same either way.
    pub fn with_tag_ids(
        influencers: &[Influencer],
        weights: CohesionWeights,
        ids: Option<&TagIds>,
    ) -> Result<Self> {
        weights.validate()?;
        let mut cats = BTreeMap::new();
        let mut countries = BTreeMap::new();
        let mut country_display: BTreeMap<u32, String> = BTreeMap::new();
        // Hashtag ids are assigned in sorted order so that sorted id lists are sorted tags.
        // One hash lookup per occurrence gives each tag a first-seen id (hash maps only look
        // things up here, nothing iterates them, so ids stay deterministic); the few thousand
        // distinct tags are then sorted and the first-seen ids mapped to sorted ones by index.
        // This is most of what loading a 100,000-influencer bundle costs in the browser.
        let (first_seen, occurrences) = match ids.and_then(|d| d.occurrences(influencers)) {
            Some(found) => found,
            None => {
                let mut seen: WordHashMap<&str, u32> = WordHashMap::default();
                let mut first_seen: Vec<&str> = Vec::new();
                let occurrences: Vec<u32> = influencers
                    .iter()
                    .flat_map(|i| i.hashtags.iter().map(String::as_str))
                    .map(|t| {
                        *seen.entry(t).or_insert_with(|| {
                            first_seen.push(t);
                            first_seen.len() as u32 - 1
                        })
                    })
                    .collect();
                (first_seen, occurrences)
            }
        };
        let mut sorted: Vec<&str> = first_seen.clone();
        sorted.sort_unstable();
        let sorted_id: Vec<u32> = first_seen
            .iter()
            .map(|t| sorted.binary_search(t).unwrap_or_default() as u32)
            .collect();
        let hashtags: Vec<String> = sorted.iter().map(|t| t.to_string()).collect();
        let mut next = occurrences.iter();
        // Few distinct countries and categories: normalise each distinct spelling once.
        let mut country_of: HashMap<&str, Option<u32>> = HashMap::new();
        let mut category_of: HashMap<&str, Option<u32>> = HashMap::new();
        let mut prepared = Vec::with_capacity(influencers.len());
        for inf in influencers {
            let country = *country_of
                .entry(inf.country.as_str())
                .or_insert_with(|| intern(&mut countries, key(&inf.country)));
            if let Some(c) = country {
                country_display
                    .entry(c)
                    .or_insert_with(|| inf.country.trim().to_string());
            }
            let mut tags: Vec<u32> = (&mut next)
                .take(inf.hashtags.len())
                .map(|&k| sorted_id[k as usize])
                .collect();
            tags.sort_unstable();
            tags.dedup();
            let category = *category_of
                .entry(inf.category.as_str())
                .or_insert_with(|| intern(&mut cats, key(&inf.category)));
            prepared.push(PreparedInfluencer {
                category,
                country,
                tags,
                engagement_term: inf.engagement_rate.unwrap_or(0.0),
                engagement_rate: inf.engagement_rate,
            });
        }
        // Postings by counting sort: one pass to size each tag's list, one to fill it, in
        // influencer order.
        let mut tag_start = vec![0u32; hashtags.len() + 1];
        for p in &prepared {
            for &t in &p.tags {
                tag_start[t as usize + 1] += 1;
            }
        }
        for t in 0..hashtags.len() {
            tag_start[t + 1] += tag_start[t];
        }
        let mut fill: Vec<u32> = tag_start[..hashtags.len()].to_vec();
        let mut tag_influencers = vec![0u32; tag_start[hashtags.len()] as usize];
        for (i, p) in prepared.iter().enumerate() {
            for &t in &p.tags {
                tag_influencers[fill[t as usize] as usize] = i as u32;
                fill[t as usize] += 1;
            }
        }
        Ok(CohesionIndex {
            tag_start,
            tag_influencers,
            weights,
            categories: sorted_by_id(cats),
            countries: sorted_by_id(countries),
            country_display: country_display.into_values().collect(),
            hashtags,
            influencers: prepared,
        })
    }

    /// The weights this index rates with.
    pub fn weights(&self) -> CohesionWeights {
        self.weights
    }

    /// Number of influencers indexed.
    pub fn len(&self) -> usize {
        self.influencers.len()
    }

    /// Whether no influencer is indexed.
    pub fn is_empty(&self) -> bool {
        self.influencers.is_empty()
    }

    /// Interned ids of influencer `i`'s content: category, country and distinct hashtags
    /// (ascending), indexing [`CohesionIndex::content_names`].
    pub fn content_ids(&self, i: usize) -> (Option<u32>, Option<u32>, &[u32]) {
        let p = &self.influencers[i];
        (p.category, p.country, &p.tags)
    }

    /// The distinct category keys, country keys and hashtags, by interned id: the text the
    /// factorization model's feature names carry after `category:`, `country:` and `tag:`.
    pub fn content_names(&self) -> (&[String], &[String], &[String]) {
        (&self.categories, &self.countries, &self.hashtags)
    }

    /// Reduces a brand's category, country and hashtags to interned ids. Values no
    /// influencer has cannot match and are dropped.
    pub fn prepare(&self, category: &str, country: &str, hashtags: &[String]) -> PreparedBrand {
        let find = |v: &[String], k: String| v.iter().position(|x| *x == k).map(|p| p as u32);
        let mut tags: Vec<u32> = hashtags
            .iter()
            .filter_map(|t| self.hashtags.binary_search(t).ok().map(|i| i as u32))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        PreparedBrand {
            category: find(&self.categories, key(category)),
            country: find(&self.countries, key(country)),
            tags,
        }
    }

    /// [`CohesionIndex::prepare`] for a brand record.
    pub fn prepare_brand(&self, brand: &Brand) -> PreparedBrand {
        self.prepare(&brand.category, &brand.country, &brand.hashtags)
    }

    /// The rating of influencer `i` for the prepared brand (no breakdown; the hot path).
    pub fn score(&self, b: &PreparedBrand, i: usize) -> f64 {
        let inf = &self.influencers[i];
        let w = &self.weights;
        let mut s = w.engagement * inf.engagement_term;
        if b.category.is_some() && b.category == inf.category {
            s += w.category;
        }
        if b.country.is_some() && b.country == inf.country {
            s += w.location;
        }
        s + w.hashtag * shared_count(&b.tags, &inf.tags) as f64
    }

    /// The rule's inputs for influencer `i`: (same category, same location, shared hashtags).
    pub fn matches(&self, b: &PreparedBrand, i: usize) -> (bool, bool, u32) {
        let inf = &self.influencers[i];
        (
            b.category.is_some() && b.category == inf.category,
            b.country.is_some() && b.country == inf.country,
            shared_count(&b.tags, &inf.tags) as u32,
        )
    }

    /// Ratings of every influencer for the prepared brand, in influencer order: the
    /// reference, [`CohesionIndex::score`] per influencer.
    pub fn score_all_reference(&self, b: &PreparedBrand) -> Vec<f64> {
        (0..self.influencers.len())
            .map(|i| self.score(b, i))
            .collect()
    }

    /// Ratings of every influencer for the prepared brand, in influencer order, equal bit
    /// for bit to [`CohesionIndex::score_all_reference`]: the shared-hashtag counts come from
    /// the brand's few tags' postings (work in the postings' length, not in every
    /// influencer's tag list), then each rating is summed in [`CohesionIndex::score`]'s order.
    pub fn score_all(&self, b: &PreparedBrand) -> Vec<f64> {
        let mut shared = vec![0u32; self.influencers.len()];
        for &t in &b.tags {
            let (lo, hi) = (self.tag_start[t as usize], self.tag_start[t as usize + 1]);
            for &i in &self.tag_influencers[lo as usize..hi as usize] {
                shared[i as usize] += 1;
            }
        }
        let w = &self.weights;
        self.influencers
            .iter()
            .zip(&shared)
            .map(|(inf, &n)| {
                let mut s = w.engagement * inf.engagement_term;
                if b.category.is_some() && b.category == inf.category {
                    s += w.category;
                }
                if b.country.is_some() && b.country == inf.country {
                    s += w.location;
                }
                s + w.hashtag * n as f64
            })
            .collect()
    }

    /// The rating of influencer `i` with its breakdown.
    pub fn breakdown(&self, b: &PreparedBrand, i: usize) -> Breakdown {
        let inf = &self.influencers[i];
        let w = &self.weights;
        let cat_match = b.category.is_some() && b.category == inf.category;
        let loc_match = b.country.is_some() && b.country == inf.country;
        let shared: Vec<String> = shared_ids(&b.tags, &inf.tags)
            .map(|t| self.hashtags[t as usize].clone())
            .collect();
        let category_points = if cat_match { w.category } else { 0.0 };
        let location_points = if loc_match { w.location } else { 0.0 };
        let hashtag_points = w.hashtag * shared.len() as f64;
        let engagement_points = w.engagement * inf.engagement_term;
        Breakdown {
            category: cat_match
                .then(|| b.category.map(|c| self.categories[c as usize].clone()))
                .flatten(),
            category_points,
            location: loc_match
                .then(|| b.country.map(|c| self.country_display[c as usize].clone()))
                .flatten(),
            location_points,
            shared_hashtags: shared,
            hashtag_points,
            engagement_rate: inf.engagement_rate,
            engagement_points,
            // Same order of additions as `score`, so both give the same f64.
            total: engagement_points + category_points + location_points + hashtag_points,
        }
    }
}

fn shared_ids<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}

fn shared_count(a: &[u32], b: &[u32]) -> usize {
    shared_ids(a, b).count()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn influencer(
        name: &str,
        cat: &str,
        country: &str,
        tags: &[&str],
        er: f64,
    ) -> Influencer {
        Influencer {
            name: name.into(),
            followers: Some(10_000),
            mean_likes: Some(er * 10_000.0),
            engagement_rate: Some(er),
            country: country.into(),
            category: cat.into(),
            hashtags: tags.iter().map(|s| s.to_string()).collect(),
            ..Influencer::default()
        }
    }

    #[test]
    fn worked_example_of_the_rule() {
        // Brand: fitness, Spain, #gym #yoga #vegan.
        // Influencer a: fitness, spain, #yoga #gym #run, er 0.04
        //   = 10 (category) + 5 (location) + 2 (gym, yoga) + 0.04 = 17.04
        // Influencer b: food, Spain, #vegan, er 0.10 = 0 + 5 + 1 + 0.10 = 6.10
        // Influencer c: fitness, "", no tags, er 0 = 10
        let infs = vec![
            influencer("a", "fitness_sport", "spain", &["yoga", "gym", "run"], 0.04),
            influencer("b", "food_cooking", "Spain", &["vegan"], 0.10),
            influencer("c", "fitness_sport", "", &[], 0.0),
        ];
        let idx = CohesionIndex::new(&infs, CohesionWeights::default()).unwrap();
        let tags: Vec<String> = ["gym", "yoga", "vegan"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let b = idx.prepare("fitness_sport", "Spain", &tags);
        let scores = idx.score_all(&b);
        assert!((scores[0] - 17.04).abs() < 1e-12);
        assert!((scores[1] - 6.10).abs() < 1e-12);
        assert_eq!(scores[2], 10.0);
        let bd = idx.breakdown(&b, 0);
        assert_eq!(bd.category.as_deref(), Some("fitness_sport"));
        assert_eq!(bd.location.as_deref(), Some("spain"));
        assert_eq!(bd.shared_hashtags, vec!["gym", "yoga"]);
        assert_eq!(bd.hashtag_points, 2.0);
        assert_eq!(bd.total, scores[0]);
        let bd = idx.breakdown(&b, 2);
        assert_eq!(bd.location, None, "an empty country never matches");
    }

    #[test]
    fn weights_are_configurable_and_validated() {
        let infs = vec![influencer("a", "music", "US", &["x"], 0.5)];
        let w = CohesionWeights {
            category: 1.0,
            location: 2.0,
            hashtag: 3.0,
            engagement: 4.0,
        };
        let idx = CohesionIndex::new(&infs, w).unwrap();
        let b = idx.prepare("Music", "us", &["x".to_string(), "y".to_string()]);
        // 1 + 2 + 3·1 + 4·0.5 = 8
        assert_eq!(idx.score(&b, 0), 8.0);
        let bad = CohesionWeights {
            hashtag: f64::NAN,
            ..w
        };
        assert!(CohesionIndex::new(&infs, bad).is_err());
    }

    #[test]
    fn fast_score_all_equals_the_reference_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let seed = 20261130u64;
        println!("seed {seed}");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let vocab: Vec<String> = (0..40).map(|t| format!("t{t}")).collect();
        let cats = ["music", "food", "", "travel"];
        let countries = ["US", "ES", "", "FR"];
        for round in 0..30 {
            let n = rng.random_range(0..200);
            let infs: Vec<Influencer> = (0..n)
                .map(|i| {
                    let k = rng.random_range(0..12);
                    // Repeats on purpose: an influencer's duplicate tags count once.
                    let tags: Vec<&str> = (0..k)
                        .map(|_| vocab[rng.random_range(0..vocab.len())].as_str())
                        .collect();
                    influencer(
                        &format!("i{i}"),
                        cats[rng.random_range(0..cats.len())],
                        countries[rng.random_range(0..countries.len())],
                        &tags,
                        rng.random_range(0.0..0.2),
                    )
                })
                .collect();
            let w = CohesionWeights {
                hashtag: 0.1 + round as f64 * 0.37,
                ..CohesionWeights::default()
            };
            let idx = CohesionIndex::new(&infs, w).unwrap();
            for _ in 0..10 {
                let k = rng.random_range(0..15);
                let tags: Vec<String> = (0..k)
                    // Some tags no influencer has: dropped when the brand is prepared.
                    .map(|_| format!("t{}", rng.random_range(0..vocab.len() + 5)))
                    .collect();
                let b = idx.prepare(
                    cats[rng.random_range(0..cats.len())],
                    countries[rng.random_range(0..countries.len())],
                    &tags,
                );
                let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
                assert_eq!(bits(idx.score_all(&b)), bits(idx.score_all_reference(&b)));
            }
        }
    }
}
