//! The CLI's files: opening and creating them, atomic writes, publishing a bundle with its
//! top lists and manifest, CSV output, reading a data folder. Every error names its path.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::bundle::{self, Bundle, Manifest};
use crate::catalog::{BuildParams, Catalog};
use crate::error::{Error, Result};
use crate::model::{Brand, Influencer, Interaction, Mention};
use crate::rank::{RankBy, Recommender, TopList};
use crate::tables;

/// Opens `path` for buffered reading.
pub fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| Error::io(path, e))
}

/// Creates `path` (and its folder) for buffered writing.
pub fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| Error::io(path, e))
}

/// A spinner with `msg` and the elapsed time.
pub fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Prints rejected rows (the first 50, then a count).
pub fn report_rejects(errors: &[Error]) {
    for e in errors.iter().take(50) {
        eprintln!("rejected: {e}");
    }
    if errors.len() > 50 {
        eprintln!("... and {} more rejected rows", errors.len() - 50);
    }
}

/// A data folder's tables: influencers, brands, interactions and collaboration evidence.
pub type Tables = (Vec<Influencer>, Vec<Brand>, Vec<Interaction>, Vec<Mention>);

/// The tables of a data folder (rejected rows reported; no interactions or mentions file is
/// none yet).
pub fn read_tables(data: &Path) -> Result<Tables> {
    let read = |name: &str| -> Result<(BufReader<File>, String)> {
        let p = data.join(name);
        Ok((open(&p)?, p.display().to_string()))
    };
    let (r, n) = read("influencers.csv")?;
    let (influencers, e1) = tables::read_influencers(r, &n)?;
    let (r, n) = read("brands.csv")?;
    let (brands, e2) = tables::read_brands(r, &n)?;
    // No interactions yet is day one, not an error: the models learn from the relationship
    // table until interactions arrive.
    let ix_path = data.join("interactions.csv");
    let (interactions, e3) = if ix_path.exists() {
        let (r, n) = read("interactions.csv")?;
        tables::read_interactions(r, &n)?
    } else {
        eprintln!(
            "note: {} does not exist: no interactions yet (day one)",
            ix_path.display()
        );
        (Vec::new(), Vec::new())
    };
    // No mentions.csv is a folder made before collaboration evidence existed: none.
    let m_path = data.join("mentions.csv");
    let (mentions, e4) = if m_path.exists() {
        let (r, n) = read("mentions.csv")?;
        tables::read_mentions(r, &n)?
    } else {
        (Vec::new(), Vec::new())
    };
    for e in [e1, e2, e3, e4] {
        report_rejects(&e);
    }
    Ok((influencers, brands, interactions, mentions))
}

/// The catalog of a data folder's tables (rejected rows and skipped records reported).
pub fn catalog_from_folder(data: &Path, params: &BuildParams) -> Result<Catalog> {
    let (influencers, brands, interactions, mentions) = read_tables(data)?;
    let (c, report) = Catalog::build(influencers, brands, &interactions, params)?;
    report_rejects(&report.skipped);
    let (c, skipped) = c.with_mentions(&mentions)?;
    report_rejects(&skipped);
    Ok(c)
}

/// Reads the bundle at `path`.
pub fn read_bundle(path: &Path) -> Result<Bundle> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(bundle::read(&bytes, &path.display().to_string())?.1)
}

/// The recommender of the bundle at `path`, with the details of the shards the manifest
/// beside it lists when that manifest is the bundle's (a bundle copied alone ranks the same,
/// its cards without bios and post links).
pub fn load(path: &Path) -> Result<Recommender> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let source = path.display().to_string();
    let mut rec = bundle::read(&bytes, &source)?.1.recommender(&source)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let m_path = dir.join("manifest.json");
    let Ok(text) = std::fs::read(&m_path) else {
        return Ok(rec);
    };
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| Error::Malformed {
        at: crate::error::Location::source(m_path.display().to_string()),
        message: e.to_string(),
    })?;
    let version = bundle::fnv1a64(&bytes);
    if manifest.version != format!("{version:016x}") {
        return Ok(rec);
    }
    for shard in &manifest.detail_shards {
        let p = dir.join(&manifest.details_dir).join(&shard.file);
        let b = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        let d = bundle::read_details(&b, &p.display().to_string(), version)?;
        rec.add_details(d.first, d.rows)?;
    }
    Ok(rec)
}

/// Writes `path` atomically: a temporary file beside it, flushed and synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut w = create(&tmp)?;
    let go = || -> std::io::Result<()> {
        w.write_all(bytes)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    go().map_err(|e| Error::io(path, e))
}

/// JSON of `value`, for `dest`.
pub fn to_json<T: serde::Serialize>(value: &T, dest: &Path, pretty: bool) -> Result<Vec<u8>> {
    let r = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    r.map_err(|e| Error::encode(dest.display().to_string(), e))
}

/// Publishes a bundle: the bundle at `out`, then `topk.json` (every brand's top list), the
/// folder `top/` (one small file per brand's list, for the widget; files of brands no
/// longer listed are removed) and last `manifest.json` beside it, each file written
/// atomically, so a reader that follows the manifest never sees a half-written bundle.
pub fn publish(out: &Path, b: &Bundle, top: &[TopList], top_list_len: usize) -> Result<Vec<u8>> {
    let bytes = bundle::write(b)?;
    let details = bundle::write_details(&b.catalog, bundle::fnv1a64(&bytes))?;
    let dir = out.parent().unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model.bundle".into());
    let mut manifest = Manifest::of(
        &bytes,
        &name,
        "topk.json",
        top_list_len as u32,
        TOP_DIR,
        DETAILS_DIR,
        &details,
    );
    manifest.default_ordering = b.ordering.as_ref().map_or(RankBy::Rating, |o| o.by);
    // Shards first (named by the bundle's version, so nothing in use is overwritten), then
    // the bundle, the lists, and the manifest last: whoever follows the manifest finds all.
    let details_dir = dir.join(DETAILS_DIR);
    std::fs::create_dir_all(&details_dir).map_err(|e| Error::io(&details_dir, e))?;
    for (shard, d) in manifest.detail_shards.iter().zip(&details) {
        write_atomic(&details_dir.join(&shard.file), d)?;
    }
    write_atomic(out, &bytes)?;
    let top_path = dir.join("topk.json");
    write_atomic(&top_path, &to_json(&top, &top_path, false)?)?;
    let top_dir = dir.join(TOP_DIR);
    std::fs::create_dir_all(&top_dir).map_err(|e| Error::io(&top_dir, e))?;
    let files = TopList::files(top, &manifest.version);
    for (file, lists) in &files {
        let path = top_dir.join(file);
        write_atomic(&path, &to_json(lists, &path, false)?)?;
    }
    remove_stale(&top_dir, ".json", files.iter().map(|f| f.0.as_str()))?;
    let m_path = dir.join("manifest.json");
    write_atomic(&m_path, &to_json(&manifest, &m_path, true)?)?;
    // Other bundles' shards go once the manifest no longer names them.
    let shards = manifest.detail_shards.iter().map(|s| s.file.as_str());
    remove_stale(&details_dir, ".bin", shards)?;
    Ok(bytes)
}

/// Removes the files of `dir` whose names end in `ext` and are not in `keep`.
fn remove_stale<'a>(dir: &Path, ext: &str, keep: impl Iterator<Item = &'a str>) -> Result<()> {
    let keep: std::collections::BTreeSet<&str> = keep.collect();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let stale = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(ext) && !keep.contains(n));
        if stale {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// The folder of per-brand top-list files, beside the manifest.
pub const TOP_DIR: &str = "top";

/// The folder of detail shards, beside the manifest.
pub const DETAILS_DIR: &str = "details";

/// Writes a CSV file: `header`, then `rows`; returns how many rows, reporting each count to
/// `progress`. A failed write is [`Error::Io`] on `path`.
pub fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let err = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut w = csv::Writer::from_writer(create(path)?);
    w.write_record(header).map_err(err)?;
    let mut n = 0;
    for r in rows {
        crate::tables::write_record(&mut w, &r).map_err(err)?;
        n += 1;
        progress(n);
    }
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(n)
}

/// Rows per Arrow batch handed to the Parquet writer: memory stays bounded whatever the
/// table's size (a row group is encoded as its batches arrive).
const PARQUET_BATCH: usize = 1 << 16;

/// Rows per Parquet row group (readers parallelise and skip by row group).
const PARQUET_ROW_GROUP: usize = 1 << 20;

/// A batch of relationship rows, column by column.
#[derive(Default)]
struct RelationshipColumns {
    brand: Vec<String>,
    influencer: Vec<String>,
    cohesion: Vec<f64>,
    points: Vec<f64>,
    rating: Vec<f64>,
}

impl RelationshipColumns {
    fn push(&mut self, row: crate::rank::RelationshipRow) {
        self.brand.push(row.brand);
        self.influencer.push(row.influencer);
        self.cohesion.push(row.cohesion);
        self.points.push(row.interaction_points);
        self.rating.push(row.rating);
    }

    /// The batch as Arrow arrays, leaving `self` empty.
    fn take(&mut self) -> Vec<arrow_array::ArrayRef> {
        use arrow_array::{Float64Array, StringArray};
        use std::sync::Arc;
        let b = std::mem::take(self);
        vec![
            Arc::new(StringArray::from(b.brand)),
            Arc::new(StringArray::from(b.influencer)),
            Arc::new(Float64Array::from(b.cohesion)),
            Arc::new(Float64Array::from(b.points)),
            Arc::new(Float64Array::from(b.rating)),
        ]
    }
}

/// The relationship table as Parquet (snappy): the CSV's columns, `brand` and `influencer`
/// UTF-8 (dictionary-encoded by the writer), the three numbers f64; written batch by batch.
pub fn write_relationships_parquet(
    rec: &Recommender,
    out: &Path,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    use arrow_array::RecordBatch;
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    use std::sync::Arc;

    let err = |e: &dyn std::fmt::Display| Error::io(out, std::io::Error::other(e.to_string()));
    let schema = Arc::new(Schema::new(vec![
        Field::new("brand", DataType::Utf8, false),
        Field::new("influencer", DataType::Utf8, false),
        Field::new("cohesion", DataType::Float64, false),
        Field::new("interaction_points", DataType::Float64, false),
        Field::new("rating", DataType::Float64, false),
    ]));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(PARQUET_ROW_GROUP))
        .set_created_by(crate::bundle::WRITER.to_string())
        .build();
    let mut w =
        ArrowWriter::try_new(create(out)?, schema.clone(), Some(props)).map_err(|e| err(&e))?;
    let mut batch = RelationshipColumns::default();
    let mut n = 0u64;
    let mut rows = rec.relationships().peekable();
    while let Some(row) = rows.next() {
        batch.push(row);
        n += 1;
        progress(n);
        if batch.brand.len() == PARQUET_BATCH || rows.peek().is_none() {
            let b = RecordBatch::try_new(schema.clone(), batch.take()).map_err(|e| err(&e))?;
            w.write(&b).map_err(|e| err(&e))?;
        }
    }
    w.close().map_err(|e| err(&e))?;
    Ok(n)
}

/// The relationship table (every brand x influencer with its rating) as CSV.
pub fn write_relationships(
    rec: &Recommender,
    out: &Path,
    progress: impl FnMut(u64),
) -> Result<u64> {
    write_csv(
        out,
        &[
            "brand",
            "influencer",
            "cohesion",
            "interaction_points",
            "rating",
        ],
        rec.relationships().map(|row| {
            vec![
                row.brand,
                row.influencer,
                row.cohesion.to_string(),
                row.interaction_points.to_string(),
                row.rating.to_string(),
            ]
        }),
        progress,
    )
}
