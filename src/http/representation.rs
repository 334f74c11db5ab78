//! What a response gets on its way out: the content coding the client prefers (`Accept-Encoding`, see
//! [`super::negotiate::coding`]), compressed whole or as it streams; an ETag per representation; and 304 for a
//! matching `If-None-Match`.
//!
//! Vector tiles do the same in their handler from bytes compressed once per coding (`tiles::EncodedTile`), so
//! this layer is not on their routes: the hot path pays for none of it.
//!
//! ETags: a buffered body's is a hash of its bytes; a streamed GeoJSON page's is a hash of what the page is a
//! function of (the data generation, the URL with its query, the resolved origin, the media type), since hashing
//! the bytes would mean holding the page before sending it. Either way each coding gets its own (`"…-br"`): a
//! representation's ETag names its bytes (RFC 9110 §8.8.3).

use super::forwarded::{X_FORWARDED_HOST, X_FORWARDED_PREFIX, X_FORWARDED_PROTO};
use super::negotiate;
use crate::encoding::{Coding, Effort, Encoder};
use crate::state::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::hash::Hasher;
use std::sync::Arc;

/// Bodies smaller than this are sent as they are: the coding's framing would eat most of the gain.
const MIN_BYTES: usize = 512;
/// Buffered bodies larger than this are compressed off the async threads.
const BLOCKING_BYTES: usize = 256 * 1024;

/// Whether `If-None-Match` names `etag` (or is `*`), by the weak comparison RFC 9110 §13.1.2 asks for.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// The ETag of a representation: the tag of its identity bytes, with the coding's token when compressed.
fn etag(tag: u64, len: Option<usize>, coding: Option<Coding>) -> String {
    let len = len.map_or(String::new(), |n| format!("-{n}"));
    match coding {
        Some(c) => format!("\"{tag:016x}{len}-{}\"", c.token()),
        None => format!("\"{tag:016x}{len}\""),
    }
}

/// Whether a media type gains from compression (text, JSON, XML, SQLite files, MVT); images, fonts and ZIP
/// containers (XLSX) are compressed already.
fn compressible(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let media = ct.split(';').next().unwrap_or("").trim();
    media.starts_with("text/")
        || media.ends_with("json")
        || media.ends_with("xml")
        || media.ends_with("javascript")
        || matches!(
            media,
            "application/openmetrics-text"
                | "application/geopackage+sqlite3"
                | "application/vnd.mapbox-vector-tile"
                | "image/svg+xml"
        )
}

/// Whether a response may carry an ETag: a successful GET that no cookie or `no-store` makes personal.
fn validatable(response: &Response) -> bool {
    let h = response.headers();
    response.status() == StatusCode::OK
        && !h.contains_key(header::SET_COOKIE)
        && !h
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
}

/// What a request's GeoJSON page is a function of besides the data: its path and query and the headers links
/// and negotiation are built from (the origin was resolved before this layer).
fn request_tag(request: &Request, generation: (u64, &str)) -> u64 {
    let mut h = twox_hash::XxHash3_64::default();
    h.write_u64(generation.0);
    h.write(generation.1.as_bytes());
    h.write(request.uri().to_string().as_bytes());
    for name in [
        header::HOST,
        X_FORWARDED_HOST,
        X_FORWARDED_PROTO,
        X_FORWARDED_PREFIX,
        header::ACCEPT,
        header::ACCEPT_LANGUAGE,
    ] {
        h.write_u8(0);
        for v in request.headers().get_all(name) {
            h.write(v.as_bytes());
        }
    }
    h.finish()
}

/// The layer.
pub async fn represent(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let coding = negotiate::coding(request.headers());
    let get = request.method() == Method::GET;
    let conditional = get
        .then(|| {
            let mut tags = HeaderMap::new();
            for v in request.headers().get_all(header::IF_NONE_MATCH) {
                tags.append(header::IF_NONE_MATCH, v.clone());
            }
            tags
        })
        .filter(|tags| !tags.is_empty());
    let stream_tag = get.then(|| {
        let data = state.current();
        request_tag(&request, (data.snapshot.version, &data.snapshot.loaded_at))
    });
    let mut response = next.run(request).await;
    let h = response.headers();
    if h.contains_key(header::CONTENT_ENCODING) || h.contains_key(header::ETAG) || !compressible(h)
    {
        return response;
    }
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !get {
        return response;
    }
    let validatable = validatable(&response);
    let (mut parts, body) = response.into_parts();
    let (body, etag) = match body.size_hint().exact() {
        Some(_) => {
            let bytes = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(b) => b,
                Err(e) => {
                    return super::error::ApiError::Internal(format!("response body: {e}"))
                        .into_response()
                }
            };
            let coding = coding.filter(|_| bytes.len() >= MIN_BYTES);
            let tag = validatable.then(|| {
                etag(
                    twox_hash::XxHash3_64::oneshot(&bytes),
                    Some(bytes.len()),
                    coding,
                )
            });
            if tag
                .as_deref()
                .is_some_and(|t| conditional.as_ref().is_some_and(|h| not_modified(h, t)))
            {
                return not_modified_response(parts, tag);
            }
            let body = match coding {
                Some(c) => {
                    set_coding(&mut parts.headers, c);
                    Body::from(compress(c, bytes).await)
                }
                None => Body::from(bytes),
            };
            (body, tag)
        }
        None => {
            let json = parts
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().ends_with(b"json"));
            let tag = stream_tag
                .filter(|_| validatable && json)
                .map(|t| etag(t, None, coding));
            if tag
                .as_deref()
                .is_some_and(|t| conditional.as_ref().is_some_and(|h| not_modified(h, t)))
            {
                return not_modified_response(parts, tag);
            }
            let body = match coding {
                Some(c) => {
                    set_coding(&mut parts.headers, c);
                    encode_stream(body, c)
                }
                None => body,
            };
            (body, tag)
        }
    };
    if let Some(v) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        parts.headers.insert(header::ETAG, v);
    }
    Response::from_parts(parts, body)
}

fn set_coding(headers: &mut HeaderMap, coding: Coding) {
    headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.token()),
    );
    headers.remove(header::CONTENT_LENGTH);
}

/// 304: the response's headers but its representation's own (type, length), with the ETag.
fn not_modified_response(mut parts: axum::http::response::Parts, etag: Option<String>) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_DISPOSITION,
    ] {
        parts.headers.remove(name);
    }
    if let Some(v) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        parts.headers.insert(header::ETAG, v);
    }
    Response::from_parts(parts, Body::empty())
}

/// A buffered body compressed fast; large ones on a blocking thread, so other requests keep being served.
async fn compress(coding: Coding, bytes: Bytes) -> Vec<u8> {
    if bytes.len() <= BLOCKING_BYTES {
        return coding.compress(&bytes, Effort::Fast);
    }
    let copy = bytes.clone();
    tokio::task::spawn_blocking(move || coding.compress(&copy, Effort::Fast))
        .await
        .unwrap_or_else(|_| coding.compress(&bytes, Effort::Fast))
}

/// A streamed body compressed piece by piece as it goes out (the `/items` pages).
fn encode_stream(body: Body, coding: Coding) -> Body {
    struct Going {
        data: axum::body::BodyDataStream,
        encoder: Option<Encoder>,
    }
    let going = Going {
        data: body.into_data_stream(),
        encoder: Some(coding.encoder(Effort::Fast, None)),
    };
    let stream = futures_util::stream::unfold(going, |mut g| async move {
        loop {
            let encoder = g.encoder.as_mut()?;
            match g.data.next().await {
                Some(Ok(piece)) => {
                    let out = encoder.push(&piece);
                    if !out.is_empty() {
                        return Some((Ok(Bytes::from(out)), g));
                    }
                }
                Some(Err(e)) => {
                    g.encoder = None;
                    return Some((Err(e), g));
                }
                None => {
                    let last = g.encoder.take()?.finish();
                    return Some((Ok(Bytes::from(last)), g));
                }
            }
        }
    });
    Body::from_stream(stream)
}
