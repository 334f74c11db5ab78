//! `GET /crosswalks` and `/crosswalks/{id}`: the declared crosswalks between boundary editions, with every share
//! (JSON), or as a download (CSV, XLSX, GeoPackage).

use super::documents::base_url;
use super::downloads::download;
use super::error::{ApiError, PathParams};
use super::negotiate::{negotiate, Format};
use super::params::{FormatParams, Params};
use crate::features::crosswalk;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

const FORMATS: &[Format] = &[Format::Json, Format::Csv, Format::Xlsx, Format::Gpkg];

pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response, ApiError> {
    negotiate(p.f, &headers, super::negotiate::JSON_ONLY)?;
    let data = state.current();
    let base = base_url(&headers);
    let all: Vec<_> = data
        .snapshot
        .crosswalks
        .iter()
        .map(|c| crosswalk::summary(c, &base))
        .collect();
    let body = json!({ "crosswalks": all, "method": crosswalk::METHOD });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}

pub async fn one(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response, ApiError> {
    let format = negotiate(p.f, &headers, FORMATS)?;
    let data = state.current();
    let cw = data.snapshot.crosswalk(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no crosswalk `{id}`; /crosswalks lists them"))
    })?;
    match format {
        Format::Csv | Format::Xlsx | Format::Gpkg => {
            download(format, crosswalk::table(cw), &cw.id).await
        }
        _ => {
            let body = crosswalk::document(cw, &base_url(&headers));
            Ok((
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response())
        }
    }
}
