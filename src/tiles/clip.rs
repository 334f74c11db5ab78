//! Clipping, quantising, dropping sub-pixel rings and winding (steps 5–7 and 9 of the pipeline), then the
//! validity check of step 8 (`repair`).

#[cfg(test)]
use super::simplify::Polygon;
use super::simplify::Pt;
use geo::{Coord, LineString, MultiPolygon};

/// Rings smaller than one pixel of a 256-px tile (16 × 16 units of 4096) are dropped.
const MIN_RING_AREA: f64 = 16.0 * 16.0;

/// Reusable buffers for clipping and quantising the rings of one tile, so rendering a tile does not allocate per
/// ring.
#[derive(Default)]
pub struct Clipper {
    /// The ring in tile units, as the caller fills it.
    pub input: Vec<Pt>,
    a: Vec<Pt>,
    b: Vec<Pt>,
    quantised: Vec<[i32; 2]>,
}

impl Clipper {
    /// Clips `self.input` to `[lo, hi]²`, quantises it and returns the closed integer ring with whether it must be
    /// walked backwards to get MVT winding; `None` when it is gone or under one pixel.
    pub fn ring(&mut self, lo: f64, hi: f64, exterior: bool) -> Option<(&[[i32; 2]], bool)> {
        let ring: &[Pt] = match clip_ring(&self.input, lo, hi, &mut self.a, &mut self.b)? {
            true => &self.input,
            false => &self.a,
        };
        let area = quantise(ring, &mut self.quantised)?;
        (area.abs() >= MIN_RING_AREA).then_some((&self.quantised[..], (area > 0.0) != exterior))
    }

    /// `self.input` clipped to `[lo, hi]²`, before any rounding, and whether it lay inside as it was; `None` when
    /// fewer than three points are left.
    fn clipped(&mut self, lo: f64, hi: f64) -> Option<(&[Pt], bool)> {
        match clip_ring(&self.input, lo, hi, &mut self.a, &mut self.b)? {
            true => Some((&self.input, true)),
            false => Some((&self.a, false)),
        }
    }
}

/// Area below which what clipping left of a unit counts as nothing (square tile units): far above the rounding
/// error of the shoelace sum over a clipped ring (clipping leaves a ring that lies outside the square but around
/// one of its corners as a path of no area along its sides), far below anything that shows.
const MEETS_AREA: f64 = 1e-3;

/// Where a unit's polygons meet the square `[lo, hi]²`, exactly (before rounding): the box, in tile units, of
/// the part of largest area, or `None` when they do not meet it. A polygon whose outer ring lies inside the
/// square meets it, however small (at low zooms a unit is a speck of a tile unit); one that clipping cut meets it
/// when what is left, its holes taken out, has an area (not when the square lies outside it or in a hole).
/// `to_tile` writes each ring into the clipper's input.
pub fn meeting_box<'a, R>(
    polygons: impl Iterator<Item = R>,
    mut to_tile: impl FnMut(&'a [Pt], &mut Vec<Pt>),
    lo: f64,
    hi: f64,
    clipper: &mut Clipper,
) -> Option<[f64; 4]>
where
    R: Iterator<Item = &'a [Pt]>,
{
    let mut best: Option<(f64, [f64; 4])> = None;
    for rings in polygons {
        let (mut area, mut bbox, mut whole) = (0.0, None, false);
        for (i, ring) in rings.enumerate() {
            to_tile(ring, &mut clipper.input);
            let Some((clipped, inside)) = clipper.clipped(lo, hi) else {
                if i == 0 {
                    break;
                }
                continue;
            };
            let a = shoelace(clipped).abs();
            if i == 0 {
                (area, bbox, whole) = (a, Some(super::simplify::bbox(clipped)), inside);
            } else {
                area -= a;
            }
        }
        if let Some(b) = bbox.filter(|_| whole || area > MEETS_AREA) {
            if best.is_none_or(|(a, _)| area > a) {
                best = Some((area, b));
            }
        }
    }
    best.map(|(_, b)| b)
}

/// The signed area of a ring (open or closed), summed relative to its first point so the
/// rounding error stays that of the ring's size, not of its distance from the origin.
fn shoelace(ring: &[Pt]) -> f64 {
    let Some(&o) = ring.first() else {
        return 0.0;
    };
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            (a[0] - o[0]) * (b[1] - o[1]) - (b[0] - o[0]) * (a[1] - o[1])
        })
        .sum::<f64>()
        / 2.0
}

/// Side of the square a unit too small to show (or a sliver of one) is kept as: one pixel of a 256-px tile.
pub const PIXEL: i32 = 16;

/// A pixel-sized square centred on the box `b` (tile units), moved inside `[lo, hi]²`, as a closed integer ring
/// wound as MVT wants (positive area in tile coordinates).
pub fn pixel_square(b: [f64; 4], lo: f64, hi: f64) -> [[i32; 2]; 5] {
    let half = f64::from(PIXEL / 2);
    let centre =
        |min: f64, max: f64| ((min + max) / 2.0).round().clamp(lo + half, hi - half) as i32;
    let (x, y) = (centre(b[0], b[2]), centre(b[1], b[3]));
    let (x0, y0, x1, y1) = (x - PIXEL / 2, y - PIXEL / 2, x + PIXEL / 2, y + PIXEL / 2);
    [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

/// Clips a feature's polygons to `[lo, hi]²` and returns integer-valued geometry with MVT winding, valid by OGC
/// rules in tile space (step 8, `repair`), or `None` when nothing is left. `to_tile` writes each ring, in tile
/// units (y down), into the clipper's input.
pub fn clip_feature<'a, R>(
    polygons: impl Iterator<Item = R>,
    mut to_tile: impl FnMut(&'a [Pt], &mut Vec<Pt>),
    lo: f64,
    hi: f64,
    clipper: &mut Clipper,
) -> Option<MultiPolygon<f64>>
where
    R: Iterator<Item = &'a [Pt]>,
{
    let mut out = Vec::new();
    for rings in polygons {
        let mut kept: Vec<LineString<f64>> = Vec::new();
        for (i, ring) in rings.enumerate() {
            to_tile(ring, &mut clipper.input);
            match clipper.ring(lo, hi, i == 0) {
                Some((r, reverse)) => {
                    let mut ls: Vec<Coord<f64>> = r
                        .iter()
                        .map(|p| Coord {
                            x: f64::from(p[0]),
                            y: f64::from(p[1]),
                        })
                        .collect();
                    if reverse {
                        ls.reverse();
                    }
                    kept.push(LineString(ls))
                }
                None if i == 0 => break,
                None => {}
            }
        }
        if let Some((exterior, holes)) = kept.split_first() {
            out.push(geo::Polygon::new(exterior.clone(), holes.to_vec()));
        }
    }
    if out.is_empty() {
        return None;
    }
    super::repair::make_valid(MultiPolygon(out), MIN_RING_AREA)
}

/// [`clip_feature`] of polygons already in tile units.
#[cfg(test)]
pub fn clip_to_tile(polygons: &[Polygon], lo: f64, hi: f64) -> Option<MultiPolygon<f64>> {
    let rings = polygons.iter().map(|p| p.iter().map(Vec::as_slice));
    let copy = |r: &[Pt], input: &mut Vec<Pt>| {
        input.clear();
        input.extend_from_slice(r);
    };
    clip_feature(rings, copy, lo, hi, &mut Clipper::default())
}

/// Sutherland–Hodgman against the four sides of the square `[lo, hi]²`. `Some(true)` when the ring lies inside
/// as it is; `Some(false)` when the clipped ring is in `out`; `None` when fewer than three points are left.
fn clip_ring(ring: &[Pt], lo: f64, hi: f64, out: &mut Vec<Pt>, tmp: &mut Vec<Pt>) -> Option<bool> {
    let inside_all = ring
        .iter()
        .all(|p| p[0] >= lo && p[0] <= hi && p[1] >= lo && p[1] <= hi);
    if inside_all {
        return Some(true);
    }
    out.clear();
    out.extend_from_slice(ring);
    for (axis, bound, keep_below) in [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)]
    {
        if out.is_empty() {
            return None;
        }
        let inside = |p: &Pt| {
            if keep_below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        tmp.clear();
        let pts = &*out;
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            let (ia, ib) = (inside(&a), inside(&b));
            if ia {
                tmp.push(a);
            }
            if ia != ib {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                p[axis] = bound;
                tmp.push(p);
            }
        }
        std::mem::swap(out, tmp);
    }
    (out.len() >= 3).then_some(false)
}

/// Rounds to the integer grid, drops repeated points, and writes the ring (closed) into `out`; returns its signed
/// area. Coordinates stay far inside `i32` (the buffered tile), and the area is computed exactly as with `f64`.
fn quantise(ring: &[Pt], out: &mut Vec<[i32; 2]>) -> Option<f64> {
    out.clear();
    for p in ring {
        let c = [p[0].round() as i32, p[1].round() as i32];
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
    let twice: i64 = (0..n)
        .map(|i| {
            let (a, b) = (out[i], out[(i + 1) % n]);
            i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1])
        })
        .sum();
    out.push(out[0]);
    Some(twice as f64 / 2.0)
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
