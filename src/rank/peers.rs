//! What is usual for an influencer's size: the median engagement rate of the influencers with
//! about as many followers, so a card can say "above-average engagement for their size"
//! (engagement rates fall as audiences grow, so a rate means little without its size).

use crate::mf::features::half_decade_bucket;
use crate::model::Influencer;

/// Fewer influencers of a size than this and the size has no median (too few to be "usual").
pub const MIN_PEERS: usize = 20;

/// The median engagement rate per half-decade of followers ([`half_decade_bucket`]: sizes
/// [10^(m/2), 10^((m+1)/2)), the same bounds the model's features use).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SizeNorms {
    /// By bucket (buckets start at 0: follower counts are floored at 1); `None`: fewer than
    /// [`MIN_PEERS`] influencers with a finite rate.
    medians: Vec<Option<f64>>,
}

impl SizeNorms {
    /// The norms of a catalog, over known values only: an influencer whose rate or follower
    /// count is unknown is no one's peer (its missing likes would drag the median down), and
    /// rates that are not finite (a hostile bundle) are left out. One pass to group, one sort
    /// per size.
    pub fn new(influencers: &[Influencer]) -> Self {
        let mut groups: Vec<Vec<f64>> = Vec::new();
        for inf in influencers {
            let (Some(rate), Some(followers)) = (inf.engagement_rate, inf.followers) else {
                continue;
            };
            if !rate.is_finite() {
                continue;
            }
            let b = half_decade_bucket(followers as f64).max(0) as usize;
            if groups.len() <= b {
                groups.resize_with(b + 1, Vec::new);
            }
            groups[b].push(rate);
        }
        let medians = groups
            .into_iter()
            .map(|mut g| (g.len() >= MIN_PEERS).then(|| median(&mut g)))
            .collect();
        SizeNorms { medians }
    }

    /// The median engagement rate of influencers with about `followers` followers (none for
    /// an unknown size).
    pub fn median_engagement(&self, followers: Option<u64>) -> Option<f64> {
        let b = half_decade_bucket(followers? as f64).max(0) as usize;
        self.medians.get(b).copied().flatten()
    }
}

/// The median of a non-empty slice of finite numbers (the mean of the two middle ones for an
/// even count); sorts the slice. A sort rather than a selection: the module already carries
/// this sort (the history percentiles), a selection would be new code in the wasm module, and
/// the groups together are one pass of n log n at load.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inf(followers: u64, rate: f64) -> Influencer {
        Influencer {
            name: format!("i{followers}"),
            followers: Some(followers),
            mean_likes: Some(rate * followers as f64),
            engagement_rate: Some(rate),
            ..Influencer::default()
        }
    }

    #[test]
    fn medians_are_per_size_and_need_enough_peers() {
        // 10,000..31,622 followers: 25 influencers, rates 0.01..=0.25 -> median 0.13.
        let mut infs: Vec<Influencer> = (1..=25)
            .map(|k| inf(10_000 + 100 * k, f64::from(k as u32) / 100.0))
            .collect();
        // 100,000..316,227: 20 influencers, rates 0.001..=0.020 -> median (0.010 + 0.011) / 2.
        infs.extend((1..=20).map(|k| inf(100_000 + k, f64::from(k as u32) / 1000.0)));
        // 1,000..3,162: 19 influencers, too few.
        infs.extend((1..=19).map(|k| inf(1_000 + k, 0.05)));
        // Unknown rates and sizes are not peers (their missing likes would drag the median
        // down).
        infs.extend((0..30).map(|_| Influencer {
            engagement_rate: None,
            mean_likes: None,
            ..inf(20_000, 0.0)
        }));
        infs.extend((0..30).map(|_| Influencer {
            followers: None,
            ..inf(20_000, 0.0)
        }));
        // Not finite rates are not peers.
        infs.extend((0..30).map(|_| inf(50_000, f64::NAN)));
        infs.push(inf(50_000, f64::INFINITY));
        // Reversed input gives the same medians.
        let norms = SizeNorms::new(&infs);
        infs.reverse();
        assert_eq!(SizeNorms::new(&infs), norms);
        assert_eq!(norms.median_engagement(Some(20_000)), Some(0.13));
        assert!((norms.median_engagement(Some(150_000)).unwrap() - 0.0105).abs() < 1e-15);
        assert_eq!(norms.median_engagement(Some(2_000)), None);
        assert_eq!(norms.median_engagement(Some(5)), None);
        assert_eq!(norms.median_engagement(Some(u64::MAX)), None);
        assert_eq!(SizeNorms::new(&[]).median_engagement(Some(20_000)), None);
    }

    #[test]
    fn median_matches_a_sort() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in 1..60 {
            let mut v: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..10u32)))
                .collect();
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            let want = if n % 2 == 1 {
                s[n / 2]
            } else {
                (s[n / 2 - 1] + s[n / 2]) / 2.0
            };
            assert_eq!(median(&mut v), want, "{s:?}");
        }
    }
}
