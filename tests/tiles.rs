//! Vector tiles through the real router on the real data: content, caching, errors, reloads, GDAL.

mod common;

use common::{demo, get, get_with_headers, layers_copy};
use geozero::mvt::{Message, Tile};
use ssepot::state::AppState;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

/// Central Medellín at zoom 12 (covers La Candelaria, Belén's east, and more).
const CENTRE: &str = "/tiles/comunas/12/1188/1976.mvt";

type Props = BTreeMap<String, String>;

/// Decodes a tile into `layer name → features' properties` (values as text).
fn decode(bytes: &[u8]) -> BTreeMap<String, Vec<Props>> {
    let tile = Tile::decode(bytes).expect("a valid MVT");
    tile.layers
        .iter()
        .map(|l| {
            let feats = l
                .features
                .iter()
                .map(|f| {
                    f.tags
                        .chunks(2)
                        .map(|kv| {
                            let v = &l.values[kv[1] as usize];
                            let text = v
                                .string_value
                                .clone()
                                .or(v.double_value.map(|d| d.to_string()))
                                .unwrap_or_default();
                            (l.keys[kv[0] as usize].clone(), text)
                        })
                        .collect()
                })
                .collect();
            (l.name.clone(), feats)
        })
        .collect()
}

async fn get_headers(
    state: &Arc<AppState>,
    uri: &str,
    headers: &[(&str, &str)],
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let r = get_with_headers(state, uri, headers).await;
    (r.status.as_u16(), r.headers, r.body)
}

#[tokio::test]
async fn a_tile_carries_every_indicator_year_and_nd_is_absent_not_zero() {
    let r = get(&demo(), CENTRE).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/vnd.mapbox-vector-tile");
    let layers = decode(&r.body);
    let units = &layers["comunas"];
    let candelaria = units
        .iter()
        .find(|p| p["code"] == "10")
        .expect("La Candelaria is in the centre tile");
    assert_eq!(candelaria["name"], "La Candelaria");
    assert_eq!(candelaria["poblacion_2023"], "80402");
    assert_eq!(candelaria["hogares_2018"], "33005");
    assert!(candelaria["homicidios_2003"].parse::<f64>().unwrap() > 0.0);
    // EP-01 for comuna 10 is ND in 2014 in the sample battery: the property is absent.
    assert!(!candelaria.contains_key("ep-01_2014"));
    assert_eq!(candelaria["ep-01_2016"], "4.96");
    let city = &layers["comunas_ciudad"];
    assert_eq!(city.len(), 1);
    assert_eq!(city[0]["mo-01_2023"], "90.62");
    assert!(!city[0].contains_key("mo-02_2021"), "MO-02 is ND in 2021");
}

#[tokio::test]
async fn datetime_keeps_only_one_year_of_values() {
    let r = get(&demo(), &format!("{CENTRE}?datetime=2023")).await;
    let layers = decode(&r.body);
    for props in &layers["comunas"] {
        for key in props.keys().filter(|k| k.contains('_')) {
            assert!(key.ends_with("_2023"), "{key}");
        }
    }
    assert_eq!(
        get(&demo(), &format!("{CENTRE}?datetime=2018/2023"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn etag_answers_304_and_gzip_is_served_when_accepted() {
    let s = demo();
    let (status, h, raw) = get_headers(&s, CENTRE, &[]).await;
    assert_eq!(status, 200);
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(h["cache-control"].to_str().unwrap().contains("max-age"));
    assert_eq!(h["vary"], "Accept-Encoding");
    let (status, _, body) = get_headers(&s, CENTRE, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    let (status, h, gz) = get_headers(&s, CENTRE, &[("accept-encoding", "gzip, deflate")]).await;
    assert_eq!(status, 200);
    assert_eq!(h["content-encoding"], "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, raw);
    assert!(gz.len() < raw.len());
}

#[tokio::test]
async fn tiles_answer_cors_for_browsers() {
    let (_, h, _) = get_headers(&demo(), CENTRE, &[("origin", "http://example.org")]).await;
    assert_eq!(h["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn tiles_outside_the_data_are_204_and_outside_the_matrix_are_400() {
    let s = demo();
    assert_eq!(get(&s, "/tiles/comunas/12/0/0.mvt").await.status, 204);
    for (uri, param) in [
        ("/tiles/comunas/12/4096/1976.mvt", "x"),
        ("/tiles/comunas/12/1188/99999.pbf", "y"),
        ("/tiles/comunas/22/0/0", "z"),
        ("/tiles/comunas/diez/0/0", "z"),
    ] {
        let r = get(&s, uri).await;
        assert_eq!(r.status, 400, "{uri}");
        assert_eq!(r.json()["parameter"], param, "{uri}");
    }
    assert_eq!(get(&s, "/tiles/barrios/12/1188/1976.mvt").await.status, 404);
}

#[tokio::test]
async fn ogc_api_tiles_put_the_row_before_the_column_and_serve_the_same_tile() {
    let s = demo();
    let xyz = get(&s, CENTRE).await.body;
    let ogc = get(
        &s,
        "/collections/comunas/tiles/WebMercatorQuad/12/1976/1188",
    )
    .await;
    assert_eq!(ogc.status, 200);
    assert_eq!(ogc.body, xyz);
    let meta = get(&s, "/collections/comunas/tiles/WebMercatorQuad")
        .await
        .json();
    assert_eq!(meta["dataType"], "vector");
    let tms = get(&s, "/tileMatrixSets/WebMercatorQuad").await.json();
    assert_eq!(tms["tileMatrices"].as_array().unwrap().len(), 25);
    assert_eq!(
        get(&s, "/collections/comunas/tiles").await.json()["tilesets"][0]["tileMatrixSetURI"],
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    );
}

#[tokio::test]
async fn tilejson_describes_bounds_zooms_and_every_field() {
    let tj = get(&demo(), "/tiles/comunas.json").await.json();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "http://test.local/tiles/comunas/{z}/{x}/{y}.mvt"
    );
    assert_eq!(tj["maxzoom"], 15);
    let b: Vec<f64> = tj["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        b[0] < -75.7 && b[2] > -75.48 && b[1] < 6.17 && b[3] > 6.37,
        "{b:?}"
    );
    let fields = &tj["vector_layers"][0]["fields"];
    assert!(fields["poblacion_2030"]
        .as_str()
        .unwrap()
        .contains("Población proyectada"));
    assert!(fields["ep-01_2023"]
        .as_str()
        .unwrap()
        .contains("MUESTRA SINTÉTICA"));
    assert_eq!(tj["vector_layers"][1]["id"], "comunas_ciudad");
}

#[tokio::test]
async fn changing_data_and_reloading_changes_the_etag_where_the_data_changed_only() {
    let dir = layers_copy();
    // The city's homicide rate is recomputed from every comuna's homicides, so Belén's count rightly changes
    // every tile that holds the municipality; this test is about the territories' own values.
    std::fs::remove_file(dir.path().join("calculados.toml")).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    // Belén (16) is in the west; Santa Elena (90) is in the east and far from it.
    let belen_tile = "/tiles/comunas/14/4751/7907.mvt";
    let east_tile = "/tiles/comunas/14/4756/7909.mvt";
    let etag = |uri: &'static str| {
        let state = state.clone();
        async move {
            get_headers(&state, uri, &[]).await.1["etag"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    let (belen_before, east_before) = (etag(belen_tile).await, etag(east_tile).await);
    let before = decode(&get(&state, belen_tile).await.body);
    assert!(
        before["comunas"].iter().any(|p| p["code"] == "16"),
        "the tile shows Belén"
    );
    assert!(!decode(&get(&state, east_tile).await.body)["comunas"]
        .iter()
        .any(|p| p["code"] == "16"));

    common::bump_belen_homicides_2023(dir.path());
    state.reload().await.unwrap();

    assert_ne!(etag(belen_tile).await, belen_before);
    let after = decode(&get(&state, belen_tile).await.body);
    let value = |layers: &BTreeMap<String, Vec<Props>>| {
        layers["comunas"]
            .iter()
            .find(|p| p["code"] == "16")
            .unwrap()["homicidios_2023"]
            .clone()
    };
    assert_eq!(value(&after), format!("9{}", value(&before)));
    assert_eq!(
        etag(east_tile).await,
        east_before,
        "a tile without Belén is unchanged"
    );
    let (status, _, _) = get_headers(&state, east_tile, &[("if-none-match", &east_before)]).await;
    assert_eq!(status, 304);
}

#[test]
fn gdal_decodes_a_tile_whose_values_match_the_features_api() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = demo();
    let (tile, items) = rt.block_on(async {
        (
            get(&s, CENTRE).await.body,
            get(&s, "/collections/poblacion/items?year=2023")
                .await
                .json(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("1976.mvt");
    std::fs::write(&path, tile).unwrap();
    let out = std::process::Command::new("ogr2ogr")
        .args(["-f", "GeoJSON", "/vsistdout/"])
        .arg(&path)
        .args([
            "comunas",
            "-oo",
            "X=1188",
            "-oo",
            "Y=1976",
            "-oo",
            "Z=12",
            "-t_srs",
            "OGC:CRS84",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() >= 5, "{}", features.len());
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let api = items["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["properties"]["code"] == code)
            .unwrap();
        assert_eq!(
            f["properties"]["poblacion_2023"].as_f64(),
            api["properties"]["value"].as_f64(),
            "{code}"
        );
        assert_eq!(f["properties"]["name"], api["properties"]["name"]);
        // GDAL places the tile's features where the API's geometry is: every decoded vertex lies within the
        // unit's extent from the API (give or take the tile buffer's clipping edge).
        let (lo, hi) = extent(&api["geometry"]["coordinates"]);
        let (flo, fhi) = extent(&f["geometry"]["coordinates"]);
        assert!(
            flo[0] >= lo[0] - 1e-3
                && flo[1] >= lo[1] - 1e-3
                && fhi[0] <= hi[0] + 1e-3
                && fhi[1] <= hi[1] + 1e-3,
            "{code}"
        );
    }
}

/// Min and max of every coordinate pair in nested GeoJSON arrays.
fn extent(coords: &serde_json::Value) -> ([f64; 2], [f64; 2]) {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    fn walk(v: &serde_json::Value, lo: &mut [f64; 2], hi: &mut [f64; 2]) {
        match v.as_array() {
            Some(a) if a.len() == 2 && a[0].is_number() => {
                for i in 0..2 {
                    let x = a[i].as_f64().unwrap();
                    lo[i] = lo[i].min(x);
                    hi[i] = hi[i].max(x);
                }
            }
            Some(a) => a.iter().for_each(|x| walk(x, lo, hi)),
            None => {}
        }
    }
    walk(coords, &mut lo, &mut hi);
    (lo, hi)
}

#[tokio::test]
async fn the_layer_file_sets_the_highest_zoom() {
    let dir = layers_copy();
    let toml = dir.path().join("medellin.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "city_name = \"Medellín\"",
        "city_name = \"Medellín\"\nmax_zoom = 12",
    );
    std::fs::write(&toml, text).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    assert_eq!(
        get(&state, "/tiles/comunas.json").await.json()["maxzoom"],
        12
    );
    assert_eq!(get(&state, CENTRE).await.status, 200);
    let r = get(&state, "/tiles/comunas/13/2376/3953.mvt").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["parameter"], "z");
}
