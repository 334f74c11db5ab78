//! The SSEPOT report's four dashboards through the real router on the synthetic sample tables: the
//! published figures of the 2020–2023 management report come out of the JSON, the page and the downloads,
//! all equal. The figures are written here and in the sample tables only, never in `src/`.

mod common;

use common::{demo, get, layers_copy};
use serde_json::Value;
use ssepot::state::AppState;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `key → value` of a dashboard's figures (JSON).
async fn figures(id: &str) -> BTreeMap<String, Value> {
    let r = get(&demo(), &format!("/ssepot/{id}?f=json")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    assert_eq!(doc["sample"], true, "the sample tables are marked as such");
    doc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["key"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect()
}

/// `key → text` of the figures as the page shows them.
async fn page_figures(id: &str) -> BTreeMap<String, String> {
    let r = get(&demo(), &format!("/ssepot/{id}?f=html")).await;
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("MUESTRA SINTÉTICA"),
        "the page says the data are synthetic"
    );
    html.split("<li data-key=\"")
        .skip(1)
        .map(|part| {
            let key = part.split('"').next().unwrap().to_string();
            let text = part
                .split("<strong>")
                .nth(1)
                .unwrap()
                .split("</strong>")
                .next()
                .unwrap()
                .to_string();
            (key, text)
        })
        .collect()
}

/// `key → value` of the figures' CSV download (`cifra;descripcion;valor;unidad`).
async fn csv_figures(id: &str) -> BTreeMap<String, String> {
    let r = get(&demo(), &format!("/ssepot/{id}?f=csv")).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/csv"));
    let text = r.text();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(';').collect();
            (cells[0].to_string(), cells[cells.len() - 2].to_string())
        })
        .collect()
}

/// `key → value` of the figures' XLSX download, read back with calamine.
async fn xlsx_figures(id: &str) -> BTreeMap<String, f64> {
    use calamine::{DataType, Reader, Xlsx};
    let r = get(&demo(), &format!("/ssepot/{id}?f=xlsx")).await;
    assert_eq!(r.status, 200);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .skip(1)
        .filter_map(|row| {
            let key = row.first()?.get_string()?.to_string();
            let value = row.get(2)?.get_float()?;
            Some((key, value))
        })
        .collect()
}

/// Checks one published figure in JSON, page, CSV and XLSX.
async fn published(id: &str, key: &str, value: f64, page: &str, csv: &str) {
    let json = figures(id).await;
    assert_eq!(json[key].as_f64(), Some(value), "{id} {key} in JSON");
    assert_eq!(page_figures(id).await[key], page, "{id} {key} on the page");
    assert_eq!(csv_figures(id).await[key], csv, "{id} {key} in CSV");
    assert_eq!(xlsx_figures(id).await[key], value, "{id} {key} in XLSX");
}

#[tokio::test]
async fn commitments_give_the_published_shares_and_the_overall_progress() {
    published("compromisos", "compromisos", 100.0, "100", "100").await;
    published("compromisos", "corto_plazo_pct", 23.0, "23,0 %", "23").await;
    published("compromisos", "resto_plan_pct", 77.0, "77,0 %", "77").await;
    published("compromisos", "corto_plazo_cumplidos", 14.0, "14", "14").await;
    published(
        "compromisos",
        "corto_plazo_cumplidos_pct",
        60.9,
        "60,9 %",
        "60,9",
    )
    .await;
    published(
        "compromisos",
        "corto_plazo_en_avance_pct",
        26.1,
        "26,1 %",
        "26,1",
    )
    .await;
    published(
        "compromisos",
        "corto_plazo_no_presenta_avances_pct",
        4.3,
        "4,3 %",
        "4,3",
    )
    .await;
    published("compromisos", "avance_general", 88.12, "88,12 %", "88,12").await;
    published("compromisos", "cumplidos", 66.0, "66", "66").await;
    published("compromisos", "en_avance", 23.0, "23", "23").await;
}

#[tokio::test]
async fn the_pot_pdd_relation_gives_the_published_counts_bands_and_investment() {
    published("pdd", "indicadores_producto", 132.0, "132", "132").await;
    published("pdd", "programas", 28.0, "28", "28").await;
    published("pdd", "proyectos_pot", 169.0, "169", "169").await;
    published("pdd", "banda_alto_pct", 71.0, "71 %", "71").await;
    published("pdd", "banda_medio_pct", 13.0, "13 %", "13").await;
    published("pdd", "banda_bajo_pct", 16.0, "16 %", "16").await;
    published("pdd", "aporte_puntos", 23.0, "23,0 puntos", "23").await;
    published("pdd", "avance_fisico_plan", 89.0, "89 %", "89").await;
    published("pdd", "avance_conjunto", 75.4, "75,4 %", "75,4").await;
    published(
        "pdd",
        "inversion_programada",
        5_213_246.0,
        "$5.213.246 millones",
        "5213246",
    )
    .await;
    published(
        "pdd",
        "inversion_proyectada",
        5_187_358.0,
        "$5.187.358 millones",
        "5187358",
    )
    .await;
    published("pdd", "ejecucion_inversion", 99.5, "99,5 %", "99,5").await;
    published("pdd", "participacion_plan_plurianual", 25.0, "25 %", "25").await;
}

#[tokio::test]
async fn the_pdd_bands_count_94_high_17_medium_and_21_low() {
    let doc = get(&demo(), "/ssepot/pdd?f=json").await.json();
    let bands: Vec<(String, u64)> = doc["summary"]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().into(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bands,
        [
            ("alto o superior".into(), 94),
            ("medio".into(), 17),
            ("bajo".into(), 21)
        ]
    );
    // Ecociudad carries most of the investment of the related programmes.
    let lines = doc["summary"]["by_line"].as_array().unwrap();
    let top = lines
        .iter()
        .max_by(|a, b| {
            a["planned"]
                .as_f64()
                .partial_cmp(&b["planned"].as_f64())
                .unwrap()
        })
        .unwrap();
    assert_eq!(top["label"], "Ecociudad");
}

#[tokio::test]
async fn the_short_term_commitments_are_14_fulfilled_6_in_progress_and_1_without_progress() {
    let doc = get(&demo(), "/ssepot/compromisos?f=json").await.json();
    let states: BTreeMap<String, u64> = doc["summary"]["short_term_states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["label"].as_str().unwrap().into(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(states["Cumplido"], 14);
    assert_eq!(states["En proceso"], 6);
    assert_eq!(states["No presenta avances"], 1);
    assert_eq!(doc["summary"]["short_term"]["count"], 23);
    assert_eq!(doc["rows"].as_array().unwrap().len(), 100);
    // The yearly progress is there for every year 2017–2023.
    assert_eq!(
        doc["summary"]["overall_by_year"].as_array().unwrap().len(),
        7
    );
}

#[tokio::test]
async fn twenty_subsystems_in_two_systems_with_their_texts() {
    let f = figures("subsistemas").await;
    assert_eq!(f["subsistemas"], 20.0);
    assert_eq!(f["sistemas"], 2.0);
    let page = get(&demo(), "/ssepot/subsistemas?f=html").await.text();
    assert!(page.contains("Físico-Espaciales") && page.contains("Institucionales y de Gestión"));
    assert!(
        page.contains("id=\"sub-movilidad\""),
        "subsystems have anchors sheets link to"
    );
    let rows = get(&demo(), "/ssepot/subsistemas?f=csv&tabla=filas")
        .await
        .text();
    assert_eq!(rows.lines().count(), 21, "a header and 20 subsystems");
    assert!(rows.lines().nth(1).unwrap().contains("Situación sintética"));
}

#[tokio::test]
async fn the_diagnosis_lists_findings_phases_and_the_dies_058_log() {
    let f = figures("diagnostico").await;
    assert_eq!(f["indicadores_diagnosticados"], 12.0);
    assert_eq!(f["cambios_dies058"], 7.0);
    let page = get(&demo(), "/ssepot/diagnostico?f=html").await.text();
    assert!(page.contains("DIES-058") && page.contains("Déficit cuantitativo de vivienda"));
    assert!(page.contains("Fase 3 — 2022") && page.contains("Casos especiales — 2023"));
}

#[tokio::test]
async fn every_chart_has_its_table_as_text_alternative() {
    for id in ["compromisos", "pdd", "subsistemas", "diagnostico"] {
        let doc = get(&demo(), &format!("/ssepot/{id}?f=json")).await.json();
        let page = get(&demo(), &format!("/ssepot/{id}?f=html")).await.text();
        for chart in doc["charts"].as_array().unwrap() {
            let cid = chart["id"].as_str().unwrap();
            assert!(
                page.contains(&format!(
                    "<canvas id=\"chart-{cid}\" role=\"img\" aria-label="
                )),
                "{id}/{cid}"
            );
            assert!(
                page.contains(&format!("data-chart=\"{cid}\"")),
                "{id}/{cid} has a data table"
            );
        }
    }
}

#[tokio::test]
async fn bad_dashboard_parameters_are_400_naming_the_parameter() {
    let s = demo();
    for (uri, param) in [
        ("/ssepot/pdd?f=gpkg", "f"),
        ("/ssepot/pdd?f=pdf", "f"),
        ("/ssepot/pdd?tabla=todo", "tabla"),
        ("/ssepot/pdd?anio=2023", "anio"),
        ("/indicators?tabla=filas", "tabla"),
    ] {
        let r = get(&s, uri).await;
        assert_eq!(r.status, 400, "{uri}");
        assert_eq!(r.json()["parameter"], param, "{uri}");
        assert!(r.json()["description"].as_str().unwrap().contains(param));
    }
    let r = get(&s, "/ssepot/presupuesto").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("compromisos"));
}

#[tokio::test]
async fn a_bad_cell_in_a_report_table_is_an_import_error_naming_file_row_and_column() {
    let dir = layers_copy();
    let csv = dir
        .path()
        .join("data/ssepot-muestra/compromisos_muestra.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[4] = lines[4].replace("100,00", "cien");
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let errors: Vec<String> = state
        .current()
        .snapshot
        .report
        .file_errors
        .iter()
        .map(|e| e.error.clone())
        .collect();
    let e = errors.join("\n");
    assert!(
        e.contains("compromisos_muestra.csv, row 5, column `2023`") && e.contains("`cien`"),
        "{e}"
    );
}

#[tokio::test]
async fn a_new_report_year_is_a_new_table_not_code() {
    let dir = layers_copy();
    // Every commitment not yet fulfilled reaches 100 % in a 2024 column: the overall progress is then 100.
    let csv = dir
        .path()
        .join("data/ssepot-muestra/compromisos_muestra.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l};2024")
            } else {
                format!("{l};100")
            }
        })
        .collect();
    std::fs::write(&csv, out.join("\n")).unwrap();
    let toml = dir.path().join("ssepot-muestra.toml");
    let t = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("years = [2017, 2023]", "years = [2017, 2024]");
    std::fs::write(&toml, t).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let doc = get(&state, "/ssepot/compromisos?f=json").await.json();
    assert_eq!(doc["summary"]["year"], 2024);
    let f: BTreeMap<String, Value> = doc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["key"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    assert_eq!(f["avance_general"], 100.0);
}

#[test]
fn the_published_figures_appear_nowhere_in_the_source() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    let mut files = vec![];
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let figures = [
        "88,12",
        "88.12",
        "60,9",
        "60.9",
        "26,1",
        "26.1",
        "75,4",
        "75.4",
        "99,5",
        "99.5",
        "5213246",
        "5_213_246",
        "5.213.246",
        "5187358",
        "5_187_358",
        "5.187.358",
    ];
    // A figure counts when it stands alone: `-75.4` (a longitude) or `175.45` is not `75.4`.
    let stands_alone = |text: &str, f: &str| {
        text.match_indices(f).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + f.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-')
                && !after.is_some_and(|c| c.is_ascii_digit())
        })
    };
    for (path, text) in &files {
        for f in figures {
            assert!(
                !stands_alone(text, f),
                "{path} holds the published figure {f}"
            );
        }
    }
}

#[tokio::test]
async fn a_broken_report_table_on_reload_keeps_the_dashboards_loaded_before() {
    let dir = layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let before = get(&state, "/ssepot/pdd?f=json").await.json()["figures"].clone();
    let rel = dir
        .path()
        .join("data/ssepot-muestra/relacion_pdd_pot_muestra.csv");
    let text = std::fs::read_to_string(&rel).unwrap();
    std::fs::write(&rel, format!("{text}IP-999;PP-001\n")).unwrap();
    let report = state.reload().await.unwrap();
    let errors: Vec<&str> = report
        .file_errors
        .iter()
        .map(|e| e.error.as_str())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("relacion_pdd_pot_muestra.csv") && e.contains("`IP-999`")),
        "{errors:?}"
    );
    assert_eq!(
        get(&state, "/ssepot/pdd?f=json").await.json()["figures"],
        before
    );
}

/// The commitments of the sample table itself (not the server's reading): (code, horizon, office, state,
/// 2023 progress).
fn sample_commitments() -> Vec<(String, String, String, String, Option<f64>)> {
    let path = common::layers_dir().join("data/ssepot-muestra/compromisos_muestra.csv");
    let text = std::fs::read_to_string(path).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(';').collect();
            let v = c[13];
            let progress = (v != "ND").then(|| v.replace(',', ".").parse::<f64>().unwrap());
            (c[0].into(), c[3].into(), c[5].into(), c[6].into(), progress)
        })
        .collect()
}

#[tokio::test]
async fn the_commitments_filtered_by_office_and_horizon_are_the_rows_of_that_office_and_horizon() {
    let (office, horizon) = ("Secretaría de Hacienda", "Mediano plazo");
    let rows: Vec<_> = sample_commitments()
        .into_iter()
        .filter(|c| c.2 == office && c.1 == horizon)
        .collect();
    assert!(rows.len() > 1, "the sample has several such commitments");
    let reported: Vec<f64> = rows.iter().filter_map(|c| c.4).collect();
    let mean = (reported.iter().sum::<f64>() / reported.len() as f64 * 100.0).round() / 100.0;
    let fulfilled = rows.iter().filter(|c| c.3 == "Cumplido").count();

    let q = "dependencia=Secretar%C3%ADa%20de%20Hacienda&horizonte=Mediano%20plazo";
    let doc = get(&demo(), &format!("/ssepot/compromisos?f=json&{q}")).await;
    assert_eq!(doc.status, 200, "{}", doc.text());
    let doc = doc.json();
    let fig = |k: &str| {
        doc["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == k)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(fig("compromisos"), rows.len() as f64);
    assert_eq!(fig("avance_general"), mean);
    assert_eq!(fig("cumplidos"), fulfilled as f64);
    assert_eq!(doc["filters"]["dependencia"], office);
    assert_eq!(doc["rows"].as_array().unwrap().len(), rows.len());

    // The rows download carries the same rows, and its title says which filters.
    let csv = get(
        &demo(),
        &format!("/ssepot/compromisos?f=csv&tabla=filas&{q}"),
    )
    .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    let codes: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(';').next().unwrap())
        .collect();
    let expected: Vec<&str> = rows.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(codes, expected);
    // The figures download too.
    let figures = get(&demo(), &format!("/ssepot/compromisos?f=csv&{q}"))
        .await
        .text();
    assert!(
        figures.contains(&format!("compromisos;Compromisos del POT;{};", rows.len())),
        "{figures}"
    );

    // The page keeps the filters in its form and its download links, and a figure links to its rows.
    let page = get(&demo(), &format!("/ssepot/compromisos?f=html&{q}"))
        .await
        .text();
    assert!(page.contains("<option selected>Secretaría de Hacienda</option>"));
    assert!(page.contains(
        "tabla=filas&amp;horizonte=Mediano+plazo&amp;dependencia=Secretar%C3%ADa+de+Hacienda"
    ));
    assert!(page.contains("estado=Cumplido#filas\">ver las filas</a>"));
}

#[tokio::test]
async fn an_unknown_filter_value_or_a_filter_a_dashboard_does_not_take_is_400_naming_it() {
    for (url, param) in [
        ("/ssepot/compromisos?horizonte=Muy%20largo", "horizonte"),
        ("/ssepot/compromisos?dependencia=Nadie", "dependencia"),
        ("/ssepot/compromisos?anio=2031", "anio"),
        ("/ssepot/compromisos?anio=dos", "anio"),
        ("/ssepot/compromisos?linea=Ecociudad", "linea"),
        ("/ssepot/diagnostico?estado=Cumplido", "estado"),
        ("/ssepot/anexo?sistema=x", "sistema"),
    ] {
        let r = get(&demo(), url).await;
        assert_eq!(r.status, 400, "{url}: {}", r.text());
        assert_eq!(r.json()["parameter"], param, "{url}");
    }
    // An empty value (a form's "all") is no filter.
    let all = get(&demo(), "/ssepot/compromisos?f=json&horizonte=&anio=").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.json()["rows"].as_array().unwrap().len(), 100);
}

/// A sample table of the layer files, as (column → cell) maps: read here, not by the server.
fn sample_table(file: &str) -> Vec<BTreeMap<String, String>> {
    let path = common::layers_dir().join("data/ssepot-muestra").join(file);
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<String> = lines.next().unwrap().split(';').map(String::from).collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(';').map(String::from))
                .collect()
        })
        .collect()
}

fn number(s: &str) -> f64 {
    s.replace(',', ".").parse().unwrap()
}

/// A dashboard's JSON with these filters (a 200), its figures by key, and its rows.
async fn filtered(id: &str, query: &str) -> (Value, BTreeMap<String, Value>) {
    let r = get(&demo(), &format!("/ssepot/{id}?f=json&{query}")).await;
    assert_eq!(r.status, 200, "{id}?{query}: {}", r.text());
    let doc = r.json();
    let figures = doc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["key"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    (doc, figures)
}

/// The rows CSV of a dashboard as (column → cell) maps.
async fn rows_csv(id: &str, query: &str) -> Vec<BTreeMap<String, String>> {
    let r = get(&demo(), &format!("/ssepot/{id}?f=csv&tabla=filas&{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<String> = lines.next().unwrap().split(';').map(String::from).collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(';').map(String::from))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_pdd_filtered_by_strategic_line_counts_that_lines_related_indicators_programmes_and_investment(
) {
    let line = "Gobernanza y Gobernabilidad";
    let programmes: BTreeMap<String, BTreeMap<String, String>> =
        sample_table("pdd_programas_muestra.csv")
            .into_iter()
            .filter(|p| p["Línea estratégica"] == line)
            .map(|p| (p["Código programa"].clone(), p))
            .collect();
    let relation = sample_table("relacion_pdd_pot_muestra.csv");
    let indicators: Vec<_> = sample_table("pdd_indicadores_producto_muestra.csv")
        .into_iter()
        .filter(|i| programmes.contains_key(&i["Código programa"]))
        .filter(|i| {
            relation
                .iter()
                .any(|r| r["Código indicador"] == i["Código indicador"])
        })
        .collect();
    assert!(
        indicators.len() > 3,
        "the line has several related indicators"
    );
    let used: std::collections::BTreeSet<&String> =
        indicators.iter().map(|i| &i["Código programa"]).collect();
    let projects: std::collections::BTreeSet<&String> = relation
        .iter()
        .filter(|r| {
            indicators
                .iter()
                .any(|i| i["Código indicador"] == r["Código indicador"])
        })
        .map(|r| &r["Código proyecto"])
        .collect();
    let planned: f64 = used
        .iter()
        .map(|c| number(&programmes[*c]["Inversión programada (millones)"]))
        .sum();
    let weighted: f64 = indicators
        .iter()
        .map(|i| number(&i["Ponderación (%)"]) * number(&i["Avance proyectado (%)"]))
        .sum();
    let points = weighted / 100.0;
    // Bands as the layer file declares them: alto from 70 %, medio from 50 %.
    let high = indicators
        .iter()
        .filter(|i| number(&i["Avance proyectado (%)"]) >= 70.0)
        .count();

    let (doc, fig) = filtered("pdd", "linea=gobernanza%20y%20gobernabilidad").await;
    assert_eq!(
        doc["filters"]["linea"], line,
        "the value as the rows write it"
    );
    assert_eq!(fig["indicadores_producto"], indicators.len() as f64);
    assert_eq!(fig["programas"], used.len() as f64);
    assert_eq!(fig["proyectos_pot"], projects.len() as f64);
    assert_eq!(fig["inversion_programada"], planned);
    assert_eq!(fig["aporte_puntos"], (points * 10.0).round() / 10.0);
    let high_pct = (high as f64 / indicators.len() as f64 * 100.0).round();
    assert_eq!(fig["banda_alto_pct"], high_pct);
    let chart = doc["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "inversion_linea")
        .unwrap();
    assert_eq!(
        chart["labels"],
        serde_json::json!([line]),
        "the chart follows"
    );

    // The rows download has those indicators (and every related one of the line in the unfiltered rows).
    let all = rows_csv("pdd", "").await;
    let expected: Vec<&str> = all
        .iter()
        .filter(|r| r["linea_estrategica"] == line && !r["proyectos_pot"].is_empty())
        .map(|r| r["codigo"].as_str())
        .collect();
    let rows = rows_csv("pdd", "linea=Gobernanza%20y%20Gobernabilidad").await;
    let got: Vec<&str> = rows
        .iter()
        .filter(|r| !r["proyectos_pot"].is_empty())
        .map(|r| r["codigo"].as_str())
        .collect();
    assert_eq!(got, expected);
    assert!(rows.iter().all(|r| r["linea_estrategica"] == line));
}

#[tokio::test]
async fn the_pdd_filtered_by_subsystem_and_band_keeps_the_indicators_related_to_that_subsystems_projects(
) {
    let sub = "Movilidad";
    let projects: Vec<String> = sample_table("pot_proyectos_muestra.csv")
        .into_iter()
        .filter(|p| p["Subsistema"] == sub)
        .map(|p| p["Código proyecto"].clone())
        .collect();
    let relation: Vec<_> = sample_table("relacion_pdd_pot_muestra.csv")
        .into_iter()
        .filter(|r| projects.contains(&r["Código proyecto"]))
        .collect();
    let progress: BTreeMap<String, f64> = sample_table("pdd_indicadores_producto_muestra.csv")
        .into_iter()
        .map(|i| {
            (
                i["Código indicador"].clone(),
                number(&i["Avance proyectado (%)"]),
            )
        })
        .collect();
    let related: std::collections::BTreeSet<&String> =
        relation.iter().map(|r| &r["Código indicador"]).collect();
    let linked: std::collections::BTreeSet<&String> =
        relation.iter().map(|r| &r["Código proyecto"]).collect();
    let (_, fig) = filtered("pdd", "subsistema=Movilidad").await;
    assert_eq!(fig["indicadores_producto"], related.len() as f64);
    assert_eq!(fig["proyectos_pot"], linked.len() as f64);

    let low: Vec<&&String> = related.iter().filter(|c| progress[**c] < 50.0).collect();
    let (doc, fig) = filtered("pdd", "subsistema=Movilidad&banda=bajo").await;
    assert_eq!(fig["indicadores_producto"], low.len() as f64);
    if !low.is_empty() {
        assert_eq!(fig["banda_bajo_pct"], 100.0);
    }
    assert!(doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r[7] == "bajo" && r[9].as_str().unwrap().contains(sub)));
}

#[tokio::test]
async fn the_subsystems_filtered_by_system_or_office_are_those_subsystems_with_that_offices_indicators(
) {
    let system = "Institucionales y de Gestión";
    let expected: Vec<String> = sample_table("subsistemas_muestra.csv")
        .into_iter()
        .filter(|s| s["Sistema"] == system)
        .map(|s| s["Subsistema"].clone())
        .collect();
    let (doc, fig) = filtered(
        "subsistemas",
        "sistema=Institucionales%20y%20de%20Gesti%C3%B3n",
    )
    .await;
    assert_eq!(fig["subsistemas"], expected.len() as f64);
    assert_eq!(fig["sistemas"], 1.0);
    let names: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap())
        .collect();
    assert_eq!(names, expected);
    // The XLSX of the rows says the same.
    {
        use calamine::{DataType, Reader, Xlsx};
        let r = get(
            &demo(),
            "/ssepot/subsistemas?f=xlsx&tabla=filas&sistema=Institucionales%20y%20de%20Gesti%C3%B3n",
        )
        .await;
        assert_eq!(r.status, 200);
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(r.body)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let in_xlsx: Vec<String> = sheet
            .rows()
            .filter_map(|row| row.get(1)?.get_string().map(String::from))
            .filter(|name| expected.contains(name))
            .collect();
        assert_eq!(in_xlsx, expected);
        let others = sample_table("subsistemas_muestra.csv")
            .into_iter()
            .filter(|s| s["Sistema"] != system)
            .any(|s| {
                sheet
                    .rows()
                    .any(|row| row.get(1).and_then(|c| c.get_string()) == Some(&s["Subsistema"]))
            });
        assert!(!others, "no subsystem of another system");
    }

    // The per-office view: the battery's indicators of that office, by subsystem.
    let office = "Secretaría de Movilidad";
    let mut codes: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for r in sample_table("bateria_indicadores_muestra.csv") {
        if r["Dependencia responsable"] == office {
            codes
                .entry(r["Subsistema"].clone())
                .or_default()
                .insert(r["Código indicador"].clone());
        }
    }
    let q = "dependencia=Secretar%C3%ADa%20de%20Movilidad";
    let rows = rows_csv("subsistemas", q).await;
    let got: BTreeMap<String, std::collections::BTreeSet<String>> = rows
        .iter()
        .map(|r| {
            (
                r["subsistema"].clone(),
                r["codigos"].split(", ").map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(got, codes, "the subsystems and indicators of {office}");
    // Where only that office's indicators are in a subsystem, its progress is the unfiltered one; the system's
    // is the mean of its shown subsystems (mean_reported).
    let all = rows_csv("subsistemas", "").await;
    for r in &rows {
        let before = all
            .iter()
            .find(|a| a["subsistema"] == r["subsistema"])
            .unwrap();
        if before["dependencias"] == office {
            assert_eq!(r["avance_pct"], before["avance_pct"], "{}", r["subsistema"]);
        }
    }
    let (_, fig) = filtered("subsistemas", q).await;
    let reported: Vec<f64> = rows
        .iter()
        .filter(|r| r["avance_pct"] != "ND")
        .map(|r| number(&r["avance_pct"]))
        .collect();
    if !reported.is_empty() {
        let mean = reported.iter().sum::<f64>() / reported.len() as f64;
        let shown = fig["avance_fisico_espaciales"].as_f64().unwrap();
        assert!((shown - mean).abs() < 0.1, "{shown} vs {mean}");
    }

    // The declared report year is the unfiltered dashboard; another year is measured in that year.
    let (_, same) = filtered("subsistemas", "anio=2023").await;
    assert_eq!(same, figures("subsistemas").await);
    let (doc, _) = filtered("subsistemas", "anio=2020").await;
    assert!(doc["figures"][2]["label"]
        .as_str()
        .unwrap()
        .contains("(2020)"));
    // Estructura Ecológica has one city-level indicator, EE-01: in 2020 its progress is measured from the
    // battery's baseline towards the period's target (the sheet's 2023 target, the first dated from 2020 on),
    // within 0–100 %, as the layer file declares.
    let ee = sample_table("bateria_indicadores_muestra.csv")
        .into_iter()
        .find(|r| r["Código indicador"] == "EE-01")
        .unwrap();
    let target = sample_table("fichas_tecnicas_muestra.csv")
        .into_iter()
        .find(|r| r["Código indicador"] == "EE-01")
        .unwrap()["Meta 2023"]
        .clone();
    let (b, v, t) = (
        number(&ee["Línea base"]),
        number(&ee["2020"]),
        number(&target),
    );
    let expected = (((v - b) / (t - b) * 100.0).clamp(0.0, 100.0) * 10.0).round() / 10.0;
    let rows = rows_csv("subsistemas", "anio=2020").await;
    let row = rows
        .iter()
        .find(|r| r["subsistema"] == "Estructura Ecológica")
        .unwrap();
    assert_eq!(number(&row["avance_pct"]), expected, "EE-01 in 2020");
    assert!(expected < 100.0, "2020 is not 2023 ({expected})");
    // A subsystem's row links each of its indicators' sheets.
    let page = get(&demo(), "/ssepot/subsistemas?f=html&anio=2020")
        .await
        .text();
    assert!(page.contains("<a href=\"/indicators/ep-01?f=html\">EP-01</a>, <a href=\"/indicators/ep-02?f=html\">EP-02</a>"));
}

#[tokio::test]
async fn the_diagnosis_filtered_by_office_finding_or_system_counts_those_indicators_and_their_changes(
) {
    let battery: BTreeMap<String, BTreeMap<String, String>> =
        sample_table("bateria_indicadores_muestra.csv")
            .into_iter()
            .map(|r| (r["Código indicador"].clone(), r))
            .collect();
    let diagnosis = sample_table("diagnostico_indicadores_muestra.csv");
    let changes = sample_table("control_cambios_dies058_muestra.csv");
    let office = "Departamento Administrativo de Planeación";
    let kept: Vec<&String> = diagnosis
        .iter()
        .map(|d| &d["Código indicador"])
        .filter(|c| battery[*c]["Dependencia responsable"] == office)
        .collect();
    assert!(kept.len() > 1);
    let n_changes = changes
        .iter()
        .filter(|c| kept.contains(&&c["Código indicador"]))
        .count();
    let (doc, fig) = filtered(
        "diagnostico",
        "dependencia=Departamento%20Administrativo%20de%20Planeaci%C3%B3n",
    )
    .await;
    assert_eq!(fig["indicadores_diagnosticados"], kept.len() as f64);
    assert_eq!(fig["cambios_dies058"], n_changes as f64);
    assert_eq!(
        doc["summary"]["changes"].as_array().unwrap().len(),
        n_changes
    );

    let physical = diagnosis
        .iter()
        .filter(|d| battery[&d["Código indicador"]]["Sistema"] == "Físico-Espaciales")
        .count();
    let (_, fig) = filtered("diagnostico", "sistema=F%C3%ADsico-Espaciales").await;
    assert_eq!(fig["indicadores_diagnosticados"], physical as f64);

    // A finding's figure drills through to the rows with that finding.
    let with_goal_missing = diagnosis.iter().filter(|d| d["Sin meta"] == "sí").count();
    let (doc, fig) = filtered("diagnostico", "hallazgo=Sin%20meta").await;
    assert_eq!(fig["indicadores_diagnosticados"], with_goal_missing as f64);
    assert_eq!(fig["hallazgo_3"], with_goal_missing as f64);
    let page = get(&demo(), "/ssepot/diagnostico?f=html").await.text();
    assert!(page.contains("hallazgo=Sin+meta#filas\">ver las filas</a>"));
    assert_eq!(doc["charts"][1]["drill"], "fase");
}

#[tokio::test]
async fn every_dashboard_refuses_a_filter_it_does_not_take_or_a_value_its_rows_do_not_have() {
    for (url, param) in [
        ("/ssepot/pdd?anio=2023", "anio"),
        ("/ssepot/pdd?linea=Nada", "linea"),
        ("/ssepot/pdd?banda=alt%C3%ADsimo", "banda"),
        ("/ssepot/pdd?subsistema=Nada&f=csv", "subsistema"),
        ("/ssepot/subsistemas?horizonte=Corto%20plazo", "horizonte"),
        ("/ssepot/subsistemas?anio=1990", "anio"),
        (
            "/ssepot/subsistemas?dependencia=Nadie&f=xlsx",
            "dependencia",
        ),
        ("/ssepot/diagnostico?hallazgo=Todo%20bien", "hallazgo"),
        ("/ssepot/diagnostico?fase=Fase%209", "fase"),
        ("/ssepot/diagnostico?anio=2023", "anio"),
        ("/ssepot/compromisos?banda=alto", "banda"),
        ("/ssepot/anexo?fase=x", "fase"),
    ] {
        let r = get(&demo(), url).await;
        assert_eq!(r.status, 400, "{url}: {}", r.text());
        assert_eq!(r.json()["parameter"], param, "{url}");
    }
}

#[tokio::test]
async fn a_chart_row_and_a_bar_drill_through_to_the_rows_of_its_label_within_the_page_filters() {
    let page = get(&demo(), "/ssepot/pdd?f=html&linea=Ecociudad")
        .await
        .text();
    assert!(
        page.contains("<a href=\"?f=html&amp;linea=Ecociudad&amp;banda=alto+o+superior#filas\">alto o superior</a>"),
        "the bands chart's table links each band within the line"
    );
    let page = get(&demo(), "/ssepot/compromisos?f=html").await.text();
    assert!(page.contains("<a href=\"?f=html&amp;dependencia=Secretar%C3%ADa+de+Hacienda#filas\">Secretaría de Hacienda</a>"));
}
