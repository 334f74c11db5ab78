//! XLSX with `rust_xlsxwriter`: a title row, a bold header, numbers as numbers, `ND` as text.

use super::{Table, Value};
use rust_xlsxwriter::{Format, Workbook};

pub fn write_xlsx(table: &Table) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let name: String = table
        .name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(&name).map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(0, 0, &table.title, &bold)
        .map_err(|e| e.to_string())?;
    for (c, (n, _)) in table.columns.iter().enumerate() {
        sheet
            .write_string_with_format(2, c as u16, n, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (r, (row, _)) in table.rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Text(s) => sheet.write_string(r, c, s),
                Value::Int(i) => sheet.write_number(r, c, *i as f64),
                Value::Num(Some(n)) => sheet.write_number(r, c, *n),
                Value::Num(None) => sheet.write_string(r, c, crate::format::ND),
                Value::Bool(b) => sheet.write_boolean(r, c, *b),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    sheet.autofit();
    wb.save_to_buffer().map_err(|e| e.to_string())
}
