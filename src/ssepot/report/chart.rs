//! A dashboard chart as SVG, for print, PDF and embedding: bars (grouped or stacked) drawn horizontally so
//! long category names stay readable, or lines for series over years. The numbers are the chart's own (the
//! dashboards' JSON); each chart is always shown with the table it draws, its text alternative.

use crate::format::trimmed as format_number;
use crate::render::svg::{escape, text, wrap, FONT};
use crate::ssepot::dashboards::Chart;
use crate::styles::palette::CATEGORICAL;
use std::fmt::Write;

const WIDTH: f64 = 640.0;
/// Width of the category labels' column.
const LABELS: f64 = 210.0;
/// Room right of the longest bar for its value.
const VALUE_ROOM: f64 = 74.0;
const TEXT: &str = "#1a1a1a";

/// A value as the chart writes it: Spanish digits, `%` when the unit is a percentage.
pub fn value_label(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "ND".into(),
        Some(v) if unit == "%" => format!("{} %", format_number(v, 2)),
        Some(v) => format_number(v, 2),
    }
}

/// The chart as an SVG document whose `<title>` is the chart's title and whose description points to its table.
pub fn render(chart: &Chart) -> String {
    let body = match chart.kind.as_str() {
        "line" => lines(chart),
        _ => bars(chart, chart.kind == "stacked"),
    };
    let (height, content) = body;
    let id = format!("grafico-{}", chart.id);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" role="img" aria-labelledby="{id}-t {id}-d" font-family="{FONT}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc><rect width="{WIDTH}" height="{height:.0}" fill="#ffffff"/>{content}</svg>"##,
        escape(&chart.title),
        escape(&format!(
            "Gráfico de {} ({}). Los datos están en la tabla que lo acompaña.",
            chart.title.to_lowercase(),
            chart.unit
        ))
    )
}

/// Series names with their colours, in a row at the top (only when there is more than one series).
fn key(out: &mut String, chart: &Chart, y: f64) -> f64 {
    if chart.series.len() < 2 {
        return y;
    }
    let mut x = 12.0;
    let mut y = y;
    for (i, s) in chart.series.iter().enumerate() {
        let w = 26.0 + 6.6 * s.name.chars().count() as f64;
        if x + w > WIDTH - 12.0 {
            x = 12.0;
            y += 18.0;
        }
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="11" fill="{}"/>"##,
            y - 9.5,
            CATEGORICAL[i % CATEGORICAL.len()]
        );
        text(
            out,
            x + 19.0,
            y,
            &format!(r#"font-size="11" fill="{TEXT}""#),
            &s.name,
        );
        x += w;
    }
    y + 20.0
}

fn bars(chart: &Chart, stacked: bool) -> (f64, String) {
    let mut out = String::new();
    let top = key(&mut out, chart, 16.0);
    let n = chart.series.len().max(1);
    let total = |i: usize| -> f64 {
        chart
            .series
            .iter()
            .filter_map(|s| s.values.get(i).copied().flatten())
            .map(|v| v.max(0.0))
            .sum()
    };
    let max = (0..chart.labels.len())
        .map(|i| {
            if stacked {
                total(i)
            } else {
                chart
                    .series
                    .iter()
                    .filter_map(|s| s.values.get(i).copied().flatten())
                    .fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let x0 = LABELS + 8.0;
    let span = WIDTH - x0 - VALUE_ROOM;
    let bar = 13.0;
    let mut y = top + 4.0;
    for (i, label) in chart.labels.iter().enumerate() {
        let lines = wrap(label, 32);
        let lines = &lines[..lines.len().min(3)];
        let bars_h = if stacked { bar } else { bar * n as f64 };
        let h = bars_h.max(12.0 * lines.len() as f64) + 9.0;
        let mid = y + h / 2.0;
        for (k, l) in lines.iter().enumerate() {
            let ly = mid - 6.0 * (lines.len() as f64 - 1.0) + 12.0 * k as f64 + 4.0;
            text(
                &mut out,
                LABELS,
                ly,
                &format!(r#"font-size="11" text-anchor="end" fill="{TEXT}""#),
                l,
            );
        }
        let mut bx = x0;
        let mut by = mid - bars_h / 2.0;
        for (s, series) in chart.series.iter().enumerate() {
            let v = series.values.get(i).copied().flatten();
            let w = v.map_or(0.0, |v| v.max(0.0) / max * span);
            let color = CATEGORICAL[s % CATEGORICAL.len()];
            let _ = write!(
                out,
                r#"<rect x="{bx:.1}" y="{by:.1}" width="{w:.1}" height="{:.1}" fill="{color}"><title>{}</title></rect>"#,
                bar - 2.0,
                escape(&format!(
                    "{label} — {}: {}",
                    series.name,
                    value_label(v, &chart.unit)
                ))
            );
            if stacked {
                bx += w;
            } else {
                text(
                    &mut out,
                    bx + w + 4.0,
                    by + bar - 4.0,
                    &format!(r#"font-size="10.5" fill="{TEXT}""#),
                    &value_label(v, &chart.unit),
                );
                by += bar;
            }
        }
        if stacked {
            text(
                &mut out,
                bx + 4.0,
                by + bar - 4.0,
                &format!(r#"font-size="10.5" fill="{TEXT}""#),
                &value_label(Some(total(i)), &chart.unit),
            );
        }
        y += h;
    }
    let _ = write!(
        out,
        r##"<path d="M{x0:.1} {:.1}V{y:.1}" stroke="#555555" stroke-width="1"/>"##,
        top
    );
    axis_ticks(&mut out, x0, span, max, y, &chart.unit);
    (y + 24.0, out)
}

/// Four ticks under the bars, from 0 to the largest value.
fn axis_ticks(out: &mut String, x0: f64, span: f64, max: f64, y: f64, unit: &str) {
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let x = x0 + span * f64::from(k) / 4.0;
        let _ = write!(out, r##"<path d="M{x:.1} {y:.1}v4" stroke="#555555"/>"##);
        let label = if unit == "%" {
            format!("{} %", format_number(v, 0))
        } else {
            format_number(v, if max >= 10.0 { 0 } else { 1 })
        };
        text(
            out,
            x,
            y + 16.0,
            r##"font-size="10" text-anchor="middle" fill="#404040""##,
            &label,
        );
    }
}

fn lines(chart: &Chart) -> (f64, String) {
    let mut out = String::new();
    let top = key(&mut out, chart, 16.0) + 8.0;
    let (left, right, bottom) = (56.0, WIDTH - 24.0, top + 230.0);
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    let hi = values.iter().copied().fold(f64::MIN, f64::max).max(0.0);
    let lo = values.iter().copied().fold(f64::MAX, f64::min).min(0.0);
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let n = chart.labels.len().max(2);
    let x = |i: usize| left + (right - left) * i as f64 / (n - 1) as f64;
    let y = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top - 16.0);
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
        let _ = write!(
            out,
            r##"<path d="M{left} {:.1}H{right}" stroke="#d0d0d0" stroke-width="0.8"/>"##,
            y(v)
        );
        text(
            &mut out,
            left - 6.0,
            y(v) + 4.0,
            r##"font-size="10" text-anchor="end" fill="#404040""##,
            &value_label(Some(crate::ssepot::round(v, 1)), &chart.unit),
        );
    }
    for (i, l) in chart.labels.iter().enumerate() {
        text(
            &mut out,
            x(i),
            bottom + 16.0,
            r##"font-size="10.5" text-anchor="middle" fill="#1a1a1a""##,
            l,
        );
    }
    for (s, series) in chart.series.iter().enumerate() {
        let color = CATEGORICAL[s % CATEGORICAL.len()];
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in series.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1}",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(*v)
                    );
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="2.2"/>"#
        );
        for (i, v) in series.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.2" fill="{color}"><title>{}</title></circle>"#,
                x(i),
                y(*v),
                escape(&format!(
                    "{} — {}: {}",
                    chart.labels[i],
                    series.name,
                    value_label(Some(*v), &chart.unit)
                ))
            );
            if chart.series.len() == 1 {
                text(
                    &mut out,
                    x(i),
                    y(*v) - 8.0,
                    &format!(r#"font-size="10" text-anchor="middle" fill="{TEXT}""#),
                    &value_label(Some(*v), &chart.unit),
                );
            }
        }
    }
    (bottom + 30.0, out)
}
