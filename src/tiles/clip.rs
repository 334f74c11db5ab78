//! Clipping, quantising, dropping sub-pixel rings and winding (steps 5–7 and 9 of the pipeline), then the
//! validity check of step 8 (`repair`).

use super::simplify::{Polygon, Pt};
use geo::{Coord, LineString, MultiPolygon};

/// Rings smaller than one pixel of a 256-px tile (16 × 16 units of 4096) are dropped.
const MIN_RING_AREA: f64 = 16.0 * 16.0;

/// Clips polygons (already in tile units, y down) to `[lo, hi]²` and returns integer-valued geometry with MVT
/// winding, valid by OGC rules in tile space, or `None` when nothing is left.
pub fn clip_to_tile(polygons: &[Polygon], lo: f64, hi: f64) -> Option<MultiPolygon<f64>> {
    let mut out = Vec::new();
    for rings in polygons {
        let mut kept: Vec<LineString<f64>> = Vec::with_capacity(rings.len());
        for (i, ring) in rings.iter().enumerate() {
            match clip_ring(ring, lo, hi).and_then(|r| quantise(&r)) {
                Some((ring, area)) if area.abs() >= MIN_RING_AREA => {
                    kept.push(wind(ring, area, i == 0))
                }
                _ if i == 0 => break,
                _ => {}
            }
        }
        if let Some((exterior, holes)) = kept.split_first() {
            out.push(geo::Polygon::new(exterior.clone(), holes.to_vec()));
        }
    }
    super::repair::make_valid(MultiPolygon(out), MIN_RING_AREA)
}

/// Sutherland–Hodgman against the four sides of the square `[lo, hi]²`.
fn clip_ring(ring: &[Pt], lo: f64, hi: f64) -> Option<Vec<Pt>> {
    let inside_all = ring
        .iter()
        .all(|p| p[0] >= lo && p[0] <= hi && p[1] >= lo && p[1] <= hi);
    if inside_all {
        return Some(ring.to_vec());
    }
    let mut pts: Vec<Pt> = ring.to_vec();
    for (axis, bound, keep_below) in [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)]
    {
        if pts.is_empty() {
            return None;
        }
        let inside = |p: &Pt| {
            if keep_below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        let mut next = Vec::with_capacity(pts.len() + 4);
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            let (ia, ib) = (inside(&a), inside(&b));
            if ia {
                next.push(a);
            }
            if ia != ib {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                p[axis] = bound;
                next.push(p);
            }
        }
        pts = next;
    }
    (pts.len() >= 3).then_some(pts)
}

/// Rounds to the integer grid, drops repeated points, and returns the ring (closed) with its signed area.
fn quantise(ring: &[Pt]) -> Option<(Vec<Coord<f64>>, f64)> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.len() + 1);
    for p in ring {
        let c = Coord {
            x: p[0].round(),
            y: p[1].round(),
        };
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 {
        return None;
    }
    let n = out.len();
    let twice: f64 = (0..n)
        .map(|i| out[i].x * out[(i + 1) % n].y - out[(i + 1) % n].x * out[i].y)
        .sum();
    out.push(out[0]);
    Some((out, twice / 2.0))
}

/// Outer rings positive (clockwise on screen, y down), holes negative: MVT 2.1 section 4.3.4.4.
fn wind(mut ring: Vec<Coord<f64>>, area: f64, exterior: bool) -> LineString<f64> {
    if (area > 0.0) != exterior {
        ring.reverse();
    }
    LineString(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_area(ls: &LineString<f64>) -> f64 {
        ls.0.windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn a_polygon_larger_than_the_tile_is_clipped_to_the_buffered_square() {
        let big = vec![vec![vec![
            [-1000.0, -1000.0],
            [5000.0, -1000.0],
            [5000.0, 5000.0],
            [-1000.0, 5000.0],
            [-1000.0, -1000.0],
        ]]];
        let mp = clip_to_tile(&big, -64.0, 4160.0).unwrap();
        let ext = mp.0[0].exterior();
        assert!(ext
            .0
            .iter()
            .all(|c| c.x >= -64.0 && c.x <= 4160.0 && c.y >= -64.0 && c.y <= 4160.0));
        assert_eq!(signed_area(ext), 4224.0 * 4224.0, "exterior positive");
    }

    #[test]
    fn holes_wind_negative_and_sub_pixel_rings_are_dropped() {
        let outer = vec![
            [0.0, 0.0],
            [0.0, 1000.0],
            [1000.0, 1000.0],
            [1000.0, 0.0],
            [0.0, 0.0],
        ];
        let hole = vec![
            [100.0, 100.0],
            [200.0, 100.0],
            [200.0, 200.0],
            [100.0, 200.0],
            [100.0, 100.0],
        ];
        let speck = vec![
            [300.0, 300.0],
            [305.0, 300.0],
            [305.0, 305.0],
            [300.0, 300.0],
        ];
        let mp = clip_to_tile(&[vec![outer, hole, speck]], -64.0, 4160.0).unwrap();
        assert!(signed_area(mp.0[0].exterior()) > 0.0);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert!(signed_area(&mp.0[0].interiors()[0]) < 0.0);
        let tiny_island = vec![vec![vec![[0.0, 0.0], [3.0, 0.0], [3.0, 3.0], [0.0, 0.0]]]];
        assert!(clip_to_tile(&tiny_island, -64.0, 4160.0).is_none());
    }
}
