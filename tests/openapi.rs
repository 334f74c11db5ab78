//! `/api` describes the service as it is: every route of the router, every parameter each endpoint takes.

mod common;

use common::{demo, get};
use serde_json::Value;
use ssepot::http::params::{
    names, AgreementsParams, ChangeParams, CrsFormatParams, DashboardParams, EmbedMapParams,
    FormatParams, ItemsParams, NoParams, OriginParams, ReportParams, ReportingItemsParams,
    ReportingLogParams, ReviewPageParams, SeriesParams, StyleParams, TileParams,
};

/// The routes registered in `src/http/mod.rs`, as `(method, axum path)`, read from its source so that a route
/// added there without documentation fails this test.
fn router_routes() -> Vec<(String, String)> {
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/mod.rs"),
    )
    .unwrap();
    let re =
        regex::Regex::new(r#"\.route\(\s*"([^"]+)",\s*(get|post|put|delete|patch)\("#).unwrap();
    let routes: Vec<(String, String)> = re
        .captures_iter(&src)
        .map(|c| (c[2].to_string(), c[1].to_string()))
        .collect();
    assert!(
        routes.len() >= 25,
        "the route pattern no longer matches src/http/mod.rs: {routes:?}"
    );
    routes
}

/// Whether an axum route serves an OpenAPI path: literal segments equal, `{capture}` takes any one segment.
fn serves(route: &str, api_path: &str) -> bool {
    let (r, a): (Vec<&str>, Vec<&str>) =
        (route.split('/').collect(), api_path.split('/').collect());
    r.len() == a.len()
        && r.iter()
            .zip(&a)
            .all(|(r, a)| r == a || (r.starts_with('{') && r.ends_with('}') && !a.is_empty()))
}

async fn api() -> Value {
    get(&demo(), "/api").await.json()
}

#[tokio::test]
async fn every_route_of_the_router_has_a_path_in_the_api() {
    let doc = api().await;
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for (method, route) in router_routes() {
        let documented = paths
            .iter()
            .any(|(p, item)| serves(&route, p) && item.get(&method).is_some());
        if !documented {
            missing.push(format!("{} {route}", method.to_uppercase()));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a path in /api: {missing:?}"
    );
}

#[tokio::test]
async fn every_operation_documents_the_errors_and_an_operation_id() {
    let doc = api().await;
    for (p, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {p}");
            for status in ["200", "400", "404", "405"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {p}: no {status}"
                );
            }
        }
    }
    assert_eq!(
        doc["components"]["schemas"]["Exception"]["required"],
        serde_json::json!(["code", "description"])
    );
}

/// The query parameters `/api` lists for a path's GET.
fn documented(doc: &Value, path: &str) -> Vec<String> {
    let mut names: Vec<String> = doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} is not documented"))
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_api_lists_exactly_the_parameters_each_endpoint_accepts() {
    let doc = api().await;
    let cases: &[(&str, &[&str])] = &[
        ("/", names::<FormatParams>()),
        ("/conformance", names::<FormatParams>()),
        ("/api", names::<FormatParams>()),
        ("/collections", names::<FormatParams>()),
        ("/collections/{collectionId}", names::<CrsFormatParams>()),
        ("/collections/{collectionId}/items", names::<ItemsParams>()),
        (
            "/collections/{collectionId}/items/{featureId}",
            names::<CrsFormatParams>(),
        ),
        (
            "/collections/{collectionId}/series",
            names::<SeriesParams>(),
        ),
        (
            "/collections/{collectionId}/change",
            names::<ChangeParams>(),
        ),
        ("/styles/{styleId}.json", names::<StyleParams>()),
        ("/styles/{styleId}.qml", names::<StyleParams>()),
        ("/styles/{styleId}.sld", names::<StyleParams>()),
        ("/styles/{styleId}/legend.json", names::<StyleParams>()),
        ("/collections/{collectionId}/qgis", names::<StyleParams>()),
        ("/qgis", names::<StyleParams>()),
        ("/tiles/{tilesetId}.json", names::<FormatParams>()),
        ("/tiles/{tilesetId}/{z}/{x}/{y}.mvt", names::<TileParams>()),
        ("/collections/{collectionId}/tiles", names::<FormatParams>()),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}",
            names::<FormatParams>(),
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
            names::<TileParams>(),
        ),
        ("/tileMatrixSets", names::<FormatParams>()),
        ("/indicators", names::<FormatParams>()),
        ("/indicators/{indicatorId}", names::<FormatParams>()),
        ("/ssepot", names::<FormatParams>()),
        ("/ssepot/{dashboardId}", names::<DashboardParams>()),
        ("/ssepot/static/{file}", names::<NoParams>()),
        ("/ssepot/informe", names::<ReportParams>()),
        ("/ssepot/boletines/{bulletinId}", names::<ReportParams>()),
        ("/ssepot/publicaciones", names::<FormatParams>()),
        (
            "/ssepot/embed/grafico/{dashboardId}/{chartId}",
            names::<NoParams>(),
        ),
        (
            "/ssepot/embed/cifra/{dashboardId}/{figureKey}",
            names::<NoParams>(),
        ),
        (
            "/ssepot/embed/mapa/{indicatorId}",
            names::<EmbedMapParams>(),
        ),
        ("/map/embed", names::<NoParams>()),
        ("/map/glyphs/{fontstack}/{range}", names::<NoParams>()),
        ("/ssepot/static/print.css", names::<NoParams>()),
        ("/ssepot/static/embed.js", names::<NoParams>()),
        ("/ssepot/static/fonts/{file}", names::<NoParams>()),
        ("/tileMatrixSets/{tileMatrixSetId}", names::<FormatParams>()),
        ("/map/", names::<NoParams>()),
        ("/map/territorios.json", names::<FormatParams>()),
        ("/map/{file}", names::<NoParams>()),
        ("/report", names::<NoParams>()),
        ("/health", names::<NoParams>()),
        ("/metrics", names::<NoParams>()),
        ("/reporting/items", names::<ReportingItemsParams>()),
        ("/reporting/log", names::<ReportingLogParams>()),
        ("/reporting/origin", names::<OriginParams>()),
        ("/reporting/me", names::<NoParams>()),
        ("/reporting/periods", names::<FormatParams>()),
        ("/reporting/periods/{id}", names::<FormatParams>()),
        ("/reporting/agreements", names::<AgreementsParams>()),
        ("/reporte", names::<NoParams>()),
        ("/reporte/oficina", names::<NoParams>()),
        ("/reporte/revision", names::<ReviewPageParams>()),
        ("/reporte/registro", names::<NoParams>()),
    ];
    for (path, accepted) in cases {
        assert_eq!(documented(&doc, path), sorted(accepted), "{path}");
    }
}

#[tokio::test]
async fn documented_enumerations_are_what_the_server_serves() {
    let s = demo();
    let doc = api().await;
    let collections = get(&s, "/collections").await.json();
    let mut ids: Vec<&str> = collections["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let param = |path: &str, name: &str| -> Vec<String> {
        let mut v: Vec<String> = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(param("/collections/{collectionId}", "collectionId"), ids);
    // Every documented style and tileset answers 200.
    for id in param("/styles/{styleId}.json", "styleId") {
        let r = get(&s, &format!("/styles/{id}/legend.json")).await;
        assert_eq!(r.status, 200, "legend of {id}");
    }
    for id in param("/tiles/{tilesetId}.json", "tilesetId") {
        let r = get(&s, &format!("/tiles/{id}.json")).await;
        assert_eq!(r.status, 200, "TileJSON of {id}");
    }
    for file in param("/map/vendor/{file}", "file") {
        let r = get(&s, &format!("/map/vendor/{file}")).await;
        assert_eq!(r.status, 200, "{file}");
    }
}
