//! `[[computed]]`: indicators computed from other indicators and from geometry.

use super::formula::Expr;
use super::{StyleConfig, TechnicalSheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name of the built-in variable that holds each territory's true area in km².
pub const AREA_KM2: &str = "area_km2";

/// An indicator whose values are a formula over other indicators of the same unit set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputedConfig {
    /// Collection id, used in URLs.
    pub id: String,
    /// Indicator name.
    pub name: String,
    /// Unit of measure of the result (`homicidios por 100.000 habitantes`).
    pub unit: String,
    /// What the indicator measures.
    #[serde(default)]
    pub description: String,
    /// Unit set of the inputs and of the result.
    pub unit_set: String,
    /// Attribution / source note.
    #[serde(default)]
    pub attribution: String,
    /// True when any input is synthetic sample data.
    #[serde(default)]
    pub sample: bool,
    /// The formula over the variables: `homicidios / poblacion * 100000`.
    pub formula: String,
    /// Variable name → id of the indicator that gives its values. `area_km2` is built in (each territory's
    /// true area, and the municipality's for the city).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// `[first, last]` years to compute; every year all inputs have when omitted. Required when the formula uses
    /// no indicator (only `area_km2`): the years cannot come from inputs then.
    #[serde(default)]
    pub years: Option<[i32; 2]>,
    /// How the city value is obtained.
    pub city: CityRule,
    /// Variable whose values weigh the territories for `city = "weighted_mean"`.
    #[serde(default)]
    pub weight: Option<String>,
    /// Technical-sheet fields (the formula is added to the sheet).
    #[serde(default)]
    pub sheet: TechnicalSheet,
    /// How maps classify the values.
    #[serde(default)]
    pub style: StyleConfig,
    /// How the values roll up to the parent unit set (`docs/territory.md`); a rate rolls up with `recompute`.
    #[serde(default)]
    pub rollup: Option<super::RollupConfig>,
}

/// How a computed indicator's city-level value is obtained.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CityRule {
    /// The formula over the city's inputs: each input's city value, or else the sum of its territories
    /// (Σ homicides / Σ population for a rate). Any `ND` territory makes the sum `ND`.
    Recompute,
    /// The sum of the territories' computed values (counts).
    Sum,
    /// The mean of the territories' computed values weighed by the `weight` variable.
    WeightedMean,
    /// No city value.
    None,
}

/// Most years a formula without indicator inputs may span (a typo such as `[2020, 20203]` is an error).
pub const MAX_YEARS_WITHOUT_INPUTS: i32 = 200;

impl ComputedConfig {
    /// `years` is ordered, and given (and of a sensible span) when no indicator gives the years.
    fn check_years(&self) -> Result<(), (&'static str, String)> {
        match self.years {
            Some([a, b]) if a > b => Err(("years", format!("[{a}, {b}]: the first year is after the last"))),
            None if self.variables.is_empty() => Err((
                "years",
                format!(
                    "the formula uses no indicator, only `{AREA_KM2}`, so no input gives its years: \
                     set `years = [first, last]`"
                ),
            )),
            Some([a, b]) if self.variables.is_empty() && b - a >= MAX_YEARS_WITHOUT_INPUTS => Err((
                "years",
                format!("[{a}, {b}] spans more than {MAX_YEARS_WITHOUT_INPUTS} years"),
            )),
            _ => Ok(()),
        }
    }

    /// Checks the formula and that every variable it uses is declared; returns the field and why.
    pub fn check(&self) -> Result<Expr, (&'static str, String)> {
        let expr = Expr::parse(&self.formula).map_err(|e| ("formula", e))?;
        for v in expr.variables() {
            if v != AREA_KM2 && !self.variables.contains_key(&v) {
                return Err((
                    "variables",
                    format!("the formula uses `{v}`, which is not declared in `variables` (nor the built-in `{AREA_KM2}`)"),
                ));
            }
        }
        self.check_years()?;
        match (&self.city, &self.weight) {
            (CityRule::WeightedMean, None) => Err((
                "weight",
                "`city = \"weighted_mean\"` needs `weight`, a declared variable".into(),
            )),
            (_, Some(w)) if w != AREA_KM2 && !self.variables.contains_key(w) => {
                Err(("weight", format!("`{w}` is not a declared variable")))
            }
            _ => Ok(expr),
        }
    }
}
