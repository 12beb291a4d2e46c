"""Benchmark (not a test): influence-rec's GBDT against LightGBM 4.6 from PyPI, in one run,
on the ranker's own data (pair features and graded labels from `influence-rec gbdt
export-ranking`, query = brand, validation = held-out brands).

Data sets:
  200k: the bundled data (data/), 227,528 training rows;
  2m:   `influence-rec generate --brands 1100` (same generator, more brands), 2,085,026 rows.
For each, both objectives (regression and lambdarank) with LightGBM's default parameters
(100 rounds, 31 leaves, learning rate 0.1, 255 bins) at 1 and 2 threads, it prints:
  training time of both (best of 3 runs for regression, 1 for lambdarank) and the ratio
  ours / LightGBM (ours: `gbdt train`'s own timer,
  binning included, CSV parsing excluded; LightGBM: Dataset construction + train from
  NumPy arrays), held-out RMSE (regression) and NDCG@10 (both) of both, and NDCG@10 on the
  training rows (how far each optimiser got on the same objective; held-out NDCG@10 over a
  few dozen brands with a handful of relevant influencers each moves a lot on small changes);
and for our 1-thread regression model of each size, prediction time per row on the
validation rows, the same trees everywhere: ours native (`gbdt predict`'s timer), ours in WebAssembly (Node running the page's module
built with the `lightgbm-text` feature, benches/gbdt_wasm_predict.mjs) and LightGBM's predict with 1 thread; plus the wasm module's
size, raw and gzipped. Targets (issue 4): time ratio <= 1.0 at 1 thread; metrics within 1%;
wasm per-row time <= LightGBM's native single-thread time.

Usage: cargo build --release && (source .ci/lib.sh; setup_wasm_toolchain;
  build_pkg target/pkg-lightgbm lightgbm-text) && bash benches/reference_env.sh &&
  target/refvenv/bin/python benches/gbdt_bench.py [--sizes 200k,2m] [--threads 1,2]
"""
import argparse
import gzip
import os
import re
import subprocess
import tempfile
import time

import lightgbm as lgb
import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/influence-rec")


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def seconds(stderr, key):
    return float(re.search(key + r"=([0-9.]+)", stderr).group(1))


def ndcg_at(k, y, score, group):
    """Mean NDCG@k with gains 2^y - 1 (LightGBM's convention: a query without gain scores 1)."""
    total, start = 0.0, 0
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    for size in group:
        ys, ss = y[start:start + size], score[start:start + size]
        start += size
        ideal = np.sort(ys)[::-1][:k]
        max_dcg = ((2.0 ** ideal - 1) * disc[:len(ideal)]).sum()
        if max_dcg <= 0:
            total += 1.0
            continue
        order = np.argsort(-ss, kind="stable")[:k]
        total += ((2.0 ** ys[order] - 1) * disc[:len(order)]).sum() / max_dcg
    return total / len(group)


def load(folder):
    tr = pd.read_csv(os.path.join(folder, "ranking_train.csv"))
    va = pd.read_csv(os.path.join(folder, "ranking_valid.csv"))
    feats = [c for c in tr.columns if c not in ("brand", "label")]
    va[feats].to_csv(os.path.join(folder, "valid_features.csv"), index=False, na_rep="")
    group = lambda d: d.groupby("brand", sort=False).size().to_numpy()
    return (tr[feats].to_numpy(np.float64), tr["label"].to_numpy(np.float64), group(tr),
            va[feats].to_numpy(np.float64), va["label"].to_numpy(np.float64), group(va))


def dataset(tmp, size):
    out = os.path.join(tmp, size)
    if size == "200k":
        data = os.path.join(ROOT, "data")
    else:
        data = os.path.join(tmp, "data-" + size)
        run([BIN, "generate", "--brands", "1100", "--out", data])
    # Every pair: the benchmark compares trainers on the large table, not the sampled one.
    run([BIN, "gbdt", "export-ranking", "--ranker-pairs", "every", "--data", data, "--out", out])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200k,2m")
    ap.add_argument("--threads", default="1,2")
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    wasm = os.path.join(ROOT, "target/pkg-lightgbm/influence_rec_bg.wasm")
    raw = open(wasm, "rb").read()
    print(f"LightGBM {lgb.__version__}; wasm module {len(raw):,} bytes raw, "
          f"{len(gzip.compress(raw, 9)):,} gzipped (tree evaluator, factorization, cohesion, "
          f"ranking and explanations together)")
    print(f"{'data':>5} {'objective':<10} {'thr':>3} {'rows':>9} {'ours s':>7} {'lgbm s':>7} "
          f"{'ratio':>6} {'RMSE ours':>10} {'RMSE lgbm':>10} {'NDCG ours':>10} {'NDCG lgbm':>10} "
          f"{'trNDCG ours':>11} {'trNDCG lgbm':>11}")
    predict_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in a.sizes.split(","):
            folder = dataset(tmp, size)
            xt, yt, gt, xv, yv, gv = load(folder)
            for objective in ["regression", "lambdarank"]:
                for th in threads:
                    model = os.path.join(folder, f"ours-{objective}-{th}.txt")
                    # Best of `repeat` runs on each side (this VM's timings wander by ~10%);
                    # lambdarank runs are long enough to time once.
                    repeat = 3 if objective == "regression" else 1
                    ours_s = lgbm_s = float("inf")
                    for _ in range(repeat):
                        r = run([BIN, "gbdt", "train", "--input", os.path.join(folder, "ranking_train.csv"),
                                 "--group-column", "brand", "--objective", objective,
                                 "--num-threads", str(th), "--out", model])
                        ours_s = min(ours_s, seconds(r.stderr, "train_seconds"))
                        t = time.perf_counter()
                        ds = lgb.Dataset(xt, yt, group=gt if objective == "lambdarank" else None)
                        booster = lgb.train({"objective": objective, "num_threads": th, "verbose": -1,
                                             "seed": 42}, ds, num_boost_round=100)
                        lgbm_s = min(lgbm_s, time.perf_counter() - t)
                    ours_booster = lgb.Booster(model_file=model)
                    ours = ours_booster.predict(xv, raw_score=True)
                    theirs = booster.predict(xv, raw_score=True)
                    rmse = lambda p: float(np.sqrt(np.mean((p - yv) ** 2)))
                    rm = (f"{rmse(ours):>10.5f} {rmse(theirs):>10.5f}" if objective == "regression"
                          else f"{'':>10} {'':>10}")
                    print(f"{size:>5} {objective:<10} {th:>3} {len(yt):>9,} {ours_s:>7.2f} {lgbm_s:>7.2f} "
                          f"{ours_s / lgbm_s:>6.2f} {rm} {ndcg_at(10, yv, ours, gv):>10.5f} "
                          f"{ndcg_at(10, yv, theirs, gv):>10.5f} "
                          f"{ndcg_at(10, yt, ours_booster.predict(xt, raw_score=True), gt):>11.5f} "
                          f"{ndcg_at(10, yt, booster.predict(xt, raw_score=True), gt):>11.5f}", flush=True)
                    if objective == "lambdarank" and th == 1:
                        # LightGBM's own spread: the same data and parameters, only the seed of
                        # its bin-construction sample changed. NDCG@10 over these queries moves
                        # this much on innocuous changes; that is the yardstick for ours.
                        for drs in (2, 3):
                            b = lgb.train({"objective": objective, "num_threads": 1, "verbose": -1, "seed": 42,
                                           "data_random_seed": drs},
                                          lgb.Dataset(xt, yt, group=gt), num_boost_round=100)
                            print(f"{'':>5} {'  lgbm with data_random_seed=' + str(drs):<51} {'':>21} "
                                  f"{ndcg_at(10, yv, b.predict(xv, raw_score=True), gv):>10.5f} "
                                  f"{ndcg_at(10, yt, b.predict(xt, raw_score=True), gt):>23.5f}", flush=True)
                    if objective == "regression" and th == 1:
                        predict_rows.append((size, model, folder, xv))
        print()
        print(f"{'data':>5} {'rows':>9} {'ours native ns/row':>19} {'ours wasm ns/row':>17} "
              f"{'lgbm 1 thr ns/row':>18} {'wasm/lgbm':>10}")
        for size, model, folder, xv in predict_rows:
            # The same trees everywhere: LightGBM loads the model we wrote.
            booster = lgb.Booster(model_file=model)
            rows = os.path.join(folder, "valid_features.csv")
            best_native = min(seconds(run([BIN, "gbdt", "predict", "--raw", "--model", model, "--input", rows])
                                      .stderr, "predict_seconds") for _ in range(3))
            w = run(["node", os.path.join(ROOT, "benches/gbdt_wasm_predict.mjs"), model, rows, "3"])
            best_wasm = seconds(w.stderr, "predict_seconds")
            best_lgbm = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                booster.predict(xv, raw_score=True, num_threads=1)
                best_lgbm = min(best_lgbm, time.perf_counter() - t)
            n = len(xv)
            print(f"{size:>5} {n:>9,} {best_native / n * 1e9:>19.1f} {best_wasm / n * 1e9:>17.1f} "
                  f"{best_lgbm / n * 1e9:>18.1f} {best_wasm / best_lgbm:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
