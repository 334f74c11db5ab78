//! Styles generated from the data: MapLibre style, legend, QGIS `.qml` and SLD per indicator and year.

use super::documents::base_url;
use super::error::ApiError;
use crate::state::{AppState, Loaded};
use crate::styles::classify::Method;
use crate::styles::{maplibre, qgis, Legend};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

/// The legend asked for by `?year=&method=&classes=`; the year defaults to the latest.
fn legend(data: &Loaded, id: &str, raw: &Option<String>) -> Result<Legend> {
    let ind = data.snapshot.indicator(id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator `{id}`; /collections lists them"))
    })?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad("query", e.to_string()))?;
    let years = ind.years();
    let (mut year, mut method, mut classes) = (
        years.last().copied().unwrap_or(0),
        ind.style.method,
        ind.style.classes,
    );
    for (k, v) in &pairs {
        match k.as_str() {
            "year" | "datetime" => {
                year = v
                    .get(..4)
                    .and_then(|y| y.parse().ok())
                    .filter(|y| years.contains(y))
                    .ok_or_else(|| {
                        ApiError::bad(
                            k,
                            format!("`{v}` is not a year of `{id}`; its years are {years:?}"),
                        )
                    })?;
            }
            "method" => {
                method = Method::parse(v)
                    .filter(|m| *m != Method::Manual || !ind.style.breaks.is_empty())
                    .ok_or_else(|| ApiError::bad("method", format!("`{v}` is not quantile, equal or jenks (manual needs breaks in the layer file)")))?;
            }
            "classes" => {
                classes = v
                    .parse()
                    .ok()
                    .filter(|n| (2..=7).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad("classes", format!("`{v}` is not a number from 2 to 7"))
                    })?;
            }
            "f" => {}
            other => {
                return Err(ApiError::bad(
                    other,
                    "unknown parameter; styles accept year, method and classes",
                ))
            }
        }
    }
    Ok(Legend::new(ind, year, method, classes))
}

/// `GET /styles/{id}.json`, `/styles/{id}.qml`, `/styles/{id}.sld`
pub async fn style(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, ext) = file.rsplit_once('.').ok_or_else(|| {
        ApiError::NotFound(format!(
            "`{file}`: styles are {{indicator}}.json, .qml or .sld"
        ))
    })?;
    let data = state.current();
    let l = legend(&data, id, &q)?;
    let ind = data.snapshot.indicator(id).expect("the legend found it");
    let set = &ind.unit_set.id;
    let disposition = |ext: &str| format!("inline; filename=\"{id}_{}.{ext}\"", l.year);
    match ext {
        "json" => {
            let (_, t) = data
                .tiles
                .get(set)
                .ok_or_else(|| ApiError::NotFound(format!("no tileset `{set}`")))?;
            let url = format!("{}/tiles/{set}/{{z}}/{{x}}/{{y}}.mvt", base_url(&headers));
            let style = maplibre::style(&l, set, &url, t.bounds, t.max_zoom);
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
            qgis::qml(&l),
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
            qgis::sld(&l),
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
    Path((id, file)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    if file != "legend.json" {
        return Err(ApiError::NotFound(format!(
            "`/styles/{id}/{file}`: the legend is /styles/{id}/legend.json"
        )));
    }
    let data = state.current();
    Ok(axum::Json(legend(&data, &id, &q)?).into_response())
}
