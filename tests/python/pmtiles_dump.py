"""Writes every tile of a PMTiles archive, as stored (gzipped), to OUT/z/x/y.mvt, read by an independent
reader (the `pmtiles` package of PyPI): the completeness test compares them with its oracle.

usage: python3 tests/python/pmtiles_dump.py ARCHIVE.pmtiles OUT
"""
import os
import sys

from pmtiles.reader import MmapSource, all_tiles

archive, out = sys.argv[1], sys.argv[2]
n = 0
with open(archive, "rb") as f:
    for (z, x, y), data in all_tiles(MmapSource(f)):
        d = os.path.join(out, str(z), str(x))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{y}.mvt"), "wb") as t:
            t.write(data)
        n += 1
print(f"{n} tiles")
