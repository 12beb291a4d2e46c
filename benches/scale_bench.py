"""How the product grows with the catalog (issue 15, part 6). Not a test: a benchmark.

    target/refvenv/bin/python benches/scale_bench.py [--sizes 2400,20000,100000] [--out DIR]

Needs .ci/start's build (target/release/influence-rec, pkg/ with both wasm modules), the
e2e suite's node_modules (playwright-core) and the venv (`bash benches/reference_env.sh`,
for matplotlib). For each size it generates a synthetic catalog (brands and simulated
exposures grow with it: 2,400 x 120 is the bundled dataset, 100,000 x 1,000 has about a
million interactions), trains it, and measures:
- generate and train wall time and peak RSS (wait4's ru_maxrss of that process);
- the bundle's size (what the first ranking downloads), raw and gzipped (level 9), and the
  detail shards' (fetched when a card needs them): count, total raw and gzipped, largest;
- in headless Chromium on loopback (benches/page_bench.mjs): the page's first ranking on a
  first and a repeat visit, the re-rank after an interaction and after a filter change
  (medians, by the model);
- in the page (benches/browser_bench.mjs): top-10 by the model over every influencer with
  the SIMD128 module and the scalar one, and the JS heap plus wasm memory.
It prints one table and draws every measure against catalog size, log-log, to
DIR/scale_bench.png (default target/scale).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/influence-rec")
# influencers -> (brands, exposures per brand)
SHAPE = {2400: (120, 160), 20000: (400, 400), 100000: (1000, 1000)}


def run_rss(cmd):
    """Runs cmd, returning (seconds, peak RSS MB, stdout) from the process's own rusage."""
    t = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=devnull, text=True)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {os.waitstatus_to_exitcode(status)})")
    return seconds, usage.ru_maxrss / 1024.0, out


def node_json(script, *args):
    env = dict(os.environ, BENCH_JSON="1")
    out = subprocess.run(["node", os.path.join(ROOT, "benches", script), *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    lines = [l for l in out.splitlines() if l.startswith("json ")]
    if not lines:
        sys.exit(f"{script} printed no json line:\n{out}")
    return json.loads(lines[-1][5:])


def measure(n, out):
    brands, exposures = SHAPE.get(n, (max(120, n // 100), 160))
    data = os.path.join(out, f"data-{n}")
    pkg = os.path.join(data, "pkg")
    os.makedirs(pkg, exist_ok=True)
    gen_s, gen_rss, _ = run_rss([BIN, "generate", "--influencers", str(n), "--brands", str(brands),
                                 "--exposures", str(exposures), "--out", data])
    interactions = sum(1 for _ in open(os.path.join(data, "interactions.csv"))) - 1
    train_s, train_rss, _ = run_rss([BIN, "train", "--data", data, "--out", os.path.join(pkg, "model.bundle")])
    raw = open(os.path.join(pkg, "model.bundle"), "rb").read()
    shard_dir = os.path.join(pkg, "details")
    shards = [open(os.path.join(shard_dir, f), "rb").read() for f in sorted(os.listdir(shard_dir))]
    page = node_json("page_bench.mjs", "5" if n > 20000 else "15", pkg)
    br = node_json("browser_bench.mjs", pkg)
    simd, scalar = br["influence_rec_bg.wasm"], br["influence_rec_scalar_bg.wasm"]
    return {
        "influencers": n, "brands": brands, "interactions": interactions,
        "generate s": gen_s, "generate RSS MB": gen_rss,
        "train s": train_s, "train RSS MB": train_rss,
        "bundle MB": len(raw) / 1e6, "bundle gz MB": len(gzip.compress(raw, 9)) / 1e6,
        "shards": len(shards), "shards MB": sum(map(len, shards)) / 1e6,
        "shards gz MB": sum(len(gzip.compress(x, 9)) for x in shards) / 1e6,
        "shard gz KB (max)": max(len(gzip.compress(x, 9)) for x in shards) / 1e3,
        "first ranking ms": page["first"]["median"], "repeat visit ms": page["repeat"]["median"],
        "re-rank ms": page["rerank"]["model"]["median"],
        "filter re-rank ms": page["filter"]["median"],
        "top-k SIMD ms": simd["ranking"], "top-k scalar ms": scalar["ranking"],
        "heap+wasm MB": (simd["heap"] + simd["wasmMemory"]) / 1048576,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2400,20000,100000")
    ap.add_argument("--out", default=os.path.join(ROOT, "target/scale"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        print(f"measuring {n} influencers ...", file=sys.stderr, flush=True)
        rows.append(measure(n, a.out))
    keys = [k for k in rows[0] if k not in ("influencers",)]
    print(f"{'measure':<20}" + "".join(f"{r['influencers']:>12,}" for r in rows))
    for k in keys:
        cells = "".join(f"{r[k]:>12,.0f}" if isinstance(r[k], int) else f"{r[k]:>12.2f}" for r in rows)
        print(f"{k:<20}{cells}")
    json.dump(rows, open(os.path.join(a.out, "scale_bench.json"), "w"), indent=1)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xs = [r["influencers"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    groups = [
        ("time (s)", ["generate s", "train s"]),
        ("page (ms)", ["first ranking ms", "repeat visit ms", "re-rank ms", "filter re-rank ms", "top-k SIMD ms", "top-k scalar ms"]),
        ("memory and download (MB)", ["generate RSS MB", "train RSS MB", "bundle MB", "bundle gz MB", "shards gz MB", "heap+wasm MB"]),
    ]
    for ax, (title, ks) in zip(axes, groups):
        for k in ks:
            ax.plot(xs, [r[k] for r in rows], marker="o", label=k)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("influencers")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    png = os.path.join(a.out, "scale_bench.png")
    fig.savefig(png, dpi=110)
    print(f"plot: {png}")


if __name__ == "__main__":
    main()
