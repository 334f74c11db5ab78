"""An independent reader (the `pmtiles` package of PyPI) reads ssepot's PMTiles archive, and its tiles are the
server's tiles.

usage: python3 tests/python/pmtiles_read.py BASE_URL ARCHIVE.pmtiles
"""
import gzip
import sys
import urllib.request

from pmtiles.reader import MmapSource, Reader, all_tiles

base, archive = sys.argv[1], sys.argv[2]
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


with open(archive, "rb") as f:
    reader = Reader(MmapSource(f))
    h = reader.header()
    check(h["tile_type"].name == "MVT" and h["tile_compression"].name == "GZIP", "an MVT archive with gzipped tiles")
    check((h["min_zoom"], h["max_zoom"]) == (0, 15), f"zooms 0–15 ({h['min_zoom']}–{h['max_zoom']})")
    meta = reader.metadata()
    check([l["id"] for l in meta["vector_layers"]] == ["comunas", "comunas_ciudad"], "its vector layers")
    tiles = list(all_tiles(MmapSource(f)))
    check(len(tiles) == h["addressed_tiles_count"] > 400, f"{len(tiles)} tiles")
    same = 0
    for (z, x, y), data in tiles[:: max(1, len(tiles) // 40)]:
        served = urllib.request.urlopen(f"{base}/tiles/comunas/{z}/{x}/{y}.mvt").read()
        same += gzip.decompress(data) == served
    check(same == len(tiles[:: max(1, len(tiles) // 40)]), f"{same} sampled tiles equal the server's")
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
