//! Validity as GEOS judges it, checked with `geo` (the serving path does not call GEOS).
//!
//! `geo`'s [`Validation`] follows the OGC rules but lets two cases through that GEOS rejects: a *spike* (a ring
//! that runs back along the segment it came by: adjacent segments that overlap) and a ring that has collapsed to
//! zero area. Rounding coordinates (to 1e-7° in GeoJSON, to the tile grid in vector tiles) makes exactly these, so
//! both outputs check with [`is_valid`].

use geo::{Coord, Intersects, LineString, MultiPolygon, Polygon, Validation};

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

/// Rings up to this many points are checked for simplicity pair by pair, larger ones with a sweep.
const SIMPLE_CHECK_MAX: usize = 64;

/// Whether a closed ring of integer points is simple: no two of its segments meet except consecutive ones at
/// their shared vertex, and no vertex turns straight back (a spike). A simple ring of non-zero area is a valid
/// polygon by GEOS's rules and by [`crate::model::valid::is_valid`].
pub fn is_simple(ring: &[Coord<f64>]) -> bool {
    let pts: Vec<[i64; 2]> = ring.iter().map(|c| grid(*c)).collect();
    let n = pts.len().saturating_sub(1);
    if n < 3 || pts[0] != pts[n] {
        return false;
    }
    let seg = |i: usize| (pts[i], pts[i + 1]);
    for i in 0..n {
        let (a, b) = seg(i);
        // Consecutive segments a→b→c: collinear and turning back is a spike.
        let c = pts[(i + 2) % n];
        let (u, v) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
        let w = |v: i64| i128::from(v);
        if w(u[0]) * w(v[1]) == w(u[1]) * w(v[0]) && w(u[0]) * w(v[0]) + w(u[1]) * w(v[1]) <= 0 {
            return false;
        }
    }
    // Non-consecutive segments must not meet: pair by pair for small rings, else a sweep along x over the
    // segments whose x-ranges overlap.
    let consecutive = |i: usize, j: usize| i.abs_diff(j) == 1 || i.abs_diff(j) == n - 1;
    let meet = |i: usize, j: usize| {
        let ((a, b), (c, d)) = (seg(i), seg(j));
        !consecutive(i, j) && segments_meet(a, b, c, d)
    };
    if n <= SIMPLE_CHECK_MAX {
        return !(0..n).any(|i| (i + 2..n).any(|j| meet(i, j)));
    }
    let x_range = |i: usize| {
        let (a, b) = seg(i);
        (a[0].min(b[0]), a[0].max(b[0]))
    };
    let mut by_west: Vec<usize> = (0..n).collect();
    by_west.sort_unstable_by_key(|&i| x_range(i).0);
    let mut open: Vec<usize> = Vec::new();
    for &i in &by_west {
        let west = x_range(i).0;
        open.retain(|&j| x_range(j).1 >= west);
        if open.iter().any(|&j| meet(i, j)) {
            return false;
        }
        open.push(i);
    }
    true
}

/// The sign of the turn a → b → c, exactly: in `i128`, as coordinates on a 1e-7° grid reach 10⁹.
fn orient(a: [i64; 2], b: [i64; 2], c: [i64; 2]) -> i64 {
    let w = |v: i64| i128::from(v);
    (w(b[0] - a[0]) * w(c[1] - a[1]) - w(b[1] - a[1]) * w(c[0] - a[0])).signum() as i64
}

fn on_segment(a: [i64; 2], b: [i64; 2], p: [i64; 2]) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether the closed segments a–b and c–d share any point.
pub fn segments_meet(a: [i64; 2], b: [i64; 2], c: [i64; 2], d: [i64; 2]) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    (o1 != o2 && o3 != o4)
        || (o1 == 0 && on_segment(a, b, c))
        || (o2 == 0 && on_segment(a, b, d))
        || (o3 == 0 && on_segment(c, d, a))
        || (o4 == 0 && on_segment(c, d, b))
}

/// An integer-valued coordinate as integers.
pub fn grid(c: Coord<f64>) -> [i64; 2] {
    [c.x as i64, c.y as i64]
}

/// Polygons on the integer grid without holes, each a simple ring ([`is_simple`]) and none meeting another
/// ([`groups_whose_boxes_meet`]): a valid multipolygon, decided without `geo`'s or GEOS's validation.
pub fn simple_and_apart(polygons: &[Polygon<f64>]) -> bool {
    polygons
        .iter()
        .all(|p| p.interiors().is_empty() && is_simple(&p.exterior().0))
        && groups_whose_boxes_meet(polygons).len() == polygons.len()
}

/// Whether two polygons on the integer grid share a point, `a_box` and `b_box` being their boxes (which meet):
/// exactly, with integer arithmetic. Only the segments that reach the common part of the boxes are compared, so
/// neighbours that are close cost what their facing sides cost; without a shared boundary point they meet only if
/// one lies inside the other.
fn polygons_meet(a: &Polygon<f64>, b: &Polygon<f64>, a_box: [f64; 4], b_box: [f64; 4]) -> bool {
    let common = [
        a_box[0].max(b_box[0]),
        a_box[1].max(b_box[1]),
        a_box[2].min(b_box[2]),
        a_box[3].min(b_box[3]),
    ];
    let near = |p: &Polygon<f64>| -> Vec<([i64; 2], [i64; 2])> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .flat_map(|r| r.0.windows(2))
            .filter(|s| {
                s[0].x.max(s[1].x) >= common[0]
                    && s[0].x.min(s[1].x) <= common[2]
                    && s[0].y.max(s[1].y) >= common[1]
                    && s[0].y.min(s[1].y) <= common[3]
            })
            .map(|s| (grid(s[0]), grid(s[1])))
            .collect()
    };
    let (near_a, near_b) = (near(a), near(b));
    let boundaries_meet = near_a
        .iter()
        .any(|&(p, q)| near_b.iter().any(|&(r, t)| segments_meet(p, q, r, t)));
    let inside = |p: &Polygon<f64>, p_box: [f64; 4], q: &Polygon<f64>| {
        let c = q.exterior().0[0];
        c.x >= p_box[0] && c.x <= p_box[2] && c.y >= p_box[1] && c.y <= p_box[3] && p.intersects(&c)
    };
    boundaries_meet || inside(a, a_box, b) || inside(b, b_box, a)
}

/// The polygons grouped by whether they meet, directly or through other polygons of the group: each group's
/// members in input order, groups in the order of their first member. A sweep along x finds the pairs whose boxes
/// meet; of those, [`polygons_meet`] tells exactly which share a point.
pub fn groups_whose_boxes_meet(polygons: &[Polygon<f64>]) -> Vec<Vec<usize>> {
    let n = polygons.len();
    if n <= 1 {
        return vec![(0..n).collect()];
    }
    let boxes: Vec<[f64; 4]> = polygons
        .iter()
        .map(|p| {
            p.exterior().0.iter().fold(
                [
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ],
                |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
            )
        })
        .collect();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut by_west: Vec<usize> = (0..n).collect();
    by_west.sort_by(|&a, &b| boxes[a][0].total_cmp(&boxes[b][0]));
    let mut open: Vec<usize> = Vec::new();
    for &i in &by_west {
        let b = boxes[i];
        open.retain(|&j| boxes[j][2] >= b[0]);
        for &j in &open {
            if boxes[j][1] <= b[3]
                && boxes[j][3] >= b[1]
                && polygons_meet(&polygons[i], &polygons[j], b, boxes[j])
            {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
        open.push(i);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        let g = *slot.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
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
