//! Tables as a grid of cells, whatever file they come from.
//!
//! CSV is read with the `csv` crate (UTF-8 with or without BOM, else Windows-1252 decoded by `encoding_rs`;
//! separator detected from the first lines, title lines above the header included), spreadsheets (XLSX, XLS, ODS) with `calamine`, which keeps absolute
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
    // One line ending, so the reader's line count (which puts empty lines back as rows, below) is exact.
    let text = decode(&bytes).replace("\r\n", "\n");
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(u8::try_from(delimiter).map_err(|_| "delimiter must be ASCII".to_string())?)
        .from_reader(text.as_bytes());
    // The `csv` crate skips empty lines; a spreadsheet shows them as rows, and row numbers in messages must be
    // the spreadsheet's, so the empty lines a record was preceded by (the lines it spans beyond its own) are put
    // back as empty rows.
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut line = reader.position().line();
    while reader.read_record(&mut record).map_err(|e| e.to_string())? {
        let end = reader.position().line();
        let own = 1 + record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>() as u64;
        let empty_lines = (end - line).saturating_sub(own);
        rows.extend((0..empty_lines).map(|_| Vec::new()));
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
        line = end;
    }
    Ok(Grid { rows })
}

/// UTF-8 (with or without BOM) as it is; anything else as Windows-1252, which Excel in a Spanish locale writes
/// for "CSV": its `–`, `€` and curly quotes (0x80–0x9F) are not Latin-1's control characters.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The separator used most on any of the first lines: an office's table may carry a title line or two, without
/// separators, above its header.
fn detect_delimiter(text: &str) -> char {
    let count = |d: char| {
        text.lines()
            .take(20)
            .map(|l| l.matches(d).count())
            .max()
            .unwrap_or(0)
    };
    [';', ',', '\t', '|']
        .into_iter()
        .rev()
        .max_by_key(|d| count(*d))
        .filter(|d| count(*d) > 0)
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
    let mut lyr = super::gdal_layer::open_layer(&ds, layer)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &[u8]) -> Grid {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        read_grid(&path, None, None).unwrap()
    }

    #[test]
    fn an_empty_line_is_a_blank_row_so_row_numbers_stay_the_spreadsheets() {
        let g = grid(b"a;b\n1;2\n\n3;4\n;\n5;\"x\ny\"\n6;7\n");
        assert_eq!(g.cell(4, 0), &Cell::Text("3".into()));
        assert!(g.is_blank_row(3) && g.is_blank_row(5));
        assert_eq!(
            g.cell(6, 1),
            &Cell::Text("x\ny".into()),
            "a quoted line break is one row"
        );
        assert_eq!(g.cell(7, 0), &Cell::Text("6".into()));
    }

    #[test]
    fn crlf_lines_and_a_last_line_with_another_ending_are_rows_in_order() {
        let g = grid(b"a,b\r\n1,2\r\n\r\n3,4\r\n5,6\n7,8\n");
        assert_eq!(g.cell(2, 0), &Cell::Text("1".into()));
        assert!(g.is_blank_row(3));
        assert_eq!(g.cell(4, 0), &Cell::Text("3".into()));
        assert_eq!(g.cell(5, 0), &Cell::Text("5".into()));
        assert_eq!(g.cell(6, 0), &Cell::Text("7".into()));
        assert_eq!(g.rows.len(), 6);
    }

    #[test]
    fn windows_1252_is_decoded_as_windows_1252_not_latin_1() {
        let g = grid(b"n\n\x93Bel\xe9n\x94 \x96 5 \x80\n");
        assert_eq!(g.cell(2, 0), &Cell::Text("“Belén” – 5 €".into()));
    }

    #[test]
    fn the_separator_is_found_below_a_title_line() {
        let g = grid("Hogares por barrio, 2023\nBarrio;Valor\n1;2,5\n".as_bytes());
        assert_eq!(g.cell(3, 1), &Cell::Text("2,5".into()));
    }
}
