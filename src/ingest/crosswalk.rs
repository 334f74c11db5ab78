//! Building a declared crosswalk between two editions: the overlay of their units in EPSG:9377, slivers
//! dropped, each source unit's overlaps rescaled to shares that sum to 1; and the report of what changed
//! between the editions (units split, merged, moved or renumbered).

use super::overlay;
use crate::config::CrosswalkConfig;
use crate::model::crosswalk::{Crosswalk, Share};
use crate::model::report_territory::CrosswalkReport;
use crate::model::UnitSet;
use std::sync::Arc;

/// A part of a unit (source or target) at least this large counts when the report says a unit split or merged.
const SIGNIFICANT: f64 = 0.05;

/// Builds the crosswalk `cfg` declares between two loaded unit sets.
pub fn build(
    cfg: &CrosswalkConfig,
    from: &Arc<UnitSet>,
    to: &Arc<UnitSet>,
) -> Result<(Crosswalk, CrosswalkReport), String> {
    let a = overlay::project(from).map_err(|e| format!("unit set `{}`: {e}", from.id))?;
    let b = overlay::project(to).map_err(|e| format!("unit set `{}`: {e}", to.id))?;
    let overlaps = overlay::overlaps(&a, &b);
    let mut shares = Vec::new();
    let mut unallocated = Vec::new();
    for (i, hits) in overlaps.iter().enumerate() {
        let area = a.areas[i].max(f64::MIN_POSITIVE);
        let mut kept: Vec<(usize, f64)> = hits
            .iter()
            .copied()
            .filter(|(_, x)| x / area >= cfg.min_share)
            .collect();
        if kept.is_empty() {
            // A unit smaller than the sliver threshold everywhere still goes where most of it lies.
            kept.extend(hits.iter().copied().max_by(|x, y| x.1.total_cmp(&y.1)));
        }
        if kept.is_empty() {
            unallocated.push(i);
            continue;
        }
        let total: f64 = kept.iter().map(|(_, x)| x).sum();
        let estimate = kept.len() > 1;
        shares.extend(kept.into_iter().map(|(j, x)| Share {
            from: i,
            to: j,
            area_m2: x,
            share: x / total,
            estimate,
        }));
    }
    let cw = Crosswalk {
        id: cfg.id.clone(),
        title: cfg.title.clone(),
        from: from.clone(),
        to: to.clone(),
        min_share: cfg.min_share,
        shares,
        unallocated,
    };
    let report = changes(&cw, &overlaps, &a.areas, &b.areas);
    Ok((cw, report))
}

/// What changed between the editions, read from the overlay.
fn changes(
    cw: &Crosswalk,
    overlaps: &[Vec<(usize, f64)>],
    from_areas: &[f64],
    to_areas: &[f64],
) -> CrosswalkReport {
    let (from, to) = (&cw.from, &cw.to);
    let label = |set: &UnitSet, i: usize| format!("{} {}", set.units[i].code, set.units[i].name);
    let mut r = CrosswalkReport {
        id: cw.id.clone(),
        from: from.id.clone(),
        to: to.id.clone(),
        shares: cw.shares.len(),
        estimates: cw.shares.iter().filter(|s| s.estimate).count(),
        unallocated: cw.unallocated.iter().map(|&i| label(from, i)).collect(),
        ..Default::default()
    };
    let mut sources_of: Vec<Vec<usize>> = vec![Vec::new(); to.units.len()];
    for (i, hits) in overlaps.iter().enumerate() {
        let big: Vec<usize> = hits
            .iter()
            .filter(|(_, x)| x / from_areas[i].max(f64::MIN_POSITIVE) >= SIGNIFICANT)
            .map(|(j, _)| *j)
            .collect();
        if big.len() > 1 {
            let targets: Vec<&str> = big.iter().map(|&j| to.units[j].code.as_str()).collect();
            r.split
                .push(format!("{} → {}", label(from, i), targets.join(", ")));
        }
        for &(j, x) in hits {
            if x / to_areas[j].max(f64::MIN_POSITIVE) >= SIGNIFICANT {
                sources_of[j].push(i);
            }
        }
        let unit = &from.units[i];
        match to.find(&unit.key) {
            None => r.only_from.push(label(from, i)),
            Some(j) => {
                let same = hits.iter().find(|h| h.0 == j).map_or(0.0, |h| h.1)
                    / from_areas[i].max(f64::MIN_POSITIVE);
                let now = format!(
                    "{} (was {}, now {}: {:.0} % of it in the same code)",
                    unit.code,
                    unit.name,
                    to.units[j].name,
                    100.0 * same
                );
                if same < 0.5 {
                    r.renumbered.push(now);
                } else if same < 0.95 {
                    r.moved.push(now);
                }
            }
        }
    }
    for (j, sources) in sources_of.iter().enumerate() {
        if sources.len() > 1 {
            let codes: Vec<&str> = sources
                .iter()
                .map(|&i| from.units[i].code.as_str())
                .collect();
            r.merged
                .push(format!("{} ← {}", label(to, j), codes.join(", ")));
        }
        if from.find(&to.units[j].key).is_none() {
            r.only_to.push(label(to, j));
        }
    }
    r
}
