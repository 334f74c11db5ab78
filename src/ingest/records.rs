//! Plain tables of records (the SSEPOT's sheets, commitments, PDD tables): the first row names the columns,
//! and every problem names the file, row and column.
//!
//! Blank rows are skipped, not an end: offices separate groups of rows with them (one per strategic line or
//! system), and a table that stopped at the first would drop every row below without a word. Anything that is
//! not blank is a record, so a note written below the table is an error naming its row, never data lost.

use super::cells::{read_grid, Cell, Grid};
use super::values::parse_value;
use crate::config::ValueFormat;
use crate::ssepot::config::RecordTable;
use std::path::{Path, PathBuf};

/// A table read into rows of cells under named columns.
pub struct Records {
    pub file: PathBuf,
    pub headers: Vec<String>,
    grid: Grid,
    /// 1-based numbers of the data rows, as a spreadsheet shows them.
    pub rows: Vec<usize>,
    /// Data rows that follow a blank row (a note below the table is one): their errors say so.
    after_blank: Vec<usize>,
    values: ValueFormat,
}

impl Records {
    /// Reads the table a layer file declares (its path relative to the layer file).
    pub fn read(layer_file: &Path, cfg: &RecordTable) -> Result<Self, String> {
        let file = layer_file
            .parent()
            .unwrap_or(Path::new("."))
            .join(&cfg.path);
        let grid = read_grid(&file, cfg.sheet.as_deref(), cfg.delimiter)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let headers = (0..grid.width()).map(|c| grid.cell(1, c).text()).collect();
        let rows: Vec<usize> = (2..=grid.rows.len())
            .filter(|&r| !grid.is_blank_row(r))
            .collect();
        let after_blank = rows
            .iter()
            .copied()
            .filter(|&r| r > 2 && grid.is_blank_row(r - 1))
            .collect();
        Ok(Self {
            file,
            headers,
            grid,
            rows,
            after_blank,
            values: cfg.values.clone(),
        })
    }

    /// The index of a column, or an error listing the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "{}: no column `{name}`; the columns are {:?}",
                self.file.display(),
                self.headers
            )
        })
    }

    fn cell(&self, row: usize, col: usize) -> &Cell {
        self.grid.cell(row, col)
    }

    /// `file, row N, column `X`: why`, and a hint when the row follows a blank row (a note below the table).
    fn fail(&self, row: usize, name: &str, why: &str) -> String {
        let hint = if self.after_blank.contains(&row) {
            " (this row is below a blank row: blank rows separate groups of records and do not end the table, \
             so a note written under it is read as a record; keep notes on another sheet)"
        } else {
            ""
        };
        format!(
            "{}, row {row}, column `{name}`: {why}{hint}",
            self.file.display()
        )
    }

    /// The text of a cell (empty string when empty).
    pub fn text(&self, row: usize, name: &str) -> Result<String, String> {
        Ok(self.cell(row, self.column(name)?).text())
    }

    /// A text that must not be empty.
    pub fn required(&self, row: usize, name: &str) -> Result<String, String> {
        let t = self.text(row, name)?;
        if t.is_empty() {
            return Err(self.fail(row, name, "empty; a value is required"));
        }
        Ok(t)
    }

    /// A number, `None` for `ND` or an empty cell.
    pub fn number(&self, row: usize, name: &str) -> Result<Option<f64>, String> {
        let col = self.column(name)?;
        parse_value(self.cell(row, col), &self.values).map_err(|e| self.fail(row, name, &e))
    }

    /// A number that must be there.
    pub fn required_number(&self, row: usize, name: &str) -> Result<f64, String> {
        self.number(row, name)?
            .ok_or_else(|| self.fail(row, name, "a number is required, not `ND` or empty"))
    }

    /// `sí`/`si`/`x` is true, `no` or empty false; anything else is an error.
    pub fn flag(&self, row: usize, name: &str) -> Result<bool, String> {
        match self.text(row, name)?.to_lowercase().as_str() {
            "sí" | "si" | "x" => Ok(true),
            "no" | "" => Ok(false),
            other => Err(self.fail(row, name, &format!("`{other}` is neither `sí` nor `no`"))),
        }
    }

    /// Columns whose header is `{prefix}YYYY`, with their year.
    pub fn year_columns(&self, prefix: &str) -> Vec<(i32, String)> {
        self.headers
            .iter()
            .filter_map(|h| {
                let y = h.strip_prefix(prefix)?.trim();
                (y.len() == 4)
                    .then(|| y.parse().ok())
                    .flatten()
                    .map(|y| (y, h.clone()))
            })
            .collect()
    }
}
