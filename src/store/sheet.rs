//! The technical-sheet fields a change request (form DIES-058) may name, how each one's value is read, and how
//! a published value is laid over the sheet. One rule for the submission check and for the overlay, so a
//! value that passes review is one the sheet can take.

use crate::config::Direction;
use crate::model::Indicator;

/// How a field's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (not empty).
    Text,
    /// A number, with a decimal point or a decimal comma (`12.5`, `12,5`).
    Number,
    /// A year, 1800 to 2200.
    Year,
    /// `creciente` / `decreciente` (or `higher` / `lower`).
    Direction,
}

/// A sheet field a change may name.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The name a request uses (`target`).
    pub name: &'static str,
    /// The name the sheet shows (`Meta`).
    pub label: &'static str,
    pub kind: Kind,
}

const fn f(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { name, label, kind }
}

/// Every field of the technical sheet a change request covers, in the sheet's order.
pub const FIELDS: &[Field] = &[
    f("name", "Nombre", Kind::Text),
    f("definition", "Definición", Kind::Text),
    f("formula", "Fórmula", Kind::Text),
    f("variables", "Variables", Kind::Text),
    f("unit", "Unidad de medida", Kind::Text),
    f("direction", "Sentido", Kind::Direction),
    f("description", "Descripción", Kind::Text),
    f("system", "Sistema", Kind::Text),
    f("subsystem", "Subsistema", Kind::Text),
    f("office", "Dependencia responsable", Kind::Text),
    f("kind", "Tipo", Kind::Text),
    f("territorial_level", "Nivel territorial", Kind::Text),
    f("periodicity", "Periodicidad", Kind::Text),
    f("sources", "Fuentes", Kind::Text),
    f("origin", "Origen en el plan", Kind::Text),
    f("baseline_year", "Año de la línea base", Kind::Year),
    f("baseline_value", "Línea base", Kind::Number),
    f("target", "Meta", Kind::Number),
    f("target_year", "Año de la meta", Kind::Year),
    f("projected_from", "Valores proyectados desde", Kind::Year),
];

/// The field called `name`.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The names of every field, for error messages.
pub fn names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.name).collect()
}

/// A field's value, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Year(i32),
    Direction(Direction),
}

/// Reads `raw` as the field's value; the error says what the field takes.
///
/// ```
/// use ssepot::store::sheet::{field, parse, Value};
/// assert_eq!(parse(field("target").unwrap(), "12,5"), Ok(Value::Number(12.5)));
/// assert!(parse(field("target").unwrap(), "mucho").unwrap_err().contains("number"));
/// assert!(parse(field("target_year").unwrap(), "2023.5").is_err());
/// ```
pub fn parse(field: &Field, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("the new value is empty".into());
    }
    match field.kind {
        Kind::Text => Ok(Value::Text(t.to_string())),
        Kind::Number => t
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::Number)
            .ok_or_else(|| {
                format!(
                    "`{t}` is not a number (write it like `12,5` or `12.5`, no thousands separator)"
                )
            }),
        Kind::Year => t
            .parse::<i32>()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
            .map(Value::Year)
            .ok_or_else(|| format!("`{t}` is not a year (1800 to 2200)")),
        Kind::Direction => match t.to_lowercase().as_str() {
            "creciente" | "higher" => Ok(Value::Direction(Direction::Higher)),
            "decreciente" | "lower" => Ok(Value::Direction(Direction::Lower)),
            _ => Err(format!("`{t}` is neither `creciente` nor `decreciente`")),
        },
    }
}

/// Sets the field on the indicator's sheet.
pub fn apply(ind: &mut Indicator, field: &Field, value: Value) {
    let s = &mut ind.sheet;
    match (field.name, value) {
        ("name", Value::Text(v)) => ind.name = v,
        ("unit", Value::Text(v)) => ind.unit = v,
        ("description", Value::Text(v)) => ind.description = v,
        ("definition", Value::Text(v)) => s.definition = Some(v),
        ("formula", Value::Text(v)) => s.formula = Some(v),
        ("variables", Value::Text(v)) => s.variables = Some(v),
        ("system", Value::Text(v)) => s.system = Some(v),
        ("subsystem", Value::Text(v)) => s.subsystem = Some(v),
        ("office", Value::Text(v)) => s.office = Some(v),
        ("kind", Value::Text(v)) => s.kind = Some(v),
        ("territorial_level", Value::Text(v)) => s.territorial_level = Some(v),
        ("periodicity", Value::Text(v)) => s.periodicity = Some(v),
        ("sources", Value::Text(v)) => s.sources = Some(v),
        ("origin", Value::Text(v)) => s.origin = Some(v),
        ("direction", Value::Direction(d)) => s.direction = Some(d),
        ("baseline_year", Value::Year(y)) => s.baseline_year = Some(y),
        ("target_year", Value::Year(y)) => s.target_year = Some(y),
        ("projected_from", Value::Year(y)) => s.projected_from = Some(y),
        ("baseline_value", Value::Number(v)) => s.baseline_value = Some(v),
        ("target", Value::Number(v)) => s.target = Some(v),
        (name, v) => unreachable!("`{name}` was read as its own kind, not {v:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_a_value_of_its_kind_and_the_sheet_takes_it() {
        let snapshot = crate::ingest::load(std::path::Path::new("layers"), None).unwrap();
        let mut ind = (*snapshot.indicators[0]).clone();
        for f in FIELDS {
            let raw = match f.kind {
                Kind::Text => "texto nuevo",
                Kind::Number => "12,5",
                Kind::Year => "2031",
                Kind::Direction => "decreciente",
            };
            apply(&mut ind, f, parse(f, raw).unwrap());
        }
        assert_eq!(ind.sheet.target, Some(12.5));
        assert_eq!(ind.sheet.origin.as_deref(), Some("texto nuevo"));
        assert_eq!(ind.sheet.direction, Some(Direction::Lower));
    }
}
