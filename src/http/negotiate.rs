//! Content negotiation: `f=` wins, then `Accept`; JSON is the default (OWSLib sends no `Accept`).

use super::error::ApiError;
use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    /// Downloads, on `/items` and `/change` only.
    Csv,
    Xlsx,
    Gpkg,
}

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const GPKG: &str = "application/geopackage+sqlite3";

/// Like [`negotiate`], also offering the download formats (`f=csv|xlsx|gpkg` or their media types in `Accept`).
pub fn negotiate_download(f: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
    let by_name = |s: &str| match s {
        "csv" | "text/csv" => Some(Format::Csv),
        "xlsx" | XLSX => Some(Format::Xlsx),
        "gpkg" | "geopackage" | GPKG => Some(Format::Gpkg),
        _ => None,
    };
    if let Some(f) = f {
        return match by_name(&f.to_ascii_lowercase()) {
            Some(fmt) => Ok(fmt),
            None => negotiate(Some(f), headers).map_err(|_| {
                ApiError::bad(
                    "f",
                    format!("`{f}` is not a supported format; use json, html, csv, xlsx or gpkg"),
                )
            }),
        };
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let first = accept
        .split(',')
        .map(|p| p.split(';').next().unwrap_or("").trim())
        .find_map(by_name);
    match first {
        Some(fmt) => Ok(fmt),
        None => negotiate(None, headers),
    }
}

/// Picks the response format from the `f` parameter and the `Accept` header.
pub fn negotiate(f: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
    if let Some(f) = f {
        return match f.to_ascii_lowercase().as_str() {
            "json" | "geojson" | "application/json" | "application/geo+json" => Ok(Format::Json),
            "html" | "text/html" => Ok(Format::Html),
            other => Err(ApiError::bad(
                "f",
                format!("`{other}` is not a supported format; use json or html"),
            )),
        };
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(if prefers_html(accept) {
        Format::Html
    } else {
        Format::Json
    })
}

/// True when `text/html` has a higher quality than any JSON type (browsers list it first).
fn prefers_html(accept: &str) -> bool {
    let q = |wanted: &dyn Fn(&str) -> bool| -> f32 {
        accept
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let mime = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1.0);
                wanted(mime).then_some(q)
            })
            .fold(0.0, f32::max)
    };
    let html = q(&|m| m == "text/html");
    let json = q(&|m| m.ends_with("json"));
    html > 0.0 && html > json
}

/// The `f` parameter of a raw query, if any.
pub fn f_param(pairs: &[(String, String)]) -> Option<&str> {
    pairs
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Format {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        negotiate(None, &h).unwrap()
    }

    #[test]
    fn json_is_the_default_and_browsers_get_html() {
        assert_eq!(negotiate(None, &HeaderMap::new()).unwrap(), Format::Json);
        assert_eq!(
            accept("text/html,application/xhtml+xml,*/*;q=0.8"),
            Format::Html
        );
        assert_eq!(
            accept("application/geo+json, text/html;q=0.5"),
            Format::Json
        );
        assert_eq!(accept("*/*"), Format::Json);
    }

    #[test]
    fn an_unknown_f_is_a_bad_parameter() {
        assert!(matches!(
            negotiate(Some("xml"), &HeaderMap::new()),
            Err(ApiError::BadParameter { .. })
        ));
        assert_eq!(
            negotiate(Some("json"), &HeaderMap::new()).unwrap(),
            Format::Json
        );
    }
}
