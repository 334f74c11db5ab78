//! GDAL's own transformation of the source boundary (`layers/data/medellin/…`, in EPSG:9377), the oracle of the
//! CRS tests: it shares no code with ssepot.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use gdal::spatial_ref::SpatialRef;
use gdal::vector::LayerAccess;
use std::collections::HashMap;

pub const SOURCE: &str = "data/medellin/limite_catastral_comunas_corregimientos.geojson";

fn layers_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("layers")
}

/// Every vertex of the source boundary, by territory code, transformed by GDAL to `epsg` in the authority's
/// axis order (GDAL's default for a CRS built from its EPSG code).
pub fn oracle(epsg: u32) -> HashMap<String, Vec<[f64; 2]>> {
    oracle_rings(epsg)
        .into_iter()
        .map(|(k, rings)| (k, rings.concat()))
        .collect()
}

/// The same as written to `precision`: vertices that rounding to that grid can make one (closer than √2 ×
/// `precision`) are one, the tips of spikes narrower than that
/// (the vertices on either side of the tip are one) are dropped, and so are rings left with fewer than three
/// vertices. Written to that precision such a spike folds onto itself, which GEOS calls invalid, so the served
/// geometry drops it: the source has one, a hole of comuna 05 that is a 27 cm spike 0.2 mm wide.
pub fn oracle_at(epsg: u32, precision: f64) -> HashMap<String, Vec<[f64; 2]>> {
    let near = |a: [f64; 2], b: [f64; 2]| {
        (a[0] - b[0]).hypot(a[1] - b[1]) < precision * std::f64::consts::SQRT_2
    };
    // a → b → c turns straight back (b is the tip of a spike) within the precision.
    let folds = |a: [f64; 2], b: [f64; 2], c: [f64; 2]| {
        let (ab, bc) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
        let cross = (ab[0] * bc[1] - ab[1] * bc[0]).abs();
        let dot = ab[0] * bc[0] + ab[1] * bc[1];
        near(a, c)
            || (dot < 0.0
                && cross / ab[0].hypot(ab[1]).max(bc[0].hypot(bc[1]))
                    < precision * std::f64::consts::SQRT_2)
    };
    let written = |ring: Vec<[f64; 2]>| {
        let mut r: Vec<[f64; 2]> = Vec::new();
        for p in ring {
            if r.last().is_none_or(|q| !near(*q, p)) {
                r.push(p);
            }
            while r.len() >= 3 && folds(r[r.len() - 3], r[r.len() - 2], r[r.len() - 1]) {
                if near(r[r.len() - 3], r[r.len() - 1]) {
                    r.truncate(r.len() - 2);
                } else {
                    r.remove(r.len() - 2);
                }
            }
        }
        if r.len() > 1 && near(r[0], r[r.len() - 1]) {
            r.pop();
        }
        if r.len() >= 3 {
            r
        } else {
            vec![]
        }
    };
    oracle_rings(epsg)
        .into_iter()
        .map(|(k, rings)| (k, rings.into_iter().flat_map(&written).collect()))
        .collect()
}

pub fn oracle_rings(epsg: u32) -> HashMap<String, Vec<Vec<[f64; 2]>>> {
    let ds = gdal::Dataset::open(layers_dir().join(SOURCE)).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let target = SpatialRef::from_epsg(epsg).unwrap();
    let mut out = HashMap::new();
    for f in layer.features() {
        let code = text(&f, "comuna");
        let g = f.geometry().unwrap().transform_to(&target).unwrap();
        let mut rings = Vec::new();
        collect_rings(&g, &mut rings);
        out.insert(code, rings);
    }
    out
}

pub fn text(f: &gdal::vector::Feature, field: &str) -> String {
    f.field_as_string(f.field_index(field).unwrap())
        .unwrap()
        .unwrap()
}

pub fn collect_rings(g: &gdal::vector::Geometry, out: &mut Vec<Vec<[f64; 2]>>) {
    if g.geometry_count() == 0 {
        let mut pts = Vec::new();
        g.get_points(&mut pts);
        out.push(pts.iter().map(|(x, y, _)| [*x, *y]).collect());
    }
    for i in 0..g.geometry_count() {
        collect_rings(&g.get_geometry(i), out);
    }
}

pub fn collect_points(g: &gdal::vector::Geometry, out: &mut Vec<[f64; 2]>) {
    if g.geometry_count() == 0 {
        let mut pts = Vec::new();
        g.get_points(&mut pts);
        out.extend(pts.iter().map(|(x, y, _)| [*x, *y]));
    }
    for i in 0..g.geometry_count() {
        collect_points(&g.get_geometry(i), out);
    }
}

/// The largest distance from a vertex of `a` to the nearest vertex of `b` (a grid of `cell`-sized buckets finds
/// it; distances beyond one cell count as a cell and a half, which fails any tolerance below a cell).
pub fn farthest(a: &[[f64; 2]], b: &[[f64; 2]], cell: f64) -> f64 {
    let key = |p: [f64; 2]| ((p[0] / cell).floor() as i64, (p[1] / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<[f64; 2]>> = HashMap::new();
    for p in b {
        grid.entry(key(*p)).or_default().push(*p);
    }
    a.iter()
        .map(|p| {
            let (i, j) = key(*p);
            let mut best = 1.5 * cell;
            for di in -1..=1 {
                for dj in -1..=1 {
                    for q in grid.get(&(i + di, j + dj)).into_iter().flatten() {
                        best = best.min(((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt());
                    }
                }
            }
            best
        })
        .fold(0.0, f64::max)
}
