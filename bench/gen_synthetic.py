#!/usr/bin/env python3
"""Synthetic polygon grid over Medellín's extent (EPSG:4326 GeoJSON).

Each cell is a square with 8 vertices (4 corners pulled slightly inward and 4
edge midpoints jittered perpendicular to the edge), so every polygon is valid
(star-shaped around its centre) and there are no shared edges.
Properties: code (int), v2014..v2023 (float, deterministic pseudo-random).

A verbatim copy of the shared benchmark kit's generator (../shared/bench/gen_synthetic.py), kept here so
that the tests (tests/completeness.rs) and bench/synthetic.sh run on a clone that has no ../shared: the
same seed gives the same polygons as the peers' copy in PostGIS.

usage: gen_synthetic.py [N=100000] [out=synth_100k_4326.geojson] [seed=42]
"""
import json
import math
import random
import sys

LON0, LON1 = -75.72, -75.47
LAT0, LAT1 = 6.16, 6.37


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = sys.argv[2] if len(sys.argv) > 2 else "synth_100k_4326.geojson"
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    rnd = random.Random(seed)
    w, h = LON1 - LON0, LAT1 - LAT0
    # choose cols x rows ~= n with ~square cells
    cols = max(1, round(math.sqrt(n * w / h)))
    rows = max(1, math.ceil(n / cols))
    dx, dy = w / cols, h / rows
    code = 0
    with open(out, "w") as f:
        f.write('{"type":"FeatureCollection","name":"synth",'
                '"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},'
                '"features":[\n')
        first = True
        for r in range(rows):
            for c in range(cols):
                if code >= n:
                    break
                x0, y0 = LON0 + c * dx, LAT0 + r * dy
                x1, y1 = x0 + dx, y0 + dy
                xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
                s = 0.04  # inward pull of corners (fraction of cell)
                j = lambda: rnd.uniform(-0.15, 0.15)
                ring = [
                    (x0 + s * dx, y0 + s * dy),
                    (xm + j() * dx, y0 + (s + j()) * dy),
                    (x1 - s * dx, y0 + s * dy),
                    (x1 - (s + j()) * dx, ym + j() * dy),
                    (x1 - s * dx, y1 - s * dy),
                    (xm + j() * dx, y1 - (s + j()) * dy),
                    (x0 + s * dx, y1 - s * dy),
                    (x0 + (s + j()) * dx, ym + j() * dy),
                ]
                ring.append(ring[0])
                props = {"code": code}
                base = rnd.uniform(0, 1000)
                for y in range(2014, 2024):
                    base = max(0.0, base * rnd.uniform(0.9, 1.1))
                    props[f"v{y}"] = round(base, 2)
                feat = {"type": "Feature", "id": code, "properties": props,
                        "geometry": {"type": "Polygon",
                                     "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}}
                f.write(("" if first else ",\n") + json.dumps(feat, separators=(",", ":")))
                first = False
                code += 1
        f.write("\n]}\n")
    print(f"wrote {code} polygons ({cols}x{rows} grid, cell {dx:.6f}x{dy:.6f} deg) to {out}")


if __name__ == "__main__":
    main()
