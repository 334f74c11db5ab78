//! How an indicator table is laid out and how its values are written.

use serde::Deserialize;
use std::path::PathBuf;

/// A table of indicator values: CSV, XLSX/XLS/ODS, or any table GDAL reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    /// Table file, relative to the layer file.
    pub path: PathBuf,
    /// Worksheet (spreadsheets) or layer (GDAL sources); the first one when omitted.
    #[serde(default)]
    pub sheet: Option<String>,
    /// 1-based row numbers of the header, as a spreadsheet shows them. With several rows (a two-row header)
    /// each column is named by its last non-empty header cell. Default `[1]`.
    #[serde(default = "default_header_rows")]
    pub header_rows: Vec<usize>,
    /// CSV field separator; detected from the header line when omitted.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// `wide` (one column per year) or `long` (a year column and a value column).
    pub layout: Layout,
    /// Column with the territory code.
    pub key_column: String,
    /// Regular expression applied to the key; its first capture group is the code (e.g. `^(\d+)` for `01-Popular`).
    #[serde(default)]
    pub key_pattern: Option<String>,
    /// Column with the code of each row's parent unit, when the key alone is not unique (a barrio code under
    /// several comunas): the key is then (parent, code), and roll-ups split the unit by these rows.
    #[serde(default)]
    pub parent_column: Option<String>,
    /// Long layout: column with the year.
    #[serde(default)]
    pub year_column: Option<String>,
    /// Long layout: column with the value.
    #[serde(default)]
    pub value_column: Option<String>,
    /// Wide layout: the year columns as `[first, last]`; every year column when omitted.
    #[serde(default)]
    pub years: Option<[i32; 2]>,
    /// Wide layout: how year columns are named, with `{year}` standing for the four digits (`i_{year}` reads
    /// `i_2014 … i_2023`, compared without case); a header that is just a year when omitted.
    #[serde(default)]
    pub year_columns: Option<String>,
    /// Keys of rows to skip, compared without case (`Totales`, `TOTAL`).
    #[serde(default)]
    pub skip_keys: Vec<String>,
    /// Keys that mean the whole municipality (the battery's `ciudad`): their values attach to the
    /// union of all units.
    #[serde(default)]
    pub city_keys: Vec<String>,
    /// What to do when several rows have the same territory and year.
    #[serde(default)]
    pub duplicates: Duplicates,
    /// What to do with codes that match no unit: `warn` lists them in the report, `error` fails the indicator.
    #[serde(default)]
    pub unmatched: Unmatched,
    /// Data ends at the first entirely blank row (notes below a table are not data). Default true.
    #[serde(default = "default_true")]
    pub stop_at_blank_row: bool,
    /// How values are written.
    #[serde(default)]
    pub values: ValueFormat,
}

fn default_header_rows() -> Vec<usize> {
    vec![1]
}
fn default_true() -> bool {
    true
}

/// Table layout.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One column per year.
    Wide,
    /// One row per territory and year.
    Long,
}

/// How rows with the same territory and year combine.
#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// A duplicate is an import error.
    #[default]
    Error,
    /// Values are added (area rows of one corregimiento). Any `ND` part makes the sum `ND`.
    Sum,
    /// The first row wins.
    First,
    /// The last row wins.
    Last,
}

/// What unmatched codes are.
#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmatched {
    /// Listed in the report as a warning; the indicator loads.
    #[default]
    Warn,
    /// The indicator fails to load.
    Error,
}

/// How numbers and missing values are written in a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFormat {
    /// Tokens that mean "not reported" (compared without case). Empty cells are always missing.
    #[serde(default = "default_no_data")]
    pub no_data: Vec<String>,
    /// Decimal separator: `.` or `,`.
    #[serde(default = "default_decimal")]
    pub decimal: char,
    /// Thousands separator, if the table uses one (`.`, `,`, ` `).
    #[serde(default)]
    pub thousands: Option<char>,
    /// How a trailing `%` is read.
    #[serde(default)]
    pub percent: PercentStyle,
}

fn default_no_data() -> Vec<String> {
    vec!["ND".into()]
}
fn default_decimal() -> char {
    '.'
}

impl Default for ValueFormat {
    fn default() -> Self {
        Self {
            no_data: default_no_data(),
            decimal: default_decimal(),
            thousands: None,
            percent: PercentStyle::default(),
        }
    }
}

/// Reading of `45,3%`.
#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PercentStyle {
    /// `45,3%` is 45.3 (the unit says `%`).
    #[default]
    Keep,
    /// `45,3%` is 0.453.
    Fraction,
}

impl TableSource {
    /// Checks that the options fit together; returns the offending field and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.header_rows.is_empty() || self.header_rows.contains(&0) {
            return Err((
                "header_rows",
                "row numbers start at 1 and at least one is needed".into(),
            ));
        }
        if self.layout == Layout::Long
            && (self.year_column.is_none() || self.value_column.is_none())
        {
            return Err((
                "layout",
                "a `long` table needs `year_column` and `value_column`".into(),
            ));
        }
        if let Some(p) = &self.year_columns {
            if p.matches("{year}").count() != 1 {
                return Err((
                    "year_columns",
                    format!("`{p}` must hold `{{year}}` once, e.g. `i_{{year}}`"),
                ));
            }
            if self.layout != Layout::Wide {
                return Err((
                    "year_columns",
                    "only a `wide` table has year columns".into(),
                ));
            }
        }
        if let Some(p) = &self.key_pattern {
            let re = regex::Regex::new(p).map_err(|e| ("key_pattern", e.to_string()))?;
            if re.captures_len() < 2 {
                return Err((
                    "key_pattern",
                    "needs a capture group, e.g. `^(\\d+)`".into(),
                ));
            }
        }
        let v = &self.values;
        if v.decimal != '.' && v.decimal != ',' {
            return Err((
                "values.decimal",
                format!("`{}` is not `.` or `,`", v.decimal),
            ));
        }
        if v.thousands == Some(v.decimal) {
            return Err((
                "values.thousands",
                "is the same as the decimal separator".into(),
            ));
        }
        Ok(())
    }
}

impl TableSource {
    /// The text of a wide table's column header that should be a year, by `year_columns`: the whole header
    /// when no pattern is set, the part where `{year}` stands otherwise; `None` when the header does not fit.
    pub fn header_year(&self, header: &str) -> Option<String> {
        let header = header.trim().to_lowercase();
        let Some(pattern) = &self.year_columns else {
            return Some(header);
        };
        let (prefix, suffix) = pattern.split_once("{year}")?;
        let year = header
            .strip_prefix(&prefix.to_lowercase())?
            .strip_suffix(&suffix.to_lowercase())?;
        (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())).then(|| year.to_string())
    }
}
