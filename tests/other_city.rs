//! Another city's files, loaded from docs/layers.md alone: a boundary as an Esri shapefile, a table as an office
//! sends it (Excel's Windows-1252 "CSV" with `;`, a title block, decimal commas, thousands points, `ND`, a total
//! row), a computed density, and the web map's title declared in a layer file. Expected values are the ones this
//! test writes, and the areas GDAL's own, not ssepot's.

mod common;

use common::get;
use ssepot::ingest;
use ssepot::model::{normalize_key, UnitRef};
use ssepot::state::AppState;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Three barrios of an invented town in EPSG:9377 (metres): squares of 1, 2 and 1.5 km on a side.
const BARRIOS: [(&str, &str, f64, f64, f64); 3] = [
    ("01", "La Estación", 4_880_000.0, 2_070_000.0, 1000.0),
    (
        "02",
        "Señor de los Milagros",
        4_881_000.0,
        2_070_000.0,
        2000.0,
    ),
    ("03", "Pueblo Nuevo", 4_883_000.0, 2_070_000.0, 1500.0),
];

/// Hogares per barrio and year, as the office's table says them.
const HOGARES: [(&str, [Option<f64>; 3]); 3] = [
    ("01", [Some(1234.5), Some(1250.0), Some(1301.25)]),
    ("02", [Some(20_480.0), None, Some(21_003.0)]),
    ("03", [Some(987.0), Some(1002.0), Some(1_010_500.0)]),
];

fn write_boundary(dir: &Path) {
    let features: Vec<String> = BARRIOS
        .iter()
        .map(|(code, name, x, y, side)| {
            let (x2, y2) = (x + side, y + side);
            format!(
                r#"{{"type":"Feature","properties":{{"COD_BARRIO":"{code}","NOMBRE":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}}"#
            )
        })
        .collect();
    let geojson = dir.join("fuente.geojson");
    std::fs::write(
        &geojson,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    // GDAL writes the shapefile (clockwise outer rings, a .prj, a .cpg) as an Esri tool would.
    common::run(
        Command::new("ogr2ogr")
            .args(["-f", "ESRI Shapefile", "-a_srs", "EPSG:9377"])
            .arg(dir.join("barrios.shp"))
            .arg(&geojson),
    );
    std::fs::remove_file(geojson).unwrap();
}

/// `1234.5` as the office writes it: `1.234,5`.
fn spanish(v: Option<f64>) -> String {
    let Some(v) = v else { return "ND".into() };
    let int = v.trunc() as i64;
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let frac = format!("{:.2}", v.fract());
    match frac.trim_end_matches('0').trim_end_matches('.') {
        "0" | "" => grouped,
        f => format!("{grouped},{}", &f[2..]),
    }
}

fn write_table(dir: &Path) {
    let mut text = String::from(
        "Secretaría de Planeación – Hogares por barrio\n\"Fuente: “Encuesta de hogares” (cifras en hogares)\"\n\
         Barrio;Nombre;2021;2022;2023\n",
    );
    for (code, values) in HOGARES {
        let name = BARRIOS.iter().find(|b| b.0 == code).unwrap().1;
        let cells: Vec<String> = values.iter().map(|v| spanish(*v)).collect();
        // The office writes codes without their leading zero.
        text += &format!(
            "{};{name};{}\n",
            code.trim_start_matches('0'),
            cells.join(";")
        );
    }
    text += "Total;;22.701,5;ND;1.032.804,25\n";
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '–' => 0x96,
            '“' => 0x93,
            '”' => 0x94,
            c => u8::try_from(u32::from(c)).expect("Latin-1 letters are Windows-1252 too"),
        })
        .collect();
    std::fs::write(dir.join("hogares_barrios.csv"), bytes).unwrap();
}

const LAYERS: &str = r#"
[web_map]
title = "Indicadores de Villa Ejemplo"
title_en = "Villa Ejemplo's indicators"

[[unit_set]]
id = "barrios"
title = "Barrios de Villa Ejemplo"
source = "barrios.shp"
key_field = "COD_BARRIO"
name_field = "NOMBRE"
city_name = "Villa Ejemplo"

[[indicator]]
id = "hogares"
name = "Hogares"
unit = "hogares"
unit_set = "barrios"

[indicator.table]
path = "hogares_barrios.csv"
header_rows = [3]
layout = "wide"
key_column = "Barrio"
skip_keys = ["Total"]
unmatched = "error"

[indicator.table.values]
decimal = ","
thousands = "."

[[computed]]
id = "densidad_hogares"
name = "Densidad de hogares"
unit = "hogares/km²"
unit_set = "barrios"
formula = "hogares / area_km2"
city = "recompute"

[computed.variables]
hogares = "hogares"
"#;

fn other_city() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_boundary(dir.path());
    write_table(dir.path());
    std::fs::write(dir.path().join("villa.toml"), LAYERS).unwrap();
    dir
}

/// Each barrio's geodesic area in m²: GDAL reads the shapefile and reprojects it to WGS 84, and pyproj's geodesic
/// (GeographicLib) measures it — neither is what ssepot uses.
fn oracle_areas_m2(shp: &Path) -> std::collections::BTreeMap<String, f64> {
    let script = r#"
import sys
from osgeo import ogr, osr
from pyproj import Geod
ds = ogr.Open(sys.argv[1])
layer = ds.GetLayer(0)
wgs84 = osr.SpatialReference()
wgs84.ImportFromEPSG(4326)
wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_wgs84 = osr.CoordinateTransformation(layer.GetSpatialRef(), wgs84)
geod = Geod(ellps="WGS84")
for f in layer:
    g = f.GetGeometryRef().Clone()
    g.Transform(to_wgs84)
    ring = g.GetGeometryRef(0)
    lons = [ring.GetX(i) for i in range(ring.GetPointCount())]
    lats = [ring.GetY(i) for i in range(ring.GetPointCount())]
    area, _ = geod.polygon_area_perimeter(lons, lats)
    print(f.GetField("COD_BARRIO"), abs(area))
"#;
    let out = common::run(
        Command::new("/usr/bin/python3")
            .arg("-c")
            .arg(script)
            .arg(shp),
    );
    out.lines()
        .map(|l| {
            let (code, area) = l.split_once(' ').unwrap();
            (code.to_string(), area.parse().unwrap())
        })
        .collect()
}

#[test]
fn another_citys_shapefile_and_office_table_load_as_written() {
    let dir = other_city();
    let snap = ingest::load(dir.path(), None).unwrap();
    assert_eq!(snap.report.error_count(), 0, "{}", snap.report);
    assert_eq!(snap.report.warning_count(), 0, "{}", snap.report);

    let set = snap.unit_set("barrios").unwrap();
    assert_eq!(set.units.len(), 3);
    let areas = oracle_areas_m2(&dir.path().join("barrios.shp"));
    for (code, name, _, _, _) in BARRIOS {
        let unit = &set.units[set.find(&normalize_key(code)).unwrap()];
        assert_eq!(unit.name, name);
        let oracle = areas[code];
        assert!(
            (unit.area_m2 - oracle).abs() / oracle < 1e-3,
            "{code}: {} m² vs {oracle} m²",
            unit.area_m2
        );
    }

    let hogares = snap.indicator("hogares").unwrap();
    assert_eq!(hogares.years(), vec![2021, 2022, 2023]);
    for (code, values) in HOGARES {
        let i = set.find(&normalize_key(code)).unwrap();
        for (year, v) in (2021..).zip(values) {
            assert_eq!(
                hogares.value(UnitRef::Unit(i), year),
                Some(v),
                "{code} {year}"
            );
        }
    }

    let density = snap.indicator("densidad_hogares").unwrap();
    let i = set.find("3").unwrap();
    let expected = 1_010_500.0 / (set.units[i].area_m2 / 1e6);
    let got = density.value(UnitRef::Unit(i), 2023).flatten().unwrap();
    assert!(
        (got - expected).abs() < 1e-6 * expected,
        "{got} vs {expected}"
    );
    assert_eq!(
        density.value(UnitRef::Unit(set.find("2").unwrap()), 2022),
        Some(None)
    );
}

#[tokio::test]
async fn another_citys_web_map_shows_the_title_its_layer_file_declares() {
    let dir = other_city();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let doc = get(&state, "/map/territorios.json").await.json();
    assert_eq!(doc["title"]["es"], "Indicadores de Villa Ejemplo", "{doc}");
    assert_eq!(doc["title"]["en"], "Villa Ejemplo's indicators", "{doc}");

    // The page has no city of its own: it takes the title from that document.
    let page = get(&state, "/map/").await.text();
    assert!(!page.contains("Medellín"), "{page}");
    let app = get(&state, "/map/app.js").await.text();
    assert!(!app.contains("Medellín"), "the rule lives in the server");
    assert!(app.contains("terr.title"), "app.js reads the served title");

    // Downloads keep the office's values.
    let csv = get(
        &state,
        "/collections/hogares/items?f=csv&datetime=2021&limit=10",
    )
    .await
    .text();
    assert!(csv.contains("01;La Estación;2021;1234,5"), "{csv}");
}

#[tokio::test]
async fn a_layer_set_without_a_title_gets_a_neutral_one_naming_its_city() {
    let dir = other_city();
    let toml = dir.path().join("villa.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text.replace(
        "[web_map]\ntitle = \"Indicadores de Villa Ejemplo\"\ntitle_en = \"Villa Ejemplo's indicators\"\n",
        "",
    );
    std::fs::write(&toml, text).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let doc = get(&state, "/map/territorios.json").await.json();
    assert_eq!(doc["title"]["es"], "Indicadores de Villa Ejemplo", "{doc}");
    assert_eq!(doc["title"]["en"], "Indicators of Villa Ejemplo", "{doc}");
}
