//! Time series of an indicator per territory, without geometry: one request answers "the series of comuna Z"
//! or "every territory's series" (for charts, rankings and spreadsheets).

use crate::model::{normalize_key, Indicator, UnitRef};
use serde_json::{json, Map, Value};

/// Every territory (or the one with `code`) with its values by year; `null` is `ND`, a missing year has no row.
pub fn series(ind: &Indicator, code: Option<&str>) -> Value {
    let set = &ind.unit_set;
    let wanted = code.map(normalize_key);
    // One pass over the observations, grouped by unit (units in set order, the city last).
    let mut by_unit: std::collections::BTreeMap<UnitRef, Map<String, Value>> =
        std::collections::BTreeMap::new();
    for o in &ind.observations {
        if wanted.as_ref().is_none_or(|k| set.unit(o.unit).key == *k) {
            by_unit.entry(o.unit).or_default().insert(
                o.year.to_string(),
                o.value.map_or(Value::Null, |v| json!(v)),
            );
        }
    }
    let rows: Vec<Value> = by_unit
        .into_iter()
        .map(|(r, values)| {
            let unit = set.unit(r);
            json!({ "code": unit.code, "name": unit.name, "values": values })
        })
        .collect();
    json!({
        "indicator": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "sample": ind.sample,
        // One indicator's values are on one unit set, so a series never mixes boundary editions; it says which.
        "territory": {
            "unit_set": set.id,
            "level": set.level,
            "edition": set.edition,
        },
        "years": ind.years(),
        "rows": rows,
    })
}
