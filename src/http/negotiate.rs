//! Content negotiation: `f=` wins, then `Accept` with its q-values; without either, the endpoint's first
//! format (JSON: OWSLib sends no `Accept`). `Accept-Encoding` q-values decide the content coding.

use super::error::ApiError;
use super::params::kinds::F;
use crate::encoding::Coding;
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

/// The items of an `Accept` header, lower-cased, with their q-values (1 when absent).
/// A q-value that is not a number from 0 to 1 is ignored like any unknown parameter (the item keeps q = 1):
/// a client's typo should not turn a request it meant to succeed into a 406.
fn weighted(header: &str) -> Vec<(String, f32)> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let name = parts.next()?.trim().to_ascii_lowercase();
            if name.is_empty() {
                return None;
            }
            Some((name, q_value(parts)))
        })
        .collect()
}

/// The content coding of a response, from `Accept-Encoding` (RFC 9110 §12.5.3): the coding with the highest
/// q-value above 0, ties going to the server's order ([`Coding::ALL`]); `*` stands for every coding the header
/// does not name; `x-gzip` is gzip. `None` (identity) without the header, when nothing is acceptable, or when
/// `identity` (or `*`) is given a higher q-value than every coding. Identity is sent even when the client refuses it too
/// (`identity;q=0`): a body it can decode is better than a 406.
pub fn coding(headers: &HeaderMap) -> Option<Coding> {
    // Read without allocating: this runs on every tile request. The first mention of a name counts.
    let mut named: [Option<f32>; 3] = [None; 3];
    let (mut identity, mut any) = (None, None);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let slot = if name.eq_ignore_ascii_case("identity") {
                &mut identity
            } else if name == "*" {
                &mut any
            } else if let Some(c) = Coding::ALL.iter().find(|c| {
                name.eq_ignore_ascii_case(c.token())
                    || (**c == Coding::Gzip && name.eq_ignore_ascii_case("x-gzip"))
            }) {
                &mut named[c.index()]
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(q_value(parts));
            }
        }
    }
    // Identity is the fallback: it competes only when named (or covered by `*`).
    let identity = identity.or(any).unwrap_or(0.0);
    let mut best: Option<(Coding, f32)> = None;
    for coding in Coding::ALL {
        let q = named[coding.index()].or(any).unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((coding, q));
        }
    }
    best.filter(|(_, q)| *q >= identity).map(|(c, _)| c)
}

/// The q-value among an item's parameters: 1 when absent or broken (see [`weighted`]).
fn q_value<'a>(mut params: impl Iterator<Item = &'a str>) -> f32 {
    params
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("q").then(|| v.trim())
        })
        .and_then(|v| v.parse::<f32>().ok())
        .filter(|q| (0.0..=1.0).contains(q))
        .unwrap_or(1.0)
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
    fn the_coding_follows_q_values_with_zstd_br_gzip_on_ties() {
        let c = |v: &str| coding(&with(header::ACCEPT_ENCODING, v));
        assert_eq!(c("gzip"), Some(Coding::Gzip));
        assert_eq!(c("x-gzip"), Some(Coding::Gzip));
        assert_eq!(c("gzip;q=0.5"), Some(Coding::Gzip));
        assert_eq!(c("gzip, deflate, br, zstd"), Some(Coding::Zstd));
        assert_eq!(c("gzip, deflate, br"), Some(Coding::Br));
        assert_eq!(c("br;q=0.5, gzip"), Some(Coding::Gzip));
        assert_eq!(c("BR"), Some(Coding::Br));
        assert_eq!(c("*"), Some(Coding::Zstd));
        assert_eq!(c("*;q=0.3, zstd;q=0"), Some(Coding::Br));
        assert_eq!(c("gzip;q=0"), None);
        assert_eq!(c("gzip;q=0.0, br"), Some(Coding::Br));
        assert_eq!(c("*, gzip;q=0, br;q=0, zstd;q=0"), None);
        assert_eq!(c("identity"), None);
        assert_eq!(c("gzip;q=0.5, identity"), None);
        assert_eq!(c("br;q=0.4, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(c("gzip, identity;q=0"), Some(Coding::Gzip));
        assert_eq!(c("deflate, compress"), None);
        assert_eq!(c(""), None);
        assert_eq!(coding(&HeaderMap::new()), None);
    }

    #[test]
    fn a_broken_q_value_is_ignored() {
        let c = |v: &str| coding(&with(header::ACCEPT_ENCODING, v));
        assert_eq!(c("br;q=abc"), Some(Coding::Br));
        assert_eq!(c("gzip;q=2, br;q=0.5"), Some(Coding::Gzip));
        assert_eq!(c("gzip;q=-1"), Some(Coding::Gzip));
        assert_eq!(
            accept("application/json;q=garbage", DOCUMENT).unwrap(),
            Format::Json
        );
        assert_eq!(
            accept("text/html;q=, application/json;q=0.5", DOCUMENT).unwrap(),
            Format::Html
        );
    }
}
