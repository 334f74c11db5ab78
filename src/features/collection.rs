//! A collection and its prepared features.

use crate::model::{Indicator, UnitRef, UnitSet};
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

    /// Bytes this feature adds to a response.
    pub fn len(&self) -> usize {
        self.head.len() + self.geometry_json.len() + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A unit's geometry in the forms features need.
pub struct PreparedUnit {
    geometry: Arc<MultiPolygon<f64>>,
    json: Arc<str>,
    bbox: Rect<f64>,
}

/// Every unit of a set (and the municipality), rendered once.
pub struct Geometries {
    units: Vec<PreparedUnit>,
    city: PreparedUnit,
}

impl Geometries {
    pub fn render(set: &UnitSet) -> Self {
        let prepare = |u: &crate::model::Unit| PreparedUnit {
            geometry: Arc::new(u.geometry.clone()),
            json: super::geojson::geometry_json(&u.geometry).into(),
            bbox: u.bbox,
        };
        Self {
            units: set.units.iter().map(prepare).collect(),
            city: prepare(&set.city),
        }
    }

    fn get(&self, at: UnitRef) -> &PreparedUnit {
        match at {
            UnitRef::Unit(i) => &self.units[i],
            UnitRef::City => &self.city,
        }
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
    /// In order: year, then territory.
    pub features: Vec<Feature>,
}

fn rect_to_bbox(r: Rect<f64>) -> [f64; 4] {
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

/// The municipality of a unit set as clients need it: its code in features and series (`ciudad` unless the
/// layer file says otherwise), its name, and the vector-tile layer of its outline.
fn city_metadata(set: &UnitSet) -> Value {
    json!({
        "code": set.city.code,
        "name": set.city.name,
        "tile_layer": crate::tiles::city_layer(&set.id),
    })
}

/// Marks sample data in titles, so it is never read as real.
pub const SAMPLE_LABEL: &str = "MUESTRA SINTÉTICA — valores inventados, no oficiales";

impl Collection {
    pub fn of_unit_set(set: &UnitSet, geometries: &Geometries) -> Self {
        let features = set
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let mut p = Map::new();
                p.insert("code".into(), u.code.clone().into());
                p.insert("name".into(), u.name.clone().into());
                p.insert("area_km2".into(), json!((u.area_m2 / 1e4).round() / 100.0));
                Feature::new(
                    u.code.clone(),
                    u.key.clone(),
                    None,
                    geometries.get(UnitRef::Unit(i)),
                    p,
                )
            })
            .collect();
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
            }),
            features,
        }
    }

    pub fn of_indicator(ind: &Indicator, geometries: &Geometries) -> Self {
        let set = &ind.unit_set;
        let features = ind
            .observations
            .iter()
            .map(|o| {
                let unit = set.unit(o.unit);
                let mut p = Map::new();
                p.insert("code".into(), unit.code.clone().into());
                p.insert("name".into(), unit.name.clone().into());
                p.insert("year".into(), o.year.into());
                p.insert("value".into(), o.value.map_or(Value::Null, |v| json!(v)));
                p.insert("nd".into(), o.value.is_none().into());
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
                    geometries.get(o.unit),
                    p,
                )
            })
            .collect();
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
                "city": city_metadata(set),
            }),
            features,
        }
    }

    /// The feature with this id.
    pub fn feature(&self, id: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.id == id)
    }
}
