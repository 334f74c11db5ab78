//! GeoJSON written once, at load time: each geometry becomes a string that every response copies.

use super::crs::Crs;
use crate::model::valid::{simple_and_apart, without_spikes};
use gdal::vector::ToGdal;
use geo::{Coord, LineString, MapCoords, MultiPolygon};

/// Decimal places kept in CRS84 coordinates: 1e-7° is about 1 cm, finer than any cadastral survey.
const DECIMALS: i32 = 7;

/// A multipolygon as a GeoJSON geometry object. Always `MultiPolygon`, even with one part, because
/// GDAL's OAPIF driver fixes a layer's geometry type from the first page it reads.
pub fn geometry_json(geometry: &MultiPolygon<f64>) -> String {
    written(geometry, DECIMALS)
}

/// The same in another CRS ([`super::crs`]): transformed by PROJ from the full-precision CRS84 geometry, in the
/// CRS's axis order, rounded to its precision (1e-7° or 1 mm) with the same validity rule.
pub fn geometry_json_in(geometry: &MultiPolygon<f64>, crs: &Crs) -> Result<String, String> {
    if crs.is_crs84() {
        return Ok(geometry_json(geometry));
    }
    Ok(written(&crs.from_crs84(geometry)?, crs.decimals()))
}

fn written(geometry: &MultiPolygon<f64>, decimals: i32) -> String {
    let value = match rounded_to(geometry, decimals) {
        Some(r) => geojson::Value::from(&r),
        None => geojson::Value::from(geometry),
    };
    serde_json::to_string(&geojson::Geometry::new(value)).expect("a geometry always serialises")
}

/// The geometry snapped to 1e-7°, repeated points, spikes and collapsed rings removed, if that keeps it valid;
/// `None` when snapping would still make it invalid (a vertex under a centimetre from another edge that ends up
/// across it). The model's geometry is valid by GEOS, so the caller then writes it unrounded: full
/// precision for that one geometry rather than an invalid one.
pub fn rounded(geometry: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    rounded_to(geometry, DECIMALS)
}

/// [`rounded`] to `decimals` places (of degrees or metres).
pub fn rounded_to(geometry: &MultiPolygon<f64>, decimals: i32) -> Option<MultiPolygon<f64>> {
    let scale = 10f64.powi(decimals);
    let snapped = geometry.map_coords(
        |c| geo::coord! { x: (c.x * scale).round() / scale, y: (c.y * scale).round() / scale },
    );
    // A ring that snapping collapses (a sliver hole or island under a centimetre wide) is dropped with it.
    let polygons: Vec<geo::Polygon<f64>> = snapped
        .0
        .into_iter()
        .filter_map(|p| {
            let (exterior, holes) = p.into_inner();
            let holes = holes.into_iter().filter_map(without_repeats).collect();
            Some(geo::Polygon::new(without_repeats(exterior)?, holes))
        })
        .collect();
    if polygons.is_empty() {
        return None;
    }
    let out = MultiPolygon(polygons);
    (simple_polygons_on_grid(&out, scale) || geos_valid(&out)).then_some(out)
}

/// Polygons without holes whose rings, on the 1e-7° grid as integers, pass the exact simplicity check, and no
/// two of which meet: valid by GEOS's rules without asking GEOS (a dense set's units, and its outline of many
/// separate parts). Anything else asks GEOS.
fn simple_polygons_on_grid(mp: &MultiPolygon<f64>, scale: f64) -> bool {
    if mp.0.iter().any(|p| !p.interiors().is_empty()) {
        return false;
    }
    let on_grid: Vec<geo::Polygon<f64>> =
        mp.0.iter()
            .map(|p| {
                let ring = p.exterior().0.iter();
                let ring = ring
                    .map(|c| geo::coord! { x: (c.x * scale).round(), y: (c.y * scale).round() });
                geo::Polygon::new(LineString(ring.collect()), vec![])
            })
            .collect();
    simple_and_apart(&on_grid)
}

/// Validity by GEOS, through GDAL. This runs when a snapshot is loaded, not per request; GEOS is the judge
/// the users' tools (GDAL, QGIS) apply, and is much faster than `geo`'s validation on polygons of thousands of
/// vertices.
fn geos_valid(mp: &MultiPolygon<f64>) -> bool {
    mp.to_gdal().is_ok_and(|g| g.is_valid())
}

/// A closed ring without repeated points and spikes (vertices under a centimetre apart that rounding made one, or
/// made turn straight back); `None` when fewer than three distinct points are left.
fn without_repeats(ring: LineString<f64>) -> Option<LineString<f64>> {
    let mut pts: Vec<Coord<f64>> = ring.0;
    pts.dedup();
    pts.pop();
    let mut pts = without_spikes(pts);
    if pts.len() < 3 {
        return None;
    }
    pts.push(pts[0]);
    Some(LineString(pts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_polygon_is_written_as_a_multipolygon_with_rounded_coordinates() {
        let mp = MultiPolygon(vec![
            geo::wkt!(POLYGON((-75.123456789 6.2, -75.1 6.2, -75.1 6.3, -75.123456789 6.2))),
        ]);
        let json = geometry_json(&mp);
        assert!(
            json.starts_with(r#"{"type":"MultiPolygon","coordinates":[[[[-75.1234568,6.2]"#),
            "{json}"
        );
    }

    #[test]
    fn a_sliver_that_rounding_would_collapse_is_written_unrounded() {
        // A triangle 3 mm wide: rounded to 1e-7° (about 1 cm) its three corners fall on one line.
        let mp = MultiPolygon(vec![geo::wkt!(POLYGON((
            -75.5 6.2, -75.4 6.2, -75.45 6.20000003, -75.5 6.2
        )))]);
        assert!(geos_valid(&mp));
        assert!(rounded(&mp).is_none());
        let json = geometry_json(&mp);
        assert!(json.contains("6.20000003"), "{json}");
    }
}
