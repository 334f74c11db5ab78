//! The subsystems dashboard: the subsystems in their systems, with texts and rolled-up progress.

use super::{count, figure, slug, table, Chart, Dashboard, FigureKind, Series};
use crate::features::download::{Kind, Value as Cell};
use crate::model::Snapshot;
use crate::ssepot::progress::measure::subsystem_progress;
use crate::ssepot::Ssepot;

pub fn build(s: &Ssepot, snapshot: &Snapshot) -> Option<Dashboard> {
    if s.subsystems.is_empty() {
        return None;
    }
    let progress = subsystem_progress(snapshot);
    let systems = crate::ssepot::count_by(s.subsystems.iter().map(|x| x.system.as_str()));
    let mut figures = vec![
        count("subsistemas", "Subsistemas", s.subsystems.len()),
        count("sistemas", "Sistemas", systems.len()),
    ];
    for (sys, _) in &systems {
        let v = progress
            .systems
            .iter()
            .find(|(n, _)| n == sys)
            .and_then(|(_, v)| *v);
        figures.push(figure(
            &format!("avance_{}", slug(sys)),
            &format!("Avance del sistema {sys} ({})", progress.year),
            v.map(|v| crate::ssepot::round(v, 1)),
            FigureKind::Percent,
            1,
        ));
    }
    let value_of = |name: &str| {
        progress
            .subsystems
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.percent)
            .map(|v| crate::ssepot::round(v, 1))
    };
    let chart = Chart {
        id: "avance_subsistemas".into(),
        title: format!(
            "Avance de los subsistemas frente a sus metas, {} (%)",
            progress.year
        ),
        kind: "horizontal".into(),
        unit: "%".into(),
        labels: s.subsystems.iter().map(|x| x.name.clone()).collect(),
        series: vec![Series {
            name: "Avance".into(),
            values: s.subsystems.iter().map(|x| value_of(&x.name)).collect(),
        }],
    };
    let rows = s
        .subsystems
        .iter()
        .map(|x| {
            let p = progress.subsystems.iter().find(|p| p.name == x.name);
            vec![
                Cell::Text(x.system.clone()),
                Cell::Text(x.name.clone()),
                Cell::Int(p.map_or(0, |p| p.indicators.len() as i64)),
                Cell::Text(p.map(|p| p.indicators.join(", ")).unwrap_or_default()),
                Cell::Num(value_of(&x.name)),
                Cell::Text(x.situation.clone()),
                Cell::Text(x.achievements.clone()),
                Cell::Text(x.challenges.clone()),
            ]
        })
        .collect();
    let mut d = Dashboard {
        id: "subsistemas",
        title: "Avance de los subsistemas".into(),
        intro: format!(
            "Los {} subsistemas del POT en sus {} sistemas, con su situación, logros y retos, y el avance de sus indicadores frente a la meta ({}).",
            s.subsystems.len(),
            systems.len(),
            progress.rule
        ),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts: vec![chart],
        summary: serde_json::to_value(&progress).unwrap_or_default(),
        rows: table(
            "subsistemas",
            String::new(),
            &[
                ("sistema", Kind::Text),
                ("subsistema", Kind::Text),
                ("indicadores", Kind::Int),
                ("codigos", Kind::Text),
                ("avance_pct", Kind::Num),
                ("situacion", Kind::Text),
                ("logros", Kind::Text),
                ("retos", Kind::Text),
            ],
            rows,
        ),
    };
    d.rows.title = d.table_title("subsistemas");
    Some(d)
}
