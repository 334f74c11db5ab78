//! Tables as a grid of cells, whatever file they come from.
//!
//! CSV is read with the `csv` crate (UTF-8 with or without BOM, Windows-1252 as a fallback, separator
//! detected from the header line), spreadsheets (XLSX, XLS, ODS) with `calamine`, which keeps absolute
//! row numbers so `header_rows` are the numbers a spreadsheet shows, and anything else through GDAL/OGR
//! (row 1 is then the field names).

use std::path::Path;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }

    /// The cell as text: numbers without a needless `.0`.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// Rows of cells; `rows[0]` is spreadsheet row 1.
#[derive(Debug, Default)]
pub struct Grid {
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// The cell at a 1-based row and 0-based column; `Empty` outside the data.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row.wrapping_sub(1))
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    pub fn is_blank_row(&self, row: usize) -> bool {
        self.rows
            .get(row.wrapping_sub(1))
            .is_none_or(|r| r.iter().all(Cell::is_empty))
    }
}

/// Reads a table file into a grid.
pub fn read_grid(
    path: &Path,
    sheet: Option<&str>,
    delimiter: Option<char>,
) -> Result<Grid, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => read_csv(path, delimiter),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => read_spreadsheet(path, sheet),
        _ => read_gdal(path, sheet),
    }
}

fn read_csv(path: &Path, delimiter: Option<char>) -> Result<Grid, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        // Excel in a Spanish locale may save "CSV" as Windows-1252; its accented letters are Latin-1.
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(u8::try_from(delimiter).map_err(|_| "delimiter must be ASCII".to_string())?)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        rows.push(
            record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid { rows })
}

fn detect_delimiter(text: &str) -> char {
    let first = text.lines().next().unwrap_or("");
    [';', ',', '\t', '|']
        .into_iter()
        .max_by_key(|d| first.matches(*d).count())
        .unwrap_or(',')
}

fn read_spreadsheet(path: &Path, sheet: Option<&str>) -> Result<Grid, String> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => return Err(format!("no sheet `{s}`; sheets are {names:?}")),
        None => names.first().cloned().ok_or("the workbook has no sheets")?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); row0 as usize];
    for r in range.rows() {
        let mut row = vec![Cell::Empty; col0 as usize];
        row.extend(r.iter().map(|d| match d {
            Data::Empty => Cell::Empty,
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::String(s) => Cell::Text(s.clone()),
            other => Cell::Text(other.to_string()),
        }));
        rows.push(row);
    }
    Ok(Grid { rows })
}

fn read_gdal(path: &Path, layer: Option<&str>) -> Result<Grid, String> {
    use gdal::vector::{FieldValue, LayerAccess};
    super::gdal_messages::capture();
    super::gdal_messages::take_error();
    let ds = gdal::Dataset::open(path).map_err(|e| e.to_string())?;
    let mut lyr = match layer {
        Some(name) => ds.layer_by_name(name),
        None => ds.layer(0),
    }
    .map_err(|e| e.to_string())?;
    let names: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    if names.is_empty() {
        // A VRT whose source does not open still opens, with no fields: GDAL's message says why.
        let why =
            super::gdal_messages::take_error().unwrap_or_else(|| "the layer has no fields".into());
        return Err(format!("GDAL: {why}"));
    }
    let mut rows = vec![names
        .iter()
        .map(|n| Cell::Text(n.clone()))
        .collect::<Vec<_>>()];
    for feature in lyr.features() {
        // GDAL reads an unset field (a GeoJSON feature without the property, an empty cell of a typed CSV) as 0
        // through its typed getters; as text it is empty, like a null. Both are missing values, never 0.
        let row = (0..names.len())
            .map(|i| match feature.field_as_string(i).ok().flatten() {
                None => Cell::Empty,
                Some(text) if text.is_empty() => Cell::Empty,
                Some(text) => match feature.field(i) {
                    Ok(Some(FieldValue::RealValue(v))) => Cell::Number(v),
                    Ok(Some(FieldValue::IntegerValue(v))) => Cell::Number(v.into()),
                    Ok(Some(FieldValue::Integer64Value(v))) => Cell::Number(v as f64),
                    _ => Cell::Text(text),
                },
            })
            .collect();
        rows.push(row);
    }
    Ok(Grid { rows })
}
