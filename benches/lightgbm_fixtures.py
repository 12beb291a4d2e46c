"""Writes parity fixtures for the LightGBM model reader (tests/lgbm_parity.rs): models trained
by LightGBM 4.6 from PyPI, the rows they are evaluated on, and LightGBM's own raw predictions
printed with 17 significant digits (exact for f64).

Cases: regression with NaN missing values and zeros (missing type NaN and Zero, default-left
both ways), a categorical feature (bitset splits), lambdarank with query groups, multiclass
(softmax) and multiclassova (one-vs-all) over 3 classes (one column per class), linear
trees with NaN in linear features, a random forest (averaged trees); and a
rows file full of special tokens (inf, infinity, nan, na, null, empty, overflowing decimals)
predicted by LightGBM reading the file with its own parser.

Usage: bash benches/reference_env.sh && target/refvenv/bin/python benches/lightgbm_fixtures.py
"""
import os

import lightgbm as lgb
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests/fixtures/lgbm")


def write_rows(path, x):
    with open(path, "w") as f:
        for row in x:
            f.write(",".join("nan" if np.isnan(v) else repr(float(v)) for v in row) + "\n")


def write_preds(path, p):
    """One line per row; a multiclass model's K scores comma-separated."""
    with open(path, "w") as f:
        for v in p:
            f.write(",".join("%.17g" % c for c in np.atleast_1d(v)) + "\n")


def case(name, params, x, y, group=None, categorical="auto", rounds=20):
    ds = lgb.Dataset(x, y, group=group, categorical_feature=categorical, free_raw_data=False)
    booster = lgb.train(dict(params, verbose=-1, num_threads=1, seed=7, deterministic=True), ds, num_boost_round=rounds)
    booster.save_model(os.path.join(OUT, f"{name}.model.txt"))
    rows = x[:300]
    write_rows(os.path.join(OUT, f"{name}.rows.csv"), rows)
    write_preds(os.path.join(OUT, f"{name}.raw.txt"), booster.predict(rows, raw_score=True))
    write_preds(os.path.join(OUT, f"{name}.pred.txt"), booster.predict(rows))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    n = 2000
    x = rng.normal(size=(n, 6))
    x[rng.random(n) < 0.15, 0] = np.nan           # NaN missing values
    x[rng.random(n) < 0.3, 1] = 0.0               # many exact zeros
    x[:, 2] = rng.integers(0, 12, size=n)         # categorical 0..11
    x[rng.random(n) < 0.05, 2] = np.nan
    y = np.nan_to_num(x[:, 0]) * 2 + (x[:, 1] == 0) * 1.5 + np.isin(x[:, 2], [1, 4, 7]) * 2.0 + 0.5 * x[:, 3] + rng.normal(scale=0.3, size=n)
    case("regression_nan", {"objective": "regression", "num_leaves": 15, "min_data_in_leaf": 10}, x, y, categorical=[2])
    case("regression_zero", {"objective": "regression", "num_leaves": 15, "zero_as_missing": True, "min_data_in_leaf": 10}, x, y, categorical=[2])
    yb = (y > np.median(y)).astype(float)
    case("binary", {"objective": "binary", "num_leaves": 15, "min_data_in_leaf": 10}, x, yb, categorical=[2])
    groups = [20] * (n // 20)
    rel = np.clip(np.round((y - y.min()) / (y.max() - y.min()) * 4), 0, 4)
    case("lambdarank", {"objective": "lambdarank", "num_leaves": 15, "min_data_in_leaf": 10}, x, rel, group=groups, categorical=[2])
    # Three classes from the same signal: multiclass (softmax) and one-vs-all, with the
    # categorical feature and NaN.
    yc = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3])).astype(float)
    case("multiclass", {"objective": "multiclass", "num_class": 3, "num_leaves": 15, "min_data_in_leaf": 10}, x, yc, categorical=[2], rounds=10)
    case("multiclassova", {"objective": "multiclassova", "num_class": 3, "num_leaves": 15, "min_data_in_leaf": 10}, x, yc, categorical=[2], rounds=10)
    # Linear trees: leaves with coefficients, NaN in a linear feature (the leaf's constant).
    case("linear", {"objective": "regression", "linear_tree": True, "linear_lambda": 0.1, "num_leaves": 15, "min_data_in_leaf": 30}, x, y, categorical=[2], rounds=10)
    # A random forest: trees averaged, not summed (the model's `average_output` line).
    case("rf", {"objective": "regression", "boosting": "rf", "bagging_fraction": 0.7, "bagging_freq": 1, "feature_fraction": 0.8, "num_leaves": 15, "min_data_in_leaf": 10}, x, y, categorical=[2], rounds=10)
    tokens(rng)
    print("wrote fixtures to", OUT)


# Every token LightGBM's text parser reads, in every column (the categorical one too).
TOKENS = ["inf", "-inf", "+inf", "Inf", "INFINITY", "-Infinity", "nan", "NaN", "-nan", "na", "NA",
          "null", "NULL", "", "1e400", "-1e400", "-0", "0", "1e308", "-1e308"]


def tokens(rng):
    """tokens.rows.csv: rows of the regression_nan model's features with special tokens, and
    tokens.raw.txt: LightGBM's raw predictions reading that very file with its own parser."""
    booster = lgb.Booster(model_file=os.path.join(OUT, "regression_nan.model.txt"))
    n_features = booster.num_feature()
    lines = []
    for i in range(400):
        row = [repr(float(v)) for v in rng.normal(size=n_features)]
        row[2] = str(int(rng.integers(0, 12)))
        for j in rng.choice(n_features, size=int(rng.integers(1, 4)), replace=False):
            row[j] = TOKENS[(i + j) % len(TOKENS)]
        lines.append(",".join(row))
    path = os.path.join(OUT, "tokens.rows.csv")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    write_preds(os.path.join(OUT, "tokens.raw.txt"), booster.predict(path, raw_score=True))


if __name__ == "__main__":
    main()
