//! The SSEPOT report's dashboards as documents: headline figures, charts (each with the table it draws) and
//! the rows behind them. One [`Dashboard`] feeds the JSON, the HTML page and the downloads, so the numbers in
//! all three are the same. Every figure comes from `crate::ssepot`'s rules over the layer files' tables.

mod commitments;
mod diagnosis;
mod pdd;
mod subsystems;

use crate::features::download::{Kind, Table, Value as Cell};
use crate::model::Snapshot;
use crate::ssepot::Share;
use geo::MultiPolygon;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// How a figure is written.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// A count (`132`).
    Count,
    /// A percentage (`45,67 %`).
    Percent,
    /// Percentage points (`23,0 puntos`).
    Points,
    /// Millions of pesos (`$1.234.567 millones`).
    Money,
}

/// A headline figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Stable key (`avance_general`).
    pub key: String,
    /// What it is, in Spanish.
    pub label: String,
    /// `None` is `ND`.
    pub value: Option<f64>,
    pub kind: FigureKind,
    /// Decimals it is written with.
    pub decimals: u32,
}

pub(super) fn figure(
    key: &str,
    label: &str,
    value: Option<f64>,
    kind: FigureKind,
    decimals: u32,
) -> Figure {
    Figure {
        key: key.into(),
        label: label.into(),
        value,
        kind,
        decimals,
    }
}

pub(super) fn count(key: &str, label: &str, n: usize) -> Figure {
    figure(key, label, Some(n as f64), FigureKind::Count, 0)
}

/// A chart and, in `labels` × `series`, the table it draws (its text alternative).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// `bar`, `stacked`, `horizontal` or `line`.
    pub kind: String,
    /// Unit of the values (`compromisos`, `%`, `millones de pesos`).
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

/// One series of a chart.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A dashboard: its figures, charts and the rows behind them.
pub struct Dashboard {
    pub id: &'static str,
    pub title: String,
    pub intro: String,
    pub sample: bool,
    pub attribution: String,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
    /// The whole computed summary, for JSON clients.
    pub summary: Value,
    /// The rows behind the dashboard.
    pub rows: Table,
}

/// The dashboards there are, in the order the report has them: (id, title).
pub const DASHBOARDS: &[(&str, &str)] = &[
    ("compromisos", "Compromisos del POT"),
    ("pdd", "Relación POT–PDD"),
    ("subsistemas", "Avance de los subsistemas"),
    ("diagnostico", "Diagnóstico de indicadores"),
];

impl Dashboard {
    /// The dashboard with this id, if the layer files declare its tables.
    pub fn build(id: &str, snapshot: &Snapshot) -> Option<Self> {
        let s = &snapshot.ssepot;
        match id {
            "compromisos" => commitments::build(s),
            "pdd" => pdd::build(s),
            "subsistemas" => subsystems::build(s, snapshot),
            "diagnostico" => diagnosis::build(s, snapshot),
            _ => None,
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let (head, rows) = plain_rows(&self.rows);
        json!({
            "id": self.id,
            "title": self.title,
            "sample": self.sample,
            "attribution": self.attribution,
            "figures": self.figures,
            "charts": self.charts,
            "summary": self.summary,
            "columns": head,
            "rows": rows,
        })
    }

    /// The figures as a download table: one row per figure.
    pub fn figures_table(&self) -> Table {
        let columns = [
            ("cifra", Kind::Text),
            ("descripcion", Kind::Text),
            ("valor", Kind::Num),
            ("unidad", Kind::Text),
        ]
        .map(|(n, k)| (n.to_string(), k))
        .to_vec();
        let rows = self
            .figures
            .iter()
            .map(|f| {
                let unit = match f.kind {
                    FigureKind::Count => "número",
                    FigureKind::Percent => "%",
                    FigureKind::Points => "puntos porcentuales",
                    FigureKind::Money => "millones de pesos",
                };
                let row = vec![
                    Cell::Text(f.key.clone()),
                    Cell::Text(f.label.clone()),
                    Cell::Num(f.value),
                    Cell::Text(unit.into()),
                ];
                (row, no_geometry())
            })
            .collect();
        Table {
            name: format!("{}_cifras", self.id),
            title: self.table_title("cifras"),
            columns,
            rows,
        }
    }

    /// The title written above a download.
    pub fn table_title(&self, what: &str) -> String {
        let sample = if self.sample {
            format!(" — {}", crate::features::collection::SAMPLE_LABEL)
        } else {
            String::new()
        };
        format!(
            "{} ({what}){sample}. Fuente: {}. Descargado de ssepot.",
            self.title, self.attribution
        )
    }
}

/// Rows without geometry (downloads of tables that are not maps).
pub fn no_geometry() -> Arc<MultiPolygon<f64>> {
    static EMPTY: std::sync::OnceLock<Arc<MultiPolygon<f64>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(MultiPolygon(vec![]))).clone()
}

/// A table's columns and rows as JSON (`ND` is null).
pub fn plain_rows(t: &Table) -> (Vec<String>, Vec<Vec<Value>>) {
    let head = t.columns.iter().map(|(n, _)| n.clone()).collect();
    let rows = t
        .rows
        .iter()
        .map(|(r, _)| {
            r.iter()
                .map(|c| match c {
                    Cell::Text(s) => json!(s),
                    Cell::Int(i) => json!(i),
                    Cell::Num(n) => json!(n),
                    Cell::Bool(b) => json!(b),
                })
                .collect()
        })
        .collect();
    (head, rows)
}

pub(super) fn table(
    name: &str,
    title: String,
    columns: &[(&str, Kind)],
    rows: Vec<Vec<Cell>>,
) -> Table {
    Table {
        name: name.into(),
        title,
        columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
        rows: rows.into_iter().map(|r| (r, no_geometry())).collect(),
    }
}

pub(super) fn share_of<'a>(shares: &'a [Share], label: &str) -> Option<&'a Share> {
    shares.iter().find(|s| s.label == label)
}

pub(super) fn rollup_words(r: crate::ssepot::config::Rollup) -> &'static str {
    match r {
        crate::ssepot::config::Rollup::MeanReported => {
            "el promedio, entre los que lo reportan (los ND no cuentan),"
        }
        crate::ssepot::config::Rollup::MeanAll => "el promedio, contando ND como 0,",
    }
}

/// `Sin avance` → `sin_avance`.
pub(super) fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => '_',
        })
        .collect()
}
