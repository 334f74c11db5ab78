"""Independent oracle for tests/territory.rs: reads the barrio files with GDAL/OGR (not calamine, not ssepot) and
prints JSON: the DAP workbook's rows, and each non-numeric 2014 barrio's comuna by largest overlap in EPSG:9377.
Run with /usr/bin/python3 (it has GDAL's bindings)."""
import json
import sys
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
data = sys.argv[1]
gdal.SetConfigOption("OGR_XLSX_HEADERS", "DISABLE")
gdal.SetConfigOption("OGR_XLSX_FIELD_TYPES", "STRING")
book = ogr.Open(f"{data}/medellin_poblacion_barrios_2018_2030_DAP.xlsx")
sheet = book.GetLayerByName("Proyecciones barrios")
rows = []
for n, f in enumerate(sheet, start=1):
    cells = [f.GetField(i) for i in range(f.GetFieldCount())]
    if n <= 20 or not cells[6]:
        continue
    rows.append({"comuna": cells[4], "barrio": cells[6], "values": [int(v) for v in cells[8:21]]})

def projected(path):
    ds = ogr.Open(path)
    layer = ds.GetLayer()
    src = layer.GetSpatialRef()
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(9377)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    out = {}
    for f in layer:
        g = f.GetGeometryRef().Clone()
        g.Transform(ct)
        out[f["CODIGO"]] = g
    return out

barrios = projected(f"{data}/medellin_barrio_vereda_2014_wgs84.shp")
comunas = projected(f"{data}/medellin_comuna_corregimiento_2014_wgs84.shp")
contained = {}
for code, g in barrios.items():
    if code.isdigit():
        continue
    best = max(comunas.items(), key=lambda c: g.Intersection(c[1]).GetArea())
    contained[code] = {"comuna": best[0], "share": g.Intersection(best[1]).GetArea() / g.GetArea()}
json.dump({"rows": rows, "contained": contained, "barrios": len(barrios)}, sys.stdout)
