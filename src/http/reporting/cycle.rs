//! The reporting cycle over HTTP: reviewers open periods and record concertation agreements; anyone reads a
//! period's completeness (which offices reported, what is verified, validated, published, and each ND's
//! cause) as JSON, a Spanish page, CSV or XLSX. The rules are [`crate::store::cycle`]'s.

use super::{blocking, parse_body, reporting, Reviewer};
use crate::features::download::{Kind, Table, Value as Cell};
use crate::http::downloads::download;
use crate::http::error::{ApiError, PathParams};
use crate::http::html::{page, table_context};
use crate::http::negotiate::{negotiate, Format};
use crate::http::params::{AgreementsParams, FormatParams, Params};
use crate::state::AppState;
use crate::store::cycle::{self, Completeness, NewAgreement, NewPeriod};
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// What a period's completeness is offered as.
const FORMATS: &[Format] = &[Format::Json, Format::Html, Format::Csv, Format::Xlsx];

/// `POST /reporting/periods`: `{"year", "deadline", "cutoff", "title"?}` (reviewers).
pub async fn open_period(
    AxState(state): AxState<Arc<AppState>>,
    Reviewer(caller): Reviewer,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let new: NewPeriod = parse_body(&body)?;
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let period = blocking(move || store.open_period(&who, &new)).await?;
    let location = format!("/reporting/periods/{}", period.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(period),
    )
        .into_response())
}

/// `GET /reporting/periods`: every period (public), as JSON or a page.
pub async fn periods(
    AxState(state): AxState<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response, ApiError> {
    let format = negotiate(p.f, &headers, &[Format::Json, Format::Html])?;
    let rep = reporting(&state)?;
    let store = rep.store.clone();
    let list = blocking(move || store.periods()).await?;
    let today = cycle::today();
    let list: Vec<Value> = list
        .into_iter()
        .map(|p| {
            let mut v = serde_json::to_value(&p).expect("serialises");
            v["status"] = status_text(&today, &p.deadline, &p.cutoff).into();
            v["href"] = format!("/reporting/periods/{}", p.id).into();
            v
        })
        .collect();
    match format {
        Format::Html => Ok(Html(page(
            "periods.html",
            json!({"title": "Periodos de reporte", "periods": list}),
        ))
        .into_response()),
        _ => Ok(Json(json!({ "periods": list })).into_response()),
    }
}

/// `plazo abierto`, `plazo vencido, recibe hasta el corte` or `cerrado`.
fn status_text(today: &str, deadline: &str, cutoff: &str) -> &'static str {
    if today <= deadline {
        "plazo abierto"
    } else if today <= cutoff {
        "plazo vencido; recibe valores hasta el corte"
    } else {
        "cerrado (pasó la fecha de corte)"
    }
}

/// `GET /reporting/periods/{id}`: the period's completeness (public).
pub async fn period(
    AxState(state): AxState<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response, ApiError> {
    let format = negotiate(p.f, &headers, FORMATS)?;
    let wanted: i64 = id.parse().map_err(|_| {
        ApiError::bad(
            "id",
            format!("`{id}` is not a period id (a whole number; /reporting/periods lists them)"),
        )
    })?;
    let rep = reporting(&state)?;
    let store = rep.store.clone();
    let (periods, offices, items) = blocking(move || {
        Ok((
            store.periods()?,
            store.offices()?,
            store.items(&Default::default())?,
        ))
    })
    .await?;
    let period = periods
        .into_iter()
        .find(|p| p.id == wanted)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no reporting period {wanted}; /reporting/periods lists them"
            ))
        })?;
    let c = cycle::completeness(&period, &offices, &items, &cycle::today());
    match format {
        Format::Json => Ok(Json(c).into_response()),
        Format::Html => Ok(Html(period_page(&c)).into_response()),
        f => {
            let stem = format!("completitud_periodo_{}", c.period.year);
            download(f, completeness_table(&c), &stem).await
        }
    }
}

/// One row per office and indicator.
pub fn completeness_table(c: &Completeness) -> Table {
    let yes = Cell::Bool;
    let rows = c
        .indicators
        .iter()
        .map(|s| {
            let name = c
                .offices
                .iter()
                .find(|o| o.office == s.office)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            let row = vec![
                Cell::Text(s.office.clone()),
                Cell::Text(name),
                Cell::Text(s.indicator.clone()),
                Cell::Int(s.territories as i64),
                yes(s.reported),
                yes(s.on_time),
                yes(s.verified),
                yes(s.validated),
                yes(s.published),
                Cell::Int(s.returned as i64),
                yes(s.nd),
                Cell::Text(s.nd_cause_text.unwrap_or_default().into()),
            ];
            (row, crate::ssepot::dashboards::no_geometry())
        })
        .collect();
    let columns = [
        ("dependencia", Kind::Text),
        ("nombre_dependencia", Kind::Text),
        ("indicador", Kind::Text),
        ("territorios_reportados", Kind::Int),
        ("reportado", Kind::Bool),
        ("a_tiempo", Kind::Bool),
        ("verificado", Kind::Bool),
        ("validado", Kind::Bool),
        ("publicado", Kind::Bool),
        ("territorios_devueltos", Kind::Int),
        ("nd", Kind::Bool),
        ("causa_nd", Kind::Text),
    ];
    Table {
        name: format!("completitud_{}", c.period.year),
        title: format!(
            "Completitud del periodo de reporte {} «{}» (vigencia {}; plazo {}, corte {}), calculada el {}. Descargado de ssepot.",
            c.period.id, c.period.title, c.period.year, c.period.deadline, c.period.cutoff, c.today
        ),
        columns: columns.map(|(n, k)| (n.to_string(), k)).to_vec(),
        rows,
    }
}

fn period_page(c: &Completeness) -> String {
    let pending: Vec<Value> = c
        .offices
        .iter()
        .filter(|o| o.pending)
        .map(|o| {
            let missing: Vec<&str> = c
                .indicators
                .iter()
                .filter(|s| s.office == o.office && (!s.on_time || (s.reported && !s.validated)))
                .map(|s| s.indicator.as_str())
                .collect();
            json!({"office": o.office, "name": o.name, "no_reportado": o.indicators - o.on_time,
                   "sin_validar": o.reported - o.validated, "indicators": missing})
        })
        .collect();
    page(
        "period.html",
        json!({
            "title": format!("{} — completitud", c.period.title),
            "period": c.period,
            "status": status_text(&c.today, &c.period.deadline, &c.period.cutoff),
            "today": c.today,
            "deadline_passed": c.deadline_passed,
            "pending": pending,
            "offices": c.offices,
            "table": table_context(&completeness_table(c)),
        }),
    )
}

/// `POST /reporting/agreements`: `{"date","office","indicators":[…],"agreed","state","action"}` (reviewers).
pub async fn record_agreement(
    AxState(state): AxState<Arc<AppState>>,
    Reviewer(caller): Reviewer,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let mut new: NewAgreement = parse_body(&body)?;
    new.indicators = known_indicators(&state, &new.indicators)?;
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let id = blocking(move || store.record_agreement(&who, &new)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// The served indicators' ids of `asked` (by id or code); an unknown one is 400 naming its position.
fn known_indicators(state: &AppState, asked: &[String]) -> Result<Vec<String>, ApiError> {
    let current = state.current();
    asked
        .iter()
        .enumerate()
        .map(|(i, a)| {
            crate::store::check::find_indicator(&current.snapshot, a.trim())
                .map(|ind| ind.id.clone())
                .ok_or_else(|| {
                    ApiError::bad(
                        &format!("indicators[{i}]"),
                        format!("no indicator `{a}` (an id of /indicators, or its code)"),
                    )
                })
        })
        .collect()
}

/// `GET /reporting/agreements[?indicator=]`: concertation agreements (public), oldest first.
pub async fn agreements(
    AxState(state): AxState<Arc<AppState>>,
    Params(q): Params<AgreementsParams>,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let indicator = match q.indicator {
        Some(i) => Some(
            known_indicators(&state, &[i]).map_err(|_| {
                ApiError::bad(
                    "indicator",
                    "no such indicator (an id of /indicators, or its code)",
                )
            })?[0]
                .clone(),
        ),
        None => None,
    };
    let store = rep.store.clone();
    let list = blocking(move || store.agreements(indicator.as_deref())).await?;
    Ok(Json(json!({ "agreements": list })).into_response())
}

/// The cause of each ND value of an indicator, from the reporting store's items and periods (the rule is
/// `store::cycle::nd_cause`). Empty without a store, or while the store does not answer (the sheet still serves).
pub async fn nd_causes(
    state: &Arc<AppState>,
    ind: &crate::model::Indicator,
) -> crate::ssepot::sheets::NdCauses {
    let Some(rep) = state.reporting.clone() else {
        return Default::default();
    };
    let filter = crate::store::ItemFilter {
        indicator: Some(ind.id.clone()),
        ..Default::default()
    };
    let read = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((rep.store.items(&filter)?, rep.store.periods()?))
    });
    let Ok(Ok((items, periods))) = read.await else {
        return Default::default();
    };
    ind.observations
        .iter()
        .filter(|o| o.value.is_none())
        .filter_map(|o| {
            let key = crate::model::normalize_key(&ind.unit_set.unit(o.unit).code);
            let of_key: Vec<&crate::store::Item> = items
                .iter()
                .filter(|i| {
                    i.kind == "value"
                        && i.year == Some(o.year)
                        && i.territory.as_deref() == Some(&key)
                })
                .collect();
            let period = periods.iter().find(|p| p.year == o.year);
            let cause = crate::store::cycle::nd_cause(&of_key, period)?;
            Some(((key, o.year), cause.text().to_string()))
        })
        .collect()
}
