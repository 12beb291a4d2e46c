//! `gbdt train`, `gbdt predict`, `gbdt export-ranking`.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use super::args::{DataArgs, FactorArgs, GbdtArgs, RankerArgs};
use super::io::{catalog_from_folder, create, open, spinner};
use crate::catalog::BuildParams;
use crate::error::{Error, Result};
use crate::gbdt::csv::{read_rows, read_table};
use crate::gbdt::train::ObjectiveKind;

/// The `gbdt` subcommands (flattened argument groups carry their own docs).
#[derive(Debug, Subcommand)]
#[allow(missing_docs)]
pub enum GbdtCommand {
    /// Train on a CSV with a header (one label column, every other column a feature; empty
    /// cells and `nan` are missing) and write a LightGBM text model.
    Train {
        /// Training CSV.
        #[arg(long)]
        input: PathBuf,
        /// Validation CSV (same columns) for the metric and early stopping.
        #[arg(long)]
        valid: Option<PathBuf>,
        /// Name of the label column.
        #[arg(long, default_value = "label")]
        label: String,
        /// Name of the query-id column (lambdarank; consecutive rows with one id are a query).
        #[arg(long)]
        group_column: Option<String>,
        #[command(flatten)]
        params: GbdtArgs,
        /// Output model (LightGBM text format).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Print one prediction a line for each row of a CSV of feature values (a header line is
    /// skipped; empty cells and `nan` are missing), from a LightGBM text model.
    Predict {
        /// LightGBM text model (v4).
        #[arg(long)]
        model: PathBuf,
        /// CSV of feature values, one row per line.
        #[arg(long)]
        input: PathBuf,
        /// Print raw scores instead of transformed outputs.
        #[arg(long)]
        raw: bool,
    },
    /// Write the ranker's training and validation tables (query column `brand`, graded
    /// `label`, the pair features) as CSV, for benches/gbdt_bench.py and LightGBM users.
    ExportRanking {
        #[command(flatten)]
        data: DataArgs,
        /// Output folder (ranking_train.csv, ranking_valid.csv).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        factor: FactorArgs,
        #[command(flatten)]
        ranker: RankerArgs,
    },
}

pub(super) fn run(c: GbdtCommand) -> Result<()> {
    match c {
        GbdtCommand::Train {
            input,
            valid,
            label,
            group_column,
            params,
            out,
        } => train(
            &input,
            valid.as_deref(),
            &label,
            group_column.as_deref(),
            &params,
            &out,
        ),
        GbdtCommand::Predict { model, input, raw } => predict(&model, &input, raw),
        GbdtCommand::ExportRanking {
            data,
            out,
            factor,
            ranker,
        } => export_ranking(&data, &out, &factor, &ranker),
    }
}

fn table(
    path: &std::path::Path,
    label: &str,
    group: Option<&str>,
) -> Result<crate::gbdt::csv::Table> {
    read_table(open(path)?, &path.display().to_string(), label, group)
}

fn train(
    input: &std::path::Path,
    valid: Option<&std::path::Path>,
    label: &str,
    group_column: Option<&str>,
    params: &GbdtArgs,
    out: &std::path::Path,
) -> Result<()> {
    let p = params.params()?;
    let t = table(input, label, group_column)?;
    let v = valid.map(|v| table(v, label, group_column)).transpose()?;
    let pb = spinner("training gradient-boosted trees");
    let started = std::time::Instant::now();
    let vd = v.as_ref().map(|v| v.dataset());
    let fitted = crate::gbdt::train::fit(&t.dataset(), vd.as_ref(), &p)?;
    let seconds = started.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let mut m = fitted.model;
    m.feature_names = t.names.clone();
    std::fs::write(out, m.to_lightgbm_text()).map_err(|e| Error::io(out, e))?;
    println!(
        "wrote {} ({} trees, {} rows, {} features)",
        out.display(),
        m.trees.len(),
        t.y.len(),
        m.num_features
    );
    if let (Some(last), Some(_)) = (fitted.valid_metric.last(), &v) {
        println!(
            "validation {}: {last:.6} after {} rounds{}",
            match p.objective {
                ObjectiveKind::Regression => "rmse".to_string(),
                ObjectiveKind::Binary => "logloss".to_string(),
                ObjectiveKind::Quantile => format!("quantile loss at alpha {}", p.alpha),
                ObjectiveKind::LambdaRank => format!("ndcg@{}", p.eval_at),
                ObjectiveKind::Multiclass | ObjectiveKind::MulticlassOva => {
                    "multi_logloss".to_string()
                }
            },
            fitted.valid_metric.len(),
            fitted
                .best_iteration
                .map_or(String::new(), |b| format!(", best round {b}")),
        );
    }
    // Machine-readable timing for benches/gbdt_bench.py (training only, no CSV I/O).
    eprintln!("train_seconds={seconds:.6}");
    Ok(())
}

fn predict(model: &std::path::Path, input: &std::path::Path, raw: bool) -> Result<()> {
    let text = std::fs::read_to_string(model).map_err(|e| Error::io(model, e))?;
    let m = crate::gbdt::GbdtModel::parse(&text, &model.display().to_string())?;
    let x = read_rows(open(input)?, &input.display().to_string(), m.num_features)?;
    // Time the trees alone (no CSV parsing, no printing) for benches/gbdt_bench.py.
    let flat = m.flatten();
    let started = std::time::Instant::now();
    let mut preds = Vec::new();
    flat.predict_raw_batch(&x, &mut preds);
    let k = flat.num_class();
    if !raw {
        for row in preds.chunks_exact_mut(k) {
            m.transform_all(row);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e| Error::io("<stdout>", e);
    // One number a line; a multiclass model gets a header naming the classes and one
    // column per class.
    if k > 1 {
        let header: Vec<String> = (0..k).map(|c| format!("class_{c}")).collect();
        writeln!(out, "{}", header.join(",")).map_err(io)?;
    }
    for row in preds.chunks_exact(k) {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        writeln!(out, "{}", cells.join(",")).map_err(io)?;
    }
    out.flush().map_err(|e| Error::io("<stdout>", e))?;
    eprintln!("predict_seconds={seconds:.6} rows={}", preds.len());
    Ok(())
}

fn export_ranking(
    data: &DataArgs,
    out: &std::path::Path,
    factor: &FactorArgs,
    ranker: &RankerArgs,
) -> Result<()> {
    let c = catalog_from_folder(&data.data, &BuildParams::default())?;
    let fs = factor.settings(data.seed);
    let rs = ranker.settings(data.seed);
    let pb = spinner("building ranking features");
    let (train, valid) =
        crate::ranker::train::ranking_tables(&c, &c.positives(fs.min_points), Some(&fs), &rs)?;
    pb.finish_and_clear();
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    for (name, t) in [("ranking_train.csv", &train), ("ranking_valid.csv", &valid)] {
        let path = out.join(name);
        let mut w = create(&path)?;
        let mut text = String::from("brand,label");
        for f in crate::ranker::FEATURE_NAMES {
            text.push(',');
            text.push_str(f);
        }
        text.push('\n');
        for (r, row) in t.x.chunks_exact(crate::ranker::NUM_FEATURES).enumerate() {
            text.push_str(&format!("{},{}", t.pairs[r].0, t.y[r]));
            for v in row {
                if v.is_nan() {
                    text.push(',');
                } else {
                    text.push_str(&format!(",{v:?}"));
                }
            }
            text.push('\n');
            if text.len() > 1 << 20 {
                w.write_all(text.as_bytes())
                    .map_err(|e| Error::io(&path, e))?;
                text.clear();
            }
        }
        w.write_all(text.as_bytes())
            .and_then(|_| w.flush())
            .map_err(|e| Error::io(&path, e))?;
        println!(
            "wrote {} ({} rows, {} brand queries)",
            path.display(),
            t.y.len(),
            t.group.len()
        );
    }
    Ok(())
}
