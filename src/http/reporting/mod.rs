//! The reporting API: offices submit values (JSON or CSV/XLSX), reviewers move them to publication, and
//! everyone with a token reads the change log. Thin: checks live in [`crate::store::check`], reading files in
//! [`crate::store::upload`], the workflow and the writes in [`crate::store`].
//!
//! Who may call is a typed extractor ([`Office`], [`Reviewer`], [`Caller`]); reading an
//! upload form is [`form`].

mod caller;
pub mod cycle;
mod form;
pub mod narrative;

pub use caller::{
    authenticate, check_form, require_office, Caller, Client, Office, Reviewer, COOKIE,
};
pub use form::{read_upload, UploadForm};

use super::error::ApiError;
use super::negotiate::Format;
use super::params::{NoParams, OriginParams, Params, ReportingItemsParams, ReportingLogParams};
use crate::config::ValueFormat;
use crate::ingest::cells::Cell;
use crate::state::AppState;
use crate::store::check::{self, Checked, RawValue, JSON_FIELDS};
use crate::store::log::LogFilter;
use crate::store::{
    auth, overlay, upload, ItemFilter, NewItem, Principal, Reporting, SheetChange, State,
    StoreError, Submission,
};
use axum::body::Bytes;
use axum::extract::{Multipart, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { field, message } => ApiError::bad(&field, message),
            StoreError::Forbidden(m) => ApiError::Forbidden(m),
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Conflict { field, message } => {
                ApiError::Conflict(format!("field `{field}`: {message}"))
            }
            StoreError::Unavailable(m) => ApiError::Unavailable(format!(
                "the reporting store is unavailable ({m}); published data keeps being served"
            )),
            StoreError::Internal(m) => ApiError::Internal(m),
        }
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("store task: {e}")))??)
}

pub fn reporting(state: &AppState) -> Result<Arc<Reporting>, ApiError> {
    state.reporting.clone().ok_or_else(|| {
        ApiError::NotFound("this server has no reporting store (start it with --store)".into())
    })
}

/// Number format of values written as text: `decimal=,` (default, thousands `.`) or `decimal=.`.
pub fn value_format(decimal: Option<&str>) -> Result<ValueFormat, ApiError> {
    match decimal.unwrap_or(",") {
        "," => Ok(ValueFormat {
            decimal: ',',
            thousands: Some('.'),
            ..ValueFormat::default()
        }),
        "." => Ok(ValueFormat::default()),
        other => Err(ApiError::bad(
            "decimal",
            format!("`{other}` is not `,` or `.`"),
        )),
    }
}

pub fn idempotency_key(headers: &HeaderMap, field: Option<String>) -> Result<String, ApiError> {
    let key = field.or_else(|| {
        headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    match key.map(|k| k.trim().to_string()) {
        Some(k) if !k.is_empty() && k.len() <= 200 => Ok(k),
        Some(_) => Err(ApiError::bad(
            "Idempotency-Key",
            "must be 1 to 200 characters",
        )),
        None => Err(ApiError::bad(
            "Idempotency-Key",
            "required: send a header `Idempotency-Key` (or form field `idempotency_key`) unique per submission",
        )),
    }
}

fn payload_hash(items: &[NewItem]) -> String {
    auth::hex(&auth::digest(
        &serde_json::to_string(items).expect("items serialise"),
    ))
}

/// The answer to a submission whose rows were checked: 403/400 with the row report, or written (201, or
/// 200 for a replay).
pub async fn write_checked(
    rep: &Arc<Reporting>,
    caller: &Caller,
    checked: Checked,
    key: String,
    source: String,
) -> Result<(StatusCode, Value), ApiError> {
    if let Some(first) = checked.first_error() {
        let status = if checked.forbidden {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::BAD_REQUEST
        };
        let field = first.field.clone().unwrap_or_default();
        let body = json!({
            "code": if checked.forbidden { "Forbidden" } else { "InvalidParameterValue" },
            "description": format!(
                "{} of {} rows rejected, nothing written; first: row {}, field `{field}`: {}",
                checked.rejected, checked.rows.len(), first.row, first.error.clone().unwrap_or_default()
            ),
            "parameter": field,
            "rows": checked.rows,
        });
        return Ok((status, body));
    }
    let items: Vec<NewItem> = checked.values.into_iter().map(NewItem::Value).collect();
    let submission = Submission {
        idempotency_key: key,
        payload_hash: payload_hash(&items),
        source,
        items,
    };
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let outcome = blocking(move || store.submit(&who, &submission)).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let rows: Vec<Value> = checked
        .rows
        .iter()
        .zip(&outcome.items)
        .map(|(r, id)| {
            let mut v = serde_json::to_value(r).expect("serialises");
            v["item"] = (*id).into();
            v["state"] = "reportado".into();
            v
        })
        .collect();
    Ok((
        status,
        json!({
            "submission": outcome.submission,
            "replayed": outcome.replayed,
            "rows": rows,
        }),
    ))
}

/// One value in a JSON submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonValue {
    indicator: Value,
    territory: Value,
    year: Value,
    /// A number, `null` or `"ND"` for not reported, or a number as text (read with `decimal`).
    value: Value,
}

/// A JSON submission of values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSubmission {
    values: Vec<JsonValue>,
    /// Decimal separator of values written as text: `,` (default) or `.`.
    #[serde(default)]
    decimal: Option<String>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Number(n) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let msg = e.inner().to_string();
        // The field a wrong value is in (`year`, `items[0]`); at the top level, the one the message names
        // (an unknown or missing field), else the body itself.
        let path = e.path().to_string();
        let named = msg
            .split('`')
            .nth(1)
            .filter(|_| msg.contains("unknown field") || msg.contains("missing field"));
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name.to_string(),
            (".", None) => "body".to_string(),
            (p, Some(name)) if !p.ends_with(name) => format!("{p}.{name}"),
            (p, _) => p.to_string(),
        };
        ApiError::bad(&field, format!("the JSON body cannot be read: {msg}"))
    })
}

/// `POST /reporting/values`: values of the caller's office as JSON.
pub async fn submit_values(
    AxState(state): AxState<Arc<AppState>>,
    Office(caller): Office,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let sub: JsonSubmission = parse_body(&body)?;
    let key = idempotency_key(&headers, sub.idempotency_key.clone())?;
    if sub.values.is_empty() {
        return Err(ApiError::bad("values", "the list is empty"));
    }
    let format = value_format(sub.decimal.as_deref())?;
    let raws: Vec<RawValue> = sub
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| RawValue {
            row: i + 1,
            indicator: cell(&v.indicator),
            territory: cell(&v.territory),
            year: cell(&v.year),
            value: cell(&v.value),
        })
        .collect();
    let checked = check::check_values(
        &state.current().snapshot,
        &caller.who,
        &raws,
        &format,
        JSON_FIELDS,
    );
    let (status, body) = write_checked(&rep, &caller, checked, key, "json".into()).await?;
    Ok((status, Json(body)).into_response())
}

/// `POST /reporting/uploads`: a CSV or XLSX of the caller's office (multipart field `file`).
pub async fn submit_upload(
    AxState(state): AxState<Arc<AppState>>,
    Office(caller): Office,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let form = read_upload(&headers, multipart, rep.upload_limit).await?;
    check_form(&caller, &headers, form.csrf.as_deref())?;
    let (status, body) = process_upload(&state, &rep, &caller, &headers, form).await?;
    Ok((status, Json(body)).into_response())
}

/// Checks and writes an upload form already read.
pub async fn process_upload(
    state: &Arc<AppState>,
    rep: &Arc<Reporting>,
    caller: &Caller,
    headers: &HeaderMap,
    form: UploadForm,
) -> Result<(StatusCode, Value), ApiError> {
    let key = idempotency_key(headers, form.idempotency_key)?;
    let format = value_format(form.decimal.as_deref())?;
    let (filename, bytes) = form
        .file
        .ok_or_else(|| ApiError::bad("file", "no file was sent (multipart field `file`)"))?;
    let name = filename.clone();
    let parsed = tokio::task::spawn_blocking(move || upload::read(&bytes, &name))
        .await
        .map_err(|e| ApiError::Internal(format!("upload task: {e}")))?;
    let up = parsed.map_err(|e| match e {
        upload::UploadError::TooLarge(m) => {
            ApiError::PayloadTooLarge(format!("parameter `file`: {m}"))
        }
        upload::UploadError::Invalid { field, message } => ApiError::bad(&field, message),
    })?;
    let checked = check::check_values(
        &state.current().snapshot,
        &caller.who,
        &up.rows,
        &format,
        up.field_names(),
    );
    write_checked(rep, caller, checked, key, filename).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SheetSubmission {
    changes: Vec<SheetChange>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

/// `POST /reporting/sheet-changes`: proposed technical-sheet changes, reviewed like values.
pub async fn submit_sheet_changes(
    AxState(state): AxState<Arc<AppState>>,
    Office(caller): Office,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let sub: SheetSubmission = parse_body(&body)?;
    let key = idempotency_key(&headers, sub.idempotency_key.clone())?;
    let items = check::check_sheet_changes(&state.current().snapshot, &caller.who, sub.changes)?;
    let submission = Submission {
        idempotency_key: key,
        payload_hash: payload_hash(&items),
        source: "json".into(),
        items,
    };
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let outcome = blocking(move || store.submit(&who, &submission)).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome)).into_response())
}

pub fn parse_states(s: Option<&str>) -> Result<Vec<State>, ApiError> {
    s.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                ApiError::bad(
                    "state",
                    format!(
                        "`{s}` is not a state; states are {:?}",
                        State::ALL.map(State::as_str)
                    ),
                )
            })
        })
        .collect()
}

/// Items with the value the public sees now (for the diff) and where that value comes from.
pub fn items_with_served(
    state: &AppState,
    items: Vec<crate::store::Item>,
    rep: &Reporting,
) -> Vec<Value> {
    let current = state.current();
    let published = rep.published();
    items
        .into_iter()
        .map(|it| {
            let mut v = serde_json::to_value(&it).expect("serialises");
            if let (Some(t), Some(y)) = (&it.territory, it.year) {
                let (served, origin) = served(&current.snapshot, &published, &it.indicator, t, y);
                v["served"] = served;
                v["served_origin"] = origin;
            }
            v
        })
        .collect()
}

/// The value served for a key (`null` for ND, absent when there is none) and its origin.
pub fn served(
    snapshot: &crate::model::Snapshot,
    published: &[crate::store::Published],
    indicator: &str,
    territory: &str,
    year: i32,
) -> (Value, Value) {
    let Some(ind) = snapshot.indicator(indicator) else {
        return (Value::Null, Value::Null);
    };
    let set = &ind.unit_set;
    let unit = if territory == crate::model::normalize_key(&set.city.code) {
        Some(crate::model::UnitRef::City)
    } else {
        set.find(territory).map(crate::model::UnitRef::Unit)
    };
    let Some(obs) = unit.and_then(|u| ind.observation(u, year)) else {
        return (Value::Null, json!({"kind": "none"}));
    };
    let value = obs.value;
    let origin = match overlay::origin(published, indicator, territory, year) {
        Some(p) => {
            json!({"kind": "submission", "submission": p.submission, "item": p.item, "office": p.office, "published_at": p.published_at})
        }
        None => {
            // Paths as the layers folder names them, never where the server keeps it.
            let relative = |p: &std::path::Path| {
                p.strip_prefix(&snapshot.report.layers_dir)
                    .unwrap_or(p)
                    .to_path_buf()
            };
            json!({"kind": "layer_file", "layer_file": relative(&ind.layer_file),
                "table": relative(&ind.table), "row": (obs.row > 0).then_some(obs.row)})
        }
    };
    (json!({"value": value, "nd": value.is_none()}), origin)
}

/// `GET /reporting/items`: an office's own items, or (reviewers) everyone's.
pub async fn items(
    AxState(state): AxState<Arc<AppState>>,
    caller: Caller,
    Params(q): Params<ReportingItemsParams>,
) -> Result<Json<Value>, ApiError> {
    let rep = reporting(&state)?;
    let office = match (&caller.who.office, q.office) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(ApiError::Forbidden(format!(
                "parameter `office`: an office token sees only its own items (`{own}`)"
            )))
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    let filter = ItemFilter {
        office,
        states: parse_states(q.state.as_deref())?,
        indicator: q.indicator,
    };
    let store = rep.store.clone();
    let found = blocking(move || store.items(&filter)).await?;
    Ok(Json(
        json!({ "items": items_with_served(&state, found, &rep) }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionBody {
    items: Vec<i64>,
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /reporting/transitions`: `{"items":[…],"to":"verificado|validado|publicado|devuelto","reason":…}`.
pub async fn transition(
    AxState(state): AxState<Arc<AppState>>,
    Reviewer(caller): Reviewer,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let rep = reporting(&state)?;
    let b: TransitionBody = parse_body(&body)?;
    let to = State::parse(&b.to).ok_or_else(|| {
        ApiError::bad(
            "to",
            format!(
                "`{}` is not a state; use verificado, validado, publicado or devuelto",
                b.to
            ),
        )
    })?;
    apply_transition(&state, &rep, &caller, b.items, to, b.reason).await
}

/// Moves items and, after a publish, swaps in the snapshot with the new values before answering.
pub async fn apply_transition(
    state: &Arc<AppState>,
    rep: &Arc<Reporting>,
    caller: &Caller,
    ids: Vec<i64>,
    to: State,
    reason: Option<String>,
) -> Result<Json<Value>, ApiError> {
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let moved = blocking(move || store.transition(&who, &ids, to, reason.as_deref())).await?;
    if to == State::Publicado {
        state.refresh_published().await?;
    }
    Ok(Json(json!({
        "items": items_with_served(state, moved, rep),
        "data_version": rep.data_version(),
    })))
}

/// `GET /reporting/log`: the change log (reviewers: all of it; offices: their own), as JSON or CSV.
pub async fn change_log(
    AxState(state): AxState<Arc<AppState>>,
    caller: Caller,
    Params(q): Params<ReportingLogParams>,
) -> Result<Response, ApiError> {
    let rep = reporting(&state)?;
    let filter = LogFilter {
        office: caller.who.office.clone(),
        indicator: q.indicator,
    };
    let store = rep.store.clone();
    let entries = blocking(move || store.log(&filter)).await?;
    match q.f.map_or(Format::Json, |f| f.0) {
        Format::Json => Ok(Json(json!({ "entries": entries })).into_response()),
        Format::Csv => {
            let bytes = crate::store::log::to_csv(&entries).map_err(ApiError::Internal)?;
            Ok((
                [
                    (header::CONTENT_TYPE, super::negotiate::CSV),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"registro-de-cambios.csv\"",
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(ApiError::bad(
            "f",
            "the change log is served as json or csv",
        )),
    }
}

/// `GET /reporting/me`: what the token may do.
pub async fn me(caller: Caller, Params(NoParams {}): Params<NoParams>) -> Json<Principal> {
    Json(caller.who)
}

/// `GET /reporting/origin?indicator=…&territory=…&year=…`: the served value and where it comes from (public).
pub async fn origin(
    AxState(state): AxState<Arc<AppState>>,
    Params(q): Params<OriginParams>,
) -> Result<Json<Value>, ApiError> {
    let wanted = q
        .indicator
        .ok_or_else(|| ApiError::bad("indicator", "required"))?;
    let territory = q
        .territory
        .ok_or_else(|| ApiError::bad("territory", "required"))?
        .0;
    let year = q.year.ok_or_else(|| ApiError::bad("year", "required"))?.0;
    let current = state.current();
    let ind = check::find_indicator(&current.snapshot, &wanted)
        .ok_or_else(|| ApiError::bad("indicator", format!("no indicator `{wanted}`")))?;
    let key = check::territory_key(ind, &territory)
        .ok_or_else(|| ApiError::bad("territory", format!("no territory `{territory}`")))?;
    let published = state
        .reporting
        .as_ref()
        .map(|r| r.published())
        .unwrap_or_default();
    let (value, origin) = served(&current.snapshot, &published, &ind.id, &key, year);
    Ok(Json(json!({
        "indicator": ind.id, "territory": key, "year": year, "served": value, "origin": origin
    })))
}
