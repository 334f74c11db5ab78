//! Who is asking: the client address failures are counted against, and the typed extractors of an
//! authenticated caller — [`Caller`] (any token), [`Office`] (an office token) and [`Reviewer`] (the DAP) —
//! as in axum's examples: a handler that takes an `Office` cannot run for anyone else.
//!
//! Authentication: `Authorization: Bearer ssepot_<id>_<secret>` (API), or the `ssepot_reporte` cookie set by
//! the HTML login (pages). A cookie-authenticated POST must carry the form token and, if the browser sends an
//! `Origin`, come from this host (CSRF). Five failures from one address in 15 minutes get 429 until the window
//! passes.

use super::{blocking, reporting};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{auth, Principal, Reporting};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::net::SocketAddr;
use std::sync::Arc;

/// The cookie the HTML login sets.
pub const COOKIE: &str = "ssepot_reporte";

/// An authenticated caller.
pub struct Caller {
    pub who: Principal,
    /// The token as presented, to derive the form token from.
    pub token: String,
    /// True when the token came from the login cookie (so POSTs need CSRF checks).
    pub by_cookie: bool,
}

/// The address failures are counted against: the peer's IP, or — behind a trusted proxy (`--trusted-proxy`) —
/// the address that proxy appended to `X-Forwarded-For`; `local` without a socket, as in tests.
pub struct Client(pub String);

impl FromRequestParts<Arc<AppState>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok());
        let client = match (peer, forwarded) {
            (Some(p), Some(f)) if state.access.trusts(Some(p)) => f.to_string(),
            (Some(p), _) => p.to_string(),
            (None, _) => "local".to_string(),
        };
        Ok(Client(client))
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Authenticates the bearer token or the login cookie; counts failures and throttles repeated ones.
pub async fn authenticate(
    rep: &Arc<Reporting>,
    headers: &HeaderMap,
    client: &str,
) -> Result<Caller, ApiError> {
    if let Some(wait) = rep.throttle.blocked(client) {
        return Err(ApiError::TooManyRequests {
            message: format!(
                "parameter `Authorization`: too many failed attempts from this address; retry in {wait} s"
            ),
            retry_after: wait,
        });
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let (token, by_cookie) = match (bearer, cookie_token(headers)) {
        (Some(t), _) => (t, false),
        (None, Some(t)) => (t, true),
        (None, None) => {
            return Err(ApiError::Unauthorized(
                "parameter `Authorization`: send `Authorization: Bearer <token>` (or log in on /reporte)"
                    .into(),
            ))
        }
    };
    let fail = |rep: &Reporting| {
        rep.throttle.failed(client);
        ApiError::Unauthorized(
            "parameter `Authorization`: the token is not valid (unknown, revoked or mistyped)"
                .into(),
        )
    };
    let Some((id, secret)) = auth::split(&token) else {
        return Err(fail(rep));
    };
    let (id, secret) = (id.to_string(), secret.to_string());
    let store = rep.store.clone();
    let found = blocking(move || store.principal(&id)).await?;
    match found {
        Some((who, hash)) if auth::verify(&secret, &hash) => {
            rep.throttle.succeeded(client);
            Ok(Caller {
                who,
                token,
                by_cookie,
            })
        }
        _ => Err(fail(rep)),
    }
}

/// CSRF checks for a cookie-authenticated POST: the form token, and the `Origin` when the browser sends one.
pub fn check_form(
    caller: &Caller,
    headers: &HeaderMap,
    form_token: Option<&str>,
) -> Result<(), ApiError> {
    if !caller.by_cookie {
        return Ok(());
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split("://").nth(1).unwrap_or_default();
        if origin_host != host {
            return Err(ApiError::Forbidden(format!(
                "parameter `Origin`: `{origin}` is not this site; the form must be sent from its own page"
            )));
        }
    }
    match form_token {
        Some(t) if auth::same(t, &auth::form_token(&caller.token)) => Ok(()),
        _ => Err(ApiError::Forbidden(
            "parameter `csrf`: the form token is missing or wrong; reload the page and send the form again"
                .into(),
        )),
    }
}

/// An authenticated office: only office tokens submit.
pub struct Office(pub Caller);

/// An authenticated reviewer (DAP) or admin: only they move items between states.
pub struct Reviewer(pub Caller);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let rep = reporting(state)?;
        let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
        authenticate(&rep, &parts.headers, &client).await
    }
}

impl FromRequestParts<Arc<AppState>> for Office {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        require_office(&caller)?;
        Ok(Office(caller))
    }
}

impl FromRequestParts<Arc<AppState>> for Reviewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if !caller.who.role.reviews() {
            return Err(ApiError::Forbidden(
                "parameter `Authorization`: only reviewer (DAP) and admin tokens move items between states".into(),
            ));
        }
        Ok(Reviewer(caller))
    }
}

/// Refuses a caller that is not an office.
pub fn require_office(caller: &Caller) -> Result<(), ApiError> {
    if caller.who.office.is_none() {
        return Err(ApiError::Forbidden(
            "parameter `Authorization`: only office tokens submit; reviewers move items with /reporting/transitions".into(),
        ));
    }
    Ok(())
}
