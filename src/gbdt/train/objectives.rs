//! Leaf values, split gains and the objectives' gradients: LightGBM's formulas (see the
//! module docs of [`super`]) and NDCG for lambdarank and its metric.

use super::params::GbdtParams;

pub(super) fn threshold_l1(g: f64, l1: f64) -> f64 {
    g.signum() * (g.abs() - l1).max(0.0)
}

pub(super) fn leaf_score(g: f64, h: f64, p: &GbdtParams) -> f64 {
    let t = threshold_l1(g, p.lambda_l1);
    t * t / (h + p.lambda_l2)
}

/// The leaf output −T(G)/(H + λ₂) (before shrinkage).
pub fn leaf_output(g: f64, h: f64, p: &GbdtParams) -> f64 {
    -threshold_l1(g, p.lambda_l1) / (h + p.lambda_l2)
}

/// The gain of splitting (G, H) into (G_L, H_L) and the rest.
pub fn split_gain(gl: f64, hl: f64, g: f64, h: f64, p: &GbdtParams) -> f64 {
    leaf_score(gl, hl, p) + leaf_score(g - gl, h - hl, p) - leaf_score(g, h, p)
}

/// LightGBM's `MaybeRoundToZero`, applied wherever it shrinks or shifts a tree's values:
/// magnitudes at or below 1e-35 (and −0) become +0.
pub(super) fn round_to_zero(v: f64) -> f64 {
    if v.abs() > 1e-35 {
        v
    } else {
        0.0
    }
}

/// DCG position discount 1/log₂(2 + r) for 0-based rank r.
pub(super) fn discount(r: usize) -> f64 {
    1.0 / ((2 + r) as f64).log2()
}

/// 1 / maxDCG@k of a query's labels (0 when every label gains nothing).
pub(super) fn inverse_max_dcg(labels: &[f64], k: usize, gains: &[f64]) -> f64 {
    let mut l: Vec<f64> = labels.to_vec();
    l.sort_by(|a, b| b.total_cmp(a));
    let max: f64 = l
        .iter()
        .take(k)
        .enumerate()
        .map(|(r, &y)| gains[y as usize] * discount(r))
        .sum();
    if max > 0.0 {
        1.0 / max
    } else {
        0.0
    }
}

/// Mean NDCG@k over queries (LightGBM's convention: a query with no gain scores 1).
/// Ties in score keep row order.
pub fn ndcg_at(k: usize, y: &[f64], score: &[f64], group: &[u32], gains: &[f64]) -> f64 {
    let mut start = 0usize;
    let mut total = 0.0;
    for &size in group {
        let (ys, ss) = (
            &y[start..start + size as usize],
            &score[start..start + size as usize],
        );
        start += size as usize;
        let inv = inverse_max_dcg(ys, k, gains);
        if inv == 0.0 {
            total += 1.0;
            continue;
        }
        let mut order: Vec<usize> = (0..ys.len()).collect();
        order.sort_by(|&a, &b| ss[b].total_cmp(&ss[a]));
        let dcg: f64 = order
            .iter()
            .take(k)
            .enumerate()
            .map(|(r, &i)| gains[ys[i] as usize] * discount(r))
            .sum();
        total += dcg * inv;
    }
    total / group.len().max(1) as f64
}

/// What lambdarank gradients need besides the query: LightGBM's lookup table for
/// ρ(Δs) = 1/(1 + e^{σΔs}) (2²⁰ bins over Δs ∈ [−25/σ, 25/σ], clamped outside), the DCG
/// discounts by rank, and the label gains.
pub(super) struct Lambdarank {
    pub(super) table: Vec<f64>,
    pub(super) min_input: f64,
    pub(super) max_input: f64,
    pub(super) factor: f64,
    pub(super) discounts: Vec<f64>,
    pub(super) gains: Vec<f64>,
}

impl Lambdarank {
    const BINS: usize = 1 << 20;

    pub(super) fn new(p: &GbdtParams, max_query: usize) -> Lambdarank {
        let min_input = -50.0 / p.sigmoid / 2.0;
        let max_input = -min_input;
        let factor = Self::BINS as f64 / (max_input - min_input);
        let table = (0..Self::BINS)
            .map(|i| {
                let s = i as f64 / factor + min_input;
                1.0 / (1.0 + (s * p.sigmoid).exp())
            })
            .collect();
        Lambdarank {
            table,
            min_input,
            max_input,
            factor,
            discounts: (0..max_query).map(discount).collect(),
            gains: p.label_gains(),
        }
    }

    #[inline]
    pub(super) fn rho(&self, delta: f64) -> f64 {
        if delta <= self.min_input {
            self.table[0]
        } else if delta >= self.max_input {
            self.table[Self::BINS - 1]
        } else {
            self.table[((delta - self.min_input) * self.factor) as usize]
        }
    }

    /// Gradients of one query (see the module docs); `g`, `h` are overwritten.
    pub(super) fn query(
        &self,
        y: &[f64],
        s: &[f64],
        inv_max_dcg: f64,
        p: &GbdtParams,
        g: &mut [f32],
        h: &mut [f32],
    ) {
        let cnt = y.len();
        g.fill(0.0);
        h.fill(0.0);
        if cnt < 2 || inv_max_dcg == 0.0 {
            return;
        }
        let mut order: Vec<usize> = (0..cnt).collect();
        order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        // Labels, scores and gains in rank order, so the pair loop reads memory in sequence.
        let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let ss: Vec<f64> = order.iter().map(|&i| s[i]).collect();
        let gs: Vec<f64> = ys.iter().map(|&l| self.gains[l as usize]).collect();
        let (mut lg, mut lh) = (vec![0f64; cnt], vec![0f64; cnt]);
        let (best, worst) = (ss[0], ss[cnt - 1]);
        let norm = p.lambdarank_norm && best != worst;
        let mut sum_lambdas = 0.0;
        let trunc = p.lambdarank_truncation_level as usize;
        for i in 0..(cnt - 1).min(trunc) {
            for j in i + 1..cnt {
                if ys[i] == ys[j] {
                    continue;
                }
                // Ranks of the better and the worse labelled document.
                let (hr, lr) = if ys[i] > ys[j] { (i, j) } else { (j, i) };
                let delta_score = ss[hr] - ss[lr];
                let mut delta_ndcg = (gs[hr] - gs[lr])
                    * (self.discounts[hr] - self.discounts[lr]).abs()
                    * inv_max_dcg;
                if norm {
                    delta_ndcg /= 0.01 + delta_score.abs();
                }
                let rho = self.rho(delta_score);
                let lambda = -p.sigmoid * rho * delta_ndcg;
                let hess = p.sigmoid * p.sigmoid * rho * (1.0 - rho) * delta_ndcg;
                lg[lr] -= lambda;
                lh[lr] += hess;
                lg[hr] += lambda;
                lh[hr] += hess;
                sum_lambdas -= 2.0 * lambda;
            }
        }
        let scale = if p.lambdarank_norm && sum_lambdas > 0.0 {
            (1.0 + sum_lambdas).log2() / sum_lambdas
        } else {
            1.0
        };
        for (r, &i) in order.iter().enumerate() {
            g[i] = (lg[r] * scale) as f32;
            h[i] = (lh[r] * scale) as f32;
        }
    }
}
