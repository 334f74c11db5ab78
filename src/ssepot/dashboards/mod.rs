//! The SSEPOT report's dashboards as documents: headline figures, charts (each with the table it draws) and
//! the rows behind them. One [`Dashboard`] feeds the JSON, the HTML page and the downloads, so the numbers in
//! all three are the same. Every figure comes from `crate::ssepot`'s rules over the layer files' tables.

mod commitments;
mod diagnosis;
pub mod filter;
mod pdd;
mod subsystems;

use crate::features::download::{Kind, Table, Value as Cell};
use crate::model::Snapshot;
use crate::ssepot::Share;
use filter::{Control, FilterError, Filters};
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
    /// The rule that gives it, in words, where the report leaves it open (shown beside the figure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The filters that select the rows behind it (drill-through), added to the page's own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drill: Vec<(&'static str, String)>,
}

impl Figure {
    /// With the rule that gives it.
    pub fn ruled(mut self, rule: String) -> Self {
        self.rule = Some(rule);
        self
    }

    /// With the filters that select the rows behind it.
    pub fn drilled(mut self, drill: &[(&'static str, &str)]) -> Self {
        self.drill = drill.iter().map(|(p, v)| (*p, v.to_string())).collect();
        self
    }
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
        rule: None,
        drill: vec![],
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
    /// The filter each label is a value of (drill-through from a bar to its rows); `None` for years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drill: Option<&'static str>,
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
    /// The filters applied (their values as the rows write them).
    pub filters: Filters,
    /// The filter controls of the page (empty for a dashboard without filters).
    pub controls: Vec<Control>,
}

/// The filters each dashboard takes (those of its rows), by id.
pub fn filters_of(id: &str) -> &'static [&'static str] {
    match id {
        "compromisos" => commitments::FILTERS,
        "pdd" => pdd::FILTERS,
        "subsistemas" => subsystems::FILTERS,
        "diagnostico" => diagnosis::FILTERS,
        _ => &[],
    }
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
        Self::filtered(id, snapshot, &Filters::default())
            .ok()
            .flatten()
    }

    /// The dashboard with this id over the rows the filters keep; an error names a filter that does not apply
    /// or a value the rows do not have.
    pub fn filtered(
        id: &str,
        snapshot: &Snapshot,
        filters: &Filters,
    ) -> Result<Option<Self>, FilterError> {
        let s = &snapshot.ssepot;
        match id {
            "compromisos" => commitments::build(s, filters),
            "pdd" => pdd::build(s, filters),
            "subsistemas" => subsystems::build(s, snapshot, filters),
            "diagnostico" => diagnosis::build(s, snapshot, filters),
            _ => Ok(None),
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
            "filters": self.filters,
            "controls": self.controls,
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
        let filters = match self.filters.words() {
            w if w.is_empty() => String::new(),
            w => format!(" — filtros: {w}"),
        };
        format!(
            "{} ({what}){filters}{sample}. Fuente: {}. Descargado de ssepot.",
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

/// `No presenta avances` → `no_presenta_avances`.
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
