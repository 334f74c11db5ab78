//! OGC API Features Part 2 (CRS by reference) through the real router, checked against GDAL's own transformation
//! of the source boundary (`layers/data/medellin/…`, in EPSG:9377): an oracle that shares no code with ssepot.

mod common;
#[path = "common/crs_oracle.rs"]
mod crs_oracle;

use common::{demo, get};
use crs_oracle::{collect_points, farthest, oracle, oracle_at, text, SOURCE};
use gdal::spatial_ref::SpatialRef;
use gdal::vector::LayerAccess;
use serde_json::Value;
use std::collections::HashMap;
const EPSG_9377: &str = "http://www.opengis.net/def/crs/EPSG/0/9377";
const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

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

#[tokio::test]
async fn the_collection_page_lists_the_crss_and_links_the_qgis_project() {
    let r = get(&demo(), "/collections/poblacion?f=html").await;
    let html = r.text();
    for s in [
        "<code>EPSG:9377</code>",
        "<code>CRS84</code>",
        "/collections/poblacion/qgis",
    ] {
        assert!(html.contains(s), "{s} missing");
    }
    let doc = get(&demo(), "/collections/poblacion").await.json();
    assert!(doc["links"].as_array().unwrap().iter().any(|l| l["href"]
        == "http://test.local/collections/poblacion/qgis"
        && l["type"] == "application/zip"));
}

#[tokio::test]
async fn the_qgis_project_is_a_qgz_whose_urls_are_the_clients_checked_origin() {
    // No proxy is trusted here: a client's own X-Forwarded-* are dropped, and the URLs come from `Host`.
    let r = common::get_with_headers(
        &demo(),
        "/collections/poblacion/qgis?year=2020",
        &[
            ("x-forwarded-host", "datos.example.org"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).unwrap();
    assert_eq!(zip.len(), 1);
    let mut qgs = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("poblacion_2020.qgs").unwrap(), &mut qgs)
        .unwrap();
    assert!(qgs.contains("<value>2020</value>"), "the year variable");
    assert!(qgs.contains("url=http://test.local/tiles/comunas/{z}/{x}/{y}.mvt"));
    assert!(qgs.contains("url=&apos;http://test.local&apos; typename=&apos;poblacion&apos;"));
    assert!(!qgs.contains("datos.example.org"));
    let r = get(&demo(), "/collections/comunas/qgis").await;
    assert_eq!(r.status, 404, "a unit set has no classes to draw");
    let r = get(&demo(), "/collections/poblacion/qgis?year=1999").await;
    assert_eq!(
        (r.status.as_u16(), r.json()["parameter"].clone()),
        (400, "year".into())
    );
}
