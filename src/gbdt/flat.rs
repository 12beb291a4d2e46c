//! The fast evaluator: every tree's internal nodes in one array of 24-byte nodes (threshold,
//! feature, both children, decision kind), so a node visit touches one cache line instead of
//! five parallel arrays, and the common decisions are decoded once at build time.
//!
//! It must return exactly what the reference [`GbdtModel::predict_raw`] returns: the same
//! decision rule (see [`super::model`]) and the same f64 sum over trees in file order. A
//! test pins the two together on every parity fixture.

use super::model::{GbdtModel, Tree};

/// LightGBM's `kZeroThreshold`: a float literal (1e-35f) widened to double, so |x| up to
/// 1.0000000180025095e-35 counts as zero.
const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

/// Node flags: the node is categorical; zero counts as missing; missing goes left.
const CATEGORICAL: u8 = 1;
const ZERO_MISSING: u8 = 2;
const MISSING_LEFT: u8 = 4;

/// One internal node. Every numerical rule of the reference reduces to
/// `missing ? missing_left : x <= threshold`, with `missing` = NaN, or (missing type zero)
/// also |x| ≤ 1e-35, and `missing_left` = the default-left bit for missing types NaN and
/// zero, and `0 <= threshold` for missing type none (where NaN reads as 0). That form has no
/// data-dependent branch, so the compiler can select the child without jumping.
#[derive(Debug, Clone, Copy)]
struct Node {
    threshold: f64,
    feature: u32,
    /// ≥ 0: node index in the forest; < 0: leaf `!child` of the forest's leaf values.
    left: i32,
    right: i32,
    /// For categorical nodes: index into the forest's bitset ranges.
    cat: u32,
    flags: u8,
}

/// A forest flattened for evaluation.
#[derive(Debug, Clone)]
pub struct FlatForest {
    nodes: Vec<Node>,
    leaves: Vec<f64>,
    /// Per tree: its root (a node index, or `!leaf` for a one-leaf tree).
    roots: Vec<i32>,
    /// Categorical bitset ranges (start, end) into `words`.
    cats: Vec<(u32, u32)>,
    words: Vec<u32>,
    num_features: usize,
    /// Scores per row: tree t adds to class t mod `classes`.
    classes: usize,

    /// Per leaf (parallel to `leaves`, empty when no tree is linear): its linear model as
    /// (intercept, start, end) into `lin_features` / `lin_coeff`; `None` for a constant leaf.
    linear: Vec<Option<(f64, u32, u32)>>,
    lin_features: Vec<u32>,
    lin_coeff: Vec<f64>,
}

impl FlatForest {
    /// Flattens a (validated) model.
    pub fn new(m: &GbdtModel) -> FlatForest {
        let mut f = FlatForest {
            nodes: Vec::new(),
            leaves: Vec::new(),
            roots: Vec::with_capacity(m.trees.len()),
            cats: Vec::new(),
            words: Vec::new(),
            num_features: m.num_features,
            classes: m.num_class.max(1),
            linear: Vec::new(),
            lin_features: Vec::new(),
            lin_coeff: Vec::new(),
        };
        let any_linear = m.trees.iter().any(|t| t.linear.is_some());
        for t in &m.trees {
            f.push_tree(t);
            if any_linear {
                match &t.linear {
                    Some(lin) => {
                        for l in 0..t.leaf_value.len() {
                            let start = f.lin_features.len() as u32;
                            f.lin_features.extend_from_slice(&lin.features[l]);
                            f.lin_coeff.extend_from_slice(&lin.coeff[l]);
                            let end = f.lin_features.len() as u32;
                            f.linear.push(Some((lin.leaf_const[l], start, end)));
                        }
                    }
                    None => f.linear.extend((0..t.leaf_value.len()).map(|_| None)),
                }
            }
        }
        f
    }

    fn push_tree(&mut self, t: &Tree) {
        let (node0, leaf0) = (self.nodes.len() as i32, self.leaves.len() as i32);
        self.leaves.extend_from_slice(&t.leaf_value);
        if t.left_child.is_empty() {
            self.roots.push(!leaf0);
            return;
        }
        self.roots.push(node0);
        let child = |c: i32| if c >= 0 { node0 + c } else { !(leaf0 + !c) };
        for n in 0..t.left_child.len() {
            let dt = t.decision_type[n];
            let default_left = dt & 2 == 2;
            let mut cat = 0;
            let flags = if dt & 1 == 1 {
                let c = t.threshold[n] as usize;
                let range = match (t.cat_boundaries.get(c), t.cat_boundaries.get(c + 1)) {
                    (Some(&a), Some(&b)) => {
                        let base = self.words.len() as u32;
                        let (a, b) = (a as usize, (b as usize).min(t.cat_threshold.len()));
                        self.words
                            .extend_from_slice(t.cat_threshold.get(a..b).unwrap_or(&[]));
                        (base, self.words.len() as u32)
                    }
                    // No bitset: nothing is in the set, everything goes right.
                    _ => (0, 0),
                };
                self.cats.push(range);
                cat = self.cats.len() as u32 - 1;
                CATEGORICAL
            } else {
                let left = |b: bool| if b { MISSING_LEFT } else { 0 };
                match (dt >> 2) & 3 {
                    2 => left(default_left),
                    1 => ZERO_MISSING | left(default_left),
                    _ => left(0.0 <= t.threshold[n]),
                }
            };
            self.nodes.push(Node {
                threshold: t.threshold[n],
                feature: t.split_feature[n],
                left: child(t.left_child[n]),
                right: child(t.right_child[n]),
                cat,
                flags,
            });
        }
    }

    /// Number of feature columns.
    pub fn num_features(&self) -> usize {
        self.num_features
    }

    #[inline(always)]
    fn next(&self, node: &Node, row: &[f64]) -> i32 {
        let x = row.get(node.feature as usize).copied().unwrap_or(f64::NAN);
        if node.flags & CATEGORICAL != 0 {
            return self.categorical(node, x);
        }
        let missing = x.is_nan() | ((node.flags & ZERO_MISSING != 0) & (x.abs() <= ZERO_THRESHOLD));
        let go_left = if missing {
            node.flags & MISSING_LEFT != 0
        } else {
            x <= node.threshold
        };
        if go_left {
            node.left
        } else {
            node.right
        }
    }

    #[cold]
    fn categorical(&self, node: &Node, x: f64) -> i32 {
        // NaN, negatives and values past i32 are in no set.
        if !(0.0..2_147_483_648.0).contains(&x) {
            return node.right;
        }
        let v = x as u32;
        let (a, b) = self.cats[node.cat as usize];
        let w = a as usize + (v / 32) as usize;
        if w < b as usize && (self.words[w] >> (v % 32)) & 1 == 1 {
            node.left
        } else {
            node.right
        }
    }

    /// The leaf value tree `root` gives `row`.
    #[inline(always)]
    fn leaf(&self, root: i32, row: &[f64]) -> f64 {
        let mut n = root;
        while n >= 0 {
            n = self.next(&self.nodes[n as usize], row);
        }
        let l = (!n) as usize;
        match self.linear.get(l) {
            Some(&Some(lin)) => self.linear_leaf(lin, row, self.leaves[l]),
            _ => self.leaves[l],
        }
    }

    /// A linear leaf's output: intercept + Σ coeff·x in order, or the constant when one of
    /// its features is NaN (as [`super::model::LinearLeaves::output`]).
    fn linear_leaf(
        &self,
        (intercept, start, end): (f64, u32, u32),
        row: &[f64],
        constant: f64,
    ) -> f64 {
        let mut out = intercept;
        let range = start as usize..end as usize;
        for (&f, &c) in self.lin_features[range.clone()]
            .iter()
            .zip(&self.lin_coeff[range])
        {
            let x = row.get(f as usize).copied().unwrap_or(f64::NAN);
            if x.is_nan() {
                return constant;
            }
            out += c * x;
        }
        out
    }

    /// Scores per row (the model's `num_class`).
    pub fn num_class(&self) -> usize {
        self.classes
    }

    /// Raw score of one row of a single-output model: Σ trees in file order, f64.
    pub fn predict_raw(&self, row: &[f64]) -> f64 {
        let mut s = 0.0f64;
        for &root in &self.roots {
            s += self.leaf(root, row);
        }
        s
    }

    /// Raw scores of row-major `x` into `out`: [`Self::num_class`] per whole row (class by
    /// class). Rows go in blocks, tree by tree, so a tree's nodes stay in cache and the
    /// block's independent walks overlap; each row still sums each class's trees in file
    /// order, so the result is [`GbdtModel::predict_raw_all`]'s.
    pub fn predict_raw_batch(&self, x: &[f64], out: &mut Vec<f64>) {
        const BLOCK: usize = 32;
        let nf = self.num_features.max(1);
        let k = self.classes;
        out.clear();
        out.resize(x.len() / nf * k, 0.0);
        for (acc, rows) in out.chunks_mut(BLOCK * k).zip(x.chunks(BLOCK * nf)) {
            for (t, &root) in self.roots.iter().enumerate() {
                let class = t % k;
                for (a, row) in acc.chunks_exact_mut(k).zip(rows.chunks_exact(nf)) {
                    a[class] += self.leaf(root, row);
                }
            }
        }
    }
}

impl GbdtModel {
    /// The fast evaluator of this model.
    pub fn flatten(&self) -> FlatForest {
        FlatForest::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::model::Objective;

    #[test]
    fn flat_matches_the_reference_on_every_decision_kind() {
        // One tree per decision kind, on the values that take each branch.
        let tree = |dt: u8, thr: f64, cats: (Vec<u32>, Vec<u32>)| Tree {
            split_feature: vec![0],
            threshold: vec![thr],
            decision_type: vec![dt],
            left_child: vec![-1],
            right_child: vec![-2],
            leaf_value: vec![1.0, 2.0],
            cat_boundaries: cats.0,
            cat_threshold: cats.1,
            leaf_count: vec![],
            internal_count: vec![],
            linear: None,
            stats: Default::default(),
        };
        let m = GbdtModel {
            num_features: 1,
            feature_names: vec!["x".into()],
            objective: Objective::Regression,
            trees: vec![
                tree(0, 0.5, (vec![], vec![])),
                tree(8 | 2, 0.5, (vec![], vec![])),
                tree(8, -1.0, (vec![], vec![])),
                tree(4 | 2, 0.5, (vec![], vec![])),
                tree(4, -1.0, (vec![], vec![])),
                tree(1, 0.0, (vec![0, 1], vec![0b1010])),
            ],
            num_class: 1,
            average_output: false,
        };
        let flat = m.flatten();
        for x in [
            f64::NAN,
            0.0,
            -0.0,
            1e-36,
            0.5,
            0.6,
            1.0,
            3.0,
            3.9,
            -2.0,
            40.0,
            3e9,
        ] {
            assert_eq!(
                flat.predict_raw(&[x]).to_bits(),
                m.predict_raw(&[x]).to_bits(),
                "x = {x}"
            );
        }
        assert_eq!(flat.predict_raw(&[]), m.predict_raw(&[]), "missing column");
        let xs = [f64::NAN, 0.0, 0.7, 3.0, -5.0];
        let mut batch = Vec::new();
        flat.predict_raw_batch(&xs, &mut batch);
        let one: Vec<u64> = xs.iter().map(|&x| m.predict_raw(&[x]).to_bits()).collect();
        assert_eq!(batch.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), one);
    }
}
