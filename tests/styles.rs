//! Styles derived from the data, through the router.

mod common;

use common::{demo, get};

#[tokio::test]
async fn the_legend_counts_every_territory_once_and_nd_apart() {
    let s = demo();
    let l = get(&s, "/styles/ep-01/legend.json?year=2015").await.json();
    let in_classes: u64 = l["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(in_classes + l["nd"]["count"].as_u64().unwrap(), 21);
    assert_eq!(
        l["nd"]["count"], 3,
        "EP-01 2015 is ND for comunas 02, 05 and 11 in the sample"
    );
    assert_eq!(l["sample"], true);
    assert_eq!(l["property"], "ep-01_2015");
    assert_eq!(l["nd"]["label"], "Sin dato (ND)");
    let colors: Vec<&str> = l["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["color"].as_str().unwrap())
        .collect();
    assert_eq!(
        colors,
        vec!["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
    );
}

#[tokio::test]
async fn classes_are_the_same_in_every_year_so_colours_compare() {
    let s = demo();
    let a = get(&s, "/styles/poblacion/legend.json?year=2018")
        .await
        .json();
    let b = get(&s, "/styles/poblacion/legend.json?year=2030")
        .await
        .json();
    let limits = |l: &serde_json::Value| {
        l["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["min"].clone(), c["max"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(limits(&a), limits(&b));
}

#[tokio::test]
async fn methods_and_class_counts_can_be_chosen() {
    let s = demo();
    let l = get(
        &s,
        "/styles/homicidios/legend.json?year=2023&method=jenks&classes=3",
    )
    .await
    .json();
    assert_eq!(l["method"], "jenks");
    assert_eq!(l["classes"].as_array().unwrap().len(), 3);
    let l = get(
        &s,
        "/styles/homicidios/legend.json?year=2023&method=equal&classes=4",
    )
    .await
    .json();
    let c = l["classes"].as_array().unwrap();
    let w0 = c[0]["max"].as_f64().unwrap() - c[0]["min"].as_f64().unwrap();
    let w1 = c[1]["max"].as_f64().unwrap() - c[1]["min"].as_f64().unwrap();
    assert!((w0 - w1).abs() < 1.0, "{w0} {w1}");
}

#[tokio::test]
async fn the_maplibre_style_is_filters_and_constant_colours_that_qgis_can_draw() {
    let st = get(&demo(), "/styles/poblacion.json?year=2023")
        .await
        .json();
    assert_eq!(st["version"], 8);
    assert_eq!(
        st["sources"]["ssepot"]["tiles"][0],
        "http://test.local/tiles/comunas/{z}/{x}/{y}.mvt"
    );
    let layers = st["layers"].as_array().unwrap();
    let fills: Vec<_> = layers.iter().filter(|l| l["type"] == "fill").collect();
    assert_eq!(fills.len(), 6, "ND and five classes");
    for f in &fills {
        assert!(
            f["paint"]["fill-color"].is_string(),
            "constant colours only: {f}"
        );
        assert!(f["filter"].is_array());
    }
    assert_eq!(
        fills[0]["filter"],
        serde_json::json!(["!", ["has", "poblacion_2023"]])
    );
    assert_eq!(st["metadata"]["ssepot:legend"]["year"], 2023);
}

#[tokio::test]
async fn city_level_indicators_colour_the_municipal_outline() {
    let st = get(&demo(), "/styles/mo-01.json?year=2020").await.json();
    let fills: Vec<_> = st["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "fill")
        .cloned()
        .collect();
    assert!(fills.iter().all(|f| f["source-layer"] == "comunas_ciudad"));
    assert_eq!(st["metadata"]["ssepot:legend"]["city_level"], true);
}

#[tokio::test]
async fn qml_and_sld_carry_the_same_classes_for_the_feature_layer() {
    let s = demo();
    let legend = get(&s, "/styles/hogares/legend.json?year=2020")
        .await
        .json();
    let qml = get(&s, "/styles/hogares.qml?year=2020").await.text();
    let sld = get(&s, "/styles/hogares.sld?year=2020").await.text();
    assert!(qml.contains(r#"<renderer-v2 type="RuleRenderer""#));
    assert!(sld.contains("<StyledLayerDescriptor version=\"1.1.0\""));
    for c in legend["classes"].as_array().unwrap() {
        let label = c["label"].as_str().unwrap();
        assert!(qml.contains(label) && sld.contains(label), "{label}");
    }
    assert!(qml.contains("&quot;value&quot; IS NULL") && sld.contains("<ogc:PropertyIsNull>"));
    for doc in [&qml, &sld] {
        let parsed = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.read())",
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(doc.as_bytes())?;
                child.wait()
            })
            .unwrap();
        assert!(parsed.success(), "well-formed XML");
    }
}

#[tokio::test]
async fn bad_style_parameters_are_400_naming_them() {
    let s = demo();
    for (q, p) in [
        ("year=1990", "year"),
        ("method=magic", "method"),
        ("classes=12", "classes"),
        ("color=red", "color"),
    ] {
        let r = get(&s, &format!("/styles/poblacion.json?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.json()["parameter"], p);
    }
    assert_eq!(get(&s, "/styles/nada.json").await.status, 404);
    assert_eq!(get(&s, "/styles/poblacion.png").await.status, 404);
}
