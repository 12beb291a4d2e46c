//! Choosing the bundle's default ordering on held-out evidence ([`OrderingChoice`]).
//!
//! The measurement is [`evaluate_mentions`] with interactions as evidence: each fold of
//! brands loses its mentions, its brand-name hashtags and its interactions, the models are
//! trained on the rest as `train` trains them, and each ordering ranks every account for
//! each hidden brand. Per target t the NDCG@25 of a learned ordering o and of the rating
//! give a paired difference d_t = NDCG_o(t) − NDCG_rating(t); over n targets its mean d̄
//! and standard error s/√n (s the sample standard deviation). A learned ordering is
//! eligible when d̄ > z · s/√n with z = [`SelectionParams::z`] (1.28: one-sided 90%), and the
//! eligible ordering with the largest d̄ is the default. With no eligible ordering, or
//! fewer than [`SelectionParams::min_targets`] targets, the default is the rating: a
//! learned ordering earns its place on evidence, and the product keeps the rule where the
//! evidence cannot tell.

use crate::catalog::Catalog;
use crate::error::Result;
use crate::factor::FactorSettings;
use crate::rank::{Basis, OrderingChoice, OrderingFigures, RankBy};
use crate::ranker::train::RankerSettings;

use super::mentions::{count_targets, evaluate_mentions, MentionEval, MentionEvalParams};

/// How the default ordering is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionParams {
    /// Folds the target brands are dealt into (3: each fold trains the models once more).
    pub folds: usize,
    /// Fewest target brands a measurement needs (10).
    pub min_targets: u32,
    /// Standard errors a learned ordering's mean gain must exceed (1.28).
    pub z: f64,
}

impl Default for SelectionParams {
    fn default() -> Self {
        SelectionParams {
            folds: 3,
            min_targets: 10,
            z: 1.28,
        }
    }
}

/// The rows of [`MentionEval`] a default can be, with the ordering each stands for.
const CANDIDATES: [(usize, RankBy); 3] =
    [(2, RankBy::Rating), (3, RankBy::Model), (5, RankBy::Ranker)];

/// Measures the orderings on `c`'s held-out evidence and chooses the default (see the
/// module docs); the evaluation is returned when it ran, for the report.
pub fn choose_ordering(
    c: &Catalog,
    factor: &FactorSettings,
    ranker: &RankerSettings,
    sel: &SelectionParams,
    seed: u64,
) -> Result<(OrderingChoice, Option<MentionEval>)> {
    let p = MentionEvalParams {
        folds: sel.folds,
        seed,
        factor: factor.clone(),
        ranker: ranker.clone(),
        interactions: true,
    };
    let (targets, positives) = count_targets(c, &p);
    if targets < sel.min_targets as usize {
        return Ok((
            OrderingChoice::rating(
                Basis::TooLittleEvidence,
                targets as u32,
                positives as u32,
                sel.min_targets,
            ),
            None,
        ));
    }
    let e = evaluate_mentions(c, &p)?;
    Ok((choice_of(&e, sel), Some(e)))
}

/// The choice an evaluation supports (see the module docs).
pub fn choice_of(e: &MentionEval, sel: &SelectionParams) -> OrderingChoice {
    let rule = &e.rows[CANDIDATES[0].0].per_target;
    let figures: Vec<OrderingFigures> = CANDIDATES
        .iter()
        .filter_map(|&(row, by)| {
            let r = e.rows.get(row).filter(|r| r.absent.is_none())?;
            let (gain, se) = paired_gain(&r.per_target, rule);
            Some(OrderingFigures {
                by,
                hr_at_10: r.hr_at_10,
                ndcg_at_25: r.ndcg_at_25,
                mrr: r.mrr,
                overlap_at_10: r.overlap_at_10,
                gain,
                gain_se: se,
            })
        })
        .collect();
    let best = figures
        .iter()
        .filter(|f| f.by != RankBy::Rating && f.gain > 0.0 && f.gain > sel.z * f.gain_se)
        .max_by(|a, b| a.gain.total_cmp(&b.gain))
        .map_or(RankBy::Rating, |f| f.by);
    OrderingChoice {
        by: best,
        basis: Basis::Measured,
        targets: e.targets as u32,
        positives: e.positives as u32,
        needed: sel.min_targets,
        figures,
    }
}

/// Mean of the paired differences `a[t] − b[t]` and its standard error (0 with fewer than
/// two pairs, or when the lengths differ: nothing to pair).
fn paired_gain(a: &[f64], b: &[f64]) -> (f64, f64) {
    if a.len() != b.len() || a.is_empty() {
        return (0.0, 0.0);
    }
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n;
    if d.len() < 2 {
        return (mean, 0.0);
    }
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::MentionEvalRow;

    fn row(name: &str, per_target: &[f64]) -> MentionEvalRow {
        MentionEvalRow {
            ordering: name.into(),
            brands: per_target.len(),
            hr_at_10: 0.5,
            ndcg_at_25: per_target.iter().sum::<f64>() / per_target.len() as f64,
            mrr: 0.5,
            overlap_at_10: None,
            absent: None,
            per_target: per_target.to_vec(),
        }
    }

    fn eval(model: &[f64], ranker: Option<&[f64]>) -> MentionEval {
        let rule = [0.2, 0.4, 0.3, 0.5];
        let mut rows = vec![
            row("random", &[0.0; 4]),
            row("popularity", &[0.0; 4]),
            row("rule", &rule),
            row("model", model),
            row("model as new", model),
        ];
        rows.push(match ranker {
            Some(r) => row("ranker", r),
            None => MentionEvalRow {
                absent: Some("no ranker".into()),
                per_target: Vec::new(),
                ..row("ranker", &[0.0])
            },
        });
        MentionEval {
            targets: 4,
            positives: 9,
            folds: 2,
            rows,
        }
    }

    #[test]
    fn a_learned_ordering_is_the_default_only_when_its_gain_clears_the_noise() {
        let sel = SelectionParams::default();
        // The model gains 0.1 on every target: se 0, a clear win.
        let c = choice_of(&eval(&[0.3, 0.5, 0.4, 0.6], None), &sel);
        assert_eq!((c.by, c.basis), (RankBy::Model, Basis::Measured));
        let m = c.figures_of(RankBy::Model).unwrap();
        assert!((m.gain - 0.1).abs() < 1e-12 && m.gain_se < 1e-12);
        assert!(
            c.figures_of(RankBy::Ranker).is_none(),
            "absent: not measured"
        );
        // Gains +0.3, −0.1, +0.1, −0.1: mean 0.05, sd 0.19, se 0.096 > 0.05 / 1.28.
        let c = choice_of(&eval(&[0.5, 0.3, 0.4, 0.4], None), &sel);
        assert_eq!(c.by, RankBy::Rating, "{c:?}");
        let m = c.figures_of(RankBy::Model).unwrap();
        assert!((m.gain - 0.05).abs() < 1e-12);
        assert!((m.gain_se - (0.0366667f64 / 4.0).sqrt()).abs() < 1e-6);
        // Below the rating everywhere: the rating.
        assert_eq!(
            choice_of(&eval(&[0.1, 0.3, 0.2, 0.4], None), &sel).by,
            RankBy::Rating
        );
        // Two clear winners: the larger gain.
        let c = choice_of(
            &eval(&[0.3, 0.5, 0.4, 0.6], Some(&[0.4, 0.6, 0.5, 0.7])),
            &sel,
        );
        assert_eq!(c.by, RankBy::Ranker);
        assert!(c.validate("x").is_ok());
        assert_eq!(c.figures[0].by, RankBy::Rating);
        assert_eq!((c.figures[0].gain, c.figures[0].gain_se), (0.0, 0.0));
    }
}
