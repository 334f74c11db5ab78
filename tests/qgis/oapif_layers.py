"""QGIS 3.22 loads ssepot collections as OGC API Features layers, pages through them, and sees the workbook's values.

usage: QT_QPA_PLATFORM=offscreen python3 tests/qgis/oapif_layers.py BASE_URL
"""
import sys

from harness import check, finish
from qgis.core import QgsFeatureRequest, QgsVectorLayer

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"


def layer(typename, page_size=None):
    uri = f"url='{base}' typename='{typename}'"
    if page_size:
        uri += f" pageSize='{page_size}'"
    return QgsVectorLayer(uri, typename, "OAPIF")


try:
    comunas = layer("comunas")
    check(comunas.isValid(), "comunas is a valid OAPIF layer")
    check(comunas.featureCount() == 21, f"comunas has 21 features ({comunas.featureCount()})")
    check(comunas.crs().authid() in ("OGC:CRS84", "EPSG:4326"), f"CRS is CRS84 ({comunas.crs().authid()})")
    names = sorted(f["name"] for f in comunas.getFeatures())
    check("Belén" in names and "San Sebastián de Palmitas" in names, "accents survive in names")

    # A small page size makes QGIS follow `next` links.
    hom = layer("homicidios", page_size=40)
    check(hom.isValid(), "homicidios is valid")
    feats = list(hom.getFeatures())
    check(len(feats) == 441, f"QGIS pages through all 441 homicide rows ({len(feats)})")
    check(sum(f["value"] for f in feats) == 18488, "their sum is the CSV's 18 488")

    pob = layer("poblacion")
    req = QgsFeatureRequest().setFilterExpression('"year" = 2023')
    values = {f["code"]: f["value"] for f in pob.getFeatures(req)}
    check(len(values) == 21, f"population 2023 has 21 territories ({len(values)})")
    check(values.get("60") == 111140, f"San Cristóbal 2023 = 95 434 + 15 706 ({values.get('60')})")
    check(values.get("16") == 214585, f"Belén 2023 = 214 585 ({values.get('16')})")
    # The change download as GeoPackage opens in QGIS with the API's numbers.
    import tempfile
    import urllib.request
    gpkg = tempfile.NamedTemporaryFile(suffix=".gpkg", delete=False).name
    urllib.request.urlretrieve(f"{base}/collections/poblacion/change?from=2018&to=2030&f=gpkg", gpkg)
    cambio = QgsVectorLayer(gpkg, "cambio", "ogr")
    check(cambio.isValid() and cambio.featureCount() == 21, f"the change GeoPackage opens with 21 features ({cambio.featureCount()})")
    belen = [f for f in cambio.getFeatures() if f["codigo"] == "16"][0]
    check(belen["cambio"] == 216948 - 205651 and belen["territorio"] == "Belén", f"Belén changes by 11 297 ({belen['cambio']})")
    del comunas, hom, pob, feats, cambio, belen
finally:
    finish()
