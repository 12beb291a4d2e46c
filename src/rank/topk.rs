//! The two-stage order and filter sinking, over the top-k kernels of [`crate::topk`].

pub use crate::topk::{top_k, top_k_reference};

/// Sinks the scores of influencers a filter's `mask` leaves out below every other.
pub(super) fn sink_filtered(scores: &mut [f64], mask: Option<&[bool]>) {
    if let Some(m) = mask {
        for (x, _) in scores.iter_mut().zip(m).filter(|(_, &ok)| !ok) {
            *x = f64::NEG_INFINITY;
        }
    }
}

/// The two-stage order: candidates (top `c` by `rating` ∪ top `c` by the factorization
/// score) ordered by `ranker`'s scores of them, then, while fewer than `k`, the remaining
/// influencers by rating. `ranker` gets the candidate ids (ascending) and returns one score
/// each. Ties go to the lower id.
pub fn pipeline_order(
    rating: &[f64],
    model: Option<&[f64]>,
    c: usize,
    k: usize,
    ranker: impl FnOnce(&[usize]) -> Vec<f64>,
) -> Vec<usize> {
    let mut cand = top_k(rating, c);
    if let Some(m) = model {
        cand.extend(top_k(m, c));
    }
    cand.sort_unstable();
    cand.dedup();
    let scores = ranker(&cand);
    let mut order: Vec<usize> = top_k(&scores, k).into_iter().map(|j| cand[j]).collect();
    if order.len() < k {
        let mut rest = rating.to_vec();
        for &i in &cand {
            rest[i] = f64::NEG_INFINITY;
        }
        let more = k.min(rating.len()) - order.len();
        order.extend(top_k(&rest, more));
    }
    order
}
