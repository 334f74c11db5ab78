//! The SSEPOT's pages and documents: technical sheets (`/indicators`), the report's dashboards (`/ssepot/…`),
//! the annex, and the static files those pages use (stylesheet, Chart.js, the chart script).

use super::downloads::download;
use super::error::ApiError;
use super::error::PathParams;
use super::html::{page, table_context};
use super::negotiate::{negotiate, Format, DOCUMENT};
use super::params::kinds::Tabla;
use super::params::{DashboardParams, FormatParams, NoParams, Params};
use crate::features::download::Table;
use crate::format::number as format_es;
use crate::ssepot::dashboards::{Dashboard, DASHBOARDS};
use crate::ssepot::progress::measure::{direction, target, target_words};
use crate::ssepot::sheets::{self, direction_text, sheet_indicators};
use crate::state::AppState;
use axum::extract::State;
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
pub async fn static_file(
    PathParams(file): PathParams<String>,
    Params(_): Params<NoParams>,
) -> Result<Response> {
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

/// What the sheets, dashboards and the annex offer: these tables have no geometry (no GeoPackage).
const TABLES: &[Format] = &[Format::Json, Format::Html, Format::Csv, Format::Xlsx];

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
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, DOCUMENT)?;
    let data = state.current();
    let list: Vec<Value> = DASHBOARDS
        .iter()
        .filter(|(id, _)| Dashboard::build(id, &data.snapshot).is_some())
        .map(|(id, title)| {
            json!({
                "id": id, "title": title, "href": format!("/ssepot/{id}"),
                "filters": crate::ssepot::dashboards::filters_of(id),
            })
        })
        .collect();
    match format {
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
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<DashboardParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, TABLES)?;
    if id == "anexo" {
        if p.tabla.is_some() {
            return Err(ApiError::bad(
                "tabla",
                "the annex has one table; leave `tabla` out",
            ));
        }
        if let Some(name) = p.filters()?.first() {
            return Err(ApiError::bad(name, "the annex is not filtered"));
        }
        return annex(state, format).await;
    }
    let filters = p.filters()?;
    let data = state.current();
    let d = Dashboard::filtered(&id, &data.snapshot, &filters)
        .map_err(|e| ApiError::bad(e.parameter, e.message))?
        .ok_or_else(|| {
            let known: Vec<&str> = DASHBOARDS.iter().map(|(i, _)| *i).collect();
            ApiError::NotFound(format!(
                "no dashboard `{id}` is declared in the layer files; the dashboards are {known:?}"
            ))
        })?;
    match format {
        Format::Json => Ok(json_response(d.to_json())),
        Format::Html => Ok(Html(dashboard_page(&d)).into_response()),
        f => {
            let (table, stem) = if p.tabla == Some(Tabla::Filas) {
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
            "figures": d.figures.iter().map(|f| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                if !f.drill.is_empty() {
                    v["href"] = format!("?f=html&{}#filas", d.filters.with(&f.drill).query()).into();
                }
                v
            }).collect::<Vec<_>>(),
            "charts": d.charts.iter().map(|c| chart_context(d, c)).collect::<Vec<_>>(),
            "changes": changes,
            "rows_title": format!("Filas: {}", d.rows.name.replace('_', " ")),
            "table": rows_context(d),
            "number_format": crate::format::rule(),
            "controls": d.controls,
            "filter_words": d.filters.words(),
            "query": d.filters.query(),
        }),
    )
}

/// A chart with, when its labels are values of a filter, the link of each to its rows (within the page's
/// filters).
fn chart_context(d: &Dashboard, c: &crate::ssepot::dashboards::Chart) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    if let Some(p) = c.drill {
        let hrefs: Vec<String> = c
            .labels
            .iter()
            .map(|l| {
                format!(
                    "?f=html&{}#filas",
                    d.filters.with(&[(p, l.clone())]).query()
                )
            })
            .collect();
        v["hrefs"] = json!(hrefs);
    }
    v
}

fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

/// The rows table of a dashboard; subsystem rows carry an anchor (`#sub-movilidad`) sheets link to.
fn rows_context(d: &Dashboard) -> Value {
    let mut t = table_context(&d.rows);
    // Drill-through from a row to its indicator's technical sheet.
    if d.id == "diagnostico" {
        if let Some(rows) = t["rows"].as_array_mut() {
            for r in rows {
                let code = r[0]["text"].as_str().unwrap_or_default().to_lowercase();
                r[0]["href"] = format!("/indicators/{}?f=html", urlencoding(&code)).into();
            }
        }
    }
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
        // Drill-through from a subsystem's row to each of its indicators' sheets.
        let codes = d.rows.columns.iter().position(|(n, _)| n == "codigos");
        if let (Some(rows), Some(i)) = (t["rows"].as_array_mut(), codes) {
            for r in rows {
                let text = r[i]["text"].as_str().unwrap_or_default().to_string();
                let links: Vec<Value> = text
                    .split(", ")
                    .filter(|c| !c.is_empty())
                    .map(|c| json!({"text": c, "href": format!("/indicators/{}?f=html", urlencoding(&c.to_lowercase()))}))
                    .collect();
                r[i]["links"] = json!(links);
            }
        }
    }
    t
}

async fn annex(state: Arc<AppState>, format: Format) -> Result<Response> {
    let data = state.current();
    let table = sheets::annex_table(&data.snapshot).ok_or_else(|| {
        ApiError::NotFound("no `[ssepot.progress]` is declared in the layer files".into())
    })?;
    table_response(format, table, "anexo_bateria_ssepot").await
}

/// A table as JSON, an HTML table, or a download.
async fn table_response(format: Format, table: Table, stem: &str) -> Result<Response> {
    match format {
        Format::Json => {
            let (columns, rows) = crate::ssepot::dashboards::plain_rows(&table);
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
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, TABLES)?;
    let data = state.current();
    let snap = &data.snapshot;
    match format {
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
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<FormatParams>,
) -> Result<Response> {
    let format = negotiate(p.f, &headers, TABLES)?;
    let data = state.current();
    let snap = &data.snapshot;
    let key = id.to_lowercase();
    let ind = sheet_indicators(snap)
        .find(|i| i.id == key)
        .ok_or_else(|| {
            ApiError::NotFound(format!("no indicator `{id}`; /indicators lists them"))
        })?;
    let causes = super::reporting::cycle::nd_causes(&state, ind).await;
    let mut doc = sheets::sheet_doc(snap, ind, &causes);
    doc["published_changes"] = published_changes(&state, &ind.id).await;
    doc["agreements"] = agreements(&state, &ind.id).await;
    // The indicator's state and proposed action are the latest agreement's.
    doc["concertation"] = doc["agreements"]
        .as_array()
        .and_then(|a| a.last())
        .map(|a| json!({"state": a["state"], "action": a["action"], "date": a["date"]}))
        .unwrap_or(Value::Null);
    match format {
        Format::Json => Ok(json_response(doc)),
        Format::Html => Ok(Html(sheet_page(snap, ind, &doc, &causes)).into_response()),
        f => {
            let table = sheets::sheets_table(std::iter::once(ind), &format!("ficha_{}", ind.id));
            download(f, table, &format!("ficha_{}", ind.id)).await
        }
    }
}

/// What the reporting store published for an indicator, from its change log: each published value or sheet field
/// with who reported it, when it was published, before, after and why. `null` without a store, or while the
/// store does not answer (the sheet still serves).
async fn published_changes(state: &Arc<AppState>, indicator: &str) -> Value {
    let Some(rep) = state.reporting.clone() else {
        return Value::Null;
    };
    let filter = crate::store::log::LogFilter {
        indicator: Some(indicator.to_string()),
        ..Default::default()
    };
    let Ok(Ok(log)) = tokio::task::spawn_blocking(move || rep.store.log(&filter)).await else {
        return Value::Null;
    };
    let submitted = |item: Option<i64>| {
        log.iter()
            .find(|e| e.item == item && e.action == "reportado")
    };
    log.iter()
        .filter(|e| e.action == "publicado")
        .filter_map(|published| {
            let s = submitted(published.item)?;
            Some(json!({
                "published_at": published.at, "office": s.office, "territory": s.territory,
                "year": s.year, "field": s.field, "before": s.before, "after": s.after, "why": s.why,
                "item": published.item,
            }))
        })
        .collect()
}

/// The concertation agreements about an indicator, oldest first (with the office's name). `null` without a
/// store, or while the store does not answer (the sheet still serves).
async fn agreements(state: &Arc<AppState>, indicator: &str) -> Value {
    let Some(rep) = state.reporting.clone() else {
        return Value::Null;
    };
    let id = indicator.to_string();
    let read = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((rep.store.agreements(Some(&id))?, rep.store.offices()?))
    });
    let Ok(Ok((list, offices))) = read.await else {
        return Value::Null;
    };
    list.into_iter()
        .map(|a| {
            let mut v = serde_json::to_value(&a).unwrap_or_default();
            v["office_name"] = offices
                .iter()
                .find(|o| o.id == a.office)
                .map_or_else(|| a.office.clone(), |o| o.name.clone())
                .into();
            v
        })
        .collect()
}

fn sheet_page(
    snap: &crate::model::Snapshot,
    ind: &crate::model::Indicator,
    doc: &Value,
    causes: &sheets::NdCauses,
) -> String {
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
        "Valores proyectados",
        s.projected_from.map(|y| {
            format!("desde {y} (proyecciones de la fuente); los años anteriores son medidos")
        }),
        None,
    );
    fact(
        "Línea base",
        s.baseline_value.map(|v| {
            let year = s
                .baseline_year
                .map(|y| format!(" ({y})"))
                .unwrap_or_default();
            format!("{}{year}", format_es(Some(v), None))
        })
        .or_else(|| {
            (!ind.baselines.is_empty()).then(|| {
                "la de cada territorio (columna «Línea base» de la batería; ver avance por territorio)".into()
            })
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
    let baseline = s
        .baseline_value
        .map(|b| format_es(Some(b), None))
        .or_else(|| (!ind.baselines.is_empty()).then(|| "la de cada territorio".into()));
    let cfg = snap.ssepot.progress.as_ref();
    let note = match (baseline, cfg.and_then(|c| target(s, c)), cfg) {
        (Some(b), Some((y, t)), Some(cfg)) => {
            let bands: Vec<String> = cfg
                .bands
                .iter()
                .map(|b| format!("{} desde {} %", b.label(), format_es(Some(b.min.max(0.0)), None)))
                .collect();
            format!(
                "El avance porcentual es la parte del camino de la línea base ({}) a la meta ({}{}) recorrida, en el sentido del indicador{}, {}. Bandas: {}.",
                b,
                format_es(Some(t), None),
                y.map(|y| format!(" en {y}")).unwrap_or_default(),
                cfg.cap.map(|c| format!(", entre 0 y {} %", format_es(Some(c), None))).unwrap_or_default(),
                target_words(cfg),
                bands.join(", ")
            )
        }
        _ => "Sin línea base o meta en la ficha: solo se muestra el avance físico (el valor alcanzado).".into(),
    };
    let progress = sheets::progress_table(snap, ind, causes);
    page(
        "indicator.html",
        json!({
            "title": format!("{} — ficha técnica", ind.name),
            "sample": ind.sample,
            "id": ind.id,
            "facts": facts,
            "diagnosis": doc["diagnosis"],
            "changes": doc["changes"],
            "published_changes": doc["published_changes"],
            "agreements": doc["agreements"],
            "concertation": doc["concertation"],
            "progress_map": doc["progress_map"],
            "progress_note": note,
            "table": table_context(&progress),
        }),
    )
}
