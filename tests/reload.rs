//! Reloading without losing anything: a broken file keeps the previous data serving; a fixed one is picked up.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::{get, layers_copy, request};
use ssepot::access::Access;
use ssepot::state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;

async fn belen_2023(state: &Arc<AppState>, collection: &str) -> serde_json::Value {
    get(state, &format!("/collections/{collection}/items/16-2023"))
        .await
        .json()["properties"]["value"]
        .clone()
}

fn reload_request(from: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/admin/reload");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(from.parse::<SocketAddr>().unwrap()));
    req
}

#[tokio::test]
async fn a_broken_workbook_keeps_serving_its_previous_values_and_a_fixed_one_is_picked_up() {
    let dir = layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    assert_eq!(belen_2023(&state, "poblacion").await, 214_585.0);
    let workbook = dir
        .path()
        .join("data/medellin/proyecciones_poblacion_comunas_corregimientos_2018_2030.xlsx");
    let original = std::fs::read(&workbook).unwrap();

    std::fs::write(&workbook, b"this is not a workbook").unwrap();
    let report = state.reload().await.unwrap();
    let pob = report
        .indicators
        .iter()
        .find(|i| i.id == "poblacion")
        .unwrap();
    assert!(
        pob.error
            .as_deref()
            .unwrap()
            .contains("proyecciones_poblacion"),
        "{:?}",
        pob.error
    );
    assert_eq!(
        pob.status,
        Some(ssepot::ingest::report::Status::ServingPrevious)
    );
    assert_eq!(
        belen_2023(&state, "poblacion").await,
        214_585.0,
        "previous values still serve"
    );
    assert_eq!(
        belen_2023(&state, "hogares").await,
        81_186.0,
        "other collections are untouched"
    );

    std::fs::write(&workbook, original).unwrap();
    state.reload().await.unwrap();
    common::bump_belen_homicides_2023(dir.path());
    let before = belen_2023(&state, "homicidios").await.as_f64().unwrap();
    let report = state.reload().await.unwrap();
    assert_eq!(report.error_count(), 0, "{report}");
    let after = belen_2023(&state, "homicidios").await.as_f64().unwrap();
    assert_eq!(after, format!("9{before}").parse::<f64>().unwrap());
}

#[tokio::test]
async fn a_layer_file_with_a_syntax_error_keeps_every_collection_it_declared() {
    let dir = layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    std::fs::write(
        dir.path().join("bateria-muestra.toml"),
        "[[battery]\nunit_set = ",
    )
    .unwrap();
    let report = state.reload().await.unwrap();
    assert!(
        report.file_errors[0].error.contains("bateria-muestra.toml"),
        "{report}"
    );
    let r = get(&state, "/collections/ep-01/items/01-2014").await.json();
    assert_eq!(r["properties"]["value"], 3.79);
    assert_eq!(
        get(&state, "/collections").await.json()["collections"]
            .as_array()
            .unwrap()
            .len(),
        30,
        "4 unit sets (comunas and three territory editions), 4 real indicators, 12 sample ones, 3 computed, 2 barrio roll-ups to comunas and 5 progress maps"
    );
}

#[tokio::test]
async fn a_broken_boundary_keeps_the_previous_territories_and_their_indicators() {
    let dir = layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    std::fs::write(
        dir.path()
            .join("data/medellin/limite_catastral_comunas_corregimientos.geojson"),
        "{",
    )
    .unwrap();
    let report = state.reload().await.unwrap();
    assert!(report.unit_sets[0].error.is_some());
    assert_eq!(
        get(&state, "/collections/comunas/items").await.json()["numberMatched"],
        21
    );
    assert_eq!(belen_2023(&state, "poblacion").await, 214_585.0);
}

fn admin_state(token: Option<&str>, local_admin: bool) -> (tempfile::TempDir, Arc<AppState>) {
    let dir = layers_copy();
    let access = Access {
        local_admin,
        ..Access::default()
    };
    let state = AppState::load(dir.path().to_owned(), token.map(String::from))
        .unwrap()
        .with_access(access);
    (dir, Arc::new(state))
}

fn with_header(mut req: Request<Body>, name: &'static str, value: &str) -> Request<Body> {
    req.headers_mut().insert(name, value.parse().unwrap());
    req
}

#[tokio::test]
async fn reload_needs_the_token_even_from_loopback() {
    let (_dir, state) = admin_state(Some("s3cret"), false);
    for (peer, token) in [
        ("127.0.0.1:4000", None),
        ("127.0.0.1:4000", Some("wrong")),
        ("203.0.113.5:4000", None),
        ("203.0.113.5:4000", Some("s3cre")),
        ("203.0.113.5:4000", Some("s3cret ")),
    ] {
        let r = request(&state, reload_request(peer, token)).await;
        assert_eq!(r.status, 401, "{peer} {token:?}");
        assert_eq!(r.headers["www-authenticate"], "Bearer");
        assert_eq!(r.json()["code"], "Unauthorized");
    }
    let r = request(&state, reload_request("203.0.113.5:4000", Some("s3cret"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], 2);
}

#[tokio::test]
async fn without_a_token_or_local_admin_reload_is_off() {
    let (_dir, state) = admin_state(None, false);
    let r = request(&state, reload_request("127.0.0.1:4000", None)).await;
    assert_eq!(r.status, 403);
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("--local-admin"));
}

#[tokio::test]
async fn local_admin_answers_loopback_but_not_a_request_that_came_through_a_proxy() {
    let (_dir, state) = admin_state(None, true);
    let r = request(&state, reload_request("127.0.0.1:4000", None)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.5"),
        ("forwarded", "for=203.0.113.5"),
        ("x-real-ip", "203.0.113.5"),
    ] {
        let req = with_header(reload_request("127.0.0.1:4000", None), name, value);
        let r = request(&state, req).await;
        assert_eq!(r.status, 403, "{name}");
    }
    let r = request(&state, reload_request("203.0.113.5:4000", None)).await;
    assert_eq!(r.status, 403, "another host");
}

#[tokio::test]
async fn reload_refuses_cross_site_requests_even_with_the_token_and_sends_no_cors_headers() {
    let (dir, state) = admin_state(Some("s3cret"), true);
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let req = with_header(
            reload_request("127.0.0.1:4000", Some("s3cret")),
            name,
            value,
        );
        let r = request(&state, req).await;
        assert_eq!(r.status, 403, "{name}: {value}");
        assert!(
            !r.headers
                .keys()
                .any(|k| k.as_str().starts_with("access-control-")),
            "{:?}",
            r.headers
        );
    }
    // The page of this very server may still post (same origin).
    let req = with_header(
        reload_request("127.0.0.1:4000", Some("s3cret")),
        "origin",
        "http://localhost",
    );
    assert_eq!(request(&state, req).await.status, 200);
    // Behind a declared public URL with a path, the page's origin is still its scheme and host.
    let public = AppState::load(dir.path().to_owned(), Some("s3cret".into()))
        .unwrap()
        .with_access(Access {
            public_url: Some("https://pot.example.org/ssepot".parse().unwrap()),
            ..Access::default()
        });
    let public = Arc::new(public);
    let req = with_header(
        reload_request("203.0.113.5:4000", Some("s3cret")),
        "origin",
        "https://pot.example.org",
    );
    assert_eq!(request(&public, req).await.status, 200);
    // A CORS preflight gets no permission either.
    let preflight = Request::options("/admin/reload")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    let r = request(&state, preflight).await;
    assert!(
        r.headers.get("access-control-allow-origin").is_none(),
        "{:?}",
        r.headers
    );
    // Other resources stay open to web maps on any site.
    let r = common::get_with(&state, "/collections", ("origin", "https://maps.example")).await;
    assert_eq!(r.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn a_10_mb_body_to_reload_is_413_with_or_without_the_token() {
    let (_dir, state) = admin_state(Some("s3cret"), false);
    for token in [None, Some("s3cret")] {
        let mut req = reload_request("203.0.113.5:4000", token);
        *req.body_mut() = Body::from(vec![b'x'; 10 * 1024 * 1024]);
        req.headers_mut()
            .insert("content-length", "10485760".parse().unwrap());
        let r = request(&state, req).await;
        assert_eq!(r.status, 413, "{token:?}");
        assert_eq!(r.json()["code"], "PayloadTooLarge");
    }
    // Without a declared length (chunked), the body is cut at the limit too.
    let mut req = reload_request("203.0.113.5:4000", Some("s3cret"));
    *req.body_mut() = Body::from_stream(futures_util::stream::iter(
        (0..10).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 1024 * 1024])),
    ));
    assert_eq!(request(&state, req).await.status, 413);
}

#[tokio::test]
async fn a_broken_battery_table_keeps_all_its_indicators_serving() {
    let dir = layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let csv = dir
        .path()
        .join("data/ssepot-muestra/bateria_indicadores_muestra.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("3,79;3,97", "3,79;x", 1);
    std::fs::write(&csv, text).unwrap();
    let report = state.reload().await.unwrap();
    assert!(report.error_count() > 0);
    let serving: Vec<_> = report
        .indicators
        .iter()
        .filter(|i| i.status == Some(ssepot::ingest::report::Status::ServingPrevious))
        .collect();
    assert_eq!(serving.len(), 12, "{report}");
    let r = get(&state, "/collections/mo-01/items/ciudad-2023")
        .await
        .json();
    assert_eq!(r["properties"]["value"], 90.62);
}
