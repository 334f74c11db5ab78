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
        23, // with the 2 computed indicators and the 5 progress maps
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
