//! Technical sheets (`/indicators`), progress against targets and progress maps, and the report's annex,
//! through the real router on the demo layers.

mod common;

use common::demo;
use common::get;
use serde_json::Value;

/// The text of an HTML page with the entities minijinja writes decoded.
async fn page_text(uri: &str) -> String {
    let html = get(&demo(), uri).await.text();
    html.replace("&#x2f;", "/")
        .replace("&#x60;", "`")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn progress_row<'a>(doc: &'a Value, code: &str, year: i64) -> &'a Vec<Value> {
    doc["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap())
        .find(|r| r[0] == code && r[2] == year)
        .unwrap_or_else(|| panic!("no progress row for {code} {year}"))
}

#[tokio::test]
async fn the_list_of_sheets_has_battery_and_computed_indicators_but_not_progress_maps() {
    let doc = get(&demo(), "/indicators").await.json();
    let ids: Vec<&str> = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ep-01") && ids.contains(&"tasa_homicidios"));
    assert!(!ids.iter().any(|i| i.starts_with("avance_")));
    let csv = get(&demo(), "/indicators?f=csv").await;
    assert!(csv
        .text()
        .contains("EP-01;Espacio público efectivo por habitante;Metros cuadrados"));
}

#[tokio::test]
async fn a_sheet_has_every_field_its_diagnosis_and_its_change_log() {
    let doc = get(&demo(), "/indicators/vh-01").await.json();
    let s = &doc["sheet"];
    assert_eq!(s["system"], "Físico-Espaciales");
    assert_eq!(s["subsystem"], "Habitacional");
    assert_eq!(s["office"], "Instituto Social de Vivienda y Hábitat");
    assert_eq!(s["kind"], "Resultado");
    assert_eq!(s["direction"], "lower");
    assert_eq!(s["territorial_level"], "comuna");
    assert_eq!(s["periodicity"], "anual");
    assert_eq!(s["baseline_year"], 2014);
    // Every comuna has a baseline of its own in the battery (01: 6,09; 02: 3,93), so the sheet has none of its
    // own and lists theirs.
    assert_eq!(s["baseline_value"], Value::Null);
    let own = |code: &str| {
        doc["territory_baselines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["code"] == code)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(own("01"), 6.09);
    assert_eq!(own("02"), 3.93);
    assert_eq!(
        s["targets"],
        serde_json::json!([{"year": 2023, "value": 3.5}, {"year": 2027, "value": 2.0}])
    );
    assert!(s["definition"]
        .as_str()
        .unwrap()
        .contains("déficit cuantitativo"));
    assert!(s["formula"].as_str().unwrap().contains("hogares"));
    assert!(s["variables"]
        .as_str()
        .unwrap()
        .contains("Encuesta de Calidad de Vida"));
    assert_eq!(s["sources"], "Instituto Social de Vivienda y Hábitat");
    assert_eq!(doc["diagnosis"]["phase"], "Fase 3 — 2022");
    assert_eq!(doc["changes"].as_array().unwrap().len(), 2);
    assert_eq!(doc["changes"][0]["form"], "DIES-058");
    assert_eq!(doc["subsystem"]["system"], "Físico-Espaciales");
    assert_eq!(doc["progress_map"], "avance_vh-01");
}

#[tokio::test]
async fn percentage_progress_goes_from_baseline_to_target_with_bands() {
    // The 2020–2023 report is a mid-term report: the layer file measures against the period's target, EP-01's
    // `Meta 2023` (6,00), not the plan's final 7,00 of 2027. Comuna 01, 2023: 5,81 m²/hab from a 3,40 baseline:
    // (5,81 − 3,40) / (6,00 − 3,40) = 92,69 %, band `alto o superior` (70 % and up).
    let doc = get(&demo(), "/indicators/ep-01").await.json();
    assert_eq!(
        doc["progress_target"],
        serde_json::json!({"year": 2023, "value": 6.0})
    );
    assert!(doc["progress_rule"]
        .as_str()
        .unwrap()
        .contains("meta del periodo"));
    let row = progress_row(&doc, "01", 2023);
    assert_eq!(row[3], 5.81);
    assert_eq!(row[4], 92.69);
    assert_eq!(row[5], "alto o superior");
    // Each comuna is measured from its own baseline (the battery's `Línea base` of its row), not comuna 01's:
    // comuna 04, 2023: (3,48 − 2,23) / (6,00 − 2,23) = 33,16 %, band `bajo`.
    let own = progress_row(&doc, "04", 2023);
    assert_eq!(own[3], 3.48);
    assert_eq!(own[4], 33.16);
    assert_eq!(own[5], "bajo");
    // EP-01 is ND for comuna 02 in 2015: no progress either.
    let nd = progress_row(&doc, "02", 2015);
    assert_eq!(
        (&nd[3], &nd[4], &nd[5]),
        (&Value::Null, &Value::Null, &Value::from("ND"))
    );
}

#[tokio::test]
async fn progress_of_a_lower_is_better_indicator_counts_going_down() {
    // GR-01: 437 homes at risk in the baseline, 250 the period's target (`Meta 2023` of its sheet); lower is
    // better.
    let doc = get(&demo(), "/indicators/gr-01").await.json();
    let rows = doc["progress"].as_array().unwrap();
    let some = rows
        .iter()
        .map(|r| r.as_array().unwrap())
        .find(|r| r[3].is_number() && r[4].is_number())
        .unwrap();
    let v = some[3].as_f64().unwrap();
    let expected = ((437.0 - v) / (437.0 - 250.0) * 100.0).clamp(0.0, 100.0);
    assert!(
        (some[4].as_f64().unwrap() - expected).abs() < 0.006,
        "{some:?}"
    );
}

#[tokio::test]
async fn the_progress_map_is_a_collection_with_tiles_and_a_banded_style() {
    let s = demo();
    let c = get(&s, "/collections/avance_ep-01").await.json();
    assert_eq!(c["ssepot"]["unit"], "% de avance");
    assert_eq!(c["ssepot"]["sheet_url"], "/indicators/ep-01");
    let items = get(&s, "/collections/avance_ep-01/items?code=01&year=2023")
        .await
        .json();
    let v = items["features"][0]["properties"]["value"]
        .as_f64()
        .unwrap();
    // The period's target (Meta 2023 = 6,00): (5,81 − 3,40) / (6,00 − 3,40) × 100.
    assert!(
        (v - (5.81 - 3.40) / (6.00 - 3.40) * 100.0).abs() < 1e-9,
        "{v}"
    );
    let legend = get(&s, "/styles/avance_ep-01/legend.json").await;
    assert_eq!(legend.status, 200);
    let text = legend.text();
    assert!(
        text.contains("50") && text.contains("70"),
        "classes at the band thresholds: {text}"
    );
    let tilejson = get(&s, "/tiles/comunas.json").await.text();
    assert!(tilejson.contains("avance_ep-01_2023"));
}

#[tokio::test]
async fn the_sheet_travels_with_the_collection_the_style_and_the_tilejson() {
    let s = demo();
    let c = get(&s, "/collections/tasa_homicidios").await.json();
    assert_eq!(c["ssepot"]["sheet_url"], "/indicators/tasa_homicidios");
    assert!(c["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "describedby"
            && l["type"] == "text/html"
            && l["href"]
                .as_str()
                .unwrap()
                .ends_with("/indicators/tasa_homicidios?f=html")));
    let style = get(&s, "/styles/tasa_homicidios.json").await;
    assert_eq!(style.status, 200, "{}", style.text());
    assert_eq!(
        style.json()["metadata"]["ssepot:sheet"],
        "/indicators/tasa_homicidios"
    );
    let tilejson = get(&s, "/tiles/comunas.json").await.json();
    let fields = &tilejson["vector_layers"][0]["fields"];
    assert!(fields["tasa_homicidios_2023"]
        .as_str()
        .unwrap()
        .contains("/indicators/tasa_homicidios"));
    let page = page_text("/collections/tasa_homicidios?f=html").await;
    assert!(page.contains("href=\"/indicators/tasa_homicidios\""));
}

#[tokio::test]
async fn the_computed_indicator_sheet_shows_its_formula_and_variables() {
    let page = page_text("/indicators/tasa_homicidios?f=html").await;
    assert!(page.contains("homicidios / poblacion * 100000"));
    assert!(page.contains("Población proyectada (habitantes), indicador `poblacion`"));
    assert!(page.contains("decreciente"));
}

#[tokio::test]
async fn the_annex_has_physical_and_percentage_progress_2020_2023_with_nd() {
    let r = get(&demo(), "/ssepot/anexo?f=csv").await;
    assert_eq!(r.status, 200);
    let body = r.body[3..].to_vec(); // after the byte-order mark
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&body[..]);
    let head: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "avance_fisico_2020",
        "avance_fisico_2023",
        "avance_pct_2020",
        "avance_pct_2023",
        "definicion",
        "sentido",
    ] {
        assert!(head.iter().any(|h| h == col), "{col} in {head:?}");
    }
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows.len(),
        112,
        "every battery row: 5 indicators × 21 territories + 7 city rows"
    );
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let ep01 = rows
        .iter()
        .find(|r| r[0] == "EP-01" && r[col("codigo_territorio")] == "01")
        .unwrap();
    assert_eq!(ep01[col("avance_fisico_2023")], "5,81");
    assert_eq!(ep01[col("avance_pct_2023")], "92,69");
    assert!(rows
        .iter()
        .any(|r| r[col("avance_fisico_2021")] == "ND" && r[col("avance_pct_2021")] == "ND"));
    let xlsx = get(&demo(), "/ssepot/anexo?f=xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type.contains("spreadsheetml"));
}

#[tokio::test]
async fn an_unknown_indicator_is_404() {
    let r = get(&demo(), "/indicators/xx-99").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("/indicators"));
}
