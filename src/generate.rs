//! Deterministic synthetic data: scraped-style per-post exports for influencers and brands,
//! and interaction logs simulated from a hidden affinity. The generative story is documented
//! in `data/README.md`; the constants below are its parameters.
//!
//! Hidden affinity of brand b for influencer i (what the simulated users act on):
//!
//! ```text
//! a(b,i) = 0.15·cohesion(b,i) + 0.7·τ_b·z(log followers_i) + 1.2·⟨π_b, h_i⟩
//!        − 0.8·κ_b·z(log cost_i) + ε,   ε ~ N(0, 0.5²)
//! ```
//! τ_b (taste for big vs micro accounts), π_b (taste over 8 latent hashtag clusters; h_i is
//! the share of i's hashtags in each cluster) and κ_b (cost sensitivity) are never written
//! out, so only a learned model can recover them from the interactions.

use std::io::Write;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::category::Lexicon;
use crate::cohesion::{CohesionIndex, CohesionWeights};
use crate::error::{Error, Result};
use crate::model::{Brand, Influencer, Interaction, InteractionKind, PointsConfig};
use crate::random::{shuffle, std_normal};
use crate::text::key;

/// Sizes and seed of a generated dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateParams {
    /// RNG seed (default 42).
    pub seed: u64,
    /// Number of influencers (default 2,400).
    pub influencers: usize,
    /// Number of brands (default 120).
    pub brands: usize,
    /// Influencers shown to each brand in the simulated sessions (default 160).
    pub exposures_per_brand: usize,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            seed: crate::random::DEFAULT_SEED,
            influencers: 2400,
            brands: 120,
            exposures_per_brand: 160,
        }
    }
}

impl GenerateParams {
    /// Rejects sizes the generator cannot honour.
    pub fn validate(&self) -> Result<()> {
        if self.influencers == 0 || self.brands == 0 {
            return Err(Error::InvalidParam {
                name: "influencers/brands",
                message: "need at least one influencer and one brand".into(),
            });
        }
        Ok(())
    }
}

/// Columns of the scraped export, in the seed scrape's names (plus costs).
pub const RAW_COLUMNS: [&str; 16] = [
    "user_Name",
    "followers",
    "user_Description",
    "likes",
    "post_Description",
    "location",
    "post_Location",
    "hashtags",
    "post_Url",
    "engagement_rate",
    "hashtags_translated",
    "all_descriptions",
    "translated",
    "max_category",
    "cost_post",
    "cost_story",
];

/// One generated dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The true influencer profiles.
    pub influencers: Vec<Influencer>,
    /// The true brand profiles.
    pub brands: Vec<Brand>,
    /// Per-post rows of influencer accounts, [`RAW_COLUMNS`] order.
    pub influencer_posts: Vec<[String; 16]>,
    /// Per-post rows of brand accounts, [`RAW_COLUMNS`] order.
    pub brand_posts: Vec<[String; 16]>,
    /// Simulated interactions, in time order.
    pub interactions: Vec<Interaction>,
    /// Each brand's hidden taste, in brand order, behind its interactions ([`Dataset::affinity`]).
    pub hidden: Vec<HiddenTaste>,
}

/// A brand's hidden taste in the simulation: its preference for audience size (τ), its cost
/// sensitivity (κ) and its weights on the hashtag clusters (π).
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenTaste {
    /// τ.
    pub tau: f64,
    /// κ.
    pub kappa: f64,
    /// π, one weight per hashtag cluster.
    pub pi: Vec<f64>,
}

impl Dataset {
    /// The simulation's noise-free affinity of brand `b` (index into `brands`) for every
    /// influencer: a = 0.15·cohesion + 0.7·τ·z(ln followers) + 1.2·⟨π, cluster profile⟩
    /// − 0.8·κ·z(ln cost). Interactions are this plus N(0, 0.5²) noise through a funnel of
    /// thresholds, so ordering by it is the best a recommender could do (the oracle).
    pub fn affinity(&self, b: usize) -> Result<Vec<f64>> {
        let f = Features::of(&self.influencers)?;
        let (brand, h) = (&self.brands[b], &self.hidden[b]);
        let cohesion = f.index.score_all(&f.index.prepare_brand(brand));
        Ok((0..self.influencers.len())
            .map(|i| f.mean_affinity(&cohesion, i, h))
            .collect())
    }
}

/// What the affinity reads of the influencers, computed once per data set.
struct Features {
    index: CohesionIndex,
    z_size: Vec<f64>,
    z_cost: Vec<f64>,
    profiles: Vec<[f64; CLUSTERS]>,
}

impl Features {
    fn of(influencers: &[Influencer]) -> Result<Features> {
        Ok(Features {
            index: CohesionIndex::new(influencers, CohesionWeights::default())?,
            z_size: zscores(
                &influencers
                    .iter()
                    .map(|i| (i.followers.unwrap_or(1) as f64).ln())
                    .collect::<Vec<_>>(),
            ),
            // Unknown costs are what a user would guess: the follower-based rate.
            z_cost: zscores(
                &influencers
                    .iter()
                    .map(|i| {
                        i.cost_per_post
                            .unwrap_or(10.0 * (i.followers.unwrap_or(1) as f64 / 1e3).powf(0.9))
                            .ln()
                    })
                    .collect::<Vec<_>>(),
            ),
            profiles: influencers
                .iter()
                .map(|i| {
                    let mut h = [0.0; CLUSTERS];
                    for t in &i.hashtags {
                        h[tag_cluster(t)] += 1.0 / i.hashtags.len().max(1) as f64;
                    }
                    h
                })
                .collect(),
        })
    }

    fn mean_affinity(&self, cohesion: &[f64], i: usize, h: &HiddenTaste) -> f64 {
        let cluster: f64 =
            h.pi.iter()
                .zip(self.profiles[i].iter())
                .map(|(a, b)| a * b)
                .sum();
        0.15 * cohesion[i] + 0.7 * h.tau * self.z_size[i] + 1.2 * cluster
            - 0.8 * h.kappa * self.z_cost[i]
    }
}

fn pick_weighted<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Zipf weights 1/r for ranks 1..=n.
fn zipf(n: usize) -> Vec<f64> {
    (1..=n).map(|r| 1.0 / r as f64).collect()
}

/// LogNormal(mu, sigma): exp(mu + sigma·N(0,1)).
fn log_normal(rng: &mut ChaCha8Rng, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * std_normal(rng)).exp()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A deterministic cluster for a tag: FNV-1a of its bytes modulo the cluster count.
fn tag_cluster(tag: &str) -> usize {
    (crate::random::fnv1a64(tag.as_bytes()) % CLUSTERS as u64) as usize
}

struct Vocab {
    per_category: Vec<Vec<String>>,
}

fn vocab(lex: &Lexicon, rng: &mut ChaCha8Rng) -> Vocab {
    let per_category = lex
        .categories()
        .iter()
        .map(|c| {
            let mut tags: Vec<String> = Vec::new();
            for kw in &c.keywords {
                let kw: String = kw.chars().filter(|c| c.is_alphanumeric()).collect();
                for s in SUFFIXES {
                    let t = format!("{kw}{s}");
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
            }
            // A category-specific Zipf order: shuffle once, rank = position.
            shuffle(&mut tags, rng);
            tags
        })
        .collect();
    Vocab { per_category }
}

fn sample_tags(rng: &mut ChaCha8Rng, pool: &[String], n: usize, out: &mut Vec<String>) {
    let w = zipf(pool.len());
    for _ in 0..n * 3 {
        if out.len() >= n {
            break;
        }
        let t = &pool[pick_weighted(rng, &w)];
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
}

fn account_name(rng: &mut ChaCha8Rng, taken: &mut std::collections::BTreeSet<String>) -> String {
    loop {
        let script = rng.random_range(0..100);
        let n = rng.random_range(2..4);
        let mut s = String::new();
        let parts: &[&str] = match script {
            0..=3 => SCRIPTS[0],
            4..=6 => SCRIPTS[1],
            7..=8 => SCRIPTS[2],
            _ => &SYLLABLES,
        };
        for _ in 0..n {
            s.push_str(parts.choose(rng).copied().unwrap_or("x"));
        }
        match rng.random_range(0..4) {
            0 => s.push_str(&format!("_{}", rng.random_range(1..99))),
            1 => s.push_str(".official"),
            2 => s.push_str(&format!("{}", rng.random_range(1..9999))),
            _ => {}
        }
        if taken.insert(key(&s)) {
            return s;
        }
    }
}

fn fmt_count(rng: &mut ChaCha8Rng, v: u64) -> String {
    if rng.random_bool(0.5) {
        // "5,721,916": the thousands-separated form scrapes often contain.
        let s = v.to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else {
        v.to_string()
    }
}

fn hashtag_cell(rng: &mut ChaCha8Rng, tags: &[String]) -> String {
    match rng.random_range(0..10) {
        0..=5 => format!(
            "[{}]",
            tags.iter()
                .map(|t| format!("'#{t}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        6..=8 => tags.iter().map(|t| format!("#{t}")).collect(),
        _ => String::new(),
    }
}

fn post_id(rng: &mut ChaCha8Rng) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    (0..11)
        .map(|_| A[rng.random_range(0..A.len())] as char)
        .collect()
}

/// Generates the dataset for `params`.
pub fn generate(params: &GenerateParams, lex: &Lexicon) -> Result<Dataset> {
    params.validate()?;
    if lex.categories().len() != CATEGORY_WEIGHTS.len() {
        return Err(Error::InvalidParam {
            name: "lexicon",
            message: format!(
                "the generator weighs {} categories, the lexicon has {}",
                CATEGORY_WEIGHTS.len(),
                lex.categories().len()
            ),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let voc = vocab(lex, &mut rng);
    let generic: Vec<String> = GENERIC_TAGS.iter().map(|s| s.to_string()).collect();
    let country_w: Vec<f64> = COUNTRIES.iter().map(|c| c.2).collect();
    let mut taken = std::collections::BTreeSet::new();

    // Influencers and their posts.
    let mut influencers = Vec::with_capacity(params.influencers);
    let mut influencer_posts = Vec::new();
    for _ in 0..params.influencers {
        let name = account_name(&mut rng, &mut taken);
        let followers = log_normal(&mut rng, (30_000f64).ln(), 1.5)
            .clamp(1_000.0, 50_000_000.0)
            .round() as u64;
        // Engagement falls with audience size: 8 % at 1k followers, ~2.5 % at 100k.
        let er =
            (0.08 * (followers as f64 / 1_000.0).powf(-0.25) * log_normal(&mut rng, 0.0, 0.35))
                .clamp(0.002, 0.4);
        let mean_likes = er * followers as f64;
        let cat = pick_weighted(&mut rng, &CATEGORY_WEIGHTS);
        let category = &lex.categories()[cat];
        let (country, code, _, forms) = COUNTRIES[pick_weighted(&mut rng, &country_w)];
        // Half write the country's name, half a city, region or short form of it; drawn from
        // a stream of its own (seed and name), so every other draw is what it always was.
        let mut place_rng =
            ChaCha8Rng::seed_from_u64(params.seed ^ crate::random::fnv1a64(name.as_bytes()));
        let home = if place_rng.random_bool(0.5) {
            country
        } else {
            forms.choose(&mut place_rng).copied().unwrap_or(country)
        };
        let n_tags = rng.random_range(3..=12);
        let mut tags = Vec::new();
        sample_tags(&mut rng, &voc.per_category[cat], n_tags * 4 / 5, &mut tags);
        if rng.random_bool(0.15) {
            // A secondary interest.
            let other = pick_weighted(&mut rng, &CATEGORY_WEIGHTS);
            sample_tags(
                &mut rng,
                &voc.per_category[other],
                tags.len() + 2,
                &mut tags,
            );
        }
        sample_tags(&mut rng, &generic, tags.len() + 1 + n_tags / 5, &mut tags);
        let cost = 10.0 * (followers as f64 / 1_000.0).powf(0.9) * log_normal(&mut rng, 0.0, 0.3);
        let known_cost = rng.random_bool(0.6);
        let kws: Vec<&String> = category.keywords.choose_multiple(&mut rng, 2).collect();
        let bio = format!(
            "{} {} creator from {} | {} & {} {}",
            EMOJI.choose(&mut rng).copied().unwrap_or(""),
            category.label,
            country,
            kws.first().map(|s| s.as_str()).unwrap_or(""),
            kws.get(1).map(|s| s.as_str()).unwrap_or(""),
            if rng.random_bool(0.3) {
                "📩 collabs via DM"
            } else {
                ""
            }
        )
        .trim()
        .to_string();
        let inf = Influencer {
            name: name.clone(),
            followers: Some(followers),
            description: bio.clone(),
            mean_likes: Some(mean_likes),
            engagement_rate: Some(er),
            country: code.to_string(),
            location: home.to_string(),
            category: category.slug.clone(),
            hashtags: tags.clone(),
            post_urls: Vec::new(),
            cost_per_post: known_cost.then_some((cost * 100.0).round() / 100.0),
            cost_per_story: known_cost.then_some((cost * 45.0).round() / 100.0),
            ..Influencer::default() // a creator; recency unknown (posts carry no times)
        };
        let n_posts = rng.random_range(2..=5);
        for _ in 0..n_posts {
            let n_post_tags = rng.random_range(1..=tags.len().min(6));
            let post_tags: Vec<String> = tags
                .choose_multiple(&mut rng, n_post_tags)
                .cloned()
                .collect();
            let likes = (mean_likes * log_normal(&mut rng, 0.0, 0.4)).round() as u64;
            let kw = category
                .keywords
                .choose(&mut rng)
                .map(String::as_str)
                .unwrap_or("");
            let caption = format!(
                "{} {} {}",
                match rng.random_range(0..4) {
                    0 => format!("New {kw} drop today!"),
                    1 => format!("Can't stop thinking about {kw} 😍"),
                    2 => format!("Behind the scenes: {kw} edition"),
                    _ => format!("Q&A about {kw}, ask me anything"),
                },
                EMOJI.choose(&mut rng).copied().unwrap_or(""),
                post_tags
                    .iter()
                    .take(3)
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let url = format!("https://www.instagram.com/p/{}/", post_id(&mut rng));
            influencer_posts.push([
                name.clone(),
                fmt_count(&mut rng, followers),
                bio.clone(),
                if rng.random_bool(0.9) {
                    likes.to_string()
                } else {
                    String::new()
                },
                caption.clone(),
                if rng.random_bool(0.9) {
                    home.to_string()
                } else {
                    String::new()
                },
                if rng.random_bool(0.3) {
                    country.to_string()
                } else {
                    String::new()
                },
                hashtag_cell(&mut rng, &post_tags),
                url,
                String::new(),
                String::new(),
                format!("{bio} {caption}"),
                String::new(),
                if rng.random_bool(0.7) {
                    category.label.clone()
                } else {
                    String::new()
                },
                inf.cost_per_post.map(|c| c.to_string()).unwrap_or_default(),
                inf.cost_per_story
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ]);
        }
        influencers.push(inf);
    }

    // Brands.
    let mut brands = Vec::with_capacity(params.brands);
    let mut brand_posts = Vec::new();
    for _ in 0..params.brands {
        let mut name;
        loop {
            name = format!(
                "{} {}",
                BRAND_WORDS.choose(&mut rng).copied().unwrap_or("Acme"),
                BRAND_NOUNS.choose(&mut rng).copied().unwrap_or("Co")
            );
            if rng.random_bool(0.3) {
                name = format!(
                    "{} {}",
                    BRAND_WORDS.choose(&mut rng).copied().unwrap_or("New"),
                    name
                );
            }
            if taken.insert(key(&name)) {
                break;
            }
        }
        let cat = pick_weighted(&mut rng, &CATEGORY_WEIGHTS);
        let category = &lex.categories()[cat];
        let (country, code, _, _) = COUNTRIES[pick_weighted(&mut rng, &country_w)];
        let mut tags = Vec::new();
        let n_tags = rng.random_range(3..=7);
        sample_tags(&mut rng, &voc.per_category[cat], n_tags, &mut tags);
        let followers = log_normal(&mut rng, (50_000f64).ln(), 1.5)
            .clamp(500.0, 20_000_000.0)
            .round() as u64;
        let kw = category
            .keywords
            .choose(&mut rng)
            .map(String::as_str)
            .unwrap_or("");
        let description = format!(
            "{name}: {} brand from {country}. We love {kw}.",
            category.label
        );
        for p in 0..rng.random_range(1..=3) {
            brand_posts.push([
                name.clone(),
                fmt_count(&mut rng, followers),
                description.clone(),
                String::new(),
                format!(
                    "Our {kw} collection, part {} {}",
                    p + 1,
                    tags.iter()
                        .take(2)
                        .map(|t| format!("#{t}"))
                        .collect::<String>()
                ),
                country.to_string(),
                String::new(),
                hashtag_cell(&mut rng, &tags),
                format!("https://www.instagram.com/p/{}/", post_id(&mut rng)),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                category.label.clone(),
                String::new(),
                String::new(),
            ]);
        }
        brands.push(Brand {
            name,
            category: category.slug.clone(),
            country: code.to_string(),
            hashtags: tags,
            followers,
            description,
            // Named with spaces ("Glow Lab"): no handle, as `ingest` of their posts gives none.
            handle: String::new(),
        });
    }

    let (interactions, hidden) = simulate(&mut rng, params, &influencers, &brands)?;
    Ok(Dataset {
        influencers,
        brands,
        influencer_posts,
        brand_posts,
        interactions,
        hidden,
    })
}

fn zscores(v: &[f64]) -> Vec<f64> {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-9);
    v.iter().map(|x| (x - m) / sd).collect()
}

fn simulate(
    rng: &mut ChaCha8Rng,
    params: &GenerateParams,
    influencers: &[Influencer],
    brands: &[Brand],
) -> Result<(Vec<Interaction>, Vec<HiddenTaste>)> {
    let f = Features::of(influencers)?;
    let index = &f.index;
    let points = PointsConfig::default();
    let mut t: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let mut out = Vec::new();
    let mut hidden = Vec::with_capacity(brands.len());
    let n = influencers.len();
    for brand in brands {
        let tau = std_normal(rng);
        let kappa = rng.random::<f64>();
        let pi: Vec<f64> = (0..CLUSTERS).map(|_| std_normal(rng)).collect();
        let taste = HiddenTaste { tau, kappa, pi };
        let prepared = index.prepare_brand(brand);
        let cohesion = index.score_all(&prepared);
        // Exposure: what a cohesion-ranked list would show (sampled from its top 300),
        // plus uniform exploration.
        let top = crate::topk::top_k(&cohesion, 300.min(n));
        let mut shown: Vec<usize> = Vec::new();
        let from_top = params.exposures_per_brand * 5 / 8;
        while shown.len() < from_top.min(top.len()) {
            let i = top[rng.random_range(0..top.len())];
            if !shown.contains(&i) {
                shown.push(i);
            }
        }
        let mut guard = 0;
        while shown.len() < params.exposures_per_brand.min(n) && guard < 100 * n {
            guard += 1;
            let i = rng.random_range(0..n);
            if !shown.contains(&i) {
                shown.push(i);
            }
        }
        for i in shown {
            let a = f.mean_affinity(&cohesion, i, &taste) + 0.5 * std_normal(rng);
            let funnel = [
                (InteractionKind::Click, 1.0),
                (InteractionKind::CheckInfo, 1.5),
                (InteractionKind::AddToCampaign, 2.5),
                (InteractionKind::Collaboration, 3.0),
            ];
            for (kind, threshold) in funnel {
                if !rng.random_bool(sigmoid(a - threshold)) {
                    break;
                }
                t += rng.random_range(1_000..600_000);
                out.push(Interaction {
                    event_id: format!("sim-{}-{:07}", params.seed, out.len()),
                    brand: brand.name.clone(),
                    influencer: influencers[i].name.clone(),
                    kind,
                    timestamp_ms: t,
                    points: points.points(kind),
                });
            }
        }
        hidden.push(taste);
    }
    Ok((out, hidden))
}

/// Writes per-post rows as CSV with the [`RAW_COLUMNS`] header.
pub fn write_posts<W: Write>(out: W, dest: &str, rows: &[[String; 16]]) -> Result<()> {
    let err = |e: csv::Error| Error::io(dest, e.into());
    let mut w = csv::Writer::from_writer(out);
    w.write_record(RAW_COLUMNS).map_err(err)?;
    for r in rows {
        crate::tables::write_record(&mut w, r).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(dest, e))
}

mod world;
use self::world::*;

#[cfg(test)]
mod tests;
