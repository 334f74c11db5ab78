//! Every geometry ssepot emits is valid by GEOS (through GDAL): `/items`, every vector tile at every zoom,
//! GeoPackage downloads and tile archives, for the demo boundary and for the same boundary as Esri writes it.

mod common;
mod reversed;

use common::{get, layers_copy, layers_dir, run};
use gdal::vector::{LayerAccess, ToGdal};
use geozero::mvt::{Message, Tile};
use geozero::ToGeo;
use ssepot::state::AppState;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Why GEOS finds a geometry invalid, or `None` when it is valid.
fn geos_problem(g: &gdal::vector::Geometry) -> Option<String> {
    if g.is_valid() {
        return None;
    }
    Some(
        g.make_valid(&gdal::cpl::CslStringList::new())
            .map(|_| {
                format!(
                    "invalid: {}",
                    g.wkt()
                        .unwrap_or_default()
                        .chars()
                        .take(120)
                        .collect::<String>()
                )
            })
            .unwrap_or_else(|e| e.to_string()),
    )
}

/// The invalid features of an MVT tile, decoded exactly (integer tile units) with `geozero`, checked with GEOS.
fn invalid_in_tile(bytes: &[u8], label: &str) -> (usize, Vec<String>) {
    let tile = Tile::decode(bytes).unwrap_or_else(|e| panic!("{label}: not MVT: {e}"));
    let mut checked = 0;
    let mut bad = Vec::new();
    for layer in &tile.layers {
        for f in &layer.features {
            let g = f.to_geo().unwrap().to_gdal().unwrap();
            checked += 1;
            if let Some(why) = geos_problem(&g) {
                bad.push(format!("{label} {} #{:?}: {why}", layer.name, f.id));
            }
        }
    }
    (checked, bad)
}

/// Every tile of zooms 0–15 that meets the unit set's extent, asked of the router.
async fn check_every_tile(state: &Arc<AppState>, label: &str) -> usize {
    let coords = {
        let loaded = state.current();
        let (_, tileset) = loaded.tiles.get("comunas").unwrap();
        ssepot::tiles::export::coverage(tileset, 15)
    };
    let (mut features, mut tiles, mut bad) = (0, 0, Vec::new());
    for c in coords {
        let r = get(
            state,
            &format!("/tiles/comunas/{}/{}/{}.mvt", c.z, c.x, c.y),
        )
        .await;
        if r.status == 204 {
            continue;
        }
        assert_eq!(r.status, 200, "{label} {c:?}");
        let (n, b) = invalid_in_tile(&r.body, &format!("{label} {}/{}/{}", c.z, c.x, c.y));
        features += n;
        tiles += 1;
        bad.extend(b);
    }
    assert!(
        bad.is_empty(),
        "{} invalid of {features} features:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(
        tiles > 400 && features > 1000,
        "{label}: {tiles} tiles, {features} features"
    );
    features
}

fn reversed_layers() -> tempfile::TempDir {
    let dir = layers_copy();
    reversed::reverse_geojson(dir.path());
    dir
}

#[tokio::test]
async fn every_demo_tile_at_every_zoom_decodes_to_valid_geometry() {
    check_every_tile(&common::demo(), "demo").await;
    let dir = reversed_layers();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    check_every_tile(&state, "reversed").await;
}

/// Checks every feature of a GeoJSON document with GEOS; returns how many there were.
fn check_geojson_features(doc: &serde_json::Value, label: &str) -> usize {
    let features = doc["features"].as_array().unwrap();
    let bad: Vec<String> = features
        .iter()
        .filter_map(|f| {
            let g = gdal::vector::Geometry::from_geojson(&f["geometry"].to_string()).unwrap();
            geos_problem(&g).map(|why| format!("{label} feature {}: {why}", f["id"]))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    features.len()
}

async fn check_items(state: &Arc<AppState>, label: &str) {
    let units = get(state, "/collections/comunas/items?limit=100")
        .await
        .json();
    assert_eq!(check_geojson_features(&units, label), 21);
    // An indicator's items carry the same geometry, the city outline included.
    let homicides = get(
        state,
        "/collections/homicidios/items?datetime=2023&limit=100",
    )
    .await
    .json();
    assert!(check_geojson_features(&homicides, label) >= 21);
}

#[tokio::test]
async fn every_feature_of_items_is_valid_for_the_demo_and_the_reversed_boundary() {
    check_items(&common::demo(), "demo").await;
    let dir = reversed_layers();
    check_items(
        &Arc::new(AppState::load(dir.path().to_owned(), None).unwrap()),
        "reversed",
    )
    .await;
}

fn check_gpkg(bytes: &[u8], label: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("descarga.gpkg");
    std::fs::write(&path, bytes).unwrap();
    let ds = gdal::Dataset::open(&path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let mut n = 0;
    for f in layer.features() {
        let g = f.geometry().unwrap();
        assert!(geos_problem(g).is_none(), "{label}: {:?}", geos_problem(g));
        n += 1;
    }
    n
}

#[tokio::test]
async fn geopackage_downloads_are_valid_for_the_demo_and_the_reversed_boundary() {
    let dir = reversed_layers();
    let reversed = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    for (label, state) in [("demo", common::demo()), ("reversed", reversed)] {
        for uri in [
            "/collections/comunas/items?f=gpkg&limit=100",
            "/collections/poblacion/change?from=2018&to=2030&f=gpkg",
        ] {
            let r = get(&state, uri).await;
            assert_eq!(r.status, 200, "{uri}: {}", r.text());
            assert!(check_gpkg(&r.body, label) >= 21, "{label} {uri}");
        }
    }
}

/// Every tile of an MBTiles archive, gunzipped, decoded and checked.
fn check_mbtiles(path: &Path) -> usize {
    use std::io::Read;
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db
        .prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, u8>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })
        .unwrap();
    let (mut features, mut bad) = (0, Vec::new());
    for row in rows {
        let (z, x, row, gz) = row.unwrap();
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut raw)
            .unwrap();
        let (n, b) = invalid_in_tile(&raw, &format!("{z}/{x}/{row} (TMS)"));
        features += n;
        bad.extend(b);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    features
}

#[test]
fn an_mbtiles_export_of_the_reversed_boundary_is_valid_in_every_tile() {
    let dir = reversed_layers();
    let out = dir.path().join("comunas.mbtiles");
    run(Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .args(["tiles", "export"])
        .arg(&out)
        .arg(dir.path()));
    assert!(check_mbtiles(&out) > 1000);
    // The PMTiles archive holds the very tiles the MBTiles one does (same renderer, same gzip); it is written
    // here so a failure to write it shows too.
    let pm = dir.path().join("comunas.pmtiles");
    run(Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .args(["tiles", "export"])
        .arg(&pm)
        .arg(dir.path()));
    assert!(std::fs::metadata(&pm).unwrap().len() > 100_000);
}

const SQUARE_9377: &str =
    "[[4710000,2240000],[4711000,2240000],[4711000,2241000],[4710000,2241000],[4710000,2240000]]";
const BOWTIE_9377: &str =
    "[[4712000,2240000],[4713000,2241000],[4713000,2240000],[4712000,2241000],[4712000,2240000]]";

#[tokio::test]
async fn a_geometry_repaired_at_import_stays_valid_in_items_tiles_and_downloads() {
    let dir = tempfile::tempdir().unwrap();
    let features: Vec<String> = [("1", SQUARE_9377), ("2", BOWTIE_9377)]
        .iter()
        .map(|(code, ring)| {
            format!(r#"{{"type":"Feature","properties":{{"cod":"{code}","nom":"U{code}"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#)
        })
        .collect();
    std::fs::write(
        dir.path().join("u.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("u.toml"),
        "[[unit_set]]\nid = \"comunas\"\ntitle = \"U\"\nsource = \"u.geojson\"\nkey_field = \"cod\"\nname_field = \"nom\"\ncrs = \"EPSG:9377\"\n",
    )
    .unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let report = state.current().snapshot.report.clone();
    assert!(
        report.unit_sets[0]
            .repaired
            .iter()
            .any(|r| r.contains("code 2")),
        "{report}"
    );
    let items = get(&state, "/collections/comunas/items").await.json();
    assert_eq!(check_geojson_features(&items, "bowtie"), 2);
    let r = get(&state, "/collections/comunas/items?f=gpkg").await;
    assert_eq!(check_gpkg(&r.body, "bowtie"), 2);
    let coords = {
        let loaded = state.current();
        ssepot::tiles::export::coverage(loaded.tiles.get("comunas").unwrap().1, 15)
    };
    let mut features = 0;
    for c in coords {
        let r = get(
            &state,
            &format!("/tiles/comunas/{}/{}/{}.mvt", c.z, c.x, c.y),
        )
        .await;
        if r.status == 200 {
            let (n, bad) = invalid_in_tile(&r.body, &format!("{c:?}"));
            assert!(bad.is_empty(), "{bad:?}");
            features += n;
        }
    }
    assert!(features > 16, "{features}");
}

#[test]
fn the_demo_source_is_itself_valid_so_the_outputs_owe_nothing_to_luck() {
    let ds = gdal::Dataset::open(layers_dir().join(reversed::SOURCE)).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let invalid: Vec<u64> = layer
        .features()
        .filter(|f| !f.geometry().unwrap().is_valid())
        .map(|f| f.fid().unwrap_or_default())
        .collect();
    // What GEOS finds in the source is repaired at import; the report lists it.
    let snap = ssepot::ingest::load(&layers_dir(), None).unwrap();
    assert_eq!(
        snap.report.unit_sets[0].repaired.len(),
        invalid.len(),
        "{}",
        snap.report
    );
}
