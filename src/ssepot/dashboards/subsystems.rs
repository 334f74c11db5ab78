//! The subsystems dashboard: the subsystems in their systems, with texts and rolled-up progress.

use super::filter::{
    control, keeps, resolve, year_control, year_within, Control, FilterError, Filters,
};
use super::{count, figure, slug, table, Chart, Dashboard, FigureKind, Series};
use crate::features::download::{Kind, Value as Cell};
use crate::model::Snapshot;
use crate::ssepot::progress::measure::{rollups, subsystem_indicators, Scope};
use crate::ssepot::subsystems::Subsystem;
use crate::ssepot::Ssepot;

/// The filters this dashboard takes: the report year progress is measured in, the system, the subsystem and
/// the office whose indicators count (the per-office view).
pub const FILTERS: &[&str] = &["anio", "sistema", "subsistema", "dependencia"];

/// The indicators of the subsystems: their sheets' offices and the first and last year of their values.
fn offices_and_years(s: &Ssepot, snapshot: &Snapshot) -> (Vec<String>, Option<[i32; 2]>) {
    let inds = || {
        s.subsystems
            .iter()
            .flat_map(|sub| subsystem_indicators(snapshot, &sub.name, None))
    };
    let offices = inds().filter_map(|i| i.sheet.office.clone()).collect();
    let years: Vec<i32> = inds().flat_map(|i| i.years()).collect();
    let span = years.iter().min().zip(years.iter().max());
    (offices, span.map(|(a, b)| [*a, *b]))
}

/// The subsystems the filters keep, the filters as the rows write them, and the controls of the page.
fn filtered<'a>(
    s: &'a Ssepot,
    snapshot: &Snapshot,
    f: &Filters,
) -> Result<(Vec<&'a Subsystem>, Filters, Vec<Control>), FilterError> {
    f.only("subsistemas", FILTERS)?;
    let (offices, years) = offices_and_years(s, snapshot);
    let subs = || s.subsystems.iter();
    let anio = match (f.anio, years) {
        (Some(_), None) => Err(FilterError {
            parameter: "anio",
            message: "the subsystems' indicators have no values".into(),
        }),
        (y, Some(span)) => year_within(y, span),
        (None, None) => Ok(None),
    }?;
    let resolved = Filters {
        anio,
        sistema: resolve("sistema", &f.sistema, subs().map(|x| x.system.as_str()))?,
        subsistema: resolve("subsistema", &f.subsistema, subs().map(|x| x.name.as_str()))?,
        dependencia: resolve(
            "dependencia",
            &f.dependencia,
            offices.iter().map(String::as_str),
        )?,
        ..Default::default()
    };
    let office = resolved.dependencia.as_deref();
    let kept = subs()
        .filter(|x| keeps(&resolved.sistema, &x.system) && keeps(&resolved.subsistema, &x.name))
        .filter(|x| {
            office.is_none()
                || subsystem_indicators(snapshot, &x.name, office)
                    .next()
                    .is_some()
        })
        .collect();
    let mut controls = vec![];
    if let Some(span) = years {
        controls.push(year_control(span, resolved.anio));
    }
    controls.extend([
        control(
            "sistema",
            "Sistema",
            subs().map(|x| x.system.as_str()),
            resolved.sistema.clone(),
        ),
        control(
            "subsistema",
            "Subsistema",
            subs().map(|x| x.name.as_str()),
            resolved.subsistema.clone(),
        ),
        control(
            "dependencia",
            "Dependencia de los indicadores",
            offices.iter().map(String::as_str),
            resolved.dependencia.clone(),
        ),
    ]);
    Ok((kept, resolved, controls))
}

pub fn build(
    s: &Ssepot,
    snapshot: &Snapshot,
    filters: &Filters,
) -> Result<Option<Dashboard>, FilterError> {
    if s.subsystems.is_empty() {
        return Ok(None);
    }
    let (kept, resolved, controls) = filtered(s, snapshot, filters)?;
    let scope = Scope {
        year: resolved.anio,
        office: resolved.dependencia.as_deref(),
    };
    let mut d = build_from(s, snapshot, &kept, scope);
    d.controls = controls;
    d.filters = resolved;
    d.rows.title = d.table_title("subsistemas");
    Ok(Some(d))
}

fn build_from(s: &Ssepot, snapshot: &Snapshot, kept: &[&Subsystem], scope: Scope) -> Dashboard {
    let progress = rollups(snapshot, kept, scope);
    let systems = crate::ssepot::count_by(kept.iter().map(|x| x.system.as_str()));
    let mut figures = vec![
        count("subsistemas", "Subsistemas", kept.len()),
        count("sistemas", "Sistemas", systems.len()),
    ];
    for (sys, _) in &systems {
        let v = progress
            .systems
            .iter()
            .find(|(n, _)| n == sys)
            .and_then(|(_, v)| *v);
        figures.push(
            figure(
                &format!("avance_{}", slug(sys)),
                &format!("Avance del sistema {sys} ({})", progress.year),
                v.map(|v| crate::ssepot::round(v, 1)),
                FigureKind::Percent,
                1,
            )
            .drilled(&[("sistema", sys)]),
        );
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
        labels: kept.iter().map(|x| x.name.clone()).collect(),
        series: vec![Series {
            name: "Avance".into(),
            values: kept.iter().map(|x| value_of(&x.name)).collect(),
        }],
        drill: Some("subsistema"),
    };
    let rows = kept
        .iter()
        .map(|x| {
            let p = progress.subsystems.iter().find(|p| p.name == x.name);
            let mut offices: Vec<String> = subsystem_indicators(snapshot, &x.name, scope.office)
                .filter_map(|i| i.sheet.office.clone())
                .collect();
            offices.sort_unstable();
            offices.dedup();
            vec![
                Cell::Text(x.system.clone()),
                Cell::Text(x.name.clone()),
                Cell::Int(p.map_or(0, |p| p.indicators.len() as i64)),
                Cell::Text(p.map(|p| p.indicators.join(", ")).unwrap_or_default()),
                Cell::Text(offices.join("; ")),
                Cell::Num(value_of(&x.name)),
                Cell::Text(x.situation.clone()),
                Cell::Text(x.achievements.clone()),
                Cell::Text(x.challenges.clone()),
            ]
        })
        .collect();
    Dashboard {
        id: "subsistemas",
        title: "Avance de los subsistemas".into(),
        intro: format!(
            "Los {} subsistemas del POT en sus {} sistemas, con su situación, logros y retos, y el avance de sus indicadores frente a la meta ({}).",
            kept.len(),
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
                ("dependencias", Kind::Text),
                ("avance_pct", Kind::Num),
                ("situacion", Kind::Text),
                ("logros", Kind::Text),
                ("retos", Kind::Text),
            ],
            rows,
        ),
        filters: Default::default(),
        controls: vec![],
    }
}
