//! Change of an indicator between two years, per territory. A change is never computed from a missing or
//! `ND` value: then `change` and `change_pct` are `None` and `nd` is true.

use crate::model::{Indicator, UnitRef};

/// One territory's change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub unit: UnitRef,
    pub value_from: Option<f64>,
    pub value_to: Option<f64>,
    /// `value_to − value_from`.
    pub change: Option<f64>,
    /// Change relative to `value_from`, in percent; `None` when `value_from` is 0.
    pub change_pct: Option<f64>,
}

impl Change {
    pub fn nd(&self) -> bool {
        self.change.is_none()
    }
}

/// The change from `from` to `to` for every territory with a row in either year, in unit order.
///
/// ```
/// # use ssepot::features::change::Change;
/// # use ssepot::model::UnitRef;
/// let c = Change { unit: UnitRef::City, value_from: Some(200.0), value_to: Some(250.0), change: Some(50.0), change_pct: Some(25.0) };
/// assert!(!c.nd());
/// ```
pub fn changes(ind: &Indicator, from: i32, to: i32) -> Vec<Change> {
    let mut units: Vec<UnitRef> = ind
        .observations
        .iter()
        .filter(|o| o.year == from || o.year == to)
        .map(|o| o.unit)
        .collect();
    units.sort();
    units.dedup();
    units
        .into_iter()
        .map(|unit| {
            let value_from = ind.value(unit, from).flatten();
            let value_to = ind.value(unit, to).flatten();
            // Rounded to 1e-9 so 5.88 − 5.70 is 0.18, not 0.18000000000000016.
            let change = value_from
                .zip(value_to)
                .map(|(a, b)| ((b - a) * 1e9).round() / 1e9);
            let change_pct = value_from
                .zip(change)
                .filter(|(a, _)| *a != 0.0)
                .map(|(a, c)| 100.0 * c / a);
            Change {
                unit,
                value_from,
                value_to,
                change,
                change_pct,
            }
        })
        .collect()
}
