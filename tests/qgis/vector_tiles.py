"""QGIS 3.22 loads ssepot's vector tiles with the generated MapLibre style and draws the choropleth, and loads the
feature collection with the generated .qml. Both renders are saved as PNG and checked for the class colours.

usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/vector_tiles.py BASE_URL [OUT_DIR]
"""
import json
import os
import sys
import urllib.request

from harness import check, finish
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapBoxGlStyleConverter,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
out_dir = sys.argv[2] if len(sys.argv) > 2 else "tests/artifacts"
os.makedirs(out_dir, exist_ok=True)


def render(layer, crs, name):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(crs)
    wgs = QgsCoordinateReferenceSystem("EPSG:4326")
    extent = QgsCoordinateTransform(wgs, crs, QgsProject.instance()).transformBoundingBox(QgsRectangle(-75.72, 6.16, -75.47, 6.38))
    settings.setExtent(extent)
    settings.setOutputSize(QSize(600, 520))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    path = os.path.join(out_dir, name)
    img.save(path)
    colours = {}
    for x in range(0, img.width(), 4):
        for y in range(0, img.height(), 4):
            c = img.pixelColor(x, y).name()
            colours[c] = colours.get(c, 0) + 1
    return colours


def near(colours, hex_colour, tol=40):
    """Pixels whose colour is close to hex_colour (fill opacity and antialiasing shift it a little)."""
    t = QColor(hex_colour)
    n = 0
    for c, count in colours.items():
        q = QColor(c)
        if abs(q.red() - t.red()) + abs(q.green() - t.green()) + abs(q.blue() - t.blue()) <= tol:
            n += count
    return n


legend = json.load(urllib.request.urlopen(f"{base}/styles/poblacion/legend.json?year=2023"))
style = urllib.request.urlopen(f"{base}/styles/poblacion.json?year=2023").read().decode()
try:
    vt = QgsVectorTileLayer(f"type=xyz&url={base}/tiles/comunas/{{z}}/{{x}}/{{y}}.mvt&zmin=0&zmax=15", "poblacion")
    check(vt.isValid(), "the vector tile layer is valid")
    conv = QgsMapBoxGlStyleConverter()
    conv.convert(json.loads(style))
    check(conv.renderer() is not None, "QGIS converts the MapLibre style")
    vt.setRenderer(conv.renderer())
    colours = render(vt, QgsCoordinateReferenceSystem("EPSG:3857"), "qgis_vector_tiles_poblacion_2023.png")
    drawn = [c["color"] for c in legend["classes"] if near(colours, c["color"]) > 50]
    check(len(drawn) >= 4, f"the vector tiles draw the classes' colours ({drawn})")

    feat = QgsVectorLayer(f"url='{base}' typename='poblacion'", "poblacion", "OAPIF")
    check(feat.isValid(), "the feature layer is valid")
    qml = urllib.request.urlopen(f"{base}/styles/poblacion.qml?year=2023").read()
    path = os.path.join(out_dir, "poblacion_2023.qml")
    open(path, "wb").write(qml)
    msg, ok = feat.loadNamedStyle(path)
    check(ok, f"QGIS loads the .qml ({msg})")
    colours = render(feat, QgsCoordinateReferenceSystem("EPSG:4326"), "qgis_features_poblacion_2023.png")
    drawn_f = [c["color"] for c in legend["classes"] if near(colours, c["color"]) > 50]
    check(drawn_f == drawn, f"the feature layer with the .qml draws the same classes ({drawn_f})")
    del vt, feat, conv
finally:
    finish()
