//! Progress against targets of the loaded indicators, by territory and year, and the roll-ups per
//! subsystem and system, by the rules of `[ssepot.progress]`.

use super::{progress, rollup, Progress, PREFIX};
use crate::config::{Direction, TechnicalSheet};
use crate::model::{Indicator, Snapshot, UnitRef};
use crate::ssepot::config::{Against, ProgressConfig};
use crate::ssepot::subsystems::Subsystem;
use serde::Serialize;

/// The target progress is measured against: the sheet's `target`, else its last dated target.
pub fn final_target(sheet: &TechnicalSheet) -> Option<(Option<i32>, f64)> {
    match (sheet.target, sheet.targets.last()) {
        (Some(t), _) => Some((sheet.target_year, t)),
        (None, Some(t)) => Some((Some(t.year), t.value)),
        _ => None,
    }
}

/// The target progress is measured against, by the declared rule ([`Against`]): (year, value).
pub fn target(sheet: &TechnicalSheet, cfg: &ProgressConfig) -> Option<(Option<i32>, f64)> {
    match cfg.against {
        Against::Final => final_target(sheet),
        Against::Period => sheet
            .targets
            .iter()
            .find(|t| t.year >= cfg.year)
            .map(|t| (Some(t.year), t.value))
            .or_else(|| final_target(sheet)),
    }
}

/// The rule of [`target`] in words, shown beside every progress figure.
pub fn target_words(cfg: &ProgressConfig) -> String {
    match cfg.against {
        Against::Final => "contra la meta final del plan (informe final)".into(),
        Against::Period => format!(
            "contra la meta del periodo: la meta fechada de {} o la siguiente (informe de mitad de periodo)",
            cfg.year
        ),
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
    Some(of_value_by(
        snapshot.ssepot.progress.as_ref()?,
        ind,
        unit,
        value,
    ))
}

/// [`of_value`] by the rules `cfg` (the declared ones, or those of another report year).
fn of_value_by(
    cfg: &ProgressConfig,
    ind: &Indicator,
    unit: UnitRef,
    value: Option<f64>,
) -> Progress {
    let sheet = &ind.sheet;
    progress(
        ind.baseline(unit),
        target(sheet, cfg).map(|(_, t)| t),
        direction(sheet),
        value,
        &cfg.bands,
        cfg.cap,
    )
}

/// Progress of an indicator at city level in a year: its city value's, or the roll-up of its territories'.
pub fn city_level(snapshot: &Snapshot, ind: &Indicator, year: i32) -> Option<f64> {
    city_level_by(snapshot.ssepot.progress.as_ref()?, ind, year)
}

/// [`city_level`] by the rules `cfg`.
fn city_level_by(cfg: &ProgressConfig, ind: &Indicator, year: i32) -> Option<f64> {
    if let Some(v) = ind.value(UnitRef::City, year) {
        return of_value_by(cfg, ind, UnitRef::City, v).percent;
    }
    let members: Vec<Option<f64>> = (0..ind.unit_set.units.len())
        .filter_map(|i| Some((UnitRef::Unit(i), ind.value(UnitRef::Unit(i), year)?)))
        .map(|(u, v)| of_value_by(cfg, ind, u, v).percent)
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

/// Which indicators a roll-up counts, and in which year: by default every one, in the declared report year.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// The report year: the year measured and, for a period target, the period. The declared `year` when
    /// `None`.
    pub year: Option<i32>,
    /// Only the indicators of this responsible office (their sheet's `office`).
    pub office: Option<&'a str>,
}

/// The indicators of a subsystem that count in its progress: those with its name on their sheet (not their
/// progress collections), of the scope's office.
pub fn subsystem_indicators<'a>(
    snapshot: &'a Snapshot,
    subsystem: &'a str,
    office: Option<&'a str>,
) -> impl Iterator<Item = &'a std::sync::Arc<Indicator>> + 'a {
    snapshot
        .indicators
        .iter()
        .filter(move |i| i.sheet.subsystem.as_deref() == Some(subsystem))
        .filter(|i| !i.id.starts_with(PREFIX))
        .filter(move |i| office.is_none_or(|o| i.sheet.office.as_deref() == Some(o)))
}

/// Progress of every subsystem and system in the declared report year.
pub fn subsystem_progress(snapshot: &Snapshot) -> Rollups {
    let all: Vec<&Subsystem> = snapshot.ssepot.subsystems.iter().collect();
    rollups(snapshot, &all, Scope::default())
}

/// Progress of these subsystems, and of their systems (from these subsystems only), in the scope's year,
/// counting the scope's indicators.
pub fn rollups(snapshot: &Snapshot, subsystems: &[&Subsystem], scope: Scope) -> Rollups {
    let s = &snapshot.ssepot;
    let Some(declared) = s.progress.as_ref() else {
        return Rollups {
            year: 0,
            rule: "sin reglas de avance declaradas".into(),
            subsystems: vec![],
            systems: vec![],
        };
    };
    let mut cfg = declared.clone();
    cfg.year = scope.year.unwrap_or(declared.year);
    let cfg = &cfg;
    let measured: Vec<SubsystemProgress> = subsystems
        .iter()
        .map(|sub| {
            let inds: Vec<&std::sync::Arc<Indicator>> =
                subsystem_indicators(snapshot, &sub.name, scope.office).collect();
            let members: Vec<Option<f64>> = inds
                .iter()
                .map(|i| city_level_by(cfg, i, cfg.year))
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
    let systems = crate::ssepot::count_by(subsystems.iter().map(|x| x.system.as_str()))
        .into_iter()
        .map(|(sys, _)| {
            let members: Vec<Option<f64>> = measured
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
        rule: format!("{rule}; avance {}", target_words(cfg)),
        subsystems: measured,
        systems,
    }
}
