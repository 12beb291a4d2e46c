#!/usr/bin/env bash
# Creates target/refvenv with the reference libraries from PyPI (LightFM 1.17, LightGBM, and
# OR-Tools and SciPy for benches/planner_bench.py, pyarrow, polars and DuckDB for
# benches/parquet_readers.py, matplotlib for benches/scale_bench.py) for
# parity fixtures and side-by-side benchmarks. Idempotent: does nothing when already set up.
# LightFM 1.17's setup.py assigns to `__builtins__` as a dict, which current setuptools
# rejects; we build its PyPI sdist after routing that assignment through `import builtins`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/target/refvenv"
PY="$VENV/bin/python"
if [ -x "$PY" ] && "$PY" -c 'import lightfm, lightgbm' 2>/dev/null; then
  # OR-Tools (the planner benchmark's reference) joined later: add it to an existing venv.
  "$PY" -c 'import ortools' 2>/dev/null || "$PY" -m pip install -q ortools
  # pyarrow, polars and DuckDB (benches/parquet_readers.py) joined later still.
  "$PY" -c 'import pyarrow, polars, duckdb, matplotlib' 2>/dev/null || "$PY" -m pip install -q pyarrow polars duckdb matplotlib
  echo "$VENV ready"; exit 0
fi
python3 -m venv "$VENV"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q "numpy<2.3" scipy "cython<3.1" setuptools wheel "lightgbm==4.6.0" pandas ortools pyarrow polars duckdb matplotlib
work="$(mktemp -d)"
# `pip download` of the sdist would run the broken setup.py; read the sdist's address from the
# package index pip itself is configured with (`pip config`, PIP_INDEX_URL, else pip's default)
# through its simple API, and check the published sha256.
INDEX="$("$PY" - <<'PYEOF'
import os, subprocess, sys
url = os.environ.get("PIP_INDEX_URL", "")
if not url:
    out = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        key, _, val = line.partition("=")
        if key.strip().endswith(".index-url"):
            url = val.strip().strip("'\"")
if not url:
    from pip._internal.models.index import PyPI
    url = PyPI.simple_url
print(url.rstrip("/"))
PYEOF
)"
"$PY" - "$work" "$INDEX" <<'PYEOF'
import hashlib, re, sys, urllib.parse, urllib.request
page = sys.argv[2] + "/lightfm/"
html = urllib.request.urlopen(page, timeout=60).read().decode()
href = re.findall(r'href="([^"]+/lightfm-1\.17\.tar\.gz#sha256=[0-9a-f]+)"', html)[0]
url = urllib.parse.urljoin(page, href)
want = url.split("#sha256=")[1]
data = urllib.request.urlopen(url.split("#")[0], timeout=120).read()
assert hashlib.sha256(data).hexdigest() == want, "sha256 mismatch"
open(sys.argv[1] + "/lightfm-1.17.tar.gz", "wb").write(data)
PYEOF
tar -xzf "$work"/lightfm-1.17.tar.gz -C "$work"
"$PY" - "$work/lightfm-1.17/setup.py" <<'PYEOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s2 = re.sub(r"__builtins__\.__LIGHTFM_SETUP__ = True|__builtins__\[\"__LIGHTFM_SETUP__\"\] = True|__builtins__\['__LIGHTFM_SETUP__'\] = True",
            "import builtins\nbuiltins.__LIGHTFM_SETUP__ = True", s)
if s2 == s:
    # Fall back to any assignment into __builtins__.
    s2 = re.sub(r"^(\s*)__builtins__(.*)$", r"\1import builtins; builtins\2", s, flags=re.M)
open(p, "w").write(s2)
PYEOF
"$PY" -m pip install -q --no-build-isolation "$work/lightfm-1.17"
rm -rf "$work"
"$PY" -c 'import lightfm, lightgbm; print("lightfm", lightfm.__version__, "lightgbm", lightgbm.__version__)'
