//! Dense unit sets through the real router: `/items` filters answered through the index on a generated grid of
//! units whose answers follow from the grid's arithmetic, the prepared-snapshot cache (a restart reads it, a
//! changed source or a damaged file is never trusted), and `min_zoom` in a layer file.

mod common;

use common::{get, layers_copy};
use ssepot::state::AppState;
use std::path::Path;
use std::sync::Arc;

/// Columns and rows of the generated grid, and its origin and cell size in degrees.
const COLS: usize = 40;
const ROWS: usize = 30;
const LON0: f64 = -75.70;
const LAT0: f64 = 6.20;
const CELL: f64 = 0.002;
/// Each cell is a square inset by this fraction of the cell on every side, so cells never touch.
const INSET: f64 = 0.1;

/// A layers folder with the grid as a unit set (`code` = row × COLS + col) and two years of values.
fn grid_layers(dir: &Path, extra: &str) {
    let mut features = Vec::new();
    let mut csv = String::from("code,2021,2022\n");
    for r in 0..ROWS {
        for c in 0..COLS {
            let code = r * COLS + c;
            let (x0, y0) = (
                LON0 + (c as f64 + INSET) * CELL,
                LAT0 + (r as f64 + INSET) * CELL,
            );
            let (x1, y1) = (
                LON0 + (c as f64 + 1.0 - INSET) * CELL,
                LAT0 + (r as f64 + 1.0 - INSET) * CELL,
            );
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": { "code": code, "name": format!("celda {code}") },
                "geometry": { "type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] },
            }));
            csv.push_str(&format!("{code},{},{}\n", code, code * 2));
        }
    }
    let fc = serde_json::json!({
        "type": "FeatureCollection",
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },
        "features": features,
    });
    std::fs::write(dir.join("grid.geojson"), fc.to_string()).unwrap();
    std::fs::write(dir.join("valores.csv"), csv).unwrap();
    std::fs::write(
        dir.join("grid.toml"),
        format!(
            r#"[[unit_set]]
id = "grid"
title = "Grid (MUESTRA SINTÉTICA)"
source = "grid.geojson"
key_field = "code"
name_field = "name"
{extra}

[[indicator]]
id = "valor"
name = "Valor sintético"
unit = "unidades"
unit_set = "grid"
sample = true

[indicator.table]
path = "valores.csv"
layout = "wide"
key_column = "code"
"#
        ),
    )
    .unwrap();
}

/// Codes of the cells whose square meets the box, from the grid's arithmetic.
fn cells_meeting(w: f64, s: f64, e: f64, n: f64) -> Vec<usize> {
    let mut out = Vec::new();
    for r in 0..ROWS {
        for c in 0..COLS {
            let x0 = LON0 + (c as f64 + INSET) * CELL;
            let x1 = LON0 + (c as f64 + 1.0 - INSET) * CELL;
            let y0 = LAT0 + (r as f64 + INSET) * CELL;
            let y1 = LAT0 + (r as f64 + 1.0 - INSET) * CELL;
            if x0 <= e && x1 >= w && y0 <= n && y1 >= s {
                out.push(r * COLS + c);
            }
        }
    }
    out
}

fn codes(page: &serde_json::Value) -> Vec<String> {
    page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["properties"]["code"]
                .to_string()
                .trim_matches('"')
                .to_string()
        })
        .collect()
}

fn grid_state(extra: &str) -> (tempfile::TempDir, Arc<AppState>) {
    let dir = tempfile::tempdir().unwrap();
    grid_layers(dir.path(), extra);
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    (dir, state)
}

#[tokio::test]
async fn bbox_on_a_dense_grid_returns_exactly_the_cells_it_meets_in_code_order() {
    let (_dir, state) = grid_state("");
    // A box over parts of cells: columns 5–9 and rows 3–5, edges inside the gaps and inside cells.
    let (w, s, e, n) = (
        LON0 + 5.5 * CELL,
        LAT0 + 3.05 * CELL,
        LON0 + 9.95 * CELL,
        LAT0 + 5.5 * CELL,
    );
    let expected = cells_meeting(w, s, e, n);
    assert_eq!(expected.len(), 5 * 3, "the arithmetic itself");
    let page = get(
        &state,
        &format!("/collections/grid/items?bbox={w},{s},{e},{n}&limit=1000"),
    )
    .await
    .json();
    assert_eq!(page["numberMatched"], expected.len());
    let want: Vec<String> = expected.iter().map(|c| c.to_string()).collect();
    assert_eq!(codes(&page), want);

    // Territory-years: the same cells, year by year (2021 first), with their values.
    let page = get(
        &state,
        &format!("/collections/valor/items?bbox={w},{s},{e},{n}&limit=1000"),
    )
    .await
    .json();
    assert_eq!(page["numberMatched"], 2 * expected.len());
    let first = &page["features"][0]["properties"];
    assert_eq!(first["year"], 2021);
    assert_eq!(first["value"], expected[0] as f64);
    let last = &page["features"][2 * expected.len() - 1]["properties"];
    assert_eq!(last["year"], 2022);
    assert_eq!(last["value"], (expected[expected.len() - 1] * 2) as f64);
}

#[tokio::test]
async fn bbox_combines_with_code_year_and_paging() {
    let (_dir, state) = grid_state("");
    let (w, s, e, n) = (LON0, LAT0, LON0 + 10.0 * CELL, LAT0 + 10.0 * CELL);
    let expected = cells_meeting(w, s, e, n);
    assert_eq!(expected.len(), 100);
    let bbox = format!("{w},{s},{e},{n}");
    let inside = get(
        &state,
        &format!("/collections/valor/items?bbox={bbox}&code=205&year=2022"),
    )
    .await
    .json();
    assert_eq!(inside["numberMatched"], 1);
    assert_eq!(inside["features"][0]["id"], "205-2022");
    assert_eq!(inside["features"][0]["properties"]["value"], 410.0);
    let outside = get(
        &state,
        &format!("/collections/valor/items?bbox={bbox}&code=39"),
    )
    .await;
    assert_eq!(outside.json()["numberMatched"], 0);

    let page = get(
        &state,
        &format!("/collections/valor/items?bbox={bbox}&datetime=2022&offset=95&limit=10"),
    )
    .await
    .json();
    assert_eq!(page["numberMatched"], 100);
    let want: Vec<String> = expected[95..].iter().map(|c| c.to_string()).collect();
    assert_eq!(codes(&page), want);
    // Without filters, paging runs over the years: offset 1195 is the last five of 2021 and the first of 2022.
    let all = get(&state, "/collections/valor/items?offset=1195&limit=6")
        .await
        .json();
    assert_eq!(all["numberMatched"], 2 * ROWS * COLS);
    let years: Vec<i64> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2021, 2021, 2021, 2021, 2021, 2022]);
    assert_eq!(
        get(&state, "/collections/valor/items/1199-2021")
            .await
            .json()["properties"]["value"],
        1199.0
    );
    assert_eq!(
        get(&state, "/collections/valor/items/1199-2020")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn min_zoom_in_the_layer_file_limits_the_tiles_served_and_the_metadata_says_so() {
    let (_dir, state) = grid_state("min_zoom = 12\nmax_zoom = 14");
    let tj = get(&state, "/tiles/grid.json").await.json();
    assert_eq!(tj["minzoom"], 12);
    assert_eq!(tj["maxzoom"], 14);
    assert_eq!(tj["vector_layers"][0]["minzoom"], 12);
    let below = get(&state, "/tiles/grid/11/593/988.mvt").await;
    assert_eq!(below.status, 400);
    assert_eq!(below.json()["code"], "InvalidParameterValue");
    assert!(below.json()["description"].as_str().unwrap().contains('z'));
    // Zoom 12 tile holding the grid's south-west corner (lon −75.70, lat 6.20).
    let at = get(&state, "/tiles/grid/12/1186/1977.mvt").await;
    assert_eq!(at.status, 200, "{}", at.text());
    let meta = get(&state, "/collections/grid/tiles/WebMercatorQuad")
        .await
        .json();
    assert_eq!(meta["tileMatrixSetLimits"][0]["tileMatrix"], "12");
    assert_eq!(meta["tileMatrixSetLimits"].as_array().unwrap().len(), 3);
}

#[test]
fn a_min_zoom_above_max_zoom_is_an_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    grid_layers(dir.path(), "min_zoom = 16");
    let state = AppState::load(dir.path().to_owned(), None).unwrap();
    let report = &state.current().snapshot.report;
    assert_eq!(report.file_errors.len(), 1);
    assert!(
        report.file_errors[0].error.contains("min_zoom"),
        "{}",
        report.file_errors[0].error
    );
}

fn cache_file(layers: &Path) -> std::path::PathBuf {
    layers.join(".ssepot-cache/comunas.prepared")
}

/// The features of a page, without the page's time stamp.
async fn features(state: &Arc<AppState>, uri: &str) -> serde_json::Value {
    get(state, uri).await.json()["features"].clone()
}

const TILE: &str = "/tiles/comunas/12/1188/1976.mvt";
const ITEMS: &str = "/collections/comunas/items?limit=30";

#[tokio::test]
async fn a_restart_with_unchanged_sources_serves_the_same_tiles_and_items_from_the_prepared_cache()
{
    let dir = layers_copy();
    let _ = std::fs::remove_dir_all(dir.path().join(".ssepot-cache"));
    let first = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let written =
        std::fs::metadata(cache_file(dir.path())).expect("the first load writes the cache");
    let (tile, items) = (get(&first, TILE).await.body, features(&first, ITEMS).await);
    let report = serde_json::to_value(&first.current().snapshot.report.unit_sets).unwrap();

    let second = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let again = std::fs::metadata(cache_file(dir.path())).unwrap();
    assert_eq!(
        again.modified().unwrap(),
        written.modified().unwrap(),
        "a hit does not rewrite the cache"
    );
    assert_eq!(get(&second, TILE).await.body, tile);
    assert_eq!(features(&second, ITEMS).await, items);
    let report_again = serde_json::to_value(&second.current().snapshot.report.unit_sets).unwrap();
    assert_eq!(report_again, report);
}

#[tokio::test]
async fn a_changed_source_is_read_again_instead_of_the_prepared_cache() {
    let dir = layers_copy();
    let first = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let belen = get(&first, "/collections/comunas/items/16").await.json();
    assert_eq!(belen["properties"]["name"], "Belén");
    assert!(cache_file(dir.path()).exists());

    let names = dir.path().join("data/medellin/nombres_territorios.csv");
    let text = std::fs::read_to_string(&names).unwrap();
    assert!(text.contains(",Belén"));
    std::fs::write(&names, text.replace(",Belén", ",Belén Renombrada")).unwrap();

    let second = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let belen = get(&second, "/collections/comunas/items/16").await.json();
    assert_eq!(belen["properties"]["name"], "Belén Renombrada");
    // And a reload of the changed folder through the router's state sees it too.
    let reloaded = first.reload().await.unwrap();
    assert_eq!(reloaded.error_count(), 0);
    let belen = get(&first, "/collections/comunas/items/16").await.json();
    assert_eq!(belen["properties"]["name"], "Belén Renombrada");
}

#[tokio::test]
async fn a_damaged_prepared_cache_falls_back_to_a_full_load() {
    let dir = layers_copy();
    let first = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let (tile, items) = (get(&first, TILE).await.body, features(&first, ITEMS).await);
    let path = cache_file(dir.path());
    let good = std::fs::read(&path).unwrap();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x5a;
    for damaged in [
        flipped,
        good[..good.len() / 3].to_vec(),
        b"not a cache".to_vec(),
    ] {
        std::fs::write(&path, &damaged).unwrap();
        let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
        assert_eq!(state.current().snapshot.report.error_count(), 0);
        assert_eq!(get(&state, TILE).await.body, tile);
        assert_eq!(features(&state, ITEMS).await, items);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            good,
            "the full load writes a good cache again"
        );
    }
}

/// Layer names of a vector tile.
fn tile_layers(bytes: &[u8]) -> Vec<String> {
    use geozero::mvt::{Message, Tile};
    Tile::decode(bytes)
        .unwrap()
        .layers
        .into_iter()
        .map(|l| l.name)
        .collect()
}

#[tokio::test]
async fn outline_false_leaves_the_outline_layer_out_of_tiles_metadata_and_styles() {
    // The grid's cells do not touch, so their union (the outline) is one part per cell.
    let (_with, shown) = grid_state("");
    let (_without, hidden) = grid_state("outline = false");
    // Zoom 12 tile holding the grid's south-west corner.
    let tile = "/tiles/grid/12/1186/1977.mvt";
    assert_eq!(
        tile_layers(&get(&shown, tile).await.body),
        ["grid", "grid_ciudad"]
    );
    assert_eq!(tile_layers(&get(&hidden, tile).await.body), ["grid"]);

    let ids = |tj: serde_json::Value| -> Vec<String> {
        tj["vector_layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(get(&shown, "/tiles/grid.json").await.json()),
        ["grid", "grid_ciudad"]
    );
    assert_eq!(ids(get(&hidden, "/tiles/grid.json").await.json()), ["grid"]);
    let meta = get(&hidden, "/collections/grid/tiles/WebMercatorQuad")
        .await
        .json();
    assert_eq!(meta["layers"].as_array().unwrap().len(), 1);

    let city = |c: serde_json::Value| c["ssepot"]["city"]["tile_layer"].clone();
    assert_eq!(
        city(get(&shown, "/collections/grid").await.json()),
        "grid_ciudad"
    );
    assert!(city(get(&hidden, "/collections/grid").await.json()).is_null());

    let style = get(&hidden, "/styles/valor.json").await;
    assert_eq!(style.status, 200, "{}", style.text());
    assert!(!style.text().contains("grid_ciudad"), "{}", style.text());
    assert!(get(&shown, "/styles/valor.json")
        .await
        .text()
        .contains("grid_ciudad"));
}
