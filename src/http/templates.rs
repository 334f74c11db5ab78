//! HTML pages from Jinja templates (minijinja), embedded in the binary from `web/templates/`.
//!
//! Autoescaping is on for every `.html` template, so no page escapes by hand: handlers pass plain data
//! (anything `Serialize`) and the template decides the markup. Numbers are written the Spanish way with the
//! `es` filter (`2.518.480`, `13,10`) and `pct` (`45,67 %`), so a page never formats a figure itself.

use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, Value};
use serde::Serialize;
use std::sync::OnceLock;

/// `(name, source)` of templates embedded from `web/templates/`.
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../web/templates/", $name)))),*]
    };
}

/// Every template, by name. Names end in `.html`, which turns autoescaping on.
const TEMPLATES: &[(&str, &str)] = embed![
    "base.html",
    "table.html",
    "figure.html",
    "landing.html",
    "conformance.html",
    "api.html",
    "collections.html",
    "collection.html",
    "items.html",
    "queryables.html",
    "item.html",
    "change.html",
    "dashboard.html",
    "dashboards.html",
    "indicators.html",
    "indicator.html",
    "periods.html",
    "period.html",
    "informe.html",
    "informe_bloque.html",
    "informe_tabla.html",
    "embed_snippet.html",
    "embed.html",
    "publicaciones.html",
    "reporting/base.html",
    "reporting/login.html",
    "reporting/office.html",
    "reporting/result.html",
    "reporting/review.html",
    "reporting/log.html",
    "reporting/error.html",
    "reporting/texts.html",
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not parse: {e:#}"));
        }
        env.set_formatter(formatter);
        env.add_filter("es", es_filter);
        env.add_filter("pct", pct_filter);
        env
    })
}

/// Text is escaped for HTML (`&`, `<`, `>`, `"`, `'`) but `/` is kept, so URLs in pages read as URLs (minijinja's
/// default also writes `/` as `&#x2f;`, which HTML does not need).
fn formatter(out: &mut Output<'_>, state: &State<'_, '_>, value: &Value) -> Result<(), Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => out
            .write_str(&escape_html(text))
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write the page")),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a template with a context. An error is a bug in a template (a test renders every page).
pub fn render(name: &str, context: impl Serialize) -> Result<String, String> {
    environment()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| format!("template `{name}`: {e:#}"))
}

fn number(v: &Value) -> Option<f64> {
    if v.is_undefined() || v.is_none() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

/// `{{ x | es }}`, `{{ x | es(2) }}`: a number the Spanish way, `ND` when missing; text passes through.
fn es_filter(v: Value, decimals: Option<usize>) -> String {
    match number(&v) {
        Some(n) => crate::format::number(Some(n), decimals),
        None if v.as_str().is_some() => v.as_str().unwrap_or_default().to_string(),
        None => crate::format::ND.into(),
    }
}

/// `{{ x | pct(1) }}`: `45,67 %`, `ND` when missing.
fn pct_filter(v: Value, decimals: Option<usize>) -> String {
    match number(&v) {
        Some(n) => crate::format::percent(Some(n), decimals.unwrap_or(2)),
        None => crate::format::ND.into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn text_in_a_page_is_escaped_by_the_template() {
        let html = super::render(
            "conformance.html",
            json!({"title": "<b>x</b>", "classes": ["a&b"]}),
        )
        .unwrap();
        assert!(
            html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;x&lt;/b&gt;")
        );
        assert!(html.contains("a&amp;b"));
        assert!(!html.contains("<b>x</b>"));
    }

    #[test]
    fn numbers_are_written_the_spanish_way() {
        assert_eq!(super::es_filter(2518480.0.into(), None), "2.518.480");
        assert_eq!(super::es_filter(minijinja::Value::from(()), None), "ND");
        assert_eq!(super::pct_filter(45.67.into(), None), "45,67 %");
    }
}
