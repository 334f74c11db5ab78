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
                    Value::Num(Some(n)) => decimal_comma(*n),
                    Value::Num(None) => "ND".into(),
                    Value::Bool(b) => if *b { "sí" } else { "no" }.into(),
                })
                .collect();
            w.write_record(&fields).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// `1234.5` → `1234,5`; up to 6 decimals, trailing zeros dropped.
fn decimal_comma(n: f64) -> String {
    let s = format!("{n:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_use_a_comma_and_no_thousands_separator() {
        assert_eq!(super::decimal_comma(214585.0), "214585");
        assert_eq!(super::decimal_comma(-3.75), "-3,75");
        assert_eq!(super::decimal_comma(5.4933), "5,4933");
    }
}
