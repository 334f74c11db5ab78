//! The `S_` functions: a geometry literal (WKT, GeoJSON or `BBOX`) against each unit's full-resolution
//! geometry, answered once per unit. The R-tree of the units' boxes finds the units whose box meets the
//! literal's; every other unit is disjoint from it without looking at its geometry.

use crate::features::crs::Crs;
use crate::features::Collection;
use crate::model::UnitRef;
use geo::{BoundingRect, CoordsIter, Geometry, Relate};

/// A CQL2 spatial relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Intersects,
    Disjoint,
    Equals,
    Touches,
    Within,
    Overlaps,
    Crosses,
    Contains,
}

impl Relation {
    pub fn by_name(op: &str) -> Option<Self> {
        use Relation::*;
        Some(match op {
            "s_intersects" => Intersects,
            "s_disjoint" => Disjoint,
            "s_equals" => Equals,
            "s_touches" => Touches,
            "s_within" => Within,
            "s_overlaps" => Overlaps,
            "s_crosses" => Crosses,
            "s_contains" => Contains,
            _ => return None,
        })
    }

    /// Whether `a` stands in this relation to `b`.
    pub fn holds(self, a: &impl Relate<f64>, b: &impl Relate<f64>) -> bool {
        let m = a.relate(b);
        match self {
            Relation::Intersects => m.is_intersects(),
            Relation::Disjoint => m.is_disjoint(),
            Relation::Equals => m.is_equal_topo(),
            Relation::Touches => m.is_touches(),
            Relation::Within => m.is_within(),
            Relation::Overlaps => m.is_overlaps(),
            Relation::Crosses => m.is_crosses(),
            Relation::Contains => m.is_contains(),
        }
    }

    /// The relation with its operands swapped (`S_WITHIN(lit, geometry)` is `S_CONTAINS(geometry, lit)`).
    pub fn converse(self) -> Self {
        match self {
            Relation::Within => Relation::Contains,
            Relation::Contains => Relation::Within,
            other => other,
        }
    }
}

/// A literal written in `filter-crs` (in its authority's axis order: EPSG:4326 is latitude first, EPSG:9377
/// northing first), in CRS84. A `BBOX` in another CRS is the densified polygon it covers, as for `bbox-crs`.
pub fn to_crs84(g: Geometry<f64>, crs: Option<&Crs>) -> Result<Geometry<f64>, String> {
    let Some(crs) = crs.filter(|c| !c.is_crs84()) else {
        return Ok(g);
    };
    match g {
        Geometry::Rect(r) => crs
            .bbox_to_crs84([r.min().x, r.min().y, r.max().x, r.max().y])
            .map(Geometry::Polygon),
        other => crs.to_crs84(&other),
    }
}

/// How many vertices a literal has.
pub fn vertices(g: &Geometry<f64>) -> usize {
    g.coords_count()
}

/// Whether each unit (in set order, the municipality last) stands in `rel` to the literal.
pub fn answer(c: &Collection, rel: Relation, literal: &Geometry<f64>) -> Vec<bool> {
    let set = c.unit_set();
    let n = set.units.len();
    let mut out = vec![false; n + 1];
    let geometries = c.geometries();
    let Some(b) = literal.bounding_rect() else {
        // An empty literal meets nothing.
        if rel == Relation::Disjoint {
            out.fill(true);
        }
        return out;
    };
    let near = geometries.near(b);
    let test = |u: UnitRef| rel.holds(&*geometries.get(u).geometry, literal);
    if rel == Relation::Disjoint {
        out.fill(true);
    }
    for u in near {
        let i = match u {
            UnitRef::Unit(i) => i,
            UnitRef::City => n,
        };
        out[i] = test(u);
    }
    out
}

/// Where a unit's answer is in [`answer`]'s list.
pub fn slot(c: &Collection, u: UnitRef) -> usize {
    match u {
        UnitRef::Unit(i) => i,
        UnitRef::City => c.unit_set().units.len(),
    }
}
