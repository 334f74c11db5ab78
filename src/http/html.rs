//! HTML pages, in Spanish, for people who open the API in a browser.

use crate::features::collection::{Feature, SAMPLE_LABEL};
use crate::features::{Collection, CollectionKind, Page};
use serde_json::Value;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} · ssepot</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;line-height:1.45;color:#1a1a1a}}
a{{color:#0b5394}} table{{border-collapse:collapse;width:100%;font-size:.95rem}}
th,td{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}} td.n{{text-align:right;font-variant-numeric:tabular-nums}}
.muestra{{background:#fff3cd;border:1px solid #e0b000;padding:.5rem .75rem;border-radius:4px}}
nav.crumbs{{font-size:.9rem;margin-bottom:1rem}} code{{background:#f3f3f3;padding:0 .2rem}}
</style></head><body>
<nav class="crumbs"><a href="/?f=html">Inicio</a> · <a href="/collections?f=html">Colecciones</a> · <a href="/api?f=html">API</a></nav>
<h1>{t}</h1>
{body}
</body></html>"#,
        t = esc(title)
    )
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn landing(v: &Value) -> String {
    let body = format!(
        r#"<p>{}</p>
<ul>
<li><a href="/map/"><strong>Mapa</strong></a>: los indicadores por comuna y año, comparación entre años</li>
<li><a href="/collections?f=html">Colecciones</a>: unidades territoriales e indicadores por año</li>
<li><a href="/api?f=html">Definición de la API</a> (OpenAPI 3.0, <a href="/api?f=json">JSON</a>)</li>
<li><a href="/conformance?f=html">Clases de conformidad</a> (OGC API Features, parte 1)</li>
<li><a href="/report">Informe de importación</a> (JSON)</li>
</ul>
<p>En QGIS: <em>Capa → Añadir capa → Añadir capa WFS / OGC API Features</em>, con la dirección de esta página.</p>"#,
        esc(str_of(v, "description"))
    );
    page(str_of(v, "title"), &body)
}

pub fn conformance(v: &Value) -> String {
    let items: String = v["conformsTo"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|c| format!("<li><code>{}</code></li>", esc(c)))
        .collect();
    page("Clases de conformidad", &format!("<ul>{items}</ul>"))
}

pub fn api(v: &Value) -> String {
    let paths: String = v["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(p, ops)| {
            let summary = ops
                .get("get")
                .or_else(|| ops.get("post"))
                .map(|o| str_of(o, "summary"))
                .unwrap_or("");
            format!(
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(p),
                esc(summary)
            )
        })
        .collect();
    page(
        "Definición de la API",
        &format!(
            r#"<p>Documento OpenAPI 3.0: <a href="/api?f=json">/api?f=json</a>.</p><table><tr><th>Ruta</th><th>Qué devuelve</th></tr>{paths}</table>"#
        ),
    )
}

pub fn collections(v: &Value) -> String {
    let rows: String = v["collections"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let id = str_of(c, "id");
            let years = c["ssepot"]["years"].as_array().map(|y| {
                let f = y.first().map(Value::to_string).unwrap_or_default();
                let l = y.last().map(Value::to_string).unwrap_or_default();
                format!("{f}–{l}")
            });
            format!(
                r#"<tr><td><a href="/collections/{id}?f=html">{}</a></td><td><code>{id}</code></td><td>{}</td><td>{}</td></tr>"#,
                esc(str_of(c, "title")),
                esc(c["ssepot"]["unit"].as_str().unwrap_or("")),
                years.unwrap_or_default(),
                id = esc(id)
            )
        })
        .collect();
    page(
        "Colecciones",
        &format!(
            "<table><tr><th>Título</th><th>Id</th><th>Unidad</th><th>Años</th></tr>{rows}</table>"
        ),
    )
}

pub fn collection(v: &Value) -> String {
    let id = esc(str_of(v, "id"));
    let meta = &v["ssepot"];
    let mut body = String::new();
    if meta["sample"].as_bool() == Some(true) {
        body.push_str(&format!(r#"<p class="muestra"><strong>{SAMPLE_LABEL}.</strong> Sirve para probar la herramienta; no use estas cifras.</p>"#));
    }
    let description = str_of(v, "description")
        .trim_start_matches(SAMPLE_LABEL)
        .trim_start_matches('.')
        .trim();
    body.push_str(&format!("<p>{}</p>", esc(description)));
    let mut facts = vec![];
    let label = [("unit", "Unidad de medida"), ("attribution", "Fuente")];
    for (k, l) in label {
        if let Some(s) = meta[k].as_str().filter(|s| !s.is_empty()) {
            facts.push((l.to_string(), esc(s)));
        }
    }
    let sheet = [
        ("system", "Sistema"),
        ("subsystem", "Subsistema"),
        ("office", "Dependencia responsable"),
        ("kind", "Tipo"),
        ("baseline_year", "Año de línea base"),
        ("baseline_value", "Línea base"),
        ("target", "Meta"),
        ("target_year", "Año de la meta"),
    ];
    for (k, l) in sheet {
        match &meta["sheet"][k] {
            Value::Null => {}
            Value::String(s) => facts.push((l.into(), esc(s))),
            v if k.ends_with("year") => facts.push((l.into(), v.to_string())),
            v => facts.push((l.into(), number(v))),
        }
    }
    let years = meta["years"].as_array().map(|y| {
        y.iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    });
    if let Some(y) = years {
        facts.push(("Años".into(), y));
    }
    body.push_str("<table>");
    for (l, v) in facts {
        body.push_str(&format!("<tr><th>{l}</th><td>{v}</td></tr>"));
    }
    body.push_str("</table>");
    body.push_str(&format!(
        r#"<p><a href="/collections/{id}/items?f=html">Ver los elementos</a> · <a href="/collections/{id}/items?f=json">GeoJSON</a> · <a href="/collections/{id}?f=json">JSON</a></p>
<p>Consultas útiles: <code>/collections/{id}/items?year=2023</code> (todas las comunas en un año), <code>/collections/{id}/items?code=16</code> (la serie de una comuna).</p>"#
    ));
    page(str_of(v, "title"), &body)
}

/// Links of an items page.
pub struct PageNav {
    pub next: Option<String>,
    pub prev: Option<String>,
    pub json: String,
}

fn number(v: &Value) -> String {
    match v {
        Value::Null => "ND".into(),
        Value::Number(n) => n.as_f64().map(format_es).unwrap_or_default(),
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

/// A number as Spanish readers write it: `2.518.480` and `3,73`.
pub fn format_es(v: f64) -> String {
    let plain = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    };
    crate::styles::legend::spanish_digits(&plain)
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
    let head: String = cols.iter().map(|(_, l)| format!("<th>{l}</th>")).collect();
    let rows: String = p
        .features
        .iter()
        .map(|f| {
            let props = f.properties();
            let cells: String = cols
                .iter()
                .map(|(k, _)| match (*k, &props[*k]) {
                    ("value" | "area_km2", v) => format!(r#"<td class="n">{}</td>"#, number(v)),
                    (_, Value::String(s)) => format!("<td>{}</td>", esc(s)),
                    (_, v) => format!("<td>{v}</td>"),
                })
                .collect();
            format!(
                r#"<tr>{cells}<td><a href="/collections/{}/items/{}?f=html">ver</a></td></tr>"#,
                esc(&c.id),
                esc(&f.id)
            )
        })
        .collect();
    let mut links = vec![format!(r#"<a href="{}">GeoJSON</a>"#, esc(&nav.json))];
    if let Some(prev) = &nav.prev {
        links.insert(
            0,
            format!(r#"<a href="{}" rel="prev">← anterior</a>"#, esc(prev)),
        );
    }
    if let Some(next) = &nav.next {
        links.push(format!(
            r#"<a href="{}" rel="next">siguiente →</a>"#,
            esc(next)
        ));
    }
    let banner = if c.metadata["sample"].as_bool() == Some(true) {
        format!(r#"<p class="muestra"><strong>{SAMPLE_LABEL}.</strong></p>"#)
    } else {
        String::new()
    };
    let body = format!(
        "{banner}<p>{} de {} elementos (desde el {}).</p><table><tr>{head}<th></th></tr>{rows}</table><p>{}</p>",
        p.features.len(),
        p.number_matched,
        p.offset.saturating_add(1),
        links.join(" · ")
    );
    page(&c.title, &body)
}

pub fn item(c: &Collection, f: &Feature) -> String {
    let rows: String = f
        .properties()
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), number(v)))
        .collect();
    let body = format!(
        r#"<p>Colección: <a href="/collections/{id}?f=html">{}</a></p><table>{rows}</table><p><a href="/collections/{id}/items/{fid}?f=json">GeoJSON</a></p>"#,
        esc(&c.title),
        id = esc(&c.id),
        fid = esc(&f.id)
    );
    page(&format!("{} — {}", c.title, f.id), &body)
}

/// The change between two years as a table.
pub fn change(c: &Collection, t: &crate::features::download::Table) -> String {
    use crate::features::download::Value as V;
    let head: String = t
        .columns
        .iter()
        .map(|(n, _)| format!("<th>{}</th>", esc(n)))
        .collect();
    let rows: String = t
        .rows
        .iter()
        .map(|(row, _)| {
            let cells: String = row
                .iter()
                .map(|v| match v {
                    V::Text(s) => format!("<td>{}</td>", esc(s)),
                    V::Int(i) => format!("<td>{i}</td>"),
                    V::Num(Some(n)) => format!(r#"<td class="n">{}</td>"#, format_es(*n)),
                    V::Num(None) => r#"<td class="n">ND</td>"#.to_string(),
                    V::Bool(b) => format!("<td>{}</td>", if *b { "sí" } else { "no" }),
                })
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    page(
        &t.title,
        &format!(
            r#"<p><a href="/collections/{}?f=html">{}</a></p><table><tr>{head}</tr>{rows}</table>"#,
            esc(&c.id),
            esc(&c.title)
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_written_the_spanish_way() {
        assert_eq!(super::format_es(2518480.0), "2.518.480");
        assert_eq!(super::format_es(3.7312), "3,73");
        assert_eq!(super::format_es(-1234.5), "-1.234,50");
    }
}
