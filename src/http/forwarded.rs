//! The origin a client used, decided once per request, so every absolute link (JSON, HTML, styles, TileJSON)
//! is built from checked parts.
//!
//! [`rewrite`] runs before any handler (in [`super::operations`]). It rejects a `Host` that is not a `host[:port]` (400), then rewrites
//! `X-Forwarded-Host`, `X-Forwarded-Proto` and `X-Forwarded-Prefix` to what [`Access`] allows: the public URL when
//! one is declared; a trusted proxy's values when they validate (400 when they do not); otherwise nothing, so
//! [`super::documents::base_url`] falls back to `http://{Host}`. A client's own forwarded headers are dropped.

use super::error::ApiError;
use crate::access::{valid_authority, valid_prefix, valid_scheme, Access};
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use std::net::SocketAddr;

pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub const X_FORWARDED_PREFIX: HeaderName = HeaderName::from_static("x-forwarded-prefix");

/// Scheme, `host[:port]` and path prefix of the URL the client used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: &'static str,
    pub authority: Option<String>,
    pub prefix: String,
}

/// The first value of a header that proxies may append to (`a, b`), trimmed.
fn first(headers: &HeaderMap, name: &HeaderName) -> Result<Option<String>, ApiError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => {
            let text = v
                .to_str()
                .map_err(|_| ApiError::bad(name.as_str(), "is not ASCII text"))?;
            Ok(Some(
                text.split(',').next().unwrap_or("").trim().to_string(),
            ))
        }
    }
}

/// Decides the origin from the policy, the peer and the headers.
pub fn resolve(
    access: &Access,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<Origin, ApiError> {
    let host = match headers.get(header::HOST) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|h| valid_authority(h))
                .ok_or_else(|| ApiError::bad("Host", "header is not a host[:port]"))?
                .to_string(),
        ),
    };
    if let Some(url) = &access.public_url {
        return Ok(Origin {
            scheme: url.scheme,
            authority: Some(url.authority.clone()),
            prefix: url.prefix.clone(),
        });
    }
    if !access.trusts(peer.map(|p| p.ip())) {
        return Ok(Origin {
            scheme: "http",
            authority: host,
            prefix: String::new(),
        });
    }
    let authority = match first(headers, &X_FORWARDED_HOST)? {
        Some(h) if valid_authority(&h) => Some(h),
        Some(_) => {
            return Err(ApiError::bad(
                "X-Forwarded-Host",
                "header is not a host[:port]",
            ))
        }
        None => host,
    };
    let scheme = match first(headers, &X_FORWARDED_PROTO)? {
        Some(p) => valid_scheme(&p)
            .ok_or_else(|| ApiError::bad("X-Forwarded-Proto", "header is not http or https"))?,
        None => "http",
    };
    let prefix = match first(headers, &X_FORWARDED_PREFIX)? {
        Some(p) if p.is_empty() || p == "/" => String::new(),
        Some(p) if valid_prefix(&p) => p.trim_end_matches('/').to_string(),
        Some(_) => {
            return Err(ApiError::bad(
                "X-Forwarded-Prefix",
                "header is not a path such as /ssepot",
            ))
        }
        None => String::new(),
    };
    Ok(Origin {
        scheme,
        authority,
        prefix,
    })
}

/// Rewrites the request's forwarded headers to its resolved origin (see the module's documentation); the
/// error is the 400 to answer. Run by [`super::operations`] before routing reaches a handler.
pub fn rewrite(access: &Access, request: &mut Request) -> Result<(), ApiError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let origin = resolve(access, peer, request.headers())?;
    let headers = request.headers_mut();
    for name in [X_FORWARDED_HOST, X_FORWARDED_PROTO, X_FORWARDED_PREFIX] {
        headers.remove(name);
    }
    // Every part was validated above, so these are valid header values.
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(origin.scheme));
    if let Some(a) = origin
        .authority
        .and_then(|a| HeaderValue::from_str(&a).ok())
    {
        headers.insert(X_FORWARDED_HOST, a);
    }
    if !origin.prefix.is_empty() {
        if let Ok(p) = HeaderValue::from_str(&origin.prefix) {
            headers.insert(X_FORWARDED_PREFIX, p);
        }
    }
    Ok(())
}
