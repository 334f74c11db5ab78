//! The layer file for another city's hierarchy in docs/territory.md loads as written, with data made here: the
//! neighbourhoods are placed by the table, the one missing from it by containment, and the roll-up is the sum.

mod common;

use common::get;
use ssepot::state::AppState;
use std::sync::Arc;

/// The TOML block after `<!-- example: another city -->` in docs/territory.md.
fn example() -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/territory.md")).unwrap();
    let after = doc
        .split("<!-- example: another city -->")
        .nth(1)
        .expect("the marker");
    let body = after.split("```toml\n").nth(1).unwrap();
    body.split("\n```").next().unwrap().to_string()
}

fn square(x: f64, y: f64, w: f64, h: f64) -> String {
    format!(
        "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
        x + w,
        x + w,
        y + h,
        y + h
    )
}

fn collection(features: &[(&str, &str, String)]) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(code, name, rings)| format!(r#"{{"type":"Feature","properties":{{"codigo":"{code}","nombre":"{name}"}},"geometry":{{"type":"Polygon","coordinates":{rings}}}}}"#))
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        f.join(",")
    )
}

#[tokio::test]
async fn a_layer_file_for_another_citys_hierarchy_loads_from_the_docs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ciudad.toml"), example()).unwrap();
    // Two districts side by side, two neighbourhoods in each (one not in the table).
    std::fs::write(
        d.join("distritos.geojson"),
        collection(&[
            ("D1", "Norte", square(-74.10, 4.60, 0.02, 0.02)),
            ("D2", "Sur", square(-74.08, 4.60, 0.02, 0.02)),
        ]),
    )
    .unwrap();
    std::fs::write(
        d.join("vecindarios.geojson"),
        collection(&[
            ("V1", "Álamos", square(-74.10, 4.60, 0.01, 0.02)),
            ("V2", "Brisas", square(-74.09, 4.60, 0.01, 0.02)),
            ("V3", "Cedros", square(-74.08, 4.60, 0.01, 0.02)),
            ("V4", "Dalias", square(-74.07, 4.60, 0.01, 0.02)),
        ]),
    )
    .unwrap();
    std::fs::write(
        d.join("vecindarios_distritos.csv"),
        "codigo,distrito\nV1,D1\nV2,D1\nV3,D2\n",
    )
    .unwrap();
    std::fs::write(
        d.join("poblacion_vecindarios.csv"),
        "codigo,anio,poblacion\nV1,2020,100\nV2,2020,250\nV3,2020,40\nV4,2020,60\n",
    )
    .unwrap();
    let state = Arc::new(AppState::load(d.to_owned(), None).expect("the example loads"));
    let report = get(&state, "/report").await.json();
    let h = &report["territory"]["hierarchies"][0];
    assert_eq!(h["placed_by"]["table"], 3, "{h}");
    assert_eq!(h["placed_by"]["containment"], 1, "V4 is not in the table");
    assert_eq!(h["unplaced"], serde_json::json!([]));
    let sur = get(&state, "/collections/vecindarios/items?parent=D2")
        .await
        .json();
    let codes: Vec<&str> = sur["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["V3", "V4"]);
    let rolled = get(&state, "/collections/poblacion_distritos/items?year=2020")
        .await
        .json();
    let values: Vec<(String, f64)> = rolled["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["code"].as_str().unwrap().to_string(),
                f["properties"]["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [("D1".to_string(), 350.0), ("D2".to_string(), 100.0)]
    );
    let found = get(&state, "/collections/vecindarios/items?q=alamos")
        .await
        .json();
    assert_eq!(found["features"][0]["properties"]["name"], "Álamos");
}
