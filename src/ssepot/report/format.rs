//! Figures and table cells written the way the dashboards' pages write them (`45,67 %`, `$1.234.567 millones`,
//! `12,0 puntos`, `ND`), so the report's text is the same as the page's and the PDF's.
//!
//! Numbers are written by the one formatting module, [`crate::format`]; this adds only what a figure's kind
//! says around the number, as `web/templates/figure.html` does (a test compares the report with the dashboard
//! pages).

use crate::features::download::Value as Cell;
use crate::format::number;
use crate::ssepot::dashboards::{Figure, FigureKind};

/// A headline figure as the dashboard page shows it.
pub fn figure(f: &Figure) -> String {
    let d = Some(f.decimals as usize);
    match (f.kind, f.value) {
        (_, None) => "ND".into(),
        (FigureKind::Percent, v) => format!("{} %", number(v, d)),
        (FigureKind::Money, v) => format!("${} millones", number(v, Some(0))),
        (FigureKind::Points, v) => format!("{} puntos", number(v, d)),
        (FigureKind::Count, v) => number(v, Some(0)),
    }
}

/// A table cell as the pages show it; numbers are right-aligned (`true`).
pub fn cell(c: &Cell) -> (String, bool) {
    match c {
        Cell::Text(s) => (s.clone(), false),
        Cell::Int(i) => (i.to_string(), false),
        Cell::Num(n) => (number(*n, None), true),
        Cell::Bool(b) => ((if *b { "sí" } else { "no" }).into(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_on_the_dashboards() {
        let f = |kind, value, decimals| Figure {
            key: "k".into(),
            label: "l".into(),
            value,
            kind,
            decimals,
            rule: None,
            drill: Vec::new(),
        };
        assert_eq!(figure(&f(FigureKind::Percent, Some(45.67), 2)), "45,67 %");
        assert_eq!(figure(&f(FigureKind::Percent, Some(12.0), 1)), "12,0 %");
        assert_eq!(
            figure(&f(FigureKind::Money, Some(1_234_567.0), 0)),
            "$1.234.567 millones"
        );
        assert_eq!(figure(&f(FigureKind::Points, Some(12.0), 1)), "12,0 puntos");
        assert_eq!(figure(&f(FigureKind::Count, Some(132.0), 0)), "132");
        assert_eq!(figure(&f(FigureKind::Percent, None, 2)), "ND");
    }
}
