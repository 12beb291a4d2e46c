"""Writes tests/fixtures/lightfm_parity.json: LightFM 1.17's test AUC and precision@10 on the
bundled data's factorization split, for the warp, bpr and logistic losses, with the settings
the parity test (tests/lightfm_parity.rs) trains ours with.

Usage (from the repo root): bash benches/reference_env.sh && \
    target/release/influence-rec mf-export --dataset bundled --out target/mf/bundled && \
    target/refvenv/bin/python benches/lightfm_parity.py
"""
import json
import subprocess
import sys

SETTINGS = {"no_components": 32, "learning_rate": 0.05, "epochs": 30, "seed": 42, "threads": 1}


def main():
    out = {"lightfm_version": "1.17", "dataset": "bundled data/, influence-rec mf-export --dataset bundled --seed 42", "settings": SETTINGS, "losses": {}}
    for loss in ["warp", "bpr", "logistic"]:
        r = subprocess.run(
            [sys.executable, "benches/lightfm_ref.py", "--input", "target/mf/bundled", "--loss", loss,
             "--no-components", str(SETTINGS["no_components"]), "--learning-rate", str(SETTINGS["learning_rate"]),
             "--epochs", str(SETTINGS["epochs"]), "--seed", str(SETTINGS["seed"]), "--threads", "1"],
            check=True, capture_output=True, text=True)
        d = json.loads(r.stdout)
        out["losses"][loss] = {"auc": round(d["auc"], 6), "precision_at_10": round(d["precision_at_10"], 6)}
        print(loss, out["losses"][loss])
    with open("tests/fixtures/lightfm_parity.json", "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
