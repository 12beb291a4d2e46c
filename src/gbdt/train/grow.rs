//! Growing one tree leaf-wise from histograms: the smaller child built from its rows, the
//! sibling by subtraction, row-wise or column-wise accumulation in fixed row blocks.

use super::binning::*;
use super::objectives::*;
use super::params::*;
use crate::gbdt::model::Tree;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bin {
    pub(super) g: f64,
    pub(super) h: f64,
    pub(super) n: u32,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct SplitInfo {
    pub(super) feature: usize,
    /// Last bin that goes left (non-NaN bins).
    pub(super) bin: usize,
    pub(super) nan_left: bool,
    pub(super) gain: f64,
    pub(super) left: (f64, f64, u32),
    pub(super) right: (f64, f64, u32),
}

pub(super) struct Leaf {
    pub(super) rows: Vec<u32>,
    pub(super) hist: Vec<Vec<Bin>>,
    pub(super) sum: (f64, f64, u32),
    pub(super) depth: u32,
    pub(super) best: Option<SplitInfo>,
    /// The parent's node id and whether this leaf is its left child.
    pub(super) parent_node: Option<(usize, bool)>,
}

/// What stays fixed while one tree grows.
pub(super) struct Grower<'a> {
    pub(super) cols: &'a [Column],
    pub(super) mappers: &'a [BinMapper],
    pub(super) features: &'a [usize],
    pub(super) g: &'a [f32],
    pub(super) h: &'a [f32],
    pub(super) threads: usize,
    /// Every hessian equals this (regression): histograms then skip Σh, which is n·h.
    pub(super) const_hessian: Option<f64>,
    /// Row-major bins (n × features, one byte each) when every feature has ≤ 256 bins.
    pub(super) rowbins: Option<&'a [u8]>,
    pub(super) p: &'a GbdtParams,
}

impl Grower<'_> {
    /// Histograms of `rows` for the chosen features (other features get empty ones).
    ///
    /// Row-wise when the bins fit a byte (one pass reads each row's bins from one cache
    /// line): rows go in fixed blocks of [`ROW_BLOCK`], each summed into its own partial
    /// histogram, and the partials are added in block order, so the sums, and the model, do
    /// not depend on how many threads share the blocks. Otherwise feature by feature, with
    /// threads taking groups of features.
    pub(super) fn histogram(&self, rows: &[u32]) -> Vec<Vec<Bin>> {
        let mut hist: Vec<Vec<Bin>> = vec![Vec::new(); self.mappers.len()];
        let Some(rowbins) = self.rowbins else {
            // Gradients in row order of the leaf, read once instead of once per feature.
            let og: Vec<(f64, f64)> = rows
                .iter()
                .map(|&r| (f64::from(self.g[r as usize]), f64::from(self.h[r as usize])))
                .collect();
            let one = |f: usize| -> Vec<Bin> {
                let mut out = vec![Bin::default(); self.mappers[f].num_bins()];
                match (&self.cols[f], self.const_hessian) {
                    (Column::U8(c), None) => accumulate(c, rows, &og, &mut out),
                    (Column::U16(c), None) => accumulate(c, rows, &og, &mut out),
                    (Column::U8(c), Some(h)) => accumulate_g(c, rows, &og, h, &mut out),
                    (Column::U16(c), Some(h)) => accumulate_g(c, rows, &og, h, &mut out),
                }
                out
            };
            let t = self.threads.min(self.features.len());
            if t <= 1 || rows.len() * self.features.len() < 100_000 {
                for &f in self.features {
                    hist[f] = one(f);
                }
                return hist;
            }
            let chunk = self.features.len().div_ceil(t);
            let one = &one;
            let parts: Vec<Vec<(usize, Vec<Bin>)>> = std::thread::scope(|s| {
                let handles: Vec<_> = self
                    .features
                    .chunks(chunk)
                    .map(|fs| s.spawn(move || fs.iter().map(|&f| (f, one(f))).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().map(join).collect()
            });
            for (f, b) in parts.into_iter().flatten() {
                hist[f] = b;
            }
            return hist;
        };
        let nf = self.mappers.len();
        let mut pairs = Vec::with_capacity(self.features.len());
        let mut total = 0;
        for &f in self.features {
            pairs.push((f, total));
            total += self.mappers[f].num_bins();
        }
        // One block's partial histogram: (Σg, Σh, count) per bin, as three f64s; with a
        // constant hessian only (Σg, count), one vector add per row and feature.
        let block = |rs: &[u32]| -> Vec<[f64; 3]> {
            let mut acc = vec![[0f64; 3]; total];
            if self.const_hessian.is_some() {
                let mut two = vec![[0f64; 2]; total];
                for &r in rs {
                    let g = f64::from(self.g[r as usize]);
                    let rb = &rowbins[r as usize * nf..(r as usize + 1) * nf];
                    for &(f, off) in &pairs {
                        let b = &mut two[off + usize::from(rb[f])];
                        b[0] += g;
                        b[1] += 1.0;
                    }
                }
                for (a, t) in acc.iter_mut().zip(&two) {
                    *a = [t[0], 0.0, t[1]];
                }
            } else {
                for &r in rs {
                    let (g, h) = (f64::from(self.g[r as usize]), f64::from(self.h[r as usize]));
                    let rb = &rowbins[r as usize * nf..(r as usize + 1) * nf];
                    for &(f, off) in &pairs {
                        let b = &mut acc[off + usize::from(rb[f])];
                        b[0] += g;
                        b[1] += h;
                        b[2] += 1.0;
                    }
                }
            }
            acc
        };
        let blocks: Vec<&[u32]> = rows.chunks(ROW_BLOCK).collect();
        let t = self.threads.min(blocks.len());
        let partials: Vec<Vec<[f64; 3]>> = if t <= 1 {
            blocks.iter().map(|rs| block(rs)).collect()
        } else {
            let per = blocks.len().div_ceil(t);
            let block = &block;
            std::thread::scope(|s| {
                let handles: Vec<_> = blocks
                    .chunks(per)
                    .map(|bs| s.spawn(move || bs.iter().map(|rs| block(rs)).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().flat_map(join).collect()
            })
        };
        let mut sum = vec![[0f64; 3]; total];
        for part in &partials {
            for (a, b) in sum.iter_mut().zip(part) {
                a[0] += b[0];
                a[1] += b[1];
                a[2] += b[2];
            }
        }
        for &(f, off) in &pairs {
            hist[f] = sum[off..off + self.mappers[f].num_bins()]
                .iter()
                .map(|&[g, h, c]| Bin {
                    g,
                    // Σh of a constant hessian is count·h (exact for h = 1).
                    h: self.const_hessian.map_or(h, |hc| c * hc),
                    n: c as u32,
                })
                .collect();
        }
        hist
    }

    pub(super) fn best_split(&self, hist: &[Vec<Bin>], sum: (f64, f64, u32)) -> Option<SplitInfo> {
        let p = self.p;
        let (gt, ht, nt) = sum;
        let cnt_factor = f64::from(nt) / ht;
        let mut best: Option<SplitInfo> = None;
        for &f in self.features {
            let m = &self.mappers[f];
            let hf = &hist[f];
            let nb = m.upper.len();
            let nan = if m.has_nan { hf[nb] } else { Bin::default() };
            // Try NaN on the right, then (when there are NaNs) on the left.
            for nan_left in [false, true] {
                if nan_left && nan.n == 0 {
                    break;
                }
                let (mut gl, mut hl, mut nl) = if nan_left {
                    (nan.g, nan.h, nan.n)
                } else {
                    (0.0, 0.0, 0)
                };
                // min_data_in_leaf is checked on counts estimated from hessians, as LightGBM
                // does: round(h_bin · n / H). With a constant hessian that is the true count;
                // with lambdarank or binary it makes the limit a hessian mass, so rows that
                // barely move the objective do not make a side "large enough".
                let est = |h: f64| (h * cnt_factor + 0.5).floor() as i64;
                let mut el = if nan_left { est(nan.h) } else { 0 };
                for (b, bin) in hf.iter().enumerate().take(nb.saturating_sub(1)) {
                    gl += bin.g;
                    hl += bin.h;
                    nl += bin.n;
                    el += est(bin.h);
                    let (gr, hr, nr) = (gt - gl, ht - hl, nt - nl);
                    let er = i64::from(nt) - el;
                    if el < i64::from(p.min_data_in_leaf)
                        || er < i64::from(p.min_data_in_leaf)
                        || hl < p.min_sum_hessian_in_leaf
                        || hr < p.min_sum_hessian_in_leaf
                    {
                        continue;
                    }
                    let gain = split_gain(gl, hl, gt, ht, p);
                    if gain > p.min_gain_to_split && best.is_none_or(|s| gain > s.gain) {
                        best = Some(SplitInfo {
                            feature: f,
                            bin: b,
                            nan_left,
                            gain,
                            left: (gl, hl, nl),
                            right: (gr, hr, nr),
                        });
                    }
                }
            }
        }
        best
    }

    /// Grows one tree on `rows`; returns it with the rows of each leaf (by leaf index).
    pub(super) fn grow(&self, rows: Vec<u32>) -> (Tree, Vec<Vec<u32>>) {
        let p = self.p;
        let sum = rows.iter().fold((0.0, 0.0, 0u32), |a, &r| {
            (
                a.0 + f64::from(self.g[r as usize]),
                a.1 + f64::from(self.h[r as usize]),
                a.2 + 1,
            )
        });
        let hist = self.histogram(&rows);
        let best = self.best_split(&hist, sum);
        let mut leaves = vec![Leaf {
            rows,
            hist,
            sum,
            depth: 0,
            best,
            parent_node: None,
        }];
        let mut tree = Tree {
            split_feature: vec![],
            threshold: vec![],
            decision_type: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value: vec![],
            cat_boundaries: vec![],
            cat_threshold: vec![],
            leaf_count: vec![],
            internal_count: vec![],
            linear: None,
            stats: Default::default(),
        };
        while leaves.len() < p.num_leaves as usize {
            let Some((li, s)) = leaves
                .iter()
                .enumerate()
                .filter(|(_, l)| p.max_depth <= 0 || (l.depth as i32) < p.max_depth)
                .filter_map(|(i, l)| l.best.map(|s| (i, s)))
                .max_by(|a, b| a.1.gain.total_cmp(&b.1.gain).then(b.0.cmp(&a.0)))
            else {
                break;
            };
            let leaf = leaves.swap_remove(li);
            let node = tree.split_feature.len();
            // Link the parent's pointer to this new internal node.
            if let Some((parent, is_left)) = leaf.parent_node {
                if is_left {
                    tree.left_child[parent] = node as i32
                } else {
                    tree.right_child[parent] = node as i32
                }
            }
            let m = &self.mappers[s.feature];
            tree.split_feature.push(s.feature as u32);
            tree.threshold.push(m.upper[s.bin]);
            // Bits: missing type NaN (2 << 2) when the feature had NaNs; default left (2).
            let dt = if m.has_nan {
                8 | if s.nan_left { 2 } else { 0 }
            } else {
                0
            };
            tree.decision_type.push(dt);
            tree.left_child.push(-1);
            tree.right_child.push(-1);
            tree.internal_count.push(leaf.sum.2);
            // LightGBM's statistics: the split's gain over the parent's (less
            // min_gain_to_split), the node's output had it stayed a leaf (with shrinkage),
            // and its Σ hessians.
            tree.stats.split_gain.push(s.gain - p.min_gain_to_split);
            tree.stats
                .internal_value
                .push(leaf_output(leaf.sum.0, leaf.sum.1, p) * p.learning_rate);
            tree.stats.internal_weight.push(leaf.sum.1);
            let col = &self.cols[s.feature];
            let nb = m.upper.len();
            let (mut lrows, mut rrows) = (
                Vec::with_capacity(s.left.2 as usize),
                Vec::with_capacity(s.right.2 as usize),
            );
            for &r in &leaf.rows {
                let b = col.get(r as usize);
                let left = if m.has_nan && b == nb {
                    s.nan_left
                } else {
                    b <= s.bin
                };
                if left {
                    lrows.push(r)
                } else {
                    rrows.push(r)
                }
            }
            // Smaller child from its rows, the sibling by subtraction.
            let (small_rows, small_is_left) = if lrows.len() <= rrows.len() {
                (&lrows, true)
            } else {
                (&rrows, false)
            };
            let small = self.histogram(small_rows);
            let mut large = leaf.hist;
            for &f in self.features {
                for (a, b) in large[f].iter_mut().zip(&small[f]) {
                    a.g -= b.g;
                    a.h -= b.h;
                    a.n -= b.n;
                }
            }
            let (lh, rh) = if small_is_left {
                (small, large)
            } else {
                (large, small)
            };
            let depth = leaf.depth + 1;
            for (rows, hist, sum, is_left) in
                [(lrows, lh, s.left, true), (rrows, rh, s.right, false)]
            {
                let best = self.best_split(&hist, sum);
                leaves.push(Leaf {
                    rows,
                    hist,
                    sum,
                    depth,
                    best,
                    parent_node: Some((node, is_left)),
                });
            }
        }
        // Number the leaves and write their values (with shrinkage) into the tree.
        let mut leaf_rows = Vec::with_capacity(leaves.len());
        for (k, leaf) in leaves.into_iter().enumerate() {
            let v = leaf_output(leaf.sum.0, leaf.sum.1, p) * p.learning_rate;
            tree.leaf_value.push(v);
            tree.leaf_count.push(leaf.sum.2);
            tree.stats.leaf_weight.push(leaf.sum.1);
            if let Some((parent, is_left)) = leaf.parent_node {
                let id = !(k as i32);
                if is_left {
                    tree.left_child[parent] = id
                } else {
                    tree.right_child[parent] = id
                }
            }
            leaf_rows.push(leaf.rows);
        }
        (tree, leaf_rows)
    }
}

/// Rows per block of a row-wise histogram (a fixed size, so sums do not depend on threads).
pub(super) const ROW_BLOCK: usize = 1 << 14;

/// The result of a scoped thread, re-raising its panic (a bug) on the caller.
pub(super) fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match h.join() {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e),
    }
}

/// Rows are spread over this many interleaved copies of the histogram: consecutive rows
/// often fall in the same bin (binary features, brand features constant within a query), and
/// one copy would chain every add on the previous one's latency.
pub(super) const LANES: usize = 4;

/// [`accumulate`] when every hessian is `h`: sums g and counts, then Σh = n·h (exact for
/// h = 1, the regression case).
#[inline]
pub(super) fn accumulate_g<B: Copy + Into<usize>>(
    col: &[B],
    rows: &[u32],
    og: &[(f64, f64)],
    h: f64,
    out: &mut [Bin],
) {
    let mut lanes = vec![(0f64, 0u32); out.len() * LANES];
    let mut chunks = rows.chunks_exact(LANES).zip(og.chunks_exact(LANES));
    for (rs, gs) in &mut chunks {
        for k in 0..LANES {
            let l = &mut lanes[col[rs[k] as usize].into() * LANES + k];
            l.0 += gs[k].0;
            l.1 += 1;
        }
    }
    let tail = rows.len() - rows.len() % LANES;
    for (&r, &(g, _)) in rows[tail..].iter().zip(&og[tail..]) {
        let l = &mut lanes[col[r as usize].into() * LANES];
        l.0 += g;
        l.1 += 1;
    }
    for (b, ls) in out.iter_mut().zip(lanes.chunks_exact(LANES)) {
        for l in ls {
            b.g += l.0;
            b.n += l.1;
        }
        b.h = f64::from(b.n) * h;
    }
}

/// Adds each row's (g, h) to its bin; `og` is in the order of `rows`.
#[inline]
pub(super) fn accumulate<B: Copy + Into<usize>>(
    col: &[B],
    rows: &[u32],
    og: &[(f64, f64)],
    out: &mut [Bin],
) {
    let mut lanes = vec![Bin::default(); out.len() * LANES];
    let mut chunks = rows.chunks_exact(LANES).zip(og.chunks_exact(LANES));
    for (rs, gs) in &mut chunks {
        for k in 0..LANES {
            let l = &mut lanes[col[rs[k] as usize].into() * LANES + k];
            l.g += gs[k].0;
            l.h += gs[k].1;
            l.n += 1;
        }
    }
    let tail = rows.len() - rows.len() % LANES;
    for (&r, &(g, h)) in rows[tail..].iter().zip(&og[tail..]) {
        let l = &mut lanes[col[r as usize].into() * LANES];
        l.g += g;
        l.h += h;
        l.n += 1;
    }
    for (b, ls) in out.iter_mut().zip(lanes.chunks_exact(LANES)) {
        for l in ls {
            b.g += l.g;
            b.h += l.h;
            b.n += l.n;
        }
    }
}
