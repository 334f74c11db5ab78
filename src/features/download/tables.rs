//! The tables behind downloads: a page of items, or the change between two years.

use super::{Kind, Table, Value};
use crate::features::change::Change;
use crate::features::collection::{Collection, Feature, SAMPLE_LABEL};
use crate::model::Indicator;
use geo::MultiPolygon;
use serde_json::{Map, Value as J};
use std::sync::Arc;

fn title(c: &Collection, extra: &str) -> String {
    let sample = if c.metadata["sample"].as_bool() == Some(true) {
        format!(" — {SAMPLE_LABEL}")
    } else {
        String::new()
    };
    let source = c.metadata["attribution"].as_str().unwrap_or_default();
    // The boundary edition and the boundaries' licence, where the layer file states them (docs/territory.md).
    let t = &c.metadata["territory"];
    let edition = t["edition"]["name"]
        .as_str()
        .map(|e| {
            format!(
                " Límites: edición {e} (`{}`).",
                t["unit_set"].as_str().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let license = t["license"]
        .as_str()
        .map(|l| format!(" Licencia de los límites: {l}."))
        .unwrap_or_default();
    format!(
        "{}{extra}{sample}. Fuente: {source}.{edition}{license} Descargado de ssepot.",
        c.title.split(" (MUESTRA").next().unwrap_or(&c.title)
    )
}

/// A page of items of any collection (territories or indicator), its properties as columns.
pub fn items_table(c: &Collection, features: &[Feature]) -> Table {
    let rows = features
        .iter()
        .map(|f| (f.properties(), f.geometry.clone()))
        .collect();
    properties_table(c.id.clone(), title(c, ""), rows)
}

/// A feature's properties and its geometry.
type PropertiesRow = (Map<String, J>, Arc<MultiPolygon<f64>>);

/// Rows of JSON properties as a table, a column per property. A column's type is read from every row, not the
/// first: a column is whole numbers only if every value is one (`3` then `2.5` is a decimal column, never `2.5`
/// written as 0), and a missing value (`null`) is missing (`ND`, empty in GeoPackage) whatever the column.
fn properties_table(name: String, title: String, features: Vec<PropertiesRow>) -> Table {
    let keys: Vec<String> = features
        .first()
        .map(|(p, _)| p.keys().cloned().collect())
        .unwrap_or_default();
    let columns: Vec<(String, Kind)> = keys
        .iter()
        .map(|k| {
            let values = features.iter().filter_map(|(p, _)| p.get(k));
            (spanish(k).to_string(), column_kind(k, values))
        })
        .collect();
    let rows = features
        .into_iter()
        .map(|(p, geometry)| {
            let row = keys
                .iter()
                .zip(&columns)
                .map(|(k, (_, kind))| cell(*kind, p.get(k).unwrap_or(&J::Null)))
                .collect();
            (row, geometry)
        })
        .collect();
    Table {
        name,
        title,
        columns,
        rows,
    }
}

/// The type that holds every value of a column (`null`s aside): `value` and `area_km2` are always decimals.
fn column_kind<'a>(key: &str, values: impl Iterator<Item = &'a J>) -> Kind {
    if matches!(key, "value" | "area_km2") {
        return Kind::Num;
    }
    let mut kind = None;
    for v in values {
        let this = match v {
            J::Null => continue,
            J::Bool(_) => Kind::Bool,
            J::Number(n) if n.is_i64() => Kind::Int,
            J::Number(_) => Kind::Num,
            _ => Kind::Text,
        };
        kind = Some(match (kind, this) {
            (None, k) => k,
            (Some(a), b) if a == b => a,
            (Some(Kind::Int | Kind::Num), Kind::Int | Kind::Num) => Kind::Num,
            _ => Kind::Text,
        });
    }
    kind.unwrap_or(Kind::Text)
}

/// A value in a column of that type.
fn cell(kind: Kind, v: &J) -> Value {
    match (kind, v) {
        (_, J::Null) => Value::Num(None),
        (Kind::Num, J::Number(n)) => Value::Num(n.as_f64()),
        (Kind::Int, J::Number(n)) => n.as_i64().map_or(Value::Num(n.as_f64()), Value::Int),
        (Kind::Bool, J::Bool(b)) => Value::Bool(*b),
        (_, J::String(s)) => Value::Text(s.clone()),
        (_, other) => Value::Text(other.to_string()),
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
    let rows = changes
        .iter()
        .filter_map(|ch| {
            let unit = ind.unit_set.unit(ch.unit);
            let geometry = c.unit_geometry(&unit.key)?.geometry.clone();
            let values = [ch.value_from, ch.value_to, ch.change, ch.change_pct];
            Some((change_row(unit, ind, from, to, values), geometry))
        })
        .collect();
    Table {
        name: format!("{}_cambio_{from}_{to}", c.id),
        title: title(c, &format!(": cambio {from}–{to}")),
        columns: change_columns(),
        rows,
    }
}

/// The columns of a change between two years, one row per territory (`/change` downloads, also carried onto
/// another edition by a crosswalk, which adds its own columns after these).
pub fn change_columns() -> Vec<(String, Kind)> {
    [
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
    .to_vec()
}

/// One territory's cells of [`change_columns`]: `[value_from, value_to, change, change_pct]`; ND when the change
/// is not computed; the percentage to two decimals.
pub fn change_row(
    unit: &crate::model::Unit,
    ind: &Indicator,
    from: i32,
    to: i32,
    [value_from, value_to, change, change_pct]: [Option<f64>; 4],
) -> Vec<Value> {
    vec![
        Value::Text(unit.code.clone()),
        Value::Text(unit.name.clone()),
        Value::Int(from.into()),
        Value::Int(to.into()),
        Value::Num(value_from),
        Value::Num(value_to),
        Value::Num(change),
        Value::Num(change_pct.map(|p| (p * 100.0).round() / 100.0)),
        Value::Bool(change.is_none()),
        Value::Text(ind.unit.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(rows: &[J]) -> Table {
        let features = rows
            .iter()
            .map(|r| {
                (
                    r.as_object().unwrap().clone(),
                    Arc::new(MultiPolygon::new(vec![])),
                )
            })
            .collect();
        properties_table("t".into(), "T".into(), features)
    }

    #[test]
    fn a_column_whose_first_value_is_an_integer_keeps_the_decimals_of_later_rows() {
        let t = table(&[
            json!({"code": "01", "personas": 3, "ok": true}),
            json!({"code": "02", "personas": 2.5, "ok": false}),
            json!({"code": "03", "personas": null, "ok": null}),
        ]);
        assert_eq!(t.columns[1], ("personas".to_string(), Kind::Num));
        let personas: Vec<&Value> = t.rows.iter().map(|(r, _)| &r[1]).collect();
        assert_eq!(
            personas,
            [
                &Value::Num(Some(3.0)),
                &Value::Num(Some(2.5)),
                &Value::Num(None)
            ]
        );
        assert_eq!(
            t.rows[2].0[2],
            Value::Num(None),
            "an unset flag is missing (`ND`), not the text `null`"
        );
    }

    #[test]
    fn integer_columns_stay_integers_and_mixed_columns_become_text() {
        let t = table(&[
            json!({"anio": 2020, "nota": 1}),
            json!({"anio": 2021, "nota": "alta"}),
        ]);
        assert_eq!(t.columns[0].1, Kind::Int);
        assert_eq!(t.rows[1].0[0], Value::Int(2021));
        assert_eq!(t.columns[1].1, Kind::Text);
        assert_eq!(t.rows[0].0[1], Value::Text("1".into()));
        assert_eq!(t.rows[1].0[1], Value::Text("alta".into()));
    }
}
