//! The tables behind downloads: a page of items, or the change between two years.

use super::{Kind, Table, Value};
use crate::features::change::Change;
use crate::features::collection::{Collection, Feature, SAMPLE_LABEL};
use crate::model::Indicator;
use serde_json::Value as J;

fn title(c: &Collection, extra: &str) -> String {
    let sample = if c.metadata["sample"].as_bool() == Some(true) {
        format!(" — {SAMPLE_LABEL}")
    } else {
        String::new()
    };
    let source = c.metadata["attribution"].as_str().unwrap_or_default();
    format!(
        "{}{extra}{sample}. Fuente: {source}. Descargado de ssepot.",
        c.title.split(" (MUESTRA").next().unwrap_or(&c.title)
    )
}

/// A page of items of any collection (territories or indicator), its properties as columns.
pub fn items_table(c: &Collection, features: &[Feature]) -> Table {
    let columns: Vec<(String, Kind)> = match features.first() {
        Some(f) => f
            .properties()
            .iter()
            .map(|(k, v)| {
                let kind = match (k.as_str(), v) {
                    ("value" | "area_km2", _) => Kind::Num,
                    (_, J::Bool(_)) => Kind::Bool,
                    (_, J::Number(n)) if n.is_i64() => Kind::Int,
                    (_, J::Number(_)) => Kind::Num,
                    _ => Kind::Text,
                };
                (spanish(k).to_string(), kind)
            })
            .collect(),
        None => vec![],
    };
    let rows = features
        .iter()
        .map(|f| {
            let row = f
                .properties()
                .values()
                .zip(&columns)
                .map(|(v, (_, kind))| match (kind, v) {
                    (Kind::Num, J::Number(n)) => Value::Num(n.as_f64()),
                    (Kind::Num, _) => Value::Num(None),
                    (Kind::Int, J::Number(n)) => Value::Int(n.as_i64().unwrap_or_default()),
                    (Kind::Bool, J::Bool(b)) => Value::Bool(*b),
                    (_, J::String(s)) => Value::Text(s.clone()),
                    (_, other) => Value::Text(other.to_string()),
                })
                .collect();
            (row, f.geometry.clone())
        })
        .collect();
    Table {
        name: c.id.clone(),
        title: title(c, ""),
        columns,
        rows,
    }
}

/// Column names as a Spanish spreadsheet shows them.
fn spanish(key: &str) -> &str {
    match key {
        "code" => "codigo",
        "name" => "territorio",
        "year" => "anio",
        "value" => "valor",
        "nd" => "nd",
        "value_kind" => "tipo_valor",
        "unit" => "unidad",
        "indicator" => "indicador",
        "sample" => "muestra",
        "area_km2" => "area_km2",
        other => other,
    }
}

/// The change between two years, one row per territory.
pub fn change_table(
    c: &Collection,
    ind: &Indicator,
    from: i32,
    to: i32,
    changes: &[Change],
) -> Table {
    let columns = [
        ("codigo", Kind::Text),
        ("territorio", Kind::Text),
        ("desde", Kind::Int),
        ("hasta", Kind::Int),
        ("valor_desde", Kind::Num),
        ("valor_hasta", Kind::Num),
        ("cambio", Kind::Num),
        ("cambio_pct", Kind::Num),
        ("nd", Kind::Bool),
        ("unidad", Kind::Text),
    ]
    .map(|(n, k)| (n.to_string(), k))
    .to_vec();
    let rows = changes
        .iter()
        .filter_map(|ch| {
            let unit = ind.unit_set.unit(ch.unit);
            let geometry = c.unit_geometry(&unit.key)?.geometry.clone();
            let row = vec![
                Value::Text(unit.code.clone()),
                Value::Text(unit.name.clone()),
                Value::Int(from.into()),
                Value::Int(to.into()),
                Value::Num(ch.value_from),
                Value::Num(ch.value_to),
                Value::Num(ch.change),
                Value::Num(ch.change_pct.map(|p| (p * 100.0).round() / 100.0)),
                Value::Bool(ch.nd()),
                Value::Text(ind.unit.clone()),
            ];
            Some((row, geometry))
        })
        .collect();
    Table {
        name: format!("{}_cambio_{from}_{to}", c.id),
        title: title(c, &format!(": cambio {from}–{to}")),
        columns,
        rows,
    }
}
