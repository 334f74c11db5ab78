//! Turning a table into observations: header rows, wide or long layout, keys joined to units,
//! `ND`, duplicates combined, unmatched codes reported.

use super::cells::{Cell, Grid};
use super::report::{Duplicate, IndicatorReport, Unmatched};
use super::values::parse_value;
use crate::config::{Duplicates, Layout, TableSource, Unmatched as UnmatchedRule};
use crate::model::{normalize_key, Observation, UnitRef, UnitSet};
use std::collections::BTreeMap;
use std::path::Path;

/// The header and data rows of a table.
pub struct Table<'g> {
    pub grid: &'g Grid,
    /// Column names (last non-empty header cell of each column).
    pub headers: Vec<String>,
    /// 1-based numbers of the data rows.
    pub rows: Vec<usize>,
    /// With `stop_at_blank_row`: the blank row the data stopped at, and the non-blank rows below it (not read).
    pub below_blank: Option<(usize, Vec<usize>)>,
    /// Where the table came from, for messages.
    pub file: &'g Path,
}

impl<'g> Table<'g> {
    pub fn new(grid: &'g Grid, cfg: &TableSource, file: &'g Path) -> Self {
        let headers = (0..grid.width())
            .map(|c| {
                cfg.header_rows
                    .iter()
                    .map(|&r| grid.cell(r, c).text())
                    .rfind(|t| !t.is_empty())
                    .unwrap_or_default()
            })
            .collect();
        let first = cfg.header_rows.iter().max().copied().unwrap_or(1) + 1;
        let mut rows = Vec::new();
        let mut below_blank = None;
        for r in first..=grid.rows.len() {
            if grid.is_blank_row(r) {
                if cfg.stop_at_blank_row {
                    let below = (r + 1..=grid.rows.len()).filter(|&b| !grid.is_blank_row(b));
                    below_blank = Some((r, below.collect()));
                    break;
                }
                continue;
            }
            rows.push(r);
        }
        Self {
            grid,
            headers,
            rows,
            below_blank,
            file,
        }
    }

    /// The index of a named column, or an error that names the layer-file field and lists the columns.
    pub fn column(&self, name: &str, field: &str) -> Result<usize, String> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            let known: Vec<&str> = self
                .headers
                .iter()
                .filter(|h| !h.is_empty())
                .map(String::as_str)
                .collect();
            format!(
                "field `{field}`: {} has no column `{name}` in its header; columns are {known:?}",
                self.file.display()
            )
        })
    }

    /// `file, row N, column "X"`: where a value is, for error messages.
    pub fn at(&self, row: usize, col: usize) -> String {
        format!(
            "{}, row {row}, column `{}`",
            self.file.display(),
            self.headers[col]
        )
    }

    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.grid.cell(row, col)
    }
}

/// Values per (year, unit), each with its row number, before duplicates are combined.
/// Each value read, as `((year, unit), (row, value))`, in reading order; sorted by year and unit (stably, so rows
/// stay in order) before they are combined.
type Cells = Vec<((i32, UnitRef), (usize, Option<f64>))>;

fn parse_year(text: &str) -> Option<i32> {
    let y: i32 = text
        .trim()
        .strip_suffix(".0")
        .unwrap_or(text.trim())
        .parse()
        .ok()?;
    (1800..=2200).contains(&y).then_some(y)
}

/// How a table's key cells name territories: `key_pattern` (the code is its first group) and `city_keys`.
pub struct KeyRule {
    pattern: Option<regex::Regex>,
    city_keys: Vec<String>,
}

impl KeyRule {
    pub fn new(cfg: &TableSource) -> Result<Self, String> {
        let pattern = cfg
            .key_pattern
            .as_deref()
            .map(regex::Regex::new)
            .transpose()
            .map_err(|e| format!("field `key_pattern`: {e}"))?;
        let city_keys = cfg.city_keys.iter().map(|k| normalize_key(k)).collect();
        Ok(Self { pattern, city_keys })
    }

    /// The unit a key cell names, or `None` when it names none of the set.
    pub fn unit(&self, raw: &str, unit_set: &UnitSet) -> Option<UnitRef> {
        let code = match &self.pattern {
            Some(re) => re
                .captures(raw)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string()),
            None => Some(raw.to_string()),
        };
        let key = code.as_deref().map(normalize_key).unwrap_or_default();
        if self.city_keys.contains(&key) {
            Some(UnitRef::City)
        } else {
            unit_set.find(&key).map(UnitRef::Unit)
        }
    }
}

/// What the report says of the rows below the blank row a table stopped at (`stop_at_blank_row`).
pub enum BelowBlank {
    /// Some have codes of the unit set: they look like data, and are not read.
    Warning(String),
    /// None has: notes, most likely; still, the report says they were not read.
    Note(String),
}

/// The rows below the blank row a table stopped at, if any are not blank.
pub fn below_blank(
    table: &Table,
    cfg: &TableSource,
    unit_set: &UnitSet,
) -> Result<Option<BelowBlank>, String> {
    let Some((blank, below)) = &table.below_blank else {
        return Ok(None);
    };
    let (Some(first), Some(last)) = (below.first(), below.last()) else {
        return Ok(None);
    };
    let key_col = table.column(&cfg.key_column, "key_column")?;
    let keys = KeyRule::new(cfg)?;
    let coded = below
        .iter()
        .filter(|&&r| {
            keys.unit(&table.cell(r, key_col).text(), unit_set)
                .is_some()
        })
        .count();
    let file = table.file.display();
    let rows = if first == last {
        format!("row {first}")
    } else {
        format!("{} rows ({first}–{last})", below.len())
    };
    Ok(Some(if coded > 0 {
        BelowBlank::Warning(format!(
            "{file}: data ends at blank row {blank} (`stop_at_blank_row`), but {rows} below it, {coded} with codes \
             of `{}` in `{}`, are not read; set `stop_at_blank_row = false` if they are data",
            unit_set.id, cfg.key_column
        ))
    } else {
        BelowBlank::Note(format!(
            "{file}: data ends at blank row {blank} (`stop_at_blank_row`); {rows} below it, with no code of `{}`, \
             are not read",
            unit_set.id
        ))
    }))
}

/// Reads `rows` of a table into observations of `unit_set`, filling `report`.
pub fn observations(
    table: &Table,
    rows: &[usize],
    cfg: &TableSource,
    unit_set: &UnitSet,
    report: &mut IndicatorReport,
) -> Result<Vec<Observation>, String> {
    let key_col = table.column(&cfg.key_column, "key_column")?;
    let keys = KeyRule::new(cfg)?;
    let value_cols: Vec<(usize, Option<i32>)> = match cfg.layout {
        Layout::Wide => {
            let cols: Vec<_> = table
                .headers
                .iter()
                .enumerate()
                .filter_map(|(c, h)| {
                    let year = parse_year(&cfg.header_year(h)?)?;
                    let wanted = cfg.years.is_none_or(|[a, b]| (a..=b).contains(&year));
                    wanted.then_some((c, Some(year)))
                })
                .collect();
            if cols.is_empty() {
                let (field, named) = match &cfg.year_columns {
                    Some(p) => ("year_columns", format!("named `{p}`")),
                    None => ("layout", "that is a year (set `year_columns` if they have a prefix, e.g. `i_{year}`)".into()),
                };
                return Err(format!(
                    "field `{field}`: {} is `wide` but has no column {named}; columns are {:?}",
                    table.file.display(),
                    table
                        .headers
                        .iter()
                        .filter(|h| !h.is_empty())
                        .collect::<Vec<_>>()
                ));
            }
            cols
        }
        Layout::Long => vec![(
            table.column(
                cfg.value_column.as_deref().unwrap_or_default(),
                "value_column",
            )?,
            None,
        )],
    };
    let year_col = match cfg.layout {
        Layout::Long => Some(table.column(
            cfg.year_column.as_deref().unwrap_or_default(),
            "year_column",
        )?),
        Layout::Wide => None,
    };
    let mut cells: Cells = Vec::with_capacity(rows.len() * value_cols.len());
    let mut unmatched: BTreeMap<String, Vec<usize>> = BTreeMap::new();

    for &row in rows {
        report.rows_read += 1;
        let raw = table.cell(row, key_col).text();
        if cfg.skip_keys.iter().any(|k| k.eq_ignore_ascii_case(&raw)) {
            report.skipped_rows += 1;
            continue;
        }
        let Some(unit) = keys.unit(&raw, unit_set) else {
            unmatched.entry(raw).or_default().push(row);
            continue;
        };
        for &(col, header_year) in &value_cols {
            let year = match (header_year, year_col) {
                (Some(y), _) => y,
                (None, Some(yc)) => parse_year(&table.cell(row, yc).text()).ok_or_else(|| {
                    format!(
                        "{}: `{}` is not a year",
                        table.at(row, yc),
                        table.cell(row, yc).text()
                    )
                })?,
                (None, None) => return Err("field `year_column`: a `long` table needs it".into()),
            };
            let value = parse_value(table.cell(row, col), &cfg.values)
                .map_err(|e| format!("{}: {e}", table.at(row, col)))?;
            cells.push(((year, unit), (row, value)));
        }
    }

    report.unmatched = unmatched
        .into_iter()
        .map(|(code, rows)| Unmatched { code, rows })
        .collect();
    if cfg.unmatched == UnmatchedRule::Error && !report.unmatched.is_empty() {
        let codes: Vec<&str> = report.unmatched.iter().map(|u| u.code.as_str()).collect();
        return Err(format!(
            "field `unmatched`: {} has codes that match no unit of `{}`: {codes:?}",
            table.file.display(),
            unit_set.id
        ));
    }
    combine(cells, cfg.duplicates, unit_set, table, report)
}

fn combine(
    mut cells: Cells,
    rule: Duplicates,
    unit_set: &UnitSet,
    table: &Table,
    report: &mut IndicatorReport,
) -> Result<Vec<Observation>, String> {
    cells.sort_by_key(|c| c.0);
    let mut out = Vec::with_capacity(cells.len());
    for group in cells.chunk_by(|a, b| a.0 == b.0) {
        let (year, unit) = group[0].0;
        let parts = group;
        let row = u32::try_from(parts[0].1 .0).unwrap_or(u32::MAX);
        let value = if parts.len() == 1 {
            parts[0].1 .1
        } else {
            let code = unit_set.unit(unit).code.clone();
            let rows: Vec<usize> = parts.iter().map(|p| p.1 .0).collect();
            let (value, how) = match rule {
                Duplicates::Error => {
                    return Err(format!(
                        "field `duplicates`: {} has {} rows for code `{code}` and year {year} (rows {rows:?}); \
                         set `duplicates = \"sum\"` (or `first`, `last`) if that is expected",
                        table.file.display(),
                        rows.len()
                    ))
                }
                Duplicates::Sum => (parts.iter().map(|p| p.1 .1).sum::<Option<f64>>(), "sum"),
                Duplicates::First => (parts[0].1 .1, "first"),
                Duplicates::Last => (parts[parts.len() - 1].1 .1, "last"),
            };
            match report
                .duplicates
                .iter_mut()
                .find(|d| d.code == code && d.rows == rows)
            {
                Some(d) => d.years.push(year),
                None => report.duplicates.push(Duplicate {
                    code,
                    years: vec![year],
                    rows,
                    combined: how.into(),
                }),
            }
            value
        };
        match value {
            Some(_) => report.values += 1,
            None => report.nd += 1,
        }
        out.push(Observation {
            unit,
            year,
            value,
            row,
        });
    }
    report.years = out.first().zip(out.last()).map(|(a, b)| [a.year, b.year]);
    Ok(out)
}
