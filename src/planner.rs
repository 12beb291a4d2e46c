//! Campaign planning: which influencers to book within a budget.
//!
//! "Fill to budget" is the 0/1 knapsack: choose a set S of candidates maximising
//! Σ_{i∈S} v_i (expected engagements of one post, v_i = followers_i × engagement_rate_i) subject
//! to Σ_{i∈S} c_i ≤ B (cost per post). It is solved exactly by dynamic programming over costs
//! on a grid of at most [`GRID`] cells spanning B:
//!
//! `best[w] = max(best[w], best[w − ŵ_i] + v_i)` for each item i and w from the top down,
//!
//! with each cost rounded *up* to whole cells, ŵ_i = ⌈c_i / u⌉. Rounding up keeps every set the
//! table deems feasible truly feasible (Σ c_i ≤ Σ ŵ_i·u ≤ B), so the plan never exceeds the
//! budget; it can only cost optimality, at most one cell u = B / GRID per chosen item. When
//! the costs are whole cents and B is at most [`GRID`] cents the cell is one cent and the
//! answer is the exact optimum. A greedy pass by value per cost then spends what rounding left.
//! Time O(n × GRID), memory n × GRID bits.

use crate::error::{Error, Result};

/// Most grid cells the budget is cut into.
pub const GRID: usize = 4096;

/// One candidate booking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    /// The caller's id (an influencer id).
    pub id: u32,
    /// What booking it costs (>= 0).
    pub cost: f64,
    /// What it brings (expected engagements); items worth nothing are never chosen.
    pub value: f64,
}

/// The chosen bookings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Ids of the chosen items, in the order given.
    pub chosen: Vec<u32>,
    /// Σ cost of the chosen items (<= the budget).
    pub cost: f64,
    /// Σ value of the chosen items.
    pub value: f64,
}

fn invalid(message: String) -> Error {
    Error::InvalidParam {
        name: "budget",
        message,
    }
}

/// The set of `items` with the most value whose cost fits in `budget`.
pub fn fill_to_budget(items: &[Item], budget: f64) -> Result<Plan> {
    if !(budget.is_finite() && budget >= 0.0) {
        return Err(invalid(format!(
            "must be a finite number >= 0, got {budget}"
        )));
    }
    if let Some(it) = items
        .iter()
        .find(|it| !(it.cost.is_finite() && it.cost >= 0.0 && it.value.is_finite()))
    {
        return Err(invalid(format!(
            "item {} has cost {} and value {}: both must be finite, the cost >= 0",
            it.id, it.cost, it.value
        )));
    }
    let useful: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].value > 0.0 && items[i].cost <= budget)
        .collect();
    // The cell: one cent when the budget has at most GRID cents, else B / GRID.
    let cells = ((budget * 100.0).floor() as usize).min(GRID);
    let unit = if cells == 0 {
        0.0
    } else if cells < GRID {
        0.01
    } else {
        budget / GRID as f64
    };
    let weight = |c: f64| -> usize {
        if c == 0.0 {
            0
        } else if unit == 0.0 {
            usize::MAX
        } else {
            (c / unit).ceil() as usize
        }
    };
    let mut best = vec![0.0f64; cells + 1];
    let mut keep = vec![false; useful.len() * (cells + 1)];
    for (row, &i) in useful.iter().enumerate() {
        let (w, v) = (weight(items[i].cost), items[i].value);
        if w > cells {
            continue;
        }
        for c in (w..=cells).rev() {
            let with = best[c - w] + v;
            if with > best[c] {
                best[c] = with;
                keep[row * (cells + 1) + c] = true;
            }
        }
    }
    let mut chosen = vec![false; items.len()];
    let mut c = cells;
    for (row, &i) in useful.iter().enumerate().rev() {
        if keep[row * (cells + 1) + c] {
            chosen[i] = true;
            c -= weight(items[i].cost);
        }
    }
    let mut cost: f64 = (0..items.len())
        .filter(|&i| chosen[i])
        .map(|i| items[i].cost)
        .sum();
    // Float sums can differ from the grid's in the last bits: drop the least valuable per
    // cost until the true sum fits (it practically never has to).
    let density = |i: usize| items[i].value / items[i].cost.max(f64::MIN_POSITIVE);
    while cost > budget {
        let Some(worst) = (0..items.len())
            .filter(|&i| chosen[i])
            .min_by(|&a, &b| density(a).total_cmp(&density(b)).then(b.cmp(&a)))
        else {
            break;
        };
        chosen[worst] = false;
        cost -= items[worst].cost;
    }
    // Spend what rounding left: best value per cost first, ties by position.
    let mut rest: Vec<usize> = useful.iter().copied().filter(|&i| !chosen[i]).collect();
    rest.sort_by(|&a, &b| density(b).total_cmp(&density(a)).then(a.cmp(&b)));
    for i in rest {
        if cost + items[i].cost <= budget {
            chosen[i] = true;
            cost += items[i].cost;
        }
    }
    let ids: Vec<usize> = (0..items.len()).filter(|&i| chosen[i]).collect();
    Ok(Plan {
        chosen: ids.iter().map(|&i| items[i].id).collect(),
        cost: ids.iter().map(|&i| items[i].cost).sum(),
        value: ids.iter().map(|&i| items[i].value).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The best value over every subset whose cost fits (2^n).
    fn brute_force(items: &[Item], budget: f64) -> f64 {
        (0u32..1 << items.len())
            .filter_map(|mask| {
                let pick = || (0..items.len()).filter(move |i| mask >> i & 1 == 1);
                let cost: f64 = pick().map(|i| items[i].cost).sum();
                (cost <= budget).then(|| pick().map(|i| items[i].value).sum::<f64>())
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn a_worked_example_beats_greedy_by_density() {
        // Greedy by value per cost takes 0 (7/6) and then nothing else fits (6 + 5 > 10);
        // the optimum is 1 + 2: cost 10, value 10.
        let items = [
            Item {
                id: 0,
                cost: 6.0,
                value: 7.0,
            },
            Item {
                id: 1,
                cost: 5.0,
                value: 5.0,
            },
            Item {
                id: 2,
                cost: 5.0,
                value: 5.0,
            },
        ];
        let p = fill_to_budget(&items, 10.0).unwrap();
        assert_eq!(p.chosen, [1, 2]);
        assert_eq!((p.cost, p.value), (10.0, 10.0));
    }

    #[test]
    fn whole_cent_costs_within_the_grid_give_the_exact_optimum() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..300 {
            let n = rng.random_range(0..11);
            let items: Vec<Item> = (0..n)
                .map(|id| Item {
                    id,
                    cost: f64::from(rng.random_range(0..2000u32)) / 100.0,
                    value: f64::from(rng.random_range(0..1000u32)),
                })
                .collect();
            let budget = f64::from(rng.random_range(0..4000u32)) / 100.0;
            let p = fill_to_budget(&items, budget).unwrap();
            assert!(p.cost <= budget, "{items:?} {budget}");
            assert_eq!(p.value, brute_force(&items, budget), "{items:?} {budget}");
        }
    }

    #[test]
    fn any_costs_never_exceed_the_budget_and_come_close_to_the_optimum() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        for _ in 0..300 {
            let n = rng.random_range(1..13);
            let items: Vec<Item> = (0..n)
                .map(|id| Item {
                    id,
                    cost: rng.random_range(0.0..5000.0),
                    value: rng.random_range(0.0..1e5),
                })
                .collect();
            let budget = rng.random_range(0.0..20000.0);
            let p = fill_to_budget(&items, budget).unwrap();
            assert!(p.cost <= budget, "{items:?} {budget}");
            let sum: f64 = p.chosen.iter().map(|&i| items[i as usize].cost).sum();
            assert_eq!(sum, p.cost);
            // Rounding loses at most one cell per item: compare with the optimum under a
            // budget shrunk by n cells (that set fits the grid after rounding up).
            let cell = budget / GRID as f64;
            assert!(
                p.value >= brute_force(&items, budget - n as f64 * cell),
                "{items:?} {budget}"
            );
        }
    }

    #[test]
    fn bad_input_is_a_typed_error_and_free_items_are_taken() {
        let one = [Item {
            id: 7,
            cost: 0.0,
            value: 3.0,
        }];
        assert_eq!(fill_to_budget(&one, 0.0).unwrap().chosen, [7]);
        for b in [f64::NAN, -1.0, f64::INFINITY] {
            assert!(matches!(
                fill_to_budget(&one, b),
                Err(Error::InvalidParam { .. })
            ));
        }
        let bad = [Item {
            id: 1,
            cost: -2.0,
            value: 1.0,
        }];
        assert!(matches!(
            fill_to_budget(&bad, 5.0),
            Err(Error::InvalidParam { .. })
        ));
        assert_eq!(fill_to_budget(&[], 5.0).unwrap(), Plan::default());
    }
}
