"""Benchmark (not a test): our factorization trainer against LightFM 1.17 on the same data,
in one run, at 1 and 2 threads. Prints median epoch time of each side, the ratio ours /
reference (target <= 0.5), and test AUC and precision@10 of both.

Datasets: (a) the bundled data (data/), (b) planted synthetic 2,000 brands x 20,000
influencers with 1,000,000 positives (800k train / 200k test).

Both sides are built for this CPU: LightFM's setup.py compiles with -ffast-math
-march=native, so ours is built with RUSTFLAGS="-C target-cpu=native" into target/native.

Usage: bash benches/reference_env.sh && target/refvenv/bin/python benches/lightfm_bench.py
"""
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/native/release/influence-rec")
CASES = [("bundled", 30, 32), ("synthetic", 5, 32)]


def run(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout)


def main():
    env = dict(os.environ, RUSTFLAGS="-C target-cpu=native")
    subprocess.run(["cargo", "build", "--release", "--bin", "influence-rec", "--target-dir", "target/native"], check=True, cwd=ROOT, env=env)
    print(f"{'dataset':<10} {'thr':>3} {'ours s/epoch':>12} {'ref s/epoch':>12} {'ratio':>6} | {'AUC ours':>8} {'AUC ref':>8} {'P@10 ours':>9} {'P@10 ref':>9}")
    for name, epochs, d in CASES:
        folder = os.path.join(ROOT, "target/mf", name)
        subprocess.run([BIN, "mf-export", "--dataset", name, "--out", folder], check=True, cwd=ROOT, capture_output=True)
        for threads in (1, 2):
            common = ["--input", folder, "--loss", "warp", "--no-components", str(d), "--epochs", str(epochs), "--threads", str(threads)]
            ours = run([BIN, "mf-bench"] + common)
            ref = run([sys.executable, os.path.join(ROOT, "benches/lightfm_ref.py")] + common)
            # Median over epochs after the first (warm caches, allocator).
            to = statistics.median(ours["epoch_seconds"][1:])
            tr = statistics.median(ref["epoch_seconds"][1:])
            print(f"{name:<10} {threads:>3} {to:>12.4f} {tr:>12.4f} {to / tr:>6.2f} | {ours['auc']:>8.4f} {ref['auc']:>8.4f} {ours['precision_at_10']:>9.4f} {ref['precision_at_10']:>9.4f}", flush=True)


if __name__ == "__main__":
    main()
