//! Rings as Esri writes them (outer rings clockwise) give the same true areas as the demo, within 0.5 % of the
//! planar areas in the source's EPSG:9377, and come out of `/items` oriented as RFC 7946 says.

mod common;
mod reversed;

use common::{get, layers_copy, layers_dir};
use gdal::vector::LayerAccess;
use serde_json::Value;
use ssepot::state::AppState;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// `area_km2` of every unit of `/collections/comunas/items`, by code.
async fn served_areas(layers: &Path) -> BTreeMap<String, f64> {
    let state = Arc::new(AppState::load(layers.to_owned(), None).unwrap());
    let items = get(&state, "/collections/comunas/items?limit=100")
        .await
        .json();
    items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["code"].as_str().unwrap().to_string(),
                f["properties"]["area_km2"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Planar areas in km² of the source features in EPSG:9377, by code, measured by GDAL (GEOS) and not by ssepot.
fn planar_areas_9377() -> BTreeMap<String, f64> {
    let ds = gdal::Dataset::open(layers_dir().join(reversed::SOURCE)).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let srs = layer.spatial_ref().unwrap();
    assert_eq!(srs.auth_code().unwrap(), 9377, "the source is in EPSG:9377");
    let mut out = BTreeMap::new();
    for f in layer.features() {
        let code = f
            .field_as_string(f.field_index("comuna").unwrap())
            .unwrap()
            .unwrap();
        *out.entry(code).or_insert(0.0) += f.geometry().unwrap().area() / 1e6;
    }
    out
}

fn assert_true_areas(label: &str, served: &BTreeMap<String, f64>, demo: &BTreeMap<String, f64>) {
    let planar = planar_areas_9377();
    assert_eq!(planar.len(), 21);
    for (code, km2) in &planar {
        let got = served[code];
        assert_eq!(
            got, demo[code],
            "{label}: unit {code}: same area as the demo"
        );
        assert!(
            (got - km2).abs() <= 0.005 * km2,
            "{label}: unit {code}: {got} km² served, {km2:.3} km² planar in EPSG:9377"
        );
    }
}

#[tokio::test]
async fn the_demo_areas_are_within_half_a_percent_of_the_planar_areas_in_epsg_9377() {
    let demo = served_areas(&layers_dir()).await;
    assert_true_areas("demo", &demo, &demo);
}

#[tokio::test]
async fn an_arcgis_geojson_with_every_ring_reversed_gives_the_same_areas() {
    let dir = layers_copy();
    reversed::reverse_geojson(dir.path());
    let rings = reversed::outer_rings(&dir.path().join(reversed::SOURCE));
    assert!(
        rings.iter().all(|r| reversed::shoelace(r) < 0.0),
        "every outer ring of the fixture is clockwise"
    );
    let demo = served_areas(&layers_dir()).await;
    assert_true_areas("ArcGIS GeoJSON", &served_areas(dir.path()).await, &demo);
}

#[tokio::test]
async fn a_shapefile_written_by_gdal_gives_the_same_areas() {
    let dir = layers_copy();
    reversed::use_shapefile(dir.path());
    let rings = reversed::outer_rings(&dir.path().join("data/medellin/comunas_esri.shp"));
    assert!(
        rings.iter().all(|r| reversed::shoelace(r) < 0.0),
        "GDAL writes shapefile outer rings clockwise"
    );
    let demo = served_areas(&layers_dir()).await;
    assert_true_areas("shapefile", &served_areas(dir.path()).await, &demo);
}

/// Signed area of a GeoJSON ring, positive when counter-clockwise.
fn ring_area(ring: &Value) -> f64 {
    let pts: Vec<(f64, f64)> = ring
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    reversed::shoelace(&pts)
}

#[tokio::test]
async fn items_have_counter_clockwise_outer_rings_and_clockwise_holes_whatever_the_source_order() {
    let dir = layers_copy();
    reversed::reverse_geojson(dir.path());
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let items = get(&state, "/collections/comunas/items?limit=100")
        .await
        .json();
    let mut holes = 0;
    for f in items["features"].as_array().unwrap() {
        for polygon in f["geometry"]["coordinates"].as_array().unwrap() {
            let rings = polygon.as_array().unwrap();
            assert!(ring_area(&rings[0]) > 0.0, "{}", f["id"]);
            // A hole of less than 1e-10 square degrees (about 1 m²; comuna 06 has one of 0.0003 m²) has no
            // meaningful winding: its sign is rounding noise.
            for hole in rings[1..].iter().filter(|h| ring_area(h).abs() > 1e-10) {
                assert!(ring_area(hole) < 0.0, "{}", f["id"]);
                holes += 1;
            }
        }
    }
    assert!(holes >= 10, "the demo has holes of more than 1 m²: {holes}");
}
