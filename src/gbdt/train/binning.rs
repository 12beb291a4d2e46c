//! Feature binning as LightGBM does it: bin bounds from a sample, the zero bin, few-value
//! merges, and the binned columns the histograms read.

/// Bin edges of one feature: value v goes to the first bin whose upper bound is ≥ v; NaN to
/// the extra last bin when the feature had NaNs.
#[derive(Debug, Clone, PartialEq)]
pub struct BinMapper {
    /// Upper bound of each non-NaN bin (the last is +∞).
    pub upper: Vec<f64>,
    /// Whether the last bin holds NaN.
    pub has_nan: bool,
}

impl BinMapper {
    /// Builds bins from a column the way LightGBM does (`FindBinWithZeroAsOneBin` and
    /// `GreedyFindBin` in its `bin.cpp`): zero (|v| ≤ 1e-35) gets a bin of its own; the
    /// negative and the positive values share the other bins in proportion to their rows;
    /// within a side, few distinct values each get a bin once it holds `min_data_in_bin`
    /// rows, and many are cut greedily at about (rows left) / (bins left), with every value
    /// holding a mean bin's worth of rows on its own. Bounds sit halfway between neighbouring
    /// distinct values; NaN, when present, takes one extra bin at the end.
    pub fn new(values: &[f64], max_bin: u32, min_data_in_bin: u32) -> Self {
        let has_nan = values.iter().any(|v| v.is_nan());
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        // Values equal under the total order are the same bits: an unstable sort is exact.
        v.sort_unstable_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for x in v {
            match distinct.last_mut() {
                Some(d) if d.0 == x => d.1 += 1,
                _ => distinct.push((x, 1)),
            }
        }
        let budget = (max_bin as usize)
            .saturating_sub(usize::from(has_nan))
            .max(1);
        let neg_end = distinct.partition_point(|d| d.0 <= -ZERO);
        let pos_start = distinct.partition_point(|d| d.0 <= ZERO);
        let rows = |d: &[(f64, usize)]| d.iter().map(|x| x.1).sum::<usize>();
        // Values in neg_end..pos_start are zero: they fall in the bin between ±1e-35.
        let (neg, pos) = (&distinct[..neg_end], &distinct[pos_start..]);
        let (neg_rows, pos_rows) = (rows(neg), rows(pos));
        let mut upper = Vec::new();
        if !neg.is_empty() && budget > 1 {
            let share = neg_rows as f64 / (neg_rows + pos_rows).max(1) as f64;
            let neg_bins = ((share * (budget - 1) as f64) as usize).max(1);
            upper = greedy_bins(neg, neg_bins, neg_rows, min_data_in_bin as usize);
            // The last negative bin ends just below zero.
            if let Some(last) = upper.last_mut() {
                *last = -ZERO;
            }
        }
        let pos_bins = budget.saturating_sub(1 + upper.len());
        if !pos.is_empty() && pos_bins > 0 {
            upper.push(ZERO);
            upper.extend(greedy_bins(
                pos,
                pos_bins,
                pos_rows,
                min_data_in_bin as usize,
            ));
        } else {
            upper.push(f64::INFINITY);
        }
        BinMapper { upper, has_nan }
    }

    /// Number of bins (NaN bin included).
    pub fn num_bins(&self) -> usize {
        self.upper.len() + usize::from(self.has_nan)
    }

    /// The bin of a value.
    pub fn bin(&self, x: f64) -> u16 {
        if x.is_nan() {
            return if self.has_nan {
                self.upper.len() as u16
            } else {
                self.upper.partition_point(|&u| u < 0.0) as u16
            };
        }
        self.upper.partition_point(|&u| u < x) as u16
    }
}

/// LightGBM's `kZeroThreshold`: |v| ≤ this is zero for binning.
pub(super) const ZERO: f64 = 1e-35_f32 as f64;

/// The next f64 above `x` (C's `nextafter(x, +∞)`): LightGBM puts each bound between two
/// values one step above their midpoint (`GetDoubleUpperBound`), and drops a bound that is
/// within one step of the previous one (`CheckDoubleEqualOrdered`).
pub(super) fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// Upper bounds (the last +∞) of at most `max_bin` bins over sorted `(value, rows)` pairs.
pub(super) fn greedy_bins(
    d: &[(f64, usize)],
    max_bin: usize,
    total: usize,
    min_data_in_bin: usize,
) -> Vec<f64> {
    let mut upper = Vec::new();
    if d.len() <= max_bin {
        // One bin per distinct value, once a bin holds min_data_in_bin rows.
        let mut in_bin = 0;
        for w in d.windows(2) {
            in_bin += w[0].1;
            if in_bin >= min_data_in_bin {
                let cut = next_up((w[0].0 + w[1].0) / 2.0);
                if upper.last().is_none_or(|&u| cut > next_up(u)) {
                    upper.push(cut);
                    in_bin = 0;
                }
            }
        }
        upper.push(f64::INFINITY);
        return upper;
    }
    let mut max_bin = max_bin;
    if let Some(cap) = total.checked_div(min_data_in_bin) {
        max_bin = max_bin.min(cap).max(1);
    }
    // Values holding a mean bin's rows are "big": each gets a bin of its own, and the rest
    // of the rows share the rest of the bins.
    let mean = total as f64 / max_bin as f64;
    let big: Vec<bool> = d.iter().map(|x| x.1 as f64 >= mean).collect();
    let mut bins_left = max_bin as f64 - big.iter().filter(|&&b| b).count() as f64;
    let mut rows_left = (total
        - d.iter()
            .zip(&big)
            .filter(|x| *x.1)
            .map(|x| x.0 .1)
            .sum::<usize>()) as f64;
    let mut mean = rows_left / bins_left;
    let mut cuts: Vec<(f64, f64)> = Vec::new();
    let mut in_bin = 0usize;
    for i in 0..d.len() - 1 {
        if !big[i] {
            rows_left -= d[i].1 as f64;
        }
        in_bin += d[i].1;
        let close = big[i]
            || in_bin as f64 >= mean
            || (big[i + 1] && in_bin as f64 >= (mean * 0.5).max(1.0));
        if close {
            // The bin ends at d[i]; the next starts at d[i + 1].
            cuts.push((d[i].0, d[i + 1].0));
            if cuts.len() + 1 >= max_bin {
                break;
            }
            in_bin = 0;
            if !big[i] {
                bins_left -= 1.0;
                mean = rows_left / bins_left;
            }
        }
    }
    for (hi, next_lo) in cuts {
        let cut = next_up((hi + next_lo) / 2.0);
        if upper.last().is_none_or(|&u| cut > next_up(u)) {
            upper.push(cut);
        }
    }
    upper.push(f64::INFINITY);
    upper
}

/// One feature's bins for every row; one byte a row when the feature has ≤ 256 bins.
pub(super) enum Column {
    U8(Vec<u8>),
    U16(Vec<u16>),
}
