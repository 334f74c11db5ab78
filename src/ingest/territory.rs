//! The territorial steps of an import, in order: units placed in their parent sets (right after the unit sets
//! load, so indicators join the placed sets), the rows of tables keyed by (parent, code), roll-ups (after the
//! computed indicators), and crosswalks between editions.

use super::report::{IndicatorReport, Status};
use super::rollup::{self, ParentRows};
use super::table::{self, Table};
use super::{crosswalk, hierarchy};
use crate::config::{LayerFile, RollupConfig, RollupRule, TableSource};
use crate::model::crosswalk::Crosswalk;
use crate::model::report_territory::{HierarchyReport, RollupReport, TerritoryReport};
use crate::model::{Indicator, UnitSet};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Places every unit set that declares a parent, replacing it in `unit_sets` by the placed one.
pub fn place_all(
    parsed: &[(PathBuf, LayerFile)],
    unit_sets: &mut [Arc<UnitSet>],
    report: &mut TerritoryReport,
) {
    for (file, layer) in parsed {
        for cfg in &layer.unit_set {
            let Some(parent_cfg) = &cfg.parent else {
                continue;
            };
            let find = |id: &str| unit_sets.iter().position(|s| s.id == id);
            let (Some(i), Some(p)) = (find(&cfg.id), find(&parent_cfg.set)) else {
                report.hierarchies.push(HierarchyReport {
                    unit_set: cfg.id.clone(),
                    parent_set: parent_cfg.set.clone(),
                    error: Some(format!(
                        "{}: field `unit_set.parent.set`: unit set `{}` or `{}` is not loaded",
                        file.display(),
                        cfg.id,
                        parent_cfg.set
                    )),
                    ..Default::default()
                });
                continue;
            };
            let started = std::time::Instant::now();
            match hierarchy::place(&unit_sets[i], &unit_sets[p], cfg, parent_cfg, file) {
                Ok((placement, rep)) => {
                    let mut placed = (*unit_sets[i]).clone();
                    placed.parent = Some(Arc::new(placement));
                    unit_sets[i] = Arc::new(placed);
                    report.hierarchies.push(rep);
                }
                Err(e) => report.hierarchies.push(HierarchyReport {
                    unit_set: cfg.id.clone(),
                    parent_set: parent_cfg.set.clone(),
                    error: Some(format!("{}: field `unit_set.parent`: {e}", file.display())),
                    ..Default::default()
                }),
            }
            tracing::info!(
                "unit set `{}` placed in `{}` in {:.0?}",
                cfg.id,
                parent_cfg.set,
                started.elapsed()
            );
        }
    }
}

/// The observations of a table's rows grouped by their `parent_column`: the rows of one parent are read as a
/// table of their own, by the same rules (layout, values, key) as the indicator.
pub fn parent_rows(
    t: &Table,
    cfg: &TableSource,
    set: &UnitSet,
    column: &str,
) -> Result<ParentRows, String> {
    let col = t.column(column, "parent_column")?;
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for &row in &t.rows {
        let code = t.cell(row, col).text();
        if cfg.skip_keys.iter().any(|k| {
            let key = t
                .cell(row, t.column(&cfg.key_column, "key_column").unwrap_or(col))
                .text();
            k.eq_ignore_ascii_case(&key)
        }) {
            continue;
        }
        match groups.iter_mut().find(|(c, _)| *c == code) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((code, vec![row])),
        }
    }
    let mut scratch = IndicatorReport::default();
    groups
        .into_iter()
        .map(|(code, rows)| {
            if code.is_empty() {
                return Err(format!(
                    "field `parent_column`: {}, row {}: no parent code in `{column}`",
                    t.file.display(),
                    rows[0]
                ));
            }
            Ok((code, table::observations(t, &rows, cfg, set, &mut scratch)?))
        })
        .collect()
}

/// Where each roll-up's source comes from.
struct Declared<'a> {
    file: &'a PathBuf,
    source: &'a str,
    cfg: &'a RollupConfig,
    computed: Option<&'a crate::config::ComputedConfig>,
}

/// Builds the declared roll-ups: sums and weighted means first, then `recompute` (over the first ones).
pub fn rollups(
    parsed: &[(PathBuf, LayerFile)],
    parent_rows: &HashMap<String, ParentRows>,
    indicators: &mut Vec<Arc<Indicator>>,
    unit_sets: &[Arc<UnitSet>],
    report: &mut TerritoryReport,
    indicator_reports: &mut Vec<IndicatorReport>,
) {
    let mut declared: Vec<Declared> = Vec::new();
    for (file, layer) in parsed {
        for i in &layer.indicator {
            if let Some(cfg) = &i.rollup {
                declared.push(Declared {
                    file,
                    source: &i.id,
                    cfg,
                    computed: None,
                });
            }
        }
        for c in &layer.computed {
            if let Some(cfg) = &c.rollup {
                declared.push(Declared {
                    file,
                    source: &c.id,
                    cfg,
                    computed: Some(c),
                });
            }
        }
    }
    declared.sort_by_key(|d| d.cfg.rule == RollupRule::Recompute);
    let mut done: Vec<(String, String)> = Vec::new();
    for d in declared.iter().filter(|d| d.cfg.rule != RollupRule::None) {
        let mut rep = IndicatorReport {
            id: d.cfg.id.clone(),
            file: d.file.clone(),
            table: d.file.clone(),
            ..Default::default()
        };
        let result = indicators
            .iter()
            .find(|i| i.id == d.source)
            .cloned()
            .ok_or_else(|| format!("indicator `{}` is not loaded", d.source))
            .and_then(|ind| {
                let src = rollup::Source {
                    indicator: &ind,
                    parent_rows: parent_rows.get(d.source),
                    computed: d.computed,
                };
                rollup::build(d.cfg, &src, d.file, indicators, unit_sets, &done)
            });
        match result {
            Ok((mut rolled, mut r)) => {
                if let Some(official) = d.cfg.official.as_deref() {
                    match indicators.iter().find(|i| i.id == official) {
                        Some(o) => r.differences = rollup::differences(&rolled, o),
                        None => {
                            r.error = Some(format!(
                                "{}: field `rollup.official`: no indicator `{official}` is loaded",
                                d.file.display()
                            ))
                        }
                    }
                }
                rolled.observations.shrink_to_fit();
                rep.values = rolled
                    .observations
                    .iter()
                    .filter(|o| o.value.is_some())
                    .count();
                rep.nd = rolled.observations.len() - rep.values;
                let years = rolled.years();
                rep.years = years.first().zip(years.last()).map(|(a, b)| [*a, *b]);
                rep.status = Some(Status::Loaded);
                done.push((d.source.to_string(), rolled.id.clone()));
                if indicators.iter().any(|i| i.id == rolled.id) {
                    rep.status = Some(Status::Failed);
                    rep.error = Some(format!(
                        "{}: roll-up id `{}` is already an indicator",
                        d.file.display(),
                        rolled.id
                    ));
                } else {
                    indicators.push(Arc::new(rolled));
                }
                report.rollups.push(r);
            }
            Err(e) => {
                let e = format!(
                    "{}: roll-up `{}` of `{}`: {e}",
                    d.file.display(),
                    d.cfg.id,
                    d.source
                );
                rep.status = Some(Status::Failed);
                rep.error = Some(e.clone());
                report.rollups.push(RollupReport {
                    id: d.cfg.id.clone(),
                    from: d.source.to_string(),
                    rule: format!("{:?}", d.cfg.rule).to_lowercase(),
                    error: Some(e),
                    ..Default::default()
                });
            }
        }
        indicator_reports.push(rep);
    }
}

/// Builds the declared crosswalks.
pub fn crosswalks(
    parsed: &[(PathBuf, LayerFile)],
    unit_sets: &[Arc<UnitSet>],
    report: &mut TerritoryReport,
) -> Vec<Arc<Crosswalk>> {
    let mut out = Vec::new();
    for (file, layer) in parsed {
        for cfg in &layer.crosswalk {
            let started = std::time::Instant::now();
            let result = super::find_set(unit_sets, &cfg.from, file)
                .and_then(|a| Ok((a, super::find_set(unit_sets, &cfg.to, file)?)))
                .and_then(|(a, b)| crosswalk::build(cfg, &a, &b));
            match result {
                Ok((cw, rep)) => {
                    out.push(Arc::new(cw));
                    report.crosswalks.push(rep);
                }
                Err(e) => report
                    .crosswalks
                    .push(crate::model::report_territory::CrosswalkReport {
                        id: cfg.id.clone(),
                        from: cfg.from.clone(),
                        to: cfg.to.clone(),
                        error: Some(format!("{}: crosswalk `{}`: {e}", file.display(), cfg.id)),
                        ..Default::default()
                    }),
            }
            tracing::info!("crosswalk `{}` in {:.0?}", cfg.id, started.elapsed());
        }
    }
    out
}

/// Checks a table's parent codes against the hierarchy: rows whose parent is not one of their unit's parents.
pub fn check_parent_rows(
    ind: &Indicator,
    rows: &ParentRows,
    unit_sets: &[Arc<UnitSet>],
    report: &mut TerritoryReport,
) {
    let set = &ind.unit_set;
    let Some(placement) = &set.parent else { return };
    let Some(parent) = unit_sets.iter().find(|s| s.id == placement.parent_set) else {
        return;
    };
    let Some(h) = report.hierarchies.iter_mut().find(|h| h.unit_set == set.id) else {
        return;
    };
    for (code, obs) in rows {
        let p = parent.find(&crate::model::normalize_key(code));
        let mut seen = std::collections::BTreeSet::new();
        for o in obs {
            let crate::model::UnitRef::Unit(child) = o.unit else {
                continue;
            };
            if !seen.insert(child) {
                continue;
            }
            if p.is_none_or(|p| !placement.is_child_of(child, p)) {
                let unit = &set.units[child];
                let placed: Vec<&str> = placement.links[child]
                    .iter()
                    .map(|l| parent.units[l.parent].code.as_str())
                    .collect();
                h.disagreements.push(format!(
                    "{}, row {}: `{}` {} is under `{code}` in the table of `{}`, the hierarchy places it in {placed:?}",
                    ind.table.display(),
                    o.row,
                    unit.code,
                    unit.name,
                    ind.id
                ));
            }
        }
    }
}
