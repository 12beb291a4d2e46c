"""Reference side of the factorization parity fixtures and benchmarks: LightFM 1.17 from PyPI.

Reads a folder written by `influence-rec mf-export`, trains LightFM with the given settings,
and prints JSON: per-epoch seconds, test AUC and precision@10 (lightfm.evaluation, train
positives excluded). Run inside target/refvenv (benches/reference_env.sh creates it).
"""
import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
from lightfm import LightFM
from lightfm.evaluation import auc_score, precision_at_k


def load(folder):
    meta = np.loadtxt(f"{folder}/meta.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)[0]
    n_users, n_items, n_uf, n_if = (int(x) for x in meta)

    def csr(name, rows, cols):
        a = np.loadtxt(f"{folder}/{name}", delimiter=",", skiprows=1, ndmin=2)
        return sp.csr_matrix((a[:, 2].astype(np.float32), (a[:, 0].astype(np.int32), a[:, 1].astype(np.int32))), shape=(rows, cols))

    def pairs(name):
        a = np.loadtxt(f"{folder}/{name}", delimiter=",", skiprows=1, dtype=np.int32, ndmin=2)
        rows, cols = np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
        return sp.coo_matrix((np.ones(len(a), dtype=np.float32), (rows, cols)), shape=(n_users, n_items))

    return csr("user_features.csv", n_users, n_uf), csr("item_features.csv", n_items, n_if), pairs("train.csv"), pairs("test.csv")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--loss", default="warp")
    ap.add_argument("--no-components", type=int, default=32)
    ap.add_argument("--learning-rate", type=float, default=0.05)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--learning-schedule", default="adagrad", choices=["adagrad", "adadelta"])
    a = ap.parse_args()
    uf, itf, train, test = load(a.input)
    model = LightFM(no_components=a.no_components, loss=a.loss, learning_rate=a.learning_rate,
                    learning_schedule=a.learning_schedule, random_state=a.seed)
    times = []
    for _ in range(a.epochs):
        t = time.perf_counter()
        model.fit_partial(train, user_features=uf, item_features=itf, epochs=1, num_threads=a.threads)
        times.append(time.perf_counter() - t)
    kw = dict(train_interactions=train, user_features=uf, item_features=itf, num_threads=2)
    auc = float(auc_score(model, test, **kw).mean())
    p10 = float(precision_at_k(model, test, k=10, **kw).mean())
    print(json.dumps({"epoch_seconds": times, "auc": auc, "precision_at_10": p10, "threads": a.threads, "loss": a.loss}))


if __name__ == "__main__":
    main()
