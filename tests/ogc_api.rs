//! OGC API Features through the real router and the real demo data.

mod common;

use common::{demo, get, get_with};
use serde_json::Value;

fn values_by_code(fc: &Value) -> Vec<(String, String, Option<f64>)> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["code"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_f64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_landing_page_is_json_by_default_and_links_the_api() {
    let r = get(&demo(), "/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/json");
    let rels: Vec<String> = r.json()["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap().to_string())
        .collect();
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&rel.to_string()), "missing {rel} in {rels:?}");
    }
}

#[tokio::test]
async fn browsers_get_spanish_html_and_f_overrides_accept() {
    let s = demo();
    let r = get_with(
        &s,
        "/collections",
        ("accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
    )
    .await;
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    assert!(r.text().contains(r#"<html lang="es">"#));
    assert!(r.text().contains("Población proyectada"));
    let r = get_with(&s, "/collections?f=json", ("accept", "text/html")).await;
    assert_eq!(r.content_type, "application/json");
    let r = get(&s, "/collections/poblacion/items?f=html&year=2023").await;
    assert!(
        r.text().contains("Belén") && r.text().contains("214.585"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn conformance_declares_core_geojson_html_and_openapi() {
    let r = get(&demo(), "/conformance").await.json();
    let classes: Vec<&str> = r["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in ["core", "geojson", "html", "oas30"] {
        assert!(classes.contains(
            &format!("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}").as_str()
        ));
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_collection_and_items_parameter() {
    let r = get(&demo(), "/api").await;
    assert!(r
        .content_type
        .starts_with("application/vnd.oai.openapi+json"));
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.0.3");
    let params: Vec<&str> = doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["limit", "offset", "bbox", "datetime", "code", "year", "f"] {
        assert!(params.contains(&p), "{p} missing");
    }
}

#[tokio::test]
async fn collections_list_territories_real_indicators_and_the_labelled_sample() {
    let r = get(&demo(), "/collections").await.json();
    let cols = r["collections"].as_array().unwrap();
    let ids: Vec<&str> = cols.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in [
        "comunas",
        "poblacion",
        "hogares",
        "homicidios",
        "ep-01",
        "ig-02",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // 4 unit sets (the comunas and the three editions of layers/territorio-barrios.toml), 4 real indicators, 12
    // sample ones, 3 computed (homicide rate, density, barrio density), the 2 barrio roll-ups to comunas and the
    // progress maps of the 5 territorial sample indicators.
    assert_eq!(ids.len(), 30, "{ids:?}");
    let ep = cols.iter().find(|c| c["id"] == "ep-01").unwrap();
    assert!(ep["title"].as_str().unwrap().contains("MUESTRA SINTÉTICA"));
    assert_eq!(ep["itemType"], "feature");
    assert_eq!(ep["ssepot"]["sample"], true);
    assert_eq!(ep["ssepot"]["sheet"]["system"], "Físico-Espaciales");
    let hom = cols.iter().find(|c| c["id"] == "homicidios").unwrap();
    assert_eq!(
        hom["extent"]["temporal"]["interval"][0][0],
        "2003-01-01T00:00:00Z"
    );
    assert_eq!(
        hom["extent"]["temporal"]["interval"][0][1],
        "2023-12-31T23:59:59Z"
    );
    assert_eq!(hom["ssepot"]["sample"], false);
}

#[tokio::test]
async fn population_2023_is_the_workbook_with_corregimiento_areas_summed() {
    let r = get(&demo(), "/collections/poblacion/items?year=2023").await;
    assert_eq!(r.content_type, "application/geo+json");
    let fc = r.json();
    assert_eq!(fc["numberMatched"], 21);
    assert_eq!(fc["numberReturned"], 21);
    let v = values_by_code(&fc);
    let find = |code: &str| v.iter().find(|(c, _, _)| c == code).unwrap().clone();
    assert_eq!(find("01"), ("01".into(), "Popular".into(), Some(142_378.0)));
    assert_eq!(find("16"), ("16".into(), "Belén".into(), Some(214_585.0)));
    // San Cristóbal = Cabecera 95 434 + Centros Poblados y Rural Disperso 15 706.
    assert_eq!(
        find("60"),
        ("60".into(), "San Cristóbal".into(), Some(111_140.0))
    );
    assert_eq!(find("50").1, "San Sebastián de Palmitas");
    let total: f64 = v.iter().map(|x| x.2.unwrap()).sum();
    assert_eq!(total, 2_518_480.0, "the workbook's Totales row for 2023");
    for f in fc["features"].as_array().unwrap() {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
}

#[tokio::test]
async fn households_read_a_two_row_header_and_keys_written_with_names() {
    let fc = get(&demo(), "/collections/hogares/items?datetime=2023")
        .await
        .json();
    let v = values_by_code(&fc);
    assert_eq!(v.len(), 21);
    let total: f64 = v.iter().map(|x| x.2.unwrap()).sum();
    assert_eq!(total, 972_037.0, "the workbook's TOTAL row for 2023");
    assert_eq!(
        v.iter().find(|x| x.0 == "60").unwrap().2,
        Some(40_129.0 + 10_386.0)
    );
}

#[tokio::test]
async fn the_series_of_one_comuna_is_one_request_and_codes_are_normalised() {
    let s = demo();
    let a = get(&s, "/collections/homicidios/items?code=16")
        .await
        .json();
    let b = get(&s, "/collections/homicidios/items?code=16.0")
        .await
        .json();
    assert_eq!(a["numberMatched"], 21);
    assert_eq!(a["features"], b["features"]);
    let years: Vec<i64> = a["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, (2003..=2023).collect::<Vec<_>>());
}

#[tokio::test]
async fn datetime_intervals_and_open_ends_select_years() {
    let s = demo();
    let n = |uri: &'static str| {
        let s = s.clone();
        async move { get(&s, uri).await.json()["numberMatched"].as_u64().unwrap() }
    };
    assert_eq!(
        n("/collections/homicidios/items?datetime=2020/2023").await,
        4 * 21
    );
    assert_eq!(
        n("/collections/homicidios/items?datetime=../2004").await,
        2 * 21
    );
    assert_eq!(
        n("/collections/homicidios/items?datetime=2022-01-01T00:00:00Z/..").await,
        2 * 21
    );
    assert_eq!(
        n("/collections/homicidios/items?datetime=2023-03-01").await,
        21
    );
    assert_eq!(
        n("/collections/homicidios/items?datetime=1990/1995").await,
        0
    );
}

#[tokio::test]
async fn paging_follows_next_and_prev_links_to_every_feature() {
    let s = demo();
    let mut uri = "/collections/homicidios/items?limit=100".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let fc = get(&s, &uri).await.json();
        assert_eq!(fc["numberMatched"], 441);
        pages += 1;
        seen.extend(
            fc["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
        let links = fc["links"].as_array().unwrap();
        if pages > 1 {
            assert!(links
                .iter()
                .any(|l| l["rel"] == "prev" && l["type"] == "application/geo+json"));
        }
        match links.iter().find(|l| l["rel"] == "next") {
            Some(next) => {
                assert_eq!(next["type"], "application/geo+json");
                uri = next["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://test.local")
                    .to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 441);
}

#[tokio::test]
async fn bbox_keeps_only_territories_it_touches() {
    // A small box in El Poblado (comuna 14).
    let fc = get(
        &demo(),
        "/collections/comunas/items?bbox=-75.567,6.205,-75.565,6.207",
    )
    .await
    .json();
    let codes: Vec<&str> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["14"]);
}

#[tokio::test]
async fn city_level_values_attach_to_the_municipal_outline() {
    let s = demo();
    let fc = get(&s, "/collections/mo-01/items?year=2023").await.json();
    assert_eq!(fc["numberMatched"], 1);
    let f = &fc["features"][0];
    assert_eq!(f["id"], "ciudad-2023");
    assert_eq!(f["properties"]["name"], "Medellín");
    assert_eq!(f["properties"]["value"], 90.62);
    assert_eq!(f["properties"]["sample"], true);
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
}

#[tokio::test]
async fn nd_is_null_and_flagged_never_zero() {
    // EP-01, comuna 02, 2015 is `ND` in the sample battery.
    let f = get(&demo(), "/collections/ep-01/items/02-2015")
        .await
        .json();
    assert_eq!(f["properties"]["value"], Value::Null);
    assert_eq!(f["properties"]["nd"], true);
    assert!(f["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "collection"));
}

#[tokio::test]
async fn unknown_collections_and_features_are_404_in_ogc_exception_json() {
    let s = demo();
    for uri in [
        "/collections/nada",
        "/collections/nada/items",
        "/collections/poblacion/items/99-2023",
        "/collections/poblacion/items/01-1999",
    ] {
        let r = get(&s, uri).await;
        assert_eq!(r.status, 404, "{uri}");
        assert_eq!(r.json()["code"], "NotFound", "{uri}");
    }
}

#[tokio::test]
async fn malformed_parameters_are_400_naming_the_parameter() {
    let s = demo();
    let cases = [
        ("limit=diez", "limit"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("offset=uno", "offset"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=-75,7,-74,6", "bbox"),
        ("datetime=ayer", "datetime"),
        ("datetime=2023/2018", "datetime"),
        ("datetime=..", "datetime"),
        ("year=2k", "year"),
        ("f=xml", "f"),
        ("anio=2023", "anio"),
    ];
    for (q, param) in cases {
        let r = get(&s, &format!("/collections/poblacion/items?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        let body = r.json();
        assert_eq!(body["code"], "InvalidParameterValue", "{q}");
        assert_eq!(body["parameter"], param, "{q}");
        assert!(
            body["description"].as_str().unwrap().contains(param),
            "{q}: {body}"
        );
    }
}

#[tokio::test]
async fn limit_above_the_maximum_is_served_at_the_maximum() {
    let fc = get(&demo(), "/collections/homicidios/items?limit=100000")
        .await
        .json();
    assert_eq!(fc["numberReturned"], 441);
}

#[tokio::test]
async fn the_import_report_is_served_as_json() {
    let r = get(&demo(), "/report").await.json();
    let pob = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "poblacion")
        .unwrap();
    assert_eq!(pob["status"], "loaded");
    assert_eq!(pob["skipped_rows"], 1);
    assert_eq!(pob["duplicates"].as_array().unwrap().len(), 4);
    assert_eq!(r["unit_sets"][0]["features"], 21);
    assert_eq!(r["unit_sets"][0]["crs"], "EPSG:9377");
    // Paths are the layer folder's own, never where the server keeps it.
    assert_eq!(r["layers_dir"], ".");
    assert_eq!(r["unit_sets"][0]["file"], "medellin.toml");
    assert_eq!(
        r["unit_sets"][0]["source"],
        "data/medellin/limite_catastral_comunas_corregimientos.geojson"
    );
    let text = r.to_string();
    let dir = common::layers_dir();
    assert!(!text.contains(dir.to_str().unwrap()), "{text}");
}

#[tokio::test]
async fn accept_q_values_choose_the_format_and_q_zero_refuses_it() {
    let s = demo();
    let ct = |accept: &'static str| {
        let s = s.clone();
        async move {
            let r = get_with(&s, "/collections", ("accept", accept)).await;
            (r.status.as_u16(), r.content_type)
        }
    };
    assert_eq!(
        ct("text/html;q=0.4, application/json;q=0.5").await.1,
        "application/json"
    );
    assert!(ct("text/html;q=0.6, application/json;q=0.5")
        .await
        .1
        .starts_with("text/html"));
    assert!(ct("application/json;q=0, */*")
        .await
        .1
        .starts_with("text/html"));
    assert_eq!(ct("application/json;q=0").await.0, 406);
    let r = get_with(
        &s,
        "/collections/homicidios/items",
        ("accept", "text/csv;q=0.9, application/geo+json;q=0.1"),
    )
    .await;
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
}

#[tokio::test]
async fn gzip_with_a_q_value_is_served_gzipped_and_gzip_q_zero_is_not() {
    let s = demo();
    let encoding = |ae: &'static str| {
        let s = s.clone();
        async move {
            let r = get_with(
                &s,
                "/tiles/comunas/12/1187/1976.mvt",
                ("accept-encoding", ae),
            )
            .await;
            assert_eq!(r.status, 200, "{ae}");
            r.headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string())
        }
    };
    assert_eq!(encoding("gzip;q=0.5").await.as_deref(), Some("gzip"));
    assert_eq!(
        encoding("br;q=1.0, gzip;q=0.2").await.as_deref(),
        Some("br")
    );
    assert_eq!(
        encoding("br;q=0.1, gzip;q=0.2").await.as_deref(),
        Some("gzip")
    );
    assert_eq!(encoding("gzip;q=0").await, None);
    assert_eq!(encoding("*;q=0.3").await.as_deref(), Some("zstd"));
    assert_eq!(encoding("identity").await, None);
}

#[tokio::test]
async fn every_endpoint_reads_a_year_by_the_same_rule() {
    let s = demo();
    // The same good year is accepted everywhere…
    for uri in [
        "/collections/poblacion/items?year=2023",
        "/collections/poblacion/items?datetime=2023",
        "/styles/poblacion/legend.json?year=2023",
        "/styles/poblacion/legend.json?datetime=2023-06-30",
        "/styles/poblacion.json?datetime=2023",
        "/collections/poblacion/change?from=2018&to=2023",
        "/tiles/comunas/12/1187/1976.mvt?datetime=2023",
        "/tiles/comunas/12/1187/1976.mvt?datetime=2023-06-30T12:00:00Z",
    ] {
        assert_eq!(get(&s, uri).await.status, 200, "{uri}");
    }
    // …and the same bad one refused everywhere, naming the parameter.
    for (uri, p) in [
        ("/collections/poblacion/items?year=20233", "year"),
        ("/collections/poblacion/items?datetime=20233", "datetime"),
        ("/styles/poblacion/legend.json?year=20233", "year"),
        ("/styles/poblacion/legend.json?datetime=20233", "datetime"),
        ("/styles/poblacion.json?datetime=20233", "datetime"),
        ("/collections/poblacion/change?from=2018&to=20233", "to"),
        ("/tiles/comunas/12/1187/1976.mvt?datetime=20233", "datetime"),
    ] {
        let r = get(&s, uri).await;
        assert_eq!(
            (r.status.as_u16(), r.json()["parameter"].clone()),
            (400, Value::from(p)),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_get_a_404_in_ogc_exception_json() {
    let r = get(&demo(), "/colecciones").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.json()["code"], "NotFound");
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("/colecciones"));
}
