//! A collection and its features, written when a response needs them.
//!
//! A collection keeps no per-feature data: a feature is a unit (territories) or an observation of the
//! indicator (territory-years), and its JSON is written from the model when a page asks for it. The geometry's
//! GeoJSON is rendered once per unit and shared ([`Geometries`]), so a page is still mostly copied bytes, and
//! a million territory-years cost no memory beyond the observations themselves.

use super::crs::Crs;
pub use super::index::{Geometries, PreparedUnit};
use crate::model::{normalize_key, Indicator, UnitRef, UnitSet};
use geo::{MultiPolygon, Rect};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// What a collection holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionKind {
    /// The territorial units themselves.
    Territories,
    /// Territory-years of an indicator.
    Indicator,
}

/// One feature, ready to be copied into a response.
pub struct Feature {
    pub id: String,
    /// Normalised territory code.
    pub key: String,
    pub year: Option<i32>,
    pub bbox: Rect<f64>,
    pub geometry: Arc<MultiPolygon<f64>>,
    /// `{"type":"Feature","id":…,"geometry":`
    pub head: String,
    pub geometry_json: Arc<str>,
    /// `,"properties":{…}}`
    pub tail: String,
}

/// How `tail` starts; the properties object follows.
const TAIL_PREFIX: &str = r#","properties":"#;

impl Feature {
    fn new(
        id: String,
        key: String,
        year: Option<i32>,
        unit: &PreparedUnit,
        properties: Map<String, Value>,
    ) -> Self {
        let head = format!(
            r#"{{"type":"Feature","id":{},"geometry":"#,
            Value::String(id.clone())
        );
        let tail = format!("{TAIL_PREFIX}{}}}", Value::Object(properties));
        Self {
            id,
            key,
            year,
            bbox: unit.bbox,
            geometry: unit.geometry.clone(),
            head,
            geometry_json: unit.json.clone(),
            tail,
        }
    }

    /// The properties, parsed back from the prepared JSON: only HTML pages and downloads need them, so the
    /// catalogue does not keep a second copy of every territory-year in memory.
    pub fn properties(&self) -> Map<String, Value> {
        let json = &self.tail[TAIL_PREFIX.len()..self.tail.len() - 1];
        serde_json::from_str(json).expect("the properties were written as a JSON object")
    }

    /// The feature with its geometry in `crs` (see [`super::crs`]); `memo` keeps what a page already rendered,
    /// as the territory-years of one unit share its geometry.
    pub fn in_crs(
        mut self,
        crs: &Crs,
        memo: &mut std::collections::HashMap<*const MultiPolygon<f64>, Arc<str>>,
    ) -> Result<Self, String> {
        if crs.is_crs84() {
            return Ok(self);
        }
        let key = Arc::as_ptr(&self.geometry);
        self.geometry_json = match memo.get(&key) {
            Some(json) => json.clone(),
            None => {
                let json: Arc<str> = super::geojson::geometry_json_in(&self.geometry, crs)?.into();
                memo.insert(key, json.clone());
                json
            }
        };
        Ok(self)
    }

    /// Bytes this feature adds to a response.
    pub fn len(&self) -> usize {
        self.head.len() + self.geometry_json.len() + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A feature collection as OGC API Features serves it.
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub kind: CollectionKind,
    pub unit_set: String,
    /// `[min lon, min lat, max lon, max lat]`
    pub bbox: [f64; 4],
    pub years: Option<[i32; 2]>,
    /// Extra, ssepot-specific description (indicator sheet, sample flag, units).
    pub metadata: Value,
    /// Where the features come from; in order: year, then territory.
    source: Source,
    geometries: Arc<Geometries>,
    /// Every indicator of the unit set, for the `{indicator}_{year}` queryables of filters.
    set_indicators: Arc<[Arc<Indicator>]>,
}

/// The model data a collection's features are written from.
enum Source {
    /// Feature `i` is unit `i`.
    Territories(Arc<UnitSet>),
    /// Feature `i` is observation `i`.
    Indicator(Arc<Indicator>),
}

fn rect_to_bbox(r: Rect<f64>) -> [f64; 4] {
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

/// The municipality of a unit set as clients need it: its code in features and series (`ciudad` unless the
/// layer file says otherwise), its name, and the vector-tile layer of its outline (null when its tiles carry none).
fn city_metadata(set: &UnitSet) -> Value {
    json!({
        "code": set.city.code,
        "name": set.city.name,
        "tile_layer": set.outline.then(|| crate::tiles::city_layer(&set.id)),
    })
}

/// The unit set's place in the territory: its level, the set it nests in, its boundary edition, and the licence
/// terms of its boundaries (docs/territory.md).
fn territory_metadata(set: &UnitSet) -> Value {
    json!({
        "unit_set": set.id,
        "level": set.level,
        "parent_set": set.parent.as_ref().map(|p| &p.parent_set),
        "edition": set.edition,
        "license": set.license,
    })
}

/// Marks sample data in titles, so it is never read as real.
pub const SAMPLE_LABEL: &str = "MUESTRA SINTÉTICA — valores inventados, no oficiales";

impl Collection {
    pub fn of_unit_set(set: &Arc<UnitSet>, geometries: &Arc<Geometries>) -> Self {
        Self {
            id: set.id.clone(),
            title: set.title.clone(),
            description: set.description.clone(),
            kind: CollectionKind::Territories,
            unit_set: set.id.clone(),
            bbox: rect_to_bbox(set.bbox),
            years: None,
            metadata: json!({
                "kind": "territories",
                "attribution": set.attribution,
                "source_crs": set.source_crs,
                "units": set.units.len(),
                "city": city_metadata(set),
                "territory": territory_metadata(set),
            }),
            source: Source::Territories(set.clone()),
            geometries: geometries.clone(),
            set_indicators: Arc::new([]),
        }
    }

    pub fn of_indicator(ind: &Arc<Indicator>, geometries: &Arc<Geometries>) -> Self {
        let set = &ind.unit_set;
        let years = ind
            .observations
            .first()
            .zip(ind.observations.last())
            .map(|(a, b)| [a.year, b.year]);
        let bbox = if ind.observations.iter().any(|o| o.unit == UnitRef::City) {
            set.city.bbox
        } else {
            set.bbox
        };
        let mut description = ind.description.clone();
        let mut title = ind.name.clone();
        if ind.sample {
            title = format!("{title} ({SAMPLE_LABEL})");
            description = format!("{SAMPLE_LABEL}. {description}")
                .trim_end()
                .to_string();
        }
        Self {
            id: ind.id.clone(),
            title,
            description,
            kind: CollectionKind::Indicator,
            unit_set: set.id.clone(),
            bbox: rect_to_bbox(bbox),
            years,
            metadata: json!({
                "kind": "indicator",
                "unit_set": set.id,
                "code": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "sample": ind.sample,
                "attribution": ind.attribution,
                "sheet": ind.sheet,
                "years": ind.years(),
                "city_level": ind.observations.iter().all(|o| o.unit == UnitRef::City),
                "sheet_url": crate::ssepot::progress::sheet_path(&ind.id),
                "city": city_metadata(set),
                "territory": territory_metadata(set),
            }),
            source: Source::Indicator(ind.clone()),
            geometries: geometries.clone(),
            set_indicators: Arc::new([]),
        }
    }

    /// Gives the collection the indicators of its unit set (filters name their values by year).
    pub fn with_set_indicators(mut self, indicators: Arc<[Arc<Indicator>]>) -> Self {
        self.set_indicators = indicators;
        self
    }

    /// Every indicator of the collection's unit set.
    pub fn set_indicators(&self) -> &[Arc<Indicator>] {
        &self.set_indicators
    }

    /// The value of feature `i`: `None` for territories and for `ND`.
    pub fn value_at(&self, i: usize) -> Option<f64> {
        match &self.source {
            Source::Territories(_) => None,
            Source::Indicator(ind) => ind.observations[i].value,
        }
    }

    /// How many features the collection has.
    pub fn len(&self) -> usize {
        match &self.source {
            Source::Territories(set) => set.units.len(),
            Source::Indicator(ind) => ind.observations.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn geometries(&self) -> &Geometries {
        &self.geometries
    }

    /// The CRSs its features are offered in, CRS84 (the default) first.
    pub fn crs(&self) -> &[Crs] {
        self.geometries.crs()
    }

    /// The unit and year of feature `i`.
    pub fn unit_year(&self, i: usize) -> (UnitRef, Option<i32>) {
        match &self.source {
            Source::Territories(_) => (UnitRef::Unit(i), None),
            Source::Indicator(ind) => {
                let o = &ind.observations[i];
                (o.unit, Some(o.year))
            }
        }
    }

    /// Feature positions of the features of `year` (all of them for territories, which have no year), as a
    /// range: features are ordered by year.
    pub fn year_range(&self, year: Option<i32>) -> std::ops::Range<usize> {
        match (&self.source, year) {
            (Source::Territories(set), None) => 0..set.units.len(),
            (Source::Indicator(ind), Some(y)) => {
                let obs = &ind.observations;
                obs.partition_point(|o| o.year < y)..obs.partition_point(|o| o.year <= y)
            }
            _ => 0..0,
        }
    }

    /// The years features have: `[None]` for territories.
    pub fn feature_years(&self) -> Vec<Option<i32>> {
        match &self.source {
            Source::Territories(_) => vec![None],
            Source::Indicator(ind) => ind.years().into_iter().map(Some).collect(),
        }
    }

    /// The position of the feature of `unit` in `year`.
    pub fn position(&self, unit: UnitRef, year: Option<i32>) -> Option<usize> {
        match (&self.source, unit, year) {
            (Source::Territories(set), UnitRef::Unit(i), None) => {
                (i < set.units.len()).then_some(i)
            }
            (Source::Indicator(ind), _, Some(y)) => ind
                .observations
                .binary_search_by(|o| (o.year, o.unit).cmp(&(y, unit)))
                .ok(),
            _ => None,
        }
    }

    /// The unit with this normalised key (the municipality included).
    pub fn unit_by_key(&self, key: &str) -> Option<UnitRef> {
        let set = self.unit_set_data();
        match set.find(key) {
            Some(i) => Some(UnitRef::Unit(i)),
            None => (set.city.key == key).then_some(UnitRef::City),
        }
    }

    /// The units whose parents include the parent unit with this normalised key (none when the unit set has no
    /// parent set or the key names no parent).
    pub fn children_of(&self, parent_key: &str) -> Vec<UnitRef> {
        let Some(placement) = &self.unit_set_data().parent else {
            return Vec::new();
        };
        placement
            .parent_index(parent_key)
            .map(|p| {
                placement
                    .children_of(p)
                    .into_iter()
                    .map(UnitRef::Unit)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The units whose folded name holds `folded` (already folded by [`crate::model::fold_name`]).
    pub fn named(&self, folded: &str) -> Vec<UnitRef> {
        self.unit_set_data()
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| crate::model::fold_name(&u.name).contains(folded))
            .map(|(i, _)| UnitRef::Unit(i))
            .collect()
    }

    /// The unit set the features are drawn on.
    pub fn unit_set(&self) -> &UnitSet {
        self.unit_set_data()
    }

    fn unit_set_data(&self) -> &UnitSet {
        match &self.source {
            Source::Territories(set) => set,
            Source::Indicator(ind) => &ind.unit_set,
        }
    }

    /// Feature `i`, written.
    pub fn feature_at(&self, i: usize) -> Feature {
        let set = self.unit_set_data();
        match &self.source {
            Source::Territories(_) => {
                let u = &set.units[i];
                let mut p = Map::new();
                p.insert("code".into(), u.code.clone().into());
                p.insert("name".into(), u.name.clone().into());
                p.insert("area_km2".into(), json!((u.area_m2 / 1e4).round() / 100.0));
                if let Some(placement) = &set.parent {
                    p.insert("parent".into(), json!(placement.parent_codes(i)));
                }
                Feature::new(
                    u.code.clone(),
                    u.key.clone(),
                    None,
                    self.geometries.get(UnitRef::Unit(i)),
                    p,
                )
            }
            Source::Indicator(ind) => {
                let o = &ind.observations[i];
                let unit = set.unit(o.unit);
                let mut p = Map::new();
                p.insert("code".into(), unit.code.clone().into());
                p.insert("name".into(), unit.name.clone().into());
                p.insert("year".into(), o.year.into());
                p.insert("value".into(), o.value.map_or(Value::Null, |v| json!(v)));
                p.insert("nd".into(), o.value.is_none().into());
                if let Some(kind) = crate::model::value_kind::of(&ind.sheet, o.year) {
                    p.insert("value_kind".into(), kind.as_str().into());
                }
                p.insert("unit".into(), ind.unit.clone().into());
                p.insert("indicator".into(), ind.id.clone().into());
                if ind.sample {
                    p.insert("sample".into(), true.into());
                }
                let id = format!("{}-{}", unit.code, o.year);
                Feature::new(
                    id,
                    unit.key.clone(),
                    Some(o.year),
                    self.geometries.get(o.unit),
                    p,
                )
            }
        }
    }

    /// The feature with this id (`{code}` for territories, `{code}-{year}` for territory-years).
    pub fn feature(&self, id: &str) -> Option<Feature> {
        let set = self.unit_set_data();
        let (code, year) = match &self.source {
            Source::Territories(_) => (id, None),
            Source::Indicator(_) => {
                let (code, year) = id.rsplit_once('-')?;
                (code, Some(year.parse().ok()?))
            }
        };
        let unit = self.unit_by_key(&normalize_key(code))?;
        if set.unit(unit).code != code {
            return None;
        }
        self.position(unit, year).map(|i| self.feature_at(i))
    }

    /// The geometry of the territory with this normalised key (the municipality included).
    pub fn unit_geometry(&self, key: &str) -> Option<&PreparedUnit> {
        self.unit_by_key(key).map(|u| self.geometries.get(u))
    }
}
