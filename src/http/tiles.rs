//! Vector tile endpoints: XYZ, TileJSON 3.0 and OGC API Tiles, served like a CDN origin.

use super::documents::{base_url, link, JSON};
use super::error::ApiError;
use crate::state::AppState;
use crate::tiles::{EncodedTile, TileCoord, Tileset};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
const CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=3600";
const TMS: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

type Result<T> = std::result::Result<T, ApiError>;

fn no_tileset(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no tileset `{id}`; tilesets are the unit sets listed in /collections"
    ))
}

fn parse_u32(v: &str, name: &str) -> Result<u32> {
    v.parse()
        .map_err(|_| ApiError::bad(name, format!("`{v}` is not a whole number ≥ 0")))
}

/// `datetime=2023` (or a date in 2023): only that year's values.
fn year_filter(raw: &Option<String>) -> Result<Option<i32>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad("query", e.to_string()))?;
    let mut year = None;
    for (k, v) in pairs {
        match k.as_str() {
            "datetime" => {
                let y = v
                    .get(..4)
                    .filter(|y| y.chars().all(|c| c.is_ascii_digit()))
                    .and_then(|y| y.parse().ok());
                if y.is_none() || v.contains('/') {
                    return Err(ApiError::bad(
                        "datetime",
                        format!("`{v}` is not one year (tiles take a single year, e.g. 2023)"),
                    ));
                }
                year = y;
            }
            "f" => {}
            other => {
                return Err(ApiError::bad(
                    other,
                    "unknown parameter; tiles accept `datetime`",
                ))
            }
        }
    }
    Ok(year)
}

/// A tile as an HTTP response: 304 on a matching `If-None-Match`, 204 when the tile is empty, gzip when accepted.
fn tile_response(tile: &EncodedTile, headers: &HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&tile.etag).expect("an ETag is ASCII");
    let common = [
        (header::ETAG, etag),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == tile.etag || t.trim() == "*")
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    if tile.raw.is_empty() {
        return (StatusCode::NO_CONTENT, common).into_response();
    }
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().starts_with("gzip") && !e.contains("q=0"))
        });
    let ct = (header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    if gzip {
        let enc = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        (common, [ct, enc], Body::from(tile.gzipped().clone())).into_response()
    } else {
        (common, [ct], Body::from(tile.raw.clone())).into_response()
    }
}

fn serve_tile(
    state: &AppState,
    set: &str,
    z: &str,
    x: &str,
    y: &str,
    query: &Option<String>,
    headers: &HeaderMap,
) -> Result<Response> {
    let year = year_filter(query)?;
    let data = state.current();
    let (index, tileset) = data.tiles.get(set).ok_or_else(|| no_tileset(set))?;
    let y = y.trim_end_matches(".mvt").trim_end_matches(".pbf");
    let coord = TileCoord::new(
        parse_u32(z, "z")?,
        parse_u32(x, "x")?,
        parse_u32(y, "y")?,
        tileset.max_zoom,
    )
    .map_err(|e| ApiError::bad(e.parameter, e.message))?;
    let mut rendered = false;
    let tile = data.tiles.cache.get_or_insert((index, coord, year), || {
        rendered = true;
        tileset.render(coord, year)
    });
    state.metrics.tile(rendered, tile.raw.len());
    Ok(tile_response(&tile, headers))
}

/// `GET /tiles/{set}/{z}/{x}/{y}[.mvt|.pbf]`
pub async fn xyz(
    State(state): State<Arc<AppState>>,
    Path((set, z, x, y)): Path<(String, String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    serve_tile(&state, &set, &z, &x, &y, &q, &headers)
}

/// `GET /collections/{set}/tiles/WebMercatorQuad/{z}/{y}/{x}` (OGC API Tiles order: row before column).
pub async fn ogc_tile(
    State(state): State<Arc<AppState>>,
    Path((set, tms, z, y, x)): Path<(String, String, String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    check_tms(&tms)?;
    serve_tile(&state, &set, &z, &x, &y, &q, &headers)
}

fn check_tms(tms: &str) -> Result<()> {
    if tms != "WebMercatorQuad" {
        return Err(ApiError::NotFound(format!(
            "no tile matrix set `{tms}`; only WebMercatorQuad is served"
        )));
    }
    Ok(())
}

fn vector_layers(t: &Tileset) -> Value {
    let layers: Vec<Value> = t
        .layer_names
        .iter()
        .zip(&t.fields)
        .map(|(name, fields)| {
            let fields: serde_json::Map<String, Value> = fields
                .iter()
                .map(|f| (f.name.clone(), Value::String(f.description.clone())))
                .collect();
            json!({ "id": name, "fields": fields, "minzoom": 0, "maxzoom": t.max_zoom })
        })
        .collect();
    Value::Array(layers)
}

/// The TileJSON 3.0 document of a tileset.
pub fn tilejson(base: &str, t: &Tileset) -> Value {
    let [w, s, e, n] = t.bounds;
    json!({
        "tilejson": "3.0.0",
        "name": t.id,
        "description": t.title,
        "attribution": t.attribution,
        "tiles": [format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", t.id)],
        "minzoom": 0,
        "maxzoom": t.max_zoom,
        "bounds": [w, s, e, n],
        "center": [(w + e) / 2.0, (s + n) / 2.0, 11],
        "vector_layers": vector_layers(t),
    })
}

/// `GET /tiles/{set}.json`
pub async fn tilejson_doc(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let set = name.strip_suffix(".json").ok_or_else(|| {
        ApiError::NotFound(format!(
            "`/tiles/{name}`: TileJSON is at /tiles/{{set}}.json"
        ))
    })?;
    let data = state.current();
    let (_, t) = data.tiles.get(set).ok_or_else(|| no_tileset(set))?;
    Ok(Json(tilejson(&base_url(&headers), t)).into_response())
}

fn tileset_doc(base: &str, t: &Tileset) -> Value {
    let url = format!("{base}/collections/{}/tiles/WebMercatorQuad", t.id);
    json!({
        "title": t.title,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS,
        "links": [
            link(url.clone(), "self", JSON, "Metadatos del conjunto de teselas"),
            link(format!("{base}/tileMatrixSets/WebMercatorQuad"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON, "WebMercatorQuad"),
            link(format!("{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"), "item", super::tiles::MVT, "Teselas vectoriales"),
            link(format!("{base}/tiles/{}.json", t.id), "describedby", JSON, "TileJSON 3.0"),
        ],
        "tileMatrixSetLimits": (0..=t.max_zoom).map(|z| {
            let lo = crate::tiles::mercator::project(t.bounds[0], t.bounds[3]);
            let hi = crate::tiles::mercator::project(t.bounds[2], t.bounds[1]);
            let n = f64::from(1u32 << z);
            json!({ "tileMatrix": z.to_string(), "minTileRow": (lo[1] * n) as u32, "maxTileRow": (hi[1] * n) as u32, "minTileCol": (lo[0] * n) as u32, "maxTileCol": (hi[0] * n) as u32 })
        }).collect::<Vec<_>>(),
        "layers": t.layer_names.iter().map(|n| json!({ "id": n, "dataType": "vector", "geometryType": "polygons", "minTileMatrix": "0", "maxTileMatrix": t.max_zoom.to_string() })).collect::<Vec<_>>(),
        "vector_layers": vector_layers(t),
    })
}

/// `GET /collections/{set}/tiles`
pub async fn tilesets(
    State(state): State<Arc<AppState>>,
    Path(set): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    let data = state.current();
    let (_, t) = data.tiles.get(&set).ok_or_else(|| no_tileset(&set))?;
    Ok(Json(
        json!({ "links": [link(format!("{}/collections/{set}/tiles", base_url(&headers)), "self", JSON, "Conjuntos de teselas")], "tilesets": [tileset_doc(&base_url(&headers), t)] }),
    ))
}

/// `GET /collections/{set}/tiles/WebMercatorQuad`
pub async fn tileset(
    State(state): State<Arc<AppState>>,
    Path((set, tms)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    check_tms(&tms)?;
    let data = state.current();
    let (_, t) = data.tiles.get(&set).ok_or_else(|| no_tileset(&set))?;
    Ok(Json(tileset_doc(&base_url(&headers), t)))
}

/// `GET /tileMatrixSets`
pub async fn tile_matrix_sets(headers: HeaderMap) -> Json<Value> {
    let base = base_url(&headers);
    Json(
        json!({ "tileMatrixSets": [{ "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World", "uri": TMS,
        "links": [link(format!("{base}/tileMatrixSets/WebMercatorQuad"), "self", JSON, "WebMercatorQuad")] }] }),
    )
}

const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

/// `GET /tileMatrixSets/WebMercatorQuad`: the OGC 2D Tile Matrix Set definition.
pub async fn web_mercator_quad(Path(id): Path<String>) -> Result<Json<Value>> {
    check_tms(&id)?;
    const ORIGIN: f64 = 20_037_508.342_789_244;
    let matrices: Vec<Value> = (0..=24u32)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * ORIGIN / (256.0 * n as f64);
            json!({ "id": z.to_string(), "scaleDenominator": cell / 0.00028, "cellSize": cell, "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-ORIGIN, ORIGIN], "tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
                "identifier": z.to_string(), "topLeftCorner": [-ORIGIN, ORIGIN] })
        })
        .collect();
    Ok(Json(
        json!({ "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World", "uri": TMS,
        "crs": EPSG_3857, "orderedAxes": ["E", "N"], "tileMatrices": matrices,
        "boundingBox": { "crs": EPSG_3857, "lowerLeft": [-ORIGIN, -ORIGIN], "upperRight": [ORIGIN, ORIGIN] },
        // TMS 1.0 names of the same members, which GDAL 3.6's OGCAPI driver reads (`identifier`, `supportedCRS`,
        // and `identifier`/`topLeftCorner` per matrix); TMS 2.0 clients ignore them.
        "identifier": "WebMercatorQuad", "supportedCRS": EPSG_3857 }),
    ))
}
