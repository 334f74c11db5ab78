//! A publication as data: sections of text, figures, charts, maps and tables, each already written the way it
//! is shown. The HTML templates and the typst template render this, and nothing else.

use super::format;
use super::narrative::Text;
use super::Corte;
use crate::features::download::Table;
use crate::render::choropleth::Choropleth;
use crate::ssepot::dashboards::{Chart, Figure};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A report or a bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// `informe` or `boletin`.
    pub kind: &'static str,
    /// Stable name: `informe-2023-12-31`, `boletin-movilidad-2023-12-31` (PDF file names and identifiers).
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub corte: Corte,
    /// `2023-12-31`.
    pub corte_iso: String,
    /// `corte a 31 de diciembre de 2023`.
    pub corte_text: String,
    /// Synthetic sample data: the document says so on every page.
    pub sample: bool,
    pub attribution: String,
    /// The served snapshot's data version (`/health`) when the document was made.
    pub data_version: u64,
    /// SHA-256 of everything the document shows (see [`Document::seal`]): the same data gives the same value.
    pub fingerprint: String,
    /// Path of its page (`/ssepot/informe?corte=2023-12-31`), to which `&f=pdf` gives the PDF.
    pub href: String,
    pub sections: Vec<Section>,
}

/// A chapter (level 1) or a part of one (level 2).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Anchor (`compromisos`).
    pub id: String,
    pub title: String,
    pub level: u8,
    /// Paragraphs the document writes from the data (plain text).
    pub paragraphs: Vec<String>,
    /// The DAP's published text for this section, if any.
    pub narrative: Option<Text>,
    pub figures: Vec<FigureView>,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(id: &str, title: &str, level: u8) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            level,
            paragraphs: vec![],
            narrative: None,
            figures: vec![],
            blocks: vec![],
        }
    }
}

/// A headline figure as shown.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    pub key: String,
    pub label: String,
    /// `45,67 %`.
    pub text: String,
    /// The value is a projection, not a measurement.
    pub projected: bool,
    /// Path of the dashboard it comes from (`/ssepot/compromisos`).
    pub source: String,
}

impl FigureView {
    pub fn new(f: &Figure, projected: bool, source: &str) -> Self {
        Self {
            key: f.key.clone(),
            label: f.label.clone(),
            text: format::figure(f),
            projected,
            source: source.into(),
        }
    }
}

/// A table as shown: header and rows of written cells.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<CellView>>,
}

/// A written cell; `num` cells are right-aligned.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    pub text: String,
    pub num: bool,
}

impl CellView {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            num: false,
        }
    }

    pub fn num(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            num: true,
        }
    }
}

impl TableView {
    /// A download table (the dashboards' rows, the annex) as shown, with Spanish column names.
    pub fn from_table(caption: &str, t: &Table) -> Self {
        Self {
            caption: caption.into(),
            head: t.columns.iter().map(|(n, _)| n.replace('_', " ")).collect(),
            rows: t
                .rows
                .iter()
                .map(|(r, _)| {
                    r.iter()
                        .map(|c| {
                            let (text, num) = format::cell(c);
                            CellView { text, num }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// The table a chart draws: categories (or years) × series.
    pub fn of_chart(c: &Chart) -> Self {
        let first = if c.kind == "line" {
            "Año"
        } else {
            "Categoría"
        };
        let head = std::iter::once(first.to_string())
            .chain(c.series.iter().map(|s| s.name.clone()))
            .collect();
        let rows = c
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                std::iter::once(CellView::text(l.clone()))
                    .chain(c.series.iter().map(|s| {
                        CellView::num(crate::format::number(
                            s.values.get(i).copied().flatten(),
                            None,
                        ))
                    }))
                    .collect()
            })
            .collect();
        Self {
            caption: format!("Datos del gráfico ({})", c.unit),
            head,
            rows,
        }
    }
}

/// Something shown in a section after its figures.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A chart drawn on the server and the table it draws.
    Chart {
        id: String,
        title: String,
        /// The SVG document (inlined in pages; a file of its own for the PDF).
        svg: String,
        table: TableView,
        /// Path of its embeddable view.
        embed: String,
    },
    /// A choropleth map and its table.
    Map {
        map: Choropleth,
        table: TableView,
        embed: String,
    },
    /// A table.
    Table { table: TableView },
}

impl Block {
    pub fn chart(c: &Chart, dashboard: &str) -> Self {
        Block::Chart {
            id: format!("grafico-{dashboard}-{}", c.id),
            title: c.title.clone(),
            svg: crate::ssepot::report::chart::render(c),
            table: TableView::of_chart(c),
            embed: format!("/ssepot/embed/grafico/{dashboard}/{}", c.id),
        }
    }

    pub fn map(map: Choropleth) -> Self {
        let table = TableView {
            caption: format!(
                "Valores del mapa: {}, {} ({})",
                map.title, map.year, map.unit
            ),
            head: ["Código", "Territorio", "Valor", "Clase"]
                .map(String::from)
                .to_vec(),
            rows: map
                .rows
                .iter()
                .map(|r| {
                    vec![
                        CellView::text(r.code.clone()),
                        CellView::text(r.name.clone()),
                        CellView::num(r.text.clone()),
                        CellView::text(r.class.clone()),
                    ]
                })
                .collect(),
        };
        let embed = format!("/ssepot/embed/mapa/{}?year={}", map.indicator, map.year);
        Block::Map { map, table, embed }
    }
}

impl Document {
    /// Sets [`Document::fingerprint`] from everything else the document holds (its JSON without the
    /// fingerprint and the data version, which counts reloads, not content).
    pub fn seal(mut self) -> Self {
        self.fingerprint = String::new();
        let version = std::mem::take(&mut self.data_version);
        let bytes = serde_json::to_vec(&self).unwrap_or_default();
        self.fingerprint = format!("{:x}", Sha256::digest(&bytes));
        self.data_version = version;
        self
    }

    /// The data the typst template reads (`informe.json`) and the SVG files it places: each drawing's SVG
    /// moves to a file of its own (`grafico-…svg`, `mapa-…svg`) and the JSON names it.
    pub fn for_typst(&self) -> (Value, Vec<(String, Vec<u8>)>) {
        let mut files = vec![];
        let mut doc = serde_json::to_value(self).unwrap_or_default();
        if let Some(sections) = doc["sections"].as_array_mut() {
            for block in sections
                .iter_mut()
                .filter_map(|s| s["blocks"].as_array_mut())
                .flatten()
            {
                let kind = block["type"].as_str().unwrap_or_default().to_string();
                let holder = match kind.as_str() {
                    "chart" => block,
                    "map" => &mut block["map"],
                    _ => continue,
                };
                let id = holder["id"].as_str().unwrap_or_default().to_string();
                let name = format!("{id}.svg");
                if let Some(Value::String(svg)) = holder.get_mut("svg").map(std::mem::take) {
                    files.push((name.clone(), svg.into_bytes()));
                }
                holder["svg"] = Value::String(name);
            }
        }
        (doc, files)
    }
}
