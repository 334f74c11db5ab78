//! `GET /metrics` (Prometheus/OpenMetrics text) and the layer that counts every request by its route template.

use crate::metrics::{Current, RequestLabels};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Counts the request under the route it matched (`/collections/{id}`), never its raw path, so ids and garbage
/// paths cannot grow the label set.
pub async fn record(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "PATCH") => m.to_string(),
        _ => "other".to_string(),
    };
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state.metrics.request(labels, started.elapsed());
    response
}

/// `GET /metrics`
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let data = state.current();
    let report = &data.snapshot.report;
    let now = Current {
        import_errors: report.error_count() as u64,
        import_warnings: report.warning_count() as u64,
        data_version: data.snapshot.version,
        tile_cache_bytes: data.tiles.cache.weight(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(&now),
    )
        .into_response()
}
