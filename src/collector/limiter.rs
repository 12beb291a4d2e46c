//! Per-client limits of the collector, as plain data structures: time is an argument (seconds
//! as f64), so they are tested without sleeping and know nothing of sockets.
//!
//! A token bucket per client: a bucket holds at most `burst` tokens and refills at `rate`
//! tokens per second; a request costing c passes when the bucket holds c (then loses them),
//! else it is told to wait `(c − tokens) / rate` seconds. Over a window of T seconds a
//! client passes at most `burst + rate·T` tokens, whatever it sends.

use std::collections::HashMap;

/// One client's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: f64,
}

/// Token buckets by client key, remembering at most `cap` clients.
#[derive(Debug)]
pub struct Buckets {
    rate: f64,
    burst: f64,
    cap: usize,
    map: HashMap<String, Bucket>,
}

impl Buckets {
    /// Buckets refilling at `rate` per second up to `burst` (`rate` 0: no limit).
    pub fn new(rate: f64, burst: f64, cap: usize) -> Buckets {
        Buckets {
            rate,
            burst,
            cap,
            map: HashMap::new(),
        }
    }

    /// Clients remembered now.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Takes `cost` tokens from `key`'s bucket at time `now`; `Err(seconds)` to wait when
    /// it holds too few. A cost above the burst never passes (the collector's limits keep a
    /// batch within every burst, so a burst holds inside one batch too).
    pub fn take(&mut self, key: &str, cost: f64, now: f64) -> Result<(), f64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let cost = cost.max(0.0);
        if cost > self.burst {
            return Err(f64::INFINITY);
        }
        let (rate, burst) = (self.rate, self.burst);
        let level = |b: &Bucket| (b.tokens + (now - b.at).max(0.0) * rate).min(burst);
        if !self.map.contains_key(key) && self.map.len() >= self.cap {
            // Forget the idle (full again: they lose nothing by being forgotten).
            self.map.retain(|_, b| level(b) < burst);
            if self.map.len() >= self.cap {
                return Err(1.0);
            }
        }
        let b = self.map.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = level(b);
        if tokens >= cost {
            *b = Bucket {
                tokens: tokens - cost,
                at: now,
            };
            Ok(())
        } else {
            Err((cost - tokens) / rate)
        }
    }
}

/// Counts per client and UTC day (new brands added by a device), remembering at most `cap`
/// clients; counts of earlier days are forgotten first.
#[derive(Debug)]
pub struct DailyCounts {
    cap: usize,
    map: HashMap<String, (i64, usize)>,
}

impl DailyCounts {
    /// Counts remembering at most `cap` clients.
    pub fn new(cap: usize) -> DailyCounts {
        DailyCounts {
            cap,
            map: HashMap::new(),
        }
    }

    /// Reserves up to `want` of `max` a day for `key` on `day`; returns how many it got (0
    /// when the table is full of today's clients).
    pub fn reserve(&mut self, key: &str, day: i64, want: usize, max: usize) -> usize {
        if !self.map.contains_key(key) && self.map.len() >= self.cap {
            self.map.retain(|_, (d, _)| *d == day);
            if self.map.len() >= self.cap {
                return 0;
            }
        }
        let e = self.map.entry(key.to_string()).or_insert((day, 0));
        if e.0 != day {
            *e = (day, 0);
        }
        let got = want.min(max.saturating_sub(e.1));
        e.1 += got;
        got
    }

    /// Gives back `n` reserved for `key` on `day` (what a batch did not use).
    pub fn release(&mut self, key: &str, day: i64, n: usize) {
        if let Some(e) = self.map.get_mut(key).filter(|e| e.0 == day) {
            e.1 = e.1.saturating_sub(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_passes_its_burst_then_its_rate() {
        let mut b = Buckets::new(2.0, 5.0, 10);
        for _ in 0..5 {
            assert!(b.take("a", 1.0, 0.0).is_ok());
        }
        let wait = b.take("a", 1.0, 0.0).unwrap_err();
        assert!((wait - 0.5).abs() < 1e-12, "{wait}");
        // Another client is not affected.
        assert!(b.take("b", 1.0, 0.0).is_ok());
        // Half a second later one more token; ten seconds later the burst again, not more.
        assert!(b.take("a", 1.0, 0.5).is_ok());
        assert!(b.take("a", 1.0, 0.5).is_err());
        assert!(b.take("a", 5.0, 10.5).is_ok());
        assert!(b.take("a", 1.0, 10.5).is_err());
        // Over T seconds of flooding, at most burst + rate·T pass.
        let mut f = Buckets::new(10.0, 60.0, 10);
        let passed = (0..100_000)
            .filter(|i| f.take("x", 1.0, *i as f64 * 1e-4).is_ok())
            .count();
        assert!(passed <= 60 + 100 + 1, "{passed}");
        assert!(passed >= 60 + 100 - 1, "{passed}");
    }

    #[test]
    fn a_request_larger_than_the_burst_never_passes() {
        let mut b = Buckets::new(50.0, 100.0, 10);
        assert_eq!(b.take("d", 500.0, 0.0), Err(f64::INFINITY));
        assert_eq!(b.take("d", 500.0, 1e6), Err(f64::INFINITY));
        // It took nothing: the burst is still there.
        assert!(b.take("d", 100.0, 0.0).is_ok());
        assert_eq!(b.take("d", 1.0, 0.0), Err(1.0 / 50.0));
        assert!(Buckets::new(0.0, 0.0, 1).take("any", 1e9, 0.0).is_ok());
    }

    #[test]
    fn a_full_table_forgets_idle_clients_and_refuses_new_ones_while_all_are_busy() {
        let mut b = Buckets::new(1.0, 2.0, 2);
        assert!(b.take("a", 1.0, 0.0).is_ok());
        assert!(b.take("b", 1.0, 0.0).is_ok());
        assert_eq!(b.take("c", 1.0, 0.0), Err(1.0));
        assert_eq!(b.len(), 2);
        // A second later "a" and "b" are full again (idle): forgotten, "c" gets in.
        assert!(b.take("c", 1.0, 1.0).is_ok());
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn daily_counts_reserve_release_and_start_over_each_day() {
        let mut d = DailyCounts::new(2);
        assert_eq!(d.reserve("dev", 1, 15, 20), 15);
        assert_eq!(d.reserve("dev", 1, 15, 20), 5);
        d.release("dev", 1, 3);
        assert_eq!(d.reserve("dev", 1, 9, 20), 3);
        assert_eq!(d.reserve("dev", 2, 9, 20), 9);
        assert_eq!(d.reserve("other", 2, 1, 20), 1);
        assert_eq!(
            d.reserve("third", 2, 1, 20),
            0,
            "table full of today's clients"
        );
        assert_eq!(d.reserve("third", 3, 1, 20), 1, "yesterday's forgotten");
    }
}
