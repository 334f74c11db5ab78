//! Reading an uploaded CSV or XLSX into rows, with the layer-table readers ([`crate::ingest::cells`]).
//!
//! 1. The file's extension picks the reader (`.csv`, `.xlsx`); anything else is refused.
//! 2. An XLSX is a zip: every entry is decompressed into nothing first, counting the bytes that actually come
//!    out, and a file that would expand beyond [`MAX_EXPANDED`] is refused before `calamine` reads it (a zip
//!    bomb declares small sizes and lies; counting does not trust the declaration).
//! 3. The grid is read as layer tables are (BOM, Windows-1252, `;` or `,` separators; absolute spreadsheet
//!    rows), the header is the first non-blank row, and the columns are found by name.

use super::check::{FieldNames, RawValue};
use crate::ingest::cells::read_grid;
use std::io::{Cursor, Read};

/// The most an XLSX may expand to: 100 MB of XML.
pub const MAX_EXPANDED: u64 = 100 * 1024 * 1024;

/// Why an upload cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Too big, as sent or once expanded.
    #[error("field `file`: {0}")]
    TooLarge(String),
    #[error("field `{field}`: {message}")]
    Invalid { field: String, message: String },
}

fn invalid(field: &str, message: impl Into<String>) -> UploadError {
    UploadError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Accepted column names (compared without case or accents) for each field.
const INDICATOR: &[&str] = &["indicador", "codigo indicador", "indicator", "id indicador"];
const TERRITORY: &[&str] = &[
    "territorio",
    "codigo territorio",
    "codigo",
    "comuna",
    "territory",
];
const YEAR: &[&str] = &["ano", "anio", "year", "vigencia"];
const VALUE: &[&str] = &["valor", "value", "dato"];

/// The rows of an upload and the names its columns have (for messages).
#[derive(Debug)]
pub struct Upload {
    pub rows: Vec<RawValue>,
    pub names: [String; 4],
}

impl Upload {
    pub fn field_names(&self) -> FieldNames<'_> {
        FieldNames {
            indicator: &self.names[0],
            territory: &self.names[1],
            year: &self.names[2],
            value: &self.names[3],
        }
    }
}

/// Reads an uploaded file. Blocking (file and zip work): call it off the async threads.
pub fn read(bytes: &[u8], filename: &str) -> Result<Upload, UploadError> {
    let ext = std::path::Path::new(filename)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "csv" | "xlsx") {
        return Err(invalid(
            "file",
            format!("`{filename}` is not a .csv or .xlsx file"),
        ));
    }
    if ext == "xlsx" {
        check_zip(bytes)?;
    }
    let dir = tempfile::tempdir().map_err(|e| invalid("file", format!("cannot stage: {e}")))?;
    let path = dir.path().join(format!("upload.{ext}"));
    std::fs::write(&path, bytes).map_err(|e| invalid("file", format!("cannot stage: {e}")))?;
    let grid = read_grid(&path, None, None)
        .map_err(|e| invalid("file", format!("`{filename}` cannot be read: {e}")))?;
    let header = (1..=grid.rows.len())
        .find(|&r| !grid.is_blank_row(r))
        .ok_or_else(|| invalid("file", format!("`{filename}` is empty")))?;
    let headers: Vec<String> = (0..grid.width())
        .map(|c| grid.cell(header, c).text())
        .collect();
    let find = |accepted: &[&str], what: &str| {
        headers
            .iter()
            .position(|h| accepted.contains(&fold(h).as_str()))
            .ok_or_else(|| {
                invalid(
                    "file",
                    format!(
                        "`{filename}` has no {what} column (one of {accepted:?}) in its header, row {header}; columns are {:?}",
                        headers.iter().filter(|h| !h.is_empty()).collect::<Vec<_>>()
                    ),
                )
            })
    };
    let cols = [
        find(INDICATOR, "indicator")?,
        find(TERRITORY, "territory")?,
        find(YEAR, "year")?,
        find(VALUE, "value")?,
    ];
    let rows = (header + 1..=grid.rows.len())
        .filter(|&r| !grid.is_blank_row(r))
        .map(|r| RawValue {
            row: r,
            indicator: grid.cell(r, cols[0]).clone(),
            territory: grid.cell(r, cols[1]).clone(),
            year: grid.cell(r, cols[2]).clone(),
            value: grid.cell(r, cols[3]).clone(),
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        return Err(invalid(
            "file",
            format!("`{filename}` has a header but no rows"),
        ));
    }
    Ok(Upload {
        rows,
        names: cols.map(|c| headers[c].clone()),
    })
}

/// Lower case without accents, for matching column names.
fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            '_' => ' ',
            c => c,
        })
        .collect()
}

/// Refuses a zip that is not one, or that expands beyond [`MAX_EXPANDED`], by decompressing and counting.
fn check_zip(bytes: &[u8]) -> Result<(), UploadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| invalid("file", format!("not an XLSX file (not a zip archive: {e})")))?;
    if zip.len() > 10_000 {
        return Err(UploadError::TooLarge(format!(
            "the XLSX holds {} parts; a workbook of values has a few dozen",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| invalid("file", format!("the XLSX is damaged: {e}")))?;
        let mut limited = entry.take(MAX_EXPANDED - total + 1);
        let n = std::io::copy(&mut limited, &mut std::io::sink())
            .map_err(|e| invalid("file", format!("the XLSX is damaged: {e}")))?;
        total += n;
        if total > MAX_EXPANDED {
            return Err(UploadError::TooLarge(format!(
                "the XLSX expands to more than {} MB (a compressed bomb or not a table of values)",
                MAX_EXPANDED / 1024 / 1024
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::cells::Cell;

    #[test]
    fn a_csv_with_spanish_headers_and_semicolons_is_read() {
        let csv = "Indicador;Código territorio;Año;Valor\nhomicidios;01;2024;12,5\nhomicidios;16;2024;ND\n";
        let up = read(csv.as_bytes(), "datos.csv").unwrap();
        assert_eq!(up.rows.len(), 2);
        assert_eq!(up.rows[0].row, 2);
        assert_eq!(up.rows[0].value, Cell::Text("12,5".into()));
        assert_eq!(up.names[1], "Código territorio");
    }

    #[test]
    fn a_missing_column_names_the_column() {
        let err = read(b"indicador;territorio;valor\nx;1;2\n", "x.csv").unwrap_err();
        assert!(err.to_string().contains("year column"), "{err}");
    }

    #[test]
    fn other_extensions_and_fake_xlsx_are_refused() {
        assert!(read(b"a", "x.ods")
            .unwrap_err()
            .to_string()
            .contains("field `file`"));
        assert!(read(b"not a zip", "x.xlsx")
            .unwrap_err()
            .to_string()
            .contains("not a zip"));
    }
}
