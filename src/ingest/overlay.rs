//! Area overlay of two unit sets in EPSG:9377 (MAGNA-SIRGAS / Origen-Nacional, Colombia's equal-area-enough
//! national projection in metres), with GDAL: PROJ reprojects, GEOS intersects. Load time only (`gdal`
//! geometries are not `Sync`).
//!
//! Inputs are checked first: a geometry GEOS finds invalid after reprojection is repaired with `MakeValid`
//! (the model's geometries are valid in CRS84, but reprojection can make nearly touching vertices cross).
//! Candidate pairs come from an R-tree of the bounding boxes, so the cost grows with the overlaps, not with
//! the product of the two sets.

use crate::model::UnitSet;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{Geometry, ToGdal};
use rstar::{RTree, RTreeObject, AABB};

/// The EPSG code areas are measured in.
pub const AREA_CRS: u32 = 9377;

/// The units of a set, reprojected to EPSG:9377 and checked.
pub struct Projected {
    pub geometries: Vec<Geometry>,
    /// Planar area of each, m².
    pub areas: Vec<f64>,
}

/// Reprojects every unit of `set` to EPSG:9377, repairing what reprojection breaks.
pub fn project(set: &UnitSet) -> Result<Projected, String> {
    let mut from = SpatialRef::from_epsg(4326).map_err(|e| e.to_string())?;
    from.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut to = SpatialRef::from_epsg(AREA_CRS).map_err(|e| e.to_string())?;
    to.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let transform = CoordTransform::new(&from, &to).map_err(|e| e.to_string())?;
    let mut geometries = Vec::with_capacity(set.units.len());
    for u in &set.units {
        let mut g = u
            .geometry
            .to_gdal()
            .map_err(|e| format!("unit `{}`: {e}", u.code))?;
        g.transform_inplace(&transform)
            .map_err(|e| format!("unit `{}`: EPSG:{AREA_CRS}: {e}", u.code))?;
        if !g.is_valid() {
            g = g
                .make_valid(&gdal::cpl::CslStringList::new())
                .map_err(|e| format!("unit `{}`: invalid in EPSG:{AREA_CRS}: {e}", u.code))?;
        }
        geometries.push(g);
    }
    let areas = geometries.iter().map(Geometry::area).collect();
    Ok(Projected { geometries, areas })
}

struct Boxed {
    index: usize,
    envelope: AABB<[f64; 2]>,
}

impl RTreeObject for Boxed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

fn aabb(g: &Geometry) -> AABB<[f64; 2]> {
    let e = g.envelope();
    AABB::from_corners([e.MinX, e.MinY], [e.MaxX, e.MaxY])
}

/// For each unit of `a`, the units of `b` it overlaps and the area of each overlap (m²), in `b` order.
pub fn overlaps(a: &Projected, b: &Projected) -> Vec<Vec<(usize, f64)>> {
    let tree = RTree::bulk_load(
        b.geometries
            .iter()
            .enumerate()
            .map(|(index, g)| Boxed {
                index,
                envelope: aabb(g),
            })
            .collect(),
    );
    a.geometries
        .iter()
        .map(|g| {
            let mut hits: Vec<(usize, f64)> = tree
                .locate_in_envelope_intersecting(&aabb(g))
                .filter_map(|c| {
                    let area = g.intersection(&b.geometries[c.index])?.area();
                    (area > 0.0).then_some((c.index, area))
                })
                .collect();
            hits.sort_by_key(|h| h.0);
            hits
        })
        .collect()
}
