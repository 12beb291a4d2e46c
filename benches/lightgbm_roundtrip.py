"""Round-trip fixture: a model trained and written by influence-rec, loaded by LightGBM 4.6,
must predict what influence-rec predicts (tests/lgbm_parity.rs checks it bit for bit); and
its statistics (gain importances, trees_to_dataframe) compared with a model LightGBM trains
on the same data with the same parameters.

Writes tests/fixtures/lgbm/ours.train.csv (the training data, with NaNs), ours.model.txt
(written by `influence-rec gbdt train`), ours.rows.csv and ours.lgbm_raw.txt (LightGBM's raw
predictions of our model), and ours.lgbm_model.txt (the model LightGBM trains on the same
data with the same parameters; tests/lgbm_parity.rs checks that every tree array of ours
equals LightGBM's).

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
    compare_statistics(booster, x, y)


def compare_statistics(ours, x, y):
    """LightGBM trains on the same data with the same parameters; where it makes the same
    splits, the statistics our writer fills (split_gain, internal_value, internal_weight,
    leaf_weight) must be LightGBM's: gain importances and trees_to_dataframe are compared."""
    theirs = lgb.train({"objective": "regression", "verbose": -1, "num_threads": 1, "deterministic": True},
                       lgb.Dataset(x, y), num_boost_round=30)
    a, b = ours.trees_to_dataframe(), theirs.trees_to_dataframe()
    # Compare features by position (ours are named f0.., LightGBM's Column_0..).
    b["split_feature"] = b["split_feature"].map(dict(zip(theirs.feature_name(), ours.feature_name())))
    # Trees whose rows agree in structure (same features in the same walk order).
    same = [t for t in range(ours.num_trees())
            if (a[a.tree_index == t]["split_feature"].fillna("").tolist()
                == b[b.tree_index == t]["split_feature"].fillna("").tolist())]
    print(f"trees_to_dataframe: {len(same)} of {ours.num_trees()} trees have LightGBM's structure")
    a, b = a[a.tree_index.isin(same)], b[b.tree_index.isin(same)]
    for col in ["split_gain", "threshold", "value", "weight", "count"]:
        d = (a[col].astype(float) - b[col].astype(float)).abs()
        rel = d / b[col].astype(float).abs().clip(lower=1e-12)
        print(f"  {col:11} in those trees: max |ours - LightGBM| {d.max():.3g} (relative {rel.max():.3g})")
    with open(os.path.join(OUT, "ours.lgbm_model.txt"), "w") as f:
        f.write(theirs.model_to_string())
    # Every tree array of the two model texts, value by value.
    def tree_arrays(text):
        trees = []
        for block in text.split("end of trees")[0].split("Tree=")[1:]:
            trees.append(dict(line.split("=", 1) for line in block.splitlines()[1:] if "=" in line))
        return trees
    ta, tb = tree_arrays(ours.model_to_string()), tree_arrays(theirs.model_to_string())
    for key in ["split_feature", "split_gain", "threshold", "decision_type", "left_child", "right_child",
                "leaf_value", "leaf_weight", "leaf_count", "internal_value", "internal_weight", "internal_count"]:
        same = sum(1 for p, q in zip(ta, tb) if [float(v) for v in p[key].split()] == [float(v) for v in q[key].split()])
        print(f"  {key:15} equal in {same} of {len(tb)} trees")
    gi_a = ours.feature_importance(importance_type="gain")
    gi_b = theirs.feature_importance(importance_type="gain")
    print("gain importance ours:    ", ", ".join(f"{v:.10g}" for v in gi_a))
    print("gain importance LightGBM:", ", ".join(f"{v:.10g}" for v in gi_b))
    print("gain importance max relative difference:", f"{max(abs(p - q) / max(abs(q), 1e-12) for p, q in zip(gi_a, gi_b)):.3g}")
    print("split importance ours / LightGBM:", list(ours.feature_importance()), list(theirs.feature_importance()))


if __name__ == "__main__":
    main()
