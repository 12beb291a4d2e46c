"""Benchmark (not a test): our factorization trainer against LightFM 1.17 on the same data,
in one run, at 1 and 2 threads. Prints the fastest epoch time of each side (two alternating runs each; the machine is
shared, so the minimum is the least disturbed measurement), the ratio ours /
reference (target <= 0.5), and test AUC and precision@10 of both on a random split; then the
cold-start split (20 % of the brands held out whole, scored from content features only):
test AUC of both (target: ours not below the reference's by more than 0.005).

Datasets: (a) the bundled data (data/), (b) planted synthetic 2,000 brands x 20,000
influencers with 1,000,000 positives (800k train / 200k test).

Both sides are built for this CPU: LightFM's setup.py compiles with -ffast-math
-march=native, so ours is built with RUSTFLAGS="-C target-cpu=native" into target/native.

Usage: bash benches/reference_env.sh && target/refvenv/bin/python benches/lightfm_bench.py
"""
import json
import os
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
    print(f"{'dataset':<10} {'split':<10} {'thr':>3} {'ours s/epoch':>12} {'ref s/epoch':>12} {'ratio':>6} | {'AUC ours':>8} {'AUC ref':>8} {'ΔAUC':>7} {'P@10 ours':>9} {'P@10 ref':>9}")
    for name, epochs, d in CASES:
        folder = os.path.join(ROOT, "target/mf", name)
        subprocess.run([BIN, "mf-export", "--dataset", name, "--out", folder], check=True, cwd=ROOT, capture_output=True)
        cold = folder + "-cold"
        subprocess.run([BIN, "mf-export", "--dataset", name, "--split", "cold-start", "--out", cold], check=True, cwd=ROOT, capture_output=True)
        for split, path, threads in ((("random", folder, 1), ("random", folder, 2), ("cold-start", cold, 1))):
            folder_ = path
            common = ["--input", folder_, "--loss", "warp", "--no-components", str(d), "--epochs", str(epochs), "--threads", str(threads)]
            # This machine is shared: run the two sides alternately, twice each, and compare
            # the fastest epoch (after the first) of each side.
            times_o, times_r = [], []
            for _ in range(2):
                ours = run([BIN, "mf-bench"] + common)
                ref = run([sys.executable, os.path.join(ROOT, "benches/lightfm_ref.py")] + common)
                times_o += ours["epoch_seconds"][1:]
                times_r += ref["epoch_seconds"][1:]
            to, tr = min(times_o), min(times_r)
            print(f"{name:<10} {split:<10} {threads:>3} {to:>12.4f} {tr:>12.4f} {to / tr:>6.2f} | {ours['auc']:>8.4f} {ref['auc']:>8.4f} {ours['auc'] - ref['auc']:>+7.4f} {ours['precision_at_10']:>9.4f} {ref['precision_at_10']:>9.4f}", flush=True)


if __name__ == "__main__":
    main()
