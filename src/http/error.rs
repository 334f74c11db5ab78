//! Errors become HTTP responses here, and only here: OGC API exception JSON (`{"code","description"}`) with
//! a status per variant. Unknown routes, wrong methods, malformed paths and panics end here too, so no
//! request is ever answered with an empty body.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::any::Any;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("parameter `{parameter}`: {message}")]
    BadParameter { parameter: String, message: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many failed attempts; retry after this many seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// A backing service (the reporting store's database) is down; retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad(parameter: &str, message: impl Into<String>) -> Self {
        Self::BadParameter {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

impl From<crate::features::filter::FilterError> for ApiError {
    fn from(e: crate::features::filter::FilterError) -> Self {
        Self::bad(e.parameter, e.message())
    }
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            ApiError::BadParameter { .. } => (StatusCode::BAD_REQUEST, "InvalidParameterValue"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden"),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
            ApiError::NotAcceptable(_) => (StatusCode::NOT_ACCEPTABLE, "NotAcceptable"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "Conflict"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "ServerError"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after, .. } => Some(retry_after.to_string()),
            ApiError::Unavailable(_) => Some("2".to_string()),
            _ => None,
        };
        let description = match &self {
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                "internal error; see the server log".to_string()
            }
            other => other.to_string(),
        };
        let mut body = json!({ "code": code, "description": description });
        if let ApiError::BadParameter { parameter, .. } = &self {
            body["parameter"] = parameter.clone().into();
        }
        // `nosniff`: the description may echo what the client sent (`<script>` included); the body is JSON
        // and must never be sniffed as HTML.
        let mut response = (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body.to_string(),
        )
            .into_response();
        if let Some(seconds) = retry_after.and_then(|s| header::HeaderValue::from_str(&s).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The router's answer to a path it does not serve.
pub async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound(format!(
        "no resource at `{method} {}`; /api lists every route",
        uri.path()
    ))
}

/// The router's answer to a method a route does not take.
pub async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "`{}` does not answer {method}; /api lists the methods of every route",
        uri.path()
    ))
}

/// A panic in a handler, caught by the catch-panic layer: logged, answered as a 500.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::Internal(format!("panic while answering a request: {message}")).into_response()
}

/// Path segments parsed like [`axum::extract::Path`], with a malformed path (e.g. percent-encoding that is not
/// UTF-8) answered as a 400 in OGC exception JSON.
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|e: PathRejection| ApiError::bad("path", e.body_text()))
    }
}
