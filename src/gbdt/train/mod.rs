//! Histogram gradient boosting in LightGBM's manner: regression (L2), binary, multiclass
//! (softmax and one-vs-all) and lambdarank.
//!
//! Per iteration: gradients g_i and hessians h_i of the objective at the current scores
//! (stored as f32, LightGBM's `score_t`); optionally a bag of rows (`bagging_fraction`
//! every `bagging_freq` iterations) and a subset of features (`feature_fraction`);
//! leaf-wise growth (always split the leaf with the largest gain) up to `num_leaves`, each
//! leaf's best split found from per-feature histograms of (Σg, Σh, count) over bins, summed
//! in f64; the smaller child's histogram is built from its rows and the sibling's is
//! parent − smaller.
//!
//! With G, H the sums over a node and T(G) = sign(G)·max(0, |G| − λ₁):
//!
//! ```text
//! gain(split) = T(G_L)²/(H_L + λ₂) + T(G_R)²/(H_R + λ₂) − T(G)²/(H + λ₂)
//! leaf value  = −T(G)/(H + λ₂) · learning_rate
//! ```
//!
//! A split must leave `min_data_in_leaf` rows and `min_sum_hessian_in_leaf` hessian on each
//! side and gain more than `min_gain_to_split`. Missing values (NaN, binned last) are tried
//! on both sides; the better side becomes the split's default direction.
//!
//! Equal data gives LightGBM's own trees, array for array (tests/lgbm_parity.rs): labels are
//! held as f32 (its `label_t`), bin bounds sit one step above the midpoints, thresholds are
//! scanned from the right first with its kEpsilon-seeded hessian sums and tie rules, leaves
//! are numbered and chosen as it numbers and chooses them, and the statistics it reports
//! (`split_gain`, `internal_value`, ...) are computed and printed as it does.
//!
//! Threads (`num_threads`) share every per-row and per-block step on a rayon pool, always
//! in pieces of fixed sizes joined in order: the model does not depend on the number of
//! threads.
//!
//! Objectives (s = score, y = label):
//! - regression: g = s − y, h = 1; starts from mean(y) when `boost_from_average`.
//! - binary: p = σ(s), g = p − y, h = p(1 − p); starts from logit(mean(y)).
//! - quantile (pinball loss at α): g = 1 − α where s ≥ y, else −α; h = 1; starts from the
//!   α-quantile of y. The gradient says only which side of the quantile a row is on, so
//!   after a tree is grown each leaf's value is replaced by the α-quantile of its rows'
//!   residuals y − s (LightGBM's `RenewTreeOutput`), then shrunk. Quantiles are LightGBM's
//!   `PercentileFun`: sorted descending, position p = (n − 1)(1 − α), the value at ⌊p⌋
//!   moved toward the next by the fraction of p, with α as f32 (its `score_t`).
//! - lambdarank (LambdaMART, LightGBM's `rank_objective.hpp`): per query, documents sorted
//!   by score; for every pair (i, j) with different labels and i within the first
//!   `lambdarank_truncation_level` positions, with high/low the better/worse labelled one,
//!   ΔNDCG = (gain_high − gain_low)·|1/log₂(2+r_high) − 1/log₂(2+r_low)| / maxDCG@T,
//!   divided by (0.01 + |s_high − s_low|) when `lambdarank_norm`; ρ = 1/(1 + e^{σ(s_high −
//!   s_low)}); λ = −σ·ρ·ΔNDCG goes to g_high (+) and g_low (−), σ²ρ(1−ρ)·ΔNDCG to both
//!   hessians; with `lambdarank_norm` the query's g and h are scaled by log₂(1+Σ|λ|)/Σ|λ|.
//!   ρ comes from LightGBM's lookup table (2²⁰ bins), for speed and to follow it closely.
//!
//! Early stopping: with a validation set and `early_stopping_round` = r > 0, training stops
//! once r rounds pass without improving the validation metric (RMSE, log loss, or
//! NDCG@`eval_at`), and the model keeps the trees up to the best round.

mod binning;
mod grow;
mod objectives;
mod params;

pub use binning::BinMapper;
pub use objectives::{leaf_output, ndcg_at, split_gain};
pub use params::{Dataset, Fitted, GbdtParams, ObjectiveKind};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::model::{GbdtModel, Objective, Tree};
use crate::error::{Error, Result};
use binning::*;
use grow::*;
use objectives::*;

/// Trains on rows `x` (row-major, `n_features` columns) and labels `y` without validation.
pub fn train(x: &[f64], n_features: usize, y: &[f64], p: &GbdtParams) -> Result<GbdtModel> {
    let data = Dataset {
        x,
        n_features,
        y,
        group: &[],
    };
    Ok(fit(&data, None, p)?.model)
}

/// The model's objective (its output transform) for a training objective.
fn output_of(kind: ObjectiveKind) -> Objective {
    match kind {
        ObjectiveKind::Regression => Objective::Regression,
        ObjectiveKind::Binary => Objective::Binary { sigmoid: 1.0 },
        ObjectiveKind::LambdaRank => Objective::LambdaRank,
        ObjectiveKind::Multiclass => Objective::Multiclass,
        ObjectiveKind::MulticlassOva => Objective::MulticlassOva { sigmoid: 1.0 },
        ObjectiveKind::Quantile => Objective::Identity("quantile".into()),
    }
}

/// The validation metric (lower is better for RMSE and log loss; NDCG is negated here so
/// that lower is always better).
fn metric(data: &Dataset, score: &[f64], gains: &[f64], p: &GbdtParams) -> f64 {
    let n = data.y.len() as f64;
    let k = p.num_class as usize;
    match p.objective {
        // multi_logloss: −mean log p(true class), the probabilities as the model outputs them.
        ObjectiveKind::Multiclass | ObjectiveKind::MulticlassOva => {
            let output = output_of(p.objective);
            let mut probs = vec![0.0; k];
            -data
                .y
                .iter()
                .zip(score.chunks_exact(k))
                .map(|(&y, s)| {
                    probs.copy_from_slice(s);
                    output.convert_all(&mut probs);
                    probs[y as usize].clamp(1e-15, 1.0).ln()
                })
                .sum::<f64>()
                / n
        }
        ObjectiveKind::Regression => (data
            .y
            .iter()
            .zip(score)
            .map(|(y, s)| (y - s) * (y - s))
            .sum::<f64>()
            / n)
            .sqrt(),
        ObjectiveKind::Binary => {
            -data
                .y
                .iter()
                .zip(score)
                .map(|(&y, &s)| {
                    let q = (1.0 / (1.0 + (-s).exp())).clamp(1e-15, 1.0 - 1e-15);
                    y * q.ln() + (1.0 - y) * (1.0 - q).ln()
                })
                .sum::<f64>()
                / n
        }
        ObjectiveKind::LambdaRank => -ndcg_at(p.eval_at as usize, data.y, score, data.group, gains),
        // LightGBM's `quantile` metric: mean pinball loss.
        ObjectiveKind::Quantile => {
            data.y
                .iter()
                .zip(score)
                .map(|(y, s)| {
                    let d = y - s;
                    if d < 0.0 {
                        (p.alpha - 1.0) * d
                    } else {
                        p.alpha * d
                    }
                })
                .sum::<f64>()
                / n
        }
    }
}

/// Trains on `data`, tracking `valid` when given (and stopping early when
/// `early_stopping_round` > 0).
pub fn fit(data: &Dataset, valid: Option<&Dataset>, p: &GbdtParams) -> Result<Fitted> {
    p.validate()?;
    data.check(p, "data")?;
    if let Some(v) = valid {
        v.check(p, "valid")?;
        if v.n_features != data.n_features {
            return Err(Error::InvalidParam {
                name: "valid",
                message: format!(
                    "{} features, training data has {}",
                    v.n_features, data.n_features
                ),
            });
        }
    }
    let threads = match p.num_threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t as usize,
    };
    // Every parallel step runs on this pool, in pieces of fixed sizes joined in order, so
    // the model is the same for any number of threads. Where no thread can be started (wasm),
    // the work runs on the calling thread.
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| fit_on_pool(data, valid, p)),
        Err(_) => fit_on_pool(data, valid, p),
    }
}

/// Rows per piece of the parallel per-row loops (gradients, scores, binning).
const ROW_PIECE: usize = 1 << 13;

fn fit_on_pool(data: &Dataset, valid: Option<&Dataset>, p: &GbdtParams) -> Result<Fitted> {
    // Labels as LightGBM holds them (its label_t is f32): the initial score, gradients and
    // metrics then match its own.
    let y32: Vec<f64> = data.y.iter().map(|&v| f64::from(v as f32)).collect();
    let vy32: Option<Vec<f64>> = valid.map(|v| v.y.iter().map(|&v| f64::from(v as f32)).collect());
    let data = &Dataset { y: &y32, ..*data };
    let valid_data = valid.zip(vy32.as_deref()).map(|(v, y)| Dataset { y, ..*v });
    let valid = valid_data.as_ref();
    let (x, y, nf) = (data.x, data.y, data.n_features);
    let n = y.len();
    // Bin bounds come from a seeded sample of `bin_construct_sample_cnt` rows (all rows when
    // there are fewer), as LightGBM builds them; every row is then binned.
    let sample: Option<Vec<usize>> = (n > p.bin_construct_sample_cnt as usize).then(|| {
        let mut idx: Vec<usize> = (0..n).collect();
        crate::random::shuffle(
            &mut idx,
            &mut ChaCha8Rng::seed_from_u64(p.seed ^ 0x005e_edb1),
        );
        let mut s = idx[..p.bin_construct_sample_cnt as usize].to_vec();
        s.sort_unstable();
        s
    });
    let mappers: Vec<BinMapper> = (0..nf)
        .into_par_iter()
        .map(|f| {
            let col: Vec<f64> = match &sample {
                Some(rows) => rows.iter().map(|&i| x[i * nf + f]).collect(),
                None => x.iter().skip(f).step_by(nf).copied().collect(),
            };
            BinMapper::new(&col, p.max_bin, p.min_data_in_bin)
        })
        .collect();
    // Column-major bins for histogram building, binned in one pass over the rows of `x`
    // (pieces of rows in parallel, each writing its part of every column).
    let mut wide: Vec<Vec<u16>> = (0..nf).map(|_| vec![0u16; n]).collect();
    let mut pieces: Vec<Vec<&mut [u16]>> = (0..n.div_ceil(ROW_PIECE))
        .map(|_| Vec::with_capacity(nf))
        .collect();
    for col in &mut wide {
        for (piece, part) in pieces.iter_mut().zip(col.chunks_mut(ROW_PIECE)) {
            piece.push(part);
        }
    }
    pieces
        .into_par_iter()
        .enumerate()
        .for_each(|(i, mut parts)| {
            let rows = x[i * ROW_PIECE * nf..].chunks_exact(nf);
            for (r, row) in rows.take(parts.first().map_or(0, |p| p.len())).enumerate() {
                for ((part, m), &v) in parts.iter_mut().zip(&mappers).zip(row) {
                    part[r] = m.bin(v);
                }
            }
        });
    let cols: Vec<Column> = wide
        .into_par_iter()
        .zip(&mappers)
        .map(|(bins, m)| {
            if m.num_bins() <= 256 {
                Column::U8(bins.iter().map(|&b| b as u8).collect())
            } else {
                Column::U16(bins)
            }
        })
        .collect();
    // Row-major copy of the bins for row-wise histograms (LightGBM's row-wise mode), when
    // a byte holds every bin; a few dense features make this the faster layout.
    let rowbins: Option<Vec<u8>> = cols.iter().all(|c| matches!(c, Column::U8(_))).then(|| {
        let mut rb = vec![0u8; n * nf];
        rb.par_chunks_mut(ROW_PIECE * nf.max(1))
            .enumerate()
            .for_each(|(piece, out)| {
                let start = piece * ROW_PIECE;
                for (f, c) in cols.iter().enumerate() {
                    if let Column::U8(v) = c {
                        for (i, &b) in v[start..start + out.len() / nf].iter().enumerate() {
                            out[i * nf + f] = b;
                        }
                    }
                }
            });
        rb
    });
    let gains = p.label_gains();
    // K scores per row (class-major within a row); K trees per iteration, class k's tree
    // fitting class k's gradients.
    let k = p.num_class as usize;
    let logit = |mean: f64| (mean / (1.0 - mean)).ln().clamp(-30.0, 30.0);
    let init: Vec<f64> = match p.objective {
        _ if !p.boost_from_average => vec![0.0; k],
        ObjectiveKind::Regression => vec![y.iter().sum::<f64>() / n as f64],
        ObjectiveKind::Binary => vec![logit(y.iter().sum::<f64>() / n as f64)],
        ObjectiveKind::LambdaRank => vec![0.0],
        ObjectiveKind::Quantile => vec![quantile_of_labels(y, p.alpha)],
        // LightGBM boosts from the average for one-vs-all (each class a binary problem), not
        // for softmax.
        ObjectiveKind::Multiclass => vec![0.0; k],
        ObjectiveKind::MulticlassOva => (0..k)
            .map(|c| logit(y.iter().filter(|&&v| v as usize == c).count() as f64 / n as f64))
            .collect(),
    };
    // Query boundaries and their 1/maxDCG, computed once.
    let queries: Vec<(usize, usize, f64)> = {
        let mut start = 0usize;
        data.group
            .iter()
            .map(|&size| {
                let end = start + size as usize;
                let inv = inverse_max_dcg(
                    &y[start..end],
                    p.lambdarank_truncation_level as usize,
                    &gains,
                );
                let q = (start, end, inv);
                start = end;
                q
            })
            .collect()
    };
    let lambdarank = (p.objective == ObjectiveKind::LambdaRank).then(|| {
        let max_query = data.group.iter().copied().max().unwrap_or(0) as usize;
        Lambdarank::new(p, max_query)
    });
    let mut score: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
    let mut vscore: Option<Vec<f64>> =
        valid.map(|v| (0..v.y.len()).flat_map(|_| init.iter().copied()).collect());
    let mut trees: Vec<Tree> = Vec::with_capacity(p.num_iterations as usize);
    let mut history = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    // Gradients class-major: class c's are g[c·n .. (c+1)·n].
    // Regression's and quantile's hessians are all 1 and never change: written once here.
    let constant_hessian = matches!(
        p.objective,
        ObjectiveKind::Regression | ObjectiveKind::Quantile
    );
    let h0 = if constant_hessian { 1.0 } else { 0.0 };
    let alpha32 = p.alpha as f32;
    let (mut g, mut h) = (vec![0f32; n * k], vec![h0; n * k]);
    let mut bag: Option<Vec<u32>> = None;
    for it in 0..p.num_iterations as usize {
        match p.objective {
            // Constant hessians (written once above): only the gradients change.
            ObjectiveKind::Regression | ObjectiveKind::Quantile => {
                let quantile = p.objective == ObjectiveKind::Quantile;
                g.par_chunks_mut(ROW_PIECE)
                    .zip(score.par_chunks(ROW_PIECE).zip(y.par_chunks(ROW_PIECE)))
                    .for_each(|(g, (s, y))| {
                        for ((g, s), y) in g.iter_mut().zip(s).zip(y) {
                            let delta = (s - y) as f32;
                            *g = match (quantile, delta >= 0.0) {
                                (false, _) => delta,
                                (true, true) => 1.0 - alpha32,
                                (true, false) => -alpha32,
                            };
                        }
                    })
            }
            ObjectiveKind::Binary => per_row(&mut g, &mut h, &score, y, |s, y| {
                let q = 1.0 / (1.0 + (-s).exp());
                ((q - y) as f32, (q * (1.0 - q)).max(1e-16) as f32)
            }),
            ObjectiveKind::Multiclass | ObjectiveKind::MulticlassOva => {
                // Softmax: g_c = p_c − [y = c], h_c = K/(K−1) · p_c (1 − p_c) (LightGBM's
                // factor); one-vs-all: each class's binary log loss on its own sigmoid.
                let factor = k as f64 / (k as f64 - 1.0);
                let output = output_of(p.objective);
                let mut probs = vec![0.0; k];
                for i in 0..n {
                    probs.copy_from_slice(&score[i * k..(i + 1) * k]);
                    output.convert_all(&mut probs);
                    for (c, &q) in probs.iter().enumerate() {
                        let label = f64::from(u8::from(y[i] as usize == c));
                        g[c * n + i] = (q - label) as f32;
                        h[c * n + i] = if p.objective == ObjectiveKind::Multiclass {
                            (factor * q * (1.0 - q)).max(1e-16) as f32
                        } else {
                            (q * (1.0 - q)).max(1e-16) as f32
                        };
                    }
                }
            }
            ObjectiveKind::LambdaRank => {
                if let Some(l) = &lambdarank {
                    // Queries are independent: each gets its own slices of g and h.
                    let mut work = Vec::with_capacity(queries.len());
                    let (mut gr, mut hr) = (&mut g[..], &mut h[..]);
                    let mut offset = 0;
                    for &(a, b, inv) in &queries {
                        let (gq, gtail) = std::mem::take(&mut gr)[a - offset..].split_at_mut(b - a);
                        let (hq, htail) = std::mem::take(&mut hr)[a - offset..].split_at_mut(b - a);
                        (gr, hr, offset) = (gtail, htail, b);
                        work.push((a, b, inv, gq, hq));
                    }
                    work.into_par_iter().for_each(|(a, b, inv, gq, hq)| {
                        l.query(&y[a..b], &score[a..b], inv, p, gq, hq)
                    });
                }
            }
        }
        if p.bagging_freq > 0 && p.bagging_fraction < 1.0 && it % p.bagging_freq as usize == 0 {
            bag = Some(
                (0..n as u32)
                    .filter(|_| rng.random_bool(p.bagging_fraction))
                    .collect(),
            );
        }
        let mut iteration_trees = Vec::with_capacity(k);
        for c in 0..k {
            // Features are drawn per tree, as LightGBM's column sampler does.
            let features: Vec<usize> = if p.feature_fraction < 1.0 {
                let take = ((nf as f64 * p.feature_fraction).round() as usize).max(1);
                let mut all: Vec<usize> = (0..nf).collect();
                crate::random::shuffle(&mut all, &mut rng);
                let mut chosen = all[..take].to_vec();
                chosen.sort_unstable();
                chosen
            } else {
                (0..nf).collect()
            };
            let grower = Grower {
                cols: &cols,
                mappers: &mappers,
                features: &features,
                g: &g[c * n..(c + 1) * n],
                h: &h[c * n..(c + 1) * n],
                const_hessian: constant_hessian.then_some(1.0),
                rowbins: rowbins.as_deref(),
                p,
            };
            let rows = bag.clone().unwrap_or_else(|| (0..n as u32).collect());
            let (mut tree, leaf_rows) = grower.grow(rows);
            if p.objective == ObjectiveKind::Quantile && tree.leaf_value.len() > 1 {
                // Each leaf's value becomes the α-quantile of its rows' residuals at the
                // scores before this tree, then is shrunk.
                for (v, rows) in tree.leaf_value.iter_mut().zip(&leaf_rows) {
                    if !rows.is_empty() {
                        let mut r: Vec<f64> = rows
                            .iter()
                            .map(|&i| y[i as usize] - score[i as usize])
                            .collect();
                        *v = round_to_zero(percentile(&mut r, p.alpha) * p.learning_rate);
                    }
                }
            }
            // The first tree of a class carries its initial score, as LightGBM stores
            // boost_from_average.
            if it == 0 && init[c] != 0.0 {
                for v in tree
                    .leaf_value
                    .iter_mut()
                    .chain(&mut tree.stats.internal_value)
                {
                    *v = round_to_zero(*v + init[c]);
                }
            }
            if bag.is_some() {
                // Out-of-bag rows have no leaf yet: evaluate them.
                add_tree(&mut score, x, nf, &tree, it == 0, c, k);
            } else {
                // Every row's leaf is known from the partition (each leaf's rows ascending):
                // pieces of rows in parallel, each finding its part of every leaf.
                score
                    .par_chunks_mut(ROW_PIECE * k)
                    .enumerate()
                    .for_each(|(piece, out)| {
                        let (lo, hi) = (piece * ROW_PIECE, piece * ROW_PIECE + out.len() / k);
                        for (leaf, rows) in leaf_rows.iter().enumerate() {
                            let v = tree.leaf_value[leaf];
                            let a = rows.partition_point(|&r| (r as usize) < lo);
                            let b = rows.partition_point(|&r| (r as usize) < hi);
                            for &r in &rows[a..b] {
                                let s = &mut out[(r as usize - lo) * k + c];
                                *s = if it == 0 { v } else { *s + v };
                            }
                        }
                    });
            }
            iteration_trees.push(tree);
        }
        if let (Some(v), Some(vs)) = (valid, vscore.as_mut()) {
            for (c, tree) in iteration_trees.iter().enumerate() {
                add_tree(vs, v.x, nf, tree, it == 0, c, k);
            }
            let m = metric(v, vs, &gains, p);
            history.push(if p.objective == ObjectiveKind::LambdaRank {
                -m
            } else {
                m
            });
            if best.is_none_or(|(_, b)| m < b) {
                best = Some((it, m));
            }
        }
        trees.extend(iteration_trees);
        if let Some((b, _)) = best {
            if p.early_stopping_round > 0 && it - b >= p.early_stopping_round as usize {
                break;
            }
        }
    }
    let mut best_iteration = None;
    if let Some((b, _)) = best {
        if p.early_stopping_round > 0 && (b + 1) * k < trees.len() {
            trees.truncate((b + 1) * k);
            best_iteration = Some(b as u32 + 1);
        }
    }
    Ok(Fitted {
        model: GbdtModel {
            num_features: nf,
            feature_names: (0..nf).map(|f| format!("Column_{f}")).collect(),
            objective: output_of(p.objective),
            trees,
            num_class: k,
            average_output: false,
        },
        valid_metric: history,
        best_iteration,
    })
}

/// Adds `tree`'s output for each row of `x` to `scores`; the first tree replaces them (it
/// already carries the initial score).
/// `scores` holds `k` per row; the tree adds to class `c`.
fn add_tree(
    scores: &mut [f64],
    x: &[f64],
    nf: usize,
    tree: &Tree,
    first: bool,
    c: usize,
    k: usize,
) {
    scores
        .par_chunks_mut(ROW_PIECE * k)
        .zip(x.par_chunks(ROW_PIECE * nf))
        .for_each(|(out, rows)| {
            for (s, row) in out.iter_mut().skip(c).step_by(k).zip(rows.chunks_exact(nf)) {
                *s = if first {
                    tree.predict(row)
                } else {
                    *s + tree.predict(row)
                };
            }
        });
}

/// Where LightGBM's `PercentileFun` reads `n` ≥ 1 values sorted descending: with
/// p = (n − 1)(1 − α) (α as f32, its `score_t`), the index ⌊p⌋ and the fraction p − ⌊p⌋ by
/// which the value there moves toward the next one; no fraction where it reads one value.
fn percentile_position(n: usize, alpha: f64) -> (usize, Option<f64>) {
    if n <= 1 {
        return (0, None);
    }
    let float_pos = (n - 1) as f64 * (1.0 - f64::from(alpha as f32));
    let pos = float_pos as usize + 1;
    if pos >= n {
        (n - 1, None)
    } else {
        (pos - 1, Some(float_pos - (pos - 1) as f64))
    }
}

/// LightGBM's `PercentileFun` over `values` (reordered), in f64 (leaf renewal).
fn percentile(values: &mut [f64], alpha: f64) -> f64 {
    values.sort_unstable_by(|a, b| b.total_cmp(a));
    match percentile_position(values.len(), alpha) {
        _ if values.is_empty() => 0.0,
        (i, None) => values[i],
        (i, Some(bias)) => values[i] - (values[i] - values[i + 1]) * bias,
    }
}

/// [`percentile`] of the labels as LightGBM computes it for the initial score: on f32
/// labels, the difference taken in f32 and the result rounded to f32.
fn quantile_of_labels(y: &[f64], alpha: f64) -> f64 {
    let mut v: Vec<f32> = y.iter().map(|&v| v as f32).collect();
    v.sort_unstable_by(|a, b| b.total_cmp(a));
    match percentile_position(v.len(), alpha) {
        _ if v.is_empty() => 0.0,
        (i, None) => f64::from(v[i]),
        (i, Some(bias)) => f64::from((f64::from(v[i]) - f64::from(v[i] - v[i + 1]) * bias) as f32),
    }
}

/// Single-output gradients: `(g_i, h_i) = f(s_i, y_i)`, in parallel pieces of rows.
fn per_row(
    g: &mut [f32],
    h: &mut [f32],
    score: &[f64],
    y: &[f64],
    f: impl Fn(f64, f64) -> (f32, f32) + Sync,
) {
    g.par_chunks_mut(ROW_PIECE)
        .zip(h.par_chunks_mut(ROW_PIECE))
        .zip(score.par_chunks(ROW_PIECE).zip(y.par_chunks(ROW_PIECE)))
        .for_each(|((g, h), (s, y))| {
            for i in 0..g.len() {
                (g[i], h[i]) = f(s[i], y[i]);
            }
        });
}

#[cfg(test)]
mod tests;
