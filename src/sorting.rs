//! One sort for the cold paths: a card's worked-with list and explanation, the planner's
//! density order, the price models' category and country codes, a new brand's places, the bundle writer's
//! dictionaries.
//!
//! Every `sort_by` with its own element type or comparator is its own copy of the standard
//! library's sort in the page's wasm module (a driftsort or ipnsort with its quicksort, merge
//! and small-sort helpers, 3-15 KB each before `wasm-opt`): 117 such functions were 128 KB of
//! the module's 1.2 MB before optimisation, more than any of our own code. These helpers sort
//! a permutation of positions with a comparator behind a `&dyn`, so every caller shares one
//! copy of the sort, and then move the elements into place. The result is the standard
//! library's stable sort's, element for element (a test pins them together); the cost is an
//! indirect call per comparison and a vector of positions. What a bundle's load runs keeps
//! its own sorts, as do the rankings' kernels ([`crate::topk`]): with the catalog's, the
//! cohesion index's, the evidence's and the percentiles' sorts moved here too, the engine's
//! build in a first visit (baseline-compiled code) took about 19 ms longer. A sort whose
//! element type and comparator the load already sorts with (floats by `total_cmp`, `&str`)
//! shares the load's copy instead.

use std::cmp::Ordering;

/// The one sort every helper calls: positions `0..n` stably sorted by `cmp`.
#[inline(never)]
fn positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Moves `v[order[k]]` to position `k` for every `k`, in place, by following the
/// permutation's cycles (each element is swapped at most once into its place).
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            // Mark the position done; a cycle ends where it began.
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

/// Sorts `v` stably by `cmp`: what `v.sort_by(cmp)` gives.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = positions(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` in ascending order: what `v.sort()` (and, as equal elements of a total order
/// are alike, `v.sort_unstable()`) gives.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn each_helper_gives_what_the_standard_sort_gives() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [0usize, 1, 2, 3, 7, 20, 33, 100, 1000] {
            // Pairs with many equal keys, so stability shows: the second field records the
            // original position.
            let v: Vec<(u8, usize)> = (0..n).map(|i| (rng.random_range(0..5u8), i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v.clone();
            sort_by(&mut got, |a, b| a.0.cmp(&b.0));
            assert_eq!(got, want, "sort_by, n = {n}");
            let mut want = v.clone();
            want.sort_unstable();
            let mut got = v.clone();
            sort(&mut got);
            assert_eq!(got, want, "sort, n = {n}");
        }
    }

    #[test]
    fn permute_places_every_cycle() {
        // Every permutation of 5 elements, by its own position list.
        let mut order: Vec<usize> = (0..5).collect();
        let mut seen = 0;
        loop {
            let mut v: Vec<char> = "abcde".chars().collect();
            permute(&mut v, order.clone());
            let want: Vec<char> = order.iter().map(|&i| (b'a' + i as u8) as char).collect();
            assert_eq!(v, want, "{order:?}");
            seen += 1;
            // Next permutation in lexicographic order.
            let Some(i) = (0..4).rev().find(|&i| order[i] < order[i + 1]) else {
                break;
            };
            let j = (i + 1..5)
                .rev()
                .find(|&j| order[j] > order[i])
                .expect("exists");
            order.swap(i, j);
            order[i + 1..].reverse();
        }
        assert_eq!(seen, 120);
    }
}
