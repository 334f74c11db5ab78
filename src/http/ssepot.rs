//! The SSEPOT's pages and documents: technical sheets (`/indicators`), the report's dashboards (`/ssepot/…`),
//! the annex, and the static files those pages use (stylesheet, Chart.js, the chart script).

use super::downloads::download;
use super::error::ApiError;
use super::html::{page, table_context};
use super::negotiate::{f_param, negotiate_download, Format};
use super::templates::format_es;
use crate::features::dashboards::{Dashboard, DASHBOARDS};
use crate::features::download::Table;
use crate::features::progress::{direction, final_target};
use crate::features::sheets::{self, direction_text, sheet_indicators};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

/// Files the pages link to, embedded in the binary.
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "pages.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/pages.css"),
    ),
    (
        "chart.umd.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/vendor/chart.umd.js"),
    ),
    (
        "dashboards.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dashboards.js"),
    ),
];

/// `GET /ssepot/static/{file}`.
pub async fn static_file(Path(file): Path<String>) -> Result<Response> {
    let (_, mime, bytes) = STATIC
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or_else(|| ApiError::NotFound(format!("no file `/ssepot/static/{file}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        *bytes,
    )
        .into_response())
}

/// The query of these resources: `f` (json, html, csv, xlsx) and, on dashboards, `tabla` (cifras, filas).
struct Query {
    format: Format,
    rows: bool,
}

impl Query {
    fn parse(raw: &Option<String>, headers: &HeaderMap, tabla: bool) -> Result<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
            .map_err(|e| {
                ApiError::bad("query", format!("the query string cannot be decoded: {e}"))
            })?;
        let mut rows = false;
        for (k, v) in &pairs {
            match k.as_str() {
                "f" => {}
                "tabla" if tabla => {
                    rows = match v.as_str() {
                        "filas" => true,
                        "cifras" => false,
                        other => {
                            return Err(ApiError::bad(
                                "tabla",
                                format!(
                            "`{other}` is not a table of this dashboard; use `cifras` or `filas`"
                        ),
                            ))
                        }
                    }
                }
                other => {
                    let accepted = if tabla { "`f` and `tabla`" } else { "only `f`" };
                    return Err(ApiError::bad(
                        other,
                        format!("unknown parameter; this resource accepts {accepted}"),
                    ));
                }
            }
        }
        let format = negotiate_download(f_param(&pairs), headers)?;
        if format == Format::Gpkg {
            return Err(ApiError::bad(
                "f",
                "this table has no geometry: use json, html, csv or xlsx",
            ));
        }
        Ok(Self { format, rows })
    }
}

fn json_response(value: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// `GET /ssepot`: the dashboards there are.
pub async fn index(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let query = Query::parse(&q, &headers, false)?;
    let data = state.current();
    let list: Vec<Value> = DASHBOARDS
        .iter()
        .filter(|(id, _)| Dashboard::build(id, &data.snapshot).is_some())
        .map(|(id, title)| json!({"id": id, "title": title, "href": format!("/ssepot/{id}")}))
        .collect();
    match query.format {
        Format::Html => Ok(Html(page(
            "dashboards.html",
            json!({"title": "Tableros del SSEPOT", "sample": data.snapshot.ssepot.sample, "dashboards": list}),
        ))
        .into_response()),
        Format::Json => Ok(json_response(json!({
            "sample": data.snapshot.ssepot.sample,
            "dashboards": list,
            "annex": "/ssepot/anexo",
        }))),
        _ => Err(ApiError::bad("f", "the list of dashboards is json or html")),
    }
}

/// `GET /ssepot/{id}`: a dashboard as JSON, page, or its figures (`tabla=cifras`) or rows (`tabla=filas`)
/// as CSV or XLSX.
pub async fn dashboard(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    if id == "anexo" {
        return annex(state, headers, q).await;
    }
    let query = Query::parse(&q, &headers, true)?;
    let data = state.current();
    let d = Dashboard::build(&id, &data.snapshot).ok_or_else(|| {
        let known: Vec<&str> = DASHBOARDS.iter().map(|(i, _)| *i).collect();
        ApiError::NotFound(format!(
            "no dashboard `{id}` is declared in the layer files; the dashboards are {known:?}"
        ))
    })?;
    match query.format {
        Format::Json => Ok(json_response(d.to_json())),
        Format::Html => Ok(Html(dashboard_page(&d)).into_response()),
        f => {
            let (table, stem) = if query.rows {
                (d.rows.clone(), format!("ssepot_{}_filas", d.id))
            } else {
                (d.figures_table(), format!("ssepot_{}_cifras", d.id))
            };
            download(f, table, &stem).await
        }
    }
}

fn dashboard_page(d: &Dashboard) -> String {
    let changes = if d.id == "diagnostico" {
        d.summary["changes"].clone()
    } else {
        Value::Null
    };
    page(
        "dashboard.html",
        json!({
            "title": d.title,
            "sample": d.sample,
            "intro": d.intro,
            "attribution": d.attribution,
            "figures": d.figures,
            "charts": d.charts,
            "changes": changes,
            "rows_title": format!("Filas: {}", d.rows.name.replace('_', " ")),
            "table": rows_context(d),
        }),
    )
}

/// The rows table of a dashboard; subsystem rows carry an anchor (`#sub-movilidad`) sheets link to.
fn rows_context(d: &Dashboard) -> Value {
    let mut t = table_context(&d.rows);
    if d.id == "subsistemas" {
        let ids: Vec<String> = d
            .rows
            .rows
            .iter()
            .map(|(r, _)| match r.get(1) {
                Some(crate::features::download::Value::Text(name)) => {
                    format!("sub-{}", sheets::slug(name))
                }
                _ => String::new(),
            })
            .collect();
        t["ids"] = json!(ids);
    }
    t
}

async fn annex(state: Arc<AppState>, headers: HeaderMap, q: Option<String>) -> Result<Response> {
    let query = Query::parse(&q, &headers, false)?;
    let data = state.current();
    let table = sheets::annex_table(&data.snapshot).ok_or_else(|| {
        ApiError::NotFound("no `[ssepot.progress]` is declared in the layer files".into())
    })?;
    table_response(query.format, table, "anexo_bateria_ssepot").await
}

/// A table as JSON, an HTML table, or a download.
async fn table_response(format: Format, table: Table, stem: &str) -> Result<Response> {
    match format {
        Format::Json => {
            let (columns, rows) = crate::features::dashboards::plain_rows(&table);
            Ok(json_response(
                json!({"title": table.title, "columns": columns, "rows": rows}),
            ))
        }
        Format::Html => Ok(Html(page(
            "change.html",
            json!({"title": table.title, "id": "", "collection_title": "", "table": table_context(&table)}),
        ))
        .into_response()),
        f => download(f, table, stem).await,
    }
}

/// `GET /indicators`: every indicator's sheet.
pub async fn indicators(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let query = Query::parse(&q, &headers, false)?;
    let data = state.current();
    let snap = &data.snapshot;
    match query.format {
        Format::Json => Ok(json_response(json!({
            "indicators": sheet_indicators(snap).map(|i| sheets::summary(i)).collect::<Vec<_>>(),
        }))),
        Format::Html => {
            let list: Vec<Value> = sheet_indicators(snap).map(|i| sheets::summary(i)).collect();
            Ok(Html(page(
                "indicators.html",
                json!({"title": "Fichas técnicas de los indicadores", "indicators": list}),
            ))
            .into_response())
        }
        f => {
            download(
                f,
                sheets::sheets_table(sheet_indicators(snap), "fichas_tecnicas"),
                "fichas_tecnicas",
            )
            .await
        }
    }
}

/// `GET /indicators/{id}`: one indicator's sheet, diagnosis, change log and progress.
pub async fn indicator(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let query = Query::parse(&q, &headers, false)?;
    let data = state.current();
    let snap = &data.snapshot;
    let key = id.to_lowercase();
    let ind = sheet_indicators(snap)
        .find(|i| i.id == key)
        .ok_or_else(|| {
            ApiError::NotFound(format!("no indicator `{id}`; /indicators lists them"))
        })?;
    let doc = sheets::sheet_doc(snap, ind);
    match query.format {
        Format::Json => Ok(json_response(doc)),
        Format::Html => Ok(Html(sheet_page(snap, ind, &doc)).into_response()),
        f => {
            let table = sheets::sheets_table(std::iter::once(ind), &format!("ficha_{}", ind.id));
            download(f, table, &format!("ficha_{}", ind.id)).await
        }
    }
}

fn sheet_page(snap: &crate::model::Snapshot, ind: &crate::model::Indicator, doc: &Value) -> String {
    let s = &ind.sheet;
    let mut facts: Vec<Value> = vec![];
    let mut fact = |label: &str, value: Option<String>, href: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.push(json!({"label": label, "value": v, "href": href}));
        }
    };
    fact("Código", doc["code"].as_str().map(String::from), None);
    fact("Definición", s.definition.clone(), None);
    fact("Fórmula", s.formula.clone(), None);
    fact("Variables", s.variables.clone(), None);
    fact("Unidad de medida", Some(ind.unit.clone()), None);
    fact("Sentido", Some(direction_text(direction(s)).into()), None);
    fact("Sistema", s.system.clone(), None);
    fact(
        "Subsistema",
        s.subsystem.clone(),
        doc["subsystem"]["href"].as_str().map(String::from),
    );
    fact("Dependencia responsable", s.office.clone(), None);
    fact("Tipo", s.kind.clone(), None);
    fact("Nivel territorial", s.territorial_level.clone(), None);
    fact("Periodicidad", s.periodicity.clone(), None);
    fact(
        "Línea base",
        s.baseline_value.map(|v| {
            let year = s
                .baseline_year
                .map(|y| format!(" ({y})"))
                .unwrap_or_default();
            format!("{}{year}", format_es(Some(v), None))
        }),
        None,
    );
    let targets: Vec<String> = s
        .targets
        .iter()
        .map(|t| format!("{}: {}", t.year, format_es(Some(t.value), None)))
        .collect();
    fact("Metas", Some(targets.join("; ")), None);
    fact(
        "Fuentes",
        s.sources.clone().or(Some(ind.attribution.clone())),
        None,
    );
    let note = match (s.baseline_value, final_target(s), snap.ssepot.progress.as_ref()) {
        (Some(b), Some((y, t)), Some(cfg)) => {
            let bands: Vec<String> = cfg
                .bands
                .iter()
                .map(|b| format!("{} desde {} %", b.name, format_es(Some(b.min.max(0.0)), None)))
                .collect();
            format!(
                "El avance porcentual es la parte del camino de la línea base ({}) a la meta ({}{}) recorrida, en el sentido del indicador{}. Bandas: {}.",
                format_es(Some(b), None),
                format_es(Some(t), None),
                y.map(|y| format!(" en {y}")).unwrap_or_default(),
                cfg.cap.map(|c| format!(", entre 0 y {} %", format_es(Some(c), None))).unwrap_or_default(),
                bands.join(", ")
            )
        }
        _ => "Sin línea base o meta en la ficha: solo se muestra el avance físico (el valor alcanzado).".into(),
    };
    let progress = sheets::progress_table(snap, ind);
    page(
        "indicator.html",
        json!({
            "title": format!("{} — ficha técnica", ind.name),
            "sample": ind.sample,
            "id": ind.id,
            "facts": facts,
            "diagnosis": doc["diagnosis"],
            "changes": doc["changes"],
            "progress_map": doc["progress_map"],
            "progress_note": note,
            "table": table_context(&progress),
        }),
    )
}

/// The OpenAPI paths of these resources, merged into `/api`.
pub fn openapi_paths() -> serde_json::Map<String, Value> {
    let f = |formats: &[&str]| {
        json!({ "name": "f", "in": "query", "required": false, "style": "form", "explode": false,
                "description": format!("Formato de respuesta: {}.", formats.join(", ")),
                "schema": { "type": "string", "enum": formats } })
    };
    let tabla = json!({ "name": "tabla", "in": "query", "required": false, "style": "form", "explode": false,
        "description": "En CSV y XLSX: las cifras del tablero (`cifras`, por defecto) o sus filas (`filas`).",
        "schema": { "type": "string", "enum": ["cifras", "filas"] } });
    let id = |name: &str, values: Option<Vec<&str>>| {
        let mut schema = json!({ "type": "string" });
        if let Some(v) = values {
            schema["enum"] = json!(v);
        }
        json!({ "name": name, "in": "path", "required": true, "schema": schema })
    };
    let responses = |media: &[&str], what: &str| {
        let content: serde_json::Map<String, Value> =
            media.iter().map(|m| (m.to_string(), json!({}))).collect();
        json!({
            "200": { "description": what, "content": content },
            "400": { "description": "Parámetro mal formado; la respuesta nombra el parámetro.", "content": { "application/json": {} } },
            "404": { "description": "Recurso inexistente.", "content": { "application/json": {} } },
        })
    };
    let all = ["json", "html", "csv", "xlsx"];
    let media = [
        "application/json",
        "text/html",
        super::negotiate::CSV,
        super::negotiate::XLSX,
    ];
    let dashboards: Vec<&str> = DASHBOARDS
        .iter()
        .map(|(i, _)| *i)
        .chain(["anexo"])
        .collect();
    let mut paths = serde_json::Map::new();
    paths.insert(
        "/indicators".into(),
        json!({ "get": {
        "summary": "Fichas técnicas de los indicadores", "operationId": "getIndicatorSheets",
        "parameters": [f(&all)], "responses": responses(&media, "Fichas técnicas") } }),
    );
    paths.insert("/indicators/{indicatorId}".into(), json!({ "get": {
        "summary": "Ficha técnica de un indicador, con diagnóstico, control de cambios y avance frente a la meta",
        "operationId": "getIndicatorSheet",
        "parameters": [id("indicatorId", None), f(&all)], "responses": responses(&media, "Ficha técnica") } }));
    paths.insert(
        "/ssepot".into(),
        json!({ "get": {
        "summary": "Tableros del informe del SSEPOT", "operationId": "getDashboards",
        "parameters": [f(&["json", "html"])], "responses": responses(&media[..2], "Tableros") } }),
    );
    paths.insert("/ssepot/{dashboardId}".into(), json!({ "get": {
        "summary": "Un tablero del informe del SSEPOT (o el anexo de la batería)", "operationId": "getDashboard",
        "parameters": [id("dashboardId", Some(dashboards)), f(&all), tabla], "responses": responses(&media, "Tablero") } }));
    paths
}
