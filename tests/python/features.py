"""OWSLib reads ssepot as OGC API Features (it sends no Accept header, so JSON must be the default).

usage: python3 tests/python/features.py BASE_URL
"""
import sys

from owslib.ogcapi.features import Features

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
api = Features(base)
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


check("conformsTo" in api.conformance(), "conformance is JSON")
ids = [c["id"] for c in api.collections()["collections"]]
check({"comunas", "poblacion", "homicidios", "ep-01"} <= set(ids), f"collections listed ({len(ids)})")
col = api.collection("poblacion")
check(col["itemType"] == "feature", "itemType is feature")
items = api.collection_items("poblacion", year=2023, limit=50)
check(items["numberMatched"] == 21, f"21 territories in 2023 ({items['numberMatched']})")
belen = [f for f in items["features"] if f["properties"]["code"] == "16"][0]
check(belen["properties"]["value"] == 214585, "Belén 2023 is the workbook's 214 585")
check(belen["properties"]["name"] == "Belén", "accents survive")
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
