//! The catalog: the one in-memory dataset every model trains on and every ranking reads.
//!
//! It is built once, from the canonical tables ([`Catalog::build`]) or from the tables a
//! bundle carries ([`Catalog::from_tables`]), and is the only place where records are
//! reshaped: names to ids, interactions to summed points per (brand, influencer) pair, pair
//! points to per-brand lists and to positives, records to content-feature matrices, and the
//! influencers to a cohesion index. Consumers borrow; nothing here knows files, bytes or JS.
//!
//! Ids: influencers and brands are sorted by name key ([`key`]); a record's position is its
//! id. Pair points are sorted by (brand, influencer) and zero sums are left out.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::cohesion::{CohesionIndex, CohesionWeights, TagIds};
use crate::dates::{in_range, parse_iso_date};
use crate::error::{Error, Result};
use crate::mf::features::{
    brand_features, bucket_features, buckets, feature_matrix, handle_feature, Buckets,
    HandleFeatures,
};
use crate::mf::stored::ItemContent;
use crate::mf::{CsrMatrix, Vocabulary};
use crate::model::{Brand, Influencer, Interaction, Mention, PointsConfig};
use crate::random::{WordHashMap, DEFAULT_SEED};
use crate::text::{key, normalize_handle, truncate_chars};

/// Post links a card lists (the newest the scrape gave first are kept; they travel in the
/// detail shards, not the bundle's core).
pub const CATALOG_POST_URLS: usize = 12;

/// Keeps the post links a card may list: absolute http(s) URLs of a sane length, each once,
/// at most [`CATALOG_POST_URLS`] (the page checks them again before it makes a link).
fn keep_post_urls(urls: &mut Vec<String>) {
    let mut kept: Vec<String> = Vec::new();
    for u in urls.drain(..) {
        let u = u.trim();
        let lower = u.to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if web
            && u.len() <= 500
            && !u.chars().any(|c| c.is_whitespace() || c.is_control())
            && !kept.iter().any(|k| k == u)
        {
            kept.push(u.to_string());
        }
        if kept.len() == CATALOG_POST_URLS {
            break;
        }
    }
    *urls = kept;
}

/// Bios longer than this are cut in the catalog (the page shows a summary; the full text
/// stays in the data files).
pub const CATALOG_DESCRIPTION_CHARS: usize = 280;

/// Interaction points summed per (brand, influencer) pair; the ids index the catalog's
/// brands and influencers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairPoints {
    /// Brand id.
    pub brand: u32,
    /// Influencer id.
    pub influencer: u32,
    /// Sum of the points of the pair's interactions.
    pub points: f64,
}

/// Collaboration evidence by id: the posts of influencer `influencer` that name `handle`
/// (`mentions.csv` in the catalog's ids; see [`crate::model::Mention`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionRow {
    /// Influencer id.
    pub influencer: u32,
    /// The handle named (normalised).
    pub handle: String,
    /// Posts that name it (at least 1).
    pub posts: u32,
    /// Of those, paid posts that credit it (at most `posts`).
    pub sponsored_posts: u32,
    /// Days since 1970-01-01 of the first and last such post, when posts carry times.
    pub first_seen: Option<i32>,
    /// See `first_seen`.
    pub last_seen: Option<i32>,
}

/// How the catalog was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogMeta {
    /// Seed of the learned models trained on it.
    pub seed: u64,
    /// Number of interaction rows it was built from.
    pub interactions: u64,
    /// The platform most accounts' post links are on (`instagram.com`, ...; one of
    /// [`platform::PLATFORMS`], or empty when unknown): where a name's profile link points.
    #[serde(default)]
    pub platform: String,
}

/// The catalog's plain data: what a bundle stores. [`Catalog::from_tables`] validates it
/// once, after which the catalog cannot be inconsistent.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogTables {
    /// Provenance.
    pub meta: CatalogMeta,
    /// Cohesion rule weights.
    pub weights: CohesionWeights,
    /// Points per interaction kind.
    pub points: PointsConfig,
    /// Influencers, sorted by name key; their position is their id.
    pub influencers: Vec<Influencer>,
    /// Known brands, sorted by name key; their position is their id.
    pub brands: Vec<Brand>,
    /// Summed interaction points, sorted by (brand, influencer), zero pairs omitted.
    pub pair_points: Vec<PairPoints>,
    /// Collaboration evidence, sorted by (influencer, handle), one row per pair.
    pub mentions: Vec<MentionRow>,
}

/// Settings of a catalog build.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildParams {
    /// Cohesion rule weights.
    pub weights: CohesionWeights,
    /// Points per interaction kind; an interaction's points are recomputed from its kind
    /// (the file's `points` column is what the recording client believed).
    pub points: PointsConfig,
    /// Seed recorded for the learned models.
    pub seed: u64,
}

impl Default for BuildParams {
    fn default() -> Self {
        BuildParams {
            weights: CohesionWeights::default(),
            points: PointsConfig::default(),
            seed: DEFAULT_SEED,
        }
    }
}

/// What a build skipped.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Interactions naming a brand or influencer that is not in the tables, and duplicate
    /// names (the first record of a name wins).
    pub skipped: Vec<Error>,
}

/// Content-feature matrices of the catalog's brands and influencers (LightFM's
/// `user_features` / `item_features`, rows L1-normalised).
#[derive(Debug, Clone)]
pub struct Features {
    /// Brand feature vocabulary (brand identities included).
    pub user_vocab: Vocabulary,
    /// Brand x feature, identity included.
    pub users: CsrMatrix,
    /// Influencer feature vocabulary.
    pub item_vocab: Vocabulary,
    /// Influencer x feature.
    pub items: CsrMatrix,
    /// Brand rows without identity (cold start), same vocabulary.
    pub users_cold: CsrMatrix,
}

/// The validated in-memory dataset (see the module docs).
#[derive(Debug, Clone)]
pub struct Catalog {
    tables: CatalogTables,
    brand_ids: BTreeMap<String, u32>,
    influencer_ids: BTreeMap<String, u32>,
    /// Per brand, its (influencer, points) pairs sorted by influencer.
    points_by_brand: Vec<Vec<(u32, f64)>>,
    index: CohesionIndex,
    features: OnceLock<Features>,
    /// The same without influencer identity features (items described by content alone).
    features_content: OnceLock<Features>,
}

impl PartialEq for Catalog {
    /// Two catalogs are equal when their tables are (everything else derives from them).
    fn eq(&self, other: &Self) -> bool {
        self.tables == other.tables
    }
}

/// [`Buckets`] as one integer (each part offset into 0..2^16; an unknown part is 2^16 - 1),
/// so distinct triples sort and hash as plain numbers.
fn pack((f, e, c): Buckets) -> u64 {
    let part = |x: Option<i32>| x.map_or(0xffff, |x| (i64::from(x) + 0x8000) as u64 & 0xffff);
    (part(f) << 32) | (part(e) << 16) | part(c)
}

fn unpack(k: u64) -> Buckets {
    let part = |x: u64| {
        let x = x & 0xffff;
        (x != 0xffff).then(|| x as i32 - 0x8000)
    };
    (part(k >> 32), part(k >> 16), part(k))
}

/// Weighted evidence about one (brand, influencer) pair that is not one interaction: the
/// collector's rows after the retrain has weighed who vouches for them
/// (`collector::evidence`). Its points add to the pair's sum as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct PairEvidence {
    /// Brand name.
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// Points (finite, at least 0).
    pub points: f64,
}

impl Catalog {
    /// Sorts, deduplicates by name key and links interactions into a catalog.
    pub fn build(
        influencers: Vec<Influencer>,
        brands: Vec<Brand>,
        interactions: &[Interaction],
        params: &BuildParams,
    ) -> Result<(Catalog, BuildReport)> {
        Catalog::build_with(influencers, brands, interactions, &[], params)
    }

    /// [`Catalog::build`], with weighed evidence added to the pairs' sums.
    pub fn build_with(
        mut influencers: Vec<Influencer>,
        mut brands: Vec<Brand>,
        interactions: &[Interaction],
        evidence: &[PairEvidence],
        params: &BuildParams,
    ) -> Result<(Catalog, BuildReport)> {
        params.weights.validate()?;
        params.points.validate()?;
        let mut report = BuildReport::default();
        // Listed by sort key; a name whose key was seen is a duplicate (the first record in
        // the stable order is kept). Look-alikes share a key but not a sort key, so they need
        // not be neighbours.
        influencers.sort_by_cached_key(|i| crate::text::sort_key(&i.name));
        brands.sort_by_cached_key(|b| crate::text::sort_key(&b.name));
        let mut seen = std::collections::HashSet::new();
        let before = influencers.len();
        influencers.retain(|i| seen.insert(key(&i.name)));
        if influencers.len() != before {
            report.skipped.push(Error::InvalidParam {
                name: "influencers",
                message: format!(
                    "{} duplicate influencer names dropped",
                    before - influencers.len()
                ),
            });
        }
        let before = brands.len();
        let mut seen = std::collections::HashSet::new();
        brands.retain(|b| seen.insert(key(&b.name)));
        if brands.len() != before {
            report.skipped.push(Error::InvalidParam {
                name: "brands",
                message: format!("{} duplicate brand names dropped", before - brands.len()),
            });
        }
        // Countries as ISO codes where the text names one exactly ("United States", "us",
        // "España"), so the rule compares countries, not spellings.
        let places = crate::places::Places::builtin();
        let code = |c: &mut String| {
            if let Some(cc) = places.country_code(c) {
                *c = cc;
            }
        };
        // Categories as lexicon slugs ("Food & Cooking", "Fashion & Style" from a table
        // written by hand); a brand without one gets the one its description and hashtags
        // give, as a new brand does.
        let lexicon = crate::category::Lexicon::builtin();
        let slug = |c: &mut String| {
            if let Some(s) = lexicon.resolve(c) {
                *c = s;
            }
        };
        for i in &mut influencers {
            code(&mut i.country);
            slug(&mut i.category);
        }
        for b in &mut brands {
            code(&mut b.country);
            slug(&mut b.category);
            if b.category.trim().is_empty() {
                let tags: Vec<String> = b.hashtags.iter().map(|t| format!("#{t}")).collect();
                let text = format!("{} {}", b.description, tags.join(" "));
                b.category = lexicon.infer(&text).map(|i| i.slug).unwrap_or_default();
            }
        }
        for i in &mut influencers {
            keep_post_urls(&mut i.post_urls);
            i.description = truncate_chars(&i.description, CATALOG_DESCRIPTION_CHARS);
        }
        for b in &mut brands {
            b.description = truncate_chars(&b.description, CATALOG_DESCRIPTION_CHARS);
        }
        let inf_ids = ids(influencers.iter().map(|x| x.name.as_str()));
        let brand_ids = ids(brands.iter().map(|x| x.name.as_str()));
        let mut sums: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        let mut used = 0u64;
        for x in interactions {
            let (Some(&b), Some(&i)) = (
                brand_ids.get(&key(&x.brand)),
                inf_ids.get(&key(&x.influencer)),
            ) else {
                report.skipped.push(Error::Unknown {
                    what: "brand or influencer in interaction",
                    name: format!("{} ({} -> {})", x.event_id, x.brand, x.influencer),
                });
                continue;
            };
            used += 1;
            *sums.entry((b, i)).or_insert(0.0) += params.points.points(x.kind);
        }
        for e in evidence {
            let (Some(&b), Some(&i)) = (
                brand_ids.get(&key(&e.brand)),
                inf_ids.get(&key(&e.influencer)),
            ) else {
                report.skipped.push(Error::Unknown {
                    what: "brand or influencer in collected evidence",
                    name: format!("{} -> {}", e.brand, e.influencer),
                });
                continue;
            };
            if e.points.is_finite() && e.points > 0.0 {
                used += 1;
                *sums.entry((b, i)).or_insert(0.0) += e.points;
            }
        }
        let pair_points = sums
            .into_iter()
            .filter(|&(_, p)| p != 0.0)
            .map(|((brand, influencer), points)| PairPoints {
                brand,
                influencer,
                points,
            })
            .collect();
        let tables = CatalogTables {
            meta: CatalogMeta {
                seed: params.seed,
                interactions: used,
                platform: platform::of_catalog(&influencers),
            },
            weights: params.weights,
            points: params.points,
            influencers,
            brands,
            pair_points,
            mentions: Vec::new(),
        };
        Ok((Catalog::from_tables(tables, "tables")?, report))
    }

    /// The catalog with `mentions` (rows of `mentions.csv`) as its collaboration evidence,
    /// in place of any it had. A row naming an influencer not in the tables, or repeating a
    /// pair, is skipped into the report; rows the reader accepted are otherwise valid.
    pub fn with_mentions(self, mentions: &[Mention]) -> Result<(Catalog, Vec<Error>)> {
        let mut skipped = Vec::new();
        let mut by: BTreeMap<(u32, &str), &Mention> = BTreeMap::new();
        for m in mentions {
            let Some(&i) = self.influencer_ids.get(&key(&m.influencer)) else {
                skipped.push(Error::Unknown {
                    what: "influencer in mentions",
                    name: format!("{} -> @{}", m.influencer, m.handle),
                });
                continue;
            };
            if by.insert((i, m.handle.as_str()), m).is_some() {
                skipped.push(Error::InvalidParam {
                    name: "mentions",
                    message: format!(
                        "{} -> @{} is listed twice (the last row is kept)",
                        m.influencer, m.handle
                    ),
                });
            }
        }
        let day = |d: &str| parse_iso_date(d).and_then(|d| i32::try_from(d).ok());
        let rows = by
            .into_iter()
            .map(|((influencer, handle), m)| MentionRow {
                influencer,
                handle: handle.to_string(),
                posts: m.posts,
                sponsored_posts: m.sponsored_posts,
                first_seen: day(&m.first_seen),
                last_seen: day(&m.last_seen),
            })
            .collect();
        let mut tables = self.tables;
        tables.mentions = rows;
        Ok((Catalog::from_tables(tables, "tables")?, skipped))
    }

    /// Validates `tables` (from a bundle named `source`, or any other producer) into a
    /// catalog: weights and points valid, pairs inside the tables.
    pub fn from_tables(tables: CatalogTables, source: &str) -> Result<Catalog> {
        Self::from_tables_with_tag_ids(tables, source, &TagIds::default())
    }

    /// [`Catalog::from_tables`] with the influencers' hashtags also as dictionary ids (see
    /// [`CohesionIndex::with_tag_ids`]; ids that do not describe the table are ignored).
    pub fn from_tables_with_tag_ids(
        tables: CatalogTables,
        source: &str,
        tag_ids: &TagIds,
    ) -> Result<Catalog> {
        tables.points.validate()?;
        validate_evidence(&tables).map_err(|message| Error::Corrupted {
            source_name: source.to_string(),
            message,
        })?;
        let index =
            CohesionIndex::with_tag_ids(&tables.influencers, tables.weights, Some(tag_ids))?;
        let (nb, ni) = (tables.brands.len(), tables.influencers.len());
        let mut points_by_brand = vec![Vec::new(); nb];
        for p in &tables.pair_points {
            if p.brand as usize >= nb || p.influencer as usize >= ni {
                return Err(Error::Corrupted {
                    source_name: source.to_string(),
                    message: format!(
                        "pair ({}, {}) is out of range ({nb} brands, {ni} influencers)",
                        p.brand, p.influencer
                    ),
                });
            }
            points_by_brand[p.brand as usize].push((p.influencer, p.points));
        }
        for v in &mut points_by_brand {
            v.sort_by_key(|p| p.0);
        }
        Ok(Catalog {
            brand_ids: ids(tables.brands.iter().map(|x| x.name.as_str())),
            influencer_ids: ids(tables.influencers.iter().map(|x| x.name.as_str())),
            points_by_brand,
            index,
            features: OnceLock::new(),
            features_content: OnceLock::new(),
            tables,
        })
    }

    /// The plain tables (what a bundle stores).
    pub fn tables(&self) -> &CatalogTables {
        &self.tables
    }

    /// Provenance.
    pub fn meta(&self) -> &CatalogMeta {
        &self.tables.meta
    }

    /// Cohesion rule weights.
    pub fn weights(&self) -> CohesionWeights {
        self.tables.weights
    }

    /// Points per interaction kind.
    pub fn points(&self) -> PointsConfig {
        self.tables.points
    }

    /// Fills the detail fields (bio, post links, scraped place) of influencers
    /// `first..first + rows.len()`; returns how many. Neither the cohesion index nor the
    /// features read these fields, so nothing derived changes. Rows past the table are
    /// [`Error::Inconsistent`] and nothing is set.
    pub fn set_details(
        &mut self,
        first: u32,
        rows: Vec<crate::model::InfluencerDetails>,
    ) -> Result<usize> {
        let n = self.tables.influencers.len();
        let end = (first as usize).checked_add(rows.len()).filter(|&e| e <= n);
        let Some(end) = end else {
            return Err(Error::Inconsistent {
                what: "detail shard",
                message: format!(
                    "rows {first}..{} but the catalog has {n} influencers",
                    first as u64 + rows.len() as u64
                ),
            });
        };
        let count = rows.len();
        for (inf, d) in self.tables.influencers[first as usize..end]
            .iter_mut()
            .zip(rows)
        {
            inf.set_details(d);
        }
        Ok(count)
    }

    /// All influencers, by id.
    pub fn influencers(&self) -> &[Influencer] {
        &self.tables.influencers
    }

    /// All known brands, by id.
    pub fn brands(&self) -> &[Brand] {
        &self.tables.brands
    }

    /// Summed points of every pair with interactions, sorted by (brand, influencer).
    pub fn pair_points(&self) -> &[PairPoints] {
        &self.tables.pair_points
    }

    /// The id of a known brand (name compared by [`key`]).
    pub fn brand_id(&self, name: &str) -> Option<u32> {
        self.brand_ids.get(&key(name)).copied()
    }

    /// The id of an influencer (name compared by [`key`]).
    pub fn influencer_id(&self, name: &str) -> Option<u32> {
        self.influencer_ids.get(&key(name)).copied()
    }

    /// Summed interaction points of known brand `b` with influencer `i`.
    pub fn points_of(&self, b: u32, i: u32) -> f64 {
        let v = &self.points_by_brand[b as usize];
        v.binary_search_by_key(&i, |p| p.0).map_or(0.0, |k| v[k].1)
    }

    /// Known brand `b`'s (influencer, points) pairs, sorted by influencer.
    pub fn brand_points(&self, b: u32) -> &[(u32, f64)] {
        &self.points_by_brand[b as usize]
    }

    /// Positives: `(brand, influencer, points)` of the pairs whose summed points reach
    /// `min_points`, sorted by pair.
    pub fn positives(&self, min_points: f64) -> Vec<(u32, u32, f64)> {
        self.tables
            .pair_points
            .iter()
            .filter(|p| p.points >= min_points)
            .map(|p| (p.brand, p.influencer, p.points))
            .collect()
    }

    /// The cohesion index over the influencers, with the catalog's weights.
    pub fn index(&self) -> &CohesionIndex {
        &self.index
    }

    /// The content-feature matrices, built on first use and kept.
    pub fn features(&self) -> Result<&Features> {
        self.features_of(true)
    }

    /// The feature matrices with (`item_identity`) or without the influencers' identity
    /// features, built on first use and kept.
    pub fn features_of(&self, item_identity: bool) -> Result<&Features> {
        let cell = if item_identity {
            &self.features
        } else {
            &self.features_content
        };
        if let Some(f) = cell.get() {
            return Ok(f);
        }
        let f = self.build_features(item_identity)?;
        Ok(cell.get_or_init(|| f))
    }

    /// The catalog's [`ItemContent`]: every content-feature name its influencers have
    /// (what [`influencer_features`](crate::mf::features::influencer_features) gives without identity), sorted, and each influencer's
    /// row over them. A content-only factorization model stores its item embeddings in this
    /// order and gets the names back from here.
    pub fn item_content(&self) -> ItemContent {
        let (categories, countries, tags) = self.index.content_names();
        let mut names: Vec<String> =
            Vec::with_capacity(categories.len() + countries.len() + tags.len());
        names.extend(categories.iter().map(|c| format!("category:{c}")));
        names.extend(countries.iter().map(|c| format!("country:{c}")));
        names.extend(tags.iter().map(|t| format!("tag:{t}")));
        let handles = self.handle_features();
        names.extend(handles.handles.iter().map(|h| handle_feature(h)));
        // Distinct bucket triples as packed integers (one sort of u64s, not a set).
        let packed = self.packed_buckets();
        let mut distinct = packed.clone();
        distinct.sort_unstable();
        distinct.dedup();
        names.extend(
            distinct
                .into_iter()
                .flat_map(|k| bucket_features(unpack(k))),
        );
        // Sorted as &str (byte order, as String's), then each name once.
        let mut sorted: Vec<&str> = names.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut vocab = Vocabulary::default();
        for n in sorted {
            vocab.intern(n);
        }
        let rows = self.item_rows(&vocab, &packed, &handles);
        ItemContent { names: vocab, rows }
    }

    /// Every influencer's [`Buckets`], packed.
    fn packed_buckets(&self) -> Vec<u64> {
        self.influencers()
            .iter()
            .map(|i| pack(buckets(i.followers, i.engagement_rate, i.cost_per_post)))
            .collect()
    }

    /// Every influencer's content-feature row over `vocab` (the stored item vocabulary of a
    /// content-only factorization model), L1-normalised: the names
    /// [`influencer_features`](crate::mf::features::influencer_features) gives without identity, found through the cohesion index's
    /// interned ids and a lookup per distinct value (never a string per influencer, so a
    /// 100,000-influencer catalog's rows are built in milliseconds in the browser). A name
    /// `vocab` lacks is left out of the row, as LightFM leaves out an unknown feature.
    pub fn item_feature_rows(&self, vocab: &Vocabulary) -> CsrMatrix {
        self.item_rows(vocab, &self.packed_buckets(), &self.handle_features())
    }

    /// [`Catalog::item_feature_rows`] with every influencer's packed buckets and handle
    /// features given (computed once when [`Catalog::item_content`] needs them twice).
    fn item_rows(&self, vocab: &Vocabulary, packed: &[u64], handles: &HandleFeatures) -> CsrMatrix {
        let (categories, countries, tags) = self.index.content_names();
        let lookup = |prefix: &str, names: &[String]| -> Vec<Option<u32>> {
            names
                .iter()
                .map(|n| vocab.get(&format!("{prefix}{n}")))
                .collect()
        };
        let (category_id, country_id, tag_id) = (
            lookup("category:", categories),
            lookup("country:", countries),
            lookup("tag:", tags),
        );
        let handle_id: Vec<Option<u32>> = (handles.handles.iter())
            .map(|h| vocab.get(&handle_feature(h)))
            .collect();
        // Feature ids by bucket triple: a few hundred distinct triples however many rows.
        let mut bucket_ids: WordHashMap<u64, [Option<u32>; 3]> = WordHashMap::default();
        let n = self.influencers().len();
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut row: Vec<u32> = Vec::new();
        indptr.push(0u32);
        for (i, &k) in packed.iter().enumerate() {
            row.clear();
            let (category, country, hashtags) = self.index.content_ids(i);
            row.extend(category.and_then(|c| category_id[c as usize]));
            row.extend(country.and_then(|c| country_id[c as usize]));
            row.extend(hashtags.iter().filter_map(|&t| tag_id[t as usize]));
            row.extend(handles.of(i).iter().filter_map(|&h| handle_id[h as usize]));
            let b = bucket_ids
                .entry(k)
                .or_insert_with(|| bucket_features(unpack(k)).map(|name| vocab.get(&name)));
            row.extend(b.iter().flatten());
            row.sort_unstable();
            row.dedup();
            // w = 1/|F_i| as LightFM's normalisation (sum in f64, then f32).
            let w = (1.0 / row.len() as f64) as f32;
            indices.extend_from_slice(&row);
            data.extend(std::iter::repeat_n(w, row.len()));
            indptr.push(indices.len() as u32);
        }
        CsrMatrix {
            rows: n as u32,
            cols: vocab.len() as u32,
            indptr,
            indices,
            data,
        }
    }

    fn build_features(&self, item_identity: bool) -> Result<Features> {
        let (rows, _) = self.feature_rows();
        let irows = self.influencer_feature_rows(item_identity);
        let mut user_vocab = Vocabulary::default();
        let mut users = feature_matrix(&mut user_vocab, &rows, true)?;
        // Cold rows intern into the same vocabulary (after the identities, so no column moves).
        let cold_rows: Vec<Vec<String>> = self
            .brands()
            .iter()
            .map(|x| brand_features(x, false))
            .collect();
        let users_cold = feature_matrix(&mut user_vocab, &cold_rows, true)?;
        users.cols = user_vocab.len() as u32;
        let mut item_vocab = Vocabulary::default();
        let items = feature_matrix(&mut item_vocab, &irows, true)?;
        Ok(Features {
            user_vocab,
            users,
            item_vocab,
            items,
            users_cold,
        })
    }

    /// Feature rows of every brand (`identity`: with its `brand:` feature) and of every
    /// influencer, as names: the factorization exchange format's input.
    pub fn feature_rows(&self) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        (
            self.brands()
                .iter()
                .map(|x| brand_features(x, true))
                .collect(),
            self.influencer_feature_rows(true),
        )
    }

    /// Gives the tables back.
    pub fn into_tables(self) -> CatalogTables {
        self.tables
    }
}

/// Brand handles are handles and each names one brand; mention rows are sorted by
/// (influencer, handle), one per pair, inside the tables, with counts and days that fit.
fn validate_evidence(t: &CatalogTables) -> std::result::Result<(), String> {
    let p = t.meta.platform.as_str();
    if !p.is_empty() && !platform::PLATFORMS.contains(&p) {
        return Err(format!("platform {p:?} is none this build knows"));
    }
    let mut handles = std::collections::HashMap::new();
    for b in &t.brands {
        if b.handle.is_empty() {
            continue;
        }
        if normalize_handle(&b.handle).as_deref() != Some(b.handle.as_str()) {
            return Err(format!(
                "brand {:?} has handle {:?}, not a handle",
                b.name, b.handle
            ));
        }
        if let Some(first) = handles.insert(b.handle.as_str(), b.name.as_str()) {
            return Err(format!(
                "handle @{} is claimed by both {first:?} and {:?}",
                b.handle, b.name
            ));
        }
    }
    let n = t.influencers.len();
    let mut prev: Option<(u32, &str)> = None;
    for m in &t.mentions {
        let here = (m.influencer, m.handle.as_str());
        let fits = (m.influencer as usize) < n
            && normalize_handle(&m.handle).as_deref() == Some(m.handle.as_str())
            && m.posts >= 1
            && m.sponsored_posts <= m.posts
            && [m.first_seen, m.last_seen]
                .iter()
                .all(|d| d.is_none_or(|d| in_range(i64::from(d))))
            && match (m.first_seen, m.last_seen) {
                (Some(f), Some(l)) => f <= l,
                (f, l) => f.is_none() == l.is_none(),
            }
            && prev.is_none_or(|p| p < here);
        if !fits {
            return Err(format!(
                "mention row ({}, {:?}) does not fit: out of order, out of range or \
                 inconsistent counts or days",
                m.influencer, m.handle
            ));
        }
        prev = Some(here);
    }
    Ok(())
}

/// Name key -> position.
fn ids<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, u32> {
    let names: Vec<&str> = names.collect();
    crate::text::keys(&names)
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i as u32))
        .collect()
}

pub mod evidence;
pub mod platform;
#[cfg(test)]
pub(crate) mod tests;
