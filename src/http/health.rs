//! `GET /health`: is the server ready, which data does it serve, and how did the last reload go.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// 200 with `"ready": true` when at least one collection serves; 503 otherwise (every source failed to load).
pub async fn health(State(state): State<Arc<AppState>>) -> Response {
    let data = state.current();
    let report = &data.snapshot.report;
    let collections = data.features.collections.len();
    let ready = collections > 0;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "ready": ready,
        "version": data.snapshot.version,
        "loaded_at": data.snapshot.loaded_at,
        "collections": collections,
        "import": { "errors": report.error_count(), "warnings": report.warning_count() },
        "last_reload": state.last_reload(),
    });
    (status, Json(body)).into_response()
}
