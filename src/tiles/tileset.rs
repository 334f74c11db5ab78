//! A tileset per unit set: geometry prepared per zoom, attributes per unit, and tile rendering (steps 1–4).

use super::clip::clip_to_tile;
use super::encode::{encode, LayerBuilder, Value};
use super::mercator::project;
use super::simplify::{Polygon, Pt, Shape, Topology};
use super::{TileCache, TileCoord, BUFFER, EXTENT};
use crate::model::{Snapshot, UnitRef, UnitSet};
use std::sync::Arc;

/// A property of a tile feature; `year` is set for indicator values so `datetime=` can select them.
#[derive(Debug, Clone)]
pub struct Attr {
    pub key: Arc<str>,
    pub value: Value,
    pub year: Option<i32>,
}

/// A feature of a tile layer, ready for any zoom.
struct Prepared {
    /// Geometry per zoom, `0..=max_zoom`; zooms where simplification changes nothing share one `Arc`.
    zooms: Vec<Arc<Shape>>,
    attrs: Vec<Attr>,
}

struct Layer {
    name: String,
    features: Vec<Prepared>,
}

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
    pub max_zoom: u8,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
    /// Properties of the units layer and of the city layer.
    pub fields: [Vec<Field>; 2],
    pub layer_names: [String; 2],
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

/// Shapes per zoom for every unit: `result[unit][z]`.
fn zoom_shapes(units: &[Vec<Polygon>], max_zoom: u8) -> Vec<Vec<Arc<Shape>>> {
    let topology = Topology::new(units);
    let mut per_unit: Vec<Vec<Arc<Shape>>> = vec![Vec::new(); units.len()];
    for z in 0..=max_zoom {
        let tol = 0.5 / (f64::from(EXTENT) * f64::from(1u32 << z));
        for (u, shape) in topology.simplify(tol).into_iter().enumerate() {
            let same = per_unit[u]
                .last()
                .filter(|prev| prev.vertex_count() == shape.vertex_count())
                .cloned();
            per_unit[u].push(same.unwrap_or_else(|| Arc::new(shape)));
        }
    }
    per_unit
}

impl Tileset {
    pub fn build(snapshot: &Snapshot, set: &UnitSet) -> Self {
        let max_zoom = set.max_zoom;
        let indicators: Vec<_> = snapshot.indicators_of(&set.id).collect();
        // One pass over the observations: `attrs[i]` for unit i, `attrs[len]` for the city.
        let n = set.units.len();
        let mut attrs: Vec<Vec<Attr>> = set
            .units
            .iter()
            .chain(std::iter::once(&set.city))
            .map(|unit| {
                vec![
                    Attr {
                        key: "code".into(),
                        value: Value::Str(unit.code.as_str().into()),
                        year: None,
                    },
                    Attr {
                        key: "name".into(),
                        value: Value::Str(unit.name.as_str().into()),
                        year: None,
                    },
                ]
            })
            .collect();
        for ind in &indicators {
            let keys: std::collections::HashMap<i32, Arc<str>> = ind
                .years()
                .into_iter()
                .map(|y| (y, format!("{}_{y}", ind.id).into()))
                .collect();
            for o in &ind.observations {
                if let Some(v) = o.value {
                    let at = match o.unit {
                        UnitRef::Unit(i) => i,
                        UnitRef::City => n,
                    };
                    attrs[at].push(Attr {
                        key: keys[&o.year].clone(),
                        value: Value::Num(v),
                        year: Some(o.year),
                    });
                }
            }
        }
        let city_attrs = attrs.pop().unwrap_or_default();
        let mut geoms: Vec<Vec<Polygon>> =
            set.units.iter().map(|u| to_polygons(&u.geometry)).collect();
        geoms.push(to_polygons(&set.city.geometry));
        // The city outline is simplified on its own: it shares no topology with the units' layer.
        let city_geom = geoms.pop().unwrap_or_default();
        let unit_shapes = zoom_shapes(&geoms, max_zoom);
        let city_shapes = zoom_shapes(&[city_geom], max_zoom);
        let units = Layer {
            name: set.id.clone(),
            features: unit_shapes
                .into_iter()
                .zip(attrs)
                .map(|(zooms, attrs)| Prepared { zooms, attrs })
                .collect(),
        };
        let city = Layer {
            name: super::city_layer(&set.id),
            features: city_shapes
                .into_iter()
                .map(|zooms| Prepared {
                    zooms,
                    attrs: city_attrs.clone(),
                })
                .collect(),
        };
        let fields = [
            fields(&units, &indicators, false),
            fields(&city, &indicators, true),
        ];
        Self {
            id: set.id.clone(),
            title: set.title.clone(),
            attribution: set.attribution.clone(),
            max_zoom,
            bounds: [
                set.bbox.min().x,
                set.bbox.min().y,
                set.bbox.max().x,
                set.bbox.max().y,
            ],
            layer_names: [units.name.clone(), city.name.clone()],
            fields,
            layers: [units, city],
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
        let layers = self
            .layers
            .iter()
            .map(|layer| {
                let mut builder = LayerBuilder::new(&layer.name);
                for (i, f) in layer.features.iter().enumerate() {
                    let shape = &f.zooms[usize::from(c.z.min(self.max_zoom))];
                    let bb = shape.bbox;
                    if bb[0] > window[2]
                        || bb[2] < window[0]
                        || bb[1] > window[3]
                        || bb[3] < window[1]
                    {
                        continue;
                    }
                    let to_tile = |p: Pt| {
                        [
                            p[0] * scale - ox * f64::from(EXTENT),
                            p[1] * scale - oy * f64::from(EXTENT),
                        ]
                    };
                    let local: Vec<Polygon> = shape
                        .polygons
                        .iter()
                        .map(|rings| {
                            rings
                                .iter()
                                .map(|r| compress_outside(r, window, to_tile))
                                .collect()
                        })
                        .collect();
                    let Some(geom) = clip_to_tile(&local, -BUFFER, f64::from(EXTENT) + BUFFER)
                    else {
                        continue;
                    };
                    let props = f
                        .attrs
                        .iter()
                        .filter(|a| year.is_none() || a.year.is_none() || a.year == year)
                        .map(|a| (&*a.key, &a.value));
                    builder.add(i as u64 + 1, geom, props);
                }
                builder
            })
            .collect();
        encode(layers)
    }
}

/// Transforms a ring to tile units, replacing each run of consecutive vertices that lie beyond the same side of
/// the buffered tile by the run's first and last vertex. Both lie in that (convex) outer half-plane, so the segment
/// between them does too and the polygon inside the tile is unchanged; clipping then works on a handful of
/// points instead of a whole comuna's border at zoom 15.
fn compress_outside(ring: &[Pt], window: [f64; 4], to_tile: impl Fn(Pt) -> Pt) -> Vec<Pt> {
    let side = |p: &Pt| match () {
        _ if p[0] < window[0] => 1,
        _ if p[0] > window[2] => 2,
        _ if p[1] < window[1] => 3,
        _ if p[1] > window[3] => 4,
        _ => 0,
    };
    let mut out = Vec::new();
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
    out
}

fn fields(layer: &Layer, indicators: &[&Arc<crate::model::Indicator>], city: bool) -> Vec<Field> {
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
            if layer
                .features
                .iter()
                .any(|f| f.attrs.iter().any(|a| *a.key == *key))
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
                        "{} ({}), {year}{sample}; ausente si ND",
                        ind.name, ind.unit
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
        Self {
            sets: snapshot
                .unit_sets
                .iter()
                .map(|s| Tileset::build(snapshot, s))
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
        let shapes = zoom_shapes(&units, crate::tiles::DEFAULT_MAX_ZOOM);
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
