//! The citizen web map: its page and assets (embedded in the binary, so it works with no internet) and the
//! small JSON documents it reads besides the OGC API.

use super::error::{ApiError, PathParams};
use super::negotiate::{negotiate, JSON_ONLY};
use super::params::{FormatParams, NoParams, Params, SeriesParams};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use geo::InteriorPoint;
use serde_json::{json, Value};
use std::sync::Arc;

pub const INDEX: &str = include_str!("../../web/index.html");

/// Files of `web/`, served under `/map/`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/app.js"),
    ),
    (
        "territory.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/territory.js"),
    ),
    (
        "a11y.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/a11y.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/app.css"),
    ),
    (
        "vendor/maplibre-gl.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl.js"),
    ),
    (
        "vendor/maplibre-gl.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl.css"),
    ),
    (
        "vendor/pmtiles.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/vendor/pmtiles.js"),
    ),
];

/// `GET /map/` (and `/` for browsers).
pub async fn index(Params(_): Params<NoParams>) -> Html<&'static str> {
    Html(INDEX)
}

/// `GET /map/{file}` and `/map/vendor/{file}`.
pub async fn asset(
    PathParams(path): PathParams<String>,
    Params(_): Params<NoParams>,
) -> Result<Response, ApiError> {
    let (_, mime, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .ok_or_else(|| ApiError::NotFound(format!("no file `/map/{path}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        *bytes,
    )
        .into_response())
}

pub async fn vendor_asset(
    PathParams(file): PathParams<String>,
    params: Params<NoParams>,
) -> Result<Response, ApiError> {
    asset(PathParams(format!("vendor/{file}")), params).await
}

/// `GET /map/territorios.json`: the map's title per language (`[web_map]` of the layer files), for each unit set
/// its units' codes, names and label points, and its extent; and the optional raster basemap (`SSEPOT_BASEMAP_URL`, an XYZ template such as
/// `https://tile.example.org/{z}/{x}/{y}.png`), drawn under the choropleth when set.
pub async fn territories(
    State(state): State<Arc<AppState>>,
    Params(p): Params<FormatParams>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    negotiate(p.f, &headers, JSON_ONLY)?;
    let data = state.current();
    let sets: serde_json::Map<String, Value> = data
        .snapshot
        .unit_sets
        .iter()
        .map(|set| {
            let label =
                |u: &crate::model::Unit| u.geometry.interior_point().map(|p| [p.x(), p.y()]);
            let units: Vec<Value> = set
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let r = u.bbox;
                    let bbox = [r.min().x, r.min().y, r.max().x, r.max().y];
                    let mut v =
                        json!({ "code": u.code, "name": u.name, "label": label(u), "bbox": bbox });
                    // The units' parents let the map drill down from a comuna to its barrios.
                    if let Some(p) = &set.parent {
                        v["parent"] = json!(p.parent_codes(i));
                    }
                    v
                })
                .collect();
            let b = set.bbox;
            let value = json!({
                "title": set.title,
                "level": set.level,
                "parent_set": set.parent.as_ref().map(|p| &p.parent_set),
                "edition": set.edition,
                "attribution": set.attribution,
                "license": set.license,
                "bbox": [b.min().x, b.min().y, b.max().x, b.max().y],
                "units": units,
                "city": { "code": set.city.code, "name": set.city.name, "label": label(&set.city) },
            });
            (set.id.clone(), value)
        })
        .collect();
    let basemap = std::env::var("SSEPOT_BASEMAP_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let city = data
        .snapshot
        .unit_sets
        .first()
        .map(|s| s.city.name.as_str());
    let title = data.snapshot.web_map.titles(city);
    Ok(Json(
        json!({ "title": title, "unit_sets": sets, "basemap": basemap }),
    ))
}

/// `GET /collections/{id}/series[?code=]`: values by year per territory, without geometry.
pub async fn series(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    Params(p): Params<SeriesParams>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    negotiate(p.f, &headers, JSON_ONLY)?;
    let code = p.code.as_ref().map(|c| c.0.as_str());
    let data = state.current();
    let ind = data.snapshot.indicator(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator `{id}`; /collections lists them"))
    })?;
    let mut doc = crate::features::series::series(ind, code);
    // Why each ND is ND (the reporting cycle's causes), and whether values are measured or projected.
    let causes = super::reporting::cycle::nd_causes(&state, ind).await;
    if let Some(rows) = doc["rows"].as_array_mut() {
        for row in rows {
            let key = crate::model::normalize_key(row["code"].as_str().unwrap_or_default());
            let of_row: serde_json::Map<String, Value> = causes
                .iter()
                .filter(|((k, _), _)| *k == key)
                .map(|((_, year), cause)| (year.to_string(), cause.clone().into()))
                .collect();
            if !of_row.is_empty() {
                row["nd_causes"] = of_row.into();
            }
        }
    }
    let kinds: serde_json::Map<String, Value> = ind
        .years()
        .into_iter()
        .filter_map(|y| {
            crate::model::value_kind::of(&ind.sheet, y).map(|k| (y.to_string(), k.as_str().into()))
        })
        .collect();
    if !kinds.is_empty() {
        doc["value_kinds"] = kinds.into();
    }
    if code.is_some() && doc["rows"].as_array().is_some_and(Vec::is_empty) {
        return Err(ApiError::NotFound(format!(
            "no territory with code `{}` in `{id}`",
            code.unwrap_or_default()
        )));
    }
    Ok(Json(doc))
}
