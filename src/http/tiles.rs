//! Vector tile endpoints: XYZ, TileJSON 3.0 and OGC API Tiles, served like a CDN origin.

use super::documents::{base_url, link, JSON};
use super::error::{ApiError, PathParams};
use super::negotiate::{self, negotiate, Format, JSON_ONLY};
use super::params::kinds::F;
use super::params::{FormatParams, Params, TileParams};
use super::representation::not_modified;
use crate::state::AppState;
use crate::tiles::{EncodedTile, TileCoord, Tileset};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

pub use super::negotiate::MVT;
const CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=3600";
const TMS: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

type Result<T> = std::result::Result<T, ApiError>;

fn no_tileset(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no tileset `{id}`; tilesets are the unit sets listed in /collections"
    ))
}

/// A tile coordinate from the path: digits only, fitting 32 bits (the range is checked per zoom later).
fn coordinate(v: &str, name: &str) -> Result<u32> {
    (!v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse().ok())
        .flatten()
        .ok_or_else(|| ApiError::bad(name, format!("`{v}` is not a whole number ≥ 0")))
}

/// The year of a tile request (`datetime`), checking `f` too.
fn tile_year(p: &TileParams) -> Result<Option<i32>> {
    if let Some(F(f)) = p.f {
        if f != Format::Mvt {
            return Err(ApiError::bad(
                "f",
                format!("`{}` is not offered here; tiles are mvt", f.name()),
            ));
        }
    }
    p.year()
}

/// A tile as an HTTP response: 304 on a matching `If-None-Match`, 204 when the tile is empty, otherwise the
/// bytes in the coding the client prefers, each coding compressed once per cached tile.
fn tile_response(tile: &EncodedTile, headers: &HeaderMap) -> Result<Response> {
    let coding = (!tile.raw.is_empty())
        .then(|| negotiate::coding(headers))
        .flatten();
    let tag = tile.etag(coding);
    let etag =
        HeaderValue::from_str(tag).map_err(|e| ApiError::Internal(format!("ETag {tag:?}: {e}")))?;
    let common = [
        (header::ETAG, etag),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    if headers.contains_key(header::IF_NONE_MATCH) && not_modified(headers, tag) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    if tile.raw.is_empty() {
        return Ok((StatusCode::NO_CONTENT, common).into_response());
    }
    let ct = (header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    Ok(match coding {
        Some(c) => {
            let enc = (
                header::CONTENT_ENCODING,
                HeaderValue::from_static(c.token()),
            );
            (common, [ct, enc], Body::from(tile.encoded(c).clone())).into_response()
        }
        None => (common, [ct], Body::from(tile.raw.clone())).into_response(),
    })
}

fn serve_tile(
    state: &AppState,
    set: &str,
    z: &str,
    x: &str,
    y: &str,
    params: &TileParams,
    headers: &HeaderMap,
) -> Result<Response> {
    let year = tile_year(params)?;
    let data = state.current_brief();
    let (index, tileset) = data.tiles.get(set).ok_or_else(|| no_tileset(set))?;
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .unwrap_or(y);
    let coord = TileCoord::new(
        coordinate(z, "z")?,
        coordinate(x, "x")?,
        coordinate(y, "y")?,
        (tileset.min_zoom, tileset.max_zoom),
    )
    .map_err(|e| ApiError::bad(e.parameter, e.message))?;
    let mut rendered = false;
    let tile = data.tiles.cache.get_or_insert((index, coord, year), || {
        rendered = true;
        tileset.render(coord, year)
    });
    state.metrics.tile(rendered, tile.raw.len());
    tile_response(&tile, headers)
}

/// `GET /tiles/{set}/{z}/{x}/{y}[.mvt|.pbf]`
pub async fn xyz(
    State(state): State<Arc<AppState>>,
    PathParams((set, z, x, y)): PathParams<(String, String, String, String)>,
    Params(p): Params<TileParams>,
    headers: HeaderMap,
) -> Result<Response> {
    serve_tile(&state, &set, &z, &x, &y, &p, &headers)
}

/// `GET /collections/{set}/tiles/WebMercatorQuad/{z}/{y}/{x}` (OGC API Tiles order: row before column).
pub async fn ogc_tile(
    State(state): State<Arc<AppState>>,
    PathParams((set, tms, z, y, x)): PathParams<(String, String, String, String, String)>,
    Params(p): Params<TileParams>,
    headers: HeaderMap,
) -> Result<Response> {
    check_tms(&tms)?;
    serve_tile(&state, &set, &z, &x, &y, &p, &headers)
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
            json!({ "id": name, "fields": fields, "minzoom": t.min_zoom, "maxzoom": t.max_zoom })
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
        "minzoom": t.min_zoom,
        "maxzoom": t.max_zoom,
        "bounds": [w, s, e, n],
        "center": [(w + e) / 2.0, (s + n) / 2.0, 11.clamp(t.min_zoom, t.max_zoom)],
        "vector_layers": vector_layers(t),
    })
}

/// `GET /tiles/{set}.json`
pub async fn tilejson_doc(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Response> {
    negotiate(p.f, &headers, JSON_ONLY)?;
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
        "tileMatrixSetLimits": (t.min_zoom..=t.max_zoom).map(|z| {
            let lo = crate::tiles::mercator::project(t.bounds[0], t.bounds[3]);
            let hi = crate::tiles::mercator::project(t.bounds[2], t.bounds[1]);
            let n = f64::from(1u32 << z);
            json!({ "tileMatrix": z.to_string(), "minTileRow": (lo[1] * n) as u32, "maxTileRow": (hi[1] * n) as u32, "minTileCol": (lo[0] * n) as u32, "maxTileCol": (hi[0] * n) as u32 })
        }).collect::<Vec<_>>(),
        "layers": t.layer_names.iter().map(|n| json!({ "id": n, "dataType": "vector", "geometryType": "polygons", "minTileMatrix": t.min_zoom.to_string(), "maxTileMatrix": t.max_zoom.to_string() })).collect::<Vec<_>>(),
        "vector_layers": vector_layers(t),
    })
}

/// `GET /collections/{set}/tiles`
pub async fn tilesets(
    State(state): State<Arc<AppState>>,
    PathParams(set): PathParams<String>,
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    negotiate(p.f, &headers, JSON_ONLY)?;
    let data = state.current();
    let (_, t) = data.tiles.get(&set).ok_or_else(|| no_tileset(&set))?;
    Ok(Json(
        json!({ "links": [link(format!("{}/collections/{set}/tiles", base_url(&headers)), "self", JSON, "Conjuntos de teselas")], "tilesets": [tileset_doc(&base_url(&headers), t)] }),
    ))
}

/// `GET /collections/{set}/tiles/WebMercatorQuad`
pub async fn tileset(
    State(state): State<Arc<AppState>>,
    PathParams((set, tms)): PathParams<(String, String)>,
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    negotiate(p.f, &headers, JSON_ONLY)?;
    check_tms(&tms)?;
    let data = state.current();
    let (_, t) = data.tiles.get(&set).ok_or_else(|| no_tileset(&set))?;
    Ok(Json(tileset_doc(&base_url(&headers), t)))
}

/// `GET /tileMatrixSets`
pub async fn tile_matrix_sets(
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    negotiate(p.f, &headers, JSON_ONLY)?;
    let base = base_url(&headers);
    Ok(Json(
        json!({ "tileMatrixSets": [{ "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World", "uri": TMS,
        "links": [link(format!("{base}/tileMatrixSets/WebMercatorQuad"), "self", JSON, "WebMercatorQuad")] }] }),
    ))
}

const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

/// `GET /tileMatrixSets/WebMercatorQuad`: the OGC 2D Tile Matrix Set definition.
pub async fn web_mercator_quad(
    PathParams(id): PathParams<String>,
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    negotiate(p.f, &headers, JSON_ONLY)?;
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
