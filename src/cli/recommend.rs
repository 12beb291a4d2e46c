//! Commands that read a bundle: recommend, relationships, infer-category.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::ProgressBar;

use super::io::{
    create, load, open, report_rejects, to_json, write_relationships, write_relationships_parquet,
};
use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::model::{Brand, Interaction, InteractionKind};
use crate::price::{PriceBasis, PriceEstimate};
use crate::random::DEFAULT_SEED;
use crate::rank::{NewBrand, RankBy, Ranking, Recommender, Who};
use crate::session::{BrandRef, Session};
use crate::tables;

/// `recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Bundle to load.
    #[arg(long, default_value = "pkg/model.bundle")]
    bundle: PathBuf,
    /// A known brand's name.
    #[arg(long, conflicts_with_all = ["name", "category", "country", "hashtags", "description"])]
    brand: Option<String>,
    /// New brand: name.
    #[arg(long)]
    name: Option<String>,
    /// New brand: category (name or slug; inferred from the description when absent).
    #[arg(long)]
    category: Option<String>,
    /// New brand: country.
    #[arg(long)]
    country: Option<String>,
    /// New brand: hashtags ("#a #b" or "a, b").
    #[arg(long)]
    hashtags: Option<String>,
    /// New brand: free-text description.
    #[arg(long)]
    description: Option<String>,
    /// How many influencers.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Seed for the random pairing of a new brand (mixed with the brand's name, so every
    /// brand draws its own influencer).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// New brand: append it to this brands.csv so the data grows.
    #[arg(long)]
    save_to: Option<PathBuf>,
    /// Order by the rating (cohesion + interactions), the factorization model, or the
    /// ranker pipeline (each falls back to the best the bundle has); without it, the
    /// bundle's default ordering (chosen by `train` on held-out evidence).
    #[arg(long, value_enum)]
    by: Option<RankBy>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// An influencer the brand already likes (repeatable): it counts as added to a campaign
    /// in the brand's rating and the model folds the brand in towards it at once; with
    /// --save-to, a new brand's likes are appended to interactions.csv beside brands.csv as
    /// its first rows.
    #[arg(long = "like", value_name = "NAME")]
    like: Vec<String>,
}

/// `relationships`.
#[derive(Debug, Args)]
pub struct RelationshipsArgs {
    /// Bundle to load.
    #[arg(long, default_value = "pkg/model.bundle")]
    bundle: PathBuf,
    /// Output file.
    #[arg(long, short)]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    format: TableFormat,
}

/// Formats of the relationship table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// CSV with a header (the default).
    Csv,
    /// Apache Parquet, snappy-compressed (pandas, polars, DuckDB, Spark read it).
    Parquet,
}

pub(super) fn recommend(a: RecommendArgs) -> Result<()> {
    let rec = load(&a.bundle)?;
    let by = a.by.unwrap_or_else(|| rec.default_by());
    let brand_ref = match &a.brand {
        Some(b) => BrandRef::Known(b.clone()),
        None => BrandRef::New(NewBrand {
            name: a.name.clone().unwrap_or_else(|| "new brand".into()),
            category: a.category.clone().unwrap_or_default(),
            country: a.country.clone().unwrap_or_default(),
            hashtags: a.hashtags.clone().unwrap_or_default(),
            description: a.description.clone().unwrap_or_default(),
        }),
    };
    // The brand's liked influencers: its first rows, folded in before it is ranked.
    let mut session = Session::default();
    let liked = session.like(&rec, &brand_ref, Lexicon::builtin(), &a.like)?;
    let ranking = match &brand_ref {
        BrandRef::Known(b) => rec.rank(
            Who::Known(b),
            a.k,
            &session.request(b, by, Default::default()),
        )?,
        BrandRef::New(nb) => {
            let brand = nb.resolve(Lexicon::builtin());
            let req = session.request(&nb.name, by, Default::default());
            let ranking = rec.rank(Who::New(&brand), a.k, &req)?;
            if let Some(row) = rec.pair_new_brand_seeded(&ranking.brand, a.seed) {
                eprintln!(
                    "new row: {} x {} (cohesion {:.3})",
                    row.brand, row.influencer, row.cohesion
                );
            }
            if let Some(path) = &a.save_to {
                append_brand(path, &ranking.brand)?;
                eprintln!("appended {:?} to {}", ranking.brand.name, path.display());
                if !liked.is_empty() {
                    let rows = append_likes(path, &rec, &ranking.brand.name, &liked)?;
                    eprintln!(
                        "appended {} liked influencers to {}",
                        liked.len(),
                        rows.display()
                    );
                }
            }
            ranking
        }
    };
    if a.json {
        let mut text = to_json(&ranking, Path::new("<stdout>"), true)?;
        text.push(b'\n');
        std::io::stdout()
            .lock()
            .write_all(&text)
            .map_err(|e| Error::io("<stdout>", e))?;
    } else {
        print_ranking(&ranking);
    }
    Ok(())
}

pub(super) fn relationships(a: &RelationshipsArgs) -> Result<()> {
    let rec = load(&a.bundle)?;
    let pb = ProgressBar::new((rec.brands().len() * rec.influencers().len()) as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {human_pos}/{human_len} rows, {per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |n: u64| {
        if n.is_multiple_of(65536) {
            pb.set_position(n);
        }
    };
    let n = match a.format {
        TableFormat::Csv => write_relationships(&rec, &a.out, progress)?,
        TableFormat::Parquet => write_relationships_parquet(&rec, &a.out, progress)?,
    };
    pb.finish_and_clear();
    println!("wrote {n} rows to {}", a.out.display());
    Ok(())
}

pub(super) fn infer_category(text: &str) {
    match Lexicon::builtin().infer(text) {
        Some(i) => println!("{} ({} keyword hits)", i.slug, i.hits),
        None => println!("(no category: no keyword hits)"),
    }
}

fn append_brand(path: &Path, brand: &Brand) -> Result<()> {
    let (mut brands, errors) = tables::read_brands(open(path)?, &path.display().to_string())?;
    report_rejects(&errors);
    let k = crate::text::key(&brand.name);
    if brands.iter().any(|b| crate::text::key(&b.name) == k) {
        return Err(Error::InvalidParam {
            name: "name",
            message: format!("brand {:?} is already in {}", brand.name, path.display()),
        });
    }
    brands.push(brand.clone());
    // Write to a sibling file first so an interrupted write loses nothing.
    let tmp = path.with_extension("csv.tmp");
    let mut w = create(&tmp)?;
    tables::write_brands(&mut w, &tmp.display().to_string(), &brands)?;
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Appends a new brand's liked influencers (`liked`, ids of `rec`) as add-to-campaign rows
/// to `interactions.csv` beside the brands table `brands`; returns that file's path.
fn append_likes(brands: &Path, rec: &Recommender, brand: &str, liked: &[u32]) -> Result<PathBuf> {
    let path = brands.with_file_name("interactions.csv");
    let source = path.display().to_string();
    let mut rows = if path.exists() {
        let (rows, errors) = tables::read_interactions(open(&path)?, &source)?;
        report_rejects(&errors);
        rows
    } else {
        Vec::new()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let kind = InteractionKind::AddToCampaign;
    for &i in liked {
        let influencer = rec.influencers()[i as usize].name.clone();
        rows.push(Interaction {
            event_id: format!(
                "like:{}:{}:{now}",
                crate::text::key(brand),
                crate::text::key(&influencer)
            ),
            brand: brand.to_string(),
            influencer,
            kind,
            timestamp_ms: now,
            points: rec.catalog().points().points(kind),
        });
    }
    let tmp = path.with_extension("csv.tmp");
    let mut w = create(&tmp)?;
    tables::write_interactions(&mut w, &tmp.display().to_string(), &rows)?;
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Prints a ranking as a table with each recommendation's reasons.
pub fn print_ranking(r: &Ranking) {
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "?".to_string()
        } else {
            s.to_string()
        }
    };
    println!(
        "{} brand {:?} (category {}, country {}, hashtags {})",
        if r.known { "known" } else { "new" },
        r.brand.name,
        or_unknown(&r.brand.category),
        or_unknown(&r.brand.country),
        r.brand
            .hashtags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "{:>4}  {:<28} {:>8}  {:<22}  why",
        "rank", "influencer", "score", "price per post"
    );
    for x in &r.recommendations {
        let c = &x.cohesion;
        let mut why = Vec::new();
        if let Some(cat) = &c.category {
            why.push(format!("category {cat} +{}", c.category_points));
        }
        if let Some(loc) = &c.location {
            why.push(format!("location {loc} +{}", c.location_points));
        }
        if !c.shared_hashtags.is_empty() {
            why.push(format!(
                "hashtags {} +{}",
                c.shared_hashtags
                    .iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                c.hashtag_points
            ));
        }
        why.push(match c.engagement_rate {
            Some(rate) => format!(
                "engagement {:.2}% +{:.3}",
                rate * 100.0,
                c.engagement_points
            ),
            None => "engagement unknown (the scrape has no likes) +0".to_string(),
        });
        if x.interaction_points != 0.0 {
            why.push(format!("interactions +{}", x.interaction_points));
        }
        println!(
            "{:>4}  {:<28} {:>8.3}  {:<22}  {}",
            x.rank,
            x.name,
            x.score,
            price_text(x.price_estimate.as_ref()),
            why.join(", ")
        );
    }
}

/// "$120 (listed)", "about $340 (estimate)" or "unknown".
fn price_text(p: Option<&PriceEstimate>) -> String {
    match p {
        Some(p) if p.basis == PriceBasis::Listed => format!("${:.0} (listed)", p.typical),
        Some(p) => format!("about ${:.0} (estimate)", p.typical),
        None => "unknown".to_string(),
    }
}
