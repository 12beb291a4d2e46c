"""Parity fixtures for the `quantile` objective: LightGBM 4.6 and `influence-rec gbdt train`
fit the same data at three quantiles; tests/lgbm_parity.rs checks that every tree array of
ours equals LightGBM's, bit for bit, and that our reader predicts LightGBM's raw scores.

The data is price-like: a long-tailed label (log-normal around a function of the features,
the way costs per post grow with followers), with missing values.

Writes tests/fixtures/lgbm/quantile.train.csv, quantile.rows.csv and, per alpha in
(0.1, 0.5, 0.9), quantile_aNN.model.txt (ours), quantile_aNN.lgbm_model.txt (LightGBM's) and
quantile_aNN.lgbm_raw.txt (LightGBM's raw predictions of its model on the rows).

Usage: cargo build --release && bash benches/reference_env.sh && \\
    target/refvenv/bin/python benches/lightgbm_quantile.py
"""
import os
import subprocess

import lightgbm as lgb
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests/fixtures/lgbm")
ALPHAS = (0.1, 0.5, 0.9)


def main():
    rng = np.random.default_rng(27)
    n = 1200
    x = np.column_stack([
        rng.uniform(3, 7, n),           # log10 followers
        rng.gamma(2.0, 0.02, n),        # engagement rate
        rng.integers(0, 8, n),          # category code
        rng.integers(0, 5, n),          # country code
    ])
    x[rng.random(n) < 0.1, 1] = np.nan  # engagement unknown
    y = np.exp(0.9 * (x[:, 0] - 3) * np.log(10) * 0.5 + 2.5 + np.nan_to_num(x[:, 1]) * 8
               + (x[:, 2] == 3) * 0.4 + rng.normal(scale=0.5, size=n))
    train = os.path.join(OUT, "quantile.train.csv")
    with open(train, "w") as f:
        f.write("f0,f1,f2,f3,label\n")
        for row, label in zip(x, y):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "," + repr(float(label)) + "\n")
    rows = x[:300]
    with open(os.path.join(OUT, "quantile.rows.csv"), "w") as f:
        for row in rows:
            f.write(",".join("nan" if np.isnan(v) else repr(float(v)) for v in row) + "\n")
    for alpha in ALPHAS:
        tag = f"quantile_a{round(alpha * 100):02d}"
        ours = os.path.join(OUT, f"{tag}.model.txt")
        subprocess.run([os.path.join(ROOT, "target/release/influence-rec"), "gbdt", "train", "--input", train,
                        "--objective", "quantile", "--alpha", str(alpha), "--num-iterations", "30",
                        "--out", ours], check=True)
        theirs = lgb.train({"objective": "quantile", "alpha": alpha, "verbose": -1, "num_threads": 1,
                            "deterministic": True}, lgb.Dataset(x, y), num_boost_round=30)
        with open(os.path.join(OUT, f"{tag}.lgbm_model.txt"), "w") as f:
            f.write(theirs.model_to_string())
        with open(os.path.join(OUT, f"{tag}.lgbm_raw.txt"), "w") as f:
            for v in theirs.predict(rows, raw_score=True):
                f.write("%.17g\n" % v)
        mine = lgb.Booster(model_file=ours)
        same = np.array_equal(mine.predict(rows, raw_score=True), theirs.predict(rows, raw_score=True))
        below = float(np.mean(y <= theirs.predict(x)))
        print(f"alpha {alpha}: {theirs.num_trees()} trees; predictions equal: {same}; "
              f"share of labels at or below LightGBM's prediction {below:.3f}")


if __name__ == "__main__":
    main()
