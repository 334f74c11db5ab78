//! CORS for the public routes: any origin may read them (they are open data), with the request headers a
//! cross-site client sends (`If-None-Match`, a MapLibre `transformRequest`'s own), and may read the response
//! headers (ETag, Link); preflights are cached for a day.
//!
//! Preflights (`OPTIONS`) are answered by tower-http's [`CorsLayer`]. Every other request gets the same three
//! headers whatever it sends (`Access-Control-Allow-Origin: *` does not depend on the request), so they are added
//! from constants instead: tower-http builds a header map, joins the `Vary` list and clones its configuration
//! for each request, about 1 µs of the hot tile's 3 µs of layers (docs/benchmarks.md, "What each layer
//! costs"). That the constants are what tower-http sends is tested against tower-http itself (below).

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use futures_util::future::{BoxFuture, Either, Map};
use futures_util::FutureExt;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

/// The public routes' CORS rules, as tower-http applies them (preflights go through it).
pub fn rules() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(Any)
        .max_age(std::time::Duration::from_secs(86_400))
}

/// The headers [`rules`] give a request that is not a preflight, whatever its `Origin`.
const ALLOW_ORIGIN: HeaderValue = HeaderValue::from_static("*");
const EXPOSE: HeaderValue = HeaderValue::from_static("*");
const VARY: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);

/// The layer; see the module's documentation.
#[derive(Clone)]
pub struct OpenCors {
    rules: Arc<CorsLayer>,
}

impl OpenCors {
    pub fn new() -> Self {
        Self {
            rules: Arc::new(rules()),
        }
    }
}

impl Default for OpenCors {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for OpenCors {
    type Service = OpenCorsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OpenCorsService {
            inner,
            rules: self.rules.clone(),
        }
    }
}

#[derive(Clone)]
pub struct OpenCorsService<S> {
    inner: S,
    rules: Arc<CorsLayer>,
}

type Answered<E> = fn(Result<Response, E>) -> Result<Response, E>;

/// Adds the CORS headers of a request that is not a preflight (as tower-http does: `Vary` appended to the
/// response's own, the others set).
fn add_headers<E>(answered: Result<Response, E>) -> Result<Response, E> {
    answered.map(|mut response| {
        let headers = response.headers_mut();
        headers.append(header::VARY, VARY);
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE);
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW_ORIGIN);
        response
    })
}

impl<S> Service<Request> for OpenCorsService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future =
        Either<BoxFuture<'static, Result<Response, S::Error>>, Map<S::Future, Answered<S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == Method::OPTIONS {
            // The ready service stays for the next request (tower's rule); tower-http answers with a clone.
            let preflight = self.rules.layer(self.inner.clone());
            Either::Left(preflight.oneshot(request).boxed())
        } else {
            Either::Right(
                self.inner
                    .call(request)
                    .map(add_headers as Answered<S::Error>),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;

    /// A route that sets its own `Vary`, as the tile and document handlers do.
    fn route() -> Router {
        Router::new().route(
            "/t",
            get(|| async { ([(header::VARY, "Accept-Encoding")], "tile") }),
        )
    }

    async fn headers(router: Router, request: Request) -> Vec<(String, Vec<String>)> {
        let response = router.oneshot(request).await.unwrap();
        let h = response.headers();
        let mut names: Vec<String> = h.keys().map(|k| k.as_str().to_string()).collect();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                let values = h
                    .get_all(n.as_str())
                    .iter()
                    .map(|v| v.to_str().unwrap().to_string())
                    .collect();
                (n, values)
            })
            .collect()
    }

    fn requests() -> Vec<fn() -> Request> {
        vec![
            || Request::get("/t").body(Body::empty()).unwrap(),
            || {
                Request::get("/t")
                    .header(header::ORIGIN, "https://otro.example")
                    .header(header::IF_NONE_MATCH, "\"x\"")
                    .body(Body::empty())
                    .unwrap()
            },
            || {
                Request::head("/t")
                    .header(header::ORIGIN, "https://otro.example")
                    .body(Body::empty())
                    .unwrap()
            },
            || {
                Request::options("/t")
                    .header(header::ORIGIN, "https://otro.example")
                    .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                    .header(
                        header::ACCESS_CONTROL_REQUEST_HEADERS,
                        "if-none-match, x-mapa",
                    )
                    .body(Body::empty())
                    .unwrap()
            },
        ]
    }

    /// The oracle is tower-http with the same rules: every request kind gets the same headers, values and order
    /// of values from both.
    #[tokio::test]
    async fn answers_as_tower_http_does() {
        for make in requests() {
            let ours = headers(route().layer(OpenCors::new()), make()).await;
            let theirs = headers(route().layer(rules()), make()).await;
            let request = make();
            assert_eq!(ours, theirs, "{} {:?}", request.method(), request.headers());
            assert!(
                ours.iter().any(|(n, _)| n == "access-control-allow-origin"),
                "{ours:?}"
            );
        }
    }
}
