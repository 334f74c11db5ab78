"""QGIS 3.22 computes the comunas' areas from ssepot's EPSG:9377 coordinates — the GeoJSON of `crs=EPSG:9377` and the
GeoPackage download with the same `crs` — and they match the areas ssepot serves (`area_km2`, geodesic) within 0.1 %.

QGIS 3.22's OAPIF provider does not request `crs=` (Part 2 came to QGIS later): the script reads the GeoJSON as a
Part 2 client does (EPSG:9377 is northing, easting) into a memory layer in EPSG:9377.

usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/crs_areas.py BASE_URL
"""
import json
import os
import sys
import tempfile
import urllib.request

from harness import check, finish
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDistanceArea,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
EPSG_9377 = "http://www.opengis.net/def/crs/EPSG/0/9377"


def get(path):
    with urllib.request.urlopen(base + path) as r:
        return r.read(), r.headers


served = json.loads(get("/collections/comunas/items?limit=100")[0])
km2 = {f["properties"]["code"]: f["properties"]["area_km2"] for f in served["features"]}

crs = QgsCoordinateReferenceSystem("EPSG:9377")
da = QgsDistanceArea()
da.setSourceCrs(crs, QgsProject.instance().transformContext())
da.setEllipsoid(crs.ellipsoidAcronym())


def within(code, m2):
    # Served areas are rounded to 0.01 km²: 0.1 % plus half of that.
    off = abs(m2 / 1e6 - km2[code]) - 0.005
    return off <= 0.001 * km2[code]


body, headers = get(f"/collections/comunas/items?limit=100&crs={EPSG_9377}")
check(headers.get("Content-Crs") == f"<{EPSG_9377}>", f"Content-Crs names EPSG:9377 ({headers.get('Content-Crs')})")
fc = json.loads(body)
layer = QgsVectorLayer("MultiPolygon?crs=EPSG:9377&field=code:string", "comunas_9377", "memory")
feats = []
for f in fc["features"]:
    # A Part 2 client swaps the authority's northing, easting into x = easting.
    swapped = [[[[p[1], p[0]] for p in ring] for ring in poly] for poly in f["geometry"]["coordinates"]]
    g = QgsGeometry.fromWkt(
        "MULTIPOLYGON(" + ",".join("(" + ",".join("(" + ",".join(f"{x} {y}" for x, y in ring) + ")" for ring in poly) + ")" for poly in swapped) + ")"
    )
    qf = QgsFeature(layer.fields())
    qf.setAttributes([f["properties"]["code"]])
    qf.setGeometry(g)
    feats.append(qf)
layer.dataProvider().addFeatures(feats)
check(layer.featureCount() == 21, f"21 features in EPSG:9377 ({layer.featureCount()})")
bad = [(f["code"], da.measureArea(f.geometry()) / 1e6, km2[f["code"]]) for f in layer.getFeatures() if not within(f["code"], da.measureArea(f.geometry()))]
check(not bad, f"QGIS's ellipsoidal areas of the GeoJSON in EPSG:9377 are the served areas within 0.1 % ({bad})")

gpkg = os.path.join(tempfile.mkdtemp(), "comunas_9377.gpkg")
open(gpkg, "wb").write(get("/collections/comunas/items?f=gpkg&limit=100&crs=EPSG:9377")[0])
g = QgsVectorLayer(gpkg, "gpkg", "ogr")
check(g.isValid() and g.crs().authid() == "EPSG:9377", f"the GeoPackage opens in EPSG:9377 ({g.crs().authid()})")
bad = [(f["codigo"], da.measureArea(f.geometry()) / 1e6) for f in g.getFeatures() if not within(f["codigo"], da.measureArea(f.geometry()))]
check(g.featureCount() == 21 and not bad, f"and its areas in QGIS are the served areas within 0.1 % ({bad})")
del layer, g, feats
finish()
