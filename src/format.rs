//! Numbers as Spanish readers write them, and `ND` for a value not reported: the one rule every page,
//! template, legend and CSV uses, and the one the web pages' scripts read ([`rule`], embedded in the pages).
//!
//! Thousands are grouped with `.` and decimals follow a `,` (`2.518.480`, `3,73`, `45,67 %`). CSV cells
//! carry no thousands separator, so Excel in a Spanish locale reads them as numbers (`1234,5`).

use serde_json::{json, Value};

/// Decimal separator.
pub const DECIMAL: char = ',';
/// Thousands separator (pages, legends; never in CSV cells).
pub const THOUSANDS: char = '.';
/// What a missing value (not reported) is written as.
pub const ND: &str = "ND";

/// A number with `decimals` decimals; without `decimals`, an integer without decimals and anything else with
/// two. `None` is `ND`.
///
/// ```
/// use ssepot::format::number;
/// assert_eq!(number(Some(2518480.0), None), "2.518.480");
/// assert_eq!(number(Some(3.7312), None), "3,73");
/// assert_eq!(number(Some(45.675), Some(1)), "45,7");
/// assert_eq!(number(None, None), "ND");
/// ```
pub fn number(v: Option<f64>, decimals: Option<usize>) -> String {
    let Some(v) = v else {
        return ND.into();
    };
    let plain = match decimals {
        Some(d) => format!("{v:.d$}"),
        None if v.fract() == 0.0 => format!("{v:.0}"),
        None => format!("{v:.2}"),
    };
    group(&plain)
}

/// A number with at most `decimals` decimals, trailing zeros dropped (`12,5`, `100`).
pub fn trimmed(v: f64, decimals: usize) -> String {
    group(&trim_zeros(&format!("{v:.decimals$}")))
}

/// A percentage: `45,67 %`; `None` is `ND`.
pub fn percent(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(_) => format!("{} %", number(v, Some(decimals))),
        None => ND.into(),
    }
}

/// A CSV cell: decimal comma, no thousands separator, up to 6 decimals, trailing zeros dropped (`1234,5`).
pub fn csv(v: Option<f64>) -> String {
    match v {
        Some(n) => trim_zeros(&format!("{n:.6}")).replace('.', &DECIMAL.to_string()),
        None => ND.into(),
    }
}

/// The rule as the pages' scripts read it (embedded as JSON in every page that formats numbers in the
/// browser), so a chart's tooltip writes a number as the table beside it does.
pub fn rule() -> Value {
    json!({"decimal": DECIMAL, "thousands": THOUSANDS, "nd": ND, "percent": " %", "decimals": 2})
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// `-1234.50` → `-1.234,50`: thousands grouped, decimal comma; the digits are kept as given.
fn group(plain: &str) -> String {
    let (int, frac) = plain
        .split_once('.')
        .map_or((plain, None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(THOUSANDS);
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}{DECIMAL}{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_group_thousands_and_csv_does_not() {
        assert_eq!(number(Some(-1234.5), Some(2)), "-1.234,50");
        assert_eq!(trimmed(12.50, 2), "12,5");
        assert_eq!(trimmed(1000.0, 0), "1.000");
        assert_eq!(percent(Some(12.34), 2), "12,34 %");
        assert_eq!(percent(None, 2), "ND");
        assert_eq!(csv(Some(214585.0)), "214585");
        assert_eq!(csv(Some(-3.75)), "-3,75");
        assert_eq!(csv(Some(5.4933)), "5,4933");
        assert_eq!(csv(None), "ND");
    }
}
