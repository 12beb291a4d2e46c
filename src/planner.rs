//! Campaign planning: which influencers to book within a budget.
//!
//! "Fill to budget" is the 0/1 knapsack: choose a set S of candidates maximising
//! Σ_{i∈S} v_i (expected engagements, v_i = followers_i × engagement_rate_i) subject to
//! Σ_{i∈S} c_i ≤ B, with costs and budget in whole cents (integers: no float cells, so a
//! cent is never lost to rounding at any budget).
//!
//! The solver is the expanding-core dynamic programme of Pisinger's *minknap* (1997), in its
//! plain form:
//! 1. Sort by density v_i / c_i (descending) and take the greedy prefix until item b, the
//!    *break item*, no longer fits. The break solution x̂ (items < b taken) is near-optimal;
//!    optimal solutions differ from it in few items near b.
//! 2. Keep a list of *states* (w, p): complete solutions that agree with x̂ outside the core
//!    [s, t]. Grow the core one item at a time, alternately adding t (every state with and
//!    without item t) and removing s (every state with and without item s), and keep only the
//!    Pareto frontier: a state is dropped when another weighs no more and earns no less
//!    (whatever is decided later applies to both alike).
//! 3. Drop a state when even the LP relaxation of the items outside the core cannot lift it
//!    above the best feasible state found so far (the *incumbent* z):
//!    `w ≤ B: p + (B − w)·v_t/c_t ≤ z`, because every item still to add is at most as dense as
//!    t; `w > B: p − (w − B)·v_s/c_s ≤ z`, because shedding the excess costs at least the
//!    density of the remaining removable items, all at least as dense as s.
//!
//! When the list empties, the core spans every item or the incumbent reaches Dantzig's bound
//! of the whole problem, the incumbent is optimal. With whole-number values (rounded expected
//! engagements) each bound is rounded down, which prunes far more. The work is
//! O(n log n) for the sort plus the sum of the list lengths, which the bounds keep small on
//! real catalogs; a list is never longer than the number of distinct weights, and a hard
//! instance that would grow it past [`MAX_STATES`] stops early with the best plan found so
//! far. A depth-first branch and bound (O(n) memory) then takes over from that incumbent; it
//! finishes near-equal-density instances (where the frontier is long but many plans reach
//! the bound) quickly, and when it too runs out of nodes the plan says `optimal: false`
//! rather than eating the browser's memory or time.

use crate::error::{Error, Result};

/// Largest budget or cost, in cents ($10,000,000,000, a thousand times the largest campaign
/// the planner is built for), so sums of up to [`MAX_ITEMS`] costs stay far inside `i64`.
pub const MAX_CENTS: u64 = 1_000_000_000_000;

/// Most candidates one plan considers.
pub const MAX_ITEMS: usize = 100_000;

/// Longest state list before the solver stops and returns its best plan so far.
pub const MAX_STATES: usize = 2_000_000;

/// One candidate booking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    /// The caller's id (an influencer id, a row number).
    pub id: u32,
    /// What booking it costs, in cents.
    pub cost_cents: u64,
    /// What it brings (expected engagements); items worth nothing are never chosen.
    pub value: f64,
}

/// The chosen bookings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Ids of the chosen items, in the order given.
    pub chosen: Vec<u32>,
    /// Σ cost of the chosen items in cents (<= the budget).
    pub cost_cents: u64,
    /// Σ value of the chosen items.
    pub value: f64,
    /// Whether the plan is proven optimal (false only when [`MAX_STATES`] stopped the search).
    pub optimal: bool,
}

fn invalid(name: &'static str, message: String) -> Error {
    Error::InvalidParam { name, message }
}

/// An amount in dollars as whole cents: the nearest cent when `dollars` is within a
/// millionth of a cent of one (float noise such as 0.29 × 100 = 28.999999999999996),
/// otherwise rounded up for a cost (never under-count a price) and down for a budget (never
/// overspend).
pub fn cents(dollars: f64, is_budget: bool) -> Result<u64> {
    let name = if is_budget { "budget" } else { "cost" };
    let x = dollars * 100.0;
    if !(x.is_finite() && x >= 0.0 && x <= MAX_CENTS as f64) {
        return Err(invalid(
            name,
            format!(
                "must be a number of dollars between 0 and {}, got {dollars}",
                MAX_CENTS / 100
            ),
        ));
    }
    let near = x.round();
    let c = if (x - near).abs() < 1e-6 {
        near
    } else if is_budget {
        x.floor()
    } else {
        x.ceil()
    };
    Ok(c as u64)
}

/// One solution of the list: weight, profit, and the flips from the break solution that
/// make it (an index into the trail arena).
#[derive(Debug, Clone, Copy)]
struct State {
    w: i64,
    p: f64,
    trail: u32,
}

/// No flips: the break solution itself.
const ROOT: u32 = u32::MAX;

/// The flips of every state, shared by prefix: node = (parent, sorted item index).
struct Trails {
    nodes: Vec<(u32, u32)>,
}

impl Trails {
    fn push(&mut self, parent: u32, item: usize) -> u32 {
        self.nodes.push((parent, item as u32));
        (self.nodes.len() - 1) as u32
    }

    fn flips(&self, mut at: u32, out: &mut Vec<usize>) {
        while at != ROOT {
            let (parent, item) = self.nodes[at as usize];
            out.push(item as usize);
            at = parent;
        }
    }

    /// Copies only the nodes reachable from `live` (rewriting them in place) so the arena
    /// stays proportional to the states alive, not to every state ever made.
    fn compact(&mut self, live: &mut [&mut u32]) {
        let mut moved = vec![ROOT; self.nodes.len()];
        let mut nodes: Vec<(u32, u32)> = Vec::new();
        let mut path = Vec::new();
        for t in live.iter_mut() {
            let mut at = **t;
            while at != ROOT && moved[at as usize] == ROOT {
                path.push(at);
                at = self.nodes[at as usize].0;
            }
            let mut parent = if at == ROOT { ROOT } else { moved[at as usize] };
            while let Some(old) = path.pop() {
                nodes.push((parent, self.nodes[old as usize].1));
                parent = (nodes.len() - 1) as u32;
                moved[old as usize] = parent;
            }
            **t = if **t == ROOT {
                ROOT
            } else {
                moved[**t as usize]
            };
        }
        self.nodes = nodes;
    }
}

/// Pareto merge of `list` with every state of `list` shifted by (dw, dp) through `item`:
/// sorted by weight, strictly increasing profit.
fn merge(list: &[State], dw: i64, dp: f64, item: usize, trails: &mut Trails) -> Vec<State> {
    let mut out: Vec<State> = Vec::with_capacity(list.len() * 2);
    let (mut a, mut b) = (0, 0);
    while a < list.len() || b < list.len() {
        // The shifted copy of list[b], made only when it is the next to be considered.
        let take_b = if a == list.len() {
            true
        } else if b == list.len() {
            false
        } else {
            let (wa, wb) = (list[a].w, list[b].w + dw);
            wb < wa || (wb == wa && list[b].p + dp > list[a].p)
        };
        let (w, p, from) = if take_b {
            b += 1;
            (
                list[b - 1].w + dw,
                list[b - 1].p + dp,
                Some(list[b - 1].trail),
            )
        } else {
            a += 1;
            (list[a - 1].w, list[a - 1].p, None)
        };
        if out.last().is_some_and(|last| last.p >= p) {
            continue; // dominated: the last kept weighs no more and earns no less
        }
        let trail = match from {
            Some(parent) => trails.push(parent, item),
            None => list[a - 1].trail,
        };
        out.push(State { w, p, trail });
    }
    out
}

/// Most nodes the depth-first fallback visits before giving up on proving optimality.
const MAX_NODES: u64 = 20_000_000;

/// Most items the depth-first fallback takes on (its recursion is one frame per item, and
/// wasm's stack is 1 MiB).
const MAX_DEPTH: usize = 2_000;

/// Depth-first branch and bound over items in density order (Horowitz–Sahni / MT1): take
/// item j first, then leave it, pruning a node whose Dantzig bound (the remaining items'
/// greedy prefix plus the fitting fraction of the next one, found by binary search over
/// prefix sums) cannot beat the incumbent.
struct DepthFirst<'a, F: Fn(f64, f64) -> bool> {
    c: &'a [i64],
    v: &'a [f64],
    budget: i64,
    /// Prefix sums: `sum_c[k]` = Σ_{j<k} c_j.
    sum_c: Vec<i64>,
    sum_v: Vec<f64>,
    best_p: f64,
    best_take: Option<Vec<bool>>,
    root_bound: f64,
    taken: Vec<bool>,
    nodes: u64,
    promising: &'a F,
}

impl<'a, F: Fn(f64, f64) -> bool> DepthFirst<'a, F> {
    fn new(c: &'a [i64], v: &'a [f64], budget: i64, best_p: f64, promising: &'a F) -> Self {
        let mut sum_c = vec![0i64; c.len() + 1];
        let mut sum_v = vec![0f64; c.len() + 1];
        for j in 0..c.len() {
            sum_c[j + 1] = sum_c[j] + c[j];
            sum_v[j + 1] = sum_v[j] + v[j];
        }
        let mut me = DepthFirst {
            c,
            v,
            budget,
            sum_c,
            sum_v,
            best_p,
            best_take: None,
            root_bound: 0.0,
            taken: vec![false; c.len()],
            nodes: 0,
            promising,
        };
        me.root_bound = me.bound(0, budget);
        me
    }

    /// Dantzig's bound of items j.. with `room` left.
    fn bound(&self, j: usize, room: i64) -> f64 {
        // The last k with Σ_{j≤i<k} c_i ≤ room.
        let limit = self.sum_c[j] + room;
        let k = self.sum_c[j..].partition_point(|&x| x <= limit) + j - 1;
        let mut b = self.sum_v[k] - self.sum_v[j];
        if k < self.c.len() {
            b += (limit - self.sum_c[k]) as f64 * self.v[k] / self.c[k] as f64;
        }
        b
    }

    /// Searches below item j; false when the node budget ran out first.
    fn search(&mut self, j: usize, w: i64, p: f64) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return false;
        }
        if p > self.best_p {
            self.best_p = p;
            let mut t = self.taken.clone();
            t[j..].fill(false);
            self.best_take = Some(t);
        }
        if j == self.c.len()
            || !(self.promising)(p + self.bound(j, self.budget - w), self.best_p)
            || !(self.promising)(self.root_bound, self.best_p)
        {
            return true;
        }
        if w + self.c[j] <= self.budget {
            self.taken[j] = true;
            let done = self.search(j + 1, w + self.c[j], p + self.v[j]);
            self.taken[j] = false;
            if !done {
                return false;
            }
        }
        self.search(j + 1, w, p)
    }
}

/// The set of `items` with the most value whose cost fits in `budget_cents`.
pub fn fill_to_budget(items: &[Item], budget_cents: u64) -> Result<Plan> {
    if budget_cents > MAX_CENTS {
        return Err(invalid(
            "budget",
            format!("{budget_cents} cents is over the largest budget, {MAX_CENTS}"),
        ));
    }
    if items.len() > MAX_ITEMS {
        return Err(invalid(
            "candidates",
            format!("{} candidates, at most {MAX_ITEMS}", items.len()),
        ));
    }
    if let Some(it) = items
        .iter()
        .find(|it| !it.value.is_finite() || it.cost_cents > MAX_CENTS)
    {
        return Err(invalid(
            "candidates",
            format!(
                "item {} has cost {} cents and value {}: the value must be finite, the cost at most {MAX_CENTS}",
                it.id, it.cost_cents, it.value
            ),
        ));
    }
    let budget = budget_cents as i64;
    // Free items with value are always taken; items worth nothing or over budget never.
    let mut chosen = vec![false; items.len()];
    for (i, it) in items.iter().enumerate() {
        chosen[i] = it.cost_cents == 0 && it.value > 0.0;
    }
    let mut order: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].value > 0.0 && items[i].cost_cents > 0)
        .filter(|&i| items[i].cost_cents as i64 <= budget)
        .collect();
    // Density order, v_a/c_a > v_b/c_b  ⇔  v_a·c_b > v_b·c_a (no division); ties by position.
    crate::sorting::sort_by(&mut order, |&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        (y.value * x.cost_cents as f64)
            .total_cmp(&(x.value * y.cost_cents as f64))
            .then(a.cmp(&b))
    });
    let c: Vec<i64> = order.iter().map(|&i| items[i].cost_cents as i64).collect();
    let v: Vec<f64> = order.iter().map(|&i| items[i].value).collect();
    let density = |j: usize| v[j] / c[j] as f64;
    let n = order.len();
    // The break item b and the break solution (items < b).
    let (mut w_break, mut p_break, mut b) = (0i64, 0f64, 0usize);
    while b < n && w_break + c[b] <= budget {
        w_break += c[b];
        p_break += v[b];
        b += 1;
    }
    let mut optimal = true;
    let mut flips = Vec::new();
    let mut take = vec![false; n];
    take[..b].fill(true);
    if b < n {
        let mut trails = Trails { nodes: Vec::new() };
        // The incumbent starts as the greedy solution: the break solution plus every later
        // item that still fits, in density order.
        let (mut best_p, mut best_trail) = (p_break, ROOT);
        {
            let (mut w, mut p) = (w_break, p_break);
            for j in b..n {
                if w + c[j] <= budget {
                    w += c[j];
                    p += v[j];
                    best_trail = trails.push(best_trail, j);
                }
            }
            if p > best_p {
                best_p = p;
            } else {
                best_trail = ROOT;
            }
        }
        // With whole-number values every plan's value is a whole number, so a bound can be
        // rounded down: a state must promise at least z + 1 to be kept.
        let integral = v.iter().all(|x| x.fract() == 0.0 && x.abs() < 9e15);
        let slack = |z: f64| 1e-9 * z.abs().max(1.0);
        let promising = |bound: f64, z: f64| {
            if integral {
                (bound + slack(bound)).floor() > z
            } else {
                bound > z - slack(z)
            }
        };
        // Dantzig's bound of the whole problem: the break solution plus the fitting fraction
        // of the break item. An incumbent that reaches it is optimal: stop there.
        let root_bound = p_break + (budget - w_break) as f64 * density(b);
        let mut list = vec![State {
            w: w_break,
            p: p_break,
            trail: ROOT,
        }];
        // Next item to add (t, from b up) and next to remove (s, from b − 1 down).
        let (mut t, mut s) = (b, b as i64 - 1);
        while !list.is_empty() && (t < n || s >= 0) && promising(root_bound, best_p) {
            for add in [true, false] {
                if add && t < n {
                    list = merge(&list, c[t], v[t], t, &mut trails);
                    t += 1;
                } else if !add && s >= 0 {
                    let j = s as usize;
                    list = merge(&list, -c[j], -v[j], j, &mut trails);
                    s -= 1;
                } else {
                    continue;
                }
                for st in &list {
                    if st.w <= budget && st.p > best_p {
                        best_p = st.p;
                        best_trail = st.trail;
                    }
                }
                // The LP bound of each state given what the core has not reached yet.
                let d_add = if t < n { density(t) } else { 0.0 };
                let d_remove = (s >= 0).then(|| density(s as usize));
                list.retain(|st| {
                    let bound = if st.w <= budget {
                        st.p + (budget - st.w) as f64 * d_add
                    } else if let Some(d) = d_remove {
                        st.p - (st.w - budget) as f64 * d
                    } else {
                        return false; // over budget with nothing left to remove
                    };
                    // Keep a state that could still strictly beat the incumbent; the
                    // slack keeps float rounding in the bound from dropping a better one.
                    promising(bound, best_p)
                });
                if list.len() > MAX_STATES {
                    optimal = false;
                    list.clear();
                }
            }
            if trails.nodes.len() > 4 * (list.len() + 1024) * 8 {
                let mut live: Vec<&mut u32> = list.iter_mut().map(|st| &mut st.trail).collect();
                live.push(&mut best_trail);
                trails.compact(&mut live);
            }
        }
        trails.flips(best_trail, &mut flips);
        // The incumbent: the break solution with its flips applied.
        for &j in &flips {
            take[j] = !take[j];
        }
        if !optimal && n <= MAX_DEPTH {
            // The frontier grew too long (near-equal densities: the LP bounds prune almost
            // nothing). Depth-first branch and bound needs only O(n) memory and stops as soon
            // as a plan reaches the root bound, which such instances usually have.
            let mut dfs = DepthFirst::new(&c, &v, budget, best_p, &promising);
            if dfs.search(0, 0, 0.0) {
                optimal = true;
            }
            if let Some(better) = dfs.best_take {
                take = better;
            }
        }
    }
    for (j, &i) in order.iter().enumerate() {
        chosen[i] = take[j];
    }
    let ids: Vec<usize> = (0..items.len()).filter(|&i| chosen[i]).collect();
    Ok(Plan {
        chosen: ids.iter().map(|&i| items[i].id).collect(),
        cost_cents: ids.iter().map(|&i| items[i].cost_cents).sum(),
        value: ids.iter().map(|&i| items[i].value).sum(),
        optimal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The best value over every subset whose cost fits, enumerated in Gray-code order (one
    /// flip per step). Values in the tests are whole numbers, so float sums are exact.
    fn brute_force(items: &[Item], budget: u64) -> f64 {
        let n = items.len();
        let (mut w, mut p, mut best) = (0i64, 0f64, 0f64);
        let mut taken = vec![false; n];
        for step in 1u64..1 << n {
            let j = step.trailing_zeros() as usize;
            taken[j] = !taken[j];
            let sign = if taken[j] { 1 } else { -1 };
            w += sign * items[j].cost_cents as i64;
            p += sign as f64 * items[j].value;
            if w <= budget as i64 && p > best {
                best = p;
            }
        }
        best
    }

    /// Exact DP over cents, O(n·B): the reference for budgets too large to brute-force.
    fn dp_over_cents(items: &[Item], budget: u64) -> f64 {
        let mut best = vec![0f64; budget as usize + 1];
        for it in items.iter().filter(|it| it.value > 0.0) {
            let w = it.cost_cents as usize;
            for x in (w..=budget as usize).rev() {
                best[x] = best[x].max(best[x - w] + it.value);
            }
        }
        best[budget as usize]
    }

    /// The classic hard families (Pisinger 2005, "Where are the hard knapsack problems?"),
    /// plus the one influencer pricing produces: cost and value both grow with followers.
    fn instance(rng: &mut impl Rng, n: usize, range: u64) -> (Vec<Item>, u64) {
        let family = rng.random_range(0..7);
        let items: Vec<Item> = (0..n)
            .map(|id| {
                let c = rng.random_range(1..=range);
                let v = match family {
                    0 => rng.random_range(1..=range),                   // uncorrelated
                    1 => (c + rng.random_range(0..=range / 10)).max(1), // weakly
                    2 => c + range / 10,                                // strongly
                    3 => c,                                             // subset sum
                    4 => (c * 3) / 2,                                   // equal density
                    5 => rng.random_range(0..=range),                   // zeros too
                    _ => c * rng.random_range(8..12) / 10 + rng.random_range(0..5), // followers
                };
                let cost = if family == 5 && rng.random_bool(0.1) {
                    0
                } else {
                    c
                };
                Item {
                    id: id as u32,
                    cost_cents: cost,
                    value: v as f64,
                }
            })
            .collect();
        let total: u64 = items.iter().map(|i| i.cost_cents).sum();
        let budget = rng.random_range(0..=total.max(1));
        (items, budget)
    }

    fn check(items: &[Item], budget: u64, want: f64) {
        let p = fill_to_budget(items, budget).unwrap();
        assert!(p.optimal);
        assert!(p.cost_cents <= budget, "{items:?} {budget}");
        let by_id = |id: u32| items.iter().find(|i| i.id == id).unwrap();
        let (cost, value) = p.chosen.iter().fold((0, 0.0), |(c, v), &id| {
            (c + by_id(id).cost_cents, v + by_id(id).value)
        });
        assert_eq!((cost, value), (p.cost_cents, p.value));
        assert_eq!(p.value, want, "{items:?} budget {budget}: {p:?}");
    }

    #[test]
    fn the_float_grid_counter_example_is_solved_exactly() {
        // 18.26 + 4.99 + 8.97 = 32.22 exactly: value 1,983 (the old float grid found 1,462).
        let items: Vec<Item> = [(1826, 722.0), (1694, 201.0), (499, 671.0), (897, 590.0)]
            .iter()
            .enumerate()
            .map(|(id, &(cost_cents, value))| Item {
                id: id as u32,
                cost_cents,
                value,
            })
            .collect();
        let p = fill_to_budget(&items, cents(32.22, true).unwrap()).unwrap();
        assert_eq!(
            (p.chosen, p.cost_cents, p.value),
            (vec![0, 2, 3], 3222, 1983.0)
        );
    }

    #[test]
    fn every_small_instance_matches_brute_force() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        for case in 0..3000 {
            let n = case % 21;
            let range = [10, 1_000, 100_000, 100_000_000][case % 4];
            let (items, budget) = instance(&mut rng, n, range);
            check(&items, budget, brute_force(&items, budget));
        }
    }

    #[test]
    fn larger_instances_match_the_dp_over_cents() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
        for case in 0..60 {
            let n = 30 + case * 3;
            let (items, budget) = instance(&mut rng, n, 1_000);
            check(&items, budget, dp_over_cents(&items, budget));
        }
    }

    #[test]
    fn a_campaign_scale_instance_is_feasible_and_at_least_greedy() {
        // 500 influencers at up to $200,000 a post, budget $10,000,000.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
        let items: Vec<Item> = (0..500)
            .map(|id| {
                let followers = 10f64.powf(rng.random_range(3.0..7.5));
                let cost = (followers * rng.random_range(0.5..3.0)).round() as u64;
                Item {
                    id,
                    cost_cents: cost.clamp(1, 20_000_000),
                    value: (followers * rng.random_range(0.005..0.08)).round(),
                }
            })
            .collect();
        let budget = 1_000_000_000;
        let p = fill_to_budget(&items, budget).unwrap();
        assert!(p.optimal && p.cost_cents <= budget);
        let mut greedy: Vec<&Item> = items.iter().collect();
        greedy.sort_by(|a, b| {
            (b.value / b.cost_cents as f64).total_cmp(&(a.value / a.cost_cents as f64))
        });
        let (mut w, mut g) = (0, 0.0);
        for it in greedy {
            if w + it.cost_cents <= budget {
                w += it.cost_cents;
                g += it.value;
            }
        }
        assert!(p.value >= g);
    }

    #[test]
    fn equal_densities_overflow_the_frontier_and_the_fallback_proves_the_optimum() {
        // Value = cost: every plan is equally dense, the LP bounds prune nothing and the
        // frontier passes MAX_STATES; depth-first search finds a plan that spends the budget
        // to the cent, which meets the root bound.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let items: Vec<Item> = (0..500)
            .map(|id| {
                let c = rng.random_range(1..=2_000_000u64);
                Item {
                    id,
                    cost_cents: c,
                    value: c as f64,
                }
            })
            .collect();
        let budget = items.iter().map(|i| i.cost_cents).sum::<u64>() * 3 / 10;
        let p = fill_to_budget(&items, budget).unwrap();
        assert!(p.optimal);
        assert_eq!((p.cost_cents, p.value), (budget, budget as f64));
    }

    #[test]
    fn cents_round_float_noise_and_never_overspend() {
        assert_eq!(cents(0.29, true).unwrap(), 29);
        assert_eq!(cents(0.07, false).unwrap(), 7);
        assert_eq!(cents(10.005, false).unwrap(), 1001);
        assert_eq!(cents(10.005, true).unwrap(), 1000);
        assert_eq!(cents(10_000_000.0, true).unwrap(), 1_000_000_000);
        for bad in [f64::NAN, -0.01, f64::INFINITY, 1e13] {
            assert!(matches!(cents(bad, true), Err(Error::InvalidParam { .. })));
        }
    }

    #[test]
    fn bad_input_is_a_typed_error_and_free_items_are_taken() {
        let one = [Item {
            id: 7,
            cost_cents: 0,
            value: 3.0,
        }];
        assert_eq!(fill_to_budget(&one, 0).unwrap().chosen, [7]);
        assert!(matches!(
            fill_to_budget(&one, MAX_CENTS + 1),
            Err(Error::InvalidParam { .. })
        ));
        let nan = [Item {
            id: 1,
            cost_cents: 2,
            value: f64::NAN,
        }];
        assert!(matches!(
            fill_to_budget(&nan, 5),
            Err(Error::InvalidParam { .. })
        ));
        let empty = fill_to_budget(&[], 5).unwrap();
        assert!(empty.chosen.is_empty() && empty.optimal);
    }
}
