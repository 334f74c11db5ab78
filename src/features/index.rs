//! The units of a set in the forms features need — geometry, its GeoJSON rendered once, its box — and an R-tree
//! of the boxes, so `/items?bbox=` looks at the units near the box instead of scanning every feature.

use super::crs::Crs;
use crate::model::{UnitRef, UnitSet};
use geo::{Intersects, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::sync::Arc;

/// A unit's geometry in the forms features need.
pub struct PreparedUnit {
    pub geometry: Arc<MultiPolygon<f64>>,
    pub json: Arc<str>,
    pub bbox: Rect<f64>,
}

impl PreparedUnit {
    fn new(u: &crate::model::Unit) -> Self {
        Self {
            geometry: u.geometry.clone(),
            json: super::geojson::geometry_json(&u.geometry).into(),
            bbox: u.bbox,
        }
    }
}

type Indexed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Every unit of a set (and the municipality), rendered once, with an index of the units' boxes and the CRSs
/// they are offered in.
pub struct Geometries {
    units: Vec<PreparedUnit>,
    city: PreparedUnit,
    index: RTree<Indexed>,
    crs: Vec<Crs>,
}

impl Geometries {
    pub fn render(set: &UnitSet) -> Self {
        let units: Vec<PreparedUnit> = set.units.iter().map(PreparedUnit::new).collect();
        let index = RTree::bulk_load(
            units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let (lo, hi) = (u.bbox.min(), u.bbox.max());
                    GeomWithData::new(
                        Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]),
                        i as u32,
                    )
                })
                .collect(),
        );
        Self {
            units,
            city: PreparedUnit::new(&set.city),
            index,
            crs: super::crs::offered(&set.source_crs),
        }
    }

    /// The CRSs offered, CRS84 first.
    pub fn crs(&self) -> &[Crs] {
        &self.crs
    }

    pub fn get(&self, at: UnitRef) -> &PreparedUnit {
        match at {
            UnitRef::Unit(i) => &self.units[i],
            UnitRef::City => &self.city,
        }
    }

    /// The units (and the city, last) whose bounding box meets the box: the only ones whose geometry can.
    pub fn near(&self, r: Rect<f64>) -> Vec<UnitRef> {
        let envelope = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let mut found: Vec<usize> = self
            .index
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data as usize)
            .collect();
        found.sort_unstable();
        let mut out: Vec<UnitRef> = found.into_iter().map(UnitRef::Unit).collect();
        if r.intersects(&self.city.bbox) {
            out.push(UnitRef::City);
        }
        out
    }

    /// The units (and the city, last) whose geometry meets the box, in set order.
    pub fn meeting(&self, r: Rect<f64>) -> Vec<UnitRef> {
        let envelope = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let mut found: Vec<usize> = self
            .index
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data as usize)
            .filter(|i| meets(&self.units[*i], r))
            .collect();
        found.sort_unstable();
        let mut out: Vec<UnitRef> = found.into_iter().map(UnitRef::Unit).collect();
        if meets(&self.city, r) {
            out.push(UnitRef::City);
        }
        out
    }
}

fn meets(u: &PreparedUnit, r: Rect<f64>) -> bool {
    r.intersects(&u.bbox) && r.intersects(&*u.geometry)
}
