//! Indicators computed from other indicators and geometry, as `[[computed]]` declares them.
//!
//! 1. the formula is parsed (already checked when the layer file was read);
//! 2. each variable is bound to a loaded indicator of the same unit set, or to the built-in `area_km2`;
//! 3. for every year all inputs have (within `years`; every year of `years` for a formula over `area_km2` alone), each territory's value is the formula over its inputs:
//!    `ND` or a missing row in any input gives `ND`;
//! 4. the city value follows the declared rule: `recompute` (the formula over the city's inputs, each the
//!    input's own city value or the sum of its territories), `sum` or `weighted_mean` of the territories.

use crate::config::computed::AREA_KM2;
use crate::config::formula::Expr;
use crate::config::{CityRule, ComputedConfig};
use crate::model::{Indicator, Observation, UnitRef, UnitSet};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Builds a computed indicator from the indicators loaded so far.
pub fn build(
    cfg: &ComputedConfig,
    file: &Path,
    indicators: &[Arc<Indicator>],
    unit_sets: &[Arc<UnitSet>],
) -> Result<Indicator, String> {
    let expr = cfg.check().map_err(|(f, m)| format!("field `{f}`: {m}"))?;
    let set = super::find_set(unit_sets, &cfg.unit_set, file)?;
    let mut inputs: BTreeMap<&str, Arc<Indicator>> = BTreeMap::new();
    for (var, id) in &cfg.variables {
        let ind = indicators.iter().find(|i| &i.id == id).ok_or_else(|| {
            format!("field `variables.{var}`: no indicator `{id}` is loaded (computed indicators may use table indicators and computed ones declared before them)")
        })?;
        if ind.unit_set.id != set.id {
            return Err(format!(
                "field `variables.{var}`: indicator `{id}` is on unit set `{}`, not `{}`",
                ind.unit_set.id, set.id
            ));
        }
        inputs.insert(var, ind.clone());
    }
    let years = years(cfg, &inputs);
    let mut observations = Vec::new();
    for &year in &years {
        let mut unit_values = Vec::with_capacity(set.units.len());
        for (i, unit) in set.units.iter().enumerate() {
            let at = UnitRef::Unit(i);
            let value = expr.eval(&|v| input(&inputs, v, at, year, unit.area_m2));
            unit_values.push(value);
            observations.push(Observation {
                unit: at,
                year,
                value,
                row: 0,
            });
        }
        if let Some(value) = city_value(cfg, &expr, &inputs, &set, year, &unit_values) {
            observations.push(Observation {
                unit: UnitRef::City,
                year,
                value,
                row: 0,
            });
        }
    }
    let mut sheet = cfg.sheet.clone();
    sheet.formula.get_or_insert_with(|| cfg.formula.clone());
    sheet
        .variables
        .get_or_insert_with(|| variables_text(cfg, &inputs));
    Ok(Indicator {
        id: cfg.id.clone(),
        code: None,
        name: cfg.name.clone(),
        unit: cfg.unit.clone(),
        description: cfg.description.clone(),
        attribution: cfg.attribution.clone(),
        sample: cfg.sample || inputs.values().any(|i| i.sample),
        sheet,
        style: cfg.style.clone(),
        layer_file: file.to_owned(),
        table: file.to_owned(),
        unit_set: set,
        observations,
        baselines: Vec::new(),
    })
}

/// Years within `years` that every input indicator has; every year of `years` when there is no input (a formula
/// over `area_km2` alone, which `ComputedConfig::check` only lets through with `years`).
fn years(cfg: &ComputedConfig, inputs: &BTreeMap<&str, Arc<Indicator>>) -> Vec<i32> {
    if inputs.is_empty() {
        return cfg
            .years
            .map(|[a, b]| (a..=b).collect())
            .unwrap_or_default();
    }
    let mut years: Option<Vec<i32>> = None;
    for ind in inputs.values() {
        let ys = ind.years();
        years = Some(match years {
            None => ys,
            Some(prev) => prev.into_iter().filter(|y| ys.contains(y)).collect(),
        });
    }
    let [first, last] = cfg.years.unwrap_or([i32::MIN, i32::MAX]);
    years
        .unwrap_or_default()
        .into_iter()
        .filter(|y| (first..=last).contains(y))
        .collect()
}

/// A variable's value for a territory (`area_m2` is that territory's).
fn input(
    inputs: &BTreeMap<&str, Arc<Indicator>>,
    var: &str,
    at: UnitRef,
    year: i32,
    area_m2: f64,
) -> Option<f64> {
    if var == AREA_KM2 && !inputs.contains_key(var) {
        return Some(area_m2 / 1e6);
    }
    inputs.get(var)?.value(at, year).flatten()
}

/// A variable's city value: the input's own city row, else the sum of its territories (`ND` if any is).
fn city_input(
    inputs: &BTreeMap<&str, Arc<Indicator>>,
    set: &UnitSet,
    var: &str,
    year: i32,
) -> Option<f64> {
    if var == AREA_KM2 && !inputs.contains_key(var) {
        return Some(set.city.area_m2 / 1e6);
    }
    let ind = inputs.get(var)?;
    if let Some(v) = ind.value(UnitRef::City, year) {
        return v;
    }
    (0..set.units.len())
        .map(|i| ind.value(UnitRef::Unit(i), year).flatten())
        .sum()
}

/// The city value by the declared rule; `None` when the rule is `none`.
fn city_value(
    cfg: &ComputedConfig,
    expr: &Expr,
    inputs: &BTreeMap<&str, Arc<Indicator>>,
    set: &UnitSet,
    year: i32,
    unit_values: &[Option<f64>],
) -> Option<Option<f64>> {
    Some(match cfg.city {
        CityRule::None => return None,
        CityRule::Recompute => expr.eval(&|v| city_input(inputs, set, v, year)),
        CityRule::Sum => unit_values.iter().copied().sum(),
        CityRule::WeightedMean => {
            let w = cfg.weight.as_deref().unwrap_or_default();
            let mut num = 0.0;
            let mut den = 0.0;
            for (i, v) in unit_values.iter().enumerate() {
                let unit = &set.units[i];
                let wi = input(inputs, w, UnitRef::Unit(i), year, unit.area_m2);
                let (Some(v), Some(wi)) = (v, wi) else {
                    return Some(None);
                };
                num += v * wi;
                den += wi;
            }
            (den != 0.0).then(|| num / den)
        }
    })
}

fn variables_text(cfg: &ComputedConfig, inputs: &BTreeMap<&str, Arc<Indicator>>) -> String {
    let mut parts: Vec<String> = inputs
        .iter()
        .map(|(var, ind)| format!("{var}: {} ({}), indicador `{}`", ind.name, ind.unit, ind.id))
        .collect();
    if cfg.formula.contains(AREA_KM2) && !inputs.contains_key(AREA_KM2) {
        parts.push(format!("{AREA_KM2}: área geodésica del territorio (km²)"));
    }
    parts.join("; ")
}
