//! Barrios and veredas, their comunas, boundary editions and crosswalks, on the real files through the real
//! router. Expected values come from the files read independently (GDAL/OGR in /usr/bin/python3,
//! tests/python/barrios_oracle.py), never from ssepot.

mod common;

use common::{demo, get, layers_dir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The workbook's rows and the containment of the non-numeric 2014 barrios, read by GDAL.
fn oracle() -> &'static Value {
    static ORACLE: OnceLock<Value> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let out = std::process::Command::new("/usr/bin/python3")
            .arg(layers_dir().join("../tests/python/barrios_oracle.py"))
            .arg(layers_dir().join("data/medellin-barrios"))
            .output()
            .expect("/usr/bin/python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the oracle prints JSON")
    })
}

const YEARS: std::ops::RangeInclusive<i32> = 2018..=2030;

/// Every feature of a collection (pages of 1000).
async fn all_items(uri: &str) -> Vec<Value> {
    let state = demo();
    let r = get(
        &state,
        &format!(
            "{uri}{}limit=1000",
            if uri.contains('?') { "&" } else { "?" }
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{uri}: {}", r.text());
    let doc = r.json();
    assert!(doc["numberMatched"].as_u64().unwrap() <= 1000);
    doc["features"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_2014_barrio_is_placed_in_its_comuna() {
    let features = all_items("/collections/barrios_2014/items").await;
    assert_eq!(features.len() as u64, oracle()["barrios"].as_u64().unwrap());
    let contained = &oracle()["contained"];
    let mut non_numeric = 0;
    for f in &features {
        let p = &f["properties"];
        let code = p["code"].as_str().unwrap();
        let parents: Vec<&str> = p["parent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!parents.is_empty(), "{code} is not placed");
        if code.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(parents, [&code[..2]], "{code}");
            continue;
        }
        non_numeric += 1;
        match code {
            // The DAP's table puts them there (data/territorio/excepciones_barrios_comunas_2014.csv).
            "SN01" => assert_eq!(parents, ["07", "12", "13"]),
            "SN02" => assert_eq!(parents, ["16"]),
            _ => {
                let c = &contained[code];
                assert!(c["share"].as_f64().unwrap() > 0.99, "{code}: {c}");
                assert_eq!(parents, [c["comuna"].as_str().unwrap()], "{code}");
            }
        }
    }
    assert_eq!(non_numeric, 31);
    let report = get(&demo(), "/report").await.json();
    let h = report["territory"]["hierarchies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["unit_set"] == "barrios_2014")
        .unwrap();
    assert_eq!(h["unplaced"], serde_json::json!([]));
    assert_eq!(h["placed_by"]["containment"], 29);
}

#[tokio::test]
async fn the_import_report_lists_the_catastral_barrio_mostly_outside_its_comuna() {
    let report = get(&demo(), "/report").await.json();
    let h = report["territory"]["hierarchies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["unit_set"] == "barrios_catastral")
        .unwrap();
    let o = h["outside"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "0805")
        .expect("0805 Batallón Girardot is listed");
    assert_eq!(o["mostly_in"], "90");
    assert!(
        (0.3..0.5).contains(&o["share_inside"].as_f64().unwrap()),
        "{o}"
    );
}

/// Σ of the workbook's rows by its `Código Comuna`, per year.
fn workbook_sums() -> BTreeMap<(String, i32), i64> {
    let mut sums = BTreeMap::new();
    for row in oracle()["rows"].as_array().unwrap() {
        for (year, v) in YEARS.zip(row["values"].as_array().unwrap()) {
            *sums
                .entry((row["comuna"].as_str().unwrap().to_string(), year))
                .or_default() += v.as_i64().unwrap();
        }
    }
    sums
}

#[tokio::test]
async fn the_population_roll_up_is_the_sum_of_the_barrios_of_each_comuna_for_every_year() {
    let sums = workbook_sums();
    assert_eq!(sums.len(), 16 * 13, "16 comunas × 13 years in the workbook");
    let rolled: BTreeMap<(String, i32), f64> =
        all_items("/collections/poblacion_barrios_comunas/items")
            .await
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    (
                        p["code"].as_str().unwrap().to_string(),
                        p["year"].as_i64().unwrap() as i32,
                    ),
                    p["value"].as_f64().unwrap(),
                )
            })
            .collect();
    assert_eq!(rolled.len(), sums.len());
    for (key, sum) in &sums {
        assert_eq!(rolled[key], *sum as f64, "{key:?}");
    }
    let total: f64 = rolled
        .iter()
        .filter(|((_, y), _)| *y == 2018)
        .map(|(_, v)| v)
        .sum();
    assert_eq!(total, 2_148_110.0, "the urban total PROVENANCE.md states");
    let c = get(&demo(), "/collections/poblacion_barrios_comunas")
        .await
        .json();
    assert_eq!(c["ssepot"]["territory"]["unit_set"], "comunas_2014");
    assert!(c["description"]
        .as_str()
        .unwrap()
        .contains("Agregación (suma) de `poblacion_barrios`"));
}

#[tokio::test]
async fn the_difference_with_the_comuna_workbook_is_reported_per_comuna_and_year() {
    let official: BTreeMap<(String, i32), f64> = all_items("/collections/poblacion/items")
        .await
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                (
                    p["code"].as_str().unwrap().to_string(),
                    p["year"].as_i64().unwrap() as i32,
                ),
                p["value"].as_f64().unwrap(),
            )
        })
        .collect();
    let sums = workbook_sums();
    let report = get(&demo(), "/report").await.json();
    let r = report["territory"]["rollups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "poblacion_barrios_comunas")
        .unwrap();
    let diffs = r["differences"].as_array().unwrap();
    assert_eq!(
        diffs.len(),
        sums.len(),
        "every comuna and year has its difference"
    );
    for d in diffs {
        let key = (
            d["code"].as_str().unwrap().to_string(),
            d["year"].as_i64().unwrap() as i32,
        );
        let expected = sums[&key] as f64 - official[&key];
        assert_eq!(d["difference"].as_f64().unwrap(), expected, "{key:?}");
    }
    let c01 = diffs
        .iter()
        .find(|d| d["code"] == "01" && d["year"] == 2018)
        .unwrap();
    assert_eq!(
        (c01["rollup"].as_f64(), c01["official"].as_f64()),
        (Some(136_986.0), Some(138_824.0))
    );
    assert!(diffs
        .iter()
        .all(|d| d["difference"].as_f64() != Some(0.0) || d["rollup"] == d["official"]));
}

#[tokio::test]
async fn parent_lists_the_barrios_of_a_comuna() {
    let features = all_items("/collections/barrios_2014/items?parent=10").await;
    let mut codes: Vec<String> = features
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    let mut expected: Vec<String> = all_items("/collections/barrios_2014/items")
        .await
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .filter(|c| {
            c.starts_with("10")
                || oracle()["contained"][c.as_str()]["comuna"] == "10" && !c.starts_with("SN")
        })
        .collect();
    expected.sort();
    assert_eq!(codes, expected);
    assert!(
        codes.contains(&"Inst_16".to_string()),
        "La Alpujarra is in comuna 10"
    );
    // The indicator collections of the barrios take it too.
    let pop = all_items("/collections/poblacion_barrios/items?parent=10&year=2030").await;
    let in_workbook = oracle()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["comuna"] == "10")
        .count();
    assert_eq!(pop.len(), in_workbook);
}

#[tokio::test]
async fn a_bad_parent_is_a_400_naming_it() {
    let state = demo();
    for uri in [
        "/collections/barrios_2014/items?parent=99",
        "/collections/comunas/items?parent=10",
        "/collections/barrios_2014/items?parent=",
    ] {
        let r = get(&state, uri).await;
        assert_eq!(r.status, 400, "{uri}");
        assert!(r.text().contains("parent"), "{uri}: {}", r.text());
    }
}

#[tokio::test]
async fn a_barrio_is_found_by_its_name_without_accents_or_case() {
    let features = all_items("/collections/barrios_2014/items?q=moravia").await;
    let names: Vec<&str> = features
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Moravia"]);
    let botanico = all_items("/collections/barrios_2014/items?q=JARDIN%20botanico").await;
    assert_eq!(botanico[0]["properties"]["name"], "Jardín Botánico");
}

#[tokio::test]
async fn collections_say_their_level_parent_edition_and_licence() {
    let c = get(&demo(), "/collections/barrios_2014").await.json();
    let t = &c["ssepot"]["territory"];
    assert_eq!(t["level"], "barrio");
    assert_eq!(t["parent_set"], "comunas_2014");
    assert_eq!(t["edition"]["name"], "POT 2014");
    assert!(t["license"]
        .as_str()
        .unwrap()
        .contains("no puede ser comercializada o transferida"));
    let c = get(&demo(), "/collections/poblacion_barrios").await.json();
    assert_eq!(c["ssepot"]["territory"]["edition"]["of"], "barrios");
}

#[tokio::test]
async fn a_barrio_series_never_mixes_editions() {
    let s = get(&demo(), "/collections/poblacion_barrios/series")
        .await
        .json();
    assert_eq!(s["territory"]["unit_set"], "barrios_2014");
    let codes: Vec<&str> = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let catastral_only = ["0406", "0416"]; // codes of the catastral edition (Universidad de Antioquia, Jardín Botánico)
    assert!(
        codes.iter().all(|c| !catastral_only.contains(c)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"Inst_11"),
        "the 2014 code of the Universidad de Antioquia"
    );
    // The comuna level has its series too.
    let s = get(
        &demo(),
        "/collections/poblacion_barrios_comunas/series?code=01",
    )
    .await
    .json();
    assert_eq!(s["rows"][0]["values"]["2018"], 136_986.0);
}

#[tokio::test]
async fn the_crosswalk_shares_of_each_source_unit_sum_to_one() {
    let state = demo();
    let doc = get(&state, "/crosswalks/barrios_2014_a_catastral")
        .await
        .json();
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for r in doc["rows"].as_array().unwrap() {
        *sums
            .entry(r["from_code"].as_str().unwrap().into())
            .or_default() += r["share"].as_f64().unwrap();
    }
    assert_eq!(
        sums.len() + doc["unallocated"].as_array().unwrap().len(),
        332
    );
    for (code, s) in &sums {
        assert!((s - 1.0).abs() <= 1e-9, "{code}: {s}");
    }
    // 6009 is Yolombo in 2014 and Pedregal Alto in the catastral edition: it does not go to 6009.
    let yolombo: Vec<&Value> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["from_code"] == "6009")
        .collect();
    assert!(
        yolombo.iter().all(|r| r["to_code"] != "6009"),
        "{yolombo:?}"
    );
    let csv = get(&state, "/crosswalks/barrios_2014_a_catastral?f=csv").await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text
        .lines()
        .next()
        .unwrap()
        .contains("codigo_origen;nombre_origen;codigo_destino"));
    assert_eq!(
        text.lines().count() - 1,
        doc["rows"].as_array().unwrap().len()
    );
    let report = get(&state, "/report").await.json();
    let cw = &report["territory"]["crosswalks"][0];
    let renumbered = cw["renumbered"].as_array().unwrap();
    for code in ["6009", "9008", "5002"] {
        assert!(
            renumbered
                .iter()
                .any(|r| r.as_str().unwrap().starts_with(code)),
            "{code} renumbered"
        );
    }
}

#[tokio::test]
async fn a_change_onto_the_catastral_edition_goes_through_the_crosswalk_and_keeps_the_totals() {
    let state = demo();
    let r = get(
        &state,
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=barrios_catastral",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let e = &doc["ssepot:editions"];
    assert_eq!(e["values"]["unit_set"], "barrios_2014");
    assert_eq!(e["map"]["unit_set"], "barrios_catastral");
    assert_eq!(e["crosswalk"]["id"], "barrios_2014_a_catastral");
    let features = doc["features"].as_array().unwrap();
    assert!(features.iter().any(|f| f["properties"]["estimate"] == true));
    assert!(features
        .iter()
        .all(|f| f["properties"]["crosswalk"] == "barrios_2014_a_catastral"));
    let total = |key: &str| {
        features
            .iter()
            .filter_map(|f| f["properties"][key].as_f64())
            .sum::<f64>()
    };
    for (key, expected) in [("value_from", 2_148_110.0), ("value_to", 2_456_244.0)] {
        assert!(
            (total(key) - expected).abs() < 1e-3,
            "{key}: {} ≠ {expected}",
            total(key)
        );
    }
    let csv = get(
        &state,
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=barrios_catastral&f=csv",
    )
    .await
    .text();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with("edicion_valores;edicion_mapa;cruce;estimacion"));
    assert!(csv.contains(
        ";POT 2014 (barrios_2014);Catastral (barrios_catastral);barrios_2014_a_catastral;"
    ));
    let html = get(
        &state,
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=barrios_catastral&f=html",
    )
    .await
    .text();
    assert!(html.contains("barrios_2014_a_catastral") && html.contains("Catastral"));
}

#[tokio::test]
async fn a_change_across_editions_without_a_crosswalk_or_of_a_rate_is_refused() {
    let state = demo();
    for uri in [
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=comunas",
        "/collections/densidad_barrios/change?from=2018&to=2030&edition=barrios_catastral",
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=no_existe",
        "/collections/poblacion_barrios/change?from=2018&to=2030&edition=Barrios!",
    ] {
        let r = get(&state, uri).await;
        assert_eq!(r.status, 400, "{uri}: {}", r.text());
        assert!(r.text().contains("edition"), "{uri}: {}", r.text());
    }
}

#[tokio::test]
async fn tiles_and_styles_say_their_edition_and_the_boundaries_licence() {
    let state = demo();
    let tj = get(&state, "/tiles/barrios_2014.json").await.json();
    let attribution = tj["attribution"].as_str().unwrap();
    assert!(attribution.contains("edición POT 2014"), "{attribution}");
    assert!(
        attribution.contains("no puede ser comercializada o transferida"),
        "{attribution}"
    );
    let style = get(&state, "/styles/poblacion_barrios.json").await.json();
    assert_eq!(
        style["metadata"]["ssepot:territory"]["edition"]["name"],
        "POT 2014"
    );
    assert!(style["sources"]["ssepot"]["attribution"]
        .as_str()
        .unwrap()
        .contains("CC BY-SA 4.0"));
    let catastral = get(&state, "/tiles/barrios_catastral.json").await.json();
    assert!(catastral["attribution"]
        .as_str()
        .unwrap()
        .contains("edición Catastral"));
}
