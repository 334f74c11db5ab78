//! Real clients filtering a running server with CQL2, their answers checked against OGR SQL on the
//! GeoPackage download of the same collection:
//! - GDAL's OGC API driver (3.6.2) turns `ogr2ogr -where` into `filter=…&filter-lang=cql-text` when the API
//!   document offers `cql-text` and the collection links its queryables; the debug log shows the filter went
//!   to the server (not evaluated by GDAL after downloading everything);
//! - OWSLib passes `filter=` through `collection_items`.

mod common;
#[path = "common/server.rs"]
mod server;

use common::{demo, get, run};
use gdal::vector::sql::Dialect;
use gdal::vector::LayerAccess;
use server::Server;
use std::collections::BTreeSet;
use std::process::Command;

/// The first column of an SQL query on a collection's GeoPackage download.
async fn oracle(collection: &str, query: &str) -> BTreeSet<String> {
    let r = get(
        &demo(),
        &format!("/collections/{collection}/items?f=gpkg&limit=1000"),
    )
    .await;
    assert_eq!(r.status, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.gpkg");
    std::fs::write(&path, &r.body).unwrap();
    let ds = gdal::Dataset::open(&path).unwrap();
    let mut rs = ds
        .execute_sql(query, None, Dialect::SQLITE)
        .unwrap()
        .unwrap();
    rs.features()
        .map(|f| f.field_as_string(0).unwrap().unwrap_or_default())
        .collect()
}

/// `ogr2ogr -where` through the OAPIF driver: the rows' first column, and GDAL's debug log.
fn ogr2ogr_where(url: &str, layer: &str, where_: &str, select: &str) -> (BTreeSet<String>, String) {
    let out = Command::new("ogr2ogr")
        .args(["-f", "CSV", "/vsistdout/"])
        .arg(format!("OAPIF:{url}/collections/{layer}"))
        .arg(layer)
        .args(["-where", where_, "-select", select])
        .env("CPL_DEBUG", "ON")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().trim_matches('"').to_string())
        .collect();
    (rows, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn gdal_sends_ogr2ogr_where_to_the_server_as_cql2_and_gets_the_oracles_features() {
    let server = Server::start(&common::layers_dir());
    let (got, log) = ogr2ogr_where(&server.url, "comunas", "name ILIKE 'san%'", "code,name");
    assert!(
        log.contains("filter=name%20ILIKE%20'san%25'&filter-lang=cql-text"),
        "the filter was not sent to the server:\n{log}"
    );
    assert_eq!(
        got,
        oracle(
            "comunas",
            "SELECT codigo FROM comunas WHERE territorio LIKE 'san%'"
        )
        .await
    );
    assert_eq!(
        got.len(),
        6,
        "Santa Cruz, San Javier, Palmitas, San Cristóbal, San Antonio de Prado, Santa Elena"
    );

    let (got, log) = ogr2ogr_where(
        &server.url,
        "poblacion",
        "value > 150000 AND year = 2023",
        "code,year,value",
    );
    assert!(
        log.contains("filter=(value%20%3E%20150000)%20AND%20(year%20%3D%202023)"),
        "{log}"
    );
    assert_eq!(
        got,
        oracle(
            "poblacion",
            "SELECT codigo FROM poblacion WHERE valor > 150000 AND anio = 2023"
        )
        .await
    );
    assert!(!got.is_empty());
}

#[tokio::test]
async fn owslib_filters_with_cql2_through_collection_items() {
    let server = Server::start(&common::layers_dir());
    let script = r#"
import json, sys
from owslib.ogcapi.features import Features
api = Features(sys.argv[1])
out = {}
for name, flt in [("point", "S_INTERSECTS(geometry, POINT(-75.57 6.25))"), ("san", "CASEI(name) LIKE CASEI('san%')")]:
    r = api.collection_items("comunas", filter=flt, limit=100)
    out[name] = sorted(f["id"] for f in r["features"])
print(json.dumps(out))
"#;
    let text = run(Command::new("python3").args(["-c", script, &server.url]));
    let got: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let ids = |k: &str| -> BTreeSet<String> {
        got[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids("point"),
        oracle(
            "comunas",
            "SELECT codigo FROM comunas WHERE ST_Intersects(geom, MakePoint(-75.57, 6.25, 4326))"
        )
        .await
    );
    assert_eq!(
        ids("san"),
        oracle(
            "comunas",
            "SELECT codigo FROM comunas WHERE territorio LIKE 'san%'"
        )
        .await
    );
}

/// The docs' recipe for QGIS 3.22 (which does not send its filters as CQL2) and for filters GDAL 3.6 cannot
/// translate: the filtered items URL opened as a GeoJSON source, by QGIS and by ogr2ogr.
#[tokio::test]
async fn qgis_3_22_and_ogr2ogr_open_a_filtered_items_url_and_get_the_oracles_features() {
    let server = Server::start(&common::layers_dir());
    let url = format!(
        "{}/collections/comunas/items?f=json&limit=1000&filter=poblacion_2023%20%3E%20150000",
        server.url
    );
    let expected = oracle(
        "poblacion",
        "SELECT codigo FROM poblacion WHERE anio = 2023 AND valor > 150000",
    )
    .await;
    let script = r#"
import sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(sys.argv[1], "filtrada", "ogr")
print("valid" if layer.isValid() else "invalid")
print("codes:" + ",".join(sorted(f["code"] for f in layer.getFeatures())))
"#;
    let text = run(Command::new("/usr/bin/python3")
        .args(["-c", script, &url])
        .env("QT_QPA_PLATFORM", "offscreen"));
    assert!(text.lines().any(|l| l == "valid"), "{text}");
    let got: BTreeSet<String> = text
        .lines()
        .find_map(|l| l.strip_prefix("codes:"))
        .unwrap_or_else(|| panic!("{text}"))
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(got, expected);

    let out =
        run(Command::new("ogr2ogr").args(["-f", "CSV", "/vsistdout/", &url, "-select", "code"]));
    let got: BTreeSet<String> = out
        .lines()
        .skip(1)
        .map(|l| l.trim_matches('"').to_string())
        .collect();
    assert_eq!(got, expected);
}
