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
        assert!(href.starts_with("http://internal:8080/"), "{href}");
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

/// One sample of the Prometheus/OpenMetrics text format: `name{a="x",b="y"} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the text exposition as its rules say: `#` lines are metadata; a sample is a metric name, optional
/// labels in braces with quoted values (`\"`, `\\` and `\n` escaped), and a value.
fn parse_exposition(text: &str) -> Vec<Sample> {
    assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    let mut samples = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let name_end = line.find(['{', ' ']).unwrap();
        let name = &line[..name_end];
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "metric name {name:?}"
        );
        let mut labels = Vec::new();
        let mut rest = &line[name_end..];
        if let Some(body) = rest.strip_prefix('{') {
            let mut chars = body.char_indices().peekable();
            loop {
                let (start, c) = chars.next().unwrap();
                if c == '}' {
                    rest = &body[start + 1..];
                    break;
                }
                if c == ',' {
                    continue;
                }
                let eq = body[start..].find('=').unwrap() + start;
                let key = body[start..eq].to_string();
                while chars.peek().unwrap().0 <= eq + 1 {
                    chars.next();
                }
                let mut value = String::new();
                loop {
                    let (_, c) = chars.next().unwrap();
                    match c {
                        '\\' => value.push(match chars.next().unwrap().1 {
                            'n' => '\n',
                            other => other,
                        }),
                        '"' => break,
                        other => value.push(other),
                    }
                }
                labels.push((key, value));
            }
        }
        let value = rest.split_whitespace().next().unwrap();
        let value = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value of {line:?}")),
        };
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

fn sample(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
        .sum()
}

async fn scrape(state: &Arc<AppState>) -> Vec<Sample> {
    let r = common::get(state, "/metrics").await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("application/openmetrics-text"),
        "{}",
        r.content_type
    );
    parse_exposition(&r.text())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_tiles_and_reloads() {
    let dir = common::layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let before = scrape(&state).await;
    let requests = "ssepot_http_requests_total";
    let by_route = |s: &[Sample], route: &str, status: &str| {
        sample(
            s,
            requests,
            &[("method", "GET"), ("route", route), ("status", status)],
        )
    };
    for id in ["comunas", "poblacion", "hogares"] {
        assert_eq!(
            common::get(&state, &format!("/collections/{id}"))
                .await
                .status,
            200
        );
    }
    assert_eq!(
        common::get(&state, "/collections/no-such-thing")
            .await
            .status,
        404
    );
    let tile = "/tiles/comunas/12/1187/1976.mvt";
    for _ in 0..3 {
        assert_eq!(common::get(&state, tile).await.status, 200);
    }
    state.reload().await.unwrap();
    let after = scrape(&state).await;

    let route = "/collections/{id}";
    assert_eq!(
        by_route(&after, route, "200") - by_route(&before, route, "200"),
        3.0
    );
    assert_eq!(
        by_route(&after, route, "404") - by_route(&before, route, "404"),
        1.0
    );
    assert!(
        after.iter().filter(|s| s.name == requests).all(|s| s
            .labels
            .iter()
            .all(|(_, v)| !v.contains("comunas") && !v.contains("no-such"))),
        "labels are route templates, never raw paths"
    );
    let count = "ssepot_http_request_duration_seconds_count";
    assert_eq!(sample(&after, count, &[("route", route)]), 4.0);
    let buckets: Vec<f64> = after
        .iter()
        .filter(|s| {
            s.name == "ssepot_http_request_duration_seconds_bucket"
                && s.labels.contains(&("route".into(), route.into()))
        })
        .map(|s| s.value)
        .collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    assert_eq!(
        buckets.last(),
        Some(&4.0),
        "the +Inf bucket counts every request"
    );

    let lookups = "ssepot_tile_cache_lookups_total";
    assert_eq!(sample(&after, lookups, &[("result", "miss")]), 1.0);
    assert_eq!(sample(&after, lookups, &[("result", "hit")]), 2.0);
    assert!(sample(&after, "ssepot_tile_bytes_served_total", &[]) > 0.0);
    assert_eq!(
        sample(&after, "ssepot_reloads_total", &[("outcome", "ok")]),
        1.0
    );
    assert_eq!(sample(&after, "ssepot_data_version", &[]), 2.0);
    assert_eq!(sample(&after, "ssepot_import_errors", &[]), 0.0);
}

#[tokio::test]
async fn health_says_ready_the_data_version_and_the_last_reload() {
    let dir = common::layers_copy();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let h = common::get(&state, "/health").await;
    assert_eq!(h.status, 200);
    let h = h.json();
    assert_eq!(h["ready"], true);
    assert_eq!(h["version"], 1);
    assert_eq!(
        h["collections"], 30,
        "4 unit sets (comunas and three territory editions), 4 real indicators, 12 sample ones, 3 computed, 2 barrio roll-ups to comunas and 5 progress maps"
    );
    assert_eq!(h["last_reload"], Value::Null);

    std::fs::remove_dir_all(dir.path()).unwrap();
    assert!(
        state.reload().await.is_err(),
        "a missing folder cannot reload"
    );
    let h = common::get(&state, "/health").await.json();
    assert_eq!(h["ready"], true, "the previous data keeps serving");
    assert_eq!(h["version"], 1);
    assert_eq!(h["last_reload"]["ok"], false);
    assert!(h["last_reload"]["error"].as_str().unwrap().len() > 5, "{h}");
    assert!(h["last_reload"]["at"].as_str().unwrap().ends_with('Z'));
    let m = scrape(&state).await;
    assert_eq!(
        sample(&m, "ssepot_reloads_total", &[("outcome", "failed")]),
        1.0
    );
}

fn link_to(doc: &Value, rel: &str, media: &str) -> Option<String> {
    doc["links"].as_array()?.iter().find_map(|l| {
        (l["rel"] == rel && l["type"] == media).then(|| l["href"].as_str().unwrap().to_string())
    })
}

/// The path of an absolute link of the test router (`http://test.local/...`).
fn path_of(href: &str) -> &str {
    href.strip_prefix("http://test.local").unwrap()
}

#[tokio::test]
async fn a_client_finds_the_tiles_and_the_style_of_an_indicator_by_links_alone() {
    let state = common::demo();
    let landing = common::get(&state, "/").await.json();
    let tilesets = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    assert_eq!(
        link_to(&landing, tilesets, "application/json").as_deref(),
        Some("http://test.local/collections/comunas/tiles")
    );
    let collections = link_to(&landing, "data", "application/json").unwrap();
    let list = common::get(&state, path_of(&collections)).await.json();
    let poblacion = list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "poblacion")
        .unwrap();
    let style_href = link_to(poblacion, "stylesheet", "application/json").unwrap();
    let style = common::get(&state, path_of(&style_href)).await;
    assert_eq!(style.status, 200);
    let style = style.json();
    assert_eq!(style["version"], 8, "a MapLibre style");
    let template = style["sources"]["ssepot"]["tiles"][0].as_str().unwrap();
    let tile = template
        .replace("{z}", "12")
        .replace("{x}", "1187")
        .replace("{y}", "1976");
    let r = common::get(&state, path_of(&tile)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/vnd.mapbox-vector-tile");

    // The tilesets link leads to a tileset whose tile template and tiling scheme resolve too.
    let tiles = common::get(
        &state,
        path_of(&link_to(poblacion, tilesets, "application/json").unwrap()),
    )
    .await
    .json();
    let tileset = &tiles["tilesets"][0];
    let item = tileset["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "item")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .replace("{tileMatrix}", "12")
        .replace("{tileRow}", "1976")
        .replace("{tileCol}", "1187");
    assert_eq!(common::get(&state, path_of(&item)).await.status, 200);
    let tilejson = link_to(poblacion, "describedby", "application/json").unwrap();
    assert!(tilejson.ends_with("/tiles/comunas.json"), "{tilejson}");
    assert_eq!(
        common::get(&state, path_of(&tilejson)).await.json()["tilejson"],
        "3.0.0"
    );
    for (media, root) in [
        ("application/xml", "<qgis"),
        ("application/vnd.ogc.sld+xml", "StyledLayerDescriptor"),
    ] {
        let href = link_to(poblacion, "stylesheet", media).unwrap();
        let r = common::get(&state, path_of(&href)).await;
        assert_eq!(r.status, 200, "{href}");
        assert_eq!(r.content_type, media, "{href}");
        assert!(r.text().contains(root), "{href}");
    }
}
