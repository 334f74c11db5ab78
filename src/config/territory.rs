//! Territorial hierarchies, boundary editions, crosswalks and roll-ups as layer files declare them
//! (`docs/territory.md`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[unit_set.parent]`: the unit set this one nests in, and how each unit finds its parent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentConfig {
    /// Id of the parent unit set (the comunas of the same edition).
    pub set: String,
    /// Rules tried in order for every unit the `exceptions` table does not place: the first that gives a parent
    /// wins. `prefix` (the first `prefix_length` characters of the code), `field` (a field of the geometry
    /// source), `table` (a table of codes and parent codes), `containment` (the parent holding at least
    /// `1 − tolerance` of the unit's area).
    pub by: Vec<PlaceRule>,
    /// `prefix`: how many characters of the unit's code (as the source writes it) are the parent's code.
    #[serde(default)]
    pub prefix_length: Option<usize>,
    /// `field`: the field of the unit set's geometry source that holds the parent's code.
    #[serde(default)]
    pub field: Option<String>,
    /// `table`: a table with one row per unit and its parent's code.
    #[serde(default)]
    pub table: Option<ParentTable>,
    /// Share of a unit's area that may lie outside its parent before the report lists it (0.01 = 1 %); also
    /// how much `containment` forgives. Default 0.01.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Units placed by hand, before any rule: several rows for one unit split it over several parents.
    #[serde(default)]
    pub exceptions: Option<ParentTable>,
}

fn default_tolerance() -> f64 {
    0.01
}

/// How a unit finds its parent.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PlaceRule {
    /// The first characters of the unit's code.
    Prefix,
    /// A field of the geometry source.
    Field,
    /// A table of codes and parent codes.
    Table,
    /// The parent that holds the unit's area (within the tolerance), by overlay in EPSG:9377.
    Containment,
}

/// A table of unit codes and their parents' codes (CSV, XLSX, ODS or any table GDAL reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentTable {
    /// Table file, relative to the layer file.
    pub path: PathBuf,
    /// Worksheet (spreadsheets); the first one when omitted.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Column with the unit's code.
    pub key_column: String,
    /// Column with the parent's code.
    pub parent_column: String,
}

/// `[unit_set.edition]`: the unit set is one boundary edition of a territorial division.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EditionConfig {
    /// The division the editions belong to (`barrios`): unit sets with the same `of` are editions of it.
    pub of: String,
    /// The edition's name as users know it (`POT 2014`, `Catastral`).
    pub name: String,
    /// First year the edition is valid for.
    pub valid_from: i32,
    /// Last year it is valid for; open when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<i32>,
}

impl EditionConfig {
    /// Whether the edition is valid for `year`.
    pub fn valid_for(&self, year: i32) -> bool {
        year >= self.valid_from && self.valid_to.is_none_or(|to| year <= to)
    }
}

/// `[[crosswalk]]`: how the units of one edition map onto another's, by area-weighted overlay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkConfig {
    /// Id, used in URLs (`/crosswalks/{id}`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Unit set (edition) values come from.
    pub from: String,
    /// Unit set (edition) values go to.
    pub to: String,
    /// Overlaps smaller than this share of the source unit's area are slivers of digitisation (the two editions'
    /// lines do not coincide), not territory: they are dropped and the remaining shares rescaled to 1. Default
    /// 0.005 (half a percent).
    #[serde(default = "default_min_share")]
    pub min_share: f64,
}

fn default_min_share() -> f64 {
    0.005
}

/// `rollup` of an indicator: its values at the parent level, a collection of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupConfig {
    /// Collection id of the roll-up.
    pub id: String,
    /// Its name; the indicator's name and the parent set's title when omitted.
    #[serde(default)]
    pub name: Option<String>,
    /// How parent values are obtained from the children's.
    pub rule: RollupRule,
    /// `weighted_mean`: id of the indicator (same unit set) whose values weigh the children, or `area_km2`.
    #[serde(default)]
    pub weight: Option<String>,
    /// Id of an official indicator published at the parent level for the same quantity: the report lists the
    /// difference per unit and year (never hidden, never forced to zero).
    #[serde(default)]
    pub official: Option<String>,
}

/// How an indicator rolls up to the parent level.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RollupRule {
    /// Counts: the sum of the children (any `ND` child makes the parent `ND`).
    Sum,
    /// Rates and densities (computed indicators): the formula over the roll-ups of its variables.
    Recompute,
    /// The mean of the children weighed by `weight`.
    WeightedMean,
    /// Does not roll up (declared so nobody adds it by mistake).
    None,
}

impl ParentConfig {
    /// Checks that each rule has what it needs; returns the field and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.by.is_empty() {
            return Err((
                "by",
                "name at least one rule: `prefix`, `field`, `table` or `containment`".into(),
            ));
        }
        for rule in &self.by {
            match rule {
                PlaceRule::Prefix if self.prefix_length.is_none_or(|n| n == 0) => {
                    return Err((
                        "prefix_length",
                        "`by = [\"prefix\"]` needs `prefix_length` ≥ 1".into(),
                    ))
                }
                PlaceRule::Field if self.field.is_none() => {
                    return Err((
                        "field",
                        "`by = [\"field\"]` needs `field`, a field of the geometry source".into(),
                    ))
                }
                PlaceRule::Table if self.table.is_none() => {
                    return Err((
                        "table",
                        "`by = [\"table\"]` needs `table = { path, key_column, parent_column }`"
                            .into(),
                    ))
                }
                _ => {}
            }
        }
        if !(0.0..1.0).contains(&self.tolerance) {
            return Err((
                "tolerance",
                format!("{} is not a share in [0, 1)", self.tolerance),
            ));
        }
        Ok(())
    }
}

impl RollupConfig {
    /// Checks the rule's needs; returns the field and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !super::is_valid_id(&self.id) {
            return Err(("id", format!("`{}` is not a valid id", self.id)));
        }
        if self.rule == RollupRule::WeightedMean && self.weight.is_none() {
            return Err(("weight", "`rule = \"weighted_mean\"` needs `weight`".into()));
        }
        Ok(())
    }
}
