//! Bad and hostile requests across every endpoint family, through the real router: each gets the exact 4xx
//! it deserves, with an OGC exception JSON body that parses, names the bad parameter, and is never sniffed
//! as HTML. (Huge headers, hostile Host/X-Forwarded-*, big admin bodies and slow clients are tested with the
//! proxy and connection limits.)

mod common;
#[path = "common/server.rs"]
mod server;

use axum::body::Body;
use axum::http::Request;
use common::{demo, request, Reply};
use serde_json::Value;

/// One hostile request and what it must get.
struct Case {
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    status: u16,
    /// For a 400, the parameter the answer must name.
    parameter: Option<&'static str>,
}

fn case(uri: impl Into<String>, status: u16, parameter: Option<&'static str>) -> Case {
    Case {
        method: "GET",
        uri: uri.into(),
        headers: vec![],
        status,
        parameter,
    }
}

/// A 400 naming `parameter`.
fn bad(uri: impl Into<String>, parameter: &'static str) -> Case {
    case(uri, 400, Some(parameter))
}

fn not_found(uri: impl Into<String>) -> Case {
    case(uri, 404, None)
}

fn method(method: &'static str, uri: &str) -> Case {
    Case {
        method,
        ..case(uri, 405, None)
    }
}

async fn send(c: &Case) -> Reply {
    let mut req = Request::builder()
        .method(c.method)
        .uri(c.uri.as_str())
        .header("host", "test.local");
    for (k, v) in &c.headers {
        req = req.header(*k, v.as_str());
    }
    request(&demo(), req.body(Body::empty()).unwrap()).await
}

/// The OGC exception code of each status.
fn code(status: u16) -> &'static str {
    match status {
        400 => "InvalidParameterValue",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        other => panic!("no case expects {other}"),
    }
}

/// Sends every case and checks status, body and named parameter; returns how many were checked.
async fn check_all(cases: Vec<Case>) -> usize {
    let mut failures = Vec::new();
    for c in &cases {
        let r = send(c).await;
        let shown: String = c.uri.chars().take(120).collect();
        let label = format!("{} {shown}", c.method);
        if r.status != c.status {
            failures.push(format!(
                "{label}: {} instead of {}: {}",
                r.status,
                c.status,
                r.text()
            ));
            continue;
        }
        if r.content_type != "application/json"
            || r.headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes())
                != Some(b"nosniff")
        {
            failures.push(format!("{label}: not nosniff JSON: {:?}", r.headers));
            continue;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
            failures.push(format!("{label}: body is not JSON: {:?}", r.text()));
            continue;
        };
        let description = body["description"].as_str().unwrap_or_default();
        if body["code"] != code(c.status) || description.is_empty() {
            failures.push(format!("{label}: not an OGC exception: {body}"));
        }
        if let Some(p) = c.parameter {
            if body["parameter"] != p || !description.contains(&format!("`{p}`")) {
                failures.push(format!("{label}: does not name `{p}`: {body}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

const ITEMS: &str = "/collections/poblacion/items";

#[tokio::test]
async fn tile_coordinates_out_of_range_huge_or_not_numbers_are_400_naming_the_coordinate() {
    let n = check_all(vec![
        bad("/tiles/comunas/16/0/0", "z"),
        bad("/tiles/comunas/99/0/0.mvt", "z"),
        bad("/tiles/comunas/4294967296/0/0", "z"),
        bad("/tiles/comunas/abc/0/0", "z"),
        bad("/tiles/comunas/-1/0/0", "z"),
        bad("/tiles/comunas/%20/0/0", "z"),
        bad("/tiles/comunas/0/1/0", "x"),
        bad("/tiles/comunas/1/-1/0", "x"),
        bad("/tiles/comunas/12/99999999999999999999/0", "x"),
        bad("/tiles/comunas/12/1e3/0", "x"),
        bad("/tiles/comunas/12/1187.5/1976", "x"),
        bad("/tiles/comunas/0/0/1.mvt", "y"),
        bad("/tiles/comunas/12/1187/1976.png", "y"),
        bad("/tiles/comunas/12/1187/1976.mvt.mvt", "y"),
        bad("/tiles/comunas/12/1187/+1976", "y"),
        bad("/collections/comunas/tiles/WebMercatorQuad/99/0/0", "z"),
        bad("/collections/comunas/tiles/WebMercatorQuad/0/0/1", "x"),
        bad("/collections/comunas/tiles/WebMercatorQuad/0/1/0", "y"),
        bad("/collections/comunas/tiles/WebMercatorQuad/a/b/c", "z"),
        not_found("/collections/comunas/tiles/WorldCRS84Quad/0/0/0"),
        not_found("/tiles/nada/0/0/0"),
        not_found("/tiles/comunas/0/0"),
        not_found("/tiles/comunas/0/0/0/0"),
    ])
    .await;
    assert_eq!(n, 23);
}

#[tokio::test]
async fn ids_with_traversal_nul_or_10_kb_are_404_and_undecodable_paths_400() {
    let long = "a".repeat(10 * 1024);
    let n = check_all(vec![
        not_found("/collections/..%2f..%2fetc%2fpasswd"),
        not_found("/collections/%2e%2e%2f%2e%2e%2fCargo.toml/items"),
        not_found("/collections/../../etc/passwd"),
        not_found("/collections/poblacion/items/..%2f..%2fCargo.toml"),
        not_found("/collections/%00"),
        not_found("/collections/poblacion/items/01-2023%00"),
        not_found(format!("/collections/{long}")),
        not_found(format!("/collections/{long}/items")),
        not_found(format!("/collections/poblacion/items/{long}")),
        not_found(format!("/styles/{long}.json")),
        not_found("/styles/..%2f..%2fetc%2fpasswd.json"),
        not_found("/styles/poblacion.exe"),
        not_found("/styles/poblacion"),
        not_found("/styles/poblacion/..%2flegend.json"),
        not_found("/tiles/..%2fcomunas/0/0/0"),
        not_found("/tiles/comunas.json%00"),
        not_found("/map/..%2f..%2fCargo.toml"),
        not_found("/map/%2e%2e%2fsrc%2fmain.rs"),
        not_found("/map/vendor/..%2f..%2f..%2fCargo.toml"),
        not_found("/map/vendor/%00"),
        not_found("/collections/nada/series"),
        not_found("/collections/comunas/change?from=2020&to=2023"),
        not_found("/nada"),
        not_found("/collections/poblacion/items/01-2023/mas"),
        bad("/collections/%ff%fe", "path"),
        bad("/styles/%c3%28.json", "path"),
    ])
    .await;
    assert_eq!(n, 26);
}

#[tokio::test]
async fn bbox_with_nan_infinity_overflow_or_inverted_corners_is_400_naming_bbox() {
    let cases: Vec<Case> = [
        "NaN,6.2,-75.5,6.3",
        "-75.6,nan,-75.5,6.3",
        "inf,6.2,-75.5,6.3",
        "-75.6,6.2,-75.5,infinity",
        "-inf,6.2,-75.5,6.3",
        "1e400,6.2,-75.5,6.3",
        "-75.6,6.2,-75.5,-1e400",
        "-75.5,6.2,-75.6,6.3",
        "-75.6,6.3,-75.5,6.2",
        "-75.6,6.2,-75.5",
        "-75.6,6.2,-75.5,6.3,1",
        "a,b,c,d",
        "",
        "-200,6.2,-75.5,6.3",
        "-75.6,-95,-75.5,6.3",
        "-75.6,,-75.5,6.3",
        "0x10,6.2,-75.5,6.3",
    ]
    .iter()
    .map(|b| bad(format!("{ITEMS}?bbox={}", urlencode(b)), "bbox"))
    .chain([
        bad(format!("{ITEMS}?bbox=1,2,3,4&bbox=1,2,3,4"), "bbox"),
        bad(
            format!("{ITEMS}?bbox=-75.6,6.2,-75.5,6.3&bbox-crs=EPSG:2000"),
            "bbox-crs",
        ),
    ])
    .collect();
    assert_eq!(check_all(cases).await, 19);
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn datetime_and_year_garbage_is_400_on_every_endpoint_alike() {
    let garbage = [
        "2020-13-45",
        "2023garbage",
        "20233",
        "2023-02-30",
        "2023/2018",
        "ayer",
    ];
    let mut cases = Vec::new();
    for g in garbage {
        let g = urlencode(g);
        cases.push(bad(format!("{ITEMS}?datetime={g}"), "datetime"));
        cases.push(bad(
            format!("/tiles/comunas/12/1187/1976.mvt?datetime={g}"),
            "datetime",
        ));
        cases.push(bad(
            format!("/collections/comunas/tiles/WebMercatorQuad/12/1976/1187?datetime={g}"),
            "datetime",
        ));
        cases.push(bad(
            format!("/styles/poblacion/legend.json?datetime={g}"),
            "datetime",
        ));
    }
    for y in ["2023zzz", "20233", "-2023", "", "2023.0", "二〇二三"] {
        let y = urlencode(y);
        cases.push(bad(format!("{ITEMS}?year={y}"), "year"));
        cases.push(bad(
            format!("/styles/poblacion/legend.json?year={y}"),
            "year",
        ));
        cases.push(bad(
            format!("/collections/poblacion/change?from={y}&to=2023"),
            "from",
        ));
    }
    cases.extend([
        bad("/styles/poblacion.json?year=2023zzz", "year"),
        bad("/styles/poblacion.qml?year=20233", "year"),
        bad("/styles/poblacion.sld?datetime=2023garbage", "datetime"),
        bad("/styles/poblacion.json?year=1990", "year"),
        bad(
            "/styles/poblacion/legend.json?year=2023&datetime=2023",
            "datetime",
        ),
        bad("/tiles/comunas/0/0/0?datetime=2018/2023", "datetime"),
        bad("/collections/poblacion/change?from=2018&to=20233", "to"),
        bad("/collections/poblacion/change?to=2023", "from"),
        bad("/collections/poblacion/change?from=1990&to=2023", "from"),
        bad(
            "/collections/poblacion/change?from=2018&to=2023&f=csv&to=2020",
            "to",
        ),
        bad(format!("{ITEMS}?f=csv&year=2023zzz"), "year"),
        bad(format!("{ITEMS}?f=gpkg&datetime=2020-13-45"), "datetime"),
        bad(
            "/collections/poblacion/change?from=2018zz&to=2023&f=xlsx",
            "from",
        ),
    ]);
    assert_eq!(check_all(cases).await, 6 * 4 + 6 * 3 + 13);
}

#[tokio::test]
async fn limit_and_offset_that_are_zero_negative_or_overflow_are_400() {
    let cases = vec![
        bad(format!("{ITEMS}?limit=0"), "limit"),
        bad(format!("{ITEMS}?limit=-1"), "limit"),
        bad(format!("{ITEMS}?limit=18446744073709551616"), "limit"),
        bad(format!("{ITEMS}?limit=99999999999999999999999"), "limit"),
        bad(format!("{ITEMS}?limit=1.5"), "limit"),
        bad(format!("{ITEMS}?limit=1e3"), "limit"),
        bad(format!("{ITEMS}?limit="), "limit"),
        bad(format!("{ITEMS}?limit=%2B5"), "limit"),
        bad(format!("{ITEMS}?offset=-1"), "offset"),
        bad(format!("{ITEMS}?offset=18446744073709551615"), "offset"),
        bad(
            format!("{ITEMS}?f=html&offset=18446744073709551615"),
            "offset",
        ),
        bad(
            format!("{ITEMS}?f=csv&offset=18446744073709551616"),
            "offset",
        ),
        bad(format!("{ITEMS}?offset=4294967296"), "offset"),
        bad(format!("{ITEMS}?offset=NaN"), "offset"),
        bad(format!("{ITEMS}?limit=10&limit=20"), "limit"),
        bad("/styles/poblacion/legend.json?classes=0", "classes"),
        bad("/styles/poblacion/legend.json?classes=-1", "classes"),
        bad(
            "/styles/poblacion/legend.json?classes=18446744073709551616",
            "classes",
        ),
        bad("/styles/poblacion/legend.json?classes=8", "classes"),
        bad("/styles/poblacion/legend.json?method=kmeans", "method"),
        bad("/styles/poblacion/legend.json?method=manual", "method"),
    ];
    assert_eq!(check_all(cases).await, 21);
}

#[tokio::test]
async fn unknown_repeated_and_unoffered_parameters_are_400_on_every_endpoint() {
    let cases = vec![
        bad("/?x=1", "x"),
        bad("/conformance?x=1", "x"),
        bad("/api?x=1", "x"),
        bad("/collections?x=1", "x"),
        bad("/collections/comunas?limit=1", "limit"),
        bad(format!("{ITEMS}?anio=2023"), "anio"),
        bad("/collections/poblacion/items/01-2023?year=2023", "year"),
        bad("/collections/poblacion/series?year=2023", "year"),
        bad(
            "/collections/poblacion/change?from=2018&to=2023&code=1",
            "code",
        ),
        bad("/styles/poblacion.json?f=json", "f"),
        bad("/tiles/comunas.json?x=1", "x"),
        bad("/tiles/comunas/0/0/0?year=2023", "year"),
        bad("/collections/comunas/tiles?x=1", "x"),
        bad("/collections/comunas/tiles/WebMercatorQuad?x=1", "x"),
        bad("/tileMatrixSets?x=1", "x"),
        bad("/tileMatrixSets/WebMercatorQuad?x=1", "x"),
        bad("/map/?x=1", "x"),
        bad("/map/app.js?v=1", "v"),
        bad("/map/territorios.json?x=1", "x"),
        bad("/report?x=1", "x"),
        bad("/health?x=1", "x"),
        bad("/metrics?format=json", "format"),
        bad("/collections?f=json&f=html", "f"),
        bad("/collections?f=xml", "f"),
        bad("/collections?f=csv", "f"),
        bad("/collections/poblacion/series?f=html", "f"),
        bad("/tiles/comunas.json?f=html", "f"),
        bad("/tiles/comunas/0/0/0?f=json", "f"),
        bad("/collections/poblacion/series?code=", "code"),
        bad(format!("{ITEMS}?=1"), ""),
    ];
    assert_eq!(check_all(cases).await, 30);
}

#[tokio::test]
async fn accept_headers_that_refuse_every_offered_format_are_406() {
    let with_accept = |uri: &str, accept: &str| Case {
        headers: vec![("accept", accept.to_string())],
        ..case(uri, 406, None)
    };
    let cases = vec![
        with_accept("/collections", "application/json;q=0"),
        with_accept("/api", "image/png"),
        with_accept(ITEMS, "application/xml"),
        with_accept("/collections/poblacion/series", "text/html"),
        with_accept("/tiles/comunas.json", "application/json;q=0, */*;q=0"),
    ];
    assert_eq!(check_all(cases).await, 5);
}

#[tokio::test]
async fn wrong_methods_are_405_in_ogc_json_and_name_the_allowed_ones() {
    let cases = vec![
        method("POST", "/"),
        method("POST", "/collections"),
        method("DELETE", "/collections/comunas"),
        method("PUT", "/collections/poblacion/items"),
        method("PATCH", "/collections/poblacion/items/01-2023"),
        method("POST", "/api"),
        method("DELETE", "/tiles/comunas/0/0/0"),
        method("POST", "/styles/poblacion.json"),
        method("PUT", "/styles/poblacion/legend.json"),
        method("POST", "/collections/poblacion/change"),
        method("DELETE", "/map/"),
        method("POST", "/report"),
        method("POST", "/health"),
        method("PUT", "/metrics"),
        method("GET", "/admin/reload"),
        method("DELETE", "/admin/reload"),
    ];
    assert_eq!(check_all(cases).await, 16);
    let r = send(&method("POST", "/collections")).await;
    assert_eq!(r.headers["allow"], "GET,HEAD");
}

const SCRIPT: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn script_in_every_echoed_parameter_is_escaped_in_html_and_only_json_echoes_it() {
    let s = urlencode(SCRIPT);
    let attr = urlencode(&format!("\">{SCRIPT}"));
    // Pages that echo the query (the page links repeat the filters): HTML with every `<` escaped.
    let echoed = send(&case(format!("{ITEMS}?f=html&code={s}"), 200, None)).await;
    assert!(
        echoed
            .text()
            .contains("code=%3Cscript%3Ealert(1)%3C/script%3E"),
        "the page links repeat the filter, encoded"
    );
    for uri in [
        format!("{ITEMS}?f=html&code={s}"),
        format!("{ITEMS}?f=html&code={attr}"),
        format!("/collections/homicidios/items?f=html&code={attr}&limit=5&offset=10"),
    ] {
        let r = send(&case(uri.as_str(), 200, None)).await;
        assert_eq!(r.status, 200, "{uri}");
        assert!(r.content_type.starts_with("text/html"), "{uri}");
        let html = r.text();
        assert!(
            !html.contains("<script>alert"),
            "{uri}: unescaped script in\n{html}"
        );
        assert!(
            !html.contains("\"><script"),
            "{uri}: attribute broken out of in\n{html}"
        );
    }
    // Everything else that echoes a value answers in JSON, never sniffed as HTML.
    let cases = vec![
        bad(format!("{ITEMS}?f=html&datetime={s}"), "datetime"),
        bad(format!("{ITEMS}?f=html&bbox={s}"), "bbox"),
        bad(format!("{ITEMS}?f=html&limit={s}"), "limit"),
        bad(format!("{ITEMS}?f=html&offset={s}"), "offset"),
        bad(format!("{ITEMS}?f=html&year={s}"), "year"),
        bad(format!("{ITEMS}?f=html&code={}", "x".repeat(65)), "code"),
        bad(format!("{ITEMS}?f={s}"), "f"),
        bad(format!("{ITEMS}?f=html&bbox-crs={s}"), "bbox-crs"),
        bad(
            format!("/collections/poblacion/change?f=html&from={s}&to=2023"),
            "from",
        ),
        bad(
            format!("/styles/poblacion/legend.json?method={s}"),
            "method",
        ),
        bad(format!("/styles/poblacion.qml?classes={s}"), "classes"),
        bad(format!("/tiles/comunas/0/0/0?datetime={s}"), "datetime"),
        bad(format!("/tiles/comunas/{s}/0/0"), "z"),
        not_found(format!("/collections/{s}?f=html")),
        not_found(format!("/collections/poblacion/items/{s}?f=html")),
        not_found(format!("/styles/{s}.json")),
        not_found(format!("/map/{s}")),
        not_found(format!("/{s}")),
    ];
    assert_eq!(check_all(cases).await, 18);
}

#[tokio::test]
async fn a_60_kb_query_string_is_400_naming_the_parameter() {
    let cases = vec![
        bad(format!("{ITEMS}?code={}", "1".repeat(60_000)), "code"),
        bad(
            format!("{ITEMS}?datetime={}", "2".repeat(60_000)),
            "datetime",
        ),
        bad(format!("/collections?f={}", "j".repeat(60_000)), "f"),
        bad(
            format!("/collections?{}=1", "x".repeat(60_000)),
            "xxxxxxxxxxxxxxxxxxxx",
        ),
    ];
    // The last case names a 60 000-character parameter; check its start only.
    let (named, long): (Vec<Case>, Vec<Case>) = cases
        .into_iter()
        .partition(|c| c.parameter != Some("xxxxxxxxxxxxxxxxxxxx"));
    assert_eq!(check_all(named).await, 3);
    let r = send(&long[0]).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["parameter"]
        .as_str()
        .unwrap()
        .starts_with("xxxxxxxxxxxxxxxxxxxx"));
}

/// A request line and headers above the server's header cap (64 KB by default, `--max-header-bytes`) are refused
/// by the HTTP parser (hyper) before the router, with 431: they never reach ssepot's code.
#[test]
fn a_100_kb_query_string_is_431_from_the_real_server() {
    let server = server::Server::start(&common::layers_dir());
    let url = format!("{}{ITEMS}?code={}", server.url, "1".repeat(100_000));
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &url])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "431");
    // And the server still answers afterwards.
    assert_eq!(
        server.json("/collections")["collections"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

#[tokio::test]
async fn the_reproductions_of_issue_7_are_4xx_naming_the_parameter() {
    let n = check_all(vec![
        bad(format!("{ITEMS}?datetime=2020-13-45"), "datetime"),
        bad(
            "/tiles/comunas/12/1187/1976.mvt?datetime=2023garbage",
            "datetime",
        ),
        bad("/styles/poblacion/legend.json?year=2023zzz", "year"),
        bad("/styles/poblacion/legend.json?year=20233", "year"),
        bad(
            format!("{ITEMS}?f=html&offset=18446744073709551615"),
            "offset",
        ),
        not_found("/no/such/path"),
    ])
    .await;
    assert_eq!(n, 6);
}

#[tokio::test]
async fn a_hostile_forwarded_host_can_neither_break_nor_extend_the_maplibre_style() {
    for host in [
        "evil\"x",
        "x\"],\"injected\":1,\"zz\":[\"",
        "a\\\"b",
        "</script><script>",
    ] {
        let c = Case {
            headers: vec![("x-forwarded-host", host.to_string())],
            ..case("/styles/poblacion.json", 200, None)
        };
        let r = send(&c).await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{host}: {}",
            r.status
        );
        if r.status.is_success() {
            let style = r.json();
            let members: Vec<&String> = style.as_object().unwrap().keys().collect();
            assert_eq!(
                members,
                ["version", "name", "sources", "layers", "metadata"],
                "{host}"
            );
            assert_eq!(style["sources"].as_object().unwrap().len(), 1, "{host}");
            assert_eq!(
                style["sources"]["ssepot"]["tiles"]
                    .as_array()
                    .unwrap()
                    .len(),
                1,
                "{host}"
            );
        } else {
            assert!(r.json()["description"].is_string(), "{host}");
        }
    }
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_in_ogc_exception_json() {
    use tower::ServiceExt;
    let router = ssepot::http::answer_every_request(axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            let v: Vec<u8> = Vec::new();
            // An out-of-bounds index, as a bug would write it.
            v[usize::from(v.is_empty())].to_string()
        }),
    ));
    let res = router
        .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["code"], "ServerError");
    assert_eq!(body["description"], "internal error; see the server log");
}

/// A 400 for `parameter` whose description also contains `words` (a limit or a position named).
async fn bad_saying(uri: String, parameter: &'static str, words: &str) {
    let r = send(&bad(uri.clone(), parameter)).await;
    assert_eq!(
        r.status,
        400,
        "{}: {}",
        &uri[..uri.len().min(120)],
        r.text()
    );
    let body = r.json();
    assert_eq!(body["parameter"], parameter, "{body}");
    let d = body["description"].as_str().unwrap();
    assert!(d.contains(words), "`{words}` not in: {d}");
}

#[tokio::test]
async fn bad_filters_are_400_naming_filter_with_the_position_and_the_reason() {
    let f = |s: &str| format!("{ITEMS}?filter={}", urlencode(s));
    let cases: Vec<Case> = [
        "name = = 'a'",
        "name = 'a' garbage",
        "a = 1) OR (b = 2",
        "colour = 'red'",
        "name > 5",
        "value = 'alto'",
        "geometry = 1",
        "S_INTERSECTS(value, POINT(1 2))",
        "S_INTERSECTS(geometry, POINT(NaN 2))",
        "S_INTERSECTS(geometry, geometry)",
        "T_BEFORE(datetime, DATE('2023-02-30'))",
        "T_BEFORE(year, DATE('2023-01-01'))",
        "T_AFTER(datetime, INTERVAL('2020-01-01','2019-01-01'))",
        "name LIKE 'a\\'",
        "value + 1 > 2",
        "FOO(name) = 1",
        "CASEI(value) = 'x'",
        "value = NULL",
        "value > 1e5",
        "'unterminated",
        " ",
    ]
    .iter()
    .map(|s| bad(f(s), "filter"))
    .chain([
        bad(format!("{ITEMS}?filter=x&filter=y"), "filter"),
        bad(
            format!("{ITEMS}?filter-lang=cql3&filter=year%3D2020"),
            "filter-lang",
        ),
        bad(
            format!(
                "{ITEMS}?filter-lang=cql2-json&filter={}",
                urlencode("{\"op\":\"=\"")
            ),
            "filter",
        ),
        bad(
            format!(
                "{ITEMS}?filter-lang=cql2-json&filter={}",
                urlencode("{\"op\":\"=\",\"args\":[{\"property\":\"nope\"},1]}")
            ),
            "filter",
        ),
        bad(format!("{ITEMS}?sortby=colour"), "sortby"),
        bad(format!("{ITEMS}?sortby=geometry"), "sortby"),
        bad(format!("{ITEMS}?sortby=name,,code"), "sortby"),
    ])
    .collect();
    assert_eq!(check_all(cases).await, 28);
    bad_saying(f("name = = 'a'"), "filter", "at character").await;
    bad_saying(
        f("year = 2020 AND colour = 'red'"),
        "filter",
        "at character 17",
    )
    .await;
    bad_saying(
        f("year = 2020 AND colour = 'red'"),
        "filter",
        "`colour` is not a queryable",
    )
    .await;
}

#[tokio::test]
async fn filters_past_their_limits_are_400_naming_the_limit_and_never_crash() {
    let f = |s: &str| format!("{ITEMS}?filter={}", urlencode(s));
    // Length: one character past the limit.
    let long = format!("name = '{}'", "a".repeat(16_384));
    bad_saying(f(&long), "filter", "the limit is 16384").await;
    // Depth: brackets, NOTs, and a nesting of functions the parser sees.
    let deep = format!("{}year = 2020{}", "(".repeat(5_000), ")".repeat(5_000));
    bad_saying(f(&deep), "filter", "levels").await;
    bad_saying(
        f(&("NOT ".repeat(3_000) + "year = 2020")),
        "filter",
        "levels",
    )
    .await;
    let casei = format!("{}name{} = 'a'", "CASEI(".repeat(25), ")".repeat(25));
    bad_saying(f(&casei), "filter", "levels").await;
    // Operators: the parser's time grows with their square, so they are counted before it runs.
    bad_saying(
        f(&("year = ".repeat(2_000) + "1")),
        "filter",
        "256 operators",
    )
    .await;
    bad_saying(
        f(&("-".repeat(8_000) + "1 = year")),
        "filter",
        "256 operators",
    )
    .await;
    bad_saying(
        f(&("year = 2020 OR ".repeat(300) + "year = 1")),
        "filter",
        "256 operators",
    )
    .await;
    // A long list of alternatives under the limit is wide, not deep: it is served.
    let alternatives = "year = 2020 OR ".repeat(100) + "year = 2021";
    let r = send(&case(f(&alternatives), 200, None)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Vertices: a ring of 1 001 points.
    let ring: Vec<String> = (0..=1000)
        .map(|i| {
            let a = f64::from(i) / 1000.0 * std::f64::consts::TAU;
            format!(
                "{:.4} {:.4}",
                -75.57 + 0.01 * a.cos(),
                6.25 + 0.01 * a.sin()
            )
        })
        .collect();
    let poly = format!("S_INTERSECTS(geometry, POLYGON(({})))", ring.join(","));
    bad_saying(f(&poly), "filter", "the limit is 1000").await;
    // JSON nested past serde's own limit.
    let json = "[".repeat(3_000) + &"]".repeat(3_000);
    assert_eq!(
        send(&bad(
            format!("{ITEMS}?filter-lang=cql2-json&filter={}", urlencode(&json)),
            "filter"
        ))
        .await
        .status,
        400
    );
    // The server still answers.
    let r = send(&case(
        format!("{ITEMS}?filter={}", urlencode("year = 2020")),
        200,
        None,
    ))
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn filter_crs_the_collection_does_not_offer_is_400_naming_it() {
    let f = |crs: &str| {
        format!(
            "{ITEMS}?filter-crs={}&filter={}",
            urlencode(crs),
            urlencode("S_INTERSECTS(geometry, POINT(-75.57 6.25))")
        )
    };
    for (crs, named) in [
        ("http://www.opengis.net/def/crs/EPSG/0/2154", "2154"),
        ("EPSG:32618", "32618"),
        ("nonsense", "nonsense"),
    ] {
        bad_saying(f(crs), "filter-crs", named).await;
    }
}
