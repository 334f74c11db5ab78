//! GeoJSON written once, at load time: each geometry becomes a string that every response copies.

use geo::{MapCoords, MultiPolygon};

/// Decimal places kept in output coordinates: 1e-7° is about 1 cm, finer than any cadastral survey.
const DECIMALS: i32 = 7;

/// A multipolygon as a GeoJSON geometry object. Always `MultiPolygon`, even with one part, because
/// GDAL's OAPIF driver fixes a layer's geometry type from the first page it reads.
pub fn geometry_json(geometry: &MultiPolygon<f64>) -> String {
    let scale = 10f64.powi(DECIMALS);
    let rounded = geometry.map_coords(
        |c| geo::coord! { x: (c.x * scale).round() / scale, y: (c.y * scale).round() / scale },
    );
    let value = geojson::Value::from(&rounded);
    serde_json::to_string(&geojson::Geometry::new(value)).expect("a geometry always serialises")
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
}
