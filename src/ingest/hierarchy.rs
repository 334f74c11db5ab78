//! Placing the units of a set in their parent set, as `[unit_set.parent]` declares: the exceptions table first,
//! then each rule in order (`prefix`, `field`, `table`, `containment`). Every placement is then checked by area
//! overlay in EPSG:9377: a unit with more than the tolerance of its area outside its parents is listed (the
//! catastral `0805` lies 60 % in corregimiento 90), never moved silently.

use super::cells;
use super::overlay;
use crate::config::territory::ParentTable;
use crate::config::{ParentConfig, PlaceRule, UnitSetConfig};
use crate::model::hierarchy::{ParentLink, PlacedBy, Placement};
use crate::model::normalize_key;
use crate::model::report_territory::{HierarchyReport, Outside};
use crate::model::UnitSet;
use gdal::vector::LayerAccess;
use std::collections::HashMap;
use std::path::Path;

/// Places `set` in `parent`; the report lists what could not be placed and what lies outside.
pub fn place(
    set: &UnitSet,
    parent: &UnitSet,
    unit_cfg: &UnitSetConfig,
    cfg: &ParentConfig,
    layer_file: &Path,
) -> Result<(Placement, HierarchyReport), String> {
    let mut report = HierarchyReport {
        unit_set: set.id.clone(),
        parent_set: parent.id.clone(),
        ..Default::default()
    };
    let children = overlay::project(set).map_err(|e| format!("unit set `{}`: {e}", set.id))?;
    let parents = overlay::project(parent).map_err(|e| format!("unit set `{}`: {e}", parent.id))?;
    let overlaps = overlay::overlaps(&children, &parents);
    let exceptions = cfg
        .exceptions
        .as_ref()
        .map(|t| read_parent_table(t, layer_file, "parent.exceptions"))
        .transpose()?
        .unwrap_or_default();
    let table = cfg
        .table
        .as_ref()
        .map(|t| read_parent_table(t, layer_file, "parent.table"))
        .transpose()?
        .unwrap_or_default();
    let field = match (&cfg.field, cfg.by.contains(&PlaceRule::Field)) {
        (Some(f), true) => source_field(unit_cfg, layer_file, f)?,
        _ => HashMap::new(),
    };
    let mut links = Vec::with_capacity(set.units.len());
    for (i, unit) in set.units.iter().enumerate() {
        let share = |p: usize| {
            overlaps[i]
                .iter()
                .find(|(j, _)| *j == p)
                .map_or(0.0, |(_, a)| a / children.areas[i].max(f64::MIN_POSITIVE))
        };
        let link = |p: usize, by| ParentLink {
            parent: p,
            area_share: share(p),
            by,
        };
        let mut placed: Vec<ParentLink> = Vec::new();
        if let Some(codes) = exceptions.get(&unit.key) {
            for code in codes {
                match parent.find(&normalize_key(code)) {
                    Some(p) => placed.push(link(p, PlacedBy::Exception)),
                    None => report.unplaced.push(format!(
                        "{} {}: the exceptions table names parent `{code}`, which `{}` does not have",
                        unit.code, unit.name, parent.id
                    )),
                }
            }
        }
        for rule in &cfg.by {
            if !placed.is_empty() {
                break;
            }
            let found = match rule {
                PlaceRule::Prefix => {
                    let n = cfg.prefix_length.unwrap_or(0);
                    unit.code
                        .get(..n)
                        .and_then(|prefix| parent.find(&normalize_key(prefix)))
                }
                PlaceRule::Field => field
                    .get(&unit.key)
                    .and_then(|code| parent.find(&normalize_key(code))),
                PlaceRule::Table => table
                    .get(&unit.key)
                    .and_then(|codes| codes.first())
                    .and_then(|code| parent.find(&normalize_key(code))),
                PlaceRule::Containment => overlaps[i]
                    .iter()
                    .map(|(p, _)| (*p, share(*p)))
                    .filter(|(_, s)| *s >= 1.0 - cfg.tolerance)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(p, _)| p),
            };
            if let Some(p) = found {
                placed.push(link(p, PlacedBy::Rule(*rule)));
            }
        }
        if placed.is_empty() {
            report.unplaced.push(format!(
                "{} {}: no rule places it{}",
                unit.code,
                unit.name,
                largest(&overlaps[i], children.areas[i], parent)
            ));
        } else {
            let inside: f64 = placed.iter().map(|l| l.area_share).sum();
            if inside < 1.0 - cfg.tolerance {
                let best = overlaps[i]
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(p, _)| *p)
                    .filter(|p| !placed.iter().any(|l| l.parent == *p));
                report.outside.push(Outside {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    parents: placed
                        .iter()
                        .map(|l| parent.units[l.parent].code.clone())
                        .collect(),
                    share_inside: (inside * 1e4).round() / 1e4,
                    mostly_in: best.map(|p| parent.units[p].code.clone()),
                });
            }
            for l in &placed {
                let by = match l.by {
                    PlacedBy::Exception => "exception".to_string(),
                    PlacedBy::Rule(r) => format!("{r:?}").to_lowercase(),
                };
                *report.placed_by.entry(by).or_default() += 1;
            }
        }
        links.push(placed);
    }
    Ok((
        Placement {
            parent_set: parent.id.clone(),
            links,
            parents: parent
                .units
                .iter()
                .map(|u| (u.code.clone(), u.key.clone()))
                .collect(),
        },
        report,
    ))
}

/// ` (largest overlap: 83 % in SN01)`, for the report.
fn largest(overlaps: &[(usize, f64)], area: f64, parent: &UnitSet) -> String {
    overlaps
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, a)| {
            format!(
                " (largest overlap: {:.1} % in {})",
                100.0 * a / area.max(f64::MIN_POSITIVE),
                parent.units[*p].code
            )
        })
        .unwrap_or_else(|| " (it overlaps no parent)".into())
}

/// A table of codes and parent codes: normalised code → parent codes (several rows split a unit).
pub fn read_parent_table(
    t: &ParentTable,
    layer_file: &Path,
    field: &str,
) -> Result<HashMap<String, Vec<String>>, String> {
    let path = super::resolve(layer_file, &t.path);
    let grid = cells::read_grid(&path, t.sheet.as_deref(), None)
        .map_err(|e| format!("field `{field}.path`: {}: {e}", path.display()))?;
    let header: Vec<String> = (0..grid.width()).map(|c| grid.cell(1, c).text()).collect();
    let col = |name: &str, which: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "field `{field}.{which}`: {} has no column `{name}`; columns are {header:?}",
                path.display()
            )
        })
    };
    let (key, parent) = (
        col(&t.key_column, "key_column")?,
        col(&t.parent_column, "parent_column")?,
    );
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in 2..=grid.rows.len() {
        if grid.is_blank_row(row) {
            continue;
        }
        let (k, p) = (grid.cell(row, key).text(), grid.cell(row, parent).text());
        if k.is_empty() || p.is_empty() {
            return Err(format!(
                "{}, row {row}: `{}` and `{}` need a value",
                path.display(),
                t.key_column,
                t.parent_column
            ));
        }
        out.entry(normalize_key(&k)).or_default().push(p);
    }
    Ok(out)
}

/// A field of the unit set's geometry source, by normalised unit code.
fn source_field(
    cfg: &UnitSetConfig,
    layer_file: &Path,
    field: &str,
) -> Result<HashMap<String, String>, String> {
    let source = super::resolve(layer_file, &cfg.source);
    let ds = gdal::Dataset::open(&source)
        .map_err(|e| format!("field `parent.field`: {}: {e}", source.display()))?;
    let mut layer = match &cfg.layer {
        Some(name) => ds.layer_by_name(name),
        None => ds.layer(0),
    }
    .map_err(|e| format!("field `parent.field`: {}: {e}", source.display()))?;
    let names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let idx = |name: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            format!(
                "field `parent.field`: {} has no field `{name}`; fields are {names:?}",
                source.display()
            )
        })
    };
    let (key, parent) = (idx(&cfg.key_field)?, idx(field)?);
    let mut out = HashMap::new();
    for f in layer.features() {
        let text = |i| f.field_as_string(i).ok().flatten().unwrap_or_default();
        let p = text(parent);
        if !p.trim().is_empty() {
            out.insert(normalize_key(&text(key)), p.trim().to_string());
        }
    }
    Ok(out)
}
