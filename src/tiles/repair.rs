//! Keeping a tile's geometry valid once it is on the integer grid (step 8 of the pipeline).
//!
//! Simplification, clipping and rounding to the grid each keep a valid polygon *almost* valid: Douglas–Peucker
//! may make a ring cross itself or a neighbour ring at coarse zooms, Sutherland–Hodgman leaves zero-width bridges
//! along the tile's edge where a concave polygon leaves and re-enters it, and rounding can fold a narrow part onto
//! itself. GEOS calls all of these invalid, and GIS clients then fail on spatial operations. So every feature is
//! checked with `geo`'s validation in tile space and, only when invalid, rebuilt with boolean operations
//! (`i_overlay`): each polygon's outer ring united with itself (which resolves crossings and bridges), minus its
//! holes, and the parts united. The result is rounded to the grid again and checked again; the few parts that
//! rounding still breaks are dropped (they are at most a few tile units wide).

use crate::model::valid::{
    groups_whose_boxes_meet, is_simple, is_valid, signed_area, simple_and_apart, without_spikes,
};
use geo::algorithm::bool_ops::{BooleanOps, FillRule};
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};

/// Rounds of rebuild → round → check before the parts still invalid are dropped.
const ATTEMPTS: usize = 3;

/// A valid version of a multipolygon whose coordinates are on the integer grid, with MVT winding; `None` when
/// nothing of at least `min_area` square units is left. A valid input is returned unchanged.
///
/// Polygons whose boxes do not meet cannot make each other invalid, so the feature is split into *groups* of
/// polygons whose boxes meet (directly or through others) and each group is checked, and rebuilt if need be, on
/// its own. A rebuilt group stays inside its box (boolean operations and rounding to the grid add no point
/// beyond the integer box of their input), so the groups stay apart. This keeps the check near-linear for a
/// feature of thousands of separate parts — the outline of a dense unit set in a low-zoom tile — where checking
/// and uniting the whole feature at once grows with the square of its parts.
pub fn make_valid(mp: MultiPolygon<f64>, min_area: f64) -> Option<MultiPolygon<f64>> {
    let groups = groups_whose_boxes_meet(&mp.0);
    if groups.len() <= 1 {
        return make_valid_group(mp, min_area);
    }
    let valid: Vec<bool> = groups
        .iter()
        .map(|g| match g.as_slice() {
            [one] => is_valid_polygon(&mp.0[*one]),
            _ => is_valid(&MultiPolygon(g.iter().map(|&i| mp.0[i].clone()).collect())),
        })
        .collect();
    if valid.iter().all(|v| *v) {
        return Some(mp).filter(|m| !m.0.is_empty());
    }
    // In input order: a valid group's polygons where they were, a rebuilt group's where its first polygon was.
    let mut group_of = vec![0; mp.0.len()];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g;
        }
    }
    let mut polygons: Vec<Option<Polygon<f64>>> = mp.0.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(polygons.len());
    for i in 0..polygons.len() {
        let g = group_of[i];
        if valid[g] {
            out.extend(polygons[i].take());
        } else if groups[g][0] == i {
            let group = groups[g].iter().filter_map(|&j| polygons[j].take());
            out.extend(
                make_valid_group(MultiPolygon(group.collect()), min_area)
                    .into_iter()
                    .flat_map(|m| m.0),
            );
        }
    }
    Some(MultiPolygon(out)).filter(|m| !m.0.is_empty())
}

/// [`make_valid`] of one group (or of a whole feature): checked whole and, when invalid, rebuilt whole.
fn make_valid_group(mp: MultiPolygon<f64>, min_area: f64) -> Option<MultiPolygon<f64>> {
    if is_valid_fast(&mp) {
        return Some(mp).filter(|m| !m.0.is_empty());
    }
    // Spikes and loops that touch their ring at a vertex are split off first: cheap, and often enough.
    let mut mp = to_grid(mp, min_area);
    for _ in 0..ATTEMPTS {
        if is_valid_fast(&mp) {
            return Some(mp).filter(|m| !m.0.is_empty());
        }
        mp = to_grid(rebuild(&mp), min_area);
    }
    let kept: Vec<Polygon<f64>> =
        mp.0.into_iter()
            .filter(|p| is_valid(&MultiPolygon(vec![p.clone()])))
            .collect();
    let mp = MultiPolygon(kept);
    (is_valid(&mp) && !mp.0.is_empty()).then_some(mp)
}

/// [`is_valid`], exactly but faster for the common cases: one polygon through [`is_valid_polygon`]; polygons
/// without holes, each a simple ring, none meeting another — valid without further work.
fn is_valid_fast(mp: &MultiPolygon<f64>) -> bool {
    match mp.0.as_slice() {
        [one] => is_valid_polygon(one),
        many if simple_and_apart(many) => true,
        _ => is_valid(mp),
    }
}

/// Whether one polygon is valid. A ring without holes and without repeated consecutive points is valid exactly
/// when [`is_simple`] says so (tested against `geo`'s validation in this module's tests), which is the common case
/// (a dense set's units, the outline's parts, a comuna clipped to a tile) and costs what the ring's segments do;
/// anything else goes through [`is_valid`].
fn is_valid_polygon(p: &Polygon<f64>) -> bool {
    let ring = &p.exterior().0;
    if p.interiors().is_empty() && ring.windows(2).all(|w| w[0] != w[1]) {
        return is_simple(ring);
    }
    is_valid(&MultiPolygon(vec![p.clone()]))
}

/// The region a possibly invalid multipolygon means: outer rings filled (non-zero winding), holes cut out. Each
/// polygon is rebuilt on its own, then all are united in one boolean operation (non-zero winding over rebuilt
/// polygons, whose outer rings all turn one way and holes the other, is their union).
fn rebuild(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let none = MultiPolygon::<f64>(vec![]);
    let mut parts = Vec::with_capacity(mp.0.len());
    for p in &mp.0 {
        let shell = Polygon::new(p.exterior().clone(), vec![])
            .union_with_fill_rule(&none, FillRule::NonZero);
        let holes = MultiPolygon(
            p.interiors()
                .iter()
                .map(|h| Polygon::new(h.clone(), vec![]))
                .collect(),
        )
        .union_with_fill_rule(&none, FillRule::NonZero);
        let part = if holes.0.is_empty() {
            shell
        } else {
            shell.difference(&holes)
        };
        parts.extend(part.0);
    }
    MultiPolygon(parts).union_with_fill_rule(&none, FillRule::NonZero)
}

/// Rounds to the integer grid and splits each ring where it passes a vertex twice: a loop that touches its ring
/// (or a spike, a loop of no area) becomes a ring of its own, kept if it covers `min_area`. Loops wound like the
/// outer ring become polygons; loops wound the other way, and holes, go to the largest of them. Rings are wound
/// as MVT wants.
fn to_grid(mp: MultiPolygon<f64>, min_area: f64) -> MultiPolygon<f64> {
    let mut out = Vec::new();
    for p in mp.0 {
        let mut shells: Vec<(f64, Vec<Coord<f64>>)> = Vec::new();
        let mut holes: Vec<Vec<Coord<f64>>> = Vec::new();
        for (i, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            let mut loops = loops(ring);
            if loops.len() == 1 {
                // Nothing to split: the ring stays what it was (boolean operations deal with a crossing), unless
                // it is a simple ring too small to keep.
                let l = loops.remove(0);
                let closed: Vec<Coord<f64>> = l.iter().chain(l.first()).copied().collect();
                let simple =
                    is_simple(&closed) || Polygon::new(LineString(l.clone()), vec![]).is_valid();
                if simple && signed_area(&l).abs() < min_area {
                    continue;
                }
                match i {
                    0 => shells.push((signed_area(&l).abs(), l)),
                    _ => holes.push(l),
                }
                continue;
            }
            // The largest loop's winding tells outer loops from inverted holes.
            let sign = loops
                .iter()
                .map(|l| signed_area(l))
                .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                .unwrap_or(0.0)
                .signum();
            for l in loops {
                let area = signed_area(&l);
                if area.abs() < min_area {
                    continue;
                }
                match (i == 0, area.signum() == sign) {
                    (true, true) => shells.push((area.abs(), l)),
                    (true, false) | (false, true) => holes.push(l),
                    (false, false) => {}
                }
            }
        }
        let Some(largest) = (0..shells.len()).max_by(|&a, &b| shells[a].0.total_cmp(&shells[b].0))
        else {
            continue;
        };
        for (i, (_, shell)) in shells.into_iter().enumerate() {
            let interiors = if i == largest {
                std::mem::take(&mut holes)
                    .into_iter()
                    .map(|h| wound(h, false))
                    .collect()
            } else {
                vec![]
            };
            out.push(Polygon::new(wound(shell, true), interiors));
        }
    }
    MultiPolygon(out)
}

/// A ring rounded to the grid, without repeated points, cut into simple loops (open, at least three points).
///
/// The ring is cut wherever it passes the same point twice: where it passes a vertex twice, and where one of its
/// vertices lies inside one of its segments (the point is first made a vertex of that segment too). The second case
/// is how a hole that touches its shell at one point comes out of `i_overlay` (which drops collinear points, so
/// the touching point is a vertex of one pass only); left uncut, the ring is rebuilt to itself and never valid.
fn loops(ring: &LineString<f64>) -> Vec<Vec<Coord<f64>>> {
    let rounded: Vec<[i64; 2]> = ring
        .0
        .iter()
        .map(|c| [c.x.round() as i64, c.y.round() as i64])
        .collect();
    let noded = with_touches_as_vertices(&rounded);
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(noded.len());
    let mut at: std::collections::HashMap<[i64; 2], usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for key in noded {
        let c = Coord {
            x: key[0] as f64,
            y: key[1] as f64,
        };
        match at.get(&key) {
            Some(&i) => {
                // Back at a vertex already on the stack: what lies after it is a closed loop.
                let cut: Vec<Coord<f64>> = stack.drain(i + 1..).collect();
                for d in &cut {
                    at.remove(&[d.x as i64, d.y as i64]);
                }
                let mut l = vec![stack[i]];
                l.extend(cut);
                if l.len() >= 3 {
                    out.push(l);
                }
            }
            None => {
                at.insert(key, stack.len());
                stack.push(c);
            }
        }
    }
    out.push(stack);
    out.into_iter()
        .map(without_spikes)
        .filter(|l| l.len() >= 3)
        .collect()
}

/// The ring (integer points, closed or not) with every one of its vertices that lies inside one of its segments
/// (not at an end) added to that segment, in order along it. A sweep along x pairs each vertex with the segments
/// whose x-range holds it.
fn with_touches_as_vertices(pts: &[[i64; 2]]) -> Vec<[i64; 2]> {
    let n = pts.len();
    if n < 4 {
        return pts.to_vec();
    }
    let segs = n - 1;
    let x_range = |i: usize| (pts[i][0].min(pts[i + 1][0]), pts[i][0].max(pts[i + 1][0]));
    let mut by_west: Vec<usize> = (0..segs).collect();
    by_west.sort_unstable_by_key(|&i| x_range(i).0);
    let mut vertices: Vec<usize> = (0..n).collect();
    vertices.sort_unstable_by_key(|&v| pts[v][0]);
    let mut inserted: Vec<(usize, [i64; 2])> = Vec::new();
    let (mut next, mut open): (usize, Vec<usize>) = (0, Vec::new());
    for &v in &vertices {
        let p = pts[v];
        while next < segs && x_range(by_west[next]).0 <= p[0] {
            open.push(by_west[next]);
            next += 1;
        }
        open.retain(|&s| x_range(s).1 >= p[0]);
        for &s in &open {
            let (a, b) = (pts[s], pts[s + 1]);
            if p != a && p != b && strictly_inside(a, b, p) {
                inserted.push((s, p));
            }
        }
    }
    if inserted.is_empty() {
        return pts.to_vec();
    }
    inserted.sort_unstable_by_key(|&(s, p)| {
        let a = pts[s];
        (s, (p[0] - a[0]).abs() + (p[1] - a[1]).abs())
    });
    inserted.dedup();
    let mut out = Vec::with_capacity(n + inserted.len());
    let mut k = 0;
    for (s, p) in pts[..segs].iter().enumerate() {
        out.push(*p);
        while k < inserted.len() && inserted[k].0 == s {
            out.push(inserted[k].1);
            k += 1;
        }
    }
    out.push(pts[segs]);
    out
}

/// Whether `p` lies on the segment a–b, exactly (integer arithmetic).
fn strictly_inside(a: [i64; 2], b: [i64; 2], p: [i64; 2]) -> bool {
    let w = |v: i64| i128::from(v);
    let cross = w(b[0] - a[0]) * w(p[1] - a[1]) - w(b[1] - a[1]) * w(p[0] - a[0]);
    cross == 0
        && p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Closes an open ring wound as MVT wants: outer rings positive in tile coordinates, holes negative.
fn wound(mut pts: Vec<Coord<f64>>, exterior: bool) -> LineString<f64> {
    if (signed_area(&pts) > 0.0) != exterior {
        pts.reverse();
    }
    pts.push(pts[0]);
    LineString(pts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bridge_along_the_tile_edge_is_split_into_valid_polygons() {
        // A C-shape opening west whose back lies beyond x = 100, clipped there by Sutherland–Hodgman: the two arms
        // are joined by a zero-width bridge along x = 100.
        let clipped = MultiPolygon(vec![geo::wkt!(POLYGON((
            0. 0., 100. 0., 100. 100., 0. 100., 0. 60., 100. 60., 100. 40., 0. 40., 0. 0.
        )))]);
        assert!(!clipped.is_valid());
        let fixed = make_valid(clipped, 1.0).unwrap();
        assert!(fixed.is_valid(), "{fixed:?}");
        assert_eq!(fixed.0.len(), 2, "{fixed:?}");
        let area: f64 = fixed.0.iter().map(|p| signed_area(&p.exterior().0)).sum();
        assert_eq!(area, 2.0 * 100.0 * 40.0);
    }

    #[test]
    fn a_ring_that_touches_itself_where_only_one_side_has_a_vertex_is_split_not_dropped() {
        // A hole that touches its shell at one point, written as one ring that runs into the hole and out again:
        // the pinch (50, 50) is a vertex of one pass and the middle of the segment (50, 60)–(50, 40) of the other.
        // Rounding Santa Elena's outer ring into tile 11/594/988 makes exactly this at (1349, 2012); `i_overlay`
        // gives such a ring back as it is, so it was rebuilt to itself three times, stayed invalid, and the whole
        // corregimiento was dropped from the tile.
        let pinched = MultiPolygon(vec![geo::wkt!(POLYGON((
            0. 0., 100. 0., 100. 100., 0. 100., 0. 50., 50. 50., 40. 60., 50. 60., 50. 40., 0. 40., 0. 0.
        )))]);
        assert!(!pinched.is_valid());
        assert!(
            !is_valid(&rebuild(&pinched)),
            "i_overlay gives the pinched ring back"
        );
        let fixed = make_valid(pinched, 1.0).expect("the ring is kept");
        assert!(is_valid(&fixed), "{fixed:?}");
        let area: f64 = fixed
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| signed_area(&r.0))
            .sum();
        assert_eq!(
            area,
            100.0 * 100.0 - 50.0 * 10.0 - 10.0 * 10.0 / 2.0,
            "{fixed:?}"
        );
    }

    #[test]
    fn a_ring_that_crosses_itself_becomes_two_valid_parts_with_mvt_winding() {
        let bowtie = MultiPolygon(vec![geo::wkt!(POLYGON((
            0. 0., 100. 100., 100. 0., 0. 100., 0. 0.
        )))]);
        assert!(!bowtie.is_valid());
        let fixed = make_valid(bowtie, 1.0).unwrap();
        assert!(fixed.is_valid(), "{fixed:?}");
        assert_eq!(fixed.0.len(), 2);
        assert!(fixed.0.iter().all(|p| signed_area(&p.exterior().0) > 0.0));
    }

    #[test]
    fn a_hole_that_leaves_its_shell_is_cut_out_where_it_overlaps() {
        let p = MultiPolygon(vec![geo::wkt!(POLYGON(
            (0. 0., 0. 100., 100. 100., 100. 0., 0. 0.),
            (50. 20., 150. 20., 150. 80., 50. 80., 50. 20.)
        ))]);
        assert!(!p.is_valid());
        let fixed = make_valid(p, 1.0).unwrap();
        assert!(fixed.is_valid(), "{fixed:?}");
        let area: f64 = fixed.0.iter().map(|p| signed_area(&p.exterior().0)).sum();
        assert_eq!(area, 100.0 * 100.0 - 50.0 * 60.0);
    }

    #[test]
    fn the_quick_simplicity_check_agrees_with_the_full_validity_check() {
        use crate::model::valid::is_valid;
        let rings: [&[(f64, f64)]; 6] = [
            &[(0., 0.), (10., 0.), (10., 10.), (0., 10.), (0., 0.)],
            &[(0., 0.), (10., 10.), (10., 0.), (0., 10.), (0., 0.)],
            &[
                (0., 0.),
                (10., 0.),
                (10., 5.),
                (10., 2.),
                (10., 10.),
                (0., 10.),
                (0., 0.),
            ],
            &[(0., 0.), (10., 0.), (5., 0.), (5., 10.), (0., 0.)],
            &[
                (0., 0.),
                (10., 0.),
                (10., 10.),
                (5., 0.),
                (0., 10.),
                (0., 0.),
            ],
            &[(0., 0.), (5., 0.), (10., 0.), (10., 10.), (0., 0.)],
        ];
        for r in rings {
            let ring: Vec<Coord<f64>> = r.iter().map(|&(x, y)| Coord { x, y }).collect();
            let full = is_valid(&MultiPolygon(vec![geo::Polygon::new(
                LineString(ring.clone()),
                vec![],
            )]));
            assert_eq!(is_simple(&ring), full, "{r:?}");
        }
    }

    fn square(x: f64, y: f64, side: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![
                (x, y),
                (x + side, y),
                (x + side, y + side),
                (x, y + side),
                (x, y),
            ]),
            vec![],
        )
    }

    #[test]
    fn a_feature_of_many_separate_parts_is_repaired_part_by_part_and_keeps_its_order() {
        // A 30 × 30 grid of separate squares, like a dense set's outline in a low-zoom tile; in it, two squares
        // that overlap (parts 5 and 6) and a bowtie (part 100).
        let mut parts: Vec<Polygon<f64>> = (0..900)
            .map(|i| square(f64::from(i % 30) * 20.0, f64::from(i / 30) * 20.0, 10.0))
            .collect();
        let valid = MultiPolygon(parts.clone());
        assert!(valid.is_valid());
        assert_eq!(
            make_valid(valid.clone(), 1.0),
            Some(valid),
            "a valid input is returned unchanged"
        );

        parts[6] = square(105.0, 0.0, 10.0);
        parts[100] = Polygon::new(
            LineString::from(vec![
                (200., 60.),
                (210., 70.),
                (210., 60.),
                (200., 70.),
                (200., 60.),
            ]),
            vec![],
        );
        let fixed = make_valid(MultiPolygon(parts.clone()), 1.0).unwrap();
        assert!(fixed.is_valid(), "{fixed:?}");
        assert!(is_valid(&fixed));
        // Parts 0–4 untouched and first; 5 and 6 united into one in 5's place; the bowtie became two triangles.
        assert_eq!(fixed.0[..5], parts[..5]);
        let united = &fixed.0[5];
        assert_eq!(
            signed_area(&united.exterior().0).abs(),
            10.0 * 10.0 * 2.0 - 5.0 * 10.0
        );
        assert_eq!(fixed.0[6..99], parts[7..100]);
        assert_eq!(fixed.0.len(), 900 - 1 + 1);
        let area: f64 = fixed
            .0
            .iter()
            .map(|p| signed_area(&p.exterior().0).abs())
            .sum();
        assert_eq!(area, 897.0 * 100.0 + 150.0 + 2.0 * 25.0);
    }

    #[test]
    fn parts_that_only_touch_at_a_corner_are_checked_together() {
        // Two squares touching at one point are a valid multipolygon; two sharing an edge are not, and are united.
        let corner = MultiPolygon(vec![
            square(0., 0., 10.),
            square(10., 10., 10.),
            square(50., 50., 10.),
        ]);
        assert_eq!(make_valid(corner.clone(), 1.0), Some(corner));
        let edge = MultiPolygon(vec![
            square(0., 0., 10.),
            square(10., 0., 10.),
            square(50., 50., 10.),
        ]);
        let fixed = make_valid(edge, 1.0).unwrap();
        assert!(fixed.is_valid(), "{fixed:?}");
        assert_eq!(fixed.0.len(), 2);
        assert_eq!(signed_area(&fixed.0[0].exterior().0).abs(), 200.0);
        assert_eq!(fixed.0[1], square(50., 50., 10.));
    }

    #[test]
    fn the_sweep_for_long_rings_agrees_with_the_full_validity_check() {
        // Star-shaped rings of 100–400 integer points around a centre (simple), and the same with two points
        // swapped or moved onto another vertex (mostly not): `is_simple`'s sweep against `geo`'s validation.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        let (mut simple, mut not) = (0, 0);
        for case in 0..300 {
            let n = 100 + (next() * 300.0) as usize;
            let mut ring: Vec<Coord<f64>> = (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    let r = 1000.0 + next() * 800.0;
                    Coord {
                        x: (r * a.cos()).round(),
                        y: (r * a.sin()).round(),
                    }
                })
                .collect();
            ring.dedup();
            match case % 3 {
                1 => {
                    let (i, j) = (
                        (next() * n as f64) as usize % ring.len(),
                        (next() * n as f64) as usize % ring.len(),
                    );
                    ring.swap(i, j);
                }
                2 => {
                    let (i, j) = (
                        (next() * n as f64) as usize % ring.len(),
                        (next() * n as f64) as usize % ring.len(),
                    );
                    ring[i] = ring[j];
                }
                _ => {}
            }
            ring.dedup();
            ring.push(ring[0]);
            let full = is_valid(&MultiPolygon(vec![Polygon::new(
                LineString(ring.clone()),
                vec![],
            )]));
            assert_eq!(is_simple(&ring), full, "case {case}: {ring:?}");
            if full {
                simple += 1
            } else {
                not += 1
            }
        }
        assert!(simple > 50 && not > 50, "{simple} simple, {not} not");
    }
}
