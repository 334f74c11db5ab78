//! The import report and the reload endpoint.

use super::error::ApiError;
use super::params::{NoParams, Params};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::Json;
use std::net::SocketAddr;
use std::sync::Arc;

/// `GET /report`: the import report of the data being served.
pub async fn report(
    State(state): State<Arc<AppState>>,
    Params(_): Params<NoParams>,
) -> Json<crate::ingest::report::ImportReport> {
    Json(state.current().snapshot.report.clone())
}

/// `POST /admin/reload`: re-reads the layers and swaps them in. Answers only on loopback, or to
/// `Authorization: Bearer <token>` when a token is configured (`SSEPOT_ADMIN_TOKEN`).
pub async fn reload(
    State(state): State<Arc<AppState>>,
    Params(_): Params<NoParams>,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let loopback = peer.is_some_and(|p| p.ip().is_loopback());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token_ok = matches!((&state.admin_token, bearer), (Some(t), Some(b)) if t == b);
    if !loopback && !token_ok {
        return Err(ApiError::Forbidden(
            "reload answers on loopback, or with the configured admin token".into(),
        ));
    }
    let report = state.reload().await.map_err(ApiError::Conflict)?;
    let errors = report.error_count();
    let version = state.current().snapshot.version;
    Ok(Json(serde_json::json!({
        "reloaded": true,
        "version": version,
        "errors": errors,
        "report": report,
    })))
}
