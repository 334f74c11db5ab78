//! The demo boundary as Esri writes it: every ring reversed (outer rings clockwise), as an ArcGIS-style GeoJSON
//! and as a shapefile written by GDAL (which writes outer rings clockwise, as the format says).
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use serde_json::Value;
use std::path::Path;

/// The demo geometry source, relative to a layers folder.
pub const SOURCE: &str = "data/medellin/limite_catastral_comunas_corregimientos.geojson";

fn reverse_rings(polygon: &mut Value) {
    for ring in polygon.as_array_mut().unwrap() {
        ring.as_array_mut().unwrap().reverse();
    }
}

/// Rewrites the demo source in `layers` with every ring reversed, as ArcGIS writes GeoJSON.
pub fn reverse_geojson(layers: &Path) {
    let path = layers.join(SOURCE);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for f in doc["features"].as_array_mut().unwrap() {
        let g = &mut f["geometry"];
        match g["type"].as_str().unwrap() {
            "Polygon" => reverse_rings(&mut g["coordinates"]),
            "MultiPolygon" => g["coordinates"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .for_each(reverse_rings),
            other => panic!("unexpected {other}"),
        }
    }
    std::fs::write(&path, doc.to_string()).unwrap();
}

/// Writes the demo source as a shapefile with `ogr2ogr` and points the unit set's layer file at it.
pub fn use_shapefile(layers: &Path) {
    let out = layers.join("data/medellin/comunas_esri.shp");
    let status = std::process::Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8"])
        .arg(&out)
        .arg(layers.join(SOURCE))
        .status()
        .unwrap();
    assert!(status.success());
    let toml = layers.join("medellin.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains(SOURCE));
    std::fs::write(
        &toml,
        text.replace(SOURCE, "data/medellin/comunas_esri.shp"),
    )
    .unwrap();
}

/// Signed shoelace area of a ring, positive when counter-clockwise (x east, y north).
pub fn shoelace(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        / 2.0
}

/// The outer rings of a GDAL source's features, as points.
pub fn outer_rings(path: &Path) -> Vec<Vec<(f64, f64)>> {
    use gdal::vector::LayerAccess;
    let ds = gdal::Dataset::open(path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let mut out = Vec::new();
    for f in layer.features() {
        let polygons = match f.geometry().unwrap().to_geo().unwrap() {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(mp) => mp.0,
            other => panic!("not a polygon: {other:?}"),
        };
        for p in polygons {
            out.push(p.exterior().0.iter().map(|c| (c.x, c.y)).collect());
        }
    }
    out
}
