//! CSV as Excel in a Spanish locale reads it: UTF-8 with a byte-order mark, `;` between fields, decimal comma,
//! no thousands separator, `ND` for missing values.

use super::{Table, Value};

pub fn write_csv(table: &Table) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(table.columns.iter().map(|(n, _)| n.as_str()))
            .expect("writing to memory");
        for (row, _) in &table.rows {
            let fields: Vec<String> = row
                .iter()
                .map(|v| match v {
                    Value::Text(s) => s.clone(),
                    Value::Int(i) => i.to_string(),
                    Value::Num(n) => crate::format::csv(*n),
                    Value::Bool(b) => if *b { "sí" } else { "no" }.into(),
                })
                .collect();
            w.write_record(&fields).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}
