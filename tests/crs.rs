//! OGC API Features Part 2 (CRS by reference) through the real router, checked against GDAL's own transformation
//! of the source boundary (`layers/data/medellin/…`, in EPSG:9377): an oracle that shares no code with ssepot.

mod common;

use common::{demo, get};
use gdal::spatial_ref::SpatialRef;
use gdal::vector::LayerAccess;
use serde_json::Value;
use std::collections::HashMap;

const SOURCE: &str = "data/medellin/limite_catastral_comunas_corregimientos.geojson";
const EPSG_9377: &str = "http://www.opengis.net/def/crs/EPSG/0/9377";
const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Every vertex of the source boundary, by territory code, transformed by GDAL to `epsg` in the authority's
/// axis order (GDAL's default for a CRS built from its EPSG code).
fn oracle(epsg: u32) -> HashMap<String, Vec<[f64; 2]>> {
    oracle_rings(epsg)
        .into_iter()
        .map(|(k, rings)| (k, rings.concat()))
        .collect()
}

/// The same as written to `precision`: vertices that rounding to that grid can make one (closer than √2 ×
/// `precision`) are one, the tips of spikes narrower than that
/// (the vertices on either side of the tip are one) are dropped, and so are rings left with fewer than three
/// vertices. Written to that precision such a spike folds onto itself, which GEOS calls invalid, so the served
/// geometry drops it: the source has one, a hole of comuna 05 that is a 27 cm spike 0.2 mm wide.
fn oracle_at(epsg: u32, precision: f64) -> HashMap<String, Vec<[f64; 2]>> {
    let near = |a: [f64; 2], b: [f64; 2]| {
        (a[0] - b[0]).hypot(a[1] - b[1]) < precision * std::f64::consts::SQRT_2
    };
    // a → b → c turns straight back (b is the tip of a spike) within the precision.
    let folds = |a: [f64; 2], b: [f64; 2], c: [f64; 2]| {
        let (ab, bc) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
        let cross = (ab[0] * bc[1] - ab[1] * bc[0]).abs();
        let dot = ab[0] * bc[0] + ab[1] * bc[1];
        near(a, c)
            || (dot < 0.0
                && cross / ab[0].hypot(ab[1]).max(bc[0].hypot(bc[1]))
                    < precision * std::f64::consts::SQRT_2)
    };
    let written = |ring: Vec<[f64; 2]>| {
        let mut r: Vec<[f64; 2]> = Vec::new();
        for p in ring {
            if r.last().is_none_or(|q| !near(*q, p)) {
                r.push(p);
            }
            while r.len() >= 3 && folds(r[r.len() - 3], r[r.len() - 2], r[r.len() - 1]) {
                if near(r[r.len() - 3], r[r.len() - 1]) {
                    r.truncate(r.len() - 2);
                } else {
                    r.remove(r.len() - 2);
                }
            }
        }
        if r.len() > 1 && near(r[0], r[r.len() - 1]) {
            r.pop();
        }
        if r.len() >= 3 {
            r
        } else {
            vec![]
        }
    };
    oracle_rings(epsg)
        .into_iter()
        .map(|(k, rings)| (k, rings.into_iter().flat_map(&written).collect()))
        .collect()
}

fn oracle_rings(epsg: u32) -> HashMap<String, Vec<Vec<[f64; 2]>>> {
    let ds = gdal::Dataset::open(common::layers_dir().join(SOURCE)).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let target = SpatialRef::from_epsg(epsg).unwrap();
    let mut out = HashMap::new();
    for f in layer.features() {
        let code = text(&f, "comuna");
        let g = f.geometry().unwrap().transform_to(&target).unwrap();
        let mut rings = Vec::new();
        collect_rings(&g, &mut rings);
        out.insert(code, rings);
    }
    out
}

fn text(f: &gdal::vector::Feature, field: &str) -> String {
    f.field_as_string(f.field_index(field).unwrap())
        .unwrap()
        .unwrap()
}

fn collect_rings(g: &gdal::vector::Geometry, out: &mut Vec<Vec<[f64; 2]>>) {
    if g.geometry_count() == 0 {
        let mut pts = Vec::new();
        g.get_points(&mut pts);
        out.push(pts.iter().map(|(x, y, _)| [*x, *y]).collect());
    }
    for i in 0..g.geometry_count() {
        collect_rings(&g.get_geometry(i), out);
    }
}

fn collect_points(g: &gdal::vector::Geometry, out: &mut Vec<[f64; 2]>) {
    if g.geometry_count() == 0 {
        let mut pts = Vec::new();
        g.get_points(&mut pts);
        out.extend(pts.iter().map(|(x, y, _)| [*x, *y]));
    }
    for i in 0..g.geometry_count() {
        collect_points(&g.get_geometry(i), out);
    }
}

fn served_points(geometry: &Value) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for polygon in geometry["coordinates"].as_array().unwrap() {
        for ring in polygon.as_array().unwrap() {
            for p in ring.as_array().unwrap() {
                out.push([p[0].as_f64().unwrap(), p[1].as_f64().unwrap()]);
            }
        }
    }
    out
}

/// The largest distance from a vertex of `a` to the nearest vertex of `b` (a grid of `cell`-sized buckets finds
/// it; distances beyond one cell count as a cell and a half, which fails any tolerance below a cell).
fn farthest(a: &[[f64; 2]], b: &[[f64; 2]], cell: f64) -> f64 {
    let key = |p: [f64; 2]| ((p[0] / cell).floor() as i64, (p[1] / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<[f64; 2]>> = HashMap::new();
    for p in b {
        grid.entry(key(*p)).or_default().push(*p);
    }
    a.iter()
        .map(|p| {
            let (i, j) = key(*p);
            let mut best = 1.5 * cell;
            for di in -1..=1 {
                for dj in -1..=1 {
                    for q in grid.get(&(i + di, j + dj)).into_iter().flatten() {
                        best = best.min(((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt());
                    }
                }
            }
            best
        })
        .fold(0.0, f64::max)
}

async fn comunas_in(crs: &str) -> (Value, String) {
    let r = get(
        &demo(),
        &format!("/collections/comunas/items?limit=100&crs={crs}"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let header = r.headers["content-crs"].to_str().unwrap().to_string();
    (r.json(), header)
}

/// Served and GDAL's vertices agree both ways within `tolerance`, territory by territory: every served vertex is
/// a source vertex, and every source vertex that survives writing to `precision` (the CRS's output precision) is
/// served.
fn assert_same_vertices(fc: &Value, epsg: u32, precision: f64, tolerance: f64) {
    let expected = oracle_at(epsg, precision);
    let all = oracle(epsg);
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 21);
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let served = served_points(&f["geometry"]);
        let source = &expected[code];
        let d1 = farthest(source, &served, tolerance * 10.0);
        let d2 = farthest(&served, &all[code], tolerance * 10.0);
        assert!(
            d1 <= tolerance && d2 <= tolerance,
            "EPSG:{epsg}, territory {code}: vertices {d1} and {d2} apart (tolerance {tolerance})"
        );
    }
}

#[tokio::test]
async fn every_collection_lists_crs84_4326_3857_9377_and_its_storage_crs() {
    let r = get(&demo(), "/collections").await;
    for c in r.json()["collections"].as_array().unwrap() {
        let crs: Vec<&str> = c["crs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(crs, [CRS84, EPSG_4326, EPSG_3857, EPSG_9377], "{}", c["id"]);
        assert_eq!(c["storageCrs"], CRS84);
    }
    let conformance = get(&demo(), "/conformance").await.json();
    assert!(conformance["conformsTo"]
        .as_array()
        .unwrap()
        .contains(&"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs".into()));
}

#[tokio::test]
async fn crs_9377_gives_the_source_boundary_northing_first_to_the_millimetre() {
    let (fc, header) = comunas_in(EPSG_9377).await;
    assert_eq!(header, format!("<{EPSG_9377}>"));
    // GDAL's EPSG:9377 is northing, easting, like the standard's: compared as they are, no swap.
    assert_same_vertices(&fc, 9377, 0.001, 0.01);
    let first = &fc["features"][0]["geometry"]["coordinates"][0][0][0];
    let (n, e) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
    assert!(
        n < 3_000_000.0 && e > 4_000_000.0,
        "northing first: {first}"
    );
    for v in [n, e] {
        assert_eq!((v * 1000.0).round() / 1000.0, v, "millimetres: {v}");
    }
}

#[tokio::test]
async fn crs_4326_is_latitude_first_and_3857_easting_first_as_gdal_transforms_the_source() {
    let (fc, header) = comunas_in(EPSG_4326).await;
    assert_eq!(header, format!("<{EPSG_4326}>"));
    assert_same_vertices(&fc, 4326, 1e-7, 1.5e-7);
    let (fc, _) = comunas_in("EPSG:3857").await;
    assert_same_vertices(&fc, 3857, 0.001, 0.01);
}

#[tokio::test]
async fn crs_4326_is_the_crs84_output_with_its_axes_swapped() {
    let (crs84, header) = comunas_in(CRS84).await;
    assert_eq!(header, format!("<{CRS84}>"));
    let (lat_lon, _) = comunas_in("[EPSG:4326]").await;
    let a = served_points(&crs84["features"][3]["geometry"]);
    let b = served_points(&lat_lon["features"][3]["geometry"]);
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(p, q)| p[0] == q[1] && p[1] == q[0]));
}

#[tokio::test]
async fn without_crs_the_response_says_crs84() {
    let r = get(&demo(), "/collections/poblacion/items?limit=1").await;
    assert_eq!(r.headers["content-crs"], format!("<{CRS84}>").as_str());
}

#[tokio::test]
async fn one_feature_takes_crs_too() {
    let r = get(
        &demo(),
        &format!("/collections/poblacion/items/16-2023?crs={EPSG_9377}"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.headers["content-crs"], format!("<{EPSG_9377}>").as_str());
    let f = r.json();
    let served = served_points(&f["geometry"]);
    assert!(farthest(&oracle_at(9377, 0.001)["16"], &served, 0.1) <= 0.01);
    assert_eq!(f["properties"]["value"], 214_585.0);
}

#[tokio::test]
async fn an_unoffered_or_malformed_crs_is_a_400_naming_the_parameter_and_the_crs() {
    for (query, parameter, named) in [
        (
            "crs=http://www.opengis.net/def/crs/EPSG/0/2000",
            "crs",
            "EPSG:2000",
        ),
        ("crs=EPSG:32618", "crs", "EPSG:32618"),
        ("crs=ESRI:102100", "crs", "ESRI:102100"),
        ("bbox=1,2,3,4&bbox-crs=EPSG:2000", "bbox-crs", "EPSG:2000"),
        ("bbox=95,-75,96,-74&bbox-crs=EPSG:4326", "bbox", "EPSG:4326"),
    ] {
        let r = get(&demo(), &format!("/collections/comunas/items?{query}")).await;
        assert_eq!(r.status, 400, "{query}");
        let e = r.json();
        assert_eq!(e["parameter"], parameter, "{query}");
        assert!(
            e["description"].as_str().unwrap().contains(named),
            "{query}: {e}"
        );
    }
    let r = get(&demo(), "/collections/comunas/items/01?crs=EPSG:2000").await;
    assert_eq!(
        (r.status.as_u16(), r.json()["parameter"].clone()),
        (400, "crs".into())
    );
}

/// A point inside Belén (16), from GDAL on the source, in EPSG:9377 as (northing, easting).
fn inside_belen() -> [f64; 2] {
    let ds = gdal::Dataset::open(common::layers_dir().join(SOURCE)).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let f = layer
        .features()
        .find(|f| text(f, "comuna") == "16")
        .unwrap();
    // 30 m inside the outer ring from the middle of its longest edge (the interior is left of a
    // counter-clockwise ring's edges, right of a clockwise one's).
    let mut ring = Vec::new();
    collect_points(&f.geometry().unwrap().get_geometry(0), &mut ring);
    let signed: f64 = ring
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum();
    let w = ring
        .windows(2)
        .max_by(|a, b| {
            let l = |w: &[[f64; 2]]| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            l(a).total_cmp(&l(b))
        })
        .unwrap();
    let (dx, dy) = (w[1][0] - w[0][0], w[1][1] - w[0][1]);
    let len = dx.hypot(dy) * signed.signum();
    let (e, n) = (
        (w[0][0] + w[1][0]) / 2.0 - 30.0 * dy / len,
        (w[0][1] + w[1][1]) / 2.0 + 30.0 * dx / len,
    );
    [n, e]
}

async fn codes(query: &str) -> Vec<String> {
    let r = get(&demo(), &format!("/collections/comunas/items?{query}")).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn bbox_crs_reads_the_box_in_that_crs_and_its_axis_order() {
    let [n, e] = inside_belen();
    let box_9377 = format!("{},{},{},{}", n - 5.0, e - 5.0, n + 5.0, e + 5.0);
    assert_eq!(
        codes(&format!("bbox={box_9377}&bbox-crs={EPSG_9377}")).await,
        ["16"]
    );
    // The same point in degrees, through GDAL.
    let wgs = SpatialRef::from_epsg(4326).unwrap();
    let mut src = SpatialRef::from_epsg(9377).unwrap();
    src.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    let t = gdal::spatial_ref::CoordTransform::new(&src, &wgs).unwrap();
    let (mut xs, mut ys, mut zs) = ([e], [n], [0.0]);
    t.transform_coords(&mut xs, &mut ys, &mut zs).unwrap();
    let (lat, lon) = (xs[0], ys[0]);
    let d = 1e-5;
    let lat_lon = format!("{},{},{},{}", lat - d, lon - d, lat + d, lon + d);
    assert_eq!(
        codes(&format!("bbox={lat_lon}&bbox-crs=EPSG:4326")).await,
        ["16"]
    );
    let lon_lat = format!("{},{},{},{}", lon - d, lat - d, lon + d, lat + d);
    assert_eq!(codes(&format!("bbox={lon_lat}")).await, ["16"]);
    assert_eq!(
        codes(&format!("bbox={lon_lat}&bbox-crs={CRS84}")).await,
        ["16"]
    );
}

#[tokio::test]
async fn a_geopackage_download_in_9377_has_the_source_vertices_and_the_served_areas() {
    let r = get(
        &demo(),
        "/collections/comunas/items?f=gpkg&limit=100&crs=EPSG:9377",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comunas.gpkg");
    std::fs::write(&path, &r.body).unwrap();
    let ds = gdal::Dataset::open(&path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let srs = layer.spatial_ref().unwrap();
    assert_eq!(srs.auth_code().unwrap(), 9377);
    let served = get(&demo(), "/collections/comunas/items?limit=100")
        .await
        .json();
    let km2: HashMap<String, f64> = served["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["code"].as_str().unwrap().to_string(),
                f["properties"]["area_km2"].as_f64().unwrap(),
            )
        })
        .collect();
    // The GeoPackage stores easting, northing (GIS order) whatever the CRS's axis order.
    let source: HashMap<String, Vec<[f64; 2]>> = oracle(9377)
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(|[n, e]| [e, n]).collect()))
        .collect();
    let mut n = 0;
    for f in layer.features() {
        let code = text(&f, "codigo");
        let g = f.geometry().unwrap();
        let mut pts = Vec::new();
        collect_points(g, &mut pts);
        assert!(farthest(&source[&code], &pts, 0.1) <= 0.01, "{code}");
        // Served areas are geodesic, rounded to 0.01 km²; the plane of EPSG:9377 at Medellín is within 0.1 %.
        let planar_km2 = g.area() / 1e6;
        let off = (planar_km2 - km2[&code]).abs() - 0.005;
        assert!(
            off < 0.001 * km2[&code],
            "{code}: {planar_km2} km² in the plane, {} served",
            km2[&code]
        );
        n += 1;
    }
    assert_eq!(n, 21);
}
