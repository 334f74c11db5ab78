//! Progress maps: for each indicator with values by territory, a baseline and a target, a collection of its
//! percentage progress towards the target (`avance_{id}`) — with tiles, a style whose classes are the
//! declared bands, and a place on the web map like any other indicator.

use super::percent;
use crate::config::{Direction, StyleConfig};
use crate::model::{Indicator, Observation, UnitRef};
use crate::ssepot::config::ProgressConfig;
use std::sync::Arc;

use super::PREFIX;

/// The progress collection of an indicator, if it has values by territory, a baseline and a target.
pub fn progress_indicator(ind: &Indicator, cfg: &ProgressConfig) -> Option<Indicator> {
    let s = &ind.sheet;
    let baseline = s
        .baseline_value
        .or_else(|| ind.baselines.first().map(|(_, b)| *b))?;
    let (target_year, target) = match (s.target, s.targets.last()) {
        (Some(t), _) => (s.target_year, t),
        (None, Some(t)) => (Some(t.year), t.value),
        _ => return None,
    };
    if !ind
        .observations
        .iter()
        .any(|o| matches!(o.unit, UnitRef::Unit(_)))
    {
        return None;
    }
    let direction = s.direction.unwrap_or(if target < baseline {
        Direction::Lower
    } else {
        Direction::Higher
    });
    let observations: Vec<Observation> = ind
        .observations
        .iter()
        .map(|o| Observation {
            value: o
                .value
                .zip(ind.baseline(o.unit))
                .map(|(v, baseline)| percent(baseline, target, v, direction, cfg.cap)),
            ..*o
        })
        .collect();
    let mut breaks: Vec<f64> = cfg
        .bands
        .iter()
        .map(|b| b.min)
        .filter(|m| *m > 0.0)
        .collect();
    breaks.sort_by(f64::total_cmp);
    let mut sheet = s.clone();
    sheet.kind = Some("Avance hacia la meta".into());
    Some(Indicator {
        id: format!("{PREFIX}{}", ind.id),
        code: ind.code.as_ref().map(|c| format!("{c} (avance)")),
        name: format!("Avance hacia la meta: {}", ind.name),
        unit: "% de avance".into(),
        description: format!(
            "Porcentaje del camino de la línea base ({}) a la meta ({target}{}) recorrido por cada territorio, en el sentido del indicador; bandas alto/medio/bajo según el archivo de capas.",
            if ind.baselines.is_empty() {
                baseline.to_string()
            } else {
                "la de cada territorio".into()
            },
            target_year.map(|y| format!(", {y}")).unwrap_or_default()
        ),
        sheet,
        observations,
        style: StyleConfig {
            method: crate::config::ClassMethod::Manual,
            classes: breaks.len() + 1,
            breaks,
        },
        ..ind.clone()
    })
}

/// Adds the progress collections of every eligible indicator after it.
pub fn add_progress(indicators: &mut Vec<Arc<Indicator>>, cfg: &ProgressConfig) {
    let taken: std::collections::BTreeSet<String> =
        indicators.iter().map(|i| i.id.clone()).collect();
    let mut out = Vec::with_capacity(indicators.len() * 2);
    for ind in indicators.drain(..) {
        let extra = if ind.id.starts_with(PREFIX) || taken.contains(&format!("{PREFIX}{}", ind.id))
        {
            None
        } else {
            progress_indicator(&ind, cfg)
        };
        out.push(ind);
        out.extend(extra.map(Arc::new));
    }
    *indicators = out;
}
