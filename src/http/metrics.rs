//! `GET /metrics` (Prometheus/OpenMetrics text) and the labels every request is counted under (by
//! [`super::operations`]).

use super::params::{NoParams, Params};
use crate::metrics::{Current, RequestLabels};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The labels of a request: the route it matched (`/collections/{id}`), never its raw path, so ids and garbage
/// paths cannot grow the label set; the method (or `other`); the status, filled in when answered.
pub fn labels(request: &Request) -> RequestLabels {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = match request.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        _ => "other",
    };
    RequestLabels {
        method,
        route,
        status: 0,
    }
}

/// `GET /metrics`
pub async fn metrics(State(state): State<Arc<AppState>>, Params(_): Params<NoParams>) -> Response {
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
