//! The import report and the reload endpoint.
//!
//! `POST /admin/reload` is routed outside the CORS layer (a browser on another site gets no
//! `Access-Control-Allow-*` header from it) and is refused, in this order:
//! 1. a body larger than [`MAX_BODY`] bytes: 413 (the endpoint takes no body);
//! 2. a cross-site request (`Origin` of another site, or `Sec-Fetch-Site: cross-site`/`same-site`): 403;
//! 3. without `Authorization: Bearer $SSEPOT_ADMIN_TOKEN` (compared in constant time): 401, unless the server was
//!    started with `--local-admin` and the peer is loopback and did not come through a proxy (no
//!    `X-Forwarded-For`, `Forwarded` or `X-Real-IP`); with neither a token nor `--local-admin`, reload is off: 403.

use super::documents::base_url;
use super::error::ApiError;
use super::params::{NoParams, Params};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Largest body `POST /admin/reload` reads (it needs none).
pub const MAX_BODY: usize = 1024;

/// `GET /report`: the import report of the data being served, with every path written relative to the layers
/// folder (a public report says which file failed, not where the server keeps it).
pub async fn report(
    State(state): State<Arc<AppState>>,
    Params(_): Params<NoParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let data = state.current();
    let report = serde_json::to_value(&data.snapshot.report)
        .map_err(|e| ApiError::Internal(format!("import report: {e}")))?;
    Ok(Json(without_server_paths(
        report,
        &data.snapshot.report.layers_dir,
    )))
}

/// Rewrites every string of a report so that no absolute path of the server remains: paths inside the layers
/// folder become relative to it (the folder itself `.`), other absolute file paths keep their file name only.
fn without_server_paths(value: serde_json::Value, layers_dir: &Path) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(relative_text(&s, layers_dir)),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|v| without_server_paths(v, layers_dir))
                .collect(),
        ),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, without_server_paths(v, layers_dir)))
                .collect(),
        ),
        other => other,
    }
}

fn relative_text(text: &str, layers_dir: &Path) -> String {
    let dir = layers_dir.to_string_lossy();
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || text == dir {
        return ".".into();
    }
    let text = text.replace(&format!("{dir}/"), "");
    if text.starts_with('/') && !text.contains(char::is_whitespace) {
        // A file outside the layers folder (an absolute `source`): its name is enough to find it.
        return Path::new(&text)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    text
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "reload takes no body (at most {MAX_BODY} bytes are read)"
    ))
}

/// Refuses requests a browser sends on behalf of another site.
fn same_origin_only(headers: &HeaderMap) -> Result<(), ApiError> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(ApiError::Forbidden(format!(
                "reload does not answer cross-site requests (Sec-Fetch-Site: {site})"
            )));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        // An `Origin` is scheme://host[:port]; the base URL may add a path prefix.
        let base = base_url(headers);
        let own = base
            .find("://")
            .and_then(|i| base[i + 3..].find('/').map(|j| &base[..i + 3 + j]))
            .unwrap_or(&base);
        if origin.to_str().ok() != Some(own) {
            return Err(ApiError::Forbidden(
                "reload does not answer requests from another origin".into(),
            ));
        }
    }
    Ok(())
}

/// Did the request come through a proxy? Then its peer address says nothing about the client.
fn proxied(headers: &HeaderMap) -> bool {
    ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h))
}

fn authorize(
    state: &AppState,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let (Some(token), Some(given)) = (&state.admin_token, bearer) {
        if bool::from(token.as_bytes().ct_eq(given.as_bytes())) {
            return Ok(());
        }
    }
    let local = peer.is_some_and(|p| p.ip().is_loopback()) && !proxied(headers);
    if state.access.local_admin && local {
        return Ok(());
    }
    match (&state.admin_token, state.access.local_admin) {
        (Some(_), _) => Err(ApiError::Unauthorized(
            "reload needs `Authorization: Bearer <token>` with the configured admin token".into(),
        )),
        (None, true) => Err(ApiError::Forbidden(
            "reload answers only to this machine's own clients, not through a proxy (--local-admin)".into(),
        )),
        (None, false) => Err(ApiError::Forbidden(
            "reload is off: set SSEPOT_ADMIN_TOKEN, or start the server with --local-admin".into(),
        )),
    }
}

/// `POST /admin/reload`: re-reads the layers and swaps them in.
pub async fn reload(
    State(state): State<Arc<AppState>>,
    Params(_): Params<NoParams>,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    same_origin_only(&parts.headers)?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    authorize(&state, peer, &parts.headers)?;
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_large())?;
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

#[cfg(test)]
mod tests {
    use super::relative_text;
    use std::path::Path;

    #[test]
    fn report_paths_are_relative_to_the_layers_folder() {
        let dir = Path::new("/srv/ssepot/layers");
        assert_eq!(relative_text("/srv/ssepot/layers", dir), ".");
        assert_eq!(
            relative_text("/srv/ssepot/layers/data/x.csv", dir),
            "data/x.csv"
        );
        assert_eq!(
            relative_text(
                "cannot open /srv/ssepot/layers/data/x.vrt: no such file",
                dir
            ),
            "cannot open data/x.vrt: no such file"
        );
        assert_eq!(
            relative_text("/other/place/boundary.gpkg", dir),
            "boundary.gpkg"
        );
        assert_eq!(relative_text("PG:dbname=x", dir), "PG:dbname=x");
    }
}
