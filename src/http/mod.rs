//! HTTP: routes, content negotiation and error responses. A thin shell over [`crate::features`].

mod admin;
mod change;
pub mod cors;
mod crosswalks;
mod documents;
mod downloads;
pub mod error;
pub mod forwarded;
mod glyphs;
mod health;
mod html;
mod metrics;
mod narrative_pages;
pub mod negotiate;
mod ogc;
mod openapi;
pub mod operations;
pub mod params;
mod qgis;
mod report;
pub mod reporting;
mod reporting_pages;
pub mod representation;
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

/// The reporting API and pages; uploads count their own limit (`--upload-limit-mb`), so axum's default one is
/// off there.
fn reporting_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/reporting/values", post(reporting::submit_values))
        .route(
            "/reporting/uploads",
            post(reporting::submit_upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/reporting/sheet-changes",
            post(reporting::submit_sheet_changes),
        )
        .route("/reporting/items", get(reporting::items))
        .route("/reporting/transitions", post(reporting::transition))
        .route("/reporting/log", get(reporting::change_log))
        .route("/reporting/me", get(reporting::me))
        .route(
            "/reporting/periods",
            get(reporting::cycle::periods).post(reporting::cycle::open_period),
        )
        .route("/reporting/periods/{id}", get(reporting::cycle::period))
        .route(
            "/reporting/agreements",
            get(reporting::cycle::agreements).post(reporting::cycle::record_agreement),
        )
        .route(
            "/reporting/narrative",
            get(reporting::narrative::versions).post(reporting::narrative::submit),
        )
        .route(
            "/reporting/narrative/transitions",
            post(reporting::narrative::transition),
        )
        .route("/reporte", get(reporting_pages::home))
        .route("/reporte/entrar", post(reporting_pages::login))
        .route("/reporte/salir", post(reporting_pages::logout))
        .route("/reporte/oficina", get(reporting_pages::office))
        .route(
            "/reporte/oficina/subir",
            post(reporting_pages::office_upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/reporte/oficina/valor",
            post(reporting_pages::office_value),
        )
        .route(
            "/reporte/revision",
            get(reporting_pages::review).post(reporting_pages::review_decide),
        )
        .route("/reporte/registro", get(reporting_pages::change_log))
        .route(
            "/reporte/textos",
            get(narrative_pages::texts).post(narrative_pages::write),
        )
        .route("/reporte/textos/decision", post(narrative_pages::decide))
}

/// The whole router, without a socket: tests call it with `tower::ServiceExt::oneshot`.
///
/// Layers, from the socket in: [`operations`] (metrics by route template, the origin check, panics caught), then
/// CORS (public routes only), and the content coding and ETags ([`representation`]; tiles do their own).
pub fn app(state: Arc<AppState>) -> Router {
    let represent =
        || axum::middleware::from_fn_with_state(state.clone(), representation::represent);
    let public = Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(ogc::api))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/queryables", get(ogc::queryables))
        .route("/collections/{id}/items/{feature_id}", get(ogc::item))
        .route("/tiles/{tilejson}", get(tiles::tilejson_doc))
        .route("/collections/{id}/tiles", get(tiles::tilesets))
        .route("/collections/{id}/tiles/{tms}", get(tiles::tileset))
        .route("/tileMatrixSets", get(tiles::tile_matrix_sets))
        .route("/tileMatrixSets/{id}", get(tiles::web_mercator_quad))
        .route("/collections/{id}/qgis", get(qgis::collection_project))
        .route("/qgis", get(qgis::service_project))
        .route("/styles/{file}", get(styles::style))
        .route("/styles/{id}/{file}", get(styles::legend_doc))
        .route("/collections/{id}/series", get(webmap::series))
        .route("/collections/{id}/change", get(change::change))
        .route("/crosswalks", get(crosswalks::list))
        .route("/crosswalks/{id}", get(crosswalks::one))
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
        .route("/ssepot/informe", get(report::informe))
        .route("/ssepot/boletines/{id}", get(report::boletin))
        .route("/ssepot/publicaciones", get(report::publicaciones))
        .route(
            "/ssepot/embed/grafico/{dashboard}/{chart}",
            get(report::embed_chart),
        )
        .route(
            "/ssepot/embed/cifra/{dashboard}/{key}",
            get(report::embed_figure),
        )
        .route("/ssepot/embed/mapa/{id}", get(report::embed_map))
        .route("/map/embed", get(report::embed_webmap))
        .route("/map/glyphs/{fontstack}/{range}", get(glyphs::glyphs))
        .route("/ssepot/static/print.css", get(report::print_css))
        .route("/ssepot/static/embed.js", get(report::embed_js))
        .route("/ssepot/static/fonts/{file}", get(report::font))
        .route("/report", get(admin::report))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route("/reporting/origin", get(reporting::origin))
        .layer(represent())
        // Tiles compress and validate in their handler, from bytes made once per coding.
        .route("/tiles/{set}/{z}/{x}/{y}", get(tiles::xyz))
        .route(
            "/collections/{id}/tiles/{tms}/{z}/{y}/{x}",
            get(tiles::ogc_tile),
        )
        // Before the CORS layer, so a preflight (`OPTIONS`) reaches CORS instead of the 405 (the 405 of the
        // routes below is set later and leaves these alone).
        .method_not_allowed_fallback(error::wrong_method)
        .layer(cors::OpenCors::new());
    // After the CORS layer, so the admin and reporting endpoints never answer a browser on another site.
    let private = Router::new()
        .route("/admin/reload", post(admin::reload))
        .merge(reporting_routes())
        .layer(represent());
    // Unknown routes and wrong methods are answered with OGC exception JSON, inside the operations layer, so
    // the origin check and the metrics see them too (a 404 is counted under the route `unmatched`).
    public
        .merge(private)
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::wrong_method)
        .layer(operations::Operations::new(state.clone()))
        .with_state(state)
}

/// What makes every request get an OGC exception JSON body, whatever happens: unknown routes are 404, wrong
/// methods 405, and a panic in any handler a logged 500 (the process and the other requests carry on), for a
/// router without [`app`]'s operations layer (which does the same).
pub fn answer_every_request<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::wrong_method)
        .layer(CatchPanicLayer::custom(error::panic_response))
}
