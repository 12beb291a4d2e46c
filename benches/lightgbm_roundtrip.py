"""Round-trip fixture: a model trained and written by influence-rec, loaded by LightGBM 4.6,
must predict what influence-rec predicts (tests/lgbm_parity.rs checks it bit for bit).

Writes tests/fixtures/lgbm/ours.train.csv (the training data, with NaNs), ours.model.txt
(written by `influence-rec gbdt train`), ours.rows.csv and ours.lgbm_raw.txt (LightGBM's raw
predictions of our model).

Usage: cargo build --release && bash benches/reference_env.sh && \\
    target/refvenv/bin/python benches/lightgbm_roundtrip.py
"""
import os
import subprocess

import lightgbm as lgb
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests/fixtures/lgbm")


def main():
    rng = np.random.default_rng(11)
    n = 1500
    x = rng.normal(size=(n, 4))
    x[rng.random(n) < 0.1, 0] = np.nan
    y = np.nan_to_num(x[:, 0], nan=1.5) * 2 + np.sin(3 * x[:, 1]) + rng.normal(scale=0.2, size=n)
    train = os.path.join(OUT, "ours.train.csv")
    with open(train, "w") as f:
        f.write("f0,f1,f2,f3,label\n")
        for row, label in zip(x, y):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "," + repr(float(label)) + "\n")
    model = os.path.join(OUT, "ours.model.txt")
    subprocess.run([os.path.join(ROOT, "target/release/influence-rec"), "gbdt", "train", "--input", train,
                    "--num-iterations", "30", "--out", model], check=True)
    rows = x[:300]
    with open(os.path.join(OUT, "ours.rows.csv"), "w") as f:
        for row in rows:
            f.write(",".join("nan" if np.isnan(v) else repr(float(v)) for v in row) + "\n")
    booster = lgb.Booster(model_file=model)
    with open(os.path.join(OUT, "ours.lgbm_raw.txt"), "w") as f:
        for v in booster.predict(rows, raw_score=True):
            f.write("%.17g\n" % v)
    print("LightGBM loaded our model:", booster.num_trees(), "trees")


if __name__ == "__main__":
    main()
