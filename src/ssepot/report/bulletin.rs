//! Thematic bulletins: one per subsystem of the POT, with the subsystem's progress (the subsystems
//! dashboard's figure), its situation, achievements and challenges, its indicators' progress (chart and
//! table) and a map of each territorial indicator's value and progress.

use super::document::{Block, CellView, Document, FigureView, Section, TableView};
use super::informe::{data_note, report_year, ReportError};
use super::Corte;
use crate::model::{Indicator, Snapshot};
use crate::render::choropleth;
use crate::ssepot::dashboards::{Chart, Dashboard, Figure, FigureKind, Series};
use crate::ssepot::progress::measure::{city_level, final_target};
use crate::ssepot::sheets::{sheet_indicators, slug};
use crate::ssepot::subsystems::Subsystem;
use crate::styles::legend::is_city_level;
use serde::Serialize;

/// A bulletin that can be made: its subsystem and where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub slug: String,
    pub name: String,
    pub system: String,
    pub href: String,
}

/// Every subsystem's bulletin, in the subsystems table's order.
pub fn list(snapshot: &Snapshot) -> Vec<Entry> {
    snapshot
        .ssepot
        .subsystems
        .iter()
        .map(|s| Entry {
            slug: slug(&s.name),
            name: s.name.clone(),
            system: s.system.clone(),
            href: format!("/ssepot/boletines/{}", slug(&s.name)),
        })
        .collect()
}

/// The bulletin of the subsystem whose slug is `which` (`None` if there is no such subsystem).
pub fn build(
    snapshot: &Snapshot,
    which: &str,
    corte: Corte,
) -> Result<Option<Document>, ReportError> {
    let year = report_year(snapshot).ok_or(ReportError::NoReport)?;
    let Some(sub) = snapshot
        .ssepot
        .subsystems
        .iter()
        .find(|s| slug(&s.name) == which)
    else {
        return Ok(None);
    };
    let indicators: Vec<&std::sync::Arc<Indicator>> = sheet_indicators(snapshot)
        .filter(|i| i.sheet.subsystem.as_deref() == Some(sub.name.as_str()))
        .collect();
    let mut sections = vec![summary(snapshot, sub, &indicators, &corte, year)];
    sections.extend(texts(sub));
    sections.push(indicators_section(snapshot, &indicators, &corte, year));
    let maps = maps(snapshot, &indicators, &corte, year);
    if !maps.blocks.is_empty() {
        sections.push(maps);
    }
    sections.push(data_note(snapshot));
    let s = &snapshot.ssepot;
    Ok(Some(
        Document {
            kind: "boletin",
            id: format!("boletin-{}-{}", which, corte.iso()),
            title: format!("Boletín del subsistema {}", sub.name),
            subtitle: format!(
                "Sistema {} del POT de Medellín (Acuerdo 048 de 2014), {}",
                sub.system,
                corte.text()
            ),
            corte,
            corte_iso: corte.iso(),
            corte_text: corte.text(),
            sample: s.sample,
            attribution: s.attribution.clone(),
            data_version: snapshot.version,
            fingerprint: String::new(),
            href: format!("/ssepot/boletines/{which}?corte={}", corte.iso()),
            sections,
        }
        .seal(),
    ))
}

/// The subsystem's progress as the subsystems dashboard publishes it (its chart's value for this subsystem).
fn published_progress(snapshot: &Snapshot, name: &str) -> Option<f64> {
    let d = Dashboard::build("subsistemas", snapshot)?;
    let chart = d.charts.iter().find(|c| c.id == "avance_subsistemas")?;
    let i = chart.labels.iter().position(|l| l == name)?;
    chart.series.first()?.values.get(i).copied().flatten()
}

fn summary(
    snapshot: &Snapshot,
    sub: &Subsystem,
    indicators: &[&std::sync::Arc<Indicator>],
    corte: &Corte,
    year: i32,
) -> Section {
    let mut sec = Section::new("presentacion", "Presentación", 1);
    sec.paragraphs.push(format!(
        "Boletín temático del subsistema {} (sistema {}) del Plan de Ordenamiento Territorial de Medellín, con {}. Su avance es el del tablero de subsistemas (/ssepot/subsistemas) y el de cada indicador sale de su ficha técnica (/indicators).",
        sub.name,
        sub.system,
        corte.text()
    ));
    if snapshot.ssepot.sample {
        sec.paragraphs.push("MUESTRA SINTÉTICA: filas inventadas para probar la herramienta; no son datos oficiales.".into());
    }
    let progress = Figure {
        key: "avance_subsistema".into(),
        label: format!("Avance del subsistema frente a sus metas ({year})"),
        value: published_progress(snapshot, &sub.name),
        kind: FigureKind::Percent,
        decimals: 1,
        rule: None,
        drill: Vec::new(),
    };
    let count = Figure {
        key: "indicadores".into(),
        label: "Indicadores del subsistema".into(),
        value: Some(indicators.len() as f64),
        kind: FigureKind::Count,
        decimals: 0,
        rule: None,
        drill: Vec::new(),
    };
    let source = format!("/ssepot/subsistemas#sub-{}", slug(&sub.name));
    sec.figures = vec![
        FigureView::new(&progress, corte.projects(year), &source),
        FigureView::new(&count, false, &source),
    ];
    sec
}

fn texts(sub: &Subsystem) -> Vec<Section> {
    let mut out = vec![Section::new("situacion", "Situación, logros y retos", 1)];
    for (id, title, text) in [
        ("situacion-actual", "Situación", &sub.situation),
        ("logros", "Logros", &sub.achievements),
        ("retos", "Retos", &sub.challenges),
    ] {
        let mut part = Section::new(id, title, 2);
        part.paragraphs.push(if text.trim().is_empty() {
            "Sin texto en la tabla de subsistemas.".into()
        } else {
            text.clone()
        });
        out.push(part);
    }
    out
}

fn indicators_section(
    snapshot: &Snapshot,
    indicators: &[&std::sync::Arc<Indicator>],
    corte: &Corte,
    year: i32,
) -> Section {
    let mut sec = Section::new("indicadores", "Indicadores", 1);
    let n = |v: Option<f64>| crate::format::number(v, None);
    let label = |i: &Indicator| {
        format!(
            "{} — {}",
            i.code.clone().unwrap_or_else(|| i.id.clone()),
            i.name
        )
    };
    let percents: Vec<Option<f64>> = indicators
        .iter()
        .map(|i| city_level(snapshot, i, year).map(|v| crate::ssepot::round(v, 1)))
        .collect();
    let bands = snapshot
        .ssepot
        .progress
        .as_ref()
        .map(|p| p.bands.clone())
        .unwrap_or_default();
    let rows = indicators
        .iter()
        .zip(&percents)
        .map(|(i, p)| {
            let s = &i.sheet;
            let value = i.value(crate::model::UnitRef::City, year).flatten();
            vec![
                CellView::text(i.code.clone().unwrap_or_else(|| i.id.clone())),
                CellView::text(i.name.clone()),
                CellView::text(i.unit.clone()),
                CellView::num(n(s.baseline_value)),
                CellView::num(
                    final_target(s)
                        .map(|(_, t)| n(Some(t)))
                        .unwrap_or_else(|| "ND".into()),
                ),
                CellView::num(n(value)),
                CellView::num(n(*p)),
                CellView::text(
                    p.and_then(|p| crate::ssepot::config::band_of(&bands, p).map(String::from))
                        .unwrap_or_else(|| "ND".into()),
                ),
            ]
        })
        .collect();
    let projected = if corte.projects(year) { " (p)" } else { "" };
    sec.paragraphs.push(format!(
        "El avance de cada indicador es el de su valor de ciudad en {year}, o el promedio de sus territorios cuando no tiene valor de ciudad, medido desde la línea base hacia la meta de su ficha técnica."
    ));
    let chart = Chart {
        id: "avance_indicadores".into(),
        title: format!("Avance de los indicadores frente a su meta, {year}{projected} (%)"),
        kind: "horizontal".into(),
        unit: "%".into(),
        labels: indicators.iter().map(|i| label(i)).collect(),
        series: vec![Series {
            name: "Avance".into(),
            values: percents.clone(),
        }],
        drill: None,
    };
    if !indicators.is_empty() {
        sec.blocks.push(Block::chart(&chart, "boletin"));
    }
    sec.blocks.push(Block::Table {
        table: TableView {
            caption: format!("Indicadores del subsistema: línea base, meta, valor de ciudad y avance en {year}{projected}"),
            head: ["Código", "Indicador", "Unidad", "Línea base", "Meta", "Valor ciudad", "Avance (%)", "Banda"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    });
    sec
}

fn maps(
    snapshot: &Snapshot,
    indicators: &[&std::sync::Arc<Indicator>],
    corte: &Corte,
    year: i32,
) -> Section {
    let mut sec = Section::new("mapas", "Mapas por territorio", 1);
    let prefix = crate::ssepot::progress::PREFIX;
    for ind in indicators.iter().filter(|i| !is_city_level(i)) {
        let latest = ind.years().into_iter().filter(|y| *y <= year).max();
        if let Some(y) = latest {
            sec.blocks
                .push(Block::map(choropleth::render(ind, y, corte.projects(y))));
        }
        if let Some(p) = snapshot.indicator(&format!("{prefix}{}", ind.id)) {
            if p.years().contains(&year) {
                sec.blocks.push(Block::map(choropleth::render(
                    p,
                    year,
                    corte.projects(year),
                )));
            }
        }
    }
    sec
}
