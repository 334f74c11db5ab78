//! `[ssepot]`: the monitoring system's own tables — technical sheets, progress rules and the tables behind
//! the report's four dashboards (commitments, POT–PDD relation, subsystems, diagnosis).
//!
//! Each table is a file with the column names documented in `docs/ssepot.md`; a new report year is a new
//! table (or new year columns), never code. Every aggregate shown is computed by ssepot from these rows with
//! the rules declared here.

use crate::config::ValueFormat;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The `[ssepot]` section of a layer file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsepotConfig {
    /// True when the tables are synthetic: every page and download says *MUESTRA SINTÉTICA*.
    #[serde(default)]
    pub sample: bool,
    /// Source note shown with every table.
    #[serde(default)]
    pub attribution: String,
    /// Technical sheets (fichas técnicas), one row per indicator code.
    #[serde(default)]
    pub sheets: Option<RecordTable>,
    /// Diagnosis and concertation, one row per indicator code.
    #[serde(default)]
    pub diagnosis: Option<RecordTable>,
    /// Change-control log of technical sheets (form DIES-058), one row per changed field.
    #[serde(default)]
    pub changes: Option<RecordTable>,
    /// Subsystems and their systems, with situation, achievements and challenges.
    #[serde(default)]
    pub subsystems: Option<RecordTable>,
    /// Progress against targets: bands and roll-up rules.
    #[serde(default)]
    pub progress: Option<ProgressConfig>,
    /// The POT's commitments and their yearly progress.
    #[serde(default)]
    pub commitments: Option<CommitmentsConfig>,
    /// The development plan (PDD) related to the POT.
    #[serde(default)]
    pub pdd: Option<PddConfig>,
}

/// A plain table of records: the first header row names the columns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordTable {
    /// Table file (CSV, XLSX, ODS, ...), relative to the layer file.
    pub path: PathBuf,
    /// Worksheet, the first when omitted.
    #[serde(default)]
    pub sheet: Option<String>,
    /// CSV separator, detected when omitted.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// How numbers and missing values are written.
    #[serde(default)]
    pub values: ValueFormat,
}

/// A status band: values at or above `min` (and below the next band's `min`) get `name`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Band name (`alto`, `medio`, `bajo`).
    pub name: String,
    /// Lowest percentage of the band.
    pub min: f64,
}

/// How a group's progress is obtained from its members'.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rollup {
    /// Mean of the members that report a value (`ND` members are left out and counted).
    MeanReported,
    /// Mean of all members, `ND` counting as 0.
    MeanAll,
}

/// Progress against targets.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressConfig {
    /// Bands from the highest `min` down; the lowest should have `min = 0` or below.
    pub bands: Vec<Band>,
    /// Percentage progress is kept within `[0, cap]` (usually 100); not capped when omitted.
    #[serde(default)]
    pub cap: Option<f64>,
    /// How a subsystem's (and a system's) progress is obtained from its indicators' city-level progress.
    pub rollup: Rollup,
    /// The year the roll-up is reported for (the report's last year).
    pub year: i32,
    /// `[first, last]` years of the report's annex (physical and percentage progress per year).
    pub annex_years: [i32; 2],
}

/// The commitments table and the rules of its dashboard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentsConfig {
    /// One row per commitment; yearly progress in columns named by year.
    pub table: RecordTable,
    /// `[first, last]` years of progress columns.
    pub years: [i32; 2],
    /// The horizon of the first stage (`Corto plazo`), reported apart.
    pub short_horizon: String,
    /// State of a commitment fulfilled at 100 % (`Cumplido`).
    pub fulfilled_state: String,
    /// State of a commitment in progress (`En avance`).
    pub in_progress_state: String,
    /// How the overall progress is obtained from the commitments' last-year progress.
    pub overall: Rollup,
    /// Decimals of shares of counts (`12,3 %`).
    pub share_decimals: u32,
    /// Decimals of progress percentages (`45,67 %`).
    pub progress_decimals: u32,
}

/// The development-plan tables and the rules of the POT–PDD dashboard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PddConfig {
    /// Plan name (`Medellín Futuro 2020–2023`).
    pub name: String,
    /// The plan as a whole: one row with its total investment and projected physical progress.
    pub plan: RecordTable,
    /// Programmes with their strategic line and planned and projected investment.
    pub programmes: RecordTable,
    /// Product indicators with their programme, weight in the plan and projected progress.
    pub indicators: RecordTable,
    /// POT projects with their subsystem.
    pub projects: RecordTable,
    /// Which product indicator relates to which POT project (many to many).
    pub relation: RecordTable,
    /// Progress bands of the product indicators.
    pub bands: Vec<Band>,
    /// Decimals of shares of counts (`71 %`).
    pub share_decimals: u32,
    /// Decimals of progress and investment percentages (`45,6 %`).
    pub progress_decimals: u32,
}

impl SsepotConfig {
    /// Checks bands and years; returns the field and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(p) = &self.progress {
            check_bands(&p.bands).map_err(|m| ("progress.bands", m))?;
        }
        if let Some(p) = &self.pdd {
            check_bands(&p.bands).map_err(|m| ("pdd.bands", m))?;
        }
        if let Some(c) = &self.commitments {
            if c.years[0] > c.years[1] {
                return Err(("commitments.years", "first year after last".into()));
            }
        }
        Ok(())
    }
}

fn check_bands(bands: &[Band]) -> Result<(), String> {
    if bands.is_empty() {
        return Err("at least one band is needed".into());
    }
    if bands.windows(2).any(|w| w[0].min <= w[1].min) {
        return Err(
            "list bands from the highest `min` down, each `min` lower than the one before".into(),
        );
    }
    Ok(())
}

/// The band a percentage falls in: the first whose `min` it reaches; below every `min`, the last band.
pub fn band_of(bands: &[Band], pct: f64) -> Option<&str> {
    bands
        .iter()
        .find(|b| pct >= b.min)
        .or(bands.last())
        .map(|b| b.name.as_str())
}
