"""OWSLib reads ssepot's comunas in EPSG:9377 (OGC API Features Part 2) and they match GDAL's own transformation of
the source boundary within 1 cm.

usage: python3 tests/python/crs_owslib.py BASE_URL EXPECTED_JSON
EXPECTED_JSON: {code: [[northing, easting], ...]} written by the Rust test from GDAL (authority axis order),
without the vertices that writing to the millimetre folds away (see tests/crs.rs).
"""
import json
import math
import sys

from owslib.ogcapi.features import Features

base, expected_path = sys.argv[1], sys.argv[2]
expected = json.load(open(expected_path))
failures = []
EPSG_9377 = "http://www.opengis.net/def/crs/EPSG/0/9377"


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


def farthest(a, b, cell):
    """Largest distance from a point of a to the nearest point of b (buckets of `cell`; farther counts 1.5 cells)."""
    grid = {}
    for p in b:
        grid.setdefault((math.floor(p[0] / cell), math.floor(p[1] / cell)), []).append(p)
    worst = 0.0
    for p in a:
        i, j = math.floor(p[0] / cell), math.floor(p[1] / cell)
        best = 1.5 * cell
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for q in grid.get((i + di, j + dj), []):
                    best = min(best, math.hypot(p[0] - q[0], p[1] - q[1]))
        worst = max(worst, best)
    return worst


api = Features(base)
col = api.collection("comunas")
check(EPSG_9377 in col["crs"], f"comunas offers EPSG:9377 ({col['crs']})")
items = api.collection_items("comunas", crs=EPSG_9377, limit=100)
features = items["features"]
check(len(features) == 21, f"21 comunas and corregimientos ({len(features)})")
worst = 0.0
for f in features:
    code = f["properties"]["code"]
    served = [p for poly in f["geometry"]["coordinates"] for ring in poly for p in ring]
    worst = max(worst, farthest(expected[code], served, 0.1))
check(worst <= 0.01, f"every source vertex is served within 1 cm (worst {worst * 1000:.2f} mm)")
first = features[0]["geometry"]["coordinates"][0][0][0]
check(first[0] < 3_000_000 < 4_000_000 < first[1], f"northing first, as EPSG defines 9377 ({first})")
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
