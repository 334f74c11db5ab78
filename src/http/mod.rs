//! HTTP: routes, content negotiation and error responses. A thin shell over [`crate::features`].

mod admin;
mod change;
mod documents;
mod downloads;
pub mod error;
pub mod forwarded;
mod health;
mod html;
mod metrics;
pub mod negotiate;
mod ogc;
mod openapi;
pub mod params;
mod ssepot;
mod styles;
pub mod templates;
mod tiles;
mod webmap;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;

/// The whole router, without a socket: tests call it with `tower::ServiceExt::oneshot`.
pub fn app(state: Arc<AppState>) -> Router {
    let router = Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(ogc::api))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{feature_id}", get(ogc::item))
        .route("/tiles/{set}/{z}/{x}/{y}", get(tiles::xyz))
        .route("/tiles/{tilejson}", get(tiles::tilejson_doc))
        .route("/collections/{id}/tiles", get(tiles::tilesets))
        .route("/collections/{id}/tiles/{tms}", get(tiles::tileset))
        .route(
            "/collections/{id}/tiles/{tms}/{z}/{y}/{x}",
            get(tiles::ogc_tile),
        )
        .route("/tileMatrixSets", get(tiles::tile_matrix_sets))
        .route("/tileMatrixSets/{id}", get(tiles::web_mercator_quad))
        .route("/styles/{file}", get(styles::style))
        .route("/styles/{id}/{file}", get(styles::legend_doc))
        .route("/collections/{id}/series", get(webmap::series))
        .route("/collections/{id}/change", get(change::change))
        .route("/map", get(webmap::index))
        .route("/map/", get(webmap::index))
        .route("/map/territorios.json", get(webmap::territories))
        .route("/map/{file}", get(webmap::asset))
        .route("/map/vendor/{file}", get(webmap::vendor_asset))
        .route("/indicators", get(ssepot::indicators))
        .route("/indicators/{id}", get(ssepot::indicator))
        .route("/ssepot", get(ssepot::index))
        .route("/ssepot/{id}", get(ssepot::dashboard))
        .route("/ssepot/static/{file}", get(ssepot::static_file))
        .route("/report", get(admin::report))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .layer(CorsLayer::permissive())
        // After the CORS layer, so the admin endpoint never answers a browser on another site.
        .route("/admin/reload", post(admin::reload));
    // Unknown routes, wrong methods and panics are answered first, so the origin check and the metrics see
    // them too (a 404 is counted under the route `unmatched`).
    answer_every_request(router)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forwarded::resolve_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .with_state(state)
}

/// What makes every request get an OGC exception JSON body, whatever happens: unknown routes are 404, wrong
/// methods 405, and a panic in any handler a logged 500 (the process and the other requests carry on).
pub fn answer_every_request<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::wrong_method)
        .layer(CatchPanicLayer::custom(error::panic_response))
}
