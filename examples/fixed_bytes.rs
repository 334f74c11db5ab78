//! The HTTP stack's ceiling for benchmarks: a fixed 20 KB body from a minimal axum handler, routed like the
//! tile endpoint. `cargo run --release --example fixed_bytes -- 127.0.0.1:8091`

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8091".into());
    let body: &'static [u8] = Box::leak(vec![b'x'; 20 * 1024].into_boxed_slice());
    let app = Router::new().route(
        "/tiles/{set}/{z}/{x}/{y}",
        get(move || async move {
            (
                [("content-type", "application/vnd.mapbox-vector-tile")],
                body,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
