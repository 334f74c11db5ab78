//! Handlers of OGC API Features Part 1.

use super::documents::{self as docs, base_url, link, GEOJSON, HTML, JSON, OPENAPI};
use super::error::{ApiError, PathParams};
use super::html;
use super::negotiate::{negotiate, Format, DOCUMENT, DOWNLOADS};
use super::params::{response_crs, CrsFormatParams, FormatParams, ItemsParams, Params};
use crate::features::collection::Feature;
use crate::features::crs::Crs;
use crate::features::{items::feature_geojson, Page};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

fn json_response(media: &'static str, body: impl Into<axum::body::Body>) -> Response {
    ([(header::CONTENT_TYPE, media)], body.into()).into_response()
}

/// GeoJSON features in `crs`, with the `Content-Crs` header OGC API Features Part 2 asks for.
fn features_response(crs: &Crs, body: impl Into<axum::body::Body>) -> Response {
    let mut r = json_response(GEOJSON, body);
    if let Ok(v) = header::HeaderValue::from_str(&crs.content_crs()) {
        r.headers_mut().insert("content-crs", v);
    }
    r
}

/// Features with their geometries in `crs`: PROJ's work, on a blocking thread (each keeps its own
/// transformations, `proj::Proj` being neither `Send` nor `Sync`).
async fn in_crs(features: Vec<Feature>, crs: &Crs) -> Result<Vec<Feature>> {
    if crs.is_crs84() {
        return Ok(features);
    }
    let crs = crs.clone();
    tokio::task::spawn_blocking(move || crate::features::items::features_in_crs(features, &crs))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// A JSON document or its HTML page.
fn document(
    format: Format,
    media: &'static str,
    value: Value,
    page: impl FnOnce(&Value) -> String,
) -> Response {
    // `negotiate` offers JSON and HTML only on documents.
    match format {
        Format::Html => Html(page(&value)).into_response(),
        _ => json_response(media, value.to_string()),
    }
}

/// `GET /`: JSON clients get the OGC landing page; a browser (`Accept: text/html`, no `f`) gets the web map;
/// `f=html` gets the HTML landing page of the API.
pub async fn landing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    if format == Format::Html && p.f.is_none() {
        return Ok(Html(super::webmap::INDEX).into_response());
    }
    let data = state.current();
    let tilesets: Vec<(&str, &str)> = data
        .tiles
        .sets
        .iter()
        .map(|t| (t.id.as_str(), t.title.as_str()))
        .collect();
    Ok(document(
        format,
        JSON,
        docs::landing(&base_url(&headers), &tilesets),
        html::landing,
    ))
}

pub async fn conformance(headers: HeaderMap, Params(p): Params<FormatParams>) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    Ok(document(
        format,
        JSON,
        docs::conformance(),
        html::conformance,
    ))
}

pub async fn api(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let doc = super::openapi::document(&base_url(&headers), &data.features.collections);
    Ok(document(format, OPENAPI, doc, html::api))
}

pub async fn collections(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let doc = docs::collections(&base_url(&headers), &data.features.collections);
    Ok(document(format, JSON, doc, html::collections))
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("no collection `{id}`; /collections lists them"))
}

pub async fn collection(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<CrsFormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let c = data.features.get(&id).ok_or_else(|| not_found(&id))?;
    response_crs(p.crs.as_ref(), c.crs())?;
    Ok(document(
        format,
        JSON,
        docs::collection(&base_url(&headers), c),
        html::collection,
    ))
}

/// `parent` must name a unit of the collection's parent set.
fn check_parent(c: &crate::features::Collection, parent: &str) -> Result<()> {
    let set = c.unit_set();
    let placement = set.parent.as_ref().ok_or_else(|| {
        ApiError::bad(
            "parent",
            format!(
                "unit set `{}` of collection `{}` declares no parent set, so its territories have no parent",
                set.id, c.id
            ),
        )
    })?;
    if placement.parent_index(parent).is_none() {
        let codes: Vec<&str> = placement.parents.iter().map(|(c, _)| c.as_str()).collect();
        return Err(ApiError::bad(
            "parent",
            format!(
                "`{parent}` is not a unit of `{}`; its codes are {codes:?}",
                placement.parent_set
            ),
        ));
    }
    Ok(())
}

/// `GET /collections/{id}/queryables`: what `filter` and `sortby` can name, as JSON Schema. A client that
/// accepts JSON but does not name `application/schema+json` (GDAL 3.6 sends
/// `Accept: application/geo+json, application/json`) gets the same document as `application/json`.
pub async fn queryables(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let c = data.features.get(&id).ok_or_else(|| not_found(&id))?;
    let base = base_url(&headers);
    let schema = crate::features::filter::queryables::schema(
        c,
        &format!("{base}/collections/{id}/queryables"),
    );
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = if p.f.is_none()
        && accept.contains("application/json")
        && !accept.contains(docs::SCHEMA_JSON)
    {
        JSON
    } else {
        docs::SCHEMA_JSON
    };
    Ok(document(format, media, schema, |v| html::queryables(c, v)))
}

fn param(p: &[(String, String)], name: &str) -> Option<String> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The items URL with the same filters, another offset, and a format.
fn page_url(
    base: &str,
    id: &str,
    p: &[(String, String)],
    offset: usize,
    limit: usize,
    f: &str,
) -> String {
    let mut kept: Vec<(&str, String)> = p
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "offset" | "limit" | "f"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    kept.push(("limit", limit.to_string()));
    kept.push(("offset", offset.to_string()));
    kept.push(("f", f.to_string()));
    let query: Vec<String> = kept
        .iter()
        .map(|(k, v)| format!("{}={}", in_query(k), in_query(v)))
        .collect();
    format!("{base}/collections/{id}/items?{}", query.join("&"))
}

/// What a query-string component must encode: controls, non-ASCII, space and the characters that delimit or
/// change the meaning of form data (`#`, `%`, `&`, `+`, `=`) or that RFC 3986 does not allow unencoded. `:` `/`
/// `,` stay as they are, so a `crs` URI or a `bbox` reads as the client wrote it — and GDAL's OAPIF driver (3.6),
/// which adds the query of the URL it was given to every request unless the URL already holds it verbatim, does
/// not repeat `crs` in the next page's link.
const QUERY_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn in_query(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_COMPONENT).to_string()
}

pub async fn items(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(params): Params<ItemsParams>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let format = negotiate(params.f, &headers, DOWNLOADS)?;
    // The page links repeat the client's filters as given (already checked by `Params`).
    let p: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let data = state.current();
    let c = data.features.get(&id).ok_or_else(|| not_found(&id))?;
    let crs = params.response_crs(c.crs())?.clone();
    let query = params.query_in(c.crs())?;
    if let Some(parent) = &query.parent {
        check_parent(c, parent)?;
    }
    let mut page = Page::select(c, &query)?;
    let base = base_url(&headers);
    let url = |offset: usize, f: &str| page_url(&base, &id, &p, offset, query.limit, f);
    let mut links = vec![
        link(url(query.offset, "json"), "self", GEOJSON, "Esta página"),
        link(
            url(query.offset, "html"),
            "alternate",
            HTML,
            "Esta página (HTML)",
        ),
        link(
            format!("{base}/collections/{id}"),
            "collection",
            JSON,
            &c.title,
        ),
    ];
    if page.has_next() {
        links.push(link(
            url(query.next_offset(), "json"),
            "next",
            GEOJSON,
            "Página siguiente",
        ));
    }
    if page.has_prev() {
        links.push(link(
            url(query.prev_offset(), "json"),
            "prev",
            GEOJSON,
            "Página anterior",
        ));
    }
    match format {
        Format::Csv | Format::Xlsx | Format::Gpkg => {
            let table = crate::features::download::tables::items_table(c, &page.features);
            let stem = super::downloads::items_stem(&id, &query);
            super::downloads::download_in(format, table, &stem, crs).await
        }
        Format::Html => {
            let nav = html::PageNav {
                next: page.has_next().then(|| url(query.next_offset(), "html")),
                prev: page.has_prev().then(|| url(query.prev_offset(), "html")),
                json: url(query.offset, "json"),
                filter: param(&p, "filter"),
                filter_lang: param(&p, "filter-lang"),
                filter_crs: param(&p, "filter-crs"),
                sortby: param(&p, "sortby"),
            };
            Ok(Html(html::items(c, &page, &nav)).into_response())
        }
        // `DOWNLOADS` offers no other format: JSON.
        _ => {
            let links = Value::Array(links).to_string();
            page.features = in_crs(std::mem::take(&mut page.features), &crs).await?;
            // Streamed from the catalogue's prepared pieces, so slow readers do not each hold a copy of the page.
            let chunks = page.geojson_chunks(&links, &data.snapshot.loaded_at);
            let stream = futures_util::stream::iter(
                chunks.into_iter().map(Ok::<_, std::convert::Infallible>),
            );
            Ok(features_response(
                &crs,
                axum::body::Body::from_stream(stream),
            ))
        }
    }
}

pub async fn item(
    State(state): State<Arc<AppState>>,
    PathParams((id, feature_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    Params(p): Params<CrsFormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let c = data.features.get(&id).ok_or_else(|| not_found(&id))?;
    let crs = response_crs(p.crs.as_ref(), c.crs())?.clone();
    let f = c.feature(&feature_id).ok_or_else(|| {
        ApiError::NotFound(format!("no feature `{feature_id}` in collection `{id}`"))
    })?;
    let base = base_url(&headers);
    let mut url = format!("{base}/collections/{id}/items/{feature_id}");
    if !crs.is_crs84() {
        url = format!("{url}?crs={}", crs.uri());
    }
    let mut links = docs::self_links(&url, GEOJSON, &feature_id);
    links.push(link(
        format!("{base}/collections/{id}"),
        "collection",
        JSON,
        &c.title,
    ));
    match format {
        Format::Html => Ok(Html(html::item(c, &f)).into_response()),
        _ => {
            let f = in_crs(vec![f], &crs).await?.remove(0);
            Ok(features_response(
                &crs,
                feature_geojson(&f, &Value::Array(links).to_string()),
            ))
        }
    }
}
