//! Evaluation on held-out collaboration evidence (issue 28): the accounts that mentioned,
//! tagged or were paid by a brand are what a good list for that brand should find.
//!
//! Protocol. A target is a brand with a handle that at least one influencer named
//! ([`crate::catalog::MentionRow`]); its positives are those influencers (the brand's own
//! account, when it is in the influencer table, is neither a positive nor ranked). Targets
//! are dealt into folds by a seeded shuffle. For each fold the evidence is hidden: the
//! fold's mention rows go, and so do the influencers' brand-name hashtags (a tag that starts
//! with the brand's handle or name written as one word, such as `#nike` or `#nikerunning`,
//! so the rule cannot read the answer off a tag). The models are trained on what is left as
//! the product trains them, and every influencer is ranked for each target by every
//! ordering through [`Recommender::rank`], the path the page and the CLI take.
//!
//! With [`MentionEvalParams::interactions`] (what `train` measures its default ordering on,
//! [`crate::evaluation::choice`]) a target's positives also include its interaction
//! positives, and a fold hides those too: every brand with evidence of either kind is
//! looked for as if it had none.
//!
//! Metrics, averaged over targets: HR@10 (a positive in the first 10), NDCG@25 (binary
//! gains, ideal order of min(|positives|, 25)), MRR (1 / rank of the first positive), and
//! the brands-told-apart figure: the mean Jaccard overlap of the top 10 between two targets
//! of one category (1 is one list for all of them).

use std::collections::BTreeSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::factor::FactorSettings;
use crate::model::Brand;
use crate::rank::{RankBy, RankRequest, Recommender, Who};
use crate::ranker::train::RankerSettings;
use crate::ranker::Ranker;
use crate::text::normalize_handle;

/// How the held-out evaluation runs.
#[derive(Debug, Clone)]
pub struct MentionEvalParams {
    /// Folds the targets are dealt into (fewer when there are fewer targets).
    pub folds: usize,
    /// Seed of the folds, the random ordering and the models.
    pub seed: u64,
    /// The factorization model's settings.
    pub factor: FactorSettings,
    /// The ranker's settings.
    pub ranker: RankerSettings,
    /// Whether interaction positives (points >= the factor settings' `min_points`) are
    /// evidence too: looked for and hidden like mentions.
    pub interactions: bool,
}

/// One ordering's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionEvalRow {
    /// The ordering.
    pub ordering: String,
    /// Targets it ranked (0 when the ordering was absent: see `absent`).
    pub brands: usize,
    /// Share of targets with a positive in the first 10.
    pub hr_at_10: f64,
    /// Mean NDCG@25.
    pub ndcg_at_25: f64,
    /// Mean reciprocal rank of the first positive.
    pub mrr: f64,
    /// Mean top-10 Jaccard overlap between targets of one category (None with no such pair).
    pub overlap_at_10: Option<f64>,
    /// Why the ordering could not be evaluated (the bundle would not have it).
    pub absent: Option<String>,
    /// NDCG@25 of each target, in target order (empty when absent).
    #[serde(skip)]
    pub per_target: Vec<f64>,
}

/// The evaluation's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionEval {
    /// Targets (brands with a handle some influencer named).
    pub targets: usize,
    /// Positives over all targets.
    pub positives: usize,
    /// Folds used.
    pub folds: usize,
    /// One row per ordering.
    pub rows: Vec<MentionEvalRow>,
}

/// The orderings, in table order.
const ORDERINGS: [&str; 6] = [
    "random",
    "popularity (followers)",
    "cohesion rule (the rating)",
    "factorization model, brand in the table",
    "factorization model, described as a new brand",
    "ranker pipeline",
];

/// A word of at least three letters or digits (a brand's handle or name with everything
/// else dropped), lower case: what a brand-name hashtag starts with.
fn tag_token(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (t.chars().count() >= 3).then_some(t)
}

/// A brand whose evidence is looked for: (brand id, positives, the brand's own account in the
/// influencer table).
type Target = (u32, BTreeSet<u32>, Option<u32>);

/// The targets of `c` as `p` defines them (see the module docs), in brand order.
fn targets_of(c: &Catalog, p: &MentionEvalParams) -> Vec<Target> {
    let brands = c.brands();
    let infs = c.influencers();
    // The influencer that is the brand's own account, if any.
    let own = |b: &Brand| {
        infs.iter()
            .position(|i| normalize_handle(&i.name).as_deref() == Some(b.handle.as_str()))
            .map(|i| i as u32)
    };
    let mut targets: Vec<Target> = Vec::new();
    for (id, b) in brands.iter().enumerate() {
        if b.handle.is_empty() && !p.interactions {
            continue;
        }
        let me = own(b);
        let mut pos: BTreeSet<u32> = c
            .mentions()
            .iter()
            .filter(|m| m.handle == b.handle && Some(m.influencer) != me)
            .map(|m| m.influencer)
            .collect();
        if p.interactions {
            pos.extend(
                c.brand_points(id as u32)
                    .iter()
                    .filter(|(i, points)| *points >= p.factor.min_points && Some(*i) != me)
                    .map(|(i, _)| *i),
            );
        }
        if !pos.is_empty() {
            targets.push((id as u32, pos, me));
        }
    }
    targets
}

/// How many brands [`evaluate_mentions`] would look for (no model is trained).
pub fn count_targets(c: &Catalog, p: &MentionEvalParams) -> (usize, usize) {
    let t = targets_of(c, p);
    (t.len(), t.iter().map(|t| t.1.len()).sum())
}

/// Runs the held-out evaluation on `c` (see the module docs).
pub fn evaluate_mentions(c: &Catalog, p: &MentionEvalParams) -> Result<MentionEval> {
    let brands = c.brands();
    let infs = c.influencers();
    let targets = targets_of(c, p);
    if targets.is_empty() {
        return Err(Error::InvalidParam {
            name: "mentions",
            message: "no brand in the table has a handle that an influencer's posts name: \
                      nothing to evaluate (brands.csv needs a handle column, and mentions.csv \
                      rows naming those handles)"
                .into(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let mut order: Vec<usize> = (0..targets.len()).collect();
    crate::random::shuffle(&mut order, &mut rng);
    let folds = p.folds.clamp(1, targets.len());
    // Per ordering, per target: the rank list (influencer ids, best first) or why absent.
    let mut lists: Vec<Vec<(usize, Vec<u32>)>> = vec![Vec::new(); ORDERINGS.len()];
    let mut absent: Vec<Option<String>> = vec![None; ORDERINGS.len()];
    for fold in 0..folds {
        let members: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
            .map(|(_, &t)| t)
            .collect();
        let rec = held_out(
            c,
            &members.iter().map(|&t| targets[t].0).collect::<Vec<_>>(),
            p,
        )?;
        for &t in &members {
            let (b, me) = (&brands[targets[t].0 as usize], targets[t].2);
            let keep = |ids: Vec<u32>| -> Vec<u32> {
                ids.into_iter().filter(|&i| Some(i) != me).collect()
            };
            let n = infs.len();
            let mut random: Vec<u32> = (0..n as u32).collect();
            crate::random::shuffle(&mut random, &mut rng);
            let mut popular: Vec<u32> = (0..n as u32).collect();
            popular.sort_by_key(|&i| {
                (
                    std::cmp::Reverse(infs[i as usize].followers.unwrap_or(0)),
                    i,
                )
            });
            lists[0].push((t, keep(random)));
            lists[1].push((t, keep(popular)));
            let rank = |who: Who, by: RankBy| -> Result<Option<Vec<u32>>> {
                let req = RankRequest {
                    by,
                    ..RankRequest::default()
                };
                let (used, ids) = rec.order(who, n, &req)?;
                Ok((used == by).then_some(ids))
            };
            let as_new = b.clone();
            let ranked = [
                rank(Who::Known(&b.name), RankBy::Rating)?,
                rank(Who::Known(&b.name), RankBy::Model)?,
                rank(Who::New(&as_new), RankBy::Model)?,
                rank(Who::Known(&b.name), RankBy::Ranker)?,
            ];
            for (j, r) in ranked.into_iter().enumerate() {
                match r {
                    Some(ids) => lists[2 + j].push((t, keep(ids))),
                    None => {
                        absent[2 + j] = Some(match j {
                            3 => "no ranker: it needs interactions from 10 brands".into(),
                            _ => "no factorization model: nothing to learn from".into(),
                        })
                    }
                }
            }
        }
    }
    let rows = ORDERINGS
        .iter()
        .enumerate()
        .map(|(o, name)| {
            let done = if absent[o].is_some() {
                &[][..]
            } else {
                &lists[o][..]
            };
            figures(name, done, &targets, brands, absent[o].clone())
        })
        .collect();
    Ok(MentionEval {
        targets: targets.len(),
        positives: targets.iter().map(|t| t.1.len()).sum(),
        folds,
        rows,
    })
}

/// The recommender trained on `c` with the evidence of brands `held` hidden.
fn held_out(c: &Catalog, held: &[u32], p: &MentionEvalParams) -> Result<Recommender> {
    let mut t = c.tables().clone();
    let mut held = held.to_vec();
    held.sort_unstable();
    let handles: BTreeSet<&str> = held
        .iter()
        .map(|&b| c.brands()[b as usize].handle.as_str())
        .filter(|h| !h.is_empty())
        .collect();
    t.mentions.retain(|m| !handles.contains(m.handle.as_str()));
    if p.interactions {
        t.pair_points
            .retain(|x| held.binary_search(&x.brand).is_err());
    }
    let tokens: Vec<String> = held
        .iter()
        .flat_map(|&b| {
            let b = &c.brands()[b as usize];
            [tag_token(&b.handle), tag_token(&b.name)]
        })
        .flatten()
        .collect();
    for i in &mut t.influencers {
        i.hashtags
            .retain(|h| !tokens.iter().any(|tok| h.starts_with(tok.as_str())));
    }
    let masked = Catalog::from_tables(t, "held-out evidence")?;
    let mut factor = p.factor.clone();
    factor.params.random_state = p.seed;
    let model = crate::factor::fit(&masked, &factor, None)?.map(|f| f.model);
    let ranker = match crate::ranker::train::untrainable(&masked, &factor, &p.ranker) {
        Some(_) => None,
        None => {
            let (stored, _) = crate::ranker::train::fit(&masked, Some(&factor), &p.ranker)?;
            Some(Ranker::load(&stored)?)
        }
    };
    Recommender::new(masked, model, ranker)
}

/// One ordering's row from its rank lists.
fn figures(
    name: &str,
    lists: &[(usize, Vec<u32>)],
    targets: &[Target],
    brands: &[Brand],
    absent: Option<String>,
) -> MentionEvalRow {
    let (mut hr, mut ndcg, mut mrr) = (0.0, 0.0, 0.0);
    let mut per_target = vec![0.0; if lists.is_empty() { 0 } else { targets.len() }];
    for (t, list) in lists {
        let pos = &targets[*t].1;
        if list.iter().take(10).any(|i| pos.contains(i)) {
            hr += 1.0;
        }
        // DCG with gains 1 at 1-based ranks r: 1 / log2(r + 1).
        let dcg: f64 = list
            .iter()
            .take(25)
            .enumerate()
            .filter(|(_, i)| pos.contains(i))
            .map(|(r, _)| 1.0 / ((r + 2) as f64).log2())
            .sum();
        let ideal: f64 = (0..pos.len().min(25))
            .map(|r| 1.0 / ((r + 2) as f64).log2())
            .sum();
        ndcg += dcg / ideal;
        per_target[*t] = dcg / ideal;
        if let Some(r) = list.iter().position(|i| pos.contains(i)) {
            mrr += 1.0 / (r + 1) as f64;
        }
    }
    // Brands told apart: top-10 Jaccard over pairs of targets of one (known) category.
    let (mut sum, mut pairs) = (0.0, 0usize);
    for (a, (ta, la)) in lists.iter().enumerate() {
        for (tb, lb) in &lists[a + 1..] {
            let (ca, cb) = (
                &brands[targets[*ta].0 as usize].category,
                &brands[targets[*tb].0 as usize].category,
            );
            if ca.is_empty() || ca != cb {
                continue;
            }
            let x: BTreeSet<u32> = la.iter().take(10).copied().collect();
            let y: BTreeSet<u32> = lb.iter().take(10).copied().collect();
            let union = x.union(&y).count();
            if union > 0 {
                sum += x.intersection(&y).count() as f64 / union as f64;
                pairs += 1;
            }
        }
    }
    let n = lists.len().max(1) as f64;
    MentionEvalRow {
        ordering: name.into(),
        brands: lists.len(),
        hr_at_10: hr / n,
        ndcg_at_25: ndcg / n,
        mrr: mrr / n,
        overlap_at_10: (pairs > 0).then(|| sum / pairs as f64),
        absent,
        per_target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::BuildParams;
    use crate::cohesion::tests::influencer;
    use crate::model::Mention;

    fn params() -> MentionEvalParams {
        MentionEvalParams {
            folds: 5,
            seed: 7,
            factor: FactorSettings::default(),
            ranker: RankerSettings::default(),
            interactions: false,
        }
    }

    fn brand(name: &str, handle: &str, tags: &[&str]) -> Brand {
        Brand {
            name: name.into(),
            category: "music".into(),
            country: "US".into(),
            hashtags: tags.iter().map(|t| t.to_string()).collect(),
            handle: handle.into(),
            ..Brand::default()
        }
    }

    #[test]
    fn brand_name_tags_are_hidden_the_own_account_is_not_ranked_and_figures_are_exact() {
        // "a" mentioned Nike; its #nikerunning would give it the shared-tag point and first
        // place. Hidden, it falls behind "b" (one shared tag, #run) and ranks 2nd; the brand's
        // own account "nike" (16 points) is no candidate. Rule: HR@10 1, MRR 1/2,
        // NDCG@25 = (1 / log2 3) / 1.
        let infs = vec![
            influencer("a", "", "", &["nikerunning"], 0.05),
            influencer("b", "", "", &["run"], 0.0),
            influencer("c", "", "", &[], 0.0),
            influencer("nike", "music", "US", &["run"], 0.0),
        ];
        let brands = vec![
            brand("Nike", "nike", &["nikerunning", "run"]),
            brand("Glow", "glowlab", &["glow"]),
        ];
        let (c, _) = Catalog::build(infs, brands, &[], &BuildParams::default()).unwrap();
        let mention = |inf: &str, handle: &str| Mention {
            influencer: inf.into(),
            handle: handle.into(),
            posts: 1,
            ..Mention::default()
        };
        let (c, _) = c
            .with_mentions(&[mention("a", "nike"), mention("nike", "nike")])
            .unwrap();
        let e = evaluate_mentions(&c, &params()).unwrap();
        assert_eq!((e.targets, e.positives, e.folds), (1, 1, 1));
        let rule = &e.rows[2];
        assert_eq!(rule.ordering, "cohesion rule (the rating)");
        assert_eq!((rule.brands, rule.hr_at_10, rule.mrr), (1, 1.0, 0.5));
        assert!((rule.ndcg_at_25 - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(rule.overlap_at_10, None, "one target: no pair to compare");
        assert_eq!(e.rows.len(), ORDERINGS.len());
        // The ranker needs interactions from 10 brands: it says so rather than scoring.
        assert!(e.rows[5]
            .absent
            .as_deref()
            .is_some_and(|w| w.contains("10 brands")));

        // No handle that anyone named: nothing to evaluate, said by name.
        let (c, _) = c.with_mentions(&[mention("a", "adidas")]).unwrap();
        match evaluate_mentions(&c, &params()) {
            Err(Error::InvalidParam { name, .. }) => assert_eq!(name, "mentions"),
            other => panic!("expected InvalidParam, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn overlap_is_the_mean_top_ten_jaccard_of_same_category_targets() {
        let brands = vec![brand("A", "a", &[]), brand("B", "b", &[]), {
            let mut c = brand("C", "c", &[]);
            c.category = "food_cooking".into();
            c
        }];
        let targets: Vec<(u32, BTreeSet<u32>, Option<u32>)> =
            (0..3).map(|b| (b, BTreeSet::from([0u32]), None)).collect();
        // A and B share 5 of 15 distinct ids in their top 10; C (another category) is not
        // compared.
        let lists = vec![
            (0, (0..10).collect::<Vec<u32>>()),
            (1, (5..15).collect()),
            (2, (0..10).collect()),
        ];
        let row = figures("x", &lists, &targets, &brands, None);
        assert!((row.overlap_at_10.unwrap() - 5.0 / 15.0).abs() < 1e-12);
        assert_eq!((row.hr_at_10, row.mrr), (2.0 / 3.0, 2.0 / 3.0));
    }
}
