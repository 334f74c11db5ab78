//! The reporting store through the real router and the demo layers, the same cases for every store
//! (included by `tests/store_sqlite.rs` and `tests/store_postgres.rs`): submissions (JSON, CSV, XLSX), the
//! review workflow up to what the public sees, the change log, and every refusal with nothing written.

use crate::common::{layers_dir, request, Reply};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use serde_json::{json, Value};
use ssepot::state::AppState;
use ssepot::store::log::LogFilter;
use ssepot::store::{ItemFilter, Reporting, Role, Store};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

pub struct Fixture {
    pub state: Arc<AppState>,
    pub store: Arc<dyn Store>,
    pub reviewer: String,
}

/// Runs blocking store work outside the test's async runtime (the PostgreSQL client has its own).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// One server state over the demo layers with a fresh store, shared by the tests of this file. Each test
/// uses its own office (and so its own indicators' items and log entries), so they can run in parallel.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        off_runtime(|| {
            let store = super::open_store();
            let reporting = Arc::new(Reporting::new(store.clone(), 10 * 1024 * 1024));
            let state = AppState::load(layers_dir(), None)
                .unwrap()
                .with_reporting(reporting)
                .unwrap();
            let reviewer = store
                .add_token(Role::Reviewer, None, "DAP — revisora")
                .unwrap();
            Fixture {
                state: Arc::new(state),
                store,
                reviewer,
            }
        })
    })
}

/// A new office reporting `indicators`, and its token.
pub fn office(id: &str, indicators: &[&str]) -> String {
    let f = fixture();
    let inds: Vec<String> = indicators.iter().map(|s| s.to_string()).collect();
    off_runtime(|| {
        f.store
            .add_office(id, &format!("Oficina {id}"), &inds)
            .unwrap();
        f.store
            .add_token(Role::Office, Some(id), &format!("enlace de {id}"))
            .unwrap()
    })
}

pub async fn send(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
    peer: Option<&str>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(body.into()).unwrap();
    if let Some(ip) = peer {
        req.extensions_mut().insert(ConnectInfo(
            format!("{ip}:4000").parse::<SocketAddr>().unwrap(),
        ));
    }
    request(&fixture().state, req).await
}

pub async fn post_json(uri: &str, token: &str, key: Option<&str>, body: Value) -> Reply {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    if let Some(k) = key {
        headers.push(("idempotency-key", k));
    }
    send("POST", uri, &headers, body.to_string(), None).await
}

pub async fn get_auth(uri: &str, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    send("GET", uri, &[("authorization", &auth)], Body::empty(), None).await
}

async fn move_items(ids: &[i64], to: &str, reason: Option<&str>) -> Reply {
    let mut body = json!({"items": ids, "to": to});
    if let Some(r) = reason {
        body["reason"] = r.into();
    }
    post_json("/reporting/transitions", &fixture().reviewer, None, body).await
}

fn item_ids(reply: &Reply) -> Vec<i64> {
    reply.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item"].as_i64().unwrap())
        .collect()
}

/// Items and log entries an office has: what "nothing written" is checked against.
fn written_by(office: &str) -> (usize, usize) {
    off_runtime(|| written_by_now(office))
}

fn written_by_now(office: &str) -> (usize, usize) {
    let f = fixture();
    let items = f
        .store
        .items(&ItemFilter {
            office: Some(office.into()),
            ..Default::default()
        })
        .unwrap()
        .len();
    let log = f
        .store
        .log(&LogFilter {
            office: Some(office.into()),
            ..Default::default()
        })
        .unwrap()
        .len();
    (items, log)
}

async fn public_value(indicator: &str, code: &str, year: i32) -> Option<Value> {
    let reply = send(
        "GET",
        &format!("/collections/{indicator}/items?year={year}&limit=100"),
        &[],
        Body::empty(),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == code)
        .map(|f| f["properties"]["value"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_value_replaces_the_layer_value_for_the_public_only_after_publication() {
    let token = office("seguridad", &["homicidios"]);
    let before = public_value("homicidios", "10", 2023).await.unwrap();
    assert_ne!(before, json!(4321.0));
    let tile_before = send(
        "GET",
        "/tiles/comunas/12/1188/1976.mvt",
        &[],
        Body::empty(),
        None,
    )
    .await;

    let sent = post_json(
        "/reporting/values",
        &token,
        Some("seg-1"),
        json!({"values": [{"indicator": "homicidios", "territory": "10", "year": 2023, "value": 4321}]}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let ids = item_ids(&sent);
    assert_eq!(
        public_value("homicidios", "10", 2023).await.unwrap(),
        before,
        "reportado is not public"
    );

    let own = get_auth("/reporting/items", &token).await.json();
    assert_eq!(own["items"][0]["state"], "reportado");
    assert_eq!(
        own["items"][0]["served"]["value"], before,
        "the diff shows the value served now"
    );
    let origin = &own["items"][0]["served_origin"];
    assert_eq!(origin["kind"], "layer_file");
    // The value served now comes from line 211 of the homicides CSV (`10,2023,68`), named as the layers
    // folder names it.
    assert_eq!(origin["layer_file"], "homicidios.toml");
    assert_eq!(
        origin["table"],
        "data/medellin/homicidios_comuna_anual_2003_2023.csv"
    );
    assert_eq!(origin["row"], 211);

    for to in ["verificado", "validado"] {
        assert_eq!(move_items(&ids, to, None).await.status, 200);
        assert_eq!(
            public_value("homicidios", "10", 2023).await.unwrap(),
            before,
            "{to} is not public"
        );
    }
    let published = move_items(&ids, "publicado", None).await;
    assert_eq!(published.status, 200, "{}", published.text());
    assert_eq!(
        public_value("homicidios", "10", 2023).await.unwrap(),
        json!(4321.0)
    );
    let tile_after = send(
        "GET",
        "/tiles/comunas/12/1188/1976.mvt",
        &[],
        Body::empty(),
        None,
    )
    .await;
    assert!(
        !tile_before.body.is_empty(),
        "the tile covers La Candelaria"
    );
    assert_ne!(
        tile_before.headers["etag"], tile_after.headers["etag"],
        "tiles carry the new value"
    );

    let origin = send(
        "GET",
        "/reporting/origin?indicator=homicidios&territory=10&year=2023",
        &[],
        Body::empty(),
        None,
    )
    .await
    .json();
    assert_eq!(origin["origin"]["kind"], "submission");
    assert_eq!(origin["origin"]["office"], "seguridad");
    assert_eq!(origin["origin"]["item"], ids[0]);

    let log = get_auth("/reporting/log?indicator=homicidios", &fixture().reviewer)
        .await
        .json();
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["item"] == ids[0])
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["reportado", "verificado", "validado", "publicado"]
    );
    let first = &log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item"] == ids[0])
        .unwrap();
    assert_eq!(first["after"], "4321");
    assert!(first["actor"]
        .as_str()
        .unwrap()
        .contains("enlace de seguridad"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_value_carries_its_reason_and_the_office_fixes_it() {
    let token = office("movilidad", &["hogares"]);
    let sent = post_json(
        "/reporting/values",
        &token,
        Some("mov-1"),
        json!({"values": [
            {"indicator": "hogares", "territory": "01", "year": 2031, "value": "50.123"},
            {"indicator": "hogares", "territory": "2", "year": 2031, "value": "ND"}
        ]}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let rows = sent.json()["rows"].clone();
    assert_eq!(
        rows[0]["value"], 50123.0,
        "thousands dot with the default decimal comma"
    );
    assert_eq!(rows[0]["territory"], "01");
    assert_eq!(rows[1]["nd"], true);
    let ids = item_ids(&sent);

    let no_reason = move_items(&ids[..1], "devuelto", None).await;
    assert_eq!(no_reason.status, 409, "{}", no_reason.text());
    assert!(no_reason.text().contains("reason"));
    let returned = move_items(
        &ids[..1],
        "devuelto",
        Some("La cifra no coincide con el SISBÉN"),
    )
    .await;
    assert_eq!(returned.status, 200);

    let own = get_auth("/reporting/items?state=devuelto", &token)
        .await
        .json();
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        own["items"][0]["reason"],
        "La cifra no coincide con el SISBÉN"
    );

    let fixed = post_json(
        "/reporting/values",
        &token,
        Some("mov-2"),
        json!({"values": [{"indicator": "hogares", "territory": "1", "year": 2031, "value": 50100}]}),
    )
    .await;
    assert_eq!(fixed.status, 201);
    let pending = get_auth("/reporting/items?state=reportado", &token)
        .await
        .json();
    let values: Vec<f64> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(
        values,
        [-1.0, 50100.0],
        "the ND row and the fix are pending; the returned one is not"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resubmission_with_the_same_key_changes_nothing() {
    let token = office("hacienda", &["poblacion"]);
    let body =
        json!({"values": [{"indicator": "poblacion", "territory": "3", "year": 2032, "value": 1}]});
    let first = post_json("/reporting/values", &token, Some("hac-1"), body.clone()).await;
    assert_eq!(first.status, 201);
    let after_first = written_by("hacienda");
    let again = post_json("/reporting/values", &token, Some("hac-1"), body).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(item_ids(&again), item_ids(&first));
    assert_eq!(written_by("hacienda"), after_first);

    let other =
        json!({"values": [{"indicator": "poblacion", "territory": "3", "year": 2032, "value": 2}]});
    let reused = post_json("/reporting/values", &token, Some("hac-1"), other.clone()).await;
    assert_eq!(reused.status, 409);
    assert!(reused.json()["description"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    let missing = post_json("/reporting/values", &token, None, other).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["parameter"], "Idempotency-Key");
    assert_eq!(written_by("hacienda"), after_first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_offices_indicator_is_refused_naming_the_field_and_nothing_is_written() {
    let token = office("cultura", &["hogares"]);
    let reply = post_json(
        "/reporting/values",
        &token,
        Some("cul-1"),
        json!({"values": [
            {"indicator": "hogares", "territory": "5", "year": 2033, "value": 10},
            {"indicator": "poblacion", "territory": "5", "year": 2033, "value": 10}
        ]}),
    )
    .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["parameter"], "indicator");
    assert_eq!(body["rows"][0]["status"], "aceptado");
    assert_eq!(body["rows"][1]["status"], "rechazado");
    assert_eq!(body["rows"][1]["field"], "indicator");
    assert_eq!(
        written_by("cultura"),
        (0, 0),
        "one bad row: nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_reported_one_by_one_naming_their_field() {
    let token = office("educacion", &["poblacion"]);
    let reply = post_json(
        "/reporting/values",
        &token,
        Some("edu-1"),
        json!({"values": [
            {"indicator": "poblacion", "territory": "77", "year": 2030, "value": 1},
            {"indicator": "poblacion", "territory": "1", "year": "dos mil", "value": 1},
            {"indicator": "poblacion", "territory": "1", "year": 2030, "value": "3.73"},
            {"indicator": "nada", "territory": "1", "year": 2030, "value": 1}
        ]}),
    )
    .await;
    assert_eq!(reply.status, 400);
    let body = reply.json();
    let fields: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["territory", "year", "value", "indicator"]);
    let unknown = post_json(
        "/reporting/values",
        &token,
        Some("edu-2"),
        json!({"valores": []}),
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["parameter"], "valores");
    assert_eq!(written_by("educacion"), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_revoked_token_is_401_and_repeated_failures_are_throttled() {
    let token = office("salud", &["poblacion"]);
    let body =
        json!({"values": [{"indicator": "poblacion", "territory": "1", "year": 2034, "value": 1}]});
    let wrong = format!("{}0", &token[..token.len() - 1]);
    let wrong = if wrong == token {
        format!("{}1", &token[..token.len() - 1])
    } else {
        wrong
    };
    let send_as = |t: String, ip: &'static str| {
        let body = body.to_string();
        async move {
            let auth = format!("Bearer {t}");
            send(
                "POST",
                "/reporting/values",
                &[("authorization", &auth), ("idempotency-key", "sal-1")],
                body,
                Some(ip),
            )
            .await
        }
    };
    let r = send_as(wrong.clone(), "192.0.2.1").await;
    assert_eq!(r.status, 401);
    assert!(r.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert!(
        !r.text().contains(&wrong[10..]),
        "the token is never echoed"
    );
    for _ in 0..4 {
        assert_eq!(send_as(wrong.clone(), "192.0.2.1").await.status, 401);
    }
    let throttled = send_as(token.clone(), "192.0.2.1").await;
    assert_eq!(
        throttled.status, 429,
        "even the right token waits after 5 failures"
    );
    assert!(throttled.headers.contains_key("retry-after"));
    assert_eq!(written_by("salud"), (0, 0));

    let id = token.split('_').nth(1).unwrap();
    assert!(off_runtime(|| fixture().store.revoke_token(id).unwrap()));
    assert_eq!(send_as(token, "192.0.2.2").await.status, 401, "revoked");
    assert_eq!(written_by("salud"), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offices_do_not_review_and_reviewers_do_not_submit() {
    let token = office("ambiente", &["hogares"]);
    let sent = post_json(
        "/reporting/values",
        &token,
        Some("amb-1"),
        json!({"values": [{"indicator": "hogares", "territory": "8", "year": 2035, "value": 3}]}),
    )
    .await;
    let ids = item_ids(&sent);
    let by_office = post_json(
        "/reporting/transitions",
        &token,
        None,
        json!({"items": ids, "to": "verificado"}),
    )
    .await;
    assert_eq!(by_office.status, 403);
    let by_reviewer = post_json(
        "/reporting/values",
        &fixture().reviewer,
        Some("rev-1"),
        json!({"values": [{"indicator": "hogares", "territory": "8", "year": 2035, "value": 3}]}),
    )
    .await;
    assert_eq!(by_reviewer.status, 403);
    let skip = move_items(&ids, "publicado", None).await;
    assert_eq!(skip.status, 409, "reportado cannot jump to publicado");
    assert_eq!(written_by("ambiente"), (1, 1));
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "ssepot-test-boundary";
    let mut body = Vec::new();
    for (name, filename, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    token: &str,
    fields: &[(&str, Option<&str>, &[u8])],
    extra: &[(&str, &str)],
) -> Reply {
    let (ct, body) = multipart(fields);
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", ct.as_str()),
    ];
    headers.extend_from_slice(extra);
    send("POST", "/reporting/uploads", &headers, body, None).await
}

fn xlsx(rows: &[[&str; 4]], numeric_last: Option<f64>) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    if let Some(n) = numeric_last {
        let r = rows.len() as u32;
        ws.write_string(r, 0, "poblacion").unwrap();
        ws.write_string(r, 1, "ciudad").unwrap();
        ws.write_number(r, 2, 2036.0).unwrap();
        ws.write_number(r, 3, n).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_upload_with_nd_and_decimal_comma_is_read_like_a_layer_table() {
    let token = office("vivienda", &["poblacion"]);
    let book = xlsx(
        &[
            ["Indicador", "Código territorio", "Año", "Valor"],
            ["poblacion", "01", "2036", "12,5"],
            ["POBLACION", "16", "2036", "ND"],
        ],
        Some(7.25),
    );
    let reply = upload(
        &token,
        &[
            ("idempotency_key", None, b"viv-1"),
            ("file", Some("datos.xlsx"), &book),
        ],
        &[],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let rows = reply.json()["rows"].clone();
    assert_eq!(rows[0]["row"], 2, "spreadsheet row numbers");
    assert_eq!(rows[0]["value"], 12.5);
    assert_eq!(rows[1]["nd"], true);
    assert_eq!(rows[1]["indicator"], "poblacion");
    assert_eq!(rows[2]["value"], 7.25, "a number cell is a number");
    let items = get_auth("/reporting/items", &token).await.json();
    assert_eq!(items["items"][0]["source"], "datos.xlsx");
    assert_eq!(items["items"][0]["territory"], "1");
    assert_eq!(items["items"][2]["territory"], "ciudad");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_with_a_point_where_a_comma_belongs_is_refused_naming_row_and_column() {
    let token = office("obras", &["poblacion"]);
    let csv = "indicador;territorio;año;Valor\npoblacion;1;2037;10,5\npoblacion;2;2037;3.73\n";
    let reply = upload(
        &token,
        &[
            ("idempotency_key", None, b"obr-1"),
            ("file", Some("x.csv"), csv.as_bytes()),
        ],
        &[],
    )
    .await;
    assert_eq!(reply.status, 400);
    let body = reply.json();
    assert_eq!(body["parameter"], "Valor");
    assert!(
        body["description"].as_str().unwrap().contains("row 3"),
        "{body}"
    );
    assert_eq!(written_by("obras"), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_is_413_and_nothing_is_written() {
    let token = office("gobierno", &["poblacion"]);
    let big = vec![b'1'; 50 * 1024 * 1024];
    let reply = upload(
        &token,
        &[
            ("idempotency_key", None, b"gob-1"),
            ("file", Some("big.csv"), &big),
        ],
        &[],
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["code"], "PayloadTooLarge");
    assert!(reply.json()["description"]
        .as_str()
        .unwrap()
        .contains("`file`"));
    assert_eq!(written_by("gobierno"), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_bomb_is_413_before_it_is_read_and_nothing_is_written() {
    use std::io::{Read, Write};
    let token = office("innovacion", &["poblacion"]);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let mut zeros = std::io::repeat(b' ').take(120 * 1024 * 1024);
    std::io::copy(&mut zeros, &mut zip).unwrap();
    zip.flush().unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    let reply = upload(
        &token,
        &[
            ("idempotency_key", None, b"inn-1"),
            ("file", Some("bomba.xlsx"), &bomb),
        ],
        &[],
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(reply.json()["description"]
        .as_str()
        .unwrap()
        .contains("expands"));
    assert_eq!(written_by("innovacion"), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_form_is_refused_and_nothing_is_written() {
    let token = office("deporte", &["poblacion"]);
    let csv = b"indicador,territorio,ano,valor\npoblacion,4,2038,5\n";
    let cookie = format!("ssepot_reporte={token}");
    let (ct, body) = multipart(&[
        ("idempotency_key", None, b"dep-1"),
        ("file", Some("f.csv"), csv),
    ]);
    let no_token = send(
        "POST",
        "/reporting/uploads",
        &[("cookie", &cookie), ("content-type", &ct)],
        body,
        None,
    )
    .await;
    assert_eq!(no_token.status, 403, "{}", no_token.text());
    assert_eq!(
        no_token.json()["description"]
            .as_str()
            .unwrap()
            .split('`')
            .nth(1),
        Some("csrf")
    );

    let csrf = ssepot::store::auth::form_token(&token);
    let fields = [
        ("idempotency_key", None, &b"dep-1"[..]),
        ("csrf", None, csrf.as_bytes()),
        ("file", Some("f.csv"), &csv[..]),
    ];
    let (ct, body) = multipart(&fields);
    let other_site = send(
        "POST",
        "/reporting/uploads",
        &[
            ("cookie", &cookie),
            ("content-type", &ct),
            ("origin", "https://evil.example"),
        ],
        body,
        None,
    )
    .await;
    assert_eq!(other_site.status, 403);
    assert!(other_site.text().contains("`Origin`"));
    assert_eq!(written_by("deporte"), (0, 0));

    let (ct, body) = multipart(&fields);
    let genuine = send(
        "POST",
        "/reporting/uploads",
        &[
            ("cookie", &cookie),
            ("content-type", &ct),
            ("origin", "http://test.local"),
        ],
        body,
        None,
    )
    .await;
    assert_eq!(
        genuine.status,
        201,
        "the same form from its own page passes: {}",
        genuine.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_change_goes_through_review_and_into_the_log() {
    let token = office("planeacion", &["poblacion"]);
    let sent = post_json(
        "/reporting/sheet-changes",
        &token,
        Some("pla-1"),
        json!({"changes": [{"indicator": "poblacion", "field": "target", "before": "ND", "after": "2700000", "why": "Meta del Plan de Desarrollo 2024-2027"}]}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let ids: Vec<i64> = sent.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let public_target = || async {
        let sheet = send("GET", "/indicators/poblacion", &[], Body::empty(), None).await;
        assert_eq!(sheet.status, 200, "{}", sheet.text());
        sheet.json()["sheet"]["target"].clone()
    };
    for to in ["verificado", "validado"] {
        assert_eq!(move_items(&ids, to, None).await.status, 200);
        assert_eq!(
            public_target().await,
            Value::Null,
            "not published yet ({to})"
        );
    }
    assert_eq!(move_items(&ids, "publicado", None).await.status, 200);
    // Once published, the served technical sheet says what the change says, and shows it in its log.
    assert_eq!(public_target().await, 2_700_000.0);
    let sheet = send("GET", "/indicators/poblacion", &[], Body::empty(), None)
        .await
        .json();
    // Other cases of this run may publish values of the same indicator: look for this change.
    let shown = sheet["published_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "target")
        .cloned()
        .unwrap_or_else(|| panic!("{}", sheet["published_changes"]));
    assert_eq!(shown["after"], "2700000");
    assert_eq!(shown["office"], "planeacion");
    assert_eq!(shown["why"], "Meta del Plan de Desarrollo 2024-2027");
    let page = send(
        "GET",
        "/indicators/poblacion?f=html",
        &[],
        Body::empty(),
        None,
    )
    .await;
    assert!(page
        .text()
        .contains("Meta del Plan de Desarrollo 2024-2027"));
    let log = get_auth("/reporting/log", &token).await.json();
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0]["field"], "target");
    assert_eq!(entries[0]["after"], "2700000");
    assert_eq!(entries[0]["why"], "Meta del Plan de Desarrollo 2024-2027");
    let bad = post_json(
        "/reporting/sheet-changes",
        &token,
        Some("pla-2"),
        json!({"changes": [{"indicator": "poblacion", "field": "colour", "after": "x", "why": "y"}]}),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["parameter"], "changes[0].field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_log_is_csv_too_and_the_database_refuses_to_rewrite_it() {
    let token = office("turismo", &["hogares"]);
    post_json(
        "/reporting/values",
        &token,
        Some("tur-1"),
        json!({"values": [{"indicator": "hogares", "territory": "14", "year": 2039, "value": 9}]}),
    )
    .await;
    let csv = get_auth("/reporting/log?f=csv", &token).await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = csv.text();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("id,at,actor,role,office,action"));
    let row = lines.next().unwrap();
    assert!(
        row.contains(",turismo,reportado,") && row.contains(",hogares,14,2039,"),
        "{row}"
    );
    assert_eq!(lines.next(), None, "an office sees only its own entries");

    let (update, delete) = off_runtime(super::try_to_rewrite_the_log);
    assert!(update.contains("append-only"), "{update}");
    assert!(delete.contains("append-only"), "{delete}");
}

pub async fn form_post(uri: &str, cookie_token: &str, form: &str, origin: Option<&str>) -> Reply {
    let cookie = format!("ssepot_reporte={cookie_token}");
    let mut headers = vec![
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    send("POST", uri, &headers, form.to_string(), None).await
}

async fn item_state(token: &str, id: i64) -> String {
    let items = get_auth("/reporting/items", token).await.json();
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["state"].as_str().unwrap().to_string())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_need_a_login_and_a_wrong_token_gets_the_login_page_again() {
    let page = send("GET", "/reporte/oficina", &[], Body::empty(), None).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/reporte");
    let login = send("GET", "/reporte", &[], Body::empty(), None).await;
    assert_eq!(login.status, 200);
    assert!(login.text().contains("<html lang=\"es\">"));
    let wrong = send(
        "POST",
        "/reporte/entrar",
        &[("content-type", "application/x-www-form-urlencoded")],
        "token=ssepot_000000000000_nope",
        Some("198.51.100.7"),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("no es válido"));
    let token = office("comunicaciones", &["hogares"]);
    let ok = send(
        "POST",
        "/reporte/entrar",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("token={token}"),
        Some("198.51.100.8"),
    )
    .await;
    assert_eq!(ok.status, 303);
    let cookie = ok.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_review_form_is_refused_and_nothing_moves() {
    let token = office("participacion", &["hogares"]);
    let sent = post_json(
        "/reporting/values",
        &token,
        Some("par-1"),
        json!({"values": [{"indicator": "hogares", "territory": "9", "year": 2040, "value": 3}]}),
    )
    .await;
    let id = item_ids(&sent)[0];
    let reviewer = &fixture().reviewer;
    let forged = form_post(
        "/reporte/revision",
        reviewer,
        &format!("item={id}&accion=publicado"),
        None,
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(forged.content_type.starts_with("text/html"));
    assert!(forged.text().contains("csrf"));
    let csrf = ssepot::store::auth::form_token(reviewer);
    let form = format!("csrf={csrf}&item={id}&accion=verificado");
    let elsewhere = form_post(
        "/reporte/revision",
        reviewer,
        &form,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(elsewhere.status, 403);
    assert_eq!(item_state(&token, id).await, "reportado", "nothing moved");
    let genuine = form_post(
        "/reporte/revision",
        reviewer,
        &form,
        Some("http://test.local"),
    )
    .await;
    assert_eq!(genuine.status, 303, "{}", genuine.text());
    assert_eq!(item_state(&token, id).await, "verificado");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_escape_what_offices_send() {
    let token = office("juventud", &["hogares"]);
    let csv = b"indicador;territorio;ano;valor\nhogares;6;2041;7\n";
    let name = "<img src=x onerror=alert(1)>.csv";
    let reply = upload(
        &token,
        &[
            ("idempotency_key", None, b"juv-1"),
            ("file", Some(name), csv),
        ],
        &[],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let cookie = format!("ssepot_reporte={token}");
    let page = send(
        "GET",
        "/reporte/oficina",
        &[("cookie", &cookie)],
        Body::empty(),
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;.csv"),
        "escaped"
    );
    assert!(!html.contains("<img src=x"), "never raw");
    let review = send(
        "GET",
        "/reporte/revision",
        &[("cookie", &format!("ssepot_reporte={}", fixture().reviewer))],
        Body::empty(),
        None,
    )
    .await;
    assert!(!review.text().contains("<img src=x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_of_the_layers_keeps_the_published_values() {
    let token = office("desarrollo", &["poblacion"]);
    let sent = post_json(
        "/reporting/values",
        &token,
        Some("des-1"),
        json!({"values": [{"indicator": "poblacion", "territory": "70", "year": 2025, "value": 12345}]}),
    )
    .await;
    let ids = item_ids(&sent);
    for to in ["verificado", "validado", "publicado"] {
        assert_eq!(move_items(&ids, to, None).await.status, 200);
    }
    assert_eq!(
        public_value("poblacion", "70", 2025).await.unwrap(),
        12345.0
    );
    fixture().state.reload().await.unwrap();
    assert_eq!(
        public_value("poblacion", "70", 2025).await.unwrap(),
        12345.0,
        "the layer file does not undo a publish"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_change_whose_value_does_not_read_is_refused_at_submission_naming_the_field() {
    let token = office("catastro", &["homicidios"]);
    for (field, after, why) in [
        ("target", "mucho", "not a number"),
        ("target_year", "2030,5", "not a year"),
        ("direction", "hacia arriba", "neither"),
    ] {
        let bad = post_json(
            "/reporting/sheet-changes",
            &token,
            Some(&format!("cat-{field}")),
            json!({"changes": [{"indicator": "homicidios", "field": field, "after": after, "why": "Ajuste"}]}),
        )
        .await;
        assert_eq!(bad.status, 400, "{field} = {after}: {}", bad.text());
        let body = bad.json();
        assert_eq!(body["parameter"], "changes[0].after");
        let text = body["description"].as_str().unwrap();
        assert!(text.contains(field) && text.contains(why), "{text}");
    }
    assert_eq!(written_by("catastro"), (0, 0), "nothing is written");
    // Every field of the DIES-058 form can be changed, with a value of its kind.
    let good = post_json(
        "/reporting/sheet-changes",
        &token,
        Some("cat-ok"),
        json!({"changes": [
            {"indicator": "homicidios", "field": "formula", "after": "viviendas / hogares", "why": "Ajuste"},
            {"indicator": "homicidios", "field": "origin", "after": "Programa de Ejecución", "why": "Ajuste"},
            {"indicator": "homicidios", "field": "direction", "after": "decreciente", "why": "Ajuste"},
        ]}),
    )
    .await;
    assert_eq!(good.status, 201, "{}", good.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_an_unknown_review_state() {
    let token = office("mujeres", &["hogares"]);
    let sent = post_json(
        "/reporting/values",
        &token,
        Some("muj-1"),
        json!({"values": [{"indicator": "hogares", "territory": "16", "year": 2036, "value": 7}]}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let id = item_ids(&sent)[0];
    let refused = off_runtime(|| super::try_to_set_state(id, "perdido"));
    assert!(refused.to_lowercase().contains("check"), "{refused}");
    assert_eq!(item_state(&token, id).await, "reportado");
}
