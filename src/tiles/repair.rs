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

use crate::model::valid::{is_valid, signed_area, without_spikes};
use geo::algorithm::bool_ops::{BooleanOps, FillRule};
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};

/// Rounds of rebuild → round → check before the parts still invalid are dropped.
const ATTEMPTS: usize = 3;

/// A valid version of a multipolygon whose coordinates are on the integer grid, with MVT winding; `None` when
/// nothing of at least `min_area` square units is left.
pub fn make_valid(mp: MultiPolygon<f64>, min_area: f64) -> Option<MultiPolygon<f64>> {
    if is_valid(&mp) {
        return Some(mp).filter(|m| !m.0.is_empty());
    }
    // Spikes and loops that touch their ring at a vertex are split off first: cheap, and often enough.
    let mut mp = to_grid(mp, min_area);
    for _ in 0..ATTEMPTS {
        if is_valid(&mp) {
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

/// The region a possibly invalid multipolygon means: outer rings filled (non-zero winding), holes cut out.
fn rebuild(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let none = MultiPolygon::<f64>(vec![]);
    let mut out = MultiPolygon::<f64>(vec![]);
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
        out = out.union_with_fill_rule(&part, FillRule::NonZero);
    }
    out
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
                let simple = Polygon::new(LineString(l.clone()), vec![]).is_valid();
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
fn loops(ring: &LineString<f64>) -> Vec<Vec<Coord<f64>>> {
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    let mut at: std::collections::HashMap<(i64, i64), usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for c in &ring.0 {
        let c = Coord {
            x: c.x.round(),
            y: c.y.round(),
        };
        let key = (c.x as i64, c.y as i64);
        match at.get(&key) {
            Some(&i) => {
                // Back at a vertex already on the stack: what lies after it is a closed loop.
                let cut: Vec<Coord<f64>> = stack.drain(i + 1..).collect();
                for d in &cut {
                    at.remove(&(d.x as i64, d.y as i64));
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
}
