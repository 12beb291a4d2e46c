"""The relationship table's Parquet file as pandas, polars and DuckDB read it.

    target/refvenv/bin/python benches/parquet_readers.py --parquet rel.parquet [--csv rel.csv]

Each reader loads the file (timed) and must see the five columns, the same row count and
the same sums; with --csv, pandas' reading of the CSV must equal the Parquet table value for
value (the CSV prints shortest round-trip decimals, so equality is exact). Exit status 1 on
any mismatch. `relationships --format parquet` writes the file (issue 15, part 5).
"""
import argparse
import sys
import time

import duckdb
import pandas as pd
import polars as pl

COLUMNS = ["brand", "influencer", "cohesion", "interaction_points", "rating"]


def summary(n, cohesion, points, rating):
    return (int(n), float(cohesion), float(points), float(rating))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parquet", required=True)
    ap.add_argument("--csv")
    a = ap.parse_args()
    results = {}

    t = time.perf_counter()
    df = pd.read_parquet(a.parquet)
    results["pandas " + pd.__version__] = (time.perf_counter() - t, list(df.columns),
        summary(len(df), df.cohesion.sum(), df.interaction_points.sum(), df.rating.sum()))

    t = time.perf_counter()
    pf = pl.read_parquet(a.parquet)
    results["polars " + pl.__version__] = (time.perf_counter() - t, pf.columns,
        summary(pf.height, pf["cohesion"].sum(), pf["interaction_points"].sum(), pf["rating"].sum()))
    del pf

    t = time.perf_counter()
    con = duckdb.connect()
    row = con.execute(
        "SELECT count(*), sum(cohesion), sum(interaction_points), sum(rating) FROM read_parquet(?)",
        [a.parquet]).fetchone()
    cols = [d[0] for d in con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [a.parquet]).description]
    results["duckdb " + duckdb.__version__] = (time.perf_counter() - t, cols, summary(*row))

    ok = True
    first = None
    for name, (seconds, cols, s) in results.items():
        print(f"{name:<16} {seconds:7.2f} s  {s[0]:>12,} rows  sums {s[1]:.6g} {s[2]:.6g} {s[3]:.6g}")
        if cols != COLUMNS:
            print(f"  columns {cols} != {COLUMNS}")
            ok = False
        if first is None:
            first = s
        elif s[0] != first[0] or any(abs(x - y) > 1e-9 * max(1.0, abs(y)) for x, y in zip(s[1:], first[1:])):
            print(f"  {name} disagrees with {next(iter(results))}")
            ok = False
    if a.csv:
        c = pd.read_csv(a.csv, keep_default_na=False, dtype={"brand": str, "influencer": str})
        same = c.shape == df.shape and all((c[k] == df[k]).all() for k in COLUMNS)
        print(f"CSV {a.csv}: {'equal to the Parquet table value for value' if same else 'DIFFERS'}")
        ok = ok and same
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
