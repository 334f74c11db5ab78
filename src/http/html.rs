//! HTML pages, in Spanish, for people who open the API in a browser. The markup is in `web/templates/`
//! (see [`super::templates`]); this module only gathers what each page shows.

use super::templates::render;
use crate::features::collection::{Feature, SAMPLE_LABEL};
use crate::features::{Collection, CollectionKind, Page};
use serde_json::{json, Value};

/// A page from a template. Templates are embedded and tested; should one fail, the page says so instead
/// of the server panicking.
pub fn page(name: &str, context: Value) -> String {
    render(name, context).unwrap_or_else(|e| {
        tracing::error!("{e}");
        "<!doctype html><html lang=\"es\"><title>Error</title><p>Error interno al preparar la página.</p></html>".into()
    })
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn landing(v: &Value) -> String {
    page(
        "landing.html",
        json!({"title": str_of(v, "title"), "description": str_of(v, "description")}),
    )
}

pub fn conformance(v: &Value) -> String {
    page(
        "conformance.html",
        json!({"title": "Clases de conformidad", "classes": v["conformsTo"]}),
    )
}

pub fn api(v: &Value) -> String {
    let paths: Vec<Value> = v["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(p, ops)| {
            let summary = ops
                .get("get")
                .or_else(|| ops.get("post"))
                .map(|o| str_of(o, "summary"))
                .unwrap_or("");
            json!({"path": p, "summary": summary})
        })
        .collect();
    page(
        "api.html",
        json!({"title": "Definición de la API", "paths": paths}),
    )
}

pub fn collections(v: &Value) -> String {
    let rows: Vec<Value> = v["collections"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let years = c["ssepot"]["years"].as_array().map(|y| {
                let f = y.first().map(Value::to_string).unwrap_or_default();
                let l = y.last().map(Value::to_string).unwrap_or_default();
                format!("{f}–{l}")
            });
            json!({
                "id": str_of(c, "id"),
                "title": str_of(c, "title"),
                "unit": c["ssepot"]["unit"].as_str().unwrap_or(""),
                "years": years.unwrap_or_default(),
            })
        })
        .collect();
    page(
        "collections.html",
        json!({"title": "Colecciones", "collections": rows}),
    )
}

pub fn collection(v: &Value) -> String {
    let meta = &v["ssepot"];
    let description = str_of(v, "description")
        .trim_start_matches(SAMPLE_LABEL)
        .trim_start_matches('.')
        .trim();
    let mut facts = vec![];
    let label = [("unit", "Unidad de medida"), ("attribution", "Fuente")];
    for (k, l) in label {
        if let Some(s) = meta[k].as_str().filter(|s| !s.is_empty()) {
            facts.push(json!({"label": l, "value": s}));
        }
    }
    let sheet = [
        ("system", "Sistema"),
        ("subsystem", "Subsistema"),
        ("office", "Dependencia responsable"),
        ("kind", "Tipo"),
        ("formula", "Fórmula"),
        ("baseline_year", "Año de línea base"),
        ("baseline_value", "Línea base"),
        ("target", "Meta"),
        ("target_year", "Año de la meta"),
    ];
    for (k, l) in sheet {
        let value = match &meta["sheet"][k] {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            v if k.ends_with("year") => v.to_string(),
            v => number(v),
        };
        facts.push(json!({"label": l, "value": value}));
    }
    if let Some(y) = meta["years"].as_array() {
        let years: Vec<String> = y.iter().map(Value::to_string).collect();
        facts.push(json!({"label": "Años", "value": years.join(", ")}));
    }
    let sheet_url = meta["sheet_url"].as_str();
    // The CRSs of `crs=`, by their short names (the collection document has the URIs).
    let crs: Vec<String> = v["crs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|u| match u.rsplit_once("/EPSG/0/") {
            Some((_, code)) => format!("EPSG:{code}"),
            None => "CRS84".to_string(),
        })
        .collect();
    page(
        "collection.html",
        json!({
            "title": str_of(v, "title"),
            "id": str_of(v, "id"),
            "crs": crs,
            "indicator": meta["kind"] == "indicator",
            "sample": meta["sample"].as_bool() == Some(true),
            "description": description,
            "facts": facts,
            "sheet_url": sheet_url,
        }),
    )
}

/// Links of an items page.
pub struct PageNav {
    pub next: Option<String>,
    pub prev: Option<String>,
    pub json: String,
    /// The `filter` (with its `filter-lang` and `filter-crs`) and `sortby` of the page, kept by its form.
    pub filter: Option<String>,
    pub filter_lang: Option<String>,
    pub filter_crs: Option<String>,
    pub sortby: Option<String>,
}

/// A collection's queryables as rows of a table (`name`, `kind` in Spanish, `title`).
fn queryable_rows(c: &Collection) -> Vec<Value> {
    use crate::features::filter::queryables::{self, Kind};
    queryables::of(c)
        .into_iter()
        .map(|q| {
            let kind = match q.kind {
                Kind::Text => "texto",
                Kind::Number => "número",
                Kind::Boolean => "sí/no",
                Kind::Time => "fecha (el año)",
                Kind::Geometry => "geometría",
            };
            json!({"name": q.name, "kind": kind, "title": q.title})
        })
        .collect()
}

/// `/collections/{id}/queryables?f=html`.
pub fn queryables(c: &Collection, _schema: &Value) -> String {
    page(
        "queryables.html",
        json!({
            "title": format!("{}: propiedades filtrables", c.title),
            "id": c.id,
            "queryables": queryable_rows(c),
        }),
    )
}

/// A filter that fits the collection, shown as an example: a value of its latest year.
fn example_filter(c: &Collection) -> (String, String) {
    let latest = c
        .set_indicators()
        .iter()
        .find(|i| c.kind == CollectionKind::Territories || i.id == c.id)
        .and_then(|i| i.years().last().map(|y| format!("{}_{y}", i.id)));
    match latest {
        Some(p) => (format!("{p} > 1000"), p),
        None => ("name LIKE 'San%'".into(), "name".into()),
    }
}

fn number(v: &Value) -> String {
    match v {
        Value::Null => crate::format::ND.into(),
        Value::Number(n) => crate::format::number(n.as_f64(), None),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn items(c: &Collection, p: &Page, nav: &PageNav) -> String {
    let cols: &[(&str, &str)] = match c.kind {
        CollectionKind::Territories => &[
            ("code", "Código"),
            ("name", "Nombre"),
            ("area_km2", "Área (km²)"),
        ],
        CollectionKind::Indicator => &[
            ("code", "Código"),
            ("name", "Territorio"),
            ("year", "Año"),
            ("value", "Valor"),
            ("unit", "Unidad"),
        ],
    };
    let rows: Vec<Value> = p
        .features
        .iter()
        .map(|f| {
            let props = f.properties();
            let cells: Vec<Value> = cols
                .iter()
                .map(|(k, _)| match (*k, &props[*k]) {
                    ("value" | "area_km2", v) => json!({"text": number(v), "num": true}),
                    (_, Value::String(s)) => json!({"text": s}),
                    (_, v) => json!({"text": v.to_string()}),
                })
                .collect();
            let href = format!("/collections/{}/items/{}?f=html", c.id, f.id);
            json!({"cells": cells, "href": href})
        })
        .collect();
    let (example, sort_example) = example_filter(c);
    page(
        "items.html",
        json!({
            "id": c.id,
            "filter": nav.filter,
            "filter_lang": nav.filter_lang,
            "filter_crs": nav.filter_crs,
            "sortby": nav.sortby,
            "queryables": queryable_rows(c),
            "example": example,
            "sort_example": sort_example,
            "temporal": c.kind == CollectionKind::Indicator,
            "title": c.title,
            "sample": c.metadata["sample"].as_bool() == Some(true),
            "shown": p.features.len(),
            "matched": p.number_matched,
            "first": p.offset.saturating_add(1),
            "head": cols.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            "rows": rows,
            "prev": nav.prev,
            "next": nav.next,
            "json": nav.json,
        }),
    )
}

pub fn item(c: &Collection, f: &Feature) -> String {
    let props: Vec<Value> = f
        .properties()
        .iter()
        .map(|(k, v)| json!({"key": k, "value": number(v)}))
        .collect();
    page(
        "item.html",
        json!({
            "title": format!("{} — {}", c.title, f.id),
            "id": c.id,
            "fid": f.id,
            "collection_title": c.title,
            "props": props,
        }),
    )
}

/// A download table as the rows a template shows (`{"head": [...], "rows": [[{"text","num"}]]}`).
pub fn table_context(t: &crate::features::download::Table) -> Value {
    use crate::features::download::Value as V;
    let head: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
    let rows: Vec<Vec<Value>> = t
        .rows
        .iter()
        .map(|(row, _)| {
            row.iter()
                .map(|v| match v {
                    V::Text(s) => json!({"text": s}),
                    V::Int(i) => json!({"text": i.to_string()}),
                    V::Num(n) => json!({"text": crate::format::number(*n, None), "num": true}),
                    V::Bool(b) => json!({"text": if *b { "sí" } else { "no" }}),
                })
                .collect()
        })
        .collect();
    json!({"head": head, "rows": rows})
}

/// The change between two years as a table.
pub fn change(c: &Collection, t: &crate::features::download::Table) -> String {
    page(
        "change.html",
        json!({
            "title": t.title,
            "id": c.id,
            "collection_title": c.title,
            "table": table_context(t),
        }),
    )
}
