//! A crosswalk between two boundary editions: how much of each source unit lies in each target unit, by
//! area-weighted overlay in EPSG:9377. Values never join by code across editions; they go through one of these.

use super::UnitSet;
use serde::Serialize;
use std::sync::Arc;

/// One overlap of a source unit with a target unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// Index of the source unit.
    pub from: usize,
    /// Index of the target unit.
    pub to: usize,
    /// Area of the overlap, m² in EPSG:9377.
    pub area_m2: f64,
    /// Share of the source unit's allocated value that goes to the target; a source unit's shares sum to 1.
    pub share: f64,
    /// The allocation is an estimate: the source unit is split over several targets and its value is
    /// divided by area (as if evenly spread); `false` when the whole unit goes to one target.
    pub estimate: bool,
}

/// A declared crosswalk, computed at load time.
#[derive(Debug, Clone)]
pub struct Crosswalk {
    pub id: String,
    pub title: String,
    pub from: Arc<UnitSet>,
    pub to: Arc<UnitSet>,
    /// Slivers under this share of a source unit were dropped.
    pub min_share: f64,
    /// Ordered by source unit, then target unit.
    pub shares: Vec<Share>,
    /// Source units that overlap no target unit: their values cannot be carried across.
    pub unallocated: Vec<usize>,
}

impl Crosswalk {
    /// The shares of source unit `from`.
    pub fn of(&self, from: usize) -> &[Share] {
        let start = self.shares.partition_point(|s| s.from < from);
        let end = self.shares.partition_point(|s| s.from <= from);
        &self.shares[start..end]
    }

    /// Carries values of source units onto target units: each target gets Σ value × share, and is an estimate
    /// when any share it received is. `values[i]` is `None` when source unit `i` has no row (it carries nothing)
    /// and `Some(None)` when its row says `ND`, which makes every target it reaches `ND`.
    pub fn allocate(&self, values: &[Option<Option<f64>>]) -> Vec<Allocated> {
        let mut out = vec![
            Allocated {
                value: Some(0.0),
                estimate: false,
                sources: 0,
            };
            self.to.units.len()
        ];
        for s in &self.shares {
            let Some(value) = values.get(s.from).copied().flatten() else {
                continue;
            };
            let target = &mut out[s.to];
            target.sources += 1;
            target.estimate |= s.estimate;
            target.value = target.value.zip(value).map(|(t, v)| t + v * s.share);
        }
        for t in &mut out {
            if t.sources == 0 {
                t.value = None;
            }
        }
        out
    }
}

/// A target unit's value carried across a crosswalk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allocated {
    pub value: Option<f64>,
    pub estimate: bool,
    /// How many source units with a row contributed (0: the target has no value).
    pub sources: usize,
}
