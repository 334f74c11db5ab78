//! Roll-ups: an indicator's values at the parent level, as its `rollup` declares, a collection of its own.
//!
//! - `sum` (counts): each parent gets the sum of its children. A child split over several parents takes the
//!   split from the table's rows when the table has a `parent_column` (the DAP's `SN01` under three comunas),
//!   and otherwise by area share, counted as an estimate. Any `ND` child makes the parent `ND`.
//! - `weighted_mean`: Σ value × weight / Σ weight over the children, `weight` an indicator of the same set or
//!   `area_km2`.
//! - `recompute` (rates, densities; computed indicators): the formula over the roll-ups of its variables.
//! - `none`: nothing.
//!
//! Where an official indicator exists at the parent level (`official`), the report lists the difference per
//! unit and year.

use super::computed;
use crate::config::computed::AREA_KM2;
use crate::config::{ComputedConfig, RollupConfig, RollupRule};
use crate::model::report_territory::{Difference, RollupReport};
use crate::model::{normalize_key, Indicator, Observation, UnitRef, UnitSet};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Rows of a table with a `parent_column`: per parent code, the observations of the rows under it.
pub type ParentRows = Vec<(String, Vec<Observation>)>;

/// What a roll-up is built from.
pub struct Source<'a> {
    pub indicator: &'a Arc<Indicator>,
    /// The table's rows by parent, when it declares a `parent_column`.
    pub parent_rows: Option<&'a ParentRows>,
    /// The computed declaration, for `recompute`.
    pub computed: Option<&'a ComputedConfig>,
}

/// Builds the roll-up of `src` declared by `cfg` (in `file`).
pub fn build(
    cfg: &RollupConfig,
    src: &Source,
    file: &Path,
    indicators: &[Arc<Indicator>],
    unit_sets: &[Arc<UnitSet>],
    rollups: &[(String, String)],
) -> Result<(Indicator, RollupReport), String> {
    let ind = src.indicator;
    let set = &ind.unit_set;
    let placement = set.parent.as_ref().ok_or_else(|| {
        format!(
            "field `rollup`: unit set `{}` declares no `[unit_set.parent]` to roll up to",
            set.id
        )
    })?;
    let parent = super::find_set(unit_sets, &placement.parent_set, file)?;
    let mut report = RollupReport {
        id: cfg.id.clone(),
        from: ind.id.clone(),
        to_set: parent.id.clone(),
        rule: format!("{:?}", cfg.rule).to_lowercase(),
        official: cfg.official.clone(),
        ..Default::default()
    };
    let observations = match cfg.rule {
        RollupRule::None => {
            return Err("field `rollup.rule`: `none` declares that it does not roll up".into())
        }
        RollupRule::Sum => sum(src, &parent, &mut report)?,
        RollupRule::WeightedMean => weighted_mean(cfg, ind, &parent, indicators)?,
        RollupRule::Recompute => {
            return recompute(cfg, src, file, &parent, indicators, unit_sets, rollups)
                .map(|i| (i, report))
        }
    };
    let rolled = indicator(cfg, ind, &parent, observations);
    Ok((rolled, report))
}

/// The roll-up as an indicator of the parent set, with its provenance in its description.
fn indicator(
    cfg: &RollupConfig,
    ind: &Indicator,
    parent: &Arc<UnitSet>,
    observations: Vec<Observation>,
) -> Indicator {
    let mut sheet = ind.sheet.clone();
    sheet.territorial_level = parent.level.clone().or(sheet.territorial_level);
    let rule = match cfg.rule {
        RollupRule::Sum => "suma",
        RollupRule::WeightedMean => "promedio ponderado",
        RollupRule::Recompute => "recálculo de la fórmula",
        RollupRule::None => "ninguna",
    };
    Indicator {
        id: cfg.id.clone(),
        code: None,
        name: cfg
            .name
            .clone()
            .unwrap_or_else(|| format!("{} — agregado a {}", ind.name, parent.title)),
        unit: ind.unit.clone(),
        description: format!(
            "Agregación ({rule}) de `{}` ({}) a `{}` según la jerarquía declarada; no es una cifra oficial de \
             este nivel. {}",
            ind.id, ind.unit_set.title, parent.id, ind.description
        )
        .trim_end()
        .to_string(),
        attribution: format!("{} (agregación de ssepot)", ind.attribution),
        sample: ind.sample,
        sheet,
        style: ind.style.clone(),
        layer_file: ind.layer_file.clone(),
        table: ind.table.clone(),
        unit_set: parent.clone(),
        observations,
        baselines: Vec::new(),
    }
}

type Acc = BTreeMap<(i32, UnitRef), Option<f64>>;

fn add(acc: &mut Acc, year: i32, unit: UnitRef, value: Option<f64>) {
    let e = acc.entry((year, unit)).or_insert(Some(0.0));
    *e = e.zip(value).map(|(a, b)| a + b);
}

fn into_observations(acc: Acc) -> Vec<Observation> {
    acc.into_iter()
        .map(|((year, unit), value)| Observation {
            unit,
            year,
            value: value.map(|v| (v * 1e9).round() / 1e9),
            row: 0,
        })
        .collect()
}

fn sum(
    src: &Source,
    parent: &UnitSet,
    report: &mut RollupReport,
) -> Result<Vec<Observation>, String> {
    let ind = src.indicator;
    let placement = ind.unit_set.parent.as_ref().expect("checked by build");
    let mut acc = Acc::new();
    let mut estimated = std::collections::BTreeSet::new();
    if let Some(rows) = src.parent_rows {
        for (code, obs) in rows {
            let p = parent.find(&normalize_key(code)).ok_or_else(|| {
                format!(
                    "{}: parent code `{code}` of the table is not a unit of `{}`",
                    ind.table.display(),
                    parent.id
                )
            })?;
            for o in obs {
                match o.unit {
                    UnitRef::Unit(_) => add(&mut acc, o.year, UnitRef::Unit(p), o.value),
                    UnitRef::City => add(&mut acc, o.year, UnitRef::City, o.value),
                }
            }
        }
    } else {
        for o in &ind.observations {
            let UnitRef::Unit(child) = o.unit else {
                add(&mut acc, o.year, UnitRef::City, o.value);
                continue;
            };
            let links = &placement.links[child];
            let total: f64 = links.iter().map(|l| l.area_share).sum();
            for l in links {
                let share = if links.len() == 1 {
                    1.0
                } else {
                    estimated.insert((o.year, l.parent));
                    if total > 0.0 {
                        l.area_share / total
                    } else {
                        1.0 / links.len() as f64
                    }
                };
                add(
                    &mut acc,
                    o.year,
                    UnitRef::Unit(l.parent),
                    o.value.map(|v| v * share),
                );
            }
        }
    }
    report.estimated = estimated.len();
    Ok(into_observations(acc))
}

fn weighted_mean(
    cfg: &RollupConfig,
    ind: &Indicator,
    parent: &UnitSet,
    indicators: &[Arc<Indicator>],
) -> Result<Vec<Observation>, String> {
    let placement = ind.unit_set.parent.as_ref().expect("checked by build");
    let weight_id = cfg.weight.as_deref().unwrap_or(AREA_KM2);
    let weights = if weight_id == AREA_KM2 {
        None
    } else {
        let w = indicators
            .iter()
            .find(|i| i.id == weight_id)
            .ok_or_else(|| {
                format!("field `rollup.weight`: no indicator `{weight_id}` is loaded")
            })?;
        if w.unit_set.id != ind.unit_set.id {
            return Err(format!(
                "field `rollup.weight`: `{weight_id}` is on unit set `{}`, not `{}`",
                w.unit_set.id, ind.unit_set.id
            ));
        }
        Some(w.clone())
    };
    let mut num = Acc::new();
    let mut den = Acc::new();
    for o in &ind.observations {
        let UnitRef::Unit(child) = o.unit else {
            continue;
        };
        let w = match &weights {
            None => Some(ind.unit_set.units[child].area_m2 / 1e6),
            Some(w) => w.value(o.unit, o.year).flatten(),
        };
        for l in &placement.links[child] {
            let share = if placement.links[child].len() == 1 {
                1.0
            } else {
                l.area_share
            };
            let wl = w.map(|w| w * share);
            add(
                &mut num,
                o.year,
                UnitRef::Unit(l.parent),
                o.value.zip(wl).map(|(v, w)| v * w),
            );
            add(&mut den, o.year, UnitRef::Unit(l.parent), wl);
        }
    }
    let _ = parent;
    let acc = num
        .into_iter()
        .map(|(k, n)| {
            let d = den.get(&k).copied().flatten();
            (k, n.zip(d).filter(|(_, d)| *d > 0.0).map(|(n, d)| n / d))
        })
        .collect();
    Ok(into_observations(acc))
}

/// `recompute`: the computed indicator's formula on the parent set, over its variables' roll-ups.
fn recompute(
    cfg: &RollupConfig,
    src: &Source,
    file: &Path,
    parent: &Arc<UnitSet>,
    indicators: &[Arc<Indicator>],
    unit_sets: &[Arc<UnitSet>],
    rollups: &[(String, String)],
) -> Result<Indicator, String> {
    let c = src.computed.ok_or(
        "field `rollup.rule`: `recompute` is for computed indicators (a formula over variables)",
    )?;
    let mut variables = BTreeMap::new();
    for (var, id) in &c.variables {
        let rolled = rollups.iter().find(|(from, _)| from == id).ok_or_else(|| {
            format!(
                "field `rollup.rule`: `recompute` needs a roll-up of variable `{var}` (`{id}`): declare one"
            )
        })?;
        variables.insert(var.clone(), rolled.1.clone());
    }
    let mut parent_cfg = c.clone();
    parent_cfg.id = cfg.id.clone();
    parent_cfg.unit_set = parent.id.clone();
    parent_cfg.variables = variables;
    parent_cfg.rollup = None;
    let built = computed::build(&parent_cfg, file, indicators, unit_sets)?;
    let mut rolled = indicator(cfg, src.indicator, parent, built.observations);
    rolled.sheet = built.sheet;
    Ok(rolled)
}

/// Roll-up minus official value for every unit code and year both have.
pub fn differences(rolled: &Indicator, official: &Indicator) -> Vec<Difference> {
    let mut out = Vec::new();
    for o in &rolled.observations {
        let UnitRef::Unit(i) = o.unit else { continue };
        let unit = &rolled.unit_set.units[i];
        let Some(j) = official.unit_set.find(&unit.key) else {
            continue;
        };
        let (Some(r), Some(Some(v))) = (o.value, official.value(UnitRef::Unit(j), o.year)) else {
            continue;
        };
        let difference = ((r - v) * 1e9).round() / 1e9;
        out.push(Difference {
            code: unit.code.clone(),
            year: o.year,
            rollup: r,
            official: v,
            difference,
            difference_pct: (v != 0.0).then(|| ((10_000.0 * difference / v).round()) / 100.0),
        });
    }
    out.sort_by(|a, b| (a.code.as_str(), a.year).cmp(&(b.code.as_str(), b.year)));
    out
}
