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
use crate::features::crosswalk::{carried_changes, carried_table, edition_json, METHOD};
use crate::features::download::tables::change_table;
use crate::model::crosswalk::Crosswalk;
use crate::model::{Indicator, Snapshot};
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
    if let Some(edition) = p.edition.as_ref().filter(|e| e.0 != ind.unit_set.id) {
        let cw = crosswalk_to(&data.snapshot, ind, &edition.0)?;
        return carried(ind, &cw, from, to, format, &data.features).await;
    }
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
                let Some(g) = c.unit_geometry(&unit.key) else {
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
                body.push_str(&format!(r#"{{"type":"Feature","id":"{}-{from}-{to}","geometry":{},"properties":{props}}}"#, unit.code, g.json));
            }
            let deltas: Vec<f64> = rows.iter().filter_map(|r| r.change).collect();
            body.push_str(&format!(
                r#"],"numberMatched":{n},"numberReturned":{n},"ssepot:editions":{},"ssepot:legend":{}}}"#,
                json!({ "values": edition_json(&ind.unit_set), "map": edition_json(&ind.unit_set), "crosswalk": null }),
                crate::styles::legend::change_legend(&deltas),
                n = rows.len()
            ));
            Ok(([(header::CONTENT_TYPE, GEOJSON)], body).into_response())
        }
    }
}

/// The crosswalk that carries `ind`'s values onto unit set `edition`: declared, and for a count. Anything else is
/// a 400 naming `edition`: codes are never joined across editions.
fn crosswalk_to(
    snapshot: &Snapshot,
    ind: &Indicator,
    edition: &str,
) -> Result<Arc<Crosswalk>, ApiError> {
    let from = &ind.unit_set.id;
    let target = snapshot.unit_set(edition).ok_or_else(|| {
        ApiError::bad(
            "edition",
            format!("no unit set `{edition}`; /collections lists them"),
        )
    })?;
    let cw = snapshot.crosswalk_between(from, &target.id).ok_or_else(|| {
        ApiError::bad(
            "edition",
            format!(
                "no crosswalk from `{from}` to `{edition}` is declared: ssepot never joins codes across \
                 editions (the same code can name another place), and carries values only through a declared \
                 crosswalk (/crosswalks lists them)"
            ),
        )
    })?;
    let is_count = snapshot
        .report
        .territory
        .rollups
        .iter()
        .any(|r| r.from == ind.id && r.rule == "sum" && r.error.is_none());
    if !is_count {
        return Err(ApiError::bad(
            "edition",
            format!(
                "`{}` is not declared a count (a `rollup` with `rule = \"sum\"`): only counts are carried \
                 across editions by area share; a rate or a mean would be wrong",
                ind.id
            ),
        ));
    }
    Ok(cw.clone())
}

/// The change drawn on the crosswalk's target edition, in any format, saying which editions and crosswalk.
async fn carried(
    ind: &Indicator,
    cw: &Arc<Crosswalk>,
    from: i32,
    to: i32,
    format: Format,
    features: &crate::features::Catalog,
) -> Result<Response, ApiError> {
    let rows = carried_changes(ind, cw, from, to);
    let table = carried_table(ind, cw, from, to, &rows);
    let target = features
        .get(&cw.to.id)
        .ok_or_else(|| ApiError::NotFound(format!("no collection `{}`", cw.to.id)))?;
    match format {
        Format::Csv | Format::Xlsx | Format::Gpkg => {
            download(
                format,
                table,
                &format!("{}_cambio_{from}_{to}_{}", ind.id, cw.to.id),
            )
            .await
        }
        Format::Html => Ok(Html(html::change(target, &table)).into_response()),
        _ => {
            let mut body = String::from(r#"{"type":"FeatureCollection","features":["#);
            for (i, r) in rows.iter().enumerate() {
                let unit = &cw.to.units[r.unit];
                let Some(g) = target.unit_geometry(&unit.key) else {
                    continue;
                };
                let props = json!({
                    "code": unit.code, "name": unit.name, "from": from, "to": to,
                    "value_from": r.value_from, "value_to": r.value_to,
                    "change": r.change, "change_pct": r.change_pct, "nd": r.change.is_none(),
                    "unit": ind.unit, "indicator": ind.id, "sample": ind.sample,
                    "crosswalk": cw.id, "estimate": r.estimate,
                });
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!(r#"{{"type":"Feature","id":"{}-{from}-{to}","geometry":{},"properties":{props}}}"#, unit.code, g.json));
            }
            let deltas: Vec<f64> = rows.iter().filter_map(|r| r.change).collect();
            let editions = json!({
                "values": edition_json(&cw.from),
                "map": edition_json(&cw.to),
                "crosswalk": { "id": cw.id, "href": format!("/crosswalks/{}", cw.id), "method": METHOD },
            });
            body.push_str(&format!(
                r#"],"numberMatched":{n},"numberReturned":{n},"ssepot:editions":{editions},"ssepot:legend":{}}}"#,
                crate::styles::legend::change_legend(&deltas),
                n = rows.len()
            ));
            Ok(([(header::CONTENT_TYPE, GEOJSON)], body).into_response())
        }
    }
}
