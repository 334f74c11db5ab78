//! Progress against targets of the loaded indicators, by territory and year, and the roll-ups per
//! subsystem and system, by the rules of `[ssepot.progress]`.

use super::{progress, rollup, Progress, PREFIX};
use crate::config::{Direction, TechnicalSheet};
use crate::model::{Indicator, Snapshot, UnitRef};
use serde::Serialize;

/// The target progress is measured against: the sheet's `target`, else its last dated target.
pub fn final_target(sheet: &TechnicalSheet) -> Option<(Option<i32>, f64)> {
    match (sheet.target, sheet.targets.last()) {
        (Some(t), _) => Some((sheet.target_year, t)),
        (None, Some(t)) => Some((Some(t.year), t.value)),
        _ => None,
    }
}

/// The indicator's direction: the sheet's, else the way the target lies from the baseline.
pub fn direction(sheet: &TechnicalSheet) -> Direction {
    sheet
        .direction
        .unwrap_or(match (sheet.baseline_value, final_target(sheet)) {
            (Some(b), Some((_, t))) if t < b => Direction::Lower,
            _ => Direction::Higher,
        })
}

/// Progress of an indicator's value for a territory (measured from that territory's baseline) and year
/// (`None` if there is no row).
pub fn of_value(
    snapshot: &Snapshot,
    ind: &Indicator,
    unit: UnitRef,
    value: Option<f64>,
) -> Option<Progress> {
    let cfg = snapshot.ssepot.progress.as_ref()?;
    let sheet = &ind.sheet;
    Some(progress(
        ind.baseline(unit),
        final_target(sheet).map(|(_, t)| t),
        direction(sheet),
        value,
        &cfg.bands,
        cfg.cap,
    ))
}

/// Progress of an indicator at city level in a year: its city value's, or the roll-up of its territories'.
pub fn city_level(snapshot: &Snapshot, ind: &Indicator, year: i32) -> Option<f64> {
    let cfg = snapshot.ssepot.progress.as_ref()?;
    if let Some(v) = ind.value(UnitRef::City, year) {
        return of_value(snapshot, ind, UnitRef::City, v)?.percent;
    }
    let members: Vec<Option<f64>> = (0..ind.unit_set.units.len())
        .filter_map(|i| Some((UnitRef::Unit(i), ind.value(UnitRef::Unit(i), year)?)))
        .map(|(u, v)| of_value(snapshot, ind, u, v).and_then(|p| p.percent))
        .collect();
    if members.is_empty() {
        return None;
    }
    rollup(cfg.rollup, &members)
}

/// A subsystem's progress.
#[derive(Debug, Clone, Serialize)]
pub struct SubsystemProgress {
    pub system: String,
    pub name: String,
    /// Indicator codes of the subsystem (those with a baseline and a target count in the roll-up).
    pub indicators: Vec<String>,
    pub percent: Option<f64>,
}

/// Progress of every subsystem and system in the report year.
#[derive(Debug, Clone, Serialize)]
pub struct Rollups {
    pub year: i32,
    /// The rule, in words.
    pub rule: String,
    pub subsystems: Vec<SubsystemProgress>,
    pub systems: Vec<(String, Option<f64>)>,
}

pub fn subsystem_progress(snapshot: &Snapshot) -> Rollups {
    let s = &snapshot.ssepot;
    let Some(cfg) = s.progress.as_ref() else {
        return Rollups {
            year: 0,
            rule: "sin reglas de avance declaradas".into(),
            subsystems: vec![],
            systems: vec![],
        };
    };
    let subsystems: Vec<SubsystemProgress> = s
        .subsystems
        .iter()
        .map(|sub| {
            let inds: Vec<&std::sync::Arc<Indicator>> = snapshot
                .indicators
                .iter()
                .filter(|i| i.sheet.subsystem.as_deref() == Some(sub.name.as_str()))
                .filter(|i| !i.id.starts_with(PREFIX))
                .collect();
            let members: Vec<Option<f64>> = inds
                .iter()
                .map(|i| city_level(snapshot, i, cfg.year))
                .collect();
            SubsystemProgress {
                system: sub.system.clone(),
                name: sub.name.clone(),
                indicators: inds
                    .iter()
                    .map(|i| i.code.clone().unwrap_or_else(|| i.id.clone()))
                    .collect(),
                percent: rollup(cfg.rollup, &members),
            }
        })
        .collect();
    let systems = crate::ssepot::count_by(s.subsystems.iter().map(|x| x.system.as_str()))
        .into_iter()
        .map(|(sys, _)| {
            let members: Vec<Option<f64>> = subsystems
                .iter()
                .filter(|p| p.system == sys)
                .map(|p| p.percent)
                .collect();
            (sys, rollup(cfg.rollup, &members))
        })
        .collect();
    let rule = match cfg.rollup {
        crate::ssepot::config::Rollup::MeanReported => format!(
            "promedio del avance de ciudad de sus indicadores a {} que lo reportan; los ND no cuentan",
            cfg.year
        ),
        crate::ssepot::config::Rollup::MeanAll => format!(
            "promedio del avance de ciudad de sus indicadores a {}, ND cuenta como 0",
            cfg.year
        ),
    };
    Rollups {
        year: cfg.year,
        rule,
        subsystems,
        systems,
    }
}
