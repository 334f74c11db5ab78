//! Reading one value cell: `ND`, decimal comma, thousands separators, percentages.

use super::cells::Cell;
use crate::config::{PercentStyle, ValueFormat};

/// A cell read as an indicator value: `Ok(None)` is "not reported" (`ND` or empty).
pub fn parse_value(cell: &Cell, format: &ValueFormat) -> Result<Option<f64>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if n.is_finite() => return Ok(Some(*n)),
        Cell::Number(n) => return Err(format!("`{n}` is not a finite number")),
        Cell::Text(t) => t.trim(),
    };
    if text.is_empty()
        || format
            .no_data
            .iter()
            .any(|nd| nd.eq_ignore_ascii_case(text))
    {
        return Ok(None);
    }
    parse_number(text, format).map(Some).ok_or_else(|| {
        format!(
            "`{text}` is not a number written with decimal `{}`{}, nor a no-data token {:?}",
            format.decimal,
            format
                .thousands
                .map(|t| format!(" and thousands `{t}`"))
                .unwrap_or_default(),
            format.no_data
        )
    })
}

fn parse_number(text: &str, format: &ValueFormat) -> Option<f64> {
    let (body, percent) = match text.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (text, false),
    };
    if let Some(t) = format.thousands {
        let int_part = body.split(format.decimal).next().unwrap_or("");
        let mut groups = int_part.split(t);
        let first = groups.next().unwrap_or("");
        // `3.73` with thousands `.` is a misplaced decimal point, not 373.
        if first.trim_start_matches('-').is_empty() && int_part.contains(t)
            || groups.any(|g| g.len() != 3)
        {
            return None;
        }
    }
    let mut s: String = body
        .chars()
        .filter(|c| !matches!(c, '\u{a0}' | '\u{202f}') && Some(*c) != format.thousands)
        .collect();
    if format.thousands == Some(' ') {
        s.retain(|c| c != ' ');
    }
    if format.decimal == ',' {
        if s.contains('.') {
            return None;
        }
        s = s.replace(',', ".");
    } else if s.contains(',') {
        return None;
    }
    let v: f64 = s.parse().ok().filter(|v: &f64| v.is_finite())?;
    Some(if percent && format.percent == PercentStyle::Fraction {
        v / 100.0
    } else {
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spanish() -> ValueFormat {
        ValueFormat {
            decimal: ',',
            thousands: Some('.'),
            ..ValueFormat::default()
        }
    }

    #[test]
    fn decimal_comma_and_thousands_dots_are_read() {
        let v = parse_value(&Cell::Text("1.234,5".into()), &spanish()).unwrap();
        assert_eq!(v, Some(1234.5));
    }

    #[test]
    fn nd_and_empty_cells_are_missing_not_zero() {
        assert_eq!(
            parse_value(&Cell::Text("ND".into()), &spanish()).unwrap(),
            None
        );
        assert_eq!(
            parse_value(&Cell::Text("nd ".into()), &spanish()).unwrap(),
            None
        );
        assert_eq!(parse_value(&Cell::Empty, &spanish()).unwrap(), None);
        assert_eq!(
            parse_value(&Cell::Text("0".into()), &spanish()).unwrap(),
            Some(0.0)
        );
    }

    #[test]
    fn percentages_keep_or_become_fractions() {
        let mut f = spanish();
        assert_eq!(
            parse_value(&Cell::Text("45,5%".into()), &f).unwrap(),
            Some(45.5)
        );
        f.percent = PercentStyle::Fraction;
        assert_eq!(
            parse_value(&Cell::Text("45,5 %".into()), &f).unwrap(),
            Some(0.455)
        );
    }

    #[test]
    fn a_point_where_a_comma_is_expected_is_an_error_not_a_guess() {
        let err = parse_value(
            &Cell::Text("3.73".into()),
            &ValueFormat {
                decimal: ',',
                ..Default::default()
            },
        );
        assert!(err.unwrap_err().contains("decimal `,`"));
        assert!(parse_value(&Cell::Text("abc".into()), &spanish()).is_err());
        assert!(
            parse_value(&Cell::Text("3.73".into()), &spanish()).is_err(),
            "not 373"
        );
        assert_eq!(
            parse_value(&Cell::Text("-12.345.678".into()), &spanish()).unwrap(),
            Some(-12_345_678.0)
        );
    }
}
