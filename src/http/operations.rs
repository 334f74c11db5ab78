//! The operations layer every route has: the request counted and timed by route template ([`super::metrics`]),
//! the origin checked and the forwarded headers rewritten ([`super::forwarded`]), and a panic in a handler
//! answered as a logged 500 ([`super::error::panic_response`]).
//!
//! One hand-written service rather than three `from_fn` middlewares and `CatchPanicLayer`: axum wraps each
//! `Router::layer` around every route as a boxed service that is cloned per request, and each `from_fn` boxes
//! its future and its `Next`; done once, a hot tile pays for one boundary instead of three
//! (docs/benchmarks.md, "What each layer costs").

use super::error::panic_response;
use super::{forwarded, metrics};
use crate::state::AppState;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// The layer; see the module's documentation.
#[derive(Clone)]
pub struct Operations {
    state: Arc<AppState>,
}

impl Operations {
    pub fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

impl<S> Layer<S> for Operations {
    type Service = OperationsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OperationsService {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct OperationsService<S> {
    inner: S,
    state: Arc<AppState>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for OperationsService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Answer {
        let started = std::time::Instant::now();
        let mut labels = metrics::labels(&request);
        let state = self.state.clone();
        let answered = match forwarded::rewrite(&state.access, &mut request) {
            Err(e) => Err(e.into_response()),
            Ok(()) => {
                // The ready service answers; a fresh clone waits for the next request (tower's rule).
                let fresh = self.inner.clone();
                let mut ready = std::mem::replace(&mut self.inner, fresh);
                std::panic::catch_unwind(AssertUnwindSafe(move || ready.call(request)))
                    .map_err(panic_response)
            }
        };
        Box::pin(async move {
            let response = match answered {
                Err(response) => response,
                Ok(future) => match AssertUnwindSafe(future).catch_unwind().await {
                    Ok(Ok(response)) => response,
                    Ok(Err(never)) => match never {},
                    Err(panic) => panic_response(panic),
                },
            };
            labels.status = response.status().as_u16();
            state.metrics.request(labels, started.elapsed());
            Ok(response)
        })
    }
}
