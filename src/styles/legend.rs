//! The legend of an indicator's map for a year: classes with colours, labels and counts, and the `ND` class.

use super::classify::{breaks, class_of, Method};
use super::palette::{sequential, ND_COLOR};
use crate::model::{Indicator, UnitRef};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct LegendClass {
    pub min: f64,
    pub max: f64,
    pub color: String,
    pub label: String,
    /// Territories in this class in the legend's year.
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NdClass {
    pub color: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Legend {
    pub indicator: String,
    pub name: String,
    pub year: i32,
    pub unit: String,
    pub method: String,
    /// Vector-tile property the classes apply to (`{indicator}_{year}`).
    pub property: String,
    /// Values are on the municipal outline (layer `{unit_set}_ciudad`), not on territories.
    pub city_level: bool,
    pub sample: bool,
    pub classes: Vec<LegendClass>,
    pub nd: NdClass,
}

/// Decimals that tell class limits apart.
fn decimals_for(edges: &[f64]) -> usize {
    let span = edges.last().unwrap_or(&0.0) - edges.first().unwrap_or(&0.0);
    match span.abs() {
        s if s >= 100.0 => 0,
        s if s >= 10.0 => 1,
        _ => 2,
    }
}

/// Labels `a – b` for classes between edges, in Spanish number format.
pub fn labels(edges: &[f64]) -> Vec<String> {
    let d = decimals_for(edges);
    edges
        .windows(2)
        .map(|w| {
            format!(
                "{} – {}",
                crate::format::trimmed(w[0], d),
                crate::format::trimmed(w[1], d)
            )
        })
        .collect()
}

/// Is the indicator reported on the municipality only?
pub fn is_city_level(ind: &Indicator) -> bool {
    ind.observations.iter().all(|o| o.unit == UnitRef::City)
}

impl Legend {
    /// Classes from all years' values (so a colour means the same in every year), counts for `year`.
    pub fn new(ind: &Indicator, year: i32, method: Method, classes: usize) -> Self {
        let city_level = is_city_level(ind);
        let values: Vec<f64> = ind.observations.iter().filter_map(|o| o.value).collect();
        let mut edges = breaks(&values, method, classes, &ind.style.breaks);
        // Inner limits as the labels show them, so a label and its filter agree.
        let d = decimals_for(&edges);
        let n = edges.len();
        for e in edges.iter_mut().take(n.saturating_sub(1)).skip(1) {
            let scale = 10f64.powi(d as i32);
            *e = (*e * scale).round() / scale;
        }
        let colors = sequential(edges.len().saturating_sub(1));
        let this_year: Vec<Option<f64>> = if city_level {
            vec![ind.value(UnitRef::City, year).flatten()]
        } else {
            (0..ind.unit_set.units.len())
                .map(|i| ind.value(UnitRef::Unit(i), year).flatten())
                .collect()
        };
        let classes = edges
            .windows(2)
            .zip(labels(&edges))
            .enumerate()
            .map(|(i, (w, label))| LegendClass {
                min: w[0],
                max: w[1],
                color: colors[i.min(colors.len() - 1)].to_string(),
                label,
                count: this_year
                    .iter()
                    .flatten()
                    .filter(|v| class_of(&edges, **v) == Some(i))
                    .count(),
            })
            .collect();
        Self {
            indicator: ind.id.clone(),
            name: ind.name.clone(),
            year,
            unit: ind.unit.clone(),
            method: method.name().into(),
            property: format!("{}_{year}", ind.id),
            city_level,
            sample: ind.sample,
            classes,
            nd: NdClass {
                color: ND_COLOR.into(),
                label: "Sin dato (ND)".into(),
                count: this_year.iter().filter(|v| v.is_none()).count(),
            },
        }
    }
}

impl Legend {
    /// The colour of a value, by the rule the web map's `step` expression applies to these classes: the first
    /// class's colour, then that of the last class whose `min` the value reaches; `ND` has its own colour.
    pub fn color_of(&self, value: Option<f64>) -> &str {
        let Some(v) = value else {
            return &self.nd.color;
        };
        self.classes
            .iter()
            .skip(1)
            .rfind(|c| v >= c.min)
            .or(self.classes.first())
            .map_or(self.nd.color.as_str(), |c| c.color.as_str())
    }
}

/// Class limits centred on zero for a diverging map of changes: ±20 % and ±60 % of the largest change. When no
/// territory changed (or no change is computed, every one `ND`), one neutral class `Sin cambio` at 0: five classes
/// between −0 and 0 would be no scale at all.
pub fn change_legend(values: &[f64]) -> serde_json::Value {
    use serde_json::json;
    let nd = json!({ "color": ND_COLOR, "label": "Sin dato (ND): no se calcula cambio" });
    let method = "diverging, centred on zero";
    let m = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 {
        let neutral = super::palette::diverging(1)[0];
        let classes = [json!({ "min": 0.0, "max": 0.0, "color": neutral, "label": "Sin cambio" })];
        return json!({ "method": method, "classes": classes, "nd": nd });
    }
    let edges = [-m, -0.6 * m, -0.2 * m, 0.2 * m, 0.6 * m, m];
    let colors = super::palette::diverging(5);
    let classes: Vec<serde_json::Value> = edges
        .windows(2)
        .zip(colors)
        .map(|(w, c)| json!({ "min": w[0], "max": w[1], "color": c }))
        .collect();
    json!({ "method": method, "classes": classes, "nd": nd })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_labels_are_spanish() {
        assert_eq!(crate::format::trimmed(2518480.0, 0), "2.518.480");
        assert_eq!(crate::format::trimmed(3.5, 2), "3,5");
        assert_eq!(
            labels(&[0.0, 1500.0, 3000.0]),
            vec!["0 – 1.500", "1.500 – 3.000"]
        );
        assert_eq!(labels(&[2.31, 4.5, 9.93]), vec!["2,31 – 4,5", "4,5 – 9,93"]);
    }
}
