"""Writes tests/fixtures/lightfm_parity.json: LightFM 1.17's test AUC and precision@10 on the
bundled data's factorization split (split seed 42), for every loss (warp, bpr, logistic,
warp-kos) under adagrad and for warp and bpr under adadelta, each trained with SEEDS model
seeds: the per-seed values, their mean and their standard deviation. The parity test
(tests/lightfm_parity.rs) trains ours with the same settings and seeds and compares means
within a tolerance built from both spreads.

Usage (from the repo root): bash benches/reference_env.sh && \
    cargo build --release && \
    target/release/influence-rec mf-export --dataset bundled --out target/mf/bundled && \
    target/refvenv/bin/python benches/lightfm_parity.py
"""
import json
import statistics
import subprocess
import sys

SETTINGS = {"no_components": 32, "learning_rate": 0.05, "epochs": 30, "split_seed": 42, "threads": 1}
SEEDS = [42, 43, 44, 45, 46]
CASES = [
    ("warp", "adagrad"),
    ("bpr", "adagrad"),
    ("logistic", "adagrad"),
    ("warp-kos", "adagrad"),
    ("warp", "adadelta"),
    ("bpr", "adadelta"),
]


def main():
    out = {
        "lightfm_version": "1.17",
        "dataset": "bundled data/, influence-rec mf-export --dataset bundled --seed 42",
        "settings": SETTINGS,
        "seeds": SEEDS,
        "cases": {},
    }
    for loss, schedule in CASES:
        runs = []
        for seed in SEEDS:
            r = subprocess.run(
                [sys.executable, "benches/lightfm_ref.py", "--input", "target/mf/bundled", "--loss", loss,
                 "--learning-schedule", schedule,
                 "--no-components", str(SETTINGS["no_components"]), "--learning-rate", str(SETTINGS["learning_rate"]),
                 "--epochs", str(SETTINGS["epochs"]), "--seed", str(seed), "--threads", "1"],
                check=True, capture_output=True, text=True)
            runs.append(json.loads(r.stdout))
        case = {}
        for metric in ["auc", "precision_at_10"]:
            v = [d[metric] for d in runs]
            case[metric] = {
                "values": [round(x, 6) for x in v],
                "mean": round(statistics.mean(v), 6),
                "std": round(statistics.stdev(v), 6),
            }
        name = f"{loss}/{schedule}"
        out["cases"][name] = case
        print(name, {m: (case[m]["mean"], case[m]["std"]) for m in case})
    with open("tests/fixtures/lightfm_parity.json", "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
