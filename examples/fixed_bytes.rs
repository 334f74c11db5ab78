//! The HTTP stack's ceiling for benchmarks: a fixed 20 KB body from a minimal axum handler, routed like the
//! tile endpoint, served by `axum::serve`. With `--ssepot-loop`, the same router is served by ssepot's own
//! connection handling (`ssepot::server::serve_connections`: header and write deadlines, connection limit), so
//! the difference between the two is what that handling costs (docs/benchmarks.md, "What each layer costs").
//! `cargo run --release --example fixed_bytes -- 127.0.0.1:8091 [--ssepot-loop]`

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8091".into());
    let ssepot_loop = args.next().as_deref() == Some("--ssepot-loop");
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
    if ssepot_loop {
        let limits = ssepot::server::Limits::default();
        let most = limits.max_connections;
        ssepot::server::serve_connections(listener, app, &limits, most, std::future::pending())
            .await;
    } else {
        axum::serve(listener, app).await.expect("serve");
    }
}
