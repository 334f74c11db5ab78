//! The SSEPOT's publications over HTTP: the management report (`/ssepot/informe`), the bulletins
//! (`/ssepot/boletines/{id}`), the publications page, and the embeddable views of charts, figures and maps.
//!
//! Every page here says who may frame it: embeddable views the origins of `--embed-origin`
//! (`Content-Security-Policy: frame-ancestors`), the rest only ssepot itself.

use super::documents::base_url;
use super::error::{ApiError, PathParams};
use super::html::page;
use super::negotiate::{negotiate, Format, DOCUMENT, PDF};
use super::params::{EmbedMapParams, FormatParams, NoParams, Params, ReportParams};
use crate::render::choropleth;
use crate::ssepot::dashboards::{Dashboard, DASHBOARDS};
use crate::ssepot::report::document::{FigureView, TableView};
use crate::ssepot::report::informe::{self, ReportError};
use crate::ssepot::report::{bulletin, publications, Corte, Document};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

/// What a publication is offered as: its page first (browsers), the PDF, its data.
const PUBLICATION: &[Format] = &[Format::Html, Format::Pdf, Format::Json];

/// The typst template of every publication's PDF.
const TEMPLATE: &str = include_str!("../../web/templates/informe.typ");

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::NoReport => ApiError::NotFound(
                "no `[ssepot.progress]` is declared in the layer files: there is no report year"
                    .into(),
            ),
            ReportError::Corte(m) => ApiError::bad("corte", m),
        }
    }
}

fn blocking_error(e: tokio::task::JoinError) -> ApiError {
    ApiError::Internal(format!("report task: {e}"))
}

/// `GET /ssepot/informe[?corte=YYYY-MM-DD][&f=html|pdf|json]`.
pub async fn informe(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<ReportParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, PUBLICATION)?;
    let data = state.current();
    let corte = informe::corte_for(&data.snapshot, p.corte.map(|c| c.0))?;
    let (snapshot, layers) = (data.snapshot.clone(), state.layers_dir.clone());
    let doc = tokio::task::spawn_blocking(move || informe::build(&snapshot, &layers, corte))
        .await
        .map_err(blocking_error)??;
    respond(doc, format, &headers).await
}

/// `GET /ssepot/boletines/{id}[?corte=][&f=]`: a subsystem's bulletin.
pub async fn boletin(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<ReportParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, PUBLICATION)?;
    let data = state.current();
    let corte = informe::corte_for(&data.snapshot, p.corte.map(|c| c.0))?;
    let snapshot = data.snapshot.clone();
    let wanted = id.clone();
    let doc = tokio::task::spawn_blocking(move || bulletin::build(&snapshot, &wanted, corte))
        .await
        .map_err(blocking_error)??
        .ok_or_else(|| {
            let known: Vec<String> = bulletin::list(&data.snapshot)
                .into_iter()
                .map(|b| b.slug)
                .collect();
            ApiError::NotFound(format!("no bulletin `{id}`; the bulletins are {known:?}"))
        })?;
    respond(doc, format, &headers).await
}

/// A publication as its page, its PDF or its JSON.
async fn respond(doc: Document, format: Format, headers: &HeaderMap) -> Result<Response> {
    match format {
        Format::Html => {
            let html = page(
                "informe.html",
                json!({"title": doc.title, "sample": doc.sample, "doc": doc, "base": base_url(headers)}),
            );
            Ok(framed_by_self(Html(html).into_response()))
        }
        Format::Pdf => {
            let name = format!("{}.pdf", doc.id);
            let bytes = tokio::task::spawn_blocking(move || pdf(&doc))
                .await
                .map_err(blocking_error)?
                .map_err(ApiError::Internal)?;
            Ok((
                [
                    (header::CONTENT_TYPE, PDF.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("inline; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Ok(axum::Json(doc).into_response()),
    }
}

/// The PDF of a publication: its data and drawings through the typst template.
pub fn pdf(doc: &Document) -> std::result::Result<Vec<u8>, String> {
    let (data, mut files) = doc.for_typst();
    files.push((
        "informe.json".into(),
        serde_json::to_vec(&data).map_err(|e| e.to_string())?,
    ));
    let Corte { year, month, day } = doc.corte;
    crate::render::pdf::pdf(TEMPLATE, files, &doc.id, (year, month, day))
}

/// `GET /ssepot/publicaciones`: reports and bulletins by cut-off date.
pub async fn publicaciones(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let editions = publications::editions(&data.snapshot, &state.layers_dir);
    let context = json!({
        "title": "Publicaciones del SSEPOT",
        "sample": data.snapshot.ssepot.sample,
        "data_version": data.snapshot.version,
        "loaded_at": data.snapshot.loaded_at,
        "editions": editions,
    });
    match format {
        Format::Html => Ok(framed_by_self(
            Html(page("publicaciones.html", context)).into_response(),
        )),
        _ => Ok(axum::Json(context).into_response()),
    }
}

fn set_policy(mut r: Response, policy: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(policy) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// Only ssepot's own pages may frame this page.
fn framed_by_self(r: Response) -> Response {
    set_policy(r, "frame-ancestors 'self'")
}

/// An embeddable view: ssepot and the configured origins may frame it.
pub fn embeddable(state: &AppState, r: Response) -> Response {
    set_policy(r, &state.access.embed_policy())
}

fn dashboard(id: &str, snapshot: &crate::model::Snapshot) -> Result<Dashboard> {
    Dashboard::build(id, snapshot).ok_or_else(|| {
        let known: Vec<&str> = DASHBOARDS.iter().map(|(i, _)| *i).collect();
        ApiError::NotFound(format!("no dashboard `{id}`; the dashboards are {known:?}"))
    })
}

fn embed_page(state: &AppState, headers: &HeaderMap, context: serde_json::Value) -> Response {
    let mut context = context;
    context["base"] = json!(base_url(headers));
    embeddable(state, Html(page("embed.html", context)).into_response())
}

/// `GET /ssepot/embed/grafico/{dashboard}/{chart}`: one chart of a dashboard and its table.
pub async fn embed_chart(
    State(state): State<Arc<AppState>>,
    PathParams((id, chart)): PathParams<(String, String)>,
    headers: HeaderMap,
    Params(_): Params<NoParams>,
) -> Result<Response> {
    let data = state.current();
    let d = dashboard(&id, &data.snapshot)?;
    let c = d.charts.iter().find(|c| c.id == chart).ok_or_else(|| {
        let known: Vec<&str> = d.charts.iter().map(|c| c.id.as_str()).collect();
        ApiError::NotFound(format!(
            "no chart `{chart}` in `{id}`; its charts are {known:?}"
        ))
    })?;
    Ok(embed_page(
        &state,
        &headers,
        json!({
            "title": c.title, "sample": d.sample, "attribution": d.attribution,
            "svg": crate::ssepot::report::chart::render(c), "table": TableView::of_chart(c),
            "source": format!("/ssepot/{id}?f=html#t-{chart}"),
        }),
    ))
}

/// `GET /ssepot/embed/cifra/{dashboard}/{key}`: one headline figure.
pub async fn embed_figure(
    State(state): State<Arc<AppState>>,
    PathParams((id, key)): PathParams<(String, String)>,
    headers: HeaderMap,
    Params(_): Params<NoParams>,
) -> Result<Response> {
    let data = state.current();
    let d = dashboard(&id, &data.snapshot)?;
    let f = d.figures.iter().find(|f| f.key == key).ok_or_else(|| {
        let known: Vec<&str> = d.figures.iter().map(|f| f.key.as_str()).collect();
        ApiError::NotFound(format!(
            "no figure `{key}` in `{id}`; its figures are {known:?}"
        ))
    })?;
    let corte = informe::corte_for(&data.snapshot, None)?;
    let projected = informe::projected(&id, &key, &corte, corte.year);
    let view = FigureView::new(f, projected, &format!("/ssepot/{id}"));
    Ok(embed_page(
        &state,
        &headers,
        json!({
            "title": d.title, "sample": d.sample, "attribution": d.attribution,
            "figure": view, "source": format!("/ssepot/{id}?f=html#cifras"),
        }),
    ))
}

/// `GET /ssepot/embed/mapa/{indicator}[?year=]`: a static choropleth map drawn on the server, with its table.
pub async fn embed_map(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<EmbedMapParams>,
) -> Result<Response> {
    let data = state.current();
    let ind = data.snapshot.indicator(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator `{id}`; /collections lists them"))
    })?;
    let years = ind.years();
    let year = match p.year {
        Some(y) if years.contains(&y.0) => y.0,
        Some(y) => {
            return Err(ApiError::bad(
                "year",
                format!("{} is not a year of `{id}`; its years are {years:?}", y.0),
            ))
        }
        None => *years
            .last()
            .ok_or_else(|| ApiError::NotFound(format!("`{id}` has no values to map")))?,
    };
    let projected = informe::corte_for(&data.snapshot, None).is_ok_and(|c| c.projects(year));
    let map = choropleth::render(ind, year, projected);
    let block = crate::ssepot::report::Block::map(map.clone());
    let table = match block {
        crate::ssepot::report::Block::Map { table, .. } => Some(table),
        _ => None,
    };
    Ok(embed_page(
        &state,
        &headers,
        json!({
            "title": format!("{}, {year}", map.title), "sample": ind.sample, "attribution": ind.attribution,
            "svg": map.svg, "alt": map.alt, "table": table,
            "source": format!("/map/#ind={id}&mode=single&year={year}"),
        }),
    ))
}

/// `GET /map/embed`: the web map for framing (state in the URL's fragment, as the full map).
pub async fn embed_webmap(
    State(state): State<Arc<AppState>>,
    Params(_): Params<NoParams>,
) -> Response {
    let html = super::webmap::INDEX.replacen("<body>", "<body class=\"embed\">", 1);
    embeddable(&state, Html(html).into_response())
}

/// `GET /ssepot/static/print.css`, `/ssepot/static/embed.js` and `/ssepot/static/fonts/{file}`.
pub async fn print_css(Params(_): Params<NoParams>) -> Response {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("../../web/print.css"),
    )
}

pub async fn embed_js(Params(_): Params<NoParams>) -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/embed.js"),
    )
}

pub async fn font(
    PathParams(file): PathParams<String>,
    Params(_): Params<NoParams>,
) -> Result<Response> {
    let bytes = crate::render::fonts::face(&file)
        .ok_or_else(|| ApiError::NotFound(format!("no font `{file}`")))?;
    Ok(asset("font/ttf", bytes))
}

fn asset(mime: &'static str, bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response()
}
