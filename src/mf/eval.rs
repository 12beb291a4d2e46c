//! Ranking metrics with LightFM's semantics (`lightfm.evaluation`), for any scorer.
//!
//! For a user with test positives T and train positives R, the rank of i ∈ T is the number of
//! items j ∉ R, j ≠ i, with ŷ_j ≥ ŷ_i: train positives are excluded and ties count against
//! the item. Other test positives count too, as in the reference.
//! - precision@k = |{i ∈ T : rank_i < k}| / k; recall@k = the same / |T|;
//! - reciprocal rank = max_i 1 / (rank_i + 1);
//! - AUC: sort T's ranks ascending, subtract from the m-th its m higher-ranked fellow
//!   positives (floored at 0), then mean of 1 − rank/N with N = n_items − |T| − |R|;
//! - NDCG@k = Σ_{rank_i < k} 1/log2(rank_i + 2) / Σ_{m < min(k, |T|)} 1/log2(m + 2).
//!
//! Users with no test positives are left out of every mean (the reference's default
//! `preserve_rows=False`). Where the reference is inconsistent — a user with no negatives
//! (N = 0) gets a division by zero there, while a user with no positives at all gets 0.5 —
//! we leave such users out of the AUC mean and report how many were left out.

use serde::{Deserialize, Serialize};

use super::features::CsrMatrix;

/// Mean metrics over evaluated users.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Metrics {
    /// precision@k.
    pub precision_at_k: f64,
    /// recall@k.
    pub recall_at_k: f64,
    /// AUC.
    pub auc: f64,
    /// Mean reciprocal rank.
    pub reciprocal_rank: f64,
    /// NDCG@k.
    pub ndcg_at_k: f64,
    /// Users evaluated (with at least one test positive).
    pub users: usize,
    /// Users left out of the AUC mean for lack of negatives.
    pub auc_skipped: usize,
}

/// Ranks of the test items `test` given every item's score and the user's train positives
/// (`train` sorted).
pub fn ranks(scores: &[f32], train: &[u32], test: &[u32]) -> Vec<u32> {
    let mut others: Vec<f32> = scores
        .iter()
        .enumerate()
        .filter(|(j, _)| train.binary_search(&(*j as u32)).is_err())
        .map(|(_, &s)| s)
        .collect();
    others.sort_unstable_by(|a, b| b.total_cmp(a));
    test.iter()
        .map(|&i| {
            let s = scores[i as usize];
            // Number of non-train items with score >= s (sorted descending).
            let ge = others.partition_point(|&x| x.total_cmp(&s).is_ge()) as u32;
            let self_counted = train.binary_search(&i).is_err();
            ge - u32::from(self_counted)
        })
        .collect()
}

/// Per-user metric values, or `None` for AUC when the user has no negatives.
fn user_metrics(
    r: &[u32],
    n_items: usize,
    n_train: usize,
    k: usize,
) -> (f64, f64, Option<f64>, f64, f64) {
    let t = r.len();
    let hits = r.iter().filter(|&&x| (x as usize) < k).count() as f64;
    let rr = r
        .iter()
        .map(|&x| 1.0 / (f64::from(x) + 1.0))
        .fold(0.0, f64::max);
    let dcg: f64 = r
        .iter()
        .filter(|&&x| (x as usize) < k)
        .map(|&x| 1.0 / (f64::from(x) + 2.0).log2())
        .sum();
    let idcg: f64 = (0..k.min(t)).map(|m| 1.0 / (m as f64 + 2.0).log2()).sum();
    let negatives = n_items as i64 - t as i64 - n_train as i64;
    let auc = (negatives > 0).then(|| {
        let mut sorted = r.to_vec();
        sorted.sort_unstable();
        sorted
            .iter()
            .enumerate()
            .map(|(m, &x)| 1.0 - (f64::from(x) - m as f64).max(0.0) / negatives as f64)
            .sum::<f64>()
            / t as f64
    });
    (hits / k as f64, hits / t as f64, auc, rr, dcg / idcg)
}

/// Evaluates `score(user, out)` (fills `out` with every item's score) on `test`, excluding
/// `train` positives, at cut-off `k`.
pub fn evaluate(
    mut score: impl FnMut(u32, &mut Vec<f32>),
    train: &CsrMatrix,
    test: &CsrMatrix,
    k: usize,
) -> Metrics {
    let n_items = test.cols as usize;
    let mut m = Metrics::default();
    let (mut auc_n, mut buf) = (0usize, Vec::new());
    for u in 0..test.rows {
        let t = test.row(u).0;
        if t.is_empty() {
            continue;
        }
        let tr = if u < train.rows { train.row(u).0 } else { &[] };
        score(u, &mut buf);
        let r = ranks(&buf, tr, t);
        let (p, rc, auc, rr, nd) = user_metrics(&r, n_items, tr.len(), k);
        m.users += 1;
        m.precision_at_k += p;
        m.recall_at_k += rc;
        m.reciprocal_rank += rr;
        m.ndcg_at_k += nd;
        match auc {
            Some(a) => {
                m.auc += a;
                auc_n += 1;
            }
            None => m.auc_skipped += 1,
        }
    }
    let n = m.users.max(1) as f64;
    m.precision_at_k /= n;
    m.recall_at_k /= n;
    m.reciprocal_rank /= n;
    m.ndcg_at_k /= n;
    m.auc /= auc_n.max(1) as f64;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_ranks_and_metrics() {
        // 6 items. Scores: [0.9, 0.8, 0.8, 0.1, 0.5, 0.3]. Train positive: item 0.
        // Test positives: items 2 and 5.
        // rank(2): non-train items other than 2 with score >= 0.8: item 1 (tie counts) -> 1.
        // rank(5): items 1, 2, 4 -> 3.
        let scores = [0.9, 0.8, 0.8, 0.1, 0.5, 0.3];
        let r = ranks(&scores, &[0], &[2, 5]);
        assert_eq!(r, vec![1, 3]);
        // k = 2: hits = 1 -> precision 0.5, recall 0.5; RR = 1/2.
        // negatives N = 6 - 2 - 1 = 3; AUC = mean(1 - 1/3, 1 - (3-1)/3) = mean(2/3, 1/3) = 0.5.
        // NDCG@2 = (1/log2 3) / (1 + 1/log2 3).
        let (p, rc, auc, rr, nd) = user_metrics(&r, 6, 1, 2);
        assert_eq!((p, rc, rr), (0.5, 0.5, 0.5));
        assert!((auc.unwrap() - 0.5).abs() < 1e-12);
        let l3 = 1.0 / 3f64.log2();
        assert!((nd - l3 / (1.0 + l3)).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_no_negative_users() {
        let train = CsrMatrix::from_rows(3, &[vec![], vec![]]).unwrap();
        let test =
            CsrMatrix::from_rows(3, &[vec![(0, 1.0)], vec![(0, 1.0), (1, 1.0), (2, 1.0)]]).unwrap();
        let m = evaluate(
            |_, out| {
                out.clear();
                out.extend([3.0, 2.0, 1.0]);
            },
            &train,
            &test,
            1,
        );
        assert_eq!(m.users, 2);
        // User 0: rank 0 -> AUC 1; user 1 has no negatives -> left out of AUC.
        assert_eq!(m.auc, 1.0);
        assert_eq!(m.auc_skipped, 1);
        assert_eq!(m.precision_at_k, 1.0);
    }
}
