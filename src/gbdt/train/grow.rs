//! Growing one tree leaf-wise from histograms: the smaller child built from its rows, the
//! sibling by subtraction, row-wise or column-wise accumulation in fixed row blocks.
//!
//! Parallel work runs on the caller's rayon pool, always cut into pieces of a fixed size
//! and put back together in order, so the tree does not depend on the number of threads.

use super::binning::*;

use super::objectives::*;
use super::params::*;
use crate::gbdt::model::Tree;
use rayon::prelude::*;

/// LightGBM's kEpsilon (a float, 1e-15f): where its hessian sums start, and what its split
/// info takes off them.
const K_EPSILON: f64 = 1e-15_f32 as f64;

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
    /// Where missing values go (LightGBM's `default_left`; the NaN bin's side when the
    /// feature has one).
    pub(super) nan_left: bool,
    /// LightGBM's split gain: the children's scores less the parent's, less
    /// `min_gain_to_split`.
    pub(super) gain: f64,
    /// (Σg, Σh, rows) of each side, Σh as LightGBM keeps it (less its kEpsilon).
    pub(super) left: (f64, f64, u32),
    pub(super) right: (f64, f64, u32),
    /// Each side's leaf output before shrinkage.
    pub(super) left_output: f64,
    pub(super) right_output: f64,
}

pub(super) struct Leaf {
    pub(super) rows: Vec<u32>,
    pub(super) hist: Vec<Vec<Bin>>,
    pub(super) sum: (f64, f64, u32),
    /// The leaf's output before shrinkage.
    pub(super) output: f64,
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
    /// not depend on how many threads share the blocks. Otherwise feature by feature, in
    /// parallel over features.
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
            if rows.len() * self.features.len() < 100_000 {
                for &f in self.features {
                    hist[f] = one(f);
                }
                return hist;
            }
            let parts: Vec<(usize, Vec<Bin>)> =
                self.features.par_iter().map(|&f| (f, one(f))).collect();
            for (f, b) in parts {
                hist[f] = b;
            }
            return hist;
        };
        let mut pairs = Vec::with_capacity(self.features.len());
        let mut total = 0;
        for &f in self.features {
            let bins = self.mappers[f].num_bins();
            pairs.push((f, total, bins));
            total += bins;
        }
        match self.const_hessian {
            // Σh of a constant hessian is count·h (exact for h = 1): only (Σg, count) are
            // summed, one two-lane vector add per row and feature.
            Some(hc) => {
                let g = |r: usize| [f64::from(self.g[r]), 1.0];
                let sum = self.rowwise(rows, rowbins, &pairs, total, g);
                for &(f, off, bins) in &pairs {
                    hist[f] = sum[off..off + bins]
                        .iter()
                        .map(|&[g, c]| Bin {
                            g,
                            h: c * hc,
                            n: c as u32,
                        })
                        .collect();
                }
            }
            None => {
                let gh = |r: usize| [f64::from(self.g[r]), f64::from(self.h[r]), 1.0];
                let sum = self.rowwise(rows, rowbins, &pairs, total, gh);
                for &(f, off, bins) in &pairs {
                    hist[f] = sum[off..off + bins]
                        .iter()
                        .map(|&[g, h, c]| Bin { g, h, n: c as u32 })
                        .collect();
                }
            }
        }
        hist
    }

    /// Row-wise sums of `value(row)` per bin, `total` bins laid out as `pairs` (feature,
    /// offset, bins) say: rows in blocks of [`ROW_BLOCK`], each block's partial summed in
    /// block order. A small leaf (fewer blocks than threads) also shares the features out;
    /// every bin is still summed over the same rows in the same order.
    fn rowwise<const N: usize>(
        &self,
        rows: &[u32],
        rowbins: &[u8],
        pairs: &[(usize, usize, usize)],
        total: usize,
        value: impl Fn(usize) -> [f64; N] + Sync,
    ) -> Vec<[f64; N]> {
        let nf = self.mappers.len();
        let block = |rs: &[u32], ps: &[(usize, usize, usize)]| -> Vec<[f64; N]> {
            let (base, len) = group_span(ps);
            let mut acc = vec![[0f64; N]; len];
            let offs: Vec<usize> = ps.iter().map(|&(_, off, _)| off - base).collect();
            let first = ps.first().map_or(0, |p| p.0);
            if ps.iter().enumerate().all(|(i, p)| p.0 == first + i) {
                // Consecutive features (no feature sampling): a row's bins are one slice.
                for &r in rs {
                    let v = value(r as usize);
                    let rb = &rowbins[r as usize * nf + first..][..offs.len()];
                    for (&bin, &off) in rb.iter().zip(&offs) {
                        let b = &mut acc[off + usize::from(bin)];
                        for k in 0..N {
                            b[k] += v[k];
                        }
                    }
                }
            } else {
                for &r in rs {
                    let v = value(r as usize);
                    let rb = &rowbins[r as usize * nf..(r as usize + 1) * nf];
                    for (&(f, _, _), &off) in ps.iter().zip(&offs) {
                        let b = &mut acc[off + usize::from(rb[f])];
                        for k in 0..N {
                            b[k] += v[k];
                        }
                    }
                }
            }
            acc
        };
        let blocks = rows.len().div_ceil(ROW_BLOCK);
        let threads = rayon::current_num_threads();
        if blocks <= 1 && (threads <= 1 || rows.len() * pairs.len() < SPLIT_WORK) {
            return block(rows, pairs);
        }
        let groups = if blocks < 2 * threads && rows.len() * pairs.len() >= SPLIT_WORK {
            threads.min(pairs.len())
        } else {
            1
        };
        let groups: Vec<&[(usize, usize, usize)]> =
            pairs.chunks(pairs.len().div_ceil(groups).max(1)).collect();
        let partials: Vec<(usize, Vec<[f64; N]>)> = rows
            .par_chunks(ROW_BLOCK)
            .flat_map_iter(|rs| groups.iter().map(move |ps| (rs, *ps)))
            .map(|(rs, ps)| (group_span(ps).0, block(rs, ps)))
            .collect();
        let mut sum = vec![[0f64; N]; total];
        for (base, part) in &partials {
            for (a, b) in sum[*base..].iter_mut().zip(part) {
                for k in 0..N {
                    a[k] += b[k];
                }
            }
        }
        sum
    }

    /// The best split of a leaf with sums `sum`, found as LightGBM's `FeatureHistogram`
    /// does, so that equal data gives equal trees: per feature, thresholds scanned from the
    /// right (missing values go left), and for a feature with NaNs and more than two bins
    /// also from the left (missing values go right), a later scan winning only when
    /// strictly better; a candidate needs `min_data_in_leaf` rows (estimated from hessians)
    /// and `min_sum_hessian_in_leaf` on each side, and its score
    /// `S(G_L, H_L) + S(G_R, H_R)` above `S(G, H) + min_gain_to_split`; ties go to the
    /// lower feature.
    pub(super) fn best_split(&self, hist: &[Vec<Bin>], sum: (f64, f64, u32)) -> Option<SplitInfo> {
        let p = self.p;
        let min_gain_shift = leaf_score(sum.0, sum.1, p) + p.min_gain_to_split;
        let mut best: Option<SplitInfo> = None;
        for &f in self.features {
            let m = &self.mappers[f];
            let hf = &hist[f];
            let nb = m.num_bins();
            let mut found = None;
            if nb > 2 && m.has_nan {
                found = self.scan(hf, sum, min_gain_shift, true, true);
                let forward = self.scan(hf, sum, min_gain_shift, false, true);
                if let Some(fw) = forward {
                    if found.is_none_or(|r: (f64, SplitInfo)| fw.0 > r.1.gain + min_gain_shift) {
                        found = Some(fw);
                    }
                }
            } else if let Some(mut r) = self.scan(hf, sum, min_gain_shift, true, false) {
                // Two bins, one of them NaN's: NaN is the right side.
                if m.has_nan {
                    r.1.nan_left = false;
                }
                found = Some(r);
            }
            if let Some((_, mut s)) = found {
                s.feature = f;
                if best.is_none_or(|b| s.gain > b.gain) {
                    best = Some(s);
                }
            }
        }
        best
    }

    /// One scan of a feature's bins (LightGBM's `FindBestThresholdSequentially`): from the
    /// right when `reverse` (the sums of the right side accumulate, missing values stay
    /// left), else from the left; with `na_as_missing` the NaN bin (last) takes no
    /// threshold of its own. Returns the best candidate's score with its split.
    fn scan(
        &self,
        hf: &[Bin],
        sum: (f64, f64, u32),
        min_gain_shift: f64,
        reverse: bool,
        na_as_missing: bool,
    ) -> Option<(f64, SplitInfo)> {
        let p = self.p;
        let (gt, ht, nt) = sum;
        let cnt_factor = f64::from(nt) / ht;
        // LightGBM's RoundInt(h · n / H): counts estimated from hessians. With a constant
        // hessian that is the true count; with lambdarank or binary it makes the limit a
        // hessian mass, so rows that barely move the objective do not make a side "large
        // enough".
        let est = |h: f64| (h * cnt_factor + 0.5) as i64;
        let min_data = i64::from(p.min_data_in_leaf);
        let nb = hf.len();
        let na = usize::from(na_as_missing);
        // (score, threshold bin, Σg left, Σh left (with kEpsilon), rows left)
        let mut best: Option<(f64, usize, f64, f64, u32)> = None;
        let mut consider = |gain: f64, bin: usize, gl: f64, hl: f64, nl: u32| {
            if gain.is_nan() || gain <= min_gain_shift {
                return;
            }
            if best.is_none_or(|b| gain > b.0) {
                best = Some((gain, bin, gl, hl, nl));
            }
        };
        // The side that grows as bins are added (the right one when `reverse`) and the
        // other, which is the leaf's sums less it.
        let (mut ga, mut ha, mut ea, mut na_rows) = (0.0, K_EPSILON, 0i64, 0u32);
        let (first, steps) = if reverse {
            (nb.saturating_sub(1 + na), nb.saturating_sub(1 + na))
        } else {
            (0, nb.saturating_sub(1))
        };
        for k in 0..steps {
            let t = if reverse { first - k } else { k };
            let bin = hf[t];
            // A bin adding exactly nothing repeats the candidate before it (which was tried,
            // unless this is the first): a tie never replaces the best.
            if k > 0 && bin.n == 0 && bin.g == 0.0 && bin.h == 0.0 {
                continue;
            }
            ga += bin.g;
            ha += bin.h;
            ea += est(bin.h);
            na_rows += bin.n;
            if ea < min_data || ha < p.min_sum_hessian_in_leaf {
                continue;
            }
            if i64::from(nt) - ea < min_data {
                break;
            }
            let ho = ht - ha;
            if ho < p.min_sum_hessian_in_leaf {
                break;
            }
            let go = gt - ga;
            // (Σg, Σh, rows) of the left side, and the threshold: the last bin going left.
            let (gl, hl, nl, last) = if reverse {
                (go, ho, nt - na_rows, t - 1)
            } else {
                (ga, ha, na_rows, t)
            };
            let (gr, hr) = if reverse { (ga, ha) } else { (go, ho) };
            let gain = leaf_score(gl, hl, p) + leaf_score(gr, hr, p);
            consider(gain, last, gl, hl, nl);
        }
        best.map(|(score, bin, gl, hl, nl)| {
            (
                score,
                SplitInfo {
                    feature: 0,
                    bin,
                    nan_left: reverse,
                    gain: score - min_gain_shift,
                    left: (gl, hl - K_EPSILON, nl),
                    right: (gt - gl, ht - hl - K_EPSILON, nt - nl),
                    left_output: leaf_output(gl, hl, p),
                    right_output: leaf_output(gt - gl, ht - hl, p),
                },
            )
        })
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
        // Leaves are numbered as LightGBM numbers them: a split leaf's left child keeps its
        // number, the right child takes the next one.
        let mut leaves = vec![Leaf {
            rows,
            hist,
            sum,
            output: leaf_output(sum.0, sum.1, p),
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
            // The best leaf: the largest gain, then the lower feature, then the lower leaf
            // number (LightGBM's ArgMax over SplitInfo).
            let mut chosen: Option<(usize, SplitInfo)> = None;
            for (i, l) in leaves.iter().enumerate() {
                if p.max_depth > 0 && l.depth as i32 >= p.max_depth {
                    continue;
                }
                if let Some(s) = l.best {
                    if chosen.is_none_or(|(_, c)| {
                        s.gain > c.gain || (s.gain == c.gain && s.feature < c.feature)
                    }) {
                        chosen = Some((i, s));
                    }
                }
            }
            let Some((li, s)) = chosen else {
                break;
            };
            // Taken out for now; its left child goes back in its place.
            let leaf = std::mem::replace(
                &mut leaves[li],
                Leaf {
                    rows: Vec::new(),
                    hist: Vec::new(),
                    sum: (0.0, 0.0, 0),
                    output: 0.0,
                    depth: 0,
                    best: None,
                    parent_node: None,
                },
            );
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
            // Bits: missing type NaN (2 << 2) when the feature had NaNs; default left (2),
            // set by a scan from the right even without NaNs, as LightGBM sets it.
            let dt = if m.has_nan { 8 } else { 0 } | if s.nan_left { 2 } else { 0 };
            tree.decision_type.push(dt);
            tree.left_child.push(-1);
            tree.right_child.push(-1);
            tree.internal_count.push(leaf.sum.2);
            // LightGBM's statistics: the split's gain (kept as f32, as LightGBM keeps
            // it), the node's output had it stayed a leaf (with shrinkage), and the
            // children's Σ hessians.
            tree.stats.split_gain.push(f64::from(s.gain as f32));
            tree.stats
                .internal_value
                .push(round_to_zero(leaf.output * p.learning_rate));
            tree.stats.internal_weight.push(s.left.1 + s.right.1);
            let (lrows, rrows) = partition(&self.cols[s.feature], &leaf.rows, &s, m);
            // Smaller child from its rows, the sibling by subtraction.
            // (On equal counts the right one, as LightGBM picks.)
            let (small_rows, small_is_left) = if lrows.len() < rrows.len() {
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
            let (lbest, rbest) = (self.best_split(&lh, s.left), self.best_split(&rh, s.right));
            let child = |rows, hist, sum, output, best, is_left| Leaf {
                rows,
                hist,
                sum,
                output,
                depth,
                best,
                parent_node: Some((node, is_left)),
            };
            leaves[li] = child(lrows, lh, s.left, s.left_output, lbest, true);
            leaves.push(child(rrows, rh, s.right, s.right_output, rbest, false));
        }
        // Number the leaves and write their values (with shrinkage) into the tree.
        let mut leaf_rows = Vec::with_capacity(leaves.len());
        for (k, leaf) in leaves.into_iter().enumerate() {
            let v = round_to_zero(leaf.output * p.learning_rate);
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

/// Rows × features below which a histogram is not worth handing to another thread.
const SPLIT_WORK: usize = 1 << 16;

/// The bins `base..base + len` of the whole histogram that a group of (feature, offset,
/// bins) covers.
fn group_span(ps: &[(usize, usize, usize)]) -> (usize, usize) {
    match (ps.first(), ps.last()) {
        (Some(a), Some(z)) => (a.1, z.1 + z.2 - a.1),
        _ => (0, 0),
    }
}

/// Rows per piece of a parallel partition.
const PARTITION_BLOCK: usize = 1 << 13;

/// Splits a leaf's rows (ascending) into the left and the right child's (each ascending):
/// pieces of [`PARTITION_BLOCK`] rows in parallel, concatenated in order.
fn partition(col: &Column, rows: &[u32], s: &SplitInfo, m: &BinMapper) -> (Vec<u32>, Vec<u32>) {
    // NaN's bin, when the feature has one; it goes the split's default way.
    let nan_bin = m.has_nan.then_some(m.upper.len());
    match col {
        Column::U8(c) => partition_by(c, rows, s, nan_bin),
        Column::U16(c) => partition_by(c, rows, s, nan_bin),
    }
}

fn partition_by<B: Copy + Into<usize> + Sync>(
    col: &[B],
    rows: &[u32],
    s: &SplitInfo,
    nan_bin: Option<usize>,
) -> (Vec<u32>, Vec<u32>) {
    // Branch-free: each row is written to both outputs and only the side it belongs to
    // advances (a 50/50 branch per row would mispredict half the time).
    let piece = |rs: &[u32]| {
        let (mut l, mut r) = (vec![0u32; rs.len()], vec![0u32; rs.len()]);
        let (mut nl, mut nr) = (0usize, 0usize);
        for &row in rs {
            let b: usize = col[row as usize].into();
            let left = if Some(b) == nan_bin {
                s.nan_left
            } else {
                b <= s.bin
            };
            l[nl] = row;
            r[nr] = row;
            nl += usize::from(left);
            nr += usize::from(!left);
        }
        l.truncate(nl);
        r.truncate(nr);
        (l, r)
    };
    if rows.len() <= PARTITION_BLOCK {
        return piece(rows);
    }
    let pieces: Vec<(Vec<u32>, Vec<u32>)> = rows.par_chunks(PARTITION_BLOCK).map(piece).collect();
    let (l, r): (Vec<Vec<u32>>, Vec<Vec<u32>>) = pieces.into_iter().unzip();
    (concat(&l), concat(&r))
}

/// The pieces one after another, each copied into its place in parallel.
fn concat(pieces: &[Vec<u32>]) -> Vec<u32> {
    let mut out = vec![0u32; pieces.iter().map(Vec::len).sum()];
    let mut rest = &mut out[..];
    let mut places = Vec::with_capacity(pieces.len());
    for p in pieces {
        let (here, tail) = std::mem::take(&mut rest).split_at_mut(p.len());
        places.push((here, p));
        rest = tail;
    }
    places
        .into_par_iter()
        .for_each(|(here, from)| here.copy_from_slice(from));
    out
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
