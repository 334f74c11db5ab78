//! Content negotiation: `f=` wins, then `Accept` with its q-values; without either, the endpoint's first
//! format (JSON: OWSLib sends no `Accept`). `Accept-Encoding` q-values decide gzip.

use super::error::ApiError;
use super::params::kinds::F;
use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    /// Downloads, on `/items` and `/change` only.
    Csv,
    Xlsx,
    Gpkg,
    /// Vector tiles.
    Mvt,
    /// The report and bulletins.
    Pdf,
}

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const GPKG: &str = "application/geopackage+sqlite3";
pub const MVT: &str = "application/vnd.mapbox-vector-tile";
pub const PDF: &str = "application/pdf";

/// What documents offer.
pub const DOCUMENT: &[Format] = &[Format::Json, Format::Html];
/// What `/items` and `/change` offer.
pub const DOWNLOADS: &[Format] = &[
    Format::Json,
    Format::Html,
    Format::Csv,
    Format::Xlsx,
    Format::Gpkg,
];
/// JSON only (styles, legends, series, TileJSON, tile metadata).
pub const JSON_ONLY: &[Format] = &[Format::Json];

impl Format {
    /// A format by its `f` name or media type (case-insensitive).
    pub fn by_name(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "json" | "geojson" | "application/json" | "application/geo+json" => Self::Json,
            "html" | "text/html" => Self::Html,
            "csv" | "text/csv" => Self::Csv,
            "xlsx" | XLSX => Self::Xlsx,
            "gpkg" | "geopackage" | GPKG => Self::Gpkg,
            "mvt" | "pbf" | MVT => Self::Mvt,
            "pdf" | PDF => Self::Pdf,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Gpkg => "gpkg",
            Self::Mvt => "mvt",
            Self::Pdf => "pdf",
        }
    }

    /// How specifically an `Accept` media range names this format: 3 exactly, 2 by `type/*`, 1 by `*/*`.
    fn specificity(self, range: &str) -> u8 {
        let (main, sub) = range.split_once('/').unwrap_or((range, ""));
        let exact = match self {
            Self::Json => main == "application" && (sub == "json" || sub.ends_with("+json")),
            Self::Html => range == "text/html" || range == "application/xhtml+xml",
            Self::Csv => range == "text/csv",
            Self::Xlsx => range == XLSX,
            Self::Gpkg => range == GPKG,
            Self::Mvt => range == MVT || range == "application/x-protobuf",
            Self::Pdf => range == PDF,
        };
        let own_main = match self {
            Self::Html | Self::Csv => "text",
            _ => "application",
        };
        if exact {
            3
        } else if sub == "*" && main == own_main {
            2
        } else if range == "*/*" {
            1
        } else {
            0
        }
    }
}

/// Picks the response format among `offered` (in the server's order of preference) from `f` and `Accept`.
///
/// `f` must name an offered format (400 otherwise). With `Accept`, the offered format with the highest
/// q-value wins, ties going to the earlier one; when every offered format has q = 0 the answer is 406.
pub fn negotiate(
    f: Option<F>,
    headers: &HeaderMap,
    offered: &[Format],
) -> Result<Format, ApiError> {
    if let Some(F(format)) = f {
        return offered.contains(&format).then_some(format).ok_or_else(|| {
            ApiError::bad(
                "f",
                format!(
                    "`{}` is not offered here; use {}",
                    format.name(),
                    names(offered)
                ),
            )
        });
    }
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if accept.trim().is_empty() {
        return Ok(offered.first().copied().unwrap_or(Format::Json));
    }
    let ranges = weighted(&accept);
    let q = |format: Format| {
        ranges
            .iter()
            .map(|(range, q)| (format.specificity(range), *q))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, _)| *s)
            .map_or(0.0, |(_, q)| q)
    };
    let mut best: Option<(Format, f32)> = None;
    for &format in offered {
        let qf = q(format);
        if qf > 0.0 && best.is_none_or(|(_, b)| qf > b) {
            best = Some((format, qf));
        }
    }
    best.map(|(f, _)| f).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "`Accept: {accept}` refuses every format offered here ({})",
            names(offered)
        ))
    })
}

fn names(offered: &[Format]) -> String {
    offered
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The items of an `Accept` or `Accept-Encoding` header, lower-cased, with their q-values (1 when absent;
/// a malformed q counts as 0, so it never wins).
fn weighted(header: &str) -> Vec<(String, f32)> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let name = parts.next()?.trim().to_ascii_lowercase();
            if name.is_empty() {
                return None;
            }
            let q = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("q").then(|| v.trim())
                })
                .map_or(1.0, |v| {
                    v.parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0)
                });
            Some((name, q))
        })
        .collect()
}

/// Whether the client accepts gzip: `gzip` (or `x-gzip`) with q > 0, or else `*` with q > 0.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let codings: Vec<(String, f32)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(weighted)
        .collect();
    let find = |names: &[&str]| {
        codings
            .iter()
            .find(|(c, _)| names.contains(&c.as_str()))
            .map(|(_, q)| *q)
    };
    find(&["gzip", "x-gzip"])
        .or_else(|| find(&["*"]))
        .is_some_and(|q| q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, v.parse().unwrap());
        h
    }

    fn accept(v: &str, offered: &[Format]) -> Result<Format, ApiError> {
        negotiate(None, &with(header::ACCEPT, v), offered)
    }

    #[test]
    fn json_is_the_default_and_browsers_get_html() {
        assert_eq!(
            negotiate(None, &HeaderMap::new(), DOCUMENT).unwrap(),
            Format::Json
        );
        let browser = "text/html,application/xhtml+xml,*/*;q=0.8";
        assert_eq!(accept(browser, DOCUMENT).unwrap(), Format::Html);
        assert_eq!(accept(browser, DOWNLOADS).unwrap(), Format::Html);
        assert_eq!(
            accept("application/geo+json, text/html;q=0.5", DOCUMENT).unwrap(),
            Format::Json
        );
        assert_eq!(accept("*/*", DOCUMENT).unwrap(), Format::Json);
        assert_eq!(accept("text/*", DOCUMENT).unwrap(), Format::Html);
    }

    #[test]
    fn a_q_of_zero_refuses_a_format() {
        assert_eq!(
            accept("application/json;q=0, text/html;q=0.1", DOCUMENT).unwrap(),
            Format::Html
        );
        assert_eq!(
            accept("*/*, application/json;q=0", DOCUMENT).unwrap(),
            Format::Html
        );
        assert!(matches!(
            accept("application/json;q=0", JSON_ONLY),
            Err(ApiError::NotAcceptable(_))
        ));
        assert!(matches!(
            accept("image/png", DOCUMENT),
            Err(ApiError::NotAcceptable(_))
        ));
    }

    #[test]
    fn downloads_are_chosen_by_media_type_and_q() {
        assert_eq!(accept("text/csv", DOWNLOADS).unwrap(), Format::Csv);
        assert_eq!(
            accept("text/csv;q=0.5, application/json", DOWNLOADS).unwrap(),
            Format::Json
        );
        assert_eq!(accept(GPKG, DOWNLOADS).unwrap(), Format::Gpkg);
    }

    #[test]
    fn f_must_be_offered_here() {
        let h = HeaderMap::new();
        assert_eq!(
            negotiate(Some(F(Format::Csv)), &h, DOWNLOADS).unwrap(),
            Format::Csv
        );
        assert!(matches!(
            negotiate(Some(F(Format::Csv)), &h, DOCUMENT),
            Err(ApiError::BadParameter { .. })
        ));
    }

    #[test]
    fn gzip_follows_its_q_value() {
        let gz = |v: &str| accepts_gzip(&with(header::ACCEPT_ENCODING, v));
        assert!(gz("gzip"));
        assert!(gz("gzip;q=0.5"));
        assert!(gz("br, gzip;q=0.5, deflate"));
        assert!(gz("*"));
        assert!(!gz("gzip;q=0"));
        assert!(!gz("gzip;q=0.0, br"));
        assert!(!gz("*, gzip;q=0"));
        assert!(!gz("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
