//! Content codings, ETags and CORS preflights, through the real router and (for the codings) the real server
//! with curl, whose decoders (zlib, libbrotli, libzstd) are not the ones ssepot encodes with.

mod common;
#[path = "common/server.rs"]
mod server;

use axum::body::Body;
use axum::http::Request;
use common::{demo, get, get_with, get_with_headers, layers_dir, request};
use serde_json::Value;
use server::Server;
use std::io::Read;
use std::process::Command;

const ITEMS: &str = "/collections/poblacion/items";
const TILE: &str = "/tiles/comunas/12/1188/1976.mvt";

fn decode(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "gzip" => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "zstd" => out = zstd::decode_all(body).unwrap(),
        other => panic!("unexpected coding {other}"),
    }
    out
}

fn header(r: &common::Reply, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_string())
}

fn vary(r: &common::Reply) -> String {
    r.headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn items_in_br_gzip_and_zstd_decode_to_the_same_json_as_identity() {
    let s = demo();
    let plain = get(&s, ITEMS).await;
    assert_eq!(plain.status, 200);
    assert_eq!(header(&plain, "content-encoding"), None);
    assert!(vary(&plain).contains("accept-encoding"));
    let json: Value = plain.json();
    assert!(json["features"].as_array().unwrap().len() > 10);
    for coding in ["br", "gzip", "zstd"] {
        let r = get_with(&s, ITEMS, ("accept-encoding", coding)).await;
        assert_eq!(r.status, 200);
        assert_eq!(header(&r, "content-encoding").as_deref(), Some(coding));
        assert!(vary(&r).contains("accept-encoding"), "{coding}");
        assert!(
            r.body.len() * 5 < plain.body.len() * 2,
            "{coding}: {} bytes of {}",
            r.body.len(),
            plain.body.len()
        );
        assert_eq!(decode(coding, &r.body), plain.body, "{coding}");
    }
}

#[tokio::test]
async fn identity_and_q_zero_are_honoured_and_ties_go_to_zstd() {
    let s = demo();
    let coding = |ae: &'static str| {
        let s = s.clone();
        async move {
            let r = get_with(&s, "/collections", ("accept-encoding", ae)).await;
            assert_eq!(r.status, 200, "{ae}");
            header(&r, "content-encoding")
        }
    };
    assert_eq!(coding("identity").await, None);
    assert_eq!(coding("gzip;q=0").await, None);
    assert_eq!(coding("br;q=0, gzip;q=0, zstd;q=0, *").await, None);
    assert_eq!(coding("gzip;q=0.5, identity").await, None);
    assert_eq!(
        coding("gzip, deflate, br, zstd").await.as_deref(),
        Some("zstd")
    );
    assert_eq!(coding("gzip, deflate, br").await.as_deref(), Some("br"));
    assert_eq!(
        coding("br;q=0.4, gzip;q=0.8").await.as_deref(),
        Some("gzip")
    );
    assert_eq!(coding("*;q=0.2, zstd;q=0").await.as_deref(), Some("br"));
    // A broken q-value is ignored, as a broken Accept q-value is: no 406 for a typo.
    assert_eq!(coding("br;q=high").await.as_deref(), Some("br"));
}

#[tokio::test]
async fn a_garbage_accept_q_value_is_ignored_not_406() {
    let s = demo();
    let r = get_with(&s, "/collections", ("accept", "application/json;q=lots")).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/json"));
    r.json();
}

#[tokio::test]
async fn documents_pages_and_styles_have_an_etag_per_coding_and_answer_304() {
    let s = demo();
    for uri in [
        "/collections",
        "/collections/poblacion?f=html",
        "/api",
        "/styles/poblacion.json",
        "/tiles/comunas.json",
        ITEMS,
        "/collections/poblacion/items?f=csv",
        "/collections/poblacion/items?f=html&limit=5",
        "/ssepot/pdd?f=html",
        "/ssepot/pdd?f=json",
        "/map/",
    ] {
        let mut tags = Vec::new();
        for coding in ["identity", "br", "gzip", "zstd"] {
            let r = get_with(&s, uri, ("accept-encoding", coding)).await;
            assert_eq!(r.status, 200, "{uri} {coding}");
            let etag = header(&r, "etag").unwrap_or_else(|| panic!("{uri} {coding}: no ETag"));
            assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
            let again = get_with_headers(
                &s,
                uri,
                &[("accept-encoding", coding), ("if-none-match", &etag)],
            )
            .await;
            assert_eq!(again.status, 304, "{uri} {coding}");
            assert!(again.body.is_empty());
            assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()));
            tags.push(etag);
        }
        tags.sort();
        tags.dedup();
        assert_eq!(
            tags.len(),
            4,
            "{uri}: one ETag per representation: {tags:?}"
        );
        // Another representation's ETag is not a match.
        let r = get_with_headers(
            &s,
            uri,
            &[("accept-encoding", "gzip"), ("if-none-match", &tags[0])],
        )
        .await;
        if header(&r, "etag").as_deref() != Some(tags[0].as_str()) {
            assert_eq!(r.status, 200, "{uri}");
        }
    }
}

#[tokio::test]
async fn the_etag_of_a_page_changes_with_its_query_and_origin() {
    let s = demo();
    let tag = |uri: &'static str, host: &'static str| {
        let s = s.clone();
        async move {
            let mut req = Request::get(uri).header("host", host);
            req = req.header("accept-encoding", "br");
            header(&request(&s, req.body(Body::empty()).unwrap()).await, "etag").unwrap()
        }
    };
    let a = tag(ITEMS, "a.example").await;
    assert_eq!(a, tag(ITEMS, "a.example").await);
    assert_ne!(a, tag(ITEMS, "b.example").await);
    assert_ne!(
        a,
        tag("/collections/poblacion/items?limit=3", "a.example").await
    );
}

#[tokio::test]
async fn tiles_come_in_every_coding_from_the_cache_each_with_its_etag() {
    let s = demo();
    let plain = get(&s, TILE).await;
    assert_eq!(plain.status, 200);
    let mut tags = vec![header(&plain, "etag").unwrap()];
    for coding in ["br", "gzip", "zstd"] {
        for _ in 0..2 {
            let r = get_with(&s, TILE, ("accept-encoding", coding)).await;
            assert_eq!(header(&r, "content-encoding").as_deref(), Some(coding));
            assert_eq!(header(&r, "vary").as_deref(), Some("Accept-Encoding"));
            assert_eq!(decode(coding, &r.body), plain.body, "{coding}");
            assert!(r.body.len() < plain.body.len(), "{coding}");
            let etag = header(&r, "etag").unwrap();
            let again = get_with_headers(
                &s,
                TILE,
                &[("accept-encoding", coding), ("if-none-match", &etag)],
            )
            .await;
            assert_eq!(again.status, 304, "{coding}");
            tags.push(etag);
        }
    }
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), 4, "{tags:?}");
}

async fn preflight(uri: &str) -> common::Reply {
    let req = Request::options(uri)
        .header("host", "test.local")
        .header("origin", "https://otro-sitio.example")
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "if-none-match, x-mapa-cliente",
        )
        .body(Body::empty())
        .unwrap();
    request(&demo(), req).await
}

#[tokio::test]
async fn preflights_are_answered_on_public_routes_with_the_headers_clients_send() {
    for uri in [
        ITEMS,
        "/tiles/comunas/12/1188/1976",
        "/collections/comunas/tiles/WebMercatorQuad/12/1976/1188",
        "/tiles/comunas.json",
        "/styles/poblacion.json",
        "/collections",
    ] {
        let r = preflight(uri).await;
        assert!(r.status.is_success(), "{uri}: {}", r.status);
        assert_eq!(
            header(&r, "access-control-allow-origin").as_deref(),
            Some("*"),
            "{uri}"
        );
        let methods = header(&r, "access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains("GET"), "{uri}: {methods}");
        let allowed = header(&r, "access-control-allow-headers")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(
            allowed.contains("if-none-match") && allowed.contains("x-mapa-cliente"),
            "{uri}: {allowed}"
        );
    }
}

#[tokio::test]
async fn preflights_are_never_answered_on_admin_or_reporting_routes() {
    for uri in [
        "/admin/reload",
        "/reporting/values",
        "/reporting/items",
        "/reporte/revision",
    ] {
        let r = preflight(uri).await;
        assert_eq!(r.status, 405, "{uri}");
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{uri}");
    }
}

#[tokio::test]
async fn a_wrong_method_on_a_public_route_is_still_405() {
    let req = Request::post(ITEMS)
        .header("host", "test.local")
        .body(Body::empty())
        .unwrap();
    assert_eq!(request(&demo(), req).await.status, 405);
}

/// curl decodes with zlib, libbrotli and libzstd: the bytes ssepot sends in each coding, through the real server.
#[test]
fn curl_decodes_every_coding_from_the_real_server_to_the_same_bytes() {
    let server = Server::start(&layers_dir());
    let fetch = |path: &str, coding: Option<&str>| {
        let mut cmd = Command::new("curl");
        cmd.args(["-sf", "-D", "/dev/stderr"]);
        if let Some(c) = coding {
            cmd.args(["-H", &format!("Accept-Encoding: {c}"), "--compressed"]);
        }
        let out = cmd.arg(format!("{}{path}", server.url)).output().unwrap();
        assert!(out.status.success(), "{path} {coding:?}");
        let head = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
        (head, out.stdout)
    };
    for path in [ITEMS, TILE, "/collections/poblacion/items?f=csv&limit=500"] {
        let (_, plain) = fetch(path, None);
        assert!(!plain.is_empty());
        for coding in ["br", "gzip", "zstd"] {
            let (head, body) = fetch(path, Some(coding));
            assert!(
                head.contains(&format!("content-encoding: {coding}")),
                "{path} {coding}: {head}"
            );
            assert!(body == plain, "{path} {coding}: decoded bytes differ");
        }
    }
}
