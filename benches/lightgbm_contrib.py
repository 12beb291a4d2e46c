"""TreeSHAP parity fixtures: LightGBM 4.6's `pred_contrib` for the committed fixture models
(models trained by LightGBM, and ours.model.txt written by influence-rec), on their committed
rows. tests/lgbm_parity.rs compares influence-rec's contributions with these.

Usage: bash benches/reference_env.sh && target/refvenv/bin/python benches/lightgbm_contrib.py
"""
import os

import lightgbm as lgb
import numpy as np

FX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests/fixtures/lgbm")


def main():
    # multiclass and multiclassova: one block of (features + expected value) per class;
    # rf: a random forest, whose contributions add up to its raw score (the sum of trees).
    # (LightGBM refuses SHAP for linear trees; so does influence-rec.)
    for case in ["regression_nan", "regression_zero", "binary", "lambdarank", "ours",
                 "multiclass", "multiclassova", "rf"]:
        rows = np.loadtxt(os.path.join(FX, f"{case}.rows.csv"), delimiter=",", ndmin=2)[:100]
        booster = lgb.Booster(model_file=os.path.join(FX, f"{case}.model.txt"))
        contrib = booster.predict(rows, pred_contrib=True)
        with open(os.path.join(FX, f"{case}.contrib.csv"), "w") as f:
            for r in contrib:
                f.write(",".join("%.17g" % v for v in r) + "\n")
        print(case, contrib.shape)


if __name__ == "__main__":
    main()
