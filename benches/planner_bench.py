"""Benchmark (not a test): the exact campaign planner against reference solvers from PyPI.

For each instance family, seeded instances of n candidates with whole-cent costs up to a
budget of $10,000,000 are written as candidates CSV and solved by
  - ours:     `influence-rec plan` (the solver's own time, printed as "solved in X ms"),
  - OR-Tools: `KnapsackSolver` (branch and bound, integer profits),
  - SciPy:    `milp` (HiGHS branch and cut).
Values are whole numbers (rounded expected engagements) so all three solve the same integer
problem; the script checks every optimum against OR-Tools' and prints median and worst times
and the ratios. Usage (after `bash benches/reference_env.sh` and a release build):
    target/refvenv/bin/python benches/planner_bench.py [instances_per_family=20] [n=500]
"""
import csv, os, random, statistics, subprocess, sys, tempfile, time

import numpy as np
from ortools.algorithms.python import knapsack_solver
from scipy.optimize import Bounds, LinearConstraint, milp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "influence-rec")
PER = int(sys.argv[1]) if len(sys.argv) > 1 else 20
N = int(sys.argv[2]) if len(sys.argv) > 2 else 500
LIMIT_S = 10.0  # per instance and reference solver


def followers(rng):
    return 10 ** rng.uniform(3.0, 7.5)


def family(name, rng, n):
    """(costs in cents, integer values) of one instance."""
    out = []
    for _ in range(n):
        f = followers(rng)
        if name == "influencer pricing":  # cost and value both grow with followers
            c = max(1, round(f * rng.uniform(0.5, 3.0)))
            v = max(1, round(f * rng.uniform(0.005, 0.08)))
        elif name == "strongly correlated":  # v = c + R/10, the hard case for B&B
            c = rng.randint(1, 2_000_000)
            v = c // 100 + 2_000
        elif name == "weakly correlated":
            c = rng.randint(1, 2_000_000)
            v = max(1, c // 100 + rng.randint(-2_000, 2_000))
        elif name == "uncorrelated":
            c = rng.randint(1, 2_000_000)
            v = rng.randint(1, 100_000)
        elif name == "subset sum":  # v = c: every set is equally dense
            c = rng.randint(1, 2_000_000)
            v = c
        out.append((min(c, 1_000_000_000), v))
    return out


def ortools_solve(costs, values, budget):
    s = knapsack_solver.KnapsackSolver(
        knapsack_solver.SolverType.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER, "plan")
    s.init(values, [costs], [budget])
    s.set_time_limit(LIMIT_S)
    t = time.perf_counter()
    best = s.solve()
    return best, (time.perf_counter() - t) * 1e3, s.is_solution_optimal()


def scipy_solve(costs, values, budget):
    c = -np.asarray(values, dtype=float)
    a = np.asarray([costs], dtype=float)
    t = time.perf_counter()
    r = milp(c, constraints=LinearConstraint(a, 0, budget), integrality=np.ones(len(costs)),
             bounds=Bounds(0, 1), options={"mip_rel_gap": 0.0, "time_limit": LIMIT_S})
    ms = (time.perf_counter() - t) * 1e3
    return round(-r.fun), ms


def ours(costs, values, budget, work):
    path = os.path.join(work, "c.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "cost", "value"])
        for i, (c, v) in enumerate(zip(costs, values)):
            w.writerow([i, f"{c // 100}.{c % 100:02d}", v])
    budget_s = f"{budget // 100}.{budget % 100:02d}"
    p = subprocess.run([BIN, "plan", "--budget", budget_s, "--input", path],
                       capture_output=True, text=True, check=True)
    rows = list(csv.DictReader(p.stdout.splitlines()))
    value = sum(int(r["value"]) for r in rows)
    ms = float(p.stderr.rsplit("solved in ", 1)[1].split(" ms")[0])
    return value, ms, "(optimal)" in p.stderr


def main():
    rng = random.Random(20261129)
    work = tempfile.mkdtemp()
    print(f"planner: {PER} instances per family, n = {N}, budget up to $10,000,000")
    print(f"{'family':22} {'ours ms':>18} {'OR-Tools ms':>18} {'SciPy ms':>18} {'OR/ours':>8} {'SciPy/ours':>10}")
    for name in ["influencer pricing", "uncorrelated", "weakly correlated",
                 "strongly correlated", "subset sum"]:
        t_ours, t_or, t_sp = [], [], []
        unproven = {"ours": 0, "OR-Tools": 0}
        worse = 0
        for _ in range(PER):
            items = family(name, rng, N)
            costs = [c for c, _ in items]
            values = [v for _, v in items]
            budget = min(1_000_000_000, int(sum(costs) * rng.uniform(0.05, 0.6)))
            v_or, ms_or, or_opt = ortools_solve(costs, values, budget)
            v_sp, ms_sp = scipy_solve(costs, values, budget)
            v_us, ms_us, us_opt = ours(costs, values, budget, work)
            unproven["ours"] += not us_opt
            unproven["OR-Tools"] += not or_opt
            if us_opt and or_opt:
                assert v_us == v_or, (name, v_us, v_or)
            worse += v_us < max(v_or, v_sp)
            t_ours.append(ms_us); t_or.append(ms_or); t_sp.append(ms_sp)
        med = statistics.median
        fmt = lambda xs: f"{med(xs):8.3f} / {max(xs):7.3f}"
        print(f"{name:22} {fmt(t_ours):>18} {fmt(t_or):>18} {fmt(t_sp):>18} "
              f"{med(t_or) / med(t_ours):8.1f} {med(t_sp) / med(t_ours):10.1f}")
        if any(unproven.values()) or worse:
            print(f"  not proven optimal: ours {unproven['ours']}, OR-Tools {unproven['OR-Tools']} "
                  f"(time limit {LIMIT_S:.0f} s); ours below a reference: {worse}")
    print("(median / worst ms per family; where both proved optimality the values are equal)")


if __name__ == "__main__":
    main()
