//! The bundle's default ordering and the evidence it was chosen on.
//!
//! `train` hides a share of the evidence (brands' mentions and interactions), trains the
//! learned models on the rest, and measures how well each ordering finds what was hidden
//! (the evaluation room's held-out protocol). A learned ordering becomes the default only when it
//! beats the rating on that evidence by more than the noise of the measurement; otherwise,
//! and wherever there is too little evidence to tell, the default is the rating. What the
//! choice rests on travels in the bundle, so the page can say in one sentence why.

use serde::{Deserialize, Serialize};

use super::RankBy;
use crate::error::{Error, Result};

/// Why the default is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The learned orderings were measured on held-out evidence; the default is the best of
    /// them if it beat the rating clearly, else the rating.
    Measured,
    /// Fewer brands have evidence than the measurement needs (`needed`): the rating.
    TooLittleEvidence,
    /// No learned model was trained (`--no-model`, or nothing to learn from): the rating.
    NoLearnedOrdering,
}

/// One ordering's figures on the held-out evidence (means over the target brands).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderingFigures {
    /// The ordering.
    pub by: RankBy,
    /// Share of targets with a hidden positive in the first 10.
    pub hr_at_10: f64,
    /// Mean NDCG@25.
    pub ndcg_at_25: f64,
    /// Mean reciprocal rank of the first hidden positive.
    pub mrr: f64,
    /// Mean top-10 Jaccard overlap between targets of one category (1: one list for all).
    pub overlap_at_10: Option<f64>,
    /// The mean per-target NDCG@25 gain over the rating and its standard error (0 and 0 for
    /// the rating itself).
    pub gain: f64,
    /// See `gain`.
    pub gain_se: f64,
}

/// The default ordering and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderingChoice {
    /// The default ordering.
    pub by: RankBy,
    /// Why.
    pub basis: Basis,
    /// Brands whose evidence was hidden and looked for.
    pub targets: u32,
    /// Hidden positives over all targets.
    pub positives: u32,
    /// Fewest targets a measurement needs.
    pub needed: u32,
    /// The orderings measured (the rating first), empty unless measured.
    pub figures: Vec<OrderingFigures>,
}

impl OrderingChoice {
    /// The rating, for `basis` (not measured).
    pub fn rating(basis: Basis, targets: u32, positives: u32, needed: u32) -> OrderingChoice {
        OrderingChoice {
            by: RankBy::Rating,
            basis,
            targets,
            positives,
            needed,
            figures: Vec::new(),
        }
    }

    /// The figures of ordering `by`, when it was measured.
    pub fn figures_of(&self, by: RankBy) -> Option<&OrderingFigures> {
        self.figures.iter().find(|f| f.by == by)
    }

    /// Refuses a choice no `train` writes (a hostile or damaged bundle): figures outside
    /// their ranges, an ordering measured twice, a default that was not measured, or a
    /// learned default without measurement.
    pub fn validate(&self, source: &str) -> Result<()> {
        let bad = |message: String| {
            Err(Error::Corrupted {
                source_name: source.to_string(),
                message: format!("default ordering: {message}"),
            })
        };
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        for (k, f) in self.figures.iter().enumerate() {
            if !(unit(f.hr_at_10) && unit(f.ndcg_at_25) && unit(f.mrr))
                || f.overlap_at_10.is_some_and(|o| !unit(o))
                || !(f.gain.is_finite() && f.gain_se.is_finite() && f.gain_se >= 0.0)
            {
                return bad(format!("the figures of {:?} are out of range", f.by));
            }
            if self.figures[..k].iter().any(|g| g.by == f.by) {
                return bad(format!("{:?} is measured twice", f.by));
            }
        }
        match self.basis {
            Basis::Measured if self.figures_of(self.by).is_none() => {
                bad(format!("{:?} is the default but was not measured", self.by))
            }
            Basis::TooLittleEvidence | Basis::NoLearnedOrdering if self.by != RankBy::Rating => {
                bad(format!("{:?} is the default without measurement", self.by))
            }
            _ => Ok(()),
        }
    }

    /// One English sentence: which ordering is in use and why (the CLI's; the page words its
    /// own from the same fields).
    pub fn sentence(&self) -> String {
        let name = |by: RankBy| match by {
            RankBy::Rating => "the rating (cohesion rule)",
            RankBy::Model => "the learned model",
            RankBy::Ranker => "the learned ranker",
        };
        let ndcg = |by: RankBy| self.figures_of(by).map_or(0.0, |f| f.ndcg_at_25);
        match self.basis {
            Basis::NoLearnedOrdering => {
                "Ranked by the rating (cohesion rule): no learned model was trained.".into()
            }
            Basis::TooLittleEvidence => format!(
                "Ranked by the rating (cohesion rule): {} brands have mentions or interactions to \
                 test the learned orderings on; {} are needed to tell them apart.",
                self.targets, self.needed
            ),
            Basis::Measured if self.by != RankBy::Rating => format!(
                "Ranked by {}: with {} brands' mentions and interactions hidden, it found them \
                 better than the rating (NDCG@25 {:.3} against {:.3}).",
                name(self.by),
                self.targets,
                ndcg(self.by),
                ndcg(RankBy::Rating)
            ),
            Basis::Measured => {
                let best = self
                    .figures
                    .iter()
                    .filter(|f| f.by != RankBy::Rating)
                    .max_by(|a, b| a.ndcg_at_25.total_cmp(&b.ndcg_at_25));
                match best {
                    Some(b) => format!(
                        "Ranked by the rating (cohesion rule): with {} brands' mentions and \
                         interactions hidden, no learned ordering found them clearly better \
                         (NDCG@25 {:.3}, best learned {:.3}).",
                        self.targets,
                        ndcg(RankBy::Rating),
                        b.ndcg_at_25
                    ),
                    None => "Ranked by the rating (cohesion rule).".into(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(by: RankBy, ndcg: f64) -> OrderingFigures {
        OrderingFigures {
            by,
            hr_at_10: 0.5,
            ndcg_at_25: ndcg,
            mrr: 0.25,
            overlap_at_10: Some(0.1),
            gain: 0.0,
            gain_se: 0.0,
        }
    }

    #[test]
    fn a_choice_no_train_writes_is_refused_by_name() {
        let ok = OrderingChoice {
            by: RankBy::Ranker,
            basis: Basis::Measured,
            targets: 20,
            positives: 60,
            needed: 10,
            figures: vec![figures(RankBy::Rating, 0.3), figures(RankBy::Ranker, 0.4)],
        };
        assert!(ok.validate("b").is_ok());
        assert!(ok.sentence().contains("learned ranker") && ok.sentence().contains("0.400"));
        let refused = |f: &dyn Fn(&mut OrderingChoice)| {
            let mut c = ok.clone();
            f(&mut c);
            match c.validate("b.bundle") {
                Err(Error::Corrupted {
                    source_name,
                    message,
                }) => {
                    assert_eq!(source_name, "b.bundle");
                    message
                }
                other => panic!("expected Corrupted, got {other:?}"),
            }
        };
        assert!(refused(&|c| c.by = RankBy::Model).contains("not measured"));
        assert!(refused(&|c| c.figures[1].ndcg_at_25 = 1.5).contains("out of range"));
        assert!(refused(&|c| c.figures[1].mrr = f64::NAN).contains("out of range"));
        assert!(refused(&|c| c.figures[0].overlap_at_10 = Some(-0.1)).contains("out of range"));
        assert!(refused(&|c| c.figures[0].gain_se = -1.0).contains("out of range"));
        assert!(refused(&|c| c.figures[0].by = RankBy::Ranker).contains("twice"));
        assert!(refused(&|c| c.basis = Basis::TooLittleEvidence).contains("without"));
        let few = OrderingChoice::rating(Basis::TooLittleEvidence, 3, 7, 10);
        assert!(few.validate("b").is_ok());
        assert!(few.sentence().contains("3 brands") && few.sentence().contains("10 are needed"));
    }
}
