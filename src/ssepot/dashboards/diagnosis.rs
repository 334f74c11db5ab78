//! The diagnosis dashboard: findings, concertation phases and the DIES-058 change log.

use super::{count, table, Chart, Dashboard, Series};
use crate::features::download::{Kind, Value as Cell};
use crate::model::Snapshot;
use crate::ssepot::Ssepot;
use serde_json::json;

pub fn build(s: &Ssepot, snapshot: &Snapshot) -> Option<Dashboard> {
    if s.diagnosis.is_empty() {
        return None;
    }
    let mut figures = vec![
        count(
            "indicadores_diagnosticados",
            "Indicadores diagnosticados",
            s.diagnosis.len(),
        ),
        count(
            "cambios_dies058",
            "Cambios a fichas técnicas registrados (DIES-058)",
            s.changes.len(),
        ),
    ];
    let findings: Vec<(String, usize)> = crate::ssepot::diagnosis::FINDINGS
        .iter()
        .map(|(_, label)| {
            let n = s
                .diagnosis
                .iter()
                .filter(|d| d.findings.iter().any(|f| f == label))
                .count();
            (label.to_string(), n)
        })
        .collect();
    for (i, (label, n)) in findings.iter().enumerate() {
        figures.push(count(&format!("hallazgo_{}", i + 1), label, *n));
    }
    let phases = crate::ssepot::count_by(s.diagnosis.iter().map(|d| d.phase.as_str()));
    let bar = |id: &str, title: &str, data: &[(String, usize)]| Chart {
        id: id.into(),
        title: title.into(),
        kind: "horizontal".into(),
        unit: "indicadores".into(),
        labels: data.iter().map(|(l, _)| l.clone()).collect(),
        series: vec![Series {
            name: "Indicadores".into(),
            values: data.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
    };
    let charts = vec![
        bar(
            "hallazgos",
            "Indicadores por hallazgo del diagnóstico",
            &findings,
        ),
        bar("fases", "Indicadores por fase de concertación", &phases),
    ];
    let rows = s
        .diagnosis
        .iter()
        .map(|d| {
            let ind = snapshot.indicators.iter().find(|i| {
                i.code
                    .as_deref()
                    .unwrap_or(&i.id)
                    .eq_ignore_ascii_case(&d.code)
            });
            let changes = s.changes.iter().filter(|c| c.code == d.code).count();
            vec![
                Cell::Text(d.code.clone()),
                Cell::Text(ind.map(|i| i.name.clone()).unwrap_or_default()),
                Cell::Text(d.findings.join("; ")),
                Cell::Text(d.phase.clone()),
                Cell::Text(d.notes.clone()),
                Cell::Int(changes as i64),
            ]
        })
        .collect();
    let changes_table = s
        .changes
        .iter()
        .map(|c| json!({"code": c.code, "form": c.form, "field": c.field, "before": c.before, "after": c.after, "date": c.date, "office": c.office}))
        .collect::<Vec<_>>();
    let mut d = Dashboard {
        id: "diagnostico",
        title: "Diagnóstico de indicadores".into(),
        intro: "El diagnóstico de cada indicador (datos de línea base y avance, meta, desagregación, información geográfica, formulación), la fase de concertación que lo definió y los cambios acordados a su ficha técnica en el formulario DIES-058.".into(),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts,
        summary: json!({"diagnosis": s.diagnosis, "changes": changes_table}),
        rows: table(
            "diagnostico",
            String::new(),
            &[
                ("codigo", Kind::Text),
                ("indicador", Kind::Text),
                ("hallazgos", Kind::Text),
                ("fase_concertacion", Kind::Text),
                ("diagnostico", Kind::Text),
                ("cambios_dies058", Kind::Int),
            ],
            rows,
        ),
    };
    d.rows.title = d.table_title("diagnóstico");
    Some(d)
}
