//! The `/items` query parameters, parsed into a typed query. Every malformed value is an error that
//! names its parameter.

use crate::model::normalize_key;

/// Default page size when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger `limit` values are reduced to it (as OGC API Features requires).
pub const MAX_LIMIT: usize = 1000;

/// A parameter with a bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub parameter: String,
    pub message: String,
}

impl QueryError {
    fn new(parameter: &str, message: impl Into<String>) -> Self {
        Self {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

/// A year interval; `None` ends are open.
pub type YearRange = (Option<i32>, Option<i32>);

/// What a client asked of `/items`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemsQuery {
    pub limit: usize,
    pub offset: usize,
    /// `[min lon, min lat, max lon, max lat]`, CRS84.
    pub bbox: Option<[f64; 4]>,
    pub datetime: Option<YearRange>,
    /// Normalised territory code.
    pub code: Option<String>,
    pub year: Option<i32>,
}

/// Parameters `/items` understands besides its filters; `f` is read by the HTTP layer.
const KNOWN: &[&str] = &[
    "limit", "offset", "bbox", "bbox-crs", "datetime", "code", "year", "f",
];

impl ItemsQuery {
    /// Parses decoded `(name, value)` pairs.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let mut q = ItemsQuery {
            limit: DEFAULT_LIMIT,
            ..Default::default()
        };
        for (name, value) in pairs {
            match name.as_str() {
                "limit" => {
                    let n: usize = value.parse().map_err(|_| {
                        QueryError::new(
                            "limit",
                            format!("`{value}` is not a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
                    if n == 0 {
                        return Err(QueryError::new("limit", "must be at least 1"));
                    }
                    q.limit = n.min(MAX_LIMIT);
                }
                "offset" => {
                    q.offset = value.parse().map_err(|_| {
                        QueryError::new("offset", format!("`{value}` is not a whole number ≥ 0"))
                    })?
                }
                "bbox" => q.bbox = Some(parse_bbox(value)?),
                "bbox-crs" if is_crs84(value) => {}
                "bbox-crs" => {
                    return Err(QueryError::new(
                        "bbox-crs",
                        format!("only CRS84 is supported, not `{value}`"),
                    ))
                }
                "datetime" => q.datetime = Some(parse_datetime(value)?),
                "code" => q.code = Some(normalize_key(value)),
                "year" => {
                    q.year =
                        Some(value.trim().parse().map_err(|_| {
                            QueryError::new("year", format!("`{value}` is not a year"))
                        })?)
                }
                "f" => {}
                other => {
                    return Err(QueryError::new(
                        other,
                        format!("unknown parameter; known are {}", KNOWN.join(", ")),
                    ));
                }
            }
        }
        Ok(q)
    }

    /// Whether a feature of this year passes the year filters (`datetime`, `year`).
    pub fn matches_year(&self, year: Option<i32>) -> bool {
        let Some(y) = year else {
            return self.datetime.is_none() && self.year.is_none();
        };
        self.year.is_none_or(|want| want == y)
            && self
                .datetime
                .is_none_or(|(a, b)| a.is_none_or(|a| y >= a) && b.is_none_or(|b| y <= b))
    }
}

fn is_crs84(v: &str) -> bool {
    v.ends_with("/OGC/1.3/CRS84")
        || v.eq_ignore_ascii_case("OGC:CRS84")
        || v.ends_with("/OGC/0/CRS84")
}

fn parse_bbox(value: &str) -> Result<[f64; 4], QueryError> {
    let nums: Result<Vec<f64>, _> = value.split(',').map(|s| s.trim().parse::<f64>()).collect();
    let nums = nums.map_err(|_| {
        QueryError::new(
            "bbox",
            format!("`{value}` is not four comma-separated numbers"),
        )
    })?;
    let b = match nums.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, c, d, _] => [*a, *b, *c, *d],
        _ => {
            return Err(QueryError::new(
                "bbox",
                format!(
                    "`{value}` needs 4 numbers (or 6 with heights), not {}",
                    nums.len()
                ),
            ))
        }
    };
    if b.iter().any(|v| !v.is_finite()) || b[1] > b[3] || b[1] < -90.0 || b[3] > 90.0 {
        return Err(QueryError::new(
            "bbox",
            format!("`{value}` is not min lon, min lat, max lon, max lat in degrees"),
        ));
    }
    Ok(b)
}

/// `2023`, `2023-06-30`, `2023-06-30T00:00:00Z`, `2018/2023`, `../2020`, `2020/..`.
fn parse_datetime(value: &str) -> Result<YearRange, QueryError> {
    let end = |s: &str| -> Result<Option<i32>, QueryError> {
        let s = s.trim();
        if s.is_empty() || s == ".." {
            return Ok(None);
        }
        year_of(s).map(Some).ok_or_else(|| {
            QueryError::new("datetime", format!("`{value}` is not a year, a date (RFC 3339) or an interval such as 2018/2023 or ../2020"))
        })
    };
    match value.split_once('/') {
        Some((a, b)) => {
            let (a, b) = (end(a)?, end(b)?);
            if a.is_none() && b.is_none() && value.trim() != "../.." {
                return Err(QueryError::new(
                    "datetime",
                    format!("`{value}` has no start nor end"),
                ));
            }
            if let (Some(a), Some(b)) = (a, b) {
                if a > b {
                    return Err(QueryError::new(
                        "datetime",
                        format!("`{value}` ends before it starts"),
                    ));
                }
            }
            Ok((a, b))
        }
        None if value.trim() == ".." => {
            Err(QueryError::new("datetime", "`..` alone is not an instant"))
        }
        None => end(value).map(|y| (y, y)),
    }
}

fn year_of(s: &str) -> Option<i32> {
    let year = s.get(..4)?;
    let rest = &s[4..];
    let valid_rest = rest.is_empty()
        || (rest.starts_with('-')
            && rest.len() >= 3
            && rest[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ":-.+".contains(c)));
    if !year.chars().all(|c| c.is_ascii_digit()) || !valid_rest {
        return None;
    }
    year.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<ItemsQuery, QueryError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(s).unwrap();
        ItemsQuery::parse(&pairs)
    }

    #[test]
    fn datetime_accepts_years_dates_and_open_intervals() {
        assert_eq!(
            q("datetime=2023").unwrap().datetime,
            Some((Some(2023), Some(2023)))
        );
        assert_eq!(
            q("datetime=2023-06-30T00:00:00Z").unwrap().datetime,
            Some((Some(2023), Some(2023)))
        );
        assert_eq!(
            q("datetime=2018/2023").unwrap().datetime,
            Some((Some(2018), Some(2023)))
        );
        assert_eq!(
            q("datetime=../2020").unwrap().datetime,
            Some((None, Some(2020)))
        );
        assert_eq!(
            q("datetime=2020/..").unwrap().datetime,
            Some((Some(2020), None))
        );
    }

    #[test]
    fn malformed_parameters_name_themselves() {
        for (s, p) in [
            ("limit=abc", "limit"),
            ("limit=0", "limit"),
            ("offset=-1", "offset"),
            ("bbox=1,2,3", "bbox"),
            ("datetime=ayer", "datetime"),
            ("datetime=2023/2018", "datetime"),
            ("year=dos", "year"),
            ("colour=red", "colour"),
        ] {
            assert_eq!(q(s).unwrap_err().parameter, p, "{s}");
        }
    }

    #[test]
    fn limit_above_the_maximum_is_reduced_to_it() {
        assert_eq!(q("limit=999999").unwrap().limit, MAX_LIMIT);
        assert_eq!(q("").unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn codes_are_normalised_like_the_data() {
        assert_eq!(q("code=01").unwrap().code.as_deref(), Some("1"));
    }
}
