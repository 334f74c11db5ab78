//! The report's narrative texts over HTTP: the DAP writes a version of a section's text for a cut-off, other
//! reviewers move it along the workflow to publication, and reviewers read every version with its moves. The
//! rules (sections, limits, versions, four eyes) are [`crate::store::narrative`]'s; a publication refreshes the
//! served snapshot, so the report shows the text at once.

use super::{blocking, parse_body, reporting, Caller, Reviewer};
use crate::http::error::ApiError;
use crate::http::params::{NarrativeParams, Params};
use crate::ssepot::report::informe;
use crate::ssepot::report::narrative::SECTIONS;
use crate::state::AppState;
use crate::store::narrative::{self, NewText};
use crate::store::State;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// `POST /reporting/narrative`: `{"corte", "seccion", "texto"}` (reviewers): a new version, state `reportado`.
pub async fn submit(
    AxState(state): AxState<Arc<AppState>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    narrative::may_write(&caller.who)?;
    let rep = reporting(&state)?;
    let new: NewText = parse_body(&body)?;
    let new = new.checked()?;
    reportable(&state, &new.corte)?;
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let text = blocking(move || store.submit_text(&who, &new)).await?;
    let location = format!("/reporting/narrative?corte={}", text.corte);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(text),
    )
        .into_response())
}

/// A cut-off the served data can report at (a date of its report year), else 400 naming `corte`.
pub(crate) fn reportable(state: &AppState, corte: &str) -> Result<(), ApiError> {
    let asked =
        crate::ssepot::report::Corte::parse(corte).map_err(|m| ApiError::bad("corte", m))?;
    informe::corte_for(&state.current().snapshot, Some(asked))?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionBody {
    texts: Vec<i64>,
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /reporting/narrative/transitions`: `{"texts":[…],"to":"verificado|validado|publicado|devuelto","reason":…}`
/// (reviewers other than each text's author).
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
    let (store, who) = (rep.store.clone(), caller.who.clone());
    let moved = blocking(move || store.move_texts(&who, &b.texts, to, b.reason.as_deref())).await?;
    if to == State::Publicado {
        state.refresh_published().await?;
    }
    Ok(Json(json!({
        "texts": moved,
        "data_version": rep.data_version(),
    })))
}

/// `GET /reporting/narrative[?corte=][&seccion=]`: every version with its moves (reviewers), by cut-off,
/// section and version.
pub async fn versions(
    AxState(state): AxState<Arc<AppState>>,
    caller: Caller,
    Params(q): Params<NarrativeParams>,
) -> Result<Json<Value>, ApiError> {
    narrative::may_write(&caller.who)?;
    let rep = reporting(&state)?;
    if let Some(s) = q.seccion.as_deref() {
        if !SECTIONS.contains(&s) {
            return Err(ApiError::bad(
                "seccion",
                format!("`{s}` is not a section of the report; sections are {SECTIONS:?}"),
            ));
        }
    }
    let corte = q.corte.map(|c| c.0.iso());
    let store = rep.store.clone();
    let mut texts = blocking(move || store.narrative(corte.as_deref())).await?;
    if let Some(s) = &q.seccion {
        texts.retain(|t| t.seccion == *s);
    }
    let shown = rep.published_texts();
    let list: Vec<Value> = texts
        .into_iter()
        .map(|t| {
            let mut v = serde_json::to_value(&t).expect("serialises");
            v["shown_in_report"] = shown.iter().any(|p| p.id == t.id).into();
            v["report"] = format!("/ssepot/informe?corte={}#{}", t.corte, t.seccion).into();
            v
        })
        .collect();
    Ok(Json(json!({ "sections": SECTIONS, "texts": list })))
}
