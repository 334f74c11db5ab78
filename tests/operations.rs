//! Operations through the real router: links built only from checked, trusted origins; `/health`; `/metrics`.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::{get_with, get_with_headers, layers_dir, request, Reply};
use serde_json::Value;
use ssepot::access::Access;
use ssepot::state::AppState;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

const INJECTED_HOST: &str = r#"x"],"injected":1,"zz":[""#;

/// The demo layers behind a proxy on 10.0.0.0/8, and with a declared public URL.
fn behind_proxy() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let access = Access {
                trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
                ..Access::default()
            };
            Arc::new(
                AppState::load(layers_dir(), None)
                    .unwrap()
                    .with_access(access),
            )
        })
        .clone()
}

fn with_public_url() -> Arc<AppState> {
    let access = Access {
        public_url: Some("https://pot.example.org/ssepot/".parse().unwrap()),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..Access::default()
    };
    Arc::new(
        AppState::load(layers_dir(), None)
            .unwrap()
            .with_access(access),
    )
}

async fn from_peer(
    state: &Arc<AppState>,
    peer: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = Request::get(uri).header("host", "internal:8080");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    request(state, req).await
}

fn hrefs(doc: &Value) -> Vec<String> {
    doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_forged_forwarded_host_adds_no_member_to_the_maplibre_style() {
    let state = common::demo();
    let r = get_with(
        &state,
        "/styles/poblacion.json",
        ("x-forwarded-host", INJECTED_HOST),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let style = r.json();
    let mut keys: Vec<&str> = style
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["layers", "metadata", "name", "sources", "version"]);
    let tiles = style["sources"]["ssepot"]["tiles"][0].as_str().unwrap();
    assert_eq!(tiles, "http://test.local/tiles/comunas/{z}/{x}/{y}.mvt");
}

#[tokio::test]
async fn forwarded_proto_javascript_never_reaches_an_html_link() {
    let state = common::demo();
    let headers = [("x-forwarded-proto", "javascript"), ("accept", "text/html")];
    for uri in [
        "/collections/homicidios/items?f=html&limit=10",
        "/collections/comunas/items?f=html",
    ] {
        let r = get_with_headers(&state, uri, &headers).await;
        assert_eq!(r.status, 200, "{uri}");
        let html = r.text();
        assert!(
            !html.to_lowercase().contains("javascript:"),
            "{uri}:\n{html}"
        );
        assert!(
            html.contains("href=\"http://test.local/collections/"),
            "{uri}:\n{html}"
        );
    }
    let r = get_with(&state, "/collections", ("x-forwarded-proto", "javascript")).await;
    assert!(hrefs(&r.json())
        .iter()
        .all(|h| h.starts_with("http://test.local/")));
}

#[tokio::test]
async fn a_host_header_that_is_not_a_host_and_port_is_400_naming_host() {
    let state = common::demo();
    for host in [
        r#"evil"x"#,
        INJECTED_HOST,
        "a b",
        "javascript:alert(1)",
        "h/../x",
    ] {
        let req = Request::get("/styles/poblacion.json")
            .header("host", host)
            .body(Body::empty())
            .unwrap();
        let r = request(&state, req).await;
        assert_eq!(r.status, 400, "Host: {host}");
        let e = r.json();
        assert_eq!(e["code"], "InvalidParameterValue");
        assert_eq!(e["parameter"], "Host");
    }
}

#[tokio::test]
async fn forwarded_headers_from_clients_that_are_not_trusted_proxies_are_ignored() {
    let state = behind_proxy();
    let headers = [
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-prefix", "/phish"),
    ];
    let r = from_peer(&state, "203.0.113.7:5000", "/collections/comunas", &headers).await;
    assert_eq!(r.status, 200);
    for href in hrefs(&r.json()) {
        assert!(
            href.starts_with("http://internal:8080/collections/comunas"),
            "{href}"
        );
    }
}

#[tokio::test]
async fn a_trusted_proxy_sets_the_host_scheme_and_prefix_of_links() {
    let state = behind_proxy();
    let headers = [
        ("x-forwarded-host", "datos.example.org, 10.0.0.9"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-prefix", "/ssepot"),
    ];
    let r = from_peer(&state, "10.1.2.3:5000", "/collections/comunas", &headers).await;
    assert_eq!(r.status, 200);
    let links = hrefs(&r.json());
    assert!(
        links.contains(
            &"https://datos.example.org/ssepot/collections/comunas/items?f=json".to_string()
        ),
        "{links:?}"
    );
    let r = from_peer(&state, "10.1.2.3:5000", "/tiles/comunas.json", &headers).await;
    assert_eq!(
        r.json()["tiles"][0],
        "https://datos.example.org/ssepot/tiles/comunas/{z}/{x}/{y}.mvt"
    );
}

#[tokio::test]
async fn a_trusted_proxy_that_forwards_an_invalid_host_or_scheme_gets_400_naming_the_header() {
    let state = behind_proxy();
    for (header, value) in [
        ("x-forwarded-host", INJECTED_HOST),
        ("x-forwarded-host", "evil.org/path"),
        ("x-forwarded-proto", "javascript"),
        ("x-forwarded-prefix", "/../x"),
        ("x-forwarded-prefix", "javascript:alert(1)"),
    ] {
        let r = from_peer(&state, "10.1.2.3:5000", "/collections", &[(header, value)]).await;
        assert_eq!(r.status, 400, "{header}: {value}");
        assert_eq!(
            r.json()["parameter"].as_str().unwrap().to_lowercase(),
            header
        );
    }
}

#[tokio::test]
async fn a_declared_public_url_wins_over_host_and_every_forwarded_header() {
    let state = with_public_url();
    let headers = [
        ("x-forwarded-host", "other.example"),
        ("x-forwarded-proto", "http"),
    ];
    let r = from_peer(&state, "10.1.2.3:5000", "/", &headers).await;
    for href in hrefs(&r.json()) {
        assert!(
            href.starts_with("https://pot.example.org/ssepot/"),
            "{href}"
        );
    }
    let r = from_peer(&state, "203.0.113.7:5000", "/styles/hogares.json", &headers).await;
    assert_eq!(
        r.json()["sources"]["ssepot"]["tiles"][0],
        "https://pot.example.org/ssepot/tiles/comunas/{z}/{x}/{y}.mvt"
    );
}
