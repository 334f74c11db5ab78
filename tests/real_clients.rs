//! The real server, driven by real clients: GDAL's OAPIF driver (ogrinfo, ogr2ogr), and SIGHUP reloads.

mod common;
#[path = "common/server.rs"]
mod server;

use common::run;
use server::Server;
use std::process::Command;

fn ogr2ogr_geojson(source: &str, extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.geojson");
    run(Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&out)
        .arg(source)
        .args(extra));
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

/// Runs a Python client script against a fresh server; the script prints `0 failed` when all its checks pass.
fn python_client(script: &str, python: &str) {
    let server = Server::start(&common::layers_dir());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let out = run(Command::new(python)
        .arg(script)
        .arg(&server.url)
        .env("QT_QPA_PLATFORM", "offscreen"));
    assert!(out.contains("0 failed"), "{out}");
}

#[test]
fn ogrinfo_lists_every_collection_through_the_oapif_driver() {
    let server = Server::start(&common::layers_dir());
    let out = run(Command::new("ogrinfo").args(["-ro", "-q", &format!("OAPIF:{}", server.url)]));
    for id in [
        "comunas",
        "poblacion",
        "hogares",
        "homicidios",
        "ep-01",
        "ig-02",
    ] {
        assert!(
            out.contains(&format!(": {id} (title: ")),
            "{id} missing:\n{out}"
        );
    }
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("(Multi Polygon)"))
            .count(),
        30, // 4 unit sets (comunas and three territory editions), 4 real indicators, 12 sample ones, 3 computed, 2 barrio roll-ups to comunas and 5 progress maps
        "{out}"
    );
}

#[test]
fn ogr2ogr_downloads_every_feature_by_following_next_links() {
    let server = Server::start(&common::layers_dir());
    let fc = ogr2ogr_geojson(
        &format!("OAPIF:{}/collections/homicidios", server.url),
        &["-oo", "PAGE_SIZE=50"],
    );
    let features = fc["features"].as_array().unwrap();
    assert_eq!(
        features.len(),
        441,
        "9 pages of 50 make the 441 rows of the CSV"
    );
    let total: f64 = features
        .iter()
        .map(|f| f["properties"]["value"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 18_488.0, "every homicide of the CSV");
}

#[test]
fn population_2023_through_gdal_has_21_features_with_the_workbook_values() {
    let server = Server::start(&common::layers_dir());
    let fc = ogr2ogr_geojson(
        &format!("OAPIF:{}/collections/poblacion", server.url),
        &["-where", "year = 2023", "-oo", "PAGE_SIZE=100"],
    );
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 21);
    let value = |code: &str| {
        features
            .iter()
            .find(|f| f["properties"]["code"] == code)
            .unwrap()["properties"]["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        value("60"),
        95_434.0 + 15_706.0,
        "San Cristóbal = Cabecera + Centros Poblados y Rural Disperso"
    );
    assert_eq!(value("16"), 214_585.0);
    let belen = features
        .iter()
        .find(|f| f["properties"]["code"] == "16")
        .unwrap();
    assert_eq!(belen["properties"]["name"], "Belén");
}

#[test]
fn sighup_reloads_keeping_previous_values_when_a_file_breaks() {
    let dir = common::layers_copy();
    let server = Server::start(dir.path());
    let version = || server.json("/report");
    let _ = version();
    let belen = || {
        server.json("/collections/poblacion/items/16-2023")["properties"]["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(belen(), 214_585.0);
    let hup = || run(Command::new("kill").args(["-HUP", &server.pid().to_string()]));
    let wait_for_status = |id: &str, status: &str| {
        for _ in 0..100 {
            let report = server.json("/report");
            let item = report["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .cloned();
            if item.as_ref().is_some_and(|i| i["status"] == status) {
                return item.unwrap();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{id} never reached {status}");
    };

    let workbook = dir
        .path()
        .join("data/medellin/proyecciones_poblacion_comunas_corregimientos_2018_2030.xlsx");
    let original = std::fs::read(&workbook).unwrap();
    std::fs::write(&workbook, b"broken").unwrap();
    hup();
    let item = wait_for_status("poblacion", "serving_previous");
    assert!(item["error"]
        .as_str()
        .unwrap()
        .contains("proyecciones_poblacion"));
    assert_eq!(belen(), 214_585.0);

    std::fs::write(&workbook, original).unwrap();
    hup();
    wait_for_status("poblacion", "loaded");
    assert_eq!(belen(), 214_585.0);
}

#[test]
fn qgis_loads_the_collections_pages_through_them_and_sees_the_workbook_values() {
    // QGIS's Python bindings are Debian's, for Debian's interpreter.
    python_client("tests/qgis/oapif_layers.py", "/usr/bin/python3");
}

#[test]
fn owslib_reads_json_by_default_and_filters_by_year() {
    python_client("tests/python/features.py", "python3");
}

#[test]
fn the_api_document_passes_an_openapi_validator() {
    python_client("tests/python/openapi_valid.py", "python3");
}

#[test]
fn qgis_draws_the_choropleth_from_the_tiles_with_the_generated_style_and_the_same_from_the_qml() {
    python_client("tests/qgis/vector_tiles.py", "/usr/bin/python3");
}

/// The first link of `doc` with this relation and media type.
fn link(doc: &serde_json::Value, rel: &str, media: &str) -> String {
    doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel && l["type"] == media)
        .unwrap_or_else(|| panic!("no {rel} link of type {media} in {doc}"))["href"]
        .as_str()
        .unwrap()
        .to_string()
}

// GDAL 3.6.2 as Debian 12 builds it cannot open OGC API vector tiles with its OGCAPI driver (`-oo API=TILES`):
// the vector branch of that driver is compiled only with OGR_ENABLE_DRIVER_GML, which its CMake file does not
// see (`strings libgdal.so.32 | grep -c vectorType` is 0). So this test follows the same links the OGCAPI driver
// follows and hands the tile it finds to GDAL's MVT driver.
#[test]
fn gdal_reads_the_vector_tile_found_by_following_the_collections_tileset_links() {
    let server = Server::start(&common::layers_dir());
    let path = |href: &str| href.strip_prefix(&server.url).unwrap().to_string();
    let collection = server.json("/collections/comunas");
    let tilesets = server.json(&path(&link(
        &collection,
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
        "application/json",
    )));
    let tileset = server.json(&path(&link(
        &tilesets["tilesets"][0],
        "self",
        "application/json",
    )));
    let scheme = server.json(&path(&link(
        &tileset,
        "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
        "application/json",
    )));
    assert_eq!(scheme["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    let limit = tileset["tileMatrixSetLimits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["tileMatrix"] == "12")
        .unwrap();
    let (row, col) = (
        limit["minTileRow"].as_u64().unwrap() + 1,
        limit["minTileCol"].as_u64().unwrap() + 1,
    );
    let template = link(&tileset, "item", "application/vnd.mapbox-vector-tile");
    let url = template
        .replace("{tileMatrix}", "12")
        .replace("{tileRow}", &row.to_string())
        .replace("{tileCol}", &col.to_string());
    let dir = tempfile::tempdir().unwrap();
    let tile = dir.path().join("tile.mvt");
    run(Command::new("curl")
        .args(["-sf", "-o"])
        .arg(&tile)
        .arg(&url));
    let out = run(Command::new("ogrinfo")
        .args(["-ro", "-al", "-geom=NO"])
        .arg(format!("MVT:{}", tile.display()))
        .args([
            "-oo",
            "Z=12",
            "-oo",
            &format!("X={col}"),
            "-oo",
            &format!("Y={row}"),
        ]));
    assert!(out.contains("Layer name: comunas\n"), "{out}");
    assert!(out.contains("Geometry: Multi Polygon"), "{out}");
    // Every comuna the features API finds in the tile's extent is in the tile GDAL read.
    let n = 4096.0_f64;
    let lon = |x: u64| x as f64 / n * 360.0 - 180.0;
    let lat = |y: u64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y as f64 / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    let items = server.json(&format!(
        "/collections/comunas/items?bbox={},{},{},{}",
        lon(col),
        lat(row + 1),
        lon(col + 1),
        lat(row)
    ));
    let codes: Vec<&str> = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert!(!codes.is_empty());
    for code in codes {
        assert!(
            out.contains(&format!("code (String) = {code}\n")),
            "{code} missing:\n{out}"
        );
    }
}
