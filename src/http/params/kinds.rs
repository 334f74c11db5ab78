//! One rule per kind of parameter value, shared by every endpoint. Each kind reads the decoded text of one
//! parameter and refuses anything it does not fully understand: no trailing garbage, no silent truncation,
//! no number that does not fit.

use super::super::negotiate::Format;
use crate::features::filter::{parse_sortby, Lang, SortKey};
use crate::features::query::{YearRange, MAX_LIMIT, MAX_OFFSET};
use crate::styles::classify::Method;
use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;

/// A year: exactly four digits (`2023`). `20233`, `2023garbage` and ` 2023` are errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Year(pub i32);

impl TryFrom<String> for Year {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        year(&s)
            .map(Year)
            .ok_or_else(|| format!("`{s}` is not a year; a year is four digits, such as 2023"))
    }
}

fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// An OGC API `datetime`: an instant or an interval, read as the years it covers.
///
/// An instant is a year (`2023`), a year and month (`2023-06`), a date (`2023-06-30`) or an RFC 3339
/// date-time (`2023-06-30T12:00:00Z`), each checked against the calendar. An interval is two of them
/// separated by `/`, either end open (`..` or empty), never ending before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Datetime(pub YearRange);

impl Datetime {
    /// The one year this datetime falls in, if it is an instant or an interval inside one year.
    pub fn single_year(self) -> Option<i32> {
        match self.0 {
            (Some(a), Some(b)) if a == b => Some(a),
            _ => None,
        }
    }
}

impl TryFrom<String> for Datetime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        datetime(&s).map(Datetime)
    }
}

fn datetime(s: &str) -> Result<YearRange, String> {
    let bad = || {
        format!(
            "`{s}` is not a year, a date, an RFC 3339 date-time or an interval \
             such as 2018/2023, ../2020 or 2020-01-01/.."
        )
    };
    let end = |e: &str| -> Result<Option<i32>, String> {
        match e {
            "" | ".." => Ok(None),
            e => instant(e).map(Some).ok_or_else(bad),
        }
    };
    match s.split_once('/') {
        None => instant(s).map(|y| (Some(y), Some(y))).ok_or_else(bad),
        Some((a, b)) => {
            if b.contains('/') {
                return Err(bad());
            }
            match (end(a)?, end(b)?) {
                (None, None) if s != "../.." => Err(format!("`{s}` has neither start nor end")),
                (Some(ya), Some(yb)) if ya > yb || (ya == yb && text_after(a, b)) => {
                    Err(format!("`{s}` ends before it starts"))
                }
                range => Ok(range),
            }
        }
    }
}

/// Within one year, whether the start comes after the end. Instants of the same shape in UTC compare as
/// text; other pairs are left to the year comparison.
fn text_after(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.contains('+') && !b.contains('+') && a > b
}

/// The shape of an instant (calendar ranges are checked apart); `/api` states it as the `datetime` pattern.
pub const INSTANT: &str = r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2})))?)?)?";

static INSTANT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{INSTANT}$")).expect("a valid regular expression"));

/// The year of an instant, if the instant is well formed and exists in the calendar.
fn instant(s: &str) -> Option<i32> {
    let c = INSTANT_RE.captures(s)?;
    let num = |i: usize| c.get(i).map(|m| m.as_str().parse::<u32>().ok());
    let year: i32 = c[1].parse().ok()?;
    if let Some(month) = num(2) {
        let month = month?;
        if !(1..=12).contains(&month) {
            return None;
        }
        if let Some(day) = num(3) {
            if !(1..=days_in_month(year, month)).contains(&day?) {
                return None;
            }
        }
    }
    let within = |i: usize, max: u32| num(i).is_none_or(|v| v.is_some_and(|v| v <= max));
    // Seconds may be 60 (a leap second, as RFC 3339 allows).
    (within(4, 23) && within(5, 59) && within(6, 60) && within(7, 23) && within(8, 59))
        .then_some(year)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The rule of `bbox`, as `/api` states it.
pub const BBOX_RULE: &str = "lon mín, lat mín, lon máx, lat máx en grados (CRS84), o seis números con alturas; \
    en otro CRS (`bbox-crs`), mínimos y máximos en el orden de ejes de ese CRS (EPSG:4326: lat, lon; EPSG:9377: \
    norte, este). Números finitos, grados dentro de ±180 y ±90, mínimos ≤ máximos (una caja que cruza el \
    antimeridiano no se admite: ningún territorio servido está cerca).";

/// `bbox`: min lon, min lat, max lon, max lat in degrees (CRS84), or six numbers with heights; in another CRS
/// (`bbox-crs`) the mins and maxes of its axes in its axis order. Every number is finite (no `NaN`, `inf` or
/// `1e400`) and min ≤ max. A box across the antimeridian (min lon > max lon) is refused: no unit set served here
/// comes near it. Degrees within ±180 and ±90 are checked once the CRS is known ([`crate::features::crs::Crs::check_bbox`]).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Bbox(pub [f64; 4]);

impl TryFrom<String> for Bbox {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let nums: Vec<f64> = s
            .split(',')
            .map(|n| n.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("`{s}` is not comma-separated finite numbers"))?;
        let b = match nums.as_slice() {
            [a, b, c, d] | [a, b, _, c, d, _] => [*a, *b, *c, *d],
            _ => {
                return Err(format!(
                    "`{s}` has {} numbers; give 4 (min lon, min lat, max lon, max lat) or 6 with heights",
                    nums.len()
                ))
            }
        };
        if b[0] > b[2] || b[1] > b[3] {
            return Err(format!(
                "`{s}` is inverted: give min lon, min lat, max lon, max lat (or the mins, then the maxes, of `bbox-crs`'s axes)"
            ));
        }
        Ok(Bbox(b))
    }
}

/// A whole number written with digits only (no sign, no spaces), fitting 64 bits.
fn whole(s: &str) -> Option<u64> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `limit`: a whole number ≥ 1; above the maximum it is served at the maximum (as OGC API Features requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Limit(pub usize);

impl TryFrom<String> for Limit {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match whole(&s) {
            Some(0) => Err("must be at least 1".into()),
            Some(n) => Ok(Limit(n.min(MAX_LIMIT as u64) as usize)),
            None => Err(format!(
                "`{s}` is not a whole number from 1 to {MAX_LIMIT} (larger numbers are served at {MAX_LIMIT})"
            )),
        }
    }
}

/// `offset`: a whole number from 0 to [`MAX_OFFSET`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Offset(pub usize);

impl TryFrom<String> for Offset {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        whole(&s)
            .filter(|n| *n <= MAX_OFFSET as u64)
            .map(|n| Offset(n as usize))
            .ok_or_else(|| format!("`{s}` is not a whole number from 0 to {MAX_OFFSET}"))
    }
}

/// `classes`: the number of classes of a legend, 2 to 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Classes(pub usize);

impl TryFrom<String> for Classes {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        whole(&s)
            .filter(|n| (2..=7).contains(n))
            .map(|n| Classes(n as usize))
            .ok_or_else(|| format!("`{s}` is not a whole number from 2 to 7"))
    }
}

/// `method`: a classification method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MethodParam(pub Method);

impl TryFrom<String> for MethodParam {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Method::parse(&s)
            .map(MethodParam)
            .ok_or_else(|| format!("`{s}` is not quantile, equal, jenks or manual"))
    }
}

/// `code`: a territory code, non-empty and at most 64 characters (compared normalised: `01`, `1` and `1.0`
/// are the same).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Code(pub String);

impl TryFrom<String> for Code {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.is_empty() || s.chars().count() > 64 {
            return Err("a territory code has 1 to 64 characters".into());
        }
        Ok(Code(s))
    }
}

/// `q`: a name to search for, folded (lower case, no accents) so `moravia` finds Moravia.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SearchText(pub String);

impl TryFrom<String> for SearchText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let folded = crate::model::fold_name(&s);
        if folded.is_empty() || folded.chars().count() > 100 {
            return Err("a name to search for has 1 to 100 characters".into());
        }
        Ok(SearchText(folded))
    }
}

/// An id of a collection or unit set (`edition=barrios_catastral`): lower-case letters, digits, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Id(pub String);

impl TryFrom<String> for Id {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() > 100 || !crate::config::is_valid_id(&s) {
            return Err(format!(
                "`{s}` is not an id (lower-case letters, digits, `-`, `_`)"
            ));
        }
        Ok(Id(s))
    }
}

/// `crs`, `bbox-crs`: a CRS as a client writes it (an OGC URI, a CURIE or an URN), as its code (`EPSG:9377`);
/// whether the collection offers it is checked with the collection ([`crate::features::crs::find`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CrsParam(pub String);

impl TryFrom<String> for CrsParam {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        crate::features::crs::normalize(&s).map(CrsParam)
    }
}

/// `filter`: a CQL2 expression, read with `filter-lang` and `filter-crs` against the collection
/// ([`crate::features::filter`] checks it, with its limits).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct FilterText(pub String);

impl TryFrom<String> for FilterText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Err("is empty; give a CQL2 expression, such as poblacion_2023 > 150000".into());
        }
        Ok(FilterText(s))
    }
}

/// `filter-lang`: `cql2-text` (the default) or `cql2-json`. `cql-text`, the draft's name that GDAL 3.6
/// sends, is read as `cql2-text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct FilterLangParam(pub Lang);

impl TryFrom<String> for FilterLangParam {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "cql2-text" | "cql-text" => Ok(Self(Lang::Cql2Text)),
            "cql2-json" => Ok(Self(Lang::Cql2Json)),
            other => Err(format!(
                "`{other}` is not a filter language; use cql2-text or cql2-json"
            )),
        }
    }
}

/// `sortby`: comma-separated queryables, `-` before a descending one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct SortBy(pub Vec<SortKey>);

impl TryFrom<String> for SortBy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        parse_sortby(&s).map(SortBy).map_err(|e| e.reason)
    }
}

/// `f`: a format by name or media type; which formats an endpoint offers is checked by
/// [`super::super::negotiate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct F(pub Format);

impl TryFrom<String> for F {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Format::by_name(&s).map(F).ok_or_else(|| {
            format!("`{s}` is not a format; formats are json, html, csv, xlsx, gpkg, mvt and pdf")
        })
    }
}

/// `corte`: a publication's cut-off date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CorteParam(pub crate::ssepot::report::Corte);

impl TryFrom<String> for CorteParam {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        crate::ssepot::report::Corte::parse(&s).map(CorteParam)
    }
}

/// `tabla`: which table of a dashboard a download holds, its figures (`cifras`) or its rows (`filas`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Tabla {
    Cifras,
    Filas,
}

impl TryFrom<String> for Tabla {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "cifras" => Ok(Self::Cifras),
            "filas" => Ok(Self::Filas),
            other => Err(format!(
                "`{other}` is not a table of this dashboard; use `cifras` or `filas`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> Result<YearRange, String> {
        datetime(s)
    }

    #[test]
    fn a_year_is_four_digits_and_nothing_else() {
        assert_eq!(Year::try_from("2023".to_string()), Ok(Year(2023)));
        for s in [
            "20233",
            "2023garbage",
            "2023zzz",
            " 2023",
            "+2023",
            "-202",
            "",
            "２０２３",
        ] {
            assert!(Year::try_from(s.to_string()).is_err(), "{s:?}");
        }
    }

    #[test]
    fn datetime_accepts_years_dates_date_times_and_open_intervals() {
        assert_eq!(dt("2023"), Ok((Some(2023), Some(2023))));
        assert_eq!(dt("2023-06"), Ok((Some(2023), Some(2023))));
        assert_eq!(dt("2024-02-29"), Ok((Some(2024), Some(2024))));
        assert_eq!(
            dt("2023-06-30T23:59:60.5-05:00"),
            Ok((Some(2023), Some(2023)))
        );
        assert_eq!(dt("2018/2023"), Ok((Some(2018), Some(2023))));
        assert_eq!(dt("../2020"), Ok((None, Some(2020))));
        assert_eq!(dt("2020-01-01T00:00:00Z/"), Ok((Some(2020), None)));
        assert_eq!(dt("../.."), Ok((None, None)));
    }

    #[test]
    fn datetime_refuses_what_the_calendar_does_not_have() {
        for s in [
            "2020-13-45",
            "2023-02-29",
            "2023-04-31",
            "2023-00",
            "2023-06-30T24:00:00Z",
            "2023-06-30T12:00:00",
            "2023garbage",
            "20233",
            "2023-6-1",
            "..",
            "/",
            "2023/2018",
            "2023-12-01/2023-01-01",
            "2018/2020/2023",
            "ayer",
            "",
        ] {
            assert!(dt(s).is_err(), "{s:?} was accepted");
        }
    }

    #[test]
    fn a_bbox_is_four_or_six_finite_ordered_degrees() {
        assert_eq!(
            Bbox::try_from("-75.6,6.2,-75.5,6.3".to_string()),
            Ok(Bbox([-75.6, 6.2, -75.5, 6.3]))
        );
        assert!(Bbox::try_from("-75.6,6.2,0,-75.5,6.3,10".to_string()).is_ok());
        for s in [
            "NaN,6,-75,7",
            "-inf,6,-75,7",
            "1e400,6,-75,7",
            "-75,7,-74,6",
            "-74,6,-75,7",
            "1,2,3",
            "a,b,c,d",
            "",
        ] {
            assert!(Bbox::try_from(s.to_string()).is_err(), "{s:?} was accepted");
        }
    }

    #[test]
    fn limits_and_offsets_are_digits_that_fit() {
        assert_eq!(Limit::try_from("5".to_string()), Ok(Limit(5)));
        assert_eq!(Limit::try_from("99999".to_string()), Ok(Limit(MAX_LIMIT)));
        for s in ["0", "-1", "+5", "18446744073709551616", "1e3", " 5"] {
            assert!(Limit::try_from(s.to_string()).is_err(), "limit {s:?}");
        }
        assert_eq!(Offset::try_from("0".to_string()), Ok(Offset(0)));
        for s in ["-1", "18446744073709551615", "4294967296", "1.5"] {
            assert!(Offset::try_from(s.to_string()).is_err(), "offset {s:?}");
        }
    }
}
