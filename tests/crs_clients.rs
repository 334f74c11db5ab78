//! Real clients read ssepot in EPSG:9377 (OGC API Features Part 2) and get GDAL's own transformation of the source
//! boundary within 1 cm: GDAL's OAPIF driver, OWSLib, and QGIS 3.22 computing areas.

mod common;
#[path = "common/crs_oracle.rs"]
mod crs_oracle;
#[path = "common/server.rs"]
mod server;

use common::run;
use server::Server;
use std::process::Command;

const EPSG_9377: &str = "http://www.opengis.net/def/crs/EPSG/0/9377";

/// What the clients must find: every source vertex that writing to the millimetre keeps, northing first.
fn expected_json(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("expected_9377.json");
    let expected = crs_oracle::oracle_at(9377, 0.001);
    std::fs::write(&path, serde_json::to_vec(&expected).unwrap()).unwrap();
    path
}

// GDAL 3.6.2 (Debian 12) has no `CRS` open option in its OAPIF driver (it came in 3.7); it does repeat the query of
// the URL it is given on every request, so `OAPIF:…/collections/comunas?crs=…` reads the features in EPSG:9377.
// It still labels the layer CRS84 and keeps the numbers as served: northing, easting.
#[test]
fn gdals_oapif_driver_reads_9377_coordinates_that_match_gdals_transformation_of_the_source() {
    let server = Server::start(&common::layers_dir());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("comunas.geojson");
    run(Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&out)
        .arg(format!(
            "OAPIF:{}/collections/comunas?crs={EPSG_9377}",
            server.url
        ))
        .args(["-oo", "PAGE_SIZE=5"]));
    let fc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 21, "5 pages of 5 make the 21 territories");
    let expected = crs_oracle::oracle_at(9377, 0.001);
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let mut served = Vec::new();
        for polygon in f["geometry"]["coordinates"].as_array().unwrap() {
            for ring in polygon.as_array().unwrap() {
                for p in ring.as_array().unwrap() {
                    served.push([p[0].as_f64().unwrap(), p[1].as_f64().unwrap()]);
                }
            }
        }
        let d = crs_oracle::farthest(&expected[code], &served, 0.1);
        assert!(
            d <= 0.01,
            "{code}: a source vertex is {d} m from every served one"
        );
    }
}

#[test]
fn owslib_reads_9377_coordinates_that_match_gdals_transformation_of_the_source() {
    let server = Server::start(&common::layers_dir());
    let dir = tempfile::tempdir().unwrap();
    let expected = expected_json(dir.path());
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/crs_owslib.py");
    let out = run(Command::new("python3")
        .arg(script)
        .arg(&server.url)
        .arg(&expected));
    assert!(out.contains("0 failed"), "{out}");
}

#[test]
fn qgis_computes_from_9377_coordinates_the_areas_ssepot_serves() {
    let server = Server::start(&common::layers_dir());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qgis/crs_areas.py");
    let out = run(Command::new("/usr/bin/python3")
        .arg(script)
        .arg(&server.url)
        .env("QT_QPA_PLATFORM", "offscreen"));
    assert!(out.contains("0 failed"), "{out}");
}

// The project is QGIS's own test of the one-click project: it is here, with the other QGIS clients of this issue.
#[test]
fn qgis_opens_the_one_click_project_and_draws_the_web_maps_colours_for_the_year_it_is_set_to() {
    let server = Server::start(&common::layers_dir());
    let dir = tempfile::tempdir().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qgis/project.py");
    let out = run(Command::new("/usr/bin/python3")
        .arg(script)
        .arg(&server.url)
        .arg(dir.path())
        .env("QT_QPA_PLATFORM", "offscreen"));
    assert!(out.contains("0 failed"), "{out}");
}
