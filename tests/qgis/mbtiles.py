"""QGIS 3.22 opens ssepot's MBTiles export as a file and draws it.

usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/mbtiles.py ARCHIVE.mbtiles [OUT_DIR]
"""
import os
import sys

from harness import check, finish
from qgis.core import QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob, QgsMapSettings, QgsVectorTileLayer
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

archive = sys.argv[1]
out_dir = sys.argv[2] if len(sys.argv) > 2 else "tests/artifacts"
os.makedirs(out_dir, exist_ok=True)


try:
    layer = QgsVectorTileLayer(f"type=mbtiles&url={archive}", "comunas")
    check(layer.isValid(), "QGIS opens the MBTiles file as a vector tile layer")
    check(layer.sourceMaxZoom() == 15, f"max zoom 15 ({layer.sourceMaxZoom()})")
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    s.setExtent(layer.extent())
    s.setOutputSize(QSize(500, 450))
    s.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(os.path.join(out_dir, "qgis_mbtiles.png"))
    drawn = sum(1 for x in range(0, img.width(), 5) for y in range(0, img.height(), 5) if img.pixelColor(x, y).name() != "#ffffff")
    check(drawn > 500, f"it draws the comunas ({drawn} sampled pixels)")
    del layer
finally:
    finish()
