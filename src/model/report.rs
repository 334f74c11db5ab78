//! The import report: what was read, what was repaired, what did not match. `ssepot check` prints it and
//! the server exposes it as JSON at `/report`. It lives in the model because a snapshot carries the report of the
//! import that built it; ingest fills it in.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Outcome of loading one unit set or indicator.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Loaded from its files now.
    Loaded,
    /// Failed now; the data loaded before keeps serving.
    ServingPrevious,
    /// Failed, and nothing is served for it.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub layers_dir: PathBuf,
    /// Layer files that could not be read at all.
    pub file_errors: Vec<FileError>,
    pub unit_sets: Vec<UnitSetReport>,
    pub indicators: Vec<IndicatorReport>,
    /// Hierarchies, roll-ups and crosswalks (`docs/territory.md`).
    pub territory: super::report_territory::TerritoryReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub file: PathBuf,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitSetReport {
    pub id: String,
    pub file: PathBuf,
    pub status: Status,
    pub source: PathBuf,
    pub features: usize,
    pub crs: String,
    /// Features whose invalid geometry was repaired, with GDAL/GEOS's reason.
    pub repaired: Vec<String>,
    /// Features dropped (no geometry, no key, unrepairable).
    pub rejected: Vec<String>,
    /// Other things the import did that a user should know.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct IndicatorReport {
    pub id: String,
    pub file: PathBuf,
    pub table: PathBuf,
    pub status: Option<Status>,
    pub rows_read: usize,
    /// Numeric values kept (after combining duplicates).
    pub values: usize,
    /// `ND` or empty cells kept (after combining duplicates).
    pub nd: usize,
    /// First and last year.
    pub years: Option<[i32; 2]>,
    /// Rows skipped on purpose (`Totales`, ...).
    pub skipped_rows: usize,
    pub unmatched: Vec<Unmatched>,
    pub duplicates: Vec<Duplicate>,
    /// Other things a user should check (rows below a blank row that look like data).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Other things the import did that a user should know (rows below a blank row that were not read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A code in the table that matches no unit.
#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    pub code: String,
    /// Spreadsheet row numbers where it appears.
    pub rows: Vec<usize>,
}

/// Several rows for one territory and year.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub code: String,
    /// Years in which these rows repeat the code.
    pub years: Vec<i32>,
    pub rows: Vec<usize>,
    /// How they were combined (`sum`, `first`, `last`).
    pub combined: String,
}

impl ImportReport {
    /// Number of things that failed now (whether or not previous data still serves).
    pub fn error_count(&self) -> usize {
        self.file_errors.len()
            + self.territory.error_count()
            + self.unit_sets.iter().filter(|u| u.error.is_some()).count()
            + self.indicators.iter().filter(|i| i.error.is_some()).count()
    }

    /// Number of warnings the report lists: each feature a unit set dropped and each unmatched code, of the
    /// items that loaded (what a failed item read before failing is its error, not a warning as well).
    pub fn warning_count(&self) -> usize {
        self.territory.warning_count()
            + self
                .unit_sets
                .iter()
                .map(|u| u.warnings().len())
                .sum::<usize>()
            + self
                .indicators
                .iter()
                .map(|i| i.unmatched_warnings().len() + i.other_warnings().len())
                .sum::<usize>()
    }
}

impl UnitSetReport {
    /// The features dropped, when the unit set loaded; none when it failed.
    pub fn warnings(&self) -> &[String] {
        if self.error.is_some() {
            return &[];
        }
        &self.rejected
    }
}

impl IndicatorReport {
    /// The codes that matched no unit, when the indicator loaded; none when it failed (with
    /// `unmatched = "error"` they are the error itself).
    pub fn unmatched_warnings(&self) -> &[Unmatched] {
        if self.error.is_some() {
            return &[];
        }
        &self.unmatched
    }

    /// The other warnings, when the indicator loaded.
    pub fn other_warnings(&self) -> &[String] {
        if self.error.is_some() {
            return &[];
        }
        &self.warnings
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Import report for {}", self.layers_dir.display())?;
        for e in &self.file_errors {
            writeln!(f, "ERROR {}", e.error)?;
        }
        writeln!(f, "\nUnit sets")?;
        for u in &self.unit_sets {
            write!(f, "  {:<12} ", u.id)?;
            match &u.error {
                Some(e) => writeln!(f, "ERROR ({:?}) {e}", u.status)?,
                None => writeln!(
                    f,
                    "{} features, CRS {}, {} repaired, {} rejected  [{}]",
                    u.features,
                    u.crs,
                    u.repaired.len(),
                    u.rejected.len(),
                    u.source.display()
                )?,
            }
            for r in &u.repaired {
                writeln!(f, "      {r}")?;
            }
            for r in u.warnings() {
                writeln!(f, "      warning: {r}")?;
            }
            for n in &u.notes {
                writeln!(f, "      note: {n}")?;
            }
        }
        writeln!(f, "\nIndicators")?;
        for i in &self.indicators {
            write!(f, "  {:<12} ", i.id)?;
            if let Some(e) = &i.error {
                writeln!(f, "ERROR ({:?}) {e}", i.status.unwrap_or(Status::Failed))?;
                continue;
            }
            let years = i
                .years
                .map(|[a, b]| format!("{a}–{b}"))
                .unwrap_or_else(|| "none".into());
            writeln!(
                f,
                "{} rows, {} values, {} ND, years {years}, {} skipped, {} unmatched, {} duplicate keys",
                i.rows_read,
                i.values,
                i.nd,
                i.skipped_rows,
                i.unmatched.len(),
                i.duplicates.len()
            )?;
            for w in i.other_warnings() {
                writeln!(f, "      warning: {w}")?;
            }
            for n in &i.notes {
                writeln!(f, "      note: {n}")?;
            }
            for u in i.unmatched_warnings() {
                writeln!(
                    f,
                    "      warning: code `{}` matches no unit (rows {:?})",
                    u.code, u.rows
                )?;
            }
            for d in &i.duplicates {
                let years = match (d.years.first(), d.years.last()) {
                    (Some(a), Some(b)) if a != b => format!("{} years, {a}–{b}", d.years.len()),
                    (Some(a), _) => a.to_string(),
                    _ => String::new(),
                };
                writeln!(
                    f,
                    "      duplicate code {} in rows {:?} ({years}): {}",
                    d.code, d.rows, d.combined
                )?;
            }
        }
        write!(f, "{}", self.territory)?;
        write!(
            f,
            "\n{} errors, {} warnings",
            self.error_count(),
            self.warning_count()
        )
    }
}
