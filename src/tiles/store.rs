//! Compact storage of the simplified geometry of every unit at every zoom (steps 1–3 kept in memory).
//!
//! All vertices of all units and zooms live in one flat array of projected points, with ring and polygon
//! offsets beside it; a unit's geometry at a zoom is an index into a list of *versions*. Zooms where
//! simplification changes nothing share one version, and every unit that vanishes at a zoom shares the empty
//! version 0. A unit costs a handful of `u32`s beyond its points, instead of a tree of vectors per zoom.

use super::simplify::{Polygon, Pt, Shape};
use crate::model::codec::{Reader, Writer};

/// Rings, polygons and bounding box of one version.
#[derive(Debug, Clone, Copy)]
struct Version {
    /// Range in `polys`.
    polys: [u32; 2],
    /// `[min x, min y, max x, max y]`, normalised Web Mercator.
    bbox: [f64; 4],
    vertices: u32,
}

/// Geometry of `units` units at zooms `0..zooms`.
#[derive(Debug, Clone)]
pub struct ShapeStore {
    coords: Vec<Pt>,
    /// Ring `i` is `coords[rings[i]..rings[i + 1]]`.
    rings: Vec<u32>,
    /// Polygon `j` is rings `polys[j]..polys[j + 1]`, the outer ring first.
    polys: Vec<u32>,
    versions: Vec<Version>,
    /// `by_zoom[unit * zooms + z]` is the version of `unit` at `z`.
    by_zoom: Vec<u32>,
    zooms: usize,
}

/// One unit's geometry at one zoom, borrowed from the store.
#[derive(Clone, Copy)]
pub struct ShapeRef<'a> {
    store: &'a ShapeStore,
    version: Version,
}

impl<'a> ShapeRef<'a> {
    pub fn bbox(&self) -> [f64; 4] {
        self.version.bbox
    }

    pub fn vertex_count(&self) -> usize {
        self.version.vertices as usize
    }

    /// The polygons, each an iterator over its rings (closed point slices), the outer ring first.
    pub fn polygons(&self) -> impl Iterator<Item = impl Iterator<Item = &'a [Pt]> + 'a> + 'a {
        let this = *self;
        (0..self.polygon_count()).map(move |k| this.polygon(k))
    }

    pub fn polygon_count(&self) -> usize {
        (self.version.polys[1] - self.version.polys[0]) as usize
    }

    /// Polygon `k`'s rings (closed point slices), the outer ring first.
    pub fn polygon(&self, k: usize) -> impl Iterator<Item = &'a [Pt]> + 'a {
        let s = self.store;
        let j = self.version.polys[0] as usize + k;
        (s.polys[j] as usize..s.polys[j + 1] as usize)
            .map(move |i| &s.coords[s.rings[i] as usize..s.rings[i + 1] as usize])
    }

    /// Owned copy, for tests.
    pub fn to_polygons(&self) -> Vec<Polygon> {
        self.polygons()
            .map(|rings| rings.map(<[Pt]>::to_vec).collect())
            .collect()
    }
}

impl ShapeStore {
    /// An empty store for `units` units at zooms `0..zooms`.
    pub fn new(units: usize, zooms: usize) -> Self {
        Self {
            coords: Vec::new(),
            rings: vec![0],
            polys: vec![0],
            versions: vec![Version {
                polys: [0, 0],
                bbox: [
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ],
                vertices: 0,
            }],
            by_zoom: vec![0; units * zooms],
            zooms,
        }
    }

    pub fn units(&self) -> usize {
        self.by_zoom.len() / self.zooms.max(1)
    }

    /// Gives back the room left by growing the arrays while the store was filled.
    pub fn shrink_to_fit(&mut self) {
        self.coords.shrink_to_fit();
        self.rings.shrink_to_fit();
        self.polys.shrink_to_fit();
        self.versions.shrink_to_fit();
    }

    /// Points kept, over every unit and zoom.
    pub fn points(&self) -> usize {
        self.coords.len()
    }

    pub fn zooms(&self) -> usize {
        self.zooms
    }

    /// Sets the geometry of `unit` at zoom `z`; the same vertex count as at `z - 1` means the same geometry
    /// (simplification only removes vertices as the tolerance grows), which is then shared.
    pub fn set(&mut self, unit: usize, z: usize, shape: Shape) {
        let vertices = shape.vertex_count() as u32;
        let slot = unit * self.zooms + z;
        if z > 0 {
            let prev = self.by_zoom[slot - 1];
            if self.versions[prev as usize].vertices == vertices {
                self.by_zoom[slot] = prev;
                return;
            }
        }
        if shape.polygons.is_empty() {
            self.by_zoom[slot] = 0;
            return;
        }
        let first = self.polys.len() as u32 - 1;
        for polygon in &shape.polygons {
            for ring in polygon {
                self.coords.extend_from_slice(ring);
                self.rings.push(self.coords.len() as u32);
            }
            self.polys.push(self.rings.len() as u32 - 1);
        }
        self.versions.push(Version {
            polys: [first, self.polys.len() as u32 - 1],
            bbox: shape.bbox,
            vertices,
        });
        self.by_zoom[slot] = self.versions.len() as u32 - 1;
    }

    pub fn get(&self, unit: usize, z: usize) -> ShapeRef<'_> {
        ShapeRef {
            store: self,
            version: self.versions[self.by_zoom[unit * self.zooms + z] as usize],
        }
    }

    /// The box that holds the unit at every zoom (for the spatial index); `None` when it is empty everywhere.
    pub fn extent(&self, unit: usize) -> Option<[f64; 4]> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for z in 0..self.zooms {
            let v = self.get(unit, z).bbox();
            b = [
                b[0].min(v[0]),
                b[1].min(v[1]),
                b[2].max(v[2]),
                b[3].max(v[3]),
            ];
        }
        (b[0] <= b[2] && b[1] <= b[3]).then_some(b)
    }

    pub fn write(&self, w: &mut Writer) {
        w.pts(&self.coords);
        w.u32s(&self.rings);
        w.u32s(&self.polys);
        w.len(self.versions.len());
        for v in &self.versions {
            w.u32(v.polys[0]);
            w.u32(v.polys[1]);
            v.bbox.iter().for_each(|x| w.f64(*x));
            w.u32(v.vertices);
        }
        w.u32s(&self.by_zoom);
        w.len(self.zooms);
    }

    /// Reads what [`Self::write`] wrote, checking every offset so a damaged cache cannot index out of range.
    pub fn read(r: &mut Reader) -> Option<Self> {
        let coords = r.pts()?;
        let rings = r.u32s()?;
        let polys = r.u32s()?;
        let n = r.len(4 + 4 + 32 + 4)?;
        let versions = (0..n)
            .map(|_| {
                Some(Version {
                    polys: [r.u32()?, r.u32()?],
                    bbox: [r.f64()?, r.f64()?, r.f64()?, r.f64()?],
                    vertices: r.u32()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let by_zoom = r.u32s()?;
        let zooms = usize::try_from(r.u64()?).ok()?;
        let ascending = |v: &[u32], max: usize| {
            v.first() == Some(&0)
                && v.windows(2).all(|w| w[0] <= w[1])
                && v.last().is_some_and(|l| *l as usize <= max)
        };
        let valid = ascending(&rings, coords.len())
            && ascending(&polys, rings.len() - 1)
            && versions
                .iter()
                .all(|v| v.polys[0] <= v.polys[1] && (v.polys[1] as usize) < polys.len())
            && by_zoom.iter().all(|i| (*i as usize) < versions.len())
            && zooms > 0
            && by_zoom.len() % zooms == 0;
        valid.then_some(Self {
            coords,
            rings,
            polys,
            versions,
            by_zoom,
            zooms,
        })
    }
}
