//! Web Mercator, normalised: the world is `[0, 1]²`, x east, y south, as tile matrices count.

use std::f64::consts::PI;

/// Latitude limit of Web Mercator.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// Longitude/latitude (degrees) to normalised Web Mercator.
pub fn project(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
    [x, y]
}

/// Normalised Web Mercator back to longitude/latitude (degrees).
pub fn unproject([x, y]: [f64; 2]) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    (lon, lat)
}

/// Bounds of a tile in longitude/latitude: `[west, south, east, north]`.
pub fn tile_bounds(z: u8, x: u32, y: u32) -> [f64; 4] {
    let n = f64::from(1u32 << z);
    let (w, n_lat) = unproject([f64::from(x) / n, f64::from(y) / n]);
    let (e, s_lat) = unproject([f64::from(x + 1) / n, f64::from(y + 1) / n]);
    [w, s_lat, e, n_lat]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_round_trips_and_medellin_falls_in_its_tile() {
        let p = project(-75.5636, 6.2518);
        let (lon, lat) = unproject(p);
        assert!((lon + 75.5636).abs() < 1e-9 && (lat - 6.2518).abs() < 1e-9);
        // Tile 12/1188/1976 covers central Medellín.
        let [w, s, e, n] = tile_bounds(12, 1188, 1976);
        assert!(
            w < -75.5636 && -75.5636 < e && s < 6.2518 && 6.2518 < n,
            "{w} {s} {e} {n}"
        );
    }
}
