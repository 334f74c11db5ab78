//! What each layer of the serving path costs per request, in process (no sockets, no hyper): a hot tile of the
//! demo through the real router, against the same request answered by the benchmark ceiling's handler (a fixed
//! body, docs/benchmarks.md) bare, behind each layer the public routes have, and behind both; and the parts of
//! the operations layer called alone (metrics, origin resolution). Differences between the rows are the layers'
//! costs. `cargo bench --bench layers`

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use ssepot::http::cors::OpenCors;
use ssepot::http::operations::Operations;
use ssepot::metrics::RequestLabels;
use ssepot::state::AppState;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// A tile of central Medellín (z12, five comunas), in the benchmark's list.
const TILE: &str = "/tiles/comunas/12/1188/1976.mvt";

fn request(accept_encoding: Option<&str>) -> Request<Body> {
    let mut r = Request::get(TILE).header("host", "127.0.0.1:8092");
    if let Some(c) = accept_encoding {
        r = r.header("accept-encoding", c);
    }
    let mut r = r.body(Body::empty()).expect("a valid request");
    // What the server's connection loop adds to every request.
    r.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
    r
}

/// The ceiling's handler: the same path template, a fixed body of the tile's size.
fn bare(body: Bytes) -> Router {
    Router::new().route(
        "/tiles/{set}/{z}/{x}/{y}",
        get(move || {
            let body = body.clone();
            async move {
                (
                    [("content-type", "application/vnd.mapbox-vector-tile")],
                    body,
                )
            }
        }),
    )
}

fn benches(c: &mut Criterion) {
    let layers = Path::new(env!("CARGO_MANIFEST_DIR")).join("layers");
    let state = Arc::new(AppState::load(layers, None).expect("the demo layers load"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let app = ssepot::app(state.clone());
    let call = |router: &Router, req: Request<Body>| {
        let router = router.clone();
        rt.block_on(async move {
            let response = router.oneshot(req).await.expect("infallible");
            assert!(response.status().is_success(), "{}", response.status());
            response
        })
    };
    // The tile's bytes, from the real router (which also puts it in the cache: every row below is hot).
    let tile = rt.block_on(async {
        let r = app
            .clone()
            .oneshot(request(None))
            .await
            .expect("infallible");
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .expect("a body")
    });

    let mut g = c.benchmark_group("per request, hot tile");
    g.measurement_time(Duration::from_secs(5));
    let plain = bare(tile.clone());
    g.bench_function("ceiling handler, bare", |b| {
        b.iter(|| call(&plain, request(None)))
    });
    let with_tower_cors = bare(tile.clone()).layer(ssepot::http::cors::rules());
    g.bench_function("ceiling handler + tower-http's CORS layer", |b| {
        b.iter(|| call(&with_tower_cors, request(None)))
    });
    let with_cors = bare(tile.clone()).layer(OpenCors::new());
    g.bench_function("ceiling handler + the public routes' CORS layer", |b| {
        b.iter(|| call(&with_cors, request(None)))
    });
    let with_operations = bare(tile.clone()).layer(Operations::new(state.clone()));
    g.bench_function(
        "ceiling handler + operations layer (metrics, origin, panics)",
        |b| b.iter(|| call(&with_operations, request(None))),
    );
    let both = bare(tile.clone())
        .layer(OpenCors::new())
        .layer(Operations::new(state.clone()));
    g.bench_function("ceiling handler + CORS + operations", |b| {
        b.iter(|| call(&both, request(None)))
    });
    g.bench_function("the real router, identity", |b| {
        b.iter(|| call(&app, request(None)))
    });
    g.bench_function("the real router, Accept-Encoding: gzip, deflate, br", |b| {
        b.iter(|| call(&app, request(Some("gzip, deflate, br"))))
    });
    g.finish();

    let mut g = c.benchmark_group("parts of the operations layer");
    g.bench_function("metrics: one request counted and timed", |b| {
        b.iter(|| {
            state.metrics.request(
                RequestLabels {
                    method: "GET",
                    route: "/tiles/{set}/{z}/{x}/{y}".to_string(),
                    status: 200,
                },
                Duration::from_micros(20),
            )
        })
    });
    g.bench_function("origin: forwarded headers resolved and rewritten", |b| {
        b.iter(|| {
            let mut r = request(None);
            ssepot::http::forwarded::rewrite(&state.access, &mut r).expect("a valid origin");
            r
        })
    });
    g.bench_function(
        "building the request alone (subtract from the row above)",
        |b| b.iter(|| request(None)),
    );
    g.finish();
}

criterion_group!(layer_costs, benches);
criterion_main!(layer_costs);
