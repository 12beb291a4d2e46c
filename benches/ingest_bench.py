"""`influence-rec ingest` against a pandas importer of the same fields, side by side.

    python3 -m venv target/pandasvenv && target/pandasvenv/bin/pip install pandas
    target/pandasvenv/bin/python benches/ingest_bench.py [--csv SCRAPE.csv] [--copies 15]

The scrape defaults to data/raw/influencer_posts.csv repeated --copies times, each copy's
accounts renamed so they stay distinct (the way issue 27 scaled its real scrape to 124,400
posts); pass a real scrape in the seed scrape's column names with --csv. Each side runs 3
times, best time kept:
- ingest: the release binary (`cargo build --release` first), category inference, place
  resolution, kinds and the report included;
- pandas: read_csv, then a groupby per account of the largest follower count, mean likes,
  the union of hashtags and the most frequent location (what issue 27's importer computed),
  every step vectorised, no category inference and no place resolution.
Prints both times, posts per second and ingest's time as a multiple of pandas'.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "influence-rec")


def scaled_copy(src, copies, dest):
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    name = header.index("user_Name")
    n = 0
    with open(dest, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for k in range(copies):
            for r in body:
                r = list(r)
                r[name] = f"{r[name]}_{k}" if k else r[name]
                w.writerow(r)
                n += 1
    return n


def pandas_import(path):
    """Vectorised throughout (no Python function per account), pandas at its fastest."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    num = lambda s: pd.to_numeric(s.str.replace(",", "", regex=False), errors="coerce")
    df["followers_n"] = num(df["followers"])
    df["likes_n"] = num(df["likes"])
    g = df.groupby("user_Name", sort=True)
    out = pd.DataFrame({"followers": g["followers_n"].max(), "mean_likes": g["likes_n"].mean()})
    # The union of hashtags, long format: one row per (account, lower-cased tag).
    tags = df[["user_Name"]].assign(tag=df["hashtags"].str.lower().str.findall(r"#?(\w+)")).explode("tag")
    tags = tags.dropna().drop_duplicates()
    out["hashtags"] = tags.groupby("user_Name").size()
    # The most frequent non-empty location (ties to the first in sort order).
    loc = df.loc[df["location"] != "", ["user_Name", "location"]]
    counts = loc.groupby(["user_Name", "location"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["user_Name", "n"], ascending=[True, False], kind="stable")
    out["location"] = counts.drop_duplicates("user_Name").set_index("user_Name")["location"]
    return len(out)


def best_of(n, f):
    best, result = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - t)
    return best, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv")
    ap.add_argument("--copies", type=int, default=15)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release first")
    work = tempfile.mkdtemp()
    path = a.csv
    if not path:
        path = os.path.join(work, "scrape.csv")
        posts = scaled_copy(os.path.join(ROOT, "data/raw/influencer_posts.csv"), a.copies, path)
    else:
        posts = sum(1 for _ in open(path, encoding="utf-8", errors="replace")) - 1
    out = os.path.join(work, "influencers.csv")
    ours, _ = best_of(3, lambda: subprocess.run([BIN, "ingest", path, "--out", out], check=True, capture_output=True))
    theirs, accounts = best_of(3, lambda: pandas_import(path))
    mb = os.path.getsize(path) / 1e6
    print(f"{posts} posts ({mb:.0f} MB, {accounts} accounts)")
    print(f"influence-rec ingest: {ours:.2f} s ({posts / ours:,.0f} posts/s)")
    print(f"pandas read_csv + groupby: {theirs:.2f} s ({posts / theirs:,.0f} posts/s)")
    print(f"ingest takes {ours / theirs:.2f}x pandas' time")


if __name__ == "__main__":
    main()
