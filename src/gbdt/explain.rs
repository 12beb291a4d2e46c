//! Per-feature contributions of one prediction: TreeSHAP (Lundberg, Erion & Lee 2018,
//! "Consistent individualized feature attribution for tree ensembles", Algorithm 2), the
//! attributions LightGBM returns with `pred_contrib=True`.
//!
//! For one tree, φ_j is the Shapley value of feature j for the game v(S) = E[f(x) | x_S],
//! where the expectation over the features not in S follows the training rows' paths (each
//! child weighted by its share of its parent's rows, r_child / r_node). The recursion keeps,
//! for the path of unique features from the root, the weights `pweight` of all subset sizes;
//! each feature's element carries its zero fraction z (share of rows going this way) and one
//! fraction o (1 if x goes this way, else 0). At a leaf with value v:
//!
//! ```text
//! φ_j += W_j · (o_j − z_j) · v,   W_j = Σ over subset sizes of the path with j unwound
//! ```
//!
//! A feature met twice on a path is unwound first and re-extended with the product of its
//! fractions. The last entry of the result is the expected value Σ_leaves (r_leaf/r_root)·v,
//! so the entries sum to the raw score (local accuracy).

use super::model::{GbdtModel, Tree};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    feature: i64,
    zero_fraction: f64,
    one_fraction: f64,
    pweight: f64,
}

/// Adds an element to the path, updating the subset-size weights (EXTEND in the paper).
fn extend(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: i64) {
    path[depth] = PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        pweight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].pweight += one * path[i].pweight * (i + 1) as f64 / d1;
        path[i].pweight = zero * path[i].pweight * (depth - i) as f64 / d1;
    }
}

/// Removes element `at` from the path, undoing its EXTEND (UNWIND in the paper).
fn unwind(path: &mut [PathElement], depth: usize, at: usize) {
    let (one, zero) = (path[at].one_fraction, path[at].zero_fraction);
    let d1 = (depth + 1) as f64;
    let mut next_one = path[depth].pweight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = path[i].pweight;
            path[i].pweight = next_one * d1 / ((i + 1) as f64 * one);
            next_one = tmp - path[i].pweight * zero * (depth - i) as f64 / d1;
        } else {
            path[i].pweight = path[i].pweight * d1 / (zero * (depth - i) as f64);
        }
    }
    for i in at..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// The total weight the path would have with element `at` unwound, without changing it.
fn unwound_sum(path: &[PathElement], depth: usize, at: usize) -> f64 {
    let (one, zero) = (path[at].one_fraction, path[at].zero_fraction);
    let d1 = (depth + 1) as f64;
    let mut next_one = path[depth].pweight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = next_one * d1 / ((i + 1) as f64 * one);
            total += tmp;
            next_one = path[i].pweight - tmp * zero * ((depth - i) as f64 / d1);
        } else {
            total += (path[i].pweight / zero) / ((depth - i) as f64 / d1);
        }
    }
    total
}

impl Tree {
    fn count_u32(&self, node: i32) -> u32 {
        let got = if node >= 0 {
            self.internal_count.get(node as usize)
        } else {
            self.leaf_count.get((!node) as usize)
        };
        got.copied().unwrap_or(0)
    }

    fn count(&self, node: i32) -> f64 {
        f64::from(self.count_u32(node))
    }

    /// Σ_leaves (r_leaf / r_root) · v_leaf: the tree's mean output over its training rows.
    pub fn expected_value(&self) -> f64 {
        if self.left_child.is_empty() {
            return self.leaf_value.first().copied().unwrap_or(0.0);
        }
        let root = f64::from(self.internal_count[0]);
        self.leaf_value
            .iter()
            .zip(&self.leaf_count)
            .map(|(v, &c)| f64::from(c) / root * v)
            .sum()
    }

    #[allow(clippy::too_many_arguments)]
    fn shap_recurse(
        &self,
        row: &[f64],
        phi: &mut [f64],
        node: i32,
        depth: usize,
        parent: &[PathElement],
        zero: f64,
        one: f64,
        feature: i64,
    ) {
        // Each level works on its own copy of the path, one element longer.
        let mut path = parent[..depth].to_vec();
        path.push(PathElement::default());
        extend(&mut path, depth, zero, one, feature);
        if node < 0 {
            let v = self.leaf_value[(!node) as usize];
            for i in 1..=depth {
                let w = unwound_sum(&path, depth, i);
                let e = path[i];
                phi[e.feature as usize] += w * (e.one_fraction - e.zero_fraction) * v;
            }
            return;
        }
        let n = node as usize;
        let hot = self.next(n, row);
        let cold = if hot == self.left_child[n] {
            self.right_child[n]
        } else {
            self.left_child[n]
        };
        let w = self.count(node);
        let (hot_zero, cold_zero) = (self.count(hot) / w, self.count(cold) / w);
        let split = i64::from(self.split_feature[n]);
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        let mut depth = depth;
        // A feature already on the path is unwound and re-entered with both fractions.
        if let Some(k) = (1..=depth).find(|&k| path[k].feature == split) {
            in_zero = path[k].zero_fraction;
            in_one = path[k].one_fraction;
            unwind(&mut path, depth, k);
            depth -= 1;
        }
        self.shap_recurse(
            row,
            phi,
            hot,
            depth + 1,
            &path,
            hot_zero * in_zero,
            in_one,
            split,
        );
        self.shap_recurse(
            row,
            phi,
            cold,
            depth + 1,
            &path,
            cold_zero * in_zero,
            0.0,
            split,
        );
    }

    /// Adds this tree's contributions for `row` to `phi` (length num_features + 1; the last
    /// entry receives the expected value). Needs the tree's row counts.
    pub fn add_contributions(&self, row: &[f64], phi: &mut [f64]) {
        if let Some(last) = phi.last_mut() {
            *last += self.expected_value();
        }
        if !self.left_child.is_empty() {
            self.shap_recurse(row, phi, 0, 0, &[], 1.0, 1.0, -1);
        }
    }
}

impl GbdtModel {
    /// The first tree that splits but lacks the row counts explanations need, if any: counts
    /// absent, a root that saw no rows, or a node whose count is not the sum of its
    /// children's (TreeSHAP's fractions r_child / r_node would be 0/0 or above 1).
    pub fn tree_without_counts(&self) -> Option<usize> {
        self.trees.iter().position(|t| {
            if t.left_child.is_empty() {
                return false;
            }
            if t.internal_count.len() != t.left_child.len()
                || t.leaf_count.len() != t.leaf_value.len()
                || t.internal_count[0] == 0
            {
                return true;
            }
            (0..t.left_child.len()).any(|n| {
                let sum = u64::from(t.count_u32(t.left_child[n]))
                    + u64::from(t.count_u32(t.right_child[n]));
                sum != u64::from(t.internal_count[n])
            })
        })
    }

    /// TreeSHAP contributions of every feature to the raw score of `row`, plus the expected
    /// value last (LightGBM's `predict(pred_contrib=True)` layout); they sum to
    /// [`GbdtModel::predict_raw`] up to rounding. A K-class model gives K such blocks, class
    /// by class (tree t explains class t mod K); a random forest's contributions add up to
    /// its raw score, the sum of its trees, as LightGBM's do. Fails for a model without row
    /// counts, and for linear trees (LightGBM does not explain them either).
    pub fn contributions(&self, row: &[f64]) -> Result<Vec<f64>> {
        if let Some(t) = self.trees.iter().position(|t| t.linear.is_some()) {
            return Err(Error::InvalidParam {
                name: "model",
                message: format!(
                    "Tree={t} is a linear tree: contributions of linear trees are not supported (LightGBM refuses them too)"
                ),
            });
        }
        if let Some(t) = self.tree_without_counts() {
            return Err(Error::InvalidParam {
                name: "model",
                message: format!(
                    "Tree={t} has no usable leaf_count/internal_count (absent, a root with no rows, or a node's count not the sum of its children's); contributions need them"
                ),
            });
        }
        let (k, width) = (self.num_class.max(1), self.num_features + 1);
        let mut phi = vec![0.0; k * width];
        for (i, t) in self.trees.iter().enumerate() {
            let c = i % k;
            t.add_contributions(row, &mut phi[c * width..(c + 1) * width]);
        }
        Ok(phi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::model::Objective;

    /// x0 ≤ 0.5 ? (x1 ≤ 0.5 ? 1 : 3) : 10, with 4 / 4 / 2 training rows in the leaves.
    fn stump() -> GbdtModel {
        GbdtModel {
            num_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            objective: Objective::Regression,
            trees: vec![Tree {
                split_feature: vec![0, 1],
                threshold: vec![0.5, 0.5],
                decision_type: vec![0, 0],
                left_child: vec![1, -1],
                right_child: vec![-3, -2],
                leaf_value: vec![1.0, 3.0, 10.0],
                cat_boundaries: vec![],
                cat_threshold: vec![],
                leaf_count: vec![4, 4, 2],
                internal_count: vec![10, 8],
                linear: None,
                stats: Default::default(),
            }],
            num_class: 1,
            average_output: false,
        }
    }

    #[test]
    fn worked_shapley_values_of_a_two_level_tree() {
        // E[f] = 0.4·1 + 0.4·3 + 0.2·10 = 3.6. For x = (0, 0), f = 1.
        // v(∅) = 3.6; v({a}) = E[f | a left] = (1 + 3)/2 = 2; v({b}) = 0.8·1 + 0.2·10 = 2.8
        // (b only matters under a's left branch); v({a, b}) = 1.
        // φ_a = ½[(2 − 3.6) + (1 − 2.8)] = −1.7; φ_b = ½[(2.8 − 3.6) + (1 − 2)] = −0.9.
        let m = stump();
        let phi = m.contributions(&[0.0, 0.0]).unwrap();
        let want = [-1.7, -0.9, 3.6];
        for (a, b) in phi.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{phi:?}");
        }
        // Local accuracy for every leaf.
        for x in [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] {
            let phi = m.contributions(&x).unwrap();
            assert!((phi.iter().sum::<f64>() - m.predict_raw(&x)).abs() < 1e-12);
        }
    }

    #[test]
    fn a_feature_met_twice_is_counted_once() {
        // x0 ≤ 0.5 ? (x0 ≤ 0.2 ? 0 : 2) : 4 — only x0 matters, so φ_x0 = f(x) − E[f].
        let m = GbdtModel {
            num_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            objective: Objective::Regression,
            trees: vec![Tree {
                split_feature: vec![0, 0],
                threshold: vec![0.5, 0.2],
                decision_type: vec![0, 0],
                left_child: vec![1, -1],
                right_child: vec![-3, -2],
                leaf_value: vec![0.0, 2.0, 4.0],
                cat_boundaries: vec![],
                cat_threshold: vec![],
                leaf_count: vec![3, 3, 4],
                internal_count: vec![10, 6],
                linear: None,
                stats: Default::default(),
            }],
            num_class: 1,
            average_output: false,
        };
        let e = 0.3 * 0.0 + 0.3 * 2.0 + 0.4 * 4.0;
        let phi = m.contributions(&[0.3, 7.0]).unwrap();
        assert!((phi[0] - (2.0 - e)).abs() < 1e-12, "{phi:?}");
        assert_eq!(phi[1], 0.0);
        assert!((phi[2] - e).abs() < 1e-12);
    }

    #[test]
    fn models_without_counts_are_refused() {
        let mut m = stump();
        m.trees[0].internal_count.clear();
        assert!(m.contributions(&[0.0, 0.0]).is_err());
        // All-zero counts passed "has counts" and TreeSHAP then divided 0/0 and indexed past
        // its path; counts that do not add up are refused too.
        for (internal, leaves) in [(vec![0, 0], vec![0, 0, 0]), (vec![10, 8], vec![4, 4, 3])] {
            let mut m = stump();
            m.trees[0].internal_count = internal;
            m.trees[0].leaf_count = leaves;
            assert!(m.contributions(&[0.0, 0.0]).is_err());
        }
    }
}
