//! The in-memory model: territorial unit sets × indicators × years.
//!
//! A [`Snapshot`] is immutable once built. The server holds the current one behind an atomic pointer;
//! a reload builds a new snapshot aside and swaps it in, so requests in flight keep the one they started with.
//! Nothing here knows about HTTP or output formats.

pub mod codec;
pub mod crosswalk;
mod fold;
pub mod hierarchy;
mod key;
pub mod report;
pub mod report_territory;
pub mod valid;
pub mod value_kind;

pub use fold::fold_name;
pub use key::normalize_key;

use crate::config::{StyleConfig, TechnicalSheet, UnitSetConfig};
use geo::{MultiPolygon, Rect};
use report::ImportReport;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One territorial unit (a comuna, a corregimiento) or the municipality as a whole.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Code as the geometry source writes it (`01`).
    pub code: String,
    /// Normalised code used for joins (`1`); see [`normalize_key`].
    pub key: String,
    /// Display name, with accents.
    pub name: String,
    /// Geometry in OGC:CRS84 (longitude, latitude).
    pub geometry: Arc<MultiPolygon<f64>>,
    /// Bounding box in CRS84.
    pub bbox: Rect<f64>,
    /// True (geodesic) area in square metres.
    pub area_m2: f64,
}

/// A set of territorial units read from one geometry source.
#[derive(Debug, Clone)]
pub struct UnitSet {
    pub id: String,
    pub title: String,
    pub description: String,
    pub attribution: String,
    /// Layer file that declared it.
    pub layer_file: PathBuf,
    /// Source CRS, as resolved at import.
    pub source_crs: String,
    pub units: Vec<Unit>,
    /// The municipality: union of all units. City-level values attach to it.
    pub city: Unit,
    /// Extent of all units, CRS84.
    pub bbox: Rect<f64>,
    /// Lowest zoom at which its vector tiles are served.
    pub min_zoom: u8,
    /// Highest zoom of its vector tiles.
    pub max_zoom: u8,
    /// Whether its vector tiles carry the outline layer.
    pub outline: bool,
    /// Licence terms of the boundaries, if the layer file states them.
    pub license: Option<String>,
    /// The level of the division (`comuna`, `barrio`), if the layer file names it.
    pub level: Option<String>,
    /// Where its units sit in their parent set, once the import has placed them.
    pub parent: Option<Arc<hierarchy::Placement>>,
    /// The boundary edition it is, with its validity years.
    pub edition: Option<hierarchy::Edition>,
    /// Normalised key → index in `units`.
    index: HashMap<String, usize>,
}

impl UnitSet {
    /// A unit set declared by `cfg` in `layer_file`; `units` must have distinct keys.
    pub fn new(
        cfg: &UnitSetConfig,
        layer_file: PathBuf,
        source_crs: String,
        units: Vec<Unit>,
        city: Unit,
    ) -> Self {
        let index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.key.clone(), i))
            .collect();
        Self {
            id: cfg.id.clone(),
            title: cfg.title.clone(),
            description: cfg.description.clone(),
            attribution: cfg.attribution.clone(),
            layer_file,
            source_crs,
            bbox: city.bbox,
            min_zoom: cfg.min_zoom,
            max_zoom: cfg.max_zoom,
            outline: cfg.outline,
            level: cfg.level.clone(),
            license: cfg.license.clone(),
            parent: None,
            edition: cfg.edition.clone(),
            units,
            city,
            index,
        }
    }

    /// The attribution with the boundary edition and the licence terms, as maps and tiles show it:
    /// `Alcaldía de Medellín — GeoMedellín · edición POT 2014 · CC BY-SA 4.0 — …`.
    pub fn terms(&self) -> String {
        let edition = self.edition.as_ref().map(|e| format!("edición {}", e.name));
        [
            Some(self.attribution.clone()),
            edition,
            self.license.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// Index of the unit with this normalised key.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The unit an observation refers to.
    pub fn unit(&self, at: UnitRef) -> &Unit {
        match at {
            UnitRef::Unit(i) => &self.units[i],
            UnitRef::City => &self.city,
        }
    }
}

/// Which unit of a set a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitRef {
    Unit(usize),
    City,
}

/// One value of an indicator for a territory and a year. `None` is `ND`: not reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub unit: UnitRef,
    pub year: i32,
    pub value: Option<f64>,
    /// Spreadsheet row of the table the value was read from (the first one when duplicates were combined);
    /// 0 for a value that no table row holds (computed, or published through the reporting store).
    pub row: u32,
}

/// An indicator joined to its unit set.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    /// Code as the source writes it (`EP-01`), if it has one.
    pub code: Option<String>,
    pub name: String,
    pub unit: String,
    pub description: String,
    pub attribution: String,
    /// Synthetic sample data, never to be shown as real.
    pub sample: bool,
    pub sheet: TechnicalSheet,
    pub style: StyleConfig,
    pub layer_file: PathBuf,
    /// The table the values come from.
    pub table: PathBuf,
    pub unit_set: Arc<UnitSet>,
    /// Sorted by year, then unit (units in set order, the city last).
    pub observations: Vec<Observation>,
    /// Baselines of single territories where a table gives one per territory (an SSEPOT battery has a
    /// `Línea base` on every row); a territory without one is measured from the sheet's baseline.
    pub baselines: Vec<(UnitRef, f64)>,
}

impl Indicator {
    /// Years with at least one row, ascending.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.observations.iter().map(|o| o.year).collect();
        years.dedup();
        years
    }

    /// The value for a unit and year: `None` if there is no row, `Some(None)` if the row says `ND`.
    pub fn value(&self, unit: UnitRef, year: i32) -> Option<Option<f64>> {
        self.observation(unit, year).map(|o| o.value)
    }

    /// The observation of a unit and year, if there is one.
    pub fn observation(&self, unit: UnitRef, year: i32) -> Option<&Observation> {
        self.observations
            .binary_search_by(|o| (o.year, o.unit).cmp(&(year, unit)))
            .ok()
            .map(|i| &self.observations[i])
    }

    /// The baseline a territory's progress is measured from: its own, else the sheet's.
    pub fn baseline(&self, unit: UnitRef) -> Option<f64> {
        self.baselines
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, b)| *b)
            .or(self.sheet.baseline_value)
    }
}

/// Everything loaded from a layers folder at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Increases with every successful (re)load; part of cache keys and ETags.
    pub version: u64,
    /// When it was built (RFC 3339).
    pub loaded_at: String,
    pub layers_dir: PathBuf,
    pub unit_sets: Vec<Arc<UnitSet>>,
    pub indicators: Vec<Arc<Indicator>>,
    pub report: ImportReport,
    /// The SSEPOT's own tables (commitments, PDD, subsystems, diagnosis) and progress rules.
    pub ssepot: Arc<crate::ssepot::Ssepot>,
    /// The web map's `[web_map]` settings (its title), as a layer file declares them.
    pub web_map: crate::config::WebMapConfig,
    /// Crosswalks between boundary editions.
    pub crosswalks: Vec<Arc<crosswalk::Crosswalk>>,
}

impl Snapshot {
    pub fn unit_set(&self, id: &str) -> Option<&Arc<UnitSet>> {
        self.unit_sets.iter().find(|u| u.id == id)
    }

    pub fn crosswalk(&self, id: &str) -> Option<&Arc<crosswalk::Crosswalk>> {
        self.crosswalks.iter().find(|c| c.id == id)
    }

    /// The declared crosswalk from one unit set (edition) to another, if any.
    pub fn crosswalk_between(&self, from: &str, to: &str) -> Option<&Arc<crosswalk::Crosswalk>> {
        self.crosswalks
            .iter()
            .find(|c| c.from.id == from && c.to.id == to)
    }

    pub fn indicator(&self, id: &str) -> Option<&Arc<Indicator>> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Indicators drawn on a unit set.
    pub fn indicators_of<'a>(
        &'a self,
        unit_set: &'a str,
    ) -> impl Iterator<Item = &'a Arc<Indicator>> {
        self.indicators
            .iter()
            .filter(move |i| i.unit_set.id == unit_set)
    }
}
