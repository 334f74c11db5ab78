//! The territorial part of the import report: placements in parent sets, roll-ups beside official figures,
//! crosswalks and what changed between editions.

use serde::Serialize;
use std::fmt;

/// Hierarchies, roll-ups and crosswalks of one import.
#[derive(Debug, Clone, Serialize, Default)]
pub struct TerritoryReport {
    pub hierarchies: Vec<HierarchyReport>,
    pub rollups: Vec<RollupReport>,
    pub crosswalks: Vec<CrosswalkReport>,
}

/// How a unit set was placed in its parent set.
#[derive(Debug, Clone, Serialize, Default)]
pub struct HierarchyReport {
    pub unit_set: String,
    pub parent_set: String,
    /// Units placed, by how: `exception`, `prefix`, `field`, `table`, `containment`.
    pub placed_by: std::collections::BTreeMap<String, usize>,
    /// Units no rule could place (code and why).
    pub unplaced: Vec<String>,
    /// Units with more than the tolerance of their area outside their parents (code, parents, share inside).
    pub outside: Vec<Outside>,
    /// Table rows whose parent disagrees with the hierarchy (`parent_column` of an indicator table).
    pub disagreements: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A unit that lies partly (or mostly) outside its parent.
#[derive(Debug, Clone, Serialize)]
pub struct Outside {
    pub code: String,
    pub name: String,
    /// Parent codes.
    pub parents: Vec<String>,
    /// Share of the unit's area inside its parents.
    pub share_inside: f64,
    /// Where most of it lies, when that is another parent-set unit.
    pub mostly_in: Option<String>,
}

/// A roll-up: how many values, how many estimated, and the difference with the official figures.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RollupReport {
    pub id: String,
    pub from: String,
    pub to_set: String,
    pub rule: String,
    /// Parent-years whose value used an area share (a child split over several parents without a table saying
    /// how).
    pub estimated: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official: Option<String>,
    /// Roll-up minus official, per unit and year, where both exist.
    pub differences: Vec<Difference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The roll-up and the official value of one unit and year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Difference {
    pub code: String,
    pub year: i32,
    pub rollup: f64,
    pub official: f64,
    /// `rollup − official`.
    pub difference: f64,
    /// Relative to the official value, in percent.
    pub difference_pct: Option<f64>,
}

/// A crosswalk and the units that changed between its editions.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CrosswalkReport {
    pub id: String,
    pub from: String,
    pub to: String,
    pub shares: usize,
    pub estimates: usize,
    /// Source units split over several targets.
    pub split: Vec<String>,
    /// Target units made of several sources.
    pub merged: Vec<String>,
    /// Same code in both editions, with its boundary changed (overlap 50–95 % of the source unit).
    pub moved: Vec<String>,
    /// Same code in both editions naming a different place (under half of the source in the same-code target).
    pub renumbered: Vec<String>,
    /// Codes of one edition only.
    pub only_from: Vec<String>,
    pub only_to: Vec<String>,
    /// Source units overlapping no target.
    pub unallocated: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl TerritoryReport {
    /// Errors now (a hierarchy, roll-up or crosswalk that could not be built).
    pub fn error_count(&self) -> usize {
        self.hierarchies
            .iter()
            .filter(|h| h.error.is_some())
            .count()
            + self.rollups.iter().filter(|r| r.error.is_some()).count()
            + self.crosswalks.iter().filter(|c| c.error.is_some()).count()
    }

    /// Warnings: units not placed, units outside their parents.
    pub fn warning_count(&self) -> usize {
        self.hierarchies
            .iter()
            .map(|h| h.unplaced.len() + h.outside.len())
            .sum()
    }
}

impl fmt::Display for TerritoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.hierarchies.is_empty() {
            writeln!(f, "\nHierarchies")?;
        }
        for h in &self.hierarchies {
            if let Some(e) = &h.error {
                writeln!(f, "  {} in {}: ERROR {e}", h.unit_set, h.parent_set)?;
                continue;
            }
            writeln!(
                f,
                "  {} in {}: placed {:?}",
                h.unit_set, h.parent_set, h.placed_by
            )?;
            for u in &h.unplaced {
                writeln!(f, "      warning: not placed: {u}")?;
            }
            for o in &h.outside {
                writeln!(
                    f,
                    "      warning: {} {} lies {:.1} % inside its parent {}{}",
                    o.code,
                    o.name,
                    100.0 * o.share_inside,
                    o.parents.join("+"),
                    o.mostly_in
                        .as_ref()
                        .map(|m| format!(" (mostly in {m})"))
                        .unwrap_or_default()
                )?;
            }
            for d in &h.disagreements {
                writeln!(f, "      note: {d}")?;
            }
        }
        if !self.rollups.is_empty() {
            writeln!(f, "\nRoll-ups")?;
        }
        for r in &self.rollups {
            if let Some(e) = &r.error {
                writeln!(f, "  {:<12} ERROR {e}", r.id)?;
                continue;
            }
            writeln!(
                f,
                "  {:<12} {} of `{}` into {}, {} estimated values",
                r.id, r.rule, r.from, r.to_set, r.estimated
            )?;
            if let Some(o) = &r.official {
                writeln!(
                    f,
                    "      compared with official `{o}` (roll-up − official):"
                )?;
                for d in &r.differences {
                    writeln!(
                        f,
                        "      {} {}: {} − {} = {:+} ({})",
                        d.code,
                        d.year,
                        d.rollup,
                        d.official,
                        d.difference,
                        d.difference_pct
                            .map(|p| format!("{p:+.2} %"))
                            .unwrap_or_default()
                    )?;
                }
            }
        }
        if !self.crosswalks.is_empty() {
            writeln!(f, "\nCrosswalks")?;
        }
        for c in &self.crosswalks {
            if let Some(e) = &c.error {
                writeln!(f, "  {:<12} ERROR {e}", c.id)?;
                continue;
            }
            writeln!(
                f,
                "  {} ({} → {}): {} shares, {} estimates",
                c.id, c.from, c.to, c.shares, c.estimates
            )?;
            let lists = [
                ("split", &c.split),
                ("merged", &c.merged),
                ("moved", &c.moved),
                ("renumbered", &c.renumbered),
                ("only in source", &c.only_from),
                ("only in target", &c.only_to),
                ("unallocated", &c.unallocated),
            ];
            for (what, list) in lists {
                if !list.is_empty() {
                    writeln!(f, "      {what} ({}): {}", list.len(), list.join(", "))?;
                }
            }
        }
        Ok(())
    }
}
