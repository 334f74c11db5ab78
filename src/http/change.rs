//! `GET /collections/{id}/change?from=&to=`: the change of an indicator between two years, per territory, as
//! GeoJSON features (default), HTML, CSV, XLSX or GeoPackage.

use super::documents::GEOJSON;
use super::downloads::download;
use super::error::{ApiError, PathParams};
use super::html;
use super::negotiate::{negotiate, Format, DOWNLOADS};
use super::params::kinds::Year;
use super::params::{ChangeParams, Params};
use crate::features::change::changes;
use crate::features::download::tables::change_table;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// `from` or `to`: required, and one of the indicator's years.
fn year(y: Option<Year>, name: &str, years: &[i32]) -> Result<i32, ApiError> {
    let Year(y) = y.ok_or_else(|| {
        ApiError::bad(
            name,
            format!("is required: one of the indicator's years {years:?}"),
        )
    })?;
    years.contains(&y).then_some(y).ok_or_else(|| {
        ApiError::bad(
            name,
            format!("{y} is not one of the indicator's years {years:?}"),
        )
    })
}

pub async fn change(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    Params(p): Params<ChangeParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = negotiate(p.f, &headers, DOWNLOADS)?;
    let data = state.current();
    let ind = data.snapshot.indicator(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator `{id}`; /collections lists them"))
    })?;
    let c = data
        .features
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no collection `{id}`")))?;
    let years = ind.years();
    let (from, to) = (year(p.from, "from", &years)?, year(p.to, "to", &years)?);
    let rows = changes(ind, from, to);
    let table = change_table(c, ind, from, to, &rows);
    match format {
        Format::Csv | Format::Xlsx | Format::Gpkg => {
            download(format, table, &format!("{id}_cambio_{from}_{to}")).await
        }
        Format::Html => Ok(Html(html::change(c, &table)).into_response()),
        // `DOWNLOADS` offers no other format: GeoJSON.
        _ => {
            let mut body = String::from(r#"{"type":"FeatureCollection","features":["#);
            for (i, ch) in rows.iter().enumerate() {
                let unit = ind.unit_set.unit(ch.unit);
                let Some(f) = c.features.iter().find(|f| f.key == unit.key) else {
                    continue;
                };
                let props = json!({
                    "code": unit.code, "name": unit.name, "from": from, "to": to,
                    "value_from": ch.value_from, "value_to": ch.value_to,
                    "change": ch.change, "change_pct": ch.change_pct, "nd": ch.nd(),
                    "unit": ind.unit, "indicator": ind.id, "sample": ind.sample,
                });
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!(r#"{{"type":"Feature","id":"{}-{from}-{to}","geometry":{},"properties":{props}}}"#, unit.code, f.geometry_json));
            }
            let deltas: Vec<f64> = rows.iter().filter_map(|r| r.change).collect();
            body.push_str(&format!(
                r#"],"numberMatched":{n},"numberReturned":{n},"ssepot:legend":{}}}"#,
                crate::styles::legend::change_legend(&deltas),
                n = rows.len()
            ));
            Ok(([(header::CONTENT_TYPE, GEOJSON)], body).into_response())
        }
    }
}
