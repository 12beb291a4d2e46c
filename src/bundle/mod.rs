//! The model bundle: one self-describing artifact that the trainer writes and the browser
//! loads. Bytes in, bytes out; no files here.
//!
//! Layout (all integers little-endian):
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 8 | magic `b"INFLREC\0"` |
//! | 8 | 4 | format version (u32), currently [`FORMAT_VERSION`] |
//! | 12 | 4 | artifact kind (u32), [`KIND_RECOMMENDER`] |
//! | 16 | 2 | length `n` of the writer string (u16) |
//! | 18 | n | writer, UTF-8, e.g. `influence-rec 0.1.0` |
//! | 18+n | 8 | payload length `p` (u64) |
//! | 26+n | 8 | FNV-1a 64 checksum of the payload |
//! | 34+n | p | payload: [`Bundle`] in postcard encoding, tables column by column (`columns`) |
//!
//! This module is the byte format only: the in-memory dataset is [`Catalog`], the models are
//! [`StoredFactorModel`] and [`StoredRanker`]; only the edges (CLI, server, wasm API) and the
//! training pipeline import it.
//!
//! Version history: 1 = tables and cohesion weights; 2 = adds the optional factorization
//! model ([`StoredFactorModel`]); 3 = adds the optional GBDT ranker ([`StoredRanker`]);
//! 4 = the influencer and pair tables stored column by column (a third smaller gzipped);
//! 5 = countries are ISO codes where the place resolved, and the scraped place text is a
//! column of its own (`location`); 6 = what only a card shows (bio, post links, the scraped
//! place) moves out of the bundle into detail shards ([`DetailShard`], kind
//! [`KIND_DETAILS`], [`DETAIL_SHARD_ROWS`] influencers each), stamped with the bundle's
//! version, so the first ranking downloads only what ranking reads; 7 = the factorization
//! model's influencers are stored as content-feature embeddings when it was trained without
//! identity features (the default) and each influencer's vector is built at load
//! ([`crate::mf::stored::StoredItems`]), 3.5 MB gzipped less at 100,000 influencers;
//! 8 = unknown follower counts, likes and engagement rates are stored as unknown (never 0),
//! and each influencer carries its account kind (creator, brand, media); 9 = adds the optional
//! price models ([`StoredPrices`]: quantile models of listed costs, fitted at train time), so
//! the page estimates a price where the scrape lists none without training anything;
//! 10 = collaboration evidence (the handles each influencer's posts mention, tag or are paid
//! by: `mentions.csv` column by column) and each brand's own handle; 11 = the ranker reads
//! collaboration evidence (four more features: brands named, brands of the query brand's
//! category named, handles named, paid posts) and learns from mentions of known brands, and
//! the bundle carries its default ordering with the held-out figures it was chosen on
//! ([`OrderingChoice`]); 12 = the factorization model's influencer content includes the
//! handles their posts name that enough accounts name and no known brand has
//! ([`Catalog::handle_features`]: `mention:<handle>`), so a model stored
//! for content without them would be rebuilt on other rows.
//! Older files are refused with [`Error::UnsupportedVersion`] (retrain to upgrade; the data
//! files are the source).
//!
//! Loading checks magic, version, kind, lengths and checksum, in that order, before it
//! decodes the payload; each failure is its own typed [`Error`]. Trailing bytes are refused.
//! Every collection in the payload is a sorted `Vec`, so the same inputs give the same bytes.

mod columns;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::mf::stored::StoredFactorModel;
use crate::mf::FactorModel;
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
use crate::mf::WarmStart;
use crate::price::{PriceModel, StoredPrices};
pub use crate::random::fnv1a64;
use crate::rank::{OrderingChoice, RankBy, Recommender};
use crate::ranker::{Ranker, StoredRanker};

/// The first eight bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"INFLREC\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 12;
/// Artifact kind of a recommender bundle.
pub const KIND_RECOMMENDER: u32 = 1;
/// Artifact kind of a factorization trainer's state (for warm starts; never sent to browsers).
pub const KIND_TRAINER_STATE: u32 = 2;
/// Artifact kind of a detail shard ([`DetailShard`]).
pub const KIND_DETAILS: u32 = 3;
/// Influencers per detail shard: at 100,000 influencers about 100 files of some 10 KB
/// gzipped, so a card costs one small request and a campaign a handful.
pub const DETAIL_SHARD_ROWS: u32 = 1024;

/// The writer string stamped into bundles written by this build.
pub const WRITER: &str = concat!("influence-rec ", env!("CARGO_PKG_VERSION"));

/// A recommender bundle: the catalog and the models trained on it, in their stored forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The dataset.
    pub catalog: Catalog,
    /// The factorization model (brands are users in catalog order, influencers items), when
    /// trained.
    pub factor: Option<StoredFactorModel>,
    /// The GBDT ranker over pair features ([`crate::ranker`]), when trained.
    pub ranker: Option<StoredRanker>,
    /// The price models ([`crate::price`]), fitted at train time; without them prices come
    /// from listed costs and the rate card.
    pub prices: Option<StoredPrices>,
    /// The default ordering and the held-out evidence it was chosen on
    /// ([`crate::rank::OrderingChoice`]); without it the default is the rating.
    pub ordering: Option<OrderingChoice>,
}

impl Bundle {
    /// The recommender over this bundle, its stored models loaded; a model that does not fit
    /// the catalog is [`Error::Corrupted`] naming `source`.
    pub fn recommender(self, source: &str) -> Result<Recommender> {
        let corrupted = |message: String| Error::Corrupted {
            source_name: source.to_string(),
            message,
        };
        let factor = match &self.factor {
            None => None,
            Some(s) => Some(
                FactorModel::load(s, || self.catalog.item_content()).ok_or_else(|| {
                    corrupted("the factorization model's shapes are inconsistent".into())
                })?,
            ),
        };
        let ranker = self.ranker.as_ref().map(Ranker::load).transpose()?;
        let prices = match &self.prices {
            Some(p) => PriceModel::load(p, source)?,
            None => PriceModel::default(),
        };
        let ordering = self.ordering;
        Recommender::new(self.catalog, factor, ranker)
            .map(|r| r.with_prices(prices).with_ordering(ordering))
            .map_err(|e| match e {
                Error::Inconsistent { what, message } => corrupted(format!("{what}: {message}")),
                other => other,
            })
    }
}

/// The details of influencers `first..first + rows.len()` of one bundle (see the version
/// history): written beside the bundle, checked against its version when loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailShard {
    /// The bundle's version (FNV-1a 64 of its bytes) these rows belong to.
    pub bundle_version: u64,
    /// Id of the first influencer.
    pub first: u32,
    /// One per influencer, in id order.
    pub rows: Vec<crate::model::InfluencerDetails>,
}

/// The detail shards of `catalog` for the bundle whose bytes hash to `bundle_version`, each
/// as an artifact (header, checksum, payload).
pub fn write_details(catalog: &Catalog, bundle_version: u64) -> Result<Vec<Vec<u8>>> {
    catalog
        .influencers()
        .chunks(DETAIL_SHARD_ROWS as usize)
        .enumerate()
        .map(|(k, infs)| {
            let shard = DetailShard {
                bundle_version,
                first: k as u32 * DETAIL_SHARD_ROWS,
                rows: infs.iter().map(|i| i.details()).collect(),
            };
            write_artifact(KIND_DETAILS, &shard)
        })
        .collect()
}

/// Loads a detail shard, refusing one of another bundle (`expected_version`) with
/// [`Error::StaleShard`] after the artifact's own checks.
pub fn read_details(bytes: &[u8], source: &str, expected_version: u64) -> Result<DetailShard> {
    let (_, payload) = read_artifact(bytes, source, KIND_DETAILS)?;
    let shard: DetailShard = decode(payload, source)?;
    if shard.bundle_version != expected_version {
        return Err(Error::StaleShard {
            source_name: source.to_string(),
            expected: format!("{expected_version:016x}"),
            found: format!("{:016x}", shard.bundle_version),
        });
    }
    Ok(shard)
}

/// The file name of detail shard `k` of bundle `version`: the version in the name, so a
/// cached shard is never taken for another bundle's.
pub fn detail_file_name(version: &str, k: usize) -> String {
    format!("{version}-{k}.bin")
}

/// The header fields of a bundle, readable without decoding the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub format_version: u32,
    /// Artifact kind.
    pub kind: u32,
    /// Writer string.
    pub writer: String,
    /// Payload length in bytes.
    pub payload_len: u64,
}

/// What `train` writes beside the bundle (`manifest.json`): which bundle is current, so a page
/// can check for a new version with one small request and fetch the bundle by version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// The bundle's file name, beside the manifest.
    pub bundle: String,
    /// The bundle's version: FNV-1a 64 of its bytes, 16 hex digits.
    pub version: String,
    /// Its format version.
    pub format_version: u32,
    /// Its writer.
    pub writer: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The precomputed top lists' file name, beside the manifest.
    pub top_lists: String,
    /// How many influencers each top list holds (the widget's largest `k`).
    pub top_list_len: u32,
    /// The folder, beside the manifest, of one small file per brand's top list (named by
    /// `TopList::file_name`); empty in manifests written before it existed.
    #[serde(default)]
    pub top_dir: String,
    /// The folder, beside the manifest, of the detail shards.
    #[serde(default)]
    pub details_dir: String,
    /// Influencers per detail shard.
    #[serde(default)]
    pub detail_shard_rows: u32,
    /// The detail shards in order: shard k holds influencers from k · detail_shard_rows.
    #[serde(default)]
    pub detail_shards: Vec<ShardRef>,
    /// The bundle's default ordering (its top lists are in that order), so the widget starts
    /// from the page's ordering without loading the engine; `rating` in manifests written
    /// before it existed.
    #[serde(default)]
    pub default_ordering: RankBy,
}

/// One detail shard as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRef {
    /// File name in the details folder.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// FNV-1a 64 of the file, 16 hex digits (the page checks it before loading).
    pub checksum: String,
}

/// The `format` of a [`Manifest`].
pub const MANIFEST_FORMAT: &str = "influence-rec/manifest/1";

impl Manifest {
    /// The manifest of bundle `bytes` stored as `bundle`, with top lists of `top_list_len`
    /// influencers in `top_lists` and, one file per brand, in the folder `top_dir`, and the
    /// detail shards `details` in the folder `details_dir`.
    pub fn of(
        bytes: &[u8],
        bundle: &str,
        top_lists: &str,
        top_list_len: u32,
        top_dir: &str,
        details_dir: &str,
        details: &[Vec<u8>],
    ) -> Manifest {
        let version = format!("{:016x}", fnv1a64(bytes));
        Manifest {
            format: MANIFEST_FORMAT.into(),
            bundle: bundle.into(),
            detail_shards: details
                .iter()
                .enumerate()
                .map(|(k, d)| ShardRef {
                    file: detail_file_name(&version, k),
                    bytes: d.len() as u64,
                    checksum: format!("{:016x}", fnv1a64(d)),
                })
                .collect(),
            version,
            format_version: FORMAT_VERSION,
            writer: WRITER.into(),
            bytes: bytes.len() as u64,
            top_lists: top_lists.into(),
            top_list_len,
            top_dir: top_dir.into(),
            details_dir: details_dir.into(),
            detail_shard_rows: DETAIL_SHARD_ROWS,
            default_ordering: RankBy::Rating,
        }
    }
}

/// Serialises `bundle` with this build's header.
pub fn write(bundle: &Bundle) -> Result<Vec<u8>> {
    let wire = columns::Wire::encode(
        bundle.catalog.tables(),
        &bundle.factor,
        &bundle.ranker,
        &bundle.prices,
        &bundle.ordering,
    )?;
    write_artifact(KIND_RECOMMENDER, &wire)
}

/// Serialises a factorization trainer's state (kind [`KIND_TRAINER_STATE`]).
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub fn write_trainer_state(state: &WarmStart) -> Result<Vec<u8>> {
    write_artifact(KIND_TRAINER_STATE, state)
}

/// Loads a trainer state written by [`write_trainer_state`], with the bundle's checks.
#[cfg(any(feature = "trainers", not(target_arch = "wasm32")))]
pub fn read_trainer_state(bytes: &[u8], source: &str) -> Result<(Header, WarmStart)> {
    let (header, payload) = read_artifact(bytes, source, KIND_TRAINER_STATE)?;
    Ok((header, decode(payload, source)?))
}

fn decode<T: serde::de::DeserializeOwned>(payload: &[u8], source: &str) -> Result<T> {
    let (v, rest): (T, &[u8]) = postcard::take_from_bytes(payload).map_err(|e| Error::Decode {
        source_name: source.to_string(),
        source: e,
    })?;
    if !rest.is_empty() {
        return Err(Error::Corrupted {
            source_name: source.to_string(),
            message: format!("{} unexpected bytes after the payload", rest.len()),
        });
    }
    Ok(v)
}

/// The header of `kind` and the postcard encoding of `value`.
fn write_artifact<T: Serialize>(kind: u32, value: &T) -> Result<Vec<u8>> {
    let payload = postcard::to_allocvec(value).map_err(|e| Error::encode("bundle payload", e))?;
    let writer = WRITER.as_bytes();
    let mut out = Vec::with_capacity(34 + writer.len() + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(writer.len() as u16).to_le_bytes());
    out.extend_from_slice(writer);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    source: &'a str,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::Corrupted {
                source_name: self.source.to_string(),
                message: format!(
                    "ends at byte {} inside the {what} (needs {n} bytes at offset {})",
                    self.bytes.len(),
                    self.pos
                ),
            }),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// Reads and checks a bundle's header; returns it with the payload slice.
pub fn read_header<'a>(bytes: &'a [u8], source: &'a str) -> Result<(Header, &'a [u8])> {
    read_artifact(bytes, source, KIND_RECOMMENDER)
}

/// Reads and checks the header of an artifact of `expected` kind.
fn read_artifact<'a>(
    bytes: &'a [u8],
    source: &'a str,
    expected: u32,
) -> Result<(Header, &'a [u8])> {
    let mut c = Cursor {
        bytes,
        pos: 0,
        source,
    };
    let magic = c.take(8, "magic bytes").map_err(|_| Error::BadMagic {
        source_name: source.to_string(),
    })?;
    if magic != MAGIC {
        return Err(Error::BadMagic {
            source_name: source.to_string(),
        });
    }
    let format_version = c.u32("format version")?;
    if format_version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            source_name: source.to_string(),
            found: format_version,
            supported: FORMAT_VERSION,
        });
    }
    let kind = c.u32("artifact kind")?;
    if kind != expected {
        return Err(Error::WrongKind {
            source_name: source.to_string(),
            expected,
            found: kind,
        });
    }
    let wl = c.take(2, "writer length")?;
    let wl = u16::from_le_bytes([wl[0], wl[1]]) as usize;
    let writer = String::from_utf8_lossy(c.take(wl, "writer string")?).into_owned();
    let payload_len = c.u64("payload length")?;
    let checksum = c.u64("checksum")?;
    let remaining = (bytes.len() - c.pos) as u64;
    if remaining != payload_len {
        return Err(Error::Corrupted {
            source_name: source.to_string(),
            message: format!("payload is {remaining} bytes, header says {payload_len}"),
        });
    }
    let payload = &bytes[c.pos..];
    if fnv1a64(payload) != checksum {
        return Err(Error::Corrupted {
            source_name: source.to_string(),
            message: "payload checksum does not match".into(),
        });
    }
    Ok((
        Header {
            format_version,
            kind,
            writer,
            payload_len,
        },
        payload,
    ))
}

/// Loads a bundle, refusing anything this build does not understand.
pub fn read(bytes: &[u8], source: &str) -> Result<(Header, Bundle)> {
    let (header, payload) = read_header(bytes, source)?;
    let wire: columns::Wire = decode(payload, source)?;
    let parts = wire.decode().map_err(|e| match e {
        Error::Corrupted { message, .. } => Error::Corrupted {
            source_name: source.to_string(),
            message,
        },
        other => other,
    })?;
    if let Some(o) = &parts.ordering {
        o.validate(source)?;
    }
    let bundle = Bundle {
        catalog: Catalog::from_tables_with_tag_ids(parts.tables, source, &parts.hashtag_ids)?,
        factor: parts.factor,
        ranker: parts.ranker,
        prices: parts.prices,
        ordering: parts.ordering,
    };
    Ok((header, bundle))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn small() -> Bundle {
        Bundle {
            catalog: crate::catalog::tests::small(),
            factor: None,
            ranker: None,
            prices: None,
            ordering: None,
        }
    }

    /// The bundle with its details merged back from its shards.
    fn with_details(bytes: &[u8], b: &Bundle) -> Catalog {
        let version = fnv1a64(bytes);
        let (_, back) = read(bytes, "t").unwrap();
        let mut tables = back.catalog.into_tables();
        for (k, shard) in write_details(&b.catalog, version)
            .unwrap()
            .iter()
            .enumerate()
        {
            let d = read_details(shard, "shard", version).unwrap();
            assert_eq!(d.first, k as u32 * DETAIL_SHARD_ROWS);
            for (inf, row) in tables.influencers[d.first as usize..]
                .iter_mut()
                .zip(d.rows)
            {
                inf.set_details(row);
            }
        }
        Catalog::from_tables(tables, "t").unwrap()
    }

    #[test]
    fn round_trip_is_exact_and_stamped() {
        let mut b = small();
        let mut tables = b.catalog.clone().into_tables();
        tables.influencers[0].set_details(crate::model::InfluencerDetails {
            description: "Bio <b>".into(),
            post_urls: vec!["https://example.com/p/1".into()],
            location: "Los Angeles, California".into(),
        });
        let i = &mut tables.influencers[1];
        (i.last_post, i.posts_per_week, i.recent_engagement_rate) =
            ("2026-11-20".into(), Some(2.5), Some(0.031));
        b.catalog = Catalog::from_tables(tables, "t").unwrap();
        let bytes = write(&b).unwrap();
        let (h, back) = read(&bytes, "t").unwrap();
        assert_eq!(back.catalog.influencers()[1].last_post, "2026-11-20");
        assert!(
            b.catalog
                .influencers()
                .iter()
                .any(|i| !i.description.is_empty()),
            "the fixture has details to move"
        );
        assert!(back
            .catalog
            .influencers()
            .iter()
            .all(|i| i.description.is_empty() && i.post_urls.is_empty() && i.location.is_empty()));
        assert_eq!(
            with_details(&bytes, &b),
            b.catalog,
            "core + shards = the catalog"
        );
        assert_eq!(h.writer, WRITER);
        assert_eq!(h.format_version, FORMAT_VERSION);
        assert_eq!(write(&back).unwrap(), bytes, "byte-stable");
    }

    #[test]
    fn price_models_travel_in_the_bundle_and_bad_ones_are_refused() {
        let mut b = small();
        let mut tables = b.catalog.clone().into_tables();
        let proto = tables.influencers[0].clone();
        for k in 0..40u64 {
            let mut i = proto.clone();
            i.name = format!("priced {k:02}");
            i.followers = Some(3_000 + 900 * k);
            i.cost_per_post = (k < 39).then_some(40.0 + 3.0 * k as f64);
            tables.influencers.push(i);
        }
        b.catalog = Catalog::from_tables(tables, "t").unwrap();
        let fitted = PriceModel::fit(b.catalog.influencers(), 7).unwrap();
        assert_eq!(fitted.basis(), crate::price::PriceBasis::QuantileModel);
        b.prices = Some(fitted.store());
        let bytes = write(&b).unwrap();
        let rec = read(&bytes, "t").unwrap().1.recommender("t").unwrap();
        for i in rec.influencers() {
            assert_eq!(rec.prices(i), fitted.estimate(i), "{}", i.name);
        }
        let unlisted = rec.influencer_id("priced 39").unwrap() as usize;
        let e = rec.prices(&rec.influencers()[unlisted]).post.unwrap();
        assert_eq!(e.basis, crate::price::PriceBasis::QuantileModel);
        // Models that do not fit the features are refused when the recommender loads.
        if let Some(t) = &mut b.prices.as_mut().unwrap().post {
            t[0].num_features = 2;
        }
        let bytes = write(&b).unwrap();
        let err = read(&bytes, "x.bundle").unwrap().1.recommender("x.bundle");
        assert!(
            matches!(&err, Err(Error::Corrupted { source_name, message })
                if source_name == "x.bundle" && message.contains("2 features")),
            "{err:?}"
        );
    }

    #[test]
    fn detail_shards_split_every_influencer_and_refuse_another_bundle() {
        let mut b = small();
        let mut tables = b.catalog.clone().into_tables();
        // Enough influencers for three shards, the last one short.
        let proto = tables.influencers[0].clone();
        for k in 0..(2 * DETAIL_SHARD_ROWS as usize + 5) {
            let mut i = proto.clone();
            i.name = format!("extra {k:05}");
            i.description = format!("bio {k}");
            i.post_urls = vec![format!("https://example.com/{k}")];
            tables.influencers.push(i);
        }
        tables
            .influencers
            .sort_by_key(|i| crate::text::key(&i.name));
        b.catalog = Catalog::from_tables(tables, "t").unwrap();
        let bytes = write(&b).unwrap();
        let version = fnv1a64(&bytes);
        let shards = write_details(&b.catalog, version).unwrap();
        let n = b.catalog.influencers().len();
        assert_eq!(shards.len(), n.div_ceil(DETAIL_SHARD_ROWS as usize));
        assert_eq!(with_details(&bytes, &b), b.catalog);
        // Another bundle's shard: typed, naming both versions.
        match read_details(&shards[1], "pkg/details/x-1.bin", version ^ 1) {
            Err(Error::StaleShard {
                source_name,
                expected,
                found,
            }) => {
                assert_eq!(source_name, "pkg/details/x-1.bin");
                assert_eq!(found, format!("{version:016x}"));
                assert_eq!(expected, format!("{:016x}", version ^ 1));
            }
            other => panic!("{other:?}"),
        }
        // The bundle itself is not a shard, nor a shard a bundle.
        assert!(matches!(
            read_details(&bytes, "t", version),
            Err(Error::WrongKind {
                expected: KIND_DETAILS,
                ..
            })
        ));
        assert!(matches!(
            read(&shards[0], "t"),
            Err(Error::WrongKind {
                found: KIND_DETAILS,
                ..
            })
        ));
        // Every truncation and flipped payload byte is caught before decoding.
        let s = &shards[2];
        for cut in 0..s.len() {
            assert!(read_details(&s[..cut], "t", version).is_err(), "cut {cut}");
        }
        let (h, _) = read_artifact(s, "t", KIND_DETAILS).unwrap();
        for i in s.len() - h.payload_len as usize..s.len() {
            let mut c = s.clone();
            c[i] ^= 0x20;
            assert!(
                matches!(read_details(&c, "t", version), Err(Error::Corrupted { .. })),
                "byte {i}"
            );
        }
        // Rows past the catalog are refused and set nothing.
        let mut rec = b.clone().recommender("t").unwrap();
        let d = read_details(&shards[2], "t", version).unwrap();
        let before = rec.influencers().to_vec();
        assert!(matches!(
            rec.add_details(n as u32 - 1, d.rows),
            Err(Error::Inconsistent { .. })
        ));
        assert_eq!(rec.influencers(), &before[..]);
    }

    #[test]
    fn wrong_magic_version_and_kind_are_typed() {
        let bytes = write(&small()).unwrap();
        let mut m = bytes.clone();
        m[0] = b'X';
        assert!(matches!(read(&m, "t"), Err(Error::BadMagic { .. })));
        let mut v = bytes.clone();
        v[8..12].copy_from_slice(&99u32.to_le_bytes());
        assert!(matches!(
            read(&v, "t"),
            Err(Error::UnsupportedVersion {
                found: 99,
                supported: FORMAT_VERSION,
                ..
            })
        ));
        let mut k = bytes.clone();
        k[12..16].copy_from_slice(&2u32.to_le_bytes());
        assert!(matches!(
            read(&k, "t"),
            Err(Error::WrongKind { found: 2, .. })
        ));
    }

    #[test]
    fn a_trainer_state_round_trips_and_is_not_mistaken_for_a_bundle() {
        let b = small();
        let s = crate::factor::FactorSettings {
            epochs: 2,
            ..Default::default()
        };
        let state = crate::factor::fit(&b.catalog, &s, None)
            .unwrap()
            .unwrap()
            .state;
        let bytes = write_trainer_state(&state).unwrap();
        let (h, back) = read_trainer_state(&bytes, "t").unwrap();
        assert_eq!((h.kind, back), (KIND_TRAINER_STATE, state));
        assert!(matches!(
            read(&bytes, "t"),
            Err(Error::WrongKind {
                expected: KIND_RECOMMENDER,
                found: KIND_TRAINER_STATE,
                ..
            })
        ));
        let bundle = write(&b).unwrap();
        assert!(matches!(
            read_trainer_state(&bundle, "t"),
            Err(Error::WrongKind {
                expected: KIND_TRAINER_STATE,
                found: KIND_RECOMMENDER,
                ..
            })
        ));
    }

    #[test]
    fn truncation_at_every_offset_is_a_typed_error() {
        let bytes = write(&small()).unwrap();
        for cut in 0..bytes.len() {
            match read(&bytes[..cut], "t") {
                Err(Error::BadMagic { .. }) => assert!(cut < 8, "cut {cut}"),
                Err(Error::Corrupted { .. }) => assert!(cut >= 8),
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(read(&longer, "t"), Err(Error::Corrupted { .. })));
    }

    #[test]
    fn every_flipped_payload_byte_is_caught() {
        let bytes = write(&small()).unwrap();
        let (h, _) = read_header(&bytes, "t").unwrap();
        let start = bytes.len() - h.payload_len as usize;
        for i in start..bytes.len() {
            let mut c = bytes.clone();
            c[i] ^= 0x40;
            assert!(
                matches!(read(&c, "t"), Err(Error::Corrupted { .. })),
                "byte {i}"
            );
        }
    }
}
