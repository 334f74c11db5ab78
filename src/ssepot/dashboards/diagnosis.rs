//! The diagnosis dashboard: findings, concertation phases and the DIES-058 change log.

use super::filter::{control, keeps, resolve, Control, FilterError, Filters};
use super::{count, table, Chart, Dashboard, Series};
use crate::config::TechnicalSheet;
use crate::features::download::{Kind, Value as Cell};
use crate::model::{Indicator, Snapshot};
use crate::ssepot::diagnosis::{ChangeRecord, Diagnosis, FINDINGS};
use crate::ssepot::progress::PREFIX;
use crate::ssepot::Ssepot;
use serde_json::json;

/// The filters this dashboard takes: the system, subsystem and office of the indicator's sheet, a finding of
/// its diagnosis and its concertation phase.
pub const FILTERS: &[&str] = &["sistema", "subsistema", "dependencia", "hallazgo", "fase"];

/// A diagnosed indicator with its loaded collection (its sheet), if one has its code.
struct Row<'a> {
    diagnosis: &'a Diagnosis,
    indicator: Option<&'a Indicator>,
}

impl Row<'_> {
    fn sheet_field(&self, of: fn(&TechnicalSheet) -> &Option<String>) -> &str {
        self.indicator
            .and_then(|i| of(&i.sheet).as_deref())
            .unwrap_or_default()
    }
    fn system(&self) -> &str {
        self.sheet_field(|s| &s.system)
    }
    fn subsystem(&self) -> &str {
        self.sheet_field(|s| &s.subsystem)
    }
    fn office(&self) -> &str {
        self.sheet_field(|s| &s.office)
    }
}

fn rows<'a>(s: &'a Ssepot, snapshot: &'a Snapshot) -> Vec<Row<'a>> {
    s.diagnosis
        .iter()
        .map(|d| Row {
            diagnosis: d,
            indicator: snapshot
                .indicators
                .iter()
                .filter(|i| !i.id.starts_with(PREFIX))
                .find(|i| {
                    i.code
                        .as_deref()
                        .unwrap_or(&i.id)
                        .eq_ignore_ascii_case(&d.code)
                })
                .map(|i| &**i),
        })
        .collect()
}

/// The rows the filters keep, the filters as the rows write them, and the controls of the page.
fn filtered<'a>(
    all: Vec<Row<'a>>,
    f: &Filters,
) -> Result<(Vec<Row<'a>>, Filters, Vec<Control>), FilterError> {
    f.only("diagnostico", FILTERS)?;
    let it = || all.iter();
    let findings = || FINDINGS.iter().map(|(_, label)| *label);
    let resolved = Filters {
        sistema: resolve("sistema", &f.sistema, it().map(Row::system))?,
        subsistema: resolve("subsistema", &f.subsistema, it().map(Row::subsystem))?,
        dependencia: resolve("dependencia", &f.dependencia, it().map(Row::office))?,
        hallazgo: resolve("hallazgo", &f.hallazgo, findings())?,
        fase: resolve("fase", &f.fase, it().map(|r| r.diagnosis.phase.as_str()))?,
        ..Default::default()
    };
    let controls = vec![
        control(
            "sistema",
            "Sistema",
            it().map(Row::system),
            resolved.sistema.clone(),
        ),
        control(
            "subsistema",
            "Subsistema",
            it().map(Row::subsystem),
            resolved.subsistema.clone(),
        ),
        control(
            "dependencia",
            "Dependencia",
            it().map(Row::office),
            resolved.dependencia.clone(),
        ),
        control(
            "hallazgo",
            "Hallazgo",
            findings(),
            resolved.hallazgo.clone(),
        ),
        control(
            "fase",
            "Fase de concertación",
            it().map(|r| r.diagnosis.phase.as_str()),
            resolved.fase.clone(),
        ),
    ];
    let kept = all
        .into_iter()
        .filter(|r| {
            keeps(&resolved.sistema, r.system())
                && keeps(&resolved.subsistema, r.subsystem())
                && keeps(&resolved.dependencia, r.office())
                && keeps(&resolved.fase, &r.diagnosis.phase)
                && resolved
                    .hallazgo
                    .as_ref()
                    .is_none_or(|h| r.diagnosis.findings.contains(h))
        })
        .collect();
    Ok((kept, resolved, controls))
}

pub fn build(
    s: &Ssepot,
    snapshot: &Snapshot,
    filters: &Filters,
) -> Result<Option<Dashboard>, FilterError> {
    if s.diagnosis.is_empty() {
        return Ok(None);
    }
    let (kept, resolved, controls) = filtered(rows(s, snapshot), filters)?;
    // The change log of the indicators kept: every change when no filter is given (a change whose code is not
    // in the diagnosis table still counts then, as before).
    let changes: Vec<&ChangeRecord> = s
        .changes
        .iter()
        .filter(|c| {
            resolved.given().is_empty()
                || kept
                    .iter()
                    .any(|r| r.diagnosis.code.eq_ignore_ascii_case(&c.code))
        })
        .collect();
    let mut d = build_from(s, &kept, &changes);
    d.controls = controls;
    d.filters = resolved;
    d.rows.title = d.table_title("diagnóstico");
    Ok(Some(d))
}

fn build_from(s: &Ssepot, kept: &[Row], changes: &[&ChangeRecord]) -> Dashboard {
    let mut figures = vec![
        count(
            "indicadores_diagnosticados",
            "Indicadores diagnosticados",
            kept.len(),
        ),
        count(
            "cambios_dies058",
            "Cambios a fichas técnicas registrados (DIES-058)",
            changes.len(),
        ),
    ];
    let findings: Vec<(String, usize)> = FINDINGS
        .iter()
        .map(|(_, label)| {
            let n = kept
                .iter()
                .filter(|r| r.diagnosis.findings.iter().any(|f| f == label))
                .count();
            (label.to_string(), n)
        })
        .collect();
    for (i, (label, n)) in findings.iter().enumerate() {
        figures
            .push(count(&format!("hallazgo_{}", i + 1), label, *n).drilled(&[("hallazgo", label)]));
    }
    let phases = crate::ssepot::count_by(kept.iter().map(|r| r.diagnosis.phase.as_str()));
    let bar = |id: &str, drill: &'static str, title: &str, data: &[(String, usize)]| Chart {
        id: id.into(),
        title: title.into(),
        kind: "horizontal".into(),
        unit: "indicadores".into(),
        labels: data.iter().map(|(l, _)| l.clone()).collect(),
        series: vec![Series {
            name: "Indicadores".into(),
            values: data.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
        drill: Some(drill),
    };
    let charts = vec![
        bar(
            "hallazgos",
            "hallazgo",
            "Indicadores por hallazgo del diagnóstico",
            &findings,
        ),
        bar(
            "fases",
            "fase",
            "Indicadores por fase de concertación",
            &phases,
        ),
    ];
    let rows = kept
        .iter()
        .map(|r| {
            let d = r.diagnosis;
            let changes = s.changes.iter().filter(|c| c.code == d.code).count();
            vec![
                Cell::Text(d.code.clone()),
                Cell::Text(r.indicator.map(|i| i.name.clone()).unwrap_or_default()),
                Cell::Text(r.system().to_string()),
                Cell::Text(r.subsystem().to_string()),
                Cell::Text(r.office().to_string()),
                Cell::Text(d.findings.join("; ")),
                Cell::Text(d.phase.clone()),
                Cell::Text(d.notes.clone()),
                Cell::Int(changes as i64),
            ]
        })
        .collect();
    let changes_table = changes
        .iter()
        .map(|c| json!({"code": c.code, "form": c.form, "field": c.field, "before": c.before, "after": c.after, "date": c.date, "office": c.office, "item": c.item}))
        .collect::<Vec<_>>();
    Dashboard {
        id: "diagnostico",
        title: "Diagnóstico de indicadores".into(),
        intro: "El diagnóstico de cada indicador (datos de línea base y avance, meta, desagregación, información geográfica, formulación), la fase de concertación que lo definió y los cambios acordados a su ficha técnica en el formulario DIES-058.".into(),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts,
        summary: json!({
            "diagnosis": kept.iter().map(|r| r.diagnosis).collect::<Vec<_>>(),
            "changes": changes_table,
        }),
        rows: table(
            "diagnostico",
            String::new(),
            &[
                ("codigo", Kind::Text),
                ("indicador", Kind::Text),
                ("sistema", Kind::Text),
                ("subsistema", Kind::Text),
                ("dependencia", Kind::Text),
                ("hallazgos", Kind::Text),
                ("fase_concertacion", Kind::Text),
                ("diagnostico", Kind::Text),
                ("cambios_dies058", Kind::Int),
            ],
            rows,
        ),
        filters: Default::default(),
        controls: vec![],
    }
}
