//! Simplification that keeps shared borders shared (steps 2 and 3 of the pipeline).

use std::collections::HashMap;

/// A point in normalised Web Mercator.
pub type Pt = [f64; 2];
/// Rings of a polygon, the outer one first; closed (first point repeated last).
pub type Polygon = Vec<Vec<Pt>>;

/// A unit's geometry at one zoom.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub polygons: Vec<Polygon>,
    /// `[min x, min y, max x, max y]`, normalised.
    pub bbox: [f64; 4],
}

impl Shape {
    pub fn new(polygons: Vec<Polygon>) -> Self {
        let bbox = bbox(polygons.iter().flat_map(|p| p.first()).flatten());
        Self { polygons, bbox }
    }

    pub fn vertex_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }
}

/// `[min x, min y, max x, max y]` of some points; an inverted (empty) box when there are none.
pub fn bbox<'a>(points: impl IntoIterator<Item = &'a Pt>) -> [f64; 4] {
    points.into_iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

fn key(p: Pt) -> (u64, u64) {
    (p[0].to_bits(), p[1].to_bits())
}

/// A ring's points (open: no closing repeat) and which of them are nodes.
type NodedRing = (Vec<Pt>, Vec<bool>);

/// The rings of every unit, cut at the nodes where the units sharing a border change.
pub struct Topology {
    /// `units[u][polygon][ring]`.
    units: Vec<Vec<Vec<NodedRing>>>,
}

impl Topology {
    /// Builds the topology of a set of units' polygons (closed rings).
    pub fn new(units: &[Vec<Polygon>]) -> Self {
        let mut owners: HashMap<(u64, u64), Vec<u32>> = HashMap::new();
        let mut ring_id = 0u32;
        for polygons in units {
            for ring in polygons.iter().flatten() {
                for &p in open(ring) {
                    let list = owners.entry(key(p)).or_default();
                    if list.last() != Some(&ring_id) {
                        list.push(ring_id);
                    }
                }
                ring_id += 1;
            }
        }
        // A vertex that is a node in any ring is a node in every ring: then the runs between nodes are the same
        // sequence on both sides of a border, even where one side has extra vertices of its own.
        let mut global: std::collections::HashSet<(u64, u64)> = std::collections::HashSet::new();
        for (ring_id, ring) in units.iter().flatten().flatten().enumerate() {
            let pts = open(ring);
            for (p, node) in pts.iter().zip(local_nodes(pts, ring_id as u32, &owners)) {
                if node {
                    global.insert(key(*p));
                }
            }
        }
        let units = units
            .iter()
            .map(|polygons| {
                polygons
                    .iter()
                    .map(|rings| {
                        rings
                            .iter()
                            .map(|ring| {
                                let pts = open(ring).to_vec();
                                let mut nodes: Vec<bool> =
                                    pts.iter().map(|p| global.contains(&key(*p))).collect();
                                if !nodes.iter().any(|b| *b) && !pts.is_empty() {
                                    // A ring nobody shares a node with (an island, or an enclave): start at its
                                    // lowest vertex, which the ring sharing it (if any) picks too.
                                    let lowest = (0..pts.len())
                                        .min_by(|&a, &b| cmp_pt(pts[a], pts[b]))
                                        .unwrap_or(0);
                                    nodes[lowest] = true;
                                }
                                (pts, nodes)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self { units }
    }

    /// Every unit simplified with tolerance `tol` (normalised units). Rings that collapse are dropped, and a
    /// polygon whose outer ring collapses is dropped.
    pub fn simplify(&self, tol: f64) -> Vec<Shape> {
        self.units
            .iter()
            .map(|polygons| {
                let polygons = polygons
                    .iter()
                    .filter_map(|rings| {
                        let mut out: Polygon = Vec::with_capacity(rings.len());
                        for (i, (pts, nodes)) in rings.iter().enumerate() {
                            match simplify_ring(pts, nodes, tol) {
                                Some(r) => out.push(r),
                                None if i == 0 => return None,
                                None => {}
                            }
                        }
                        Some(out)
                    })
                    .collect();
                Shape::new(polygons)
            })
            .collect()
    }
}

/// A closed ring without its closing point.
fn open(ring: &[Pt]) -> &[Pt] {
    match ring {
        [first, .., last] if first == last => &ring[..ring.len() - 1],
        _ => ring,
    }
}

/// Marks the vertices where the set of other rings sharing the vertex changes, and junctions of three rings.
fn local_nodes(pts: &[Pt], own: u32, owners: &HashMap<(u64, u64), Vec<u32>>) -> Vec<bool> {
    let others: Vec<Vec<u32>> = pts
        .iter()
        .map(|p| {
            owners[&key(*p)]
                .iter()
                .copied()
                .filter(|r| *r != own)
                .collect()
        })
        .collect();
    let n = pts.len();
    (0..n)
        .map(|i| {
            let prev = &others[(i + n - 1) % n];
            let next = &others[(i + 1) % n];
            others[i].len() >= 2 || others[i] != *prev || others[i] != *next
        })
        .collect()
}

fn cmp_pt(a: Pt, b: Pt) -> std::cmp::Ordering {
    a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1]))
}

/// Simplifies the runs between nodes; `None` when fewer than three points survive.
fn simplify_ring(pts: &[Pt], nodes: &[bool], tol: f64) -> Option<Vec<Pt>> {
    let n = pts.len();
    let start = nodes.iter().position(|b| *b)?;
    let mut out = Vec::new();
    let mut run = vec![pts[start]];
    for step in 1..=n {
        let i = (start + step) % n;
        run.push(pts[i]);
        if nodes[i] {
            let mut keep = vec![false; run.len()];
            keep[0] = true;
            *keep.last_mut().unwrap() = true;
            douglas_peucker(&run, 0, run.len() - 1, tol * tol, &mut keep);
            out.extend(
                run.iter()
                    .zip(&keep)
                    .skip(1)
                    .filter(|(_, k)| **k)
                    .map(|(p, _)| *p),
            );
            run = vec![pts[i]];
        }
    }
    // `out` ends with the start node: rotate it to the front and close the ring.
    out.rotate_right(1);
    out.dedup();
    if out.len() < 3 {
        return None;
    }
    out.push(out[0]);
    Some(out)
}

/// Marks the points to keep between `a` and `b` (both kept). Ties on distance break on coordinates, so a run
/// and its reverse keep the same points.
fn douglas_peucker(pts: &[Pt], a: usize, b: usize, tol2: f64, keep: &mut [bool]) {
    if b <= a + 1 {
        return;
    }
    let mut best: Option<(f64, usize)> = None;
    for i in a + 1..b {
        let d = seg_dist2(pts[i], pts[a], pts[b]);
        best = match best {
            Some((bd, bi)) if bd > d || (bd == d && cmp_pt(pts[bi], pts[i]).is_le()) => {
                Some((bd, bi))
            }
            _ => Some((d, i)),
        };
    }
    if let Some((d, i)) = best {
        if d > tol2 {
            keep[i] = true;
            douglas_peucker(pts, a, i, tol2, keep);
            douglas_peucker(pts, i, b, tol2, keep);
        }
    }
}

/// Squared distance from `p` to the segment `a`–`b`.
fn seg_dist2(p: Pt, a: Pt, b: Pt) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    };
    let (ex, ey) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    ex * ex + ey * ey
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two squares sharing a wiggly border.
    fn neighbours() -> Vec<Vec<Polygon>> {
        let border: Vec<Pt> = (0..=10)
            .map(|i| {
                [
                    1.0 + if i % 2 == 0 { 0.0 } else { 0.01 * f64::from(i) },
                    f64::from(i) / 10.0,
                ]
            })
            .collect();
        let mut left = vec![[0.0, 0.0]];
        left.extend(border.iter().copied());
        left.extend([[0.0, 1.0], [0.0, 0.0]]);
        let mut right: Vec<Pt> = vec![[2.0, 0.0], [2.0, 1.0]];
        right.extend(border.iter().rev().copied());
        right.push([2.0, 0.0]);
        vec![vec![vec![left]], vec![vec![right]]]
    }

    fn border_points(shape: &Shape) -> Vec<(u64, u64)> {
        let mut pts: Vec<(u64, u64)> = shape.polygons[0][0]
            .iter()
            .filter(|p| p[0] >= 1.0 && p[0] < 1.5)
            .map(|p| key(*p))
            .collect();
        pts.sort();
        pts.dedup();
        pts
    }

    #[test]
    fn neighbours_keep_the_same_border_vertices_at_every_tolerance() {
        let topo = Topology::new(&neighbours());
        for tol in [0.0, 0.005, 0.02, 0.05, 0.2] {
            let shapes = topo.simplify(tol);
            assert_eq!(
                border_points(&shapes[0]),
                border_points(&shapes[1]),
                "tolerance {tol}"
            );
        }
        let coarse = topo.simplify(0.2);
        assert!(coarse[0].vertex_count() < topo.simplify(0.0)[0].vertex_count());
    }

    #[test]
    fn a_ring_smaller_than_the_tolerance_collapses_and_takes_its_polygon_along() {
        let tiny = vec![vec![vec![
            [0.0, 0.0],
            [1e-9, 0.0],
            [1e-9, 1e-9],
            [0.0, 0.0],
        ]]];
        let shapes = Topology::new(&[tiny]).simplify(1e-3);
        assert!(shapes[0].polygons.is_empty());
    }
}
