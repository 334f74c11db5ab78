//! Styles generated from the data: MapLibre style, legend, QGIS `.qml` and SLD per indicator and year.

use super::documents::base_url;
use super::error::{ApiError, PathParams};
use super::params::kinds::MethodParam;
use super::params::{Params, StyleParams};
use crate::state::{AppState, Loaded};
use crate::styles::classify::Method;
use crate::styles::{maplibre, qgis, Legend};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

/// The legend asked for by `?year=&method=&classes=`; the year defaults to the latest.
pub(super) fn legend(data: &Loaded, id: &str, p: &StyleParams) -> Result<(Legend, String)> {
    let ind = data.snapshot.indicator(id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator `{id}`; /collections lists them"))
    })?;
    let years = ind.years();
    let year = match p.year()? {
        Some((y, _)) if years.contains(&y) => y,
        Some((y, name)) => {
            return Err(ApiError::bad(
                name,
                format!("{y} is not a year of `{id}`; its years are {years:?}"),
            ))
        }
        // An indicator without values has an empty legend.
        None => years.last().copied().unwrap_or(0),
    };
    let method = match p.method {
        Some(MethodParam(Method::Manual)) if ind.style.breaks.is_empty() => {
            return Err(ApiError::bad(
                "method",
                "`manual` needs breaks in the layer file; use quantile, equal or jenks",
            ))
        }
        Some(MethodParam(m)) => m,
        None => ind.style.method,
    };
    let classes = p.classes.map_or(ind.style.classes, |c| c.0);
    Ok((
        Legend::new(ind, year, method, classes),
        ind.unit_set.id.clone(),
    ))
}

/// `GET /styles/{id}.json`, `/styles/{id}.qml`, `/styles/{id}.sld`
pub async fn style(
    State(state): State<Arc<AppState>>,
    PathParams(file): PathParams<String>,
    Params(p): Params<StyleParams>,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, ext) = file.rsplit_once('.').ok_or_else(|| {
        ApiError::NotFound(format!(
            "`{file}`: styles are {{indicator}}.json, .qml or .sld"
        ))
    })?;
    let data = state.current();
    let (l, set) = legend(&data, id, &p)?;
    let disposition = |ext: &str| format!("inline; filename=\"{id}_{}.{ext}\"", l.year);
    match ext {
        "json" => {
            let (_, t) = data
                .tiles
                .get(&set)
                .ok_or_else(|| ApiError::NotFound(format!("no tileset `{set}`")))?;
            let url = format!("{}/tiles/{set}/{{z}}/{{x}}/{{y}}.mvt", base_url(&headers));
            let mut style =
                maplibre::style(&l, &set, &url, t.bounds, t.max_zoom, t.unit_set().outline)
                    .map_err(ApiError::Internal)?;
            // Which boundary edition the style draws, and the boundaries' terms (docs/territory.md).
            let s = t.unit_set();
            style["metadata"]["ssepot:territory"] = serde_json::json!({ "unit_set": s.id, "level": s.level, "edition": s.edition, "license": s.license });
            style["sources"]["ssepot"]["attribution"] = s.terms().into();
            Ok((
                [(header::CONTENT_TYPE, "application/json")],
                style.to_string(),
            )
                .into_response())
        }
        "qml" => Ok((
            [
                (header::CONTENT_TYPE, "application/xml".to_string()),
                (header::CONTENT_DISPOSITION, disposition("qml")),
            ],
            qgis::qml(&l).map_err(ApiError::Internal)?,
        )
            .into_response()),
        "sld" => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.ogc.sld+xml".to_string(),
                ),
                (header::CONTENT_DISPOSITION, disposition("sld")),
            ],
            qgis::sld(&l).map_err(ApiError::Internal)?,
        )
            .into_response()),
        other => Err(ApiError::NotFound(format!(
            "no style format `.{other}`; use .json (MapLibre), .qml (QGIS) or .sld"
        ))),
    }
}

/// `GET /styles/{id}/legend.json`
pub async fn legend_doc(
    State(state): State<Arc<AppState>>,
    PathParams((id, file)): PathParams<(String, String)>,
    Params(p): Params<StyleParams>,
) -> Result<Response> {
    if file != "legend.json" {
        return Err(ApiError::NotFound(format!(
            "`/styles/{id}/{file}`: the legend is /styles/{id}/legend.json"
        )));
    }
    let data = state.current();
    Ok(axum::Json(legend(&data, &id, &p)?.0).into_response())
}
