//! The management report: presentation, user guide, generalities, one chapter per dashboard (figures,
//! charts with their tables, maps, the rows), the indicator annex and the data note, at a cut-off date.

use super::document::{Block, CellView, Document, FigureView, Section, TableView};
use super::narrative::Narrative;
use super::Corte;
use crate::model::Snapshot;
use crate::render::choropleth;
use crate::ssepot::dashboards::{Dashboard, DASHBOARDS};
use crate::ssepot::sheets::{annex_table, sheet_indicators};
use crate::styles::legend::is_city_level;
use std::path::Path;

/// Why a report cannot be made.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportError {
    /// The layer files declare no `[ssepot.progress]`: there is no report year.
    NoReport,
    /// A cut-off outside the data's report year; the message lists the cut-offs there are.
    Corte(String),
}

/// The year the data reports (`[ssepot.progress] year`).
pub fn report_year(snapshot: &Snapshot) -> Option<i32> {
    snapshot.ssepot.progress.as_ref().map(|p| p.year)
}

/// The cut-offs a report can be made at: the end of the report year, and every date of that year with
/// texts written for it (`LAYERS/informe/{corte}.toml`, or published through the reporting store), ascending.
pub fn cortes(snapshot: &Snapshot, layers: &Path) -> Vec<Corte> {
    let Some(year) = report_year(snapshot) else {
        return vec![];
    };
    let mut out: Vec<Corte> = super::narrative::cortes(layers, &snapshot.ssepot.texts)
        .into_iter()
        .filter(|c| c.year == year)
        .chain(std::iter::once(Corte::year_end(year)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The cut-off asked for, checked against the data: it must fall in the report year (the figures are that
/// year's; a cut-off before its end makes them projections). Without one, the end of the report year.
pub fn corte_for(snapshot: &Snapshot, asked: Option<Corte>) -> Result<Corte, ReportError> {
    let year = report_year(snapshot).ok_or(ReportError::NoReport)?;
    match asked {
        None => Ok(Corte::year_end(year)),
        Some(c) if c.year == year => Ok(c),
        Some(c) => Err(ReportError::Corte(format!(
            "{} is outside the year the data report ({year}); use a date of {year}, e.g. {}",
            c.iso(),
            Corte::year_end(year).iso()
        ))),
    }
}

/// PDD figures computed from the tables' projection columns (`Avance proyectado (%)`, `Inversión proyectada`):
/// they are projections whatever the cut-off.
const PDD_PROJECTED: &[&str] = &[
    "banda_",
    "aporte_puntos",
    "avance_fisico_plan",
    "avance_conjunto",
    "inversion_proyectada",
    "ejecucion_inversion",
];

/// Is a dashboard figure a projection at this cut-off?
pub fn projected(dashboard: &str, key: &str, corte: &Corte, year: i32) -> bool {
    corte.projects(year) || (dashboard == "pdd" && PDD_PROJECTED.iter().any(|p| key.starts_with(p)))
}

/// The report at `corte` (already checked with [`corte_for`]).
pub fn build(snapshot: &Snapshot, layers: &Path, corte: Corte) -> Result<Document, ReportError> {
    let year = report_year(snapshot).ok_or(ReportError::NoReport)?;
    let (narrative, narrative_error) = match Narrative::load(layers, &corte) {
        Ok(n) => (n, None),
        Err(e) => {
            tracing::error!("report texts: {e}");
            (Narrative::default(), Some(e))
        }
    };
    let narrative = narrative.with_stored(&snapshot.ssepot.texts, &corte);
    let s = &snapshot.ssepot;
    let first = s
        .progress
        .as_ref()
        .map_or(year, |p| p.annex_years[0].min(year));
    let mut sections = vec![
        presentation(snapshot, &corte, &narrative, narrative_error),
        guide(snapshot, &corte),
        generalities(snapshot, &narrative),
    ];
    for (id, _) in DASHBOARDS {
        if let Some(d) = Dashboard::build(id, snapshot) {
            sections.push(chapter(snapshot, &d, &corte, year, &narrative));
        }
    }
    sections.push(annex(snapshot, &narrative));
    sections.push(data_note(snapshot));
    Ok(Document {
        kind: "informe",
        id: format!("informe-{}", corte.iso()),
        title: format!("Informe de gestión del SSEPOT {first}–{year}"),
        subtitle: format!(
            "Sistema de Seguimiento y Evaluación del Plan de Ordenamiento Territorial de Medellín (Acuerdo 048 de 2014), {}",
            corte.text()
        ),
        corte,
        corte_iso: corte.iso(),
        corte_text: corte.text(),
        sample: s.sample,
        attribution: s.attribution.clone(),
        data_version: snapshot.version,
        fingerprint: String::new(),
        href: format!("/ssepot/informe?corte={}", corte.iso()),
        sections,
    }
    .seal())
}

fn presentation(
    snapshot: &Snapshot,
    corte: &Corte,
    narrative: &Narrative,
    error: Option<String>,
) -> Section {
    let mut sec = Section::new("presentacion", "Presentación", 1);
    let pdd = snapshot
        .ssepot
        .pdd
        .as_ref()
        .map(|p| format!(" con el Plan de Desarrollo {}", p.rules.name))
        .unwrap_or_default();
    sec.paragraphs.push(format!(
        "Este informe presenta, con {}, el seguimiento del Plan de Ordenamiento Territorial de Medellín: el avance de sus compromisos, su relación{pdd}, el avance de sus subsistemas y el diagnóstico de sus indicadores.",
        corte.text()
    ));
    sec.paragraphs.push("Cada cifra, gráfico, tabla y mapa se genera con ssepot a partir de las tablas publicadas y es la misma que muestran los tableros en línea (/ssepot) y sus descargas en CSV y XLSX.".into());
    if snapshot.ssepot.sample {
        sec.paragraphs.push("MUESTRA SINTÉTICA: las tablas de esta edición son filas inventadas que reproducen las cifras publicadas del informe; sirven para probar la herramienta y no son datos oficiales.".into());
    }
    if let Some(e) = error {
        sec.paragraphs.push(format!("Los textos del DAP de este corte escritos en archivo no se pudieron leer y el informe se muestra sin ellos (los publicados en ssepot sí se muestran): {e}"));
    }
    sec.narrative = narrative.get("presentacion").cloned();
    sec
}

fn guide(snapshot: &Snapshot, corte: &Corte) -> Section {
    let mut sec = Section::new("guia", "Guía de uso", 1);
    sec.paragraphs.extend([
        "El informe tiene un capítulo por tablero del SSEPOT. Cada capítulo abre con sus cifras destacadas; cada gráfico va seguido de la tabla con sus datos, y cada mapa de la tabla con el valor y la clase de cada territorio.".to_string(),
        "ND (sin dato) indica un valor que no se reportó o que no se puede calcular. Un ND nunca se cuenta como cero salvo que la regla declarada lo diga.".into(),
        format!("Las cifras marcadas con (p) son proyectadas, no medidas: corresponden a periodos que terminan después del {} o a columnas de proyección de las tablas fuente (el avance y la inversión proyectados del Plan de Desarrollo).", corte.text().trim_start_matches("corte a ")),
        "Los mapas usan las mismas clases y colores que el mapa web de ssepot; las clases se calculan con los valores de todos los años, de modo que un color significa lo mismo en cualquier año. Los mapas de avance se colorean por las bandas de avance.".into(),
    ]);
    if let Some(p) = &snapshot.ssepot.progress {
        let bands: Vec<String> = p
            .bands
            .iter()
            .map(|b| {
                if b.min <= 0.0 {
                    format!("{} por debajo", b.name)
                } else {
                    format!(
                        "{} desde {} %",
                        b.name,
                        crate::format::number(Some(b.min), None)
                    )
                }
            })
            .collect();
        sec.paragraphs.push(format!(
            "El avance porcentual es la parte del camino de la línea base a la meta recorrida en el sentido del indicador; sus bandas son: {}.",
            bands.join(", ")
        ));
    }
    sec.paragraphs.push("Cada gráfico, cifra y mapa tiene una vista para insertar en otros sitios (enlace «Insertar»). Al final, la nota de datos da la versión de los datos y la huella con la que este documento se reproduce.".into());
    sec
}

fn generalities(snapshot: &Snapshot, narrative: &Narrative) -> Section {
    let mut sec = Section::new("generalidades", "Generalidades del SSEPOT", 1);
    let s = &snapshot.ssepot;
    let indicators = sheet_indicators(snapshot).count();
    let systems = crate::ssepot::count_by(s.subsystems.iter().map(|x| x.system.as_str()));
    sec.paragraphs.push(format!(
        "El Sistema de Seguimiento y Evaluación del POT (SSEPOT) sigue {indicators} indicadores con ficha técnica, organizados en {} subsistemas de {} sistemas{}. Sus resultados se publican en tableros, fichas técnicas, mapas y en este informe.",
        s.subsystems.len(),
        systems.len(),
        s.commitments
            .as_ref()
            .map(|c| format!(", y {} compromisos del plan", c.items.len()))
            .unwrap_or_default()
    ));
    let rows = systems
        .iter()
        .map(|(sys, n)| {
            let names: Vec<&str> = s
                .subsystems
                .iter()
                .filter(|x| &x.system == sys)
                .map(|x| x.name.as_str())
                .collect();
            vec![
                CellView::text(sys.clone()),
                CellView::num(n.to_string()),
                CellView::text(names.join(", ")),
            ]
        })
        .collect();
    sec.blocks.push(Block::Table {
        table: TableView {
            caption: "Sistemas y subsistemas del POT".into(),
            head: ["Sistema", "Subsistemas", "Nombres"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    });
    sec.narrative = narrative.get("generalidades").cloned();
    sec
}

fn chapter(
    snapshot: &Snapshot,
    d: &Dashboard,
    corte: &Corte,
    year: i32,
    narrative: &Narrative,
) -> Section {
    let mut sec = Section::new(d.id, &d.title, 1);
    sec.paragraphs.push(d.intro.clone());
    sec.narrative = narrative.get(d.id).cloned();
    let source = format!("/ssepot/{}", d.id);
    sec.figures = d
        .figures
        .iter()
        .map(|f| FigureView::new(f, projected(d.id, &f.key, corte, year), &source))
        .collect();
    sec.blocks = d.charts.iter().map(|c| Block::chart(c, d.id)).collect();
    if d.id == "subsistemas" {
        sec.blocks.extend(progress_maps(snapshot, year, corte));
    }
    if d.id == "diagnostico" {
        if let Some(t) = changes_table(&d.summary["changes"]) {
            sec.blocks.push(Block::Table { table: t });
        }
    }
    let caption = format!("{}: filas", d.title);
    sec.blocks.push(Block::Table {
        table: TableView::from_table(&caption, &d.rows),
    });
    sec
}

/// The progress map of every territorial indicator, in the order of the subsystems.
fn progress_maps(snapshot: &Snapshot, year: i32, corte: &Corte) -> Vec<Block> {
    let prefix = crate::ssepot::progress::PREFIX;
    let mut out = vec![];
    for sub in &snapshot.ssepot.subsystems {
        for ind in
            sheet_indicators(snapshot).filter(|i| i.sheet.subsystem.as_deref() == Some(&sub.name))
        {
            let Some(p) = snapshot.indicator(&format!("{prefix}{}", ind.id)) else {
                continue;
            };
            if is_city_level(p) || !p.years().contains(&year) {
                continue;
            }
            out.push(Block::map(choropleth::render(
                p,
                year,
                corte.projects(year),
            )));
        }
    }
    out
}

fn changes_table(changes: &serde_json::Value) -> Option<TableView> {
    let list = changes.as_array().filter(|l| !l.is_empty())?;
    let keys = ["code", "form", "field", "before", "after", "date", "office"];
    Some(TableView {
        caption: "Control de cambios de las fichas técnicas (DIES-058)".into(),
        head: [
            "Indicador",
            "Formulario",
            "Campo",
            "Antes",
            "Después",
            "Fecha",
            "Dependencia",
        ]
        .map(String::from)
        .to_vec(),
        rows: list
            .iter()
            .map(|c| {
                keys.iter()
                    .map(|k| CellView::text(c[*k].as_str().unwrap_or_default()))
                    .collect()
            })
            .collect(),
    })
}

fn annex(snapshot: &Snapshot, narrative: &Narrative) -> Section {
    let mut sec = Section::new("anexo", "Anexo: indicadores", 1);
    sec.narrative = narrative.get("anexo").cloned();
    if let Some(t) = annex_table(snapshot) {
        sec.paragraphs.push("La batería de indicadores con su ficha técnica y su avance físico y porcentual en cada año del anexo, por territorio; ND donde no se reportó. La misma tabla se descarga en /ssepot/anexo (CSV, XLSX).".into());
        sec.blocks.push(Block::Table {
            table: TableView::from_table("Anexo: batería de indicadores y su avance", &t),
        });
    }
    sec
}

pub(super) fn data_note(snapshot: &Snapshot) -> Section {
    let mut sec = Section::new("datos", "Nota de datos y reproducibilidad", 1);
    sec.paragraphs.extend([
        format!("Fuente: {}.", snapshot.ssepot.attribution),
        "Generado por ssepot. La versión de datos y la huella que siguen identifican los datos de los que sale este documento: la huella es un resumen SHA-256 de todo lo que el documento muestra, de modo que los mismos datos producen el mismo documento y la misma huella.".to_string(),
    ]);
    sec
}
