//! Time series of an indicator per territory, without geometry: one request answers "the series of comuna Z"
//! or "every territory's series" (for charts, rankings and spreadsheets).

use crate::model::{normalize_key, Indicator, UnitRef};
use serde_json::{json, Map, Value};

/// Every territory (or the one with `code`) with its values by year; `null` is `ND`, a missing year has no row.
pub fn series(ind: &Indicator, code: Option<&str>) -> Value {
    let set = &ind.unit_set;
    let mut refs: Vec<UnitRef> = (0..set.units.len()).map(UnitRef::Unit).collect();
    refs.push(UnitRef::City);
    let wanted = code.map(normalize_key);
    let rows: Vec<Value> = refs
        .into_iter()
        .filter(|r| wanted.as_ref().is_none_or(|k| set.unit(*r).key == *k))
        .filter_map(|r| {
            let values: Map<String, Value> = ind
                .observations
                .iter()
                .filter(|o| o.unit == r)
                .map(|o| {
                    (
                        o.year.to_string(),
                        o.value.map_or(Value::Null, |v| json!(v)),
                    )
                })
                .collect();
            let unit = set.unit(r);
            (!values.is_empty())
                .then(|| json!({ "code": unit.code, "name": unit.name, "values": values }))
        })
        .collect();
    json!({
        "indicator": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "sample": ind.sample,
        "years": ind.years(),
        "rows": rows,
    })
}
