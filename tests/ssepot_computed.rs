//! Indicators computed from variables (`[[computed]]` in `layers/calculados.toml`), through the real router
//! on the real demo data: the homicide rate and the population density.

mod common;

use common::{demo, get, layers_copy};
use geozero::mvt::{Message, Tile};
use serde_json::Value;
use ssepot::state::AppState;
use std::sync::Arc;

/// The value of a territory in a year from `/items`.
async fn item_value(state: &Arc<AppState>, id: &str, code: &str, year: i32) -> Value {
    let r = get(
        state,
        &format!("/collections/{id}/items?code={code}&year={year}"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "one feature for {code} in {year}");
    features[0]["properties"]["value"].clone()
}

#[tokio::test]
async fn the_city_homicide_rate_is_total_homicides_over_total_population() {
    // 330 homicides and 2 518 480 inhabitants in 2023 (sums of the real demo tables).
    let v = item_value(&demo(), "tasa_homicidios", "ciudad", 2023).await;
    let expected = 330.0 / 2_518_480.0 * 1e5;
    assert!((v.as_f64().unwrap() - expected).abs() < 1e-9, "{v}");
    assert_eq!(format!("{:.2}", v.as_f64().unwrap()), "13.10");
}

#[tokio::test]
async fn belen_homicide_rate_in_2023_is_its_homicides_over_its_population() {
    let v = item_value(&demo(), "tasa_homicidios", "16", 2023).await;
    assert_eq!(format!("{:.2}", v.as_f64().unwrap()), "6.52");
    assert!((v.as_f64().unwrap() - 14.0 / 214_585.0 * 1e5).abs() < 1e-9);
}

#[tokio::test]
async fn the_rate_covers_2018_to_2023_and_the_density_every_population_year() {
    let c = get(&demo(), "/collections/tasa_homicidios").await.json();
    assert_eq!(
        c["ssepot"]["years"],
        serde_json::json!([2018, 2019, 2020, 2021, 2022, 2023])
    );
    assert_eq!(c["ssepot"]["unit"], "homicidios por 100.000 habitantes");
    assert_eq!(
        c["ssepot"]["sheet"]["formula"],
        "homicidios / poblacion * 100000"
    );
    assert_eq!(c["ssepot"]["sheet"]["direction"], "lower");
    let d = get(&demo(), "/collections/densidad_poblacion").await.json();
    assert_eq!(d["ssepot"]["years"].as_array().unwrap().len(), 13);
}

#[tokio::test]
async fn density_is_population_over_the_geodesic_area() {
    let s = demo();
    let pop = item_value(&s, "poblacion", "16", 2023)
        .await
        .as_f64()
        .unwrap();
    let area = get(&s, "/collections/comunas/items/16").await.json()["properties"]["area_km2"]
        .as_f64()
        .unwrap();
    let density = item_value(&s, "densidad_poblacion", "16", 2023)
        .await
        .as_f64()
        .unwrap();
    // The feature's area is rounded to 0.01 km², so compare within that rounding.
    assert!(
        (density - pop / area).abs() / density < 0.001,
        "{density} vs {}",
        pop / area
    );
}

#[tokio::test]
async fn a_tile_carries_the_rate_of_belen() {
    // Belén (16) at zoom 14.
    let r = get(&demo(), "/tiles/comunas/14/4751/7907.mvt").await;
    assert_eq!(r.status, 200);
    let tile = Tile::decode(&r.body[..]).unwrap();
    let layer = tile.layers.iter().find(|l| l.name == "comunas").unwrap();
    let key = |k: &str| layer.keys.iter().position(|x| x == k).unwrap() as u32;
    let (code_key, rate_key) = (key("code"), key("tasa_homicidios_2023"));
    let belen = layer
        .features
        .iter()
        .find(|f| {
            f.tags.chunks(2).any(|kv| {
                kv[0] == code_key
                    && layer.values[kv[1] as usize].string_value.as_deref() == Some("16")
            })
        })
        .expect("Belén is in the tile");
    let rate = belen
        .tags
        .chunks(2)
        .find(|kv| kv[0] == rate_key)
        .map(|kv| layer.values[kv[1] as usize].double_value.unwrap())
        .unwrap();
    assert_eq!(format!("{rate:.2}"), "6.52");
}

#[tokio::test]
async fn the_rate_has_a_style_and_a_legend() {
    let r = get(&demo(), "/styles/tasa_homicidios/legend.json").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("100.000 habitantes"));
}

#[tokio::test]
async fn nd_in_an_input_gives_nd_and_a_bad_formula_is_a_layer_file_error() {
    let dir = layers_copy();
    // Belén's 2023 homicides become ND: its 2023 rate is ND and the city's too (a sum with ND is ND).
    let csv = dir
        .path()
        .join("data/medellin/homicidios_comuna_anual_2003_2023.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("16,2023,"))
        .unwrap()
        .to_string();
    std::fs::write(&csv, text.replace(&line, "16,2023,ND")).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    assert_eq!(
        item_value(&state, "tasa_homicidios", "16", 2023).await,
        Value::Null
    );
    assert_eq!(
        item_value(&state, "tasa_homicidios", "ciudad", 2023).await,
        Value::Null
    );
    assert!(item_value(&state, "tasa_homicidios", "16", 2022)
        .await
        .is_number());

    let toml = dir.path().join("calculados.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            "homicidios / poblacion * 100000",
            "homicidios / (poblacion * 100000",
        ),
    )
    .unwrap();
    let report = state.reload().await.unwrap();
    let err = report
        .file_errors
        .iter()
        .map(|e| e.error.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        err.contains("calculados.toml") && err.contains("computed.formula"),
        "{err}"
    );
}
