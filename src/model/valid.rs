//! Validity as GEOS judges it, checked with `geo` (the serving path does not call GEOS).
//!
//! `geo`'s [`Validation`] follows the OGC rules but lets two cases through that GEOS rejects: a *spike* (a ring
//! that runs back along the segment it came by: adjacent segments that overlap) and a ring that has collapsed to
//! zero area. Rounding coordinates (to 1e-7° in GeoJSON, to the tile grid in vector tiles) makes exactly these, so
//! both outputs check with [`is_valid`].

use geo::{Coord, LineString, MultiPolygon, Validation};

/// True when GEOS would call the multipolygon valid (up to the simple connectivity of a polygon's interior).
pub fn is_valid(mp: &MultiPolygon<f64>) -> bool {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .all(|r| !has_spike(r) && signed_area(&r.0) != 0.0)
        && mp.is_valid()
}

/// A vertex where the ring turns back on itself: the next segment overlaps the previous one.
pub fn has_spike(ring: &LineString<f64>) -> bool {
    let pts = open(&ring.0);
    let n = pts.len();
    n >= 3 && (0..n).any(|i| folds_back(pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]))
}

/// `b` is the tip of a spike `a → b → c`: the two segments are collinear and point in opposite directions.
pub fn folds_back(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    let (u, v) = (b - a, c - b);
    u.x * v.y - u.y * v.x == 0.0 && u.x * v.x + u.y * v.y < 0.0
}

/// An open ring without the tips of its spikes (a vertex where the ring turns straight back).
pub fn without_spikes(mut pts: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    loop {
        let n = pts.len();
        if n < 3 {
            return pts;
        }
        let tip = (0..n).find(|&i| {
            let (a, b, c) = (pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]);
            a == c || folds_back(a, b, c)
        });
        match tip {
            Some(i) => {
                pts.remove(i);
                pts.dedup();
                while pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
            }
            None => return pts,
        }
    }
}

/// Shoelace area of a ring (closed or open): positive when counter-clockwise with y up.
pub fn signed_area(pts: &[Coord<f64>]) -> f64 {
    let pts = open(pts);
    let n = pts.len();
    (0..n)
        .map(|i| pts[i].x * pts[(i + 1) % n].y - pts[(i + 1) % n].x * pts[i].y)
        .sum::<f64>()
        / 2.0
}

/// A ring without its closing point.
fn open(pts: &[Coord<f64>]) -> &[Coord<f64>] {
    match pts {
        [first, .., last] if first == last => &pts[..pts.len() - 1],
        _ => pts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_and_collapsed_rings_are_invalid() {
        let spike = MultiPolygon(vec![geo::wkt!(POLYGON((
            0. 0., 10. 0., 10. 5., 10. 2., 10. 10., 0. 10., 0. 0.
        )))]);
        assert!(!is_valid(&spike));
        let flat = MultiPolygon(vec![geo::wkt!(POLYGON((0. 0., 2. 0., 1. 0., 0. 0.)))]);
        assert!(!is_valid(&flat));
        let square = MultiPolygon(vec![
            geo::wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.))),
        ]);
        assert!(is_valid(&square));
    }
}
