//! A tileset per unit set: geometry prepared per zoom, attributes per unit, a spatial index, and tile rendering
//! (steps 1–4, then clipping and encoding per tile).

use super::clip::{clip_feature, meeting_box, pixel_square, Clipper, PIXEL};
use super::encode::{encode, Commands, LayerBuilder, Value};
use super::mercator::project;
use super::simplify::{bbox, Polygon, Pt, Topology};
use super::store::ShapeStore;
use super::{TileCache, TileCoord, BUFFER, EXTENT};
use crate::model::{Indicator, Snapshot, UnitRef, UnitSet};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::sync::Arc;

/// Units of more polygons than this at a zoom get an index of their polygons (see [`Layer`]).
const PART_INDEX_MIN: usize = 64;

/// Rings smaller than one pixel of a 256-px tile are dropped (see `clip`); a unit whose box cannot hold that much
/// area after rounding is not clipped: it is kept as a pixel-sized square if it meets the tile (see [`pixel`]).
const MIN_AREA: f64 = 16.0 * 16.0;

type Indexed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A tile layer: its units' geometry at every zoom, an R-tree of their boxes, and their attributes.
struct Layer {
    name: String,
    shapes: Arc<ShapeStore>,
    index: RTree<Indexed>,
    /// For a unit of more than [`PART_INDEX_MIN`] polygons at a zoom (a dense set's outline), an R-tree of its
    /// polygons' boxes at that zoom, so a tile reads only the parts that reach it.
    parts: std::collections::HashMap<(u32, u8), RTree<Indexed>>,
    /// Feature `i`'s attributes are `attr_key[attr_start[i]..attr_start[i + 1]]` (key numbers) with `attr_val`.
    attr_start: Vec<u32>,
    attr_key: Vec<u32>,
    attr_val: Vec<f64>,
}

impl Layer {
    fn new(name: String, shapes: Arc<ShapeStore>, attrs: Attrs) -> Self {
        let index = RTree::bulk_load(
            (0..shapes.units())
                .filter_map(|u| {
                    let b = shapes.extent(u)?;
                    Some(GeomWithData::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        u as u32,
                    ))
                })
                .collect(),
        );
        let mut parts = std::collections::HashMap::new();
        for u in 0..shapes.units() {
            for z in 0..shapes.zooms() {
                let shape = shapes.get(u, z);
                if shape.polygon_count() <= PART_INDEX_MIN {
                    continue;
                }
                let boxes = (0..shape.polygon_count()).filter_map(|k| {
                    let outer = shape.polygon(k).next()?;
                    let b = bbox(outer);
                    Some(GeomWithData::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        k as u32,
                    ))
                });
                parts.insert((u as u32, z as u8), RTree::bulk_load(boxes.collect()));
            }
        }
        Self {
            name,
            shapes,
            index,
            parts,
            attr_start: attrs.start,
            attr_key: attrs.key,
            attr_val: attrs.val,
        }
    }

    fn attrs(&self, i: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (a, b) = (self.attr_start[i] as usize, self.attr_start[i + 1] as usize);
        self.attr_key[a..b]
            .iter()
            .copied()
            .zip(self.attr_val[a..b].iter().copied())
    }
}

/// Indicator values of each feature of a layer, flat (see [`Layer`]).
#[derive(Default)]
struct Attrs {
    start: Vec<u32>,
    key: Vec<u32>,
    val: Vec<f64>,
}

/// A property key of the tileset; `year` is set for indicator values so `datetime=` can select them.
#[derive(Debug, Clone)]
struct Key {
    name: String,
    year: Option<i32>,
}

/// Key numbers 0 and 1 are `code` and `name`, read from the unit set.
const CODE: u32 = 0;
const NAME: u32 = 1;

/// Description of a property, for TileJSON `vector_layers`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Field {
    pub name: String,
    pub description: String,
}

/// The tiles of one unit set.
pub struct Tileset {
    pub id: String,
    pub title: String,
    pub attribution: String,
    /// Lowest zoom served.
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
    /// Properties of each layer served: the units' and, unless the layer file turns it off, the outline's.
    pub fields: Vec<Vec<Field>>,
    pub layer_names: Vec<String>,
    set: Arc<UnitSet>,
    keys: Vec<Key>,
    layers: [Layer; 2],
}

fn to_polygons(mp: &geo::MultiPolygon<f64>) -> Vec<Polygon> {
    mp.0.iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.iter().map(|c| project(c.x, c.y)).collect())
                .collect()
        })
        .collect()
}

/// Shapes per zoom for every unit.
fn zoom_shapes(set_id: &str, units: &[Vec<Polygon>], max_zoom: u8) -> ShapeStore {
    let topology = Topology::new(units);
    let mut store = ShapeStore::new(units.len(), usize::from(max_zoom) + 1);
    for z in 0..=max_zoom {
        let tol = 0.5 / (f64::from(EXTENT) * f64::from(1u32 << z));
        for (u, shape) in topology.simplify(tol).into_iter().enumerate() {
            store.set(u, usize::from(z), shape);
        }
        if units.len() >= 10_000 {
            tracing::info!("tiles of `{set_id}`: zoom {z} of {max_zoom} simplified");
        }
    }
    store.shrink_to_fit();
    store
}

/// The simplified geometry of a unit set's two layers, which depends on the geometry only (and can be cached).
#[derive(Clone)]
pub struct PreparedShapes {
    pub units: Arc<ShapeStore>,
    pub city: Arc<ShapeStore>,
}

impl PreparedShapes {
    /// Projects and simplifies every unit and the city outline for zooms `0..=set.max_zoom`.
    pub fn build(set: &UnitSet) -> Self {
        // The city outline is simplified on its own (it shares no topology with the units' layer), on another
        // core while the units are.
        std::thread::scope(|s| {
            // Not served without the outline layer: an empty store.
            let city = s.spawn(|| match set.outline {
                true => zoom_shapes(&set.id, &[to_polygons(&set.city.geometry)], set.max_zoom),
                false => ShapeStore::new(1, usize::from(set.max_zoom) + 1),
            });
            let geoms: Vec<Vec<Polygon>> =
                set.units.iter().map(|u| to_polygons(&u.geometry)).collect();
            let units = zoom_shapes(&set.id, &geoms, set.max_zoom);
            drop(geoms);
            let city = city.join().expect("simplifying the outline does not panic");
            Self {
                units: Arc::new(units),
                city: Arc::new(city),
            }
        })
    }

    /// Whether these shapes fit a unit set (same units and zooms), e.g. after reading them from a cache.
    pub fn fits(&self, set: &UnitSet) -> bool {
        let zooms = usize::from(set.max_zoom) + 1;
        self.units.units() == set.units.len()
            && self.units.zooms() == zooms
            && self.city.units() == 1
            && self.city.zooms() == zooms
    }
}

/// Values of every indicator of the set, grouped per unit (in indicator order, then year), and the keys.
fn attributes(indicators: &[&Arc<Indicator>], n: usize) -> (Vec<Key>, [Attrs; 2]) {
    let mut keys = vec![
        Key {
            name: "code".into(),
            year: None,
        },
        Key {
            name: "name".into(),
            year: None,
        },
    ];
    let slot = |u: UnitRef| match u {
        UnitRef::Unit(i) => i,
        UnitRef::City => n,
    };
    let mut count = vec![0u32; n + 1];
    let mut key_of: Vec<std::collections::HashMap<i32, u32>> = Vec::new();
    for ind in indicators {
        let mut of_year = std::collections::HashMap::new();
        for y in ind.years() {
            of_year.insert(y, keys.len() as u32);
            keys.push(Key {
                name: format!("{}_{y}", ind.id),
                year: Some(y),
            });
        }
        key_of.push(of_year);
        for o in ind.observations.iter().filter(|o| o.value.is_some()) {
            count[slot(o.unit)] += 1;
        }
    }
    let mut start = Vec::with_capacity(n + 2);
    start.push(0u32);
    for c in &count {
        start.push(start.last().copied().unwrap_or(0) + c);
    }
    let total = *start.last().unwrap_or(&0) as usize;
    let (mut key, mut val) = (vec![0u32; total], vec![0f64; total]);
    let mut next: Vec<u32> = start[..n + 1].to_vec();
    for (ind, of_year) in indicators.iter().zip(&key_of) {
        for o in &ind.observations {
            if let Some(v) = o.value {
                let at = &mut next[slot(o.unit)];
                key[*at as usize] = of_year[&o.year];
                val[*at as usize] = v;
                *at += 1;
            }
        }
    }
    let city_from = start[n] as usize;
    let city = Attrs {
        start: vec![0, (total - city_from) as u32],
        key: key.split_off(city_from),
        val: val.split_off(city_from),
    };
    start.pop();
    let units = Attrs { start, key, val };
    (keys, [units, city])
}

impl Tileset {
    pub fn build(snapshot: &Snapshot, set: &Arc<UnitSet>) -> Self {
        Self::with_shapes(snapshot, set, PreparedShapes::build(set))
    }

    /// The tileset from shapes prepared before (see [`PreparedShapes::fits`]).
    pub fn with_shapes(snapshot: &Snapshot, set: &Arc<UnitSet>, shapes: PreparedShapes) -> Self {
        let indicators: Vec<_> = snapshot.indicators_of(&set.id).collect();
        let (keys, [unit_attrs, city_attrs]) = attributes(&indicators, set.units.len());
        let units = Layer::new(set.id.clone(), shapes.units, unit_attrs);
        let city = Layer::new(super::city_layer(&set.id), shapes.city, city_attrs);
        let mut fields = vec![fields(&units, &keys, &indicators, false)];
        let mut layer_names = vec![units.name.clone()];
        if set.outline {
            fields.push(self::fields(&city, &keys, &indicators, true));
            layer_names.push(city.name.clone());
        }
        Self {
            id: set.id.clone(),
            title: set.title.clone(),
            attribution: set.terms(),
            min_zoom: set.min_zoom,
            max_zoom: set.max_zoom,
            bounds: [
                set.bbox.min().x,
                set.bbox.min().y,
                set.bbox.max().x,
                set.bbox.max().y,
            ],
            layer_names,
            fields,
            set: set.clone(),
            keys,
            layers: [units, city],
        }
    }

    /// The unit set the tiles are made of.
    pub fn unit_set(&self) -> &Arc<UnitSet> {
        &self.set
    }

    /// The simplified geometry of both layers (shared, not copied), to build the tileset again with other values.
    pub fn shapes(&self) -> PreparedShapes {
        PreparedShapes {
            units: self.layers[0].shapes.clone(),
            city: self.layers[1].shapes.clone(),
        }
    }

    /// The tile's MVT bytes (empty when no feature reaches it). `year` keeps only that year's values.
    pub fn render(&self, c: TileCoord, year: Option<i32>) -> Vec<u8> {
        let n = f64::from(1u32 << c.z);
        let scale = f64::from(EXTENT) * n;
        let (ox, oy) = (f64::from(c.x), f64::from(c.y));
        let b = BUFFER / f64::from(EXTENT);
        let window = [
            (ox - b) / n,
            (oy - b) / n,
            (ox + 1.0 + b) / n,
            (oy + 1.0 + b) / n,
        ];
        let envelope = AABB::from_corners([window[0], window[1]], [window[2], window[3]]);
        let z = usize::from(c.z.min(self.max_zoom));
        let to_tile = |p: Pt| {
            [
                p[0] * scale - ox * f64::from(EXTENT),
                p[1] * scale - oy * f64::from(EXTENT),
            ]
        };
        let mut clipper = Clipper::default();
        let mut candidates: Vec<u32> = Vec::new();
        let mut polygons: Vec<u32> = Vec::new();
        let mut pixels: Vec<(usize, Vec<u32>)> = Vec::new();
        let layers = self
            .layers
            .iter()
            .enumerate()
            .take(self.layer_names.len())
            .map(|(l, layer)| {
                candidates.clear();
                candidates.extend(
                    layer
                        .index
                        .locate_in_envelope_intersecting(&envelope)
                        .map(|g| g.data),
                );
                candidates.sort_unstable();
                // Room for every candidate's values (a year's when `year` is set), at most what the layer has.
                let per_feature = layer.attr_key.len() / layer.attr_start.len().max(1) + 1;
                let values = candidates.len() * if year.is_some() { 1 } else { per_feature };
                let mut builder = LayerBuilder::with_capacity(
                    &layer.name,
                    self.keys.len(),
                    candidates.len(),
                    values.min(layer.attr_val.len()),
                );
                pixels.clear();
                for &i in &candidates {
                    let i = i as usize;
                    let shape = layer.shapes.get(i, z);
                    let bb = shape.bbox();
                    let in_window = bb[0] <= window[2]
                        && bb[2] >= window[0]
                        && bb[1] <= window[3]
                        && bb[3] >= window[1];
                    // Rounding moves each side by at most half a unit: a box this small cannot keep a ring.
                    let (w, h) = ((bb[2] - bb[0]) * scale, (bb[3] - bb[1]) * scale);
                    let geometry = match in_window && (w + 1.01) * (h + 1.01) >= MIN_AREA {
                        false => None,
                        true => match layer.parts.get(&(i as u32, z as u8)) {
                            Some(parts) => {
                                polygons.clear();
                                polygons.extend(
                                    parts
                                        .locate_in_envelope_intersecting(&envelope)
                                        .map(|g| g.data),
                                );
                                polygons.sort_unstable();
                                let reaching = polygons.iter().map(|&k| shape.polygon(k as usize));
                                commands(reaching, window, to_tile, &mut clipper)
                            }
                            None => commands(shape.polygons(), window, to_tile, &mut clipper),
                        },
                    };
                    match geometry {
                        Some(g) => self.add(&mut builder, l, i, g, year),
                        // Nothing of a pixel is left: a unit that meets the tile is kept as a pixel, drawn last
                        // so that a small unit inside a larger one shows.
                        None => pixels.extend(
                            pixel(layer, i, z, window, scale, to_tile, &mut clipper)
                                .map(|g| (i, g)),
                        ),
                    }
                }
                for (i, g) in pixels.drain(..) {
                    self.add(&mut builder, l, i, g, year);
                }
                builder
            })
            .collect();
        encode(layers)
    }
}

impl Tileset {
    /// Adds feature `i` of layer `l` with its geometry, code, name and values (`year`'s only when set).
    fn add<'a>(
        &'a self,
        builder: &mut LayerBuilder<'a>,
        l: usize,
        i: usize,
        geometry: Vec<u32>,
        year: Option<i32>,
    ) {
        let layer = &self.layers[l];
        let unit = if l == 0 {
            &self.set.units[i]
        } else {
            &self.set.city
        };
        let labels = [
            (CODE, "code", Value::Str(&unit.code)),
            (NAME, "name", Value::Str(&unit.name)),
        ];
        let values = layer
            .attrs(i)
            .map(|(k, v)| (k, &self.keys[k as usize], v))
            .filter(|(_, key, _)| year.is_none() || key.year.is_none() || key.year == year)
            .map(|(k, key, v)| (k, key.name.as_str(), Value::Num(v)));
        builder.add(i as u64 + 1, geometry, labels.into_iter().chain(values));
    }
}

/// The pixel-sized square that stands for unit `i` of a layer in a tile where it is too small to show (or only a
/// sliver of it reaches the tile), or `None` when the unit does not meet the buffered tile at all. Where the unit
/// is comes from its shape at this zoom or, when that does not meet the tile and may not say where the unit is,
/// from its finest shape: where simplification dropped a small unit or one of its islands (fewer polygons), or
/// squeezed it to a speck of no area (a box under a pixel), the finest shape still says where it is. So no unit
/// that meets a tile is ever left out of it; a large unit that merely passes near the tile costs one more clip.
fn pixel(
    layer: &Layer,
    i: usize,
    z: usize,
    window: [f64; 4],
    scale: f64,
    to_tile: impl Fn(Pt) -> Pt + Copy,
    clipper: &mut Clipper,
) -> Option<Vec<u32>> {
    let (lo, hi) = (-BUFFER, f64::from(EXTENT) + BUFFER);
    let compress = |ring: &[Pt], out: &mut Vec<Pt>| compress_outside(ring, window, to_tile, out);
    let shape = layer.shapes.get(i, z);
    let finest = layer.shapes.get(i, layer.shapes.zooms() - 1);
    let b = match meeting_box(shape.polygons(), compress, lo, hi, clipper) {
        Some(b) => b,
        None => {
            let bb = shape.bbox();
            let speck = (bb[2] - bb[0]).max(bb[3] - bb[1]) * scale < f64::from(PIXEL);
            if z + 1 == layer.shapes.zooms()
                || (shape.polygon_count() == finest.polygon_count() && !speck)
            {
                return None;
            }
            meeting_box(finest.polygons(), compress, lo, hi, clipper)?
        }
    };
    let mut c = Commands::default();
    c.ring(&pixel_square(b, lo, hi), false);
    Some(c.out)
}

/// Clips a unit's polygons to the buffered tile and returns their MVT commands, or `None` when nothing is left.
fn commands<'a, R: Iterator<Item = &'a [Pt]>>(
    polygons: impl Iterator<Item = R>,
    window: [f64; 4],
    to_tile: impl Fn(Pt) -> Pt + Copy,
    clipper: &mut Clipper,
) -> Option<Vec<u32>> {
    let (lo, hi) = (-BUFFER, f64::from(EXTENT) + BUFFER);
    let compress = |ring: &[Pt], out: &mut Vec<Pt>| compress_outside(ring, window, to_tile, out);
    let mp = clip_feature(polygons, compress, lo, hi, clipper)?;
    Some(Commands::multipolygon(&mp))
}

/// Transforms a ring to tile units, replacing each run of consecutive vertices that lie beyond the same side of
/// the buffered tile by the run's first and last vertex. Both lie in that (convex) outer half-plane, so the segment
/// between them does too and the polygon inside the tile is unchanged; clipping then works on a handful of
/// points instead of a whole comuna's border at zoom 15.
fn compress_outside(ring: &[Pt], window: [f64; 4], to_tile: impl Fn(Pt) -> Pt, out: &mut Vec<Pt>) {
    let side = |p: &Pt| match () {
        _ if p[0] < window[0] => 1,
        _ if p[0] > window[2] => 2,
        _ if p[1] < window[1] => 3,
        _ if p[1] > window[3] => 4,
        _ => 0,
    };
    out.clear();
    let mut run_side = 0;
    let mut pending: Option<Pt> = None;
    for p in ring {
        let s = side(p);
        if s != 0 && s == run_side {
            pending = Some(*p);
            continue;
        }
        if let Some(q) = pending.take() {
            out.push(to_tile(q));
        }
        out.push(to_tile(*p));
        run_side = s;
    }
    if let Some(q) = pending {
        out.push(to_tile(q));
    }
}

fn fields(layer: &Layer, keys: &[Key], indicators: &[&Arc<Indicator>], city: bool) -> Vec<Field> {
    let mut used = vec![false; keys.len()];
    layer.attr_key.iter().for_each(|k| used[*k as usize] = true);
    let mut out = vec![
        Field {
            name: "code".into(),
            description: "Código del territorio".into(),
        },
        Field {
            name: "name".into(),
            description: "Nombre del territorio".into(),
        },
    ];
    for ind in indicators {
        for year in ind.years() {
            let key = format!("{}_{year}", ind.id);
            if keys.iter().zip(&used).any(|(k, u)| *u && k.name == key)
                || (!city
                    && ind
                        .observations
                        .iter()
                        .any(|o| o.year == year && o.unit != UnitRef::City))
            {
                let sample = if ind.sample {
                    " — MUESTRA SINTÉTICA"
                } else {
                    ""
                };
                out.push(Field {
                    name: key,
                    description: format!(
                        "{} ({}), {year}{sample}; ausente si ND; ficha técnica: {}",
                        ind.name,
                        ind.unit,
                        crate::ssepot::progress::sheet_path(&ind.id)
                    ),
                });
            }
        }
    }
    out
}

/// Every tileset of a snapshot, and the tile cache that belongs to it.
pub struct TileSets {
    pub sets: Vec<Tileset>,
    pub cache: TileCache,
}

impl TileSets {
    pub fn build(snapshot: &Snapshot) -> Self {
        Self::with_shapes(snapshot, |_| None)
    }

    /// Like [`Self::build`], taking each unit set's simplified geometry from `prepared` when it has it (the
    /// prepared-snapshot cache); shapes that do not fit the unit set are prepared again.
    pub fn with_shapes(
        snapshot: &Snapshot,
        mut prepared: impl FnMut(&UnitSet) -> Option<PreparedShapes>,
    ) -> Self {
        Self {
            sets: snapshot
                .unit_sets
                .iter()
                .map(|s| match prepared(s).filter(|p| p.fits(s)) {
                    Some(shapes) => Tileset::with_shapes(snapshot, s, shapes),
                    None => Tileset::build(snapshot, s),
                })
                .collect(),
            cache: TileCache::from_env(),
        }
    }

    pub fn get(&self, id: &str) -> Option<(usize, &Tileset)> {
        self.sets.iter().enumerate().find(|(_, s)| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::simplify::Shape;
    use std::collections::{HashMap, HashSet};

    fn key(p: [f64; 2]) -> (u64, u64) {
        (p[0].to_bits(), p[1].to_bits())
    }

    #[test]
    fn neighbouring_comunas_keep_the_same_border_vertices_at_every_zoom() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("layers");
        let snapshot = crate::ingest::load(&dir, None).unwrap();
        let set = snapshot.unit_set("comunas").unwrap();
        let units: Vec<Vec<Polygon>> = set.units.iter().map(|u| to_polygons(&u.geometry)).collect();
        // Vertices each unit has in the source.
        let mut owners: HashMap<(u64, u64), HashSet<usize>> = HashMap::new();
        for (u, polys) in units.iter().enumerate() {
            for p in polys.iter().flatten().flatten() {
                owners.entry(key(*p)).or_default().insert(u);
            }
        }
        let store = zoom_shapes("comunas", &units, crate::tiles::DEFAULT_MAX_ZOOM);
        let shapes: Vec<Vec<Shape>> = (0..units.len())
            .map(|u| {
                (0..store.zooms())
                    .map(|z| {
                        let s = store.get(u, z);
                        Shape::new(s.to_polygons())
                    })
                    .collect()
            })
            .collect();
        let mut checked = 0;
        let mut mismatches = 0;
        for z in [6usize, 9, 11, 13, 15] {
            let kept: Vec<HashSet<(u64, u64)>> = shapes
                .iter()
                .map(|s| {
                    s[z].polygons
                        .iter()
                        .flatten()
                        .flatten()
                        .map(|p| key(*p))
                        .collect()
                })
                .collect();
            for (k, us) in owners.iter().filter(|(_, us)| us.len() > 1) {
                let states: HashSet<bool> = us.iter().map(|u| kept[*u].contains(k)).collect();
                if states.len() != 1 {
                    mismatches += 1;
                }
                checked += 1;
            }
        }
        assert_eq!(mismatches, 0, "of {checked} shared vertices");
        assert!(checked > 20_000, "{checked}");
        let coarse: usize = shapes.iter().map(|s| s[9].vertex_count()).sum();
        let fine: usize = shapes.iter().map(|s| s[15].vertex_count()).sum();
        assert!(
            coarse * 3 < fine,
            "zoom 9 keeps {coarse} of {fine} vertices"
        );
    }
}
