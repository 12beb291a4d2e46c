//! Offline evaluation of every recommender on the product's data: popularity, the cohesion
//! rule, the factorization model, the GBDT ranker alone and the full pipeline (rule and
//! factorization propose candidates, the ranker orders them), on a random split of the
//! positives and on a cold-start split that holds out whole brands (scored from their content
//! features only). Metrics follow LightFM's semantics (see [`crate::mf::eval`]).

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::factor::{fit_pairs, FactorSettings, ItemIdentity};
use crate::mf::data;
use crate::mf::eval::{evaluate, Metrics};
use crate::mf::model::FactorModel;
use crate::mf::stored::Precision;
use crate::rank::pipeline_order;
use crate::ranker::train::{fit_positives, FeatureSource, RankerSettings, TrainingPairs};
use crate::ranker::{History, Ranker};

mod choice;
mod mentions;
pub use choice::{choice_of, choose_ordering, SelectionParams};
pub use mentions::{
    count_targets, evaluate_mentions, MentionEval, MentionEvalParams, MentionEvalRow,
};

/// One row of the evaluation table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalRow {
    /// Model name.
    pub model: String,
    /// Split name.
    pub split: String,
    /// Its metrics.
    pub metrics: Metrics,
}

/// Evaluates every model on both splits; `ranker` adds the GBDT ranker and pipeline rows.
pub fn evaluate_all(
    c: &Catalog,
    s: &FactorSettings,
    ranker: Option<&RankerSettings>,
    k: usize,
    seed: u64,
) -> Result<Vec<EvalRow>> {
    let (nu, ni) = (c.brands().len() as u32, c.influencers().len() as u32);
    let all = c.positives(s.min_points);
    let index = c.index();
    let prepared: Vec<_> = c.brands().iter().map(|x| index.prepare_brand(x)).collect();
    let mut rows = Vec::new();
    let splits: [(&str, data::Split); 2] = [
        ("random", data::random_split(&all, 0.2, seed)),
        ("cold-start", data::cold_start_split(&all, nu, 0.2, seed)),
    ];
    for (name, split) in splits {
        let train = data::pairs_matrix(nu, ni, &split.train)?;
        let test = data::pairs_matrix(nu, ni, &split.test)?;
        let mut push = |model: String, metrics: Metrics| {
            rows.push(EvalRow {
                model,
                split: name.into(),
                metrics,
            })
        };
        let mut pop = vec![0f32; ni as usize];
        for p in &split.train {
            pop[p.1 as usize] += 1.0;
        }
        push(
            "popularity".into(),
            evaluate(|_, out| out.clone_from(&pop), &train, &test, k),
        );
        let cohesion = |u: u32| index.score_all(&prepared[u as usize]);
        push(
            "cohesion rule".into(),
            evaluate(
                |u, out| *out = cohesion(u).into_iter().map(|x| x as f32).collect(),
                &train,
                &test,
                k,
            ),
        );
        let known: Vec<bool> = (0..nu).map(|u| !split.cold_users.contains(&u)).collect();
        let (_, fm32) = fit_pairs(c, &split.train, Some(&known), s)?;
        let fm8 = FactorModel::load(&fm32.store(Precision::I8), || c.item_content()).ok_or_else(
            || Error::InvalidParam {
                name: "precision",
                message: "int8 round trip failed".into(),
            },
        )?;
        let cold: Vec<bool> = (0..nu).map(|u| split.cold_users.contains(&u)).collect();
        // Cold brands: the vector comes from content features only.
        let user_vector = |fm: &FactorModel, u: u32| -> Vec<f32> {
            fm.brand_vector(&c.brands()[u as usize], (!cold[u as usize]).then_some(u))
        };
        for (label, fm) in [("f32", &fm32), ("int8", &fm8)] {
            push(
                format!(
                    "factorization ({:?}, d={}, {label})",
                    s.params.loss, s.params.no_components
                )
                .to_lowercase(),
                evaluate(
                    |u, out| fm.score_all(&user_vector(fm, u), out),
                    &train,
                    &test,
                    k,
                ),
            );
        }
        // The other way of describing influencers: with an identity feature each when the
        // settings have content alone (the default, whose bundle stores feature embeddings
        // and builds each influencer's vector at load), and the reverse.
        let identity = s.item_identity.applies(c.influencers().len());
        let other = FactorSettings {
            item_identity: if identity {
                ItemIdentity::Off
            } else {
                ItemIdentity::On
            },
            ..s.clone()
        };
        let (_, fmc) = fit_pairs(c, &split.train, Some(&known), &other)?;
        push(
            format!(
                "factorization ({:?}, d={}, f32, {})",
                s.params.loss,
                s.params.no_components,
                if !identity {
                    "influencer identity features"
                } else {
                    "content-only influencers"
                }
            )
            .to_lowercase(),
            evaluate(
                |u, out| fmc.score_all(&user_vector(&fmc, u), out),
                &train,
                &test,
                k,
            ),
        );
        let Some(rs) = ranker else { continue };
        // Both training tables (see crate::ranker::train::TrainingPairs), so the sampled
        // default is measured against every pair on the same split.
        let name = |p: TrainingPairs| match p {
            TrainingPairs::Every => "every pair".to_string(),
            TrainingPairs::Sampled { top, random } => {
                format!("sampled, {top} top, {random} random")
            }
        };
        let mut variants = vec![(name(rs.pairs), rs.clone())];
        if rs.pairs != TrainingPairs::Every {
            variants.push((
                name(TrainingPairs::Every),
                RankerSettings {
                    pairs: TrainingPairs::Every,
                    ..rs.clone()
                },
            ));
        }
        for (pairs, rs) in &variants {
            let (stored, _) = fit_positives(c, &split.train, Some(s), rs)?;
            let model = Ranker::load(&stored)?;
            let history =
                History::from_pairs(nu as usize, ni as usize, split.train.iter().copied());
            let evidence = crate::ranker::Evidence::of(c);
            let source = FeatureSource {
                catalog: c,
                history: &history,
                factor: Some(&fm32),
                evidence: &evidence,
            };
            let everyone: Vec<u32> = (0..ni).collect();
            let ranker_scores = |u: u32, items: &[u32]| -> Vec<f64> {
                let x = source.rows(u, cold[u as usize], items);
                x.chunks_exact(crate::ranker::NUM_FEATURES)
                    .map(|r| model.score(r))
                    .collect()
            };
            push(
                format!("gbdt ranker ({pairs})"),
                evaluate(
                    |u, out| {
                        *out = ranker_scores(u, &everyone)
                            .into_iter()
                            .map(|x| x as f32)
                            .collect()
                    },
                    &train,
                    &test,
                    k,
                ),
            );
            push(
                format!("pipeline ({} each, {pairs})", stored.candidates),
                evaluate(
                    |u, out| {
                        let mut m = Vec::new();
                        fm32.score_all(&user_vector(&fm32, u), &mut m);
                        let m: Vec<f64> = m.into_iter().map(f64::from).collect();
                        let order = pipeline_order(
                            &cohesion(u),
                            Some(&m),
                            stored.candidates as usize,
                            ni as usize,
                            |cand| {
                                let items: Vec<u32> = cand.iter().map(|&i| i as u32).collect();
                                ranker_scores(u, &items)
                            },
                        );
                        // Positions as scores: exact in f32 and strictly decreasing.
                        out.clear();
                        out.resize(ni as usize, 0.0);
                        for (pos, &i) in order.iter().enumerate() {
                            out[i] = (ni as usize - pos) as f32;
                        }
                    },
                    &train,
                    &test,
                    k,
                ),
            );
        }
    }
    Ok(rows)
}

/// Day one: every interaction hidden. The models learn from the relationship table alone
/// (the catalog without its interactions) and are scored on the hidden interactions, beside
/// the cohesion rule: on every brand (`all`, known from the scrape, so with identity
/// features) and on a cold-start split whose held-out brands are scored from their content
/// features alone and lend the models no relationship pairs either.
pub fn evaluate_day_one(
    c: &Catalog,
    s: &FactorSettings,
    k: usize,
    seed: u64,
) -> Result<Vec<EvalRow>> {
    let (nu, ni) = (c.brands().len() as u32, c.influencers().len() as u32);
    let all = c.positives(s.min_points);
    let mut tables = c.tables().clone();
    tables.pair_points.clear();
    tables.meta.interactions = 0;
    let day_one = Catalog::from_tables(tables, "day one")?;
    let index = c.index();
    let prepared: Vec<_> = c.brands().iter().map(|x| index.prepare_brand(x)).collect();
    let nothing = data::pairs_matrix(nu, ni, &[])?;
    let cold = data::cold_start_split(&all, nu, 0.2, seed);
    let mut rows = Vec::new();
    for (name, test, cold_users) in [
        ("all", all.clone(), Vec::new()),
        ("cold-start", cold.test.clone(), cold.cold_users.clone()),
    ] {
        let test = data::pairs_matrix(nu, ni, &test)?;
        let known: Vec<bool> = (0..nu).map(|u| !cold_users.contains(&u)).collect();
        let mut push = |model: &str, metrics: Metrics| {
            rows.push(EvalRow {
                model: model.into(),
                split: format!("{name} (day one)"),
                metrics,
            })
        };
        push(
            "cohesion rule",
            evaluate(
                |u, out| {
                    *out = index
                        .score_all(&prepared[u as usize])
                        .into_iter()
                        .map(|x| x as f32)
                        .collect()
                },
                &nothing,
                &test,
                k,
            ),
        );
        let (_, fm) = fit_pairs(&day_one, &[], Some(&known), s)?;
        push(
            &format!(
                "factorization (day one, {:?}, d={})",
                s.params.loss, s.params.no_components
            )
            .to_lowercase(),
            evaluate(
                |u, out| {
                    let v =
                        fm.brand_vector(&c.brands()[u as usize], known[u as usize].then_some(u));
                    fm.score_all(&v, out)
                },
                &nothing,
                &test,
                k,
            ),
        );
    }
    Ok(rows)
}

/// A fixed scorer (`score(brand)` gives every influencer's score) on the splits
/// [`evaluate_all`] uses for each seed, averaged: for rows such as the synthetic data's
/// oracle, which needs no training.
pub fn evaluate_scorer(
    c: &Catalog,
    min_points: f64,
    k: usize,
    seeds: &[u64],
    model: &str,
    score: impl Fn(u32) -> Vec<f32>,
) -> Result<Vec<EvalRow>> {
    let (nu, ni) = (c.brands().len() as u32, c.influencers().len() as u32);
    let all = c.positives(min_points);
    average(seeds, |seed| {
        let splits: [(&str, data::Split); 2] = [
            ("random", data::random_split(&all, 0.2, seed)),
            ("cold-start", data::cold_start_split(&all, nu, 0.2, seed)),
        ];
        splits
            .into_iter()
            .map(|(name, split)| {
                let train = data::pairs_matrix(nu, ni, &split.train)?;
                let test = data::pairs_matrix(nu, ni, &split.test)?;
                Ok(EvalRow {
                    model: model.into(),
                    split: name.into(),
                    metrics: evaluate(|u, out| *out = score(u), &train, &test, k),
                })
            })
            .collect()
    })
}

/// [`evaluate_all`] once per seed (splits, factorization and ranker all reseeded), averaged
/// metric by metric. One split of 120 brands is noisy (the ranker's NDCG@10 moves by a
/// tenth between seeds); the mean over several is what decisions here rest on.
pub fn evaluate_seeds(
    c: &Catalog,
    s: &FactorSettings,
    ranker: Option<&RankerSettings>,
    k: usize,
    seeds: &[u64],
) -> Result<Vec<EvalRow>> {
    average(seeds, |seed| {
        let mut fs = s.clone();
        fs.params.random_state = seed;
        let rs = ranker.map(|r| RankerSettings { seed, ..r.clone() });
        evaluate_all(c, &fs, rs.as_ref(), k, seed)
    })
}

/// [`evaluate_day_one`] once per seed, averaged.
pub fn evaluate_day_one_seeds(
    c: &Catalog,
    s: &FactorSettings,
    k: usize,
    seeds: &[u64],
) -> Result<Vec<EvalRow>> {
    average(seeds, |seed| {
        let mut fs = s.clone();
        fs.params.random_state = seed;
        evaluate_day_one(c, &fs, k, seed)
    })
}

/// The rows `run` gives for each seed, averaged metric by metric.
fn average(
    seeds: &[u64],
    mut run: impl FnMut(u64) -> Result<Vec<EvalRow>>,
) -> Result<Vec<EvalRow>> {
    let mut total: Vec<EvalRow> = Vec::new();
    for &seed in seeds {
        let rows = run(seed)?;
        if total.is_empty() {
            total = rows;
            continue;
        }
        for (t, r) in total.iter_mut().zip(rows) {
            let (a, m) = (&mut t.metrics, r.metrics);
            a.precision_at_k += m.precision_at_k;
            a.recall_at_k += m.recall_at_k;
            a.auc += m.auc;
            a.reciprocal_rank += m.reciprocal_rank;
            a.ndcg_at_k += m.ndcg_at_k;
            a.users += m.users;
            a.auc_skipped += m.auc_skipped;
        }
    }
    let n = seeds.len().max(1);
    for t in &mut total {
        let m = &mut t.metrics;
        for v in [
            &mut m.precision_at_k,
            &mut m.recall_at_k,
            &mut m.auc,
            &mut m.reciprocal_rank,
            &mut m.ndcg_at_k,
        ] {
            *v /= n as f64;
        }
        m.users /= n;
        m.auc_skipped /= n;
    }
    Ok(total)
}
