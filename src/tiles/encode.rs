//! Encoding a layer (step 9): geometry commands written straight from the quantised rings, keys and values
//! interned per layer, and `prost` (through `geozero`'s MVT types) writes the protobuf.
//!
//! The commands and the key/value tables are exactly those `geozero`'s `MvtWriter` and `TagsBuilder` produce
//! (keys and values in order of first use; doubles equal by bits), so tiles did not change when this replaced
//! them; what changed is the cost: keys are interned by their index in the tileset (an array lookup instead of
//! hashing the string), values through a small multiplicative hash, and no intermediate `geo` geometry is built.

use geozero::mvt::{tile, Message, Tile};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A value of a feature property.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Str(&'a str),
    Num(f64),
}

/// A fast hasher for the per-tile value tables (keys are short strings or `f64` bits, not attacker-chosen
/// beyond what the layers folder holds).
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K> = HashMap<K, u32, BuildHasherDefault<FxHasher>>;

/// MVT geometry commands of one feature (MoveTo = 1, LineTo = 2, ClosePath = 7; zig-zag parameters).
#[derive(Default)]
pub struct Commands {
    pub out: Vec<u32>,
    last: [i32; 2],
}

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

impl Commands {
    /// A closed ring of integer points (first repeated last), walked backwards when `reverse`.
    pub fn ring(&mut self, ring: &[[i32; 2]], reverse: bool) {
        let n = ring.len() - 1;
        let point = |k: usize| {
            if reverse && k > 0 {
                ring[n - k]
            } else {
                ring[k]
            }
        };
        self.out.reserve(2 * n + 3);
        for k in 0..n {
            if k == 1 {
                self.out.push(2 | ((n as u32 - 1) << 3));
            }
            let p = point(k);
            if k == 0 {
                self.out.push(1 | (1 << 3));
            }
            self.out.push(zigzag(p[0].saturating_sub(self.last[0])));
            self.out.push(zigzag(p[1].saturating_sub(self.last[1])));
            self.last = p;
        }
        self.out.push(7 | (1 << 3));
    }
}

impl Commands {
    /// The commands of a multipolygon already on the grid and wound (closed rings, outer ring first).
    pub fn multipolygon(mp: &geo::MultiPolygon<f64>) -> Vec<u32> {
        let mut c = Commands::default();
        let mut ring: Vec<[i32; 2]> = Vec::new();
        for p in &mp.0 {
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                ring.clear();
                ring.extend(r.0.iter().map(|p| [p.x as i32, p.y as i32]));
                c.ring(&ring, false);
            }
        }
        c.out
    }
}

/// Collects the features of one layer.
pub struct LayerBuilder<'a> {
    name: &'a str,
    /// Tile key index of each tileset key, `u32::MAX` until used.
    key_slot: Vec<u32>,
    keys: Vec<&'a str>,
    values: Vec<Value<'a>>,
    nums: FxMap<u64>,
    strs: FxMap<&'a str>,
    features: Vec<tile::Feature>,
}

impl<'a> LayerBuilder<'a> {
    /// A layer whose features use keys numbered `0..key_count` in the tileset, with room for `features` features
    /// and `values` distinct values, so a large tile does not grow its tables step by step.
    pub fn with_capacity(name: &'a str, key_count: usize, features: usize, values: usize) -> Self {
        Self {
            name,
            key_slot: vec![u32::MAX; key_count],
            keys: Vec::new(),
            values: Vec::with_capacity(values),
            nums: FxMap::with_capacity_and_hasher(values, Default::default()),
            strs: FxMap::with_capacity_and_hasher(2 * features, Default::default()),
            features: Vec::with_capacity(features),
        }
    }

    /// Adds a feature with its polygon commands and `(key number, key, value)` properties.
    pub fn add(
        &mut self,
        id: u64,
        geometry: Vec<u32>,
        props: impl Iterator<Item = (u32, &'a str, Value<'a>)>,
    ) {
        let mut tags = Vec::with_capacity(2 * props.size_hint().0);
        for (k, key, value) in props {
            let slot = &mut self.key_slot[k as usize];
            if *slot == u32::MAX {
                *slot = self.keys.len() as u32;
                self.keys.push(key);
            }
            tags.push(*slot);
            let next = self.values.len() as u32;
            let vi = match value {
                Value::Num(n) => *self.nums.entry(n.to_bits()).or_insert(next),
                Value::Str(s) => *self.strs.entry(s).or_insert(next),
            };
            if vi == next {
                self.values.push(value);
            }
            tags.push(vi);
        }
        self.features.push(tile::Feature {
            id: Some(id),
            tags,
            r#type: Some(tile::GeomType::Polygon as i32),
            geometry,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn finish(self) -> tile::Layer {
        tile::Layer {
            version: 2,
            name: self.name.to_string(),
            features: self.features,
            keys: self.keys.into_iter().map(str::to_string).collect(),
            values: self
                .values
                .into_iter()
                .map(|v| match v {
                    Value::Str(s) => tile::Value {
                        string_value: Some(s.to_string()),
                        ..Default::default()
                    },
                    Value::Num(n) => tile::Value {
                        double_value: Some(n),
                        ..Default::default()
                    },
                })
                .collect(),
            extent: Some(super::EXTENT),
        }
    }
}

/// The protobuf bytes of a tile; empty when no layer has features.
pub fn encode(layers: Vec<LayerBuilder>) -> Vec<u8> {
    let layers: Vec<tile::Layer> = layers
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(LayerBuilder::finish)
        .collect();
    if layers.is_empty() {
        return Vec::new();
    }
    Tile { layers }.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::mvt::{TagsBuilder, TileValue};
    use geozero::ToMvt;

    #[test]
    fn commands_and_tags_are_those_geozero_writes() {
        let ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
        let hole = [[2, 2], [2, 4], [4, 4], [2, 2]];
        let coords = |r: &[[i32; 2]]| -> geo::LineString<f64> {
            r.iter()
                .map(|p| (f64::from(p[0]), f64::from(p[1])))
                .collect()
        };
        let mut holey: Vec<[i32; 2]> = hole.to_vec();
        holey.reverse();
        let expected = geo::Geometry::MultiPolygon(geo::MultiPolygon(vec![geo::Polygon::new(
            coords(&ring),
            vec![coords(&holey)],
        )]))
        .to_mvt_unscaled()
        .unwrap();
        let mut c = Commands::default();
        c.ring(&ring, false);
        c.ring(&hole, true);
        assert_eq!(c.out, expected.geometry);

        let mut tags = TagsBuilder::new();
        let mut layer = LayerBuilder::with_capacity("l", 3, 0, 0);
        let props = [
            (0, "code", Value::Str("01")),
            (2, "a_2020", Value::Num(1.5)),
            (1, "name", Value::Str("01")),
            (2, "a_2020", Value::Num(-0.0)),
            (2, "a_2020", Value::Num(0.0)),
        ];
        let mut expected_tags = Vec::new();
        for (_, k, v) in props {
            let tv = match v {
                Value::Str(s) => TileValue::Str(s.into()),
                Value::Num(n) => TileValue::Double(n),
            };
            let (a, b) = tags.insert_ref(k, tv);
            expected_tags.extend([a, b]);
        }
        layer.add(1, vec![], props.into_iter());
        let (keys, values) = tags.into_tags();
        let built = layer.finish();
        assert_eq!(built.features[0].tags, expected_tags);
        assert_eq!(built.keys, keys);
        let values: Vec<tile::Value> = values.into_iter().map(Into::into).collect();
        assert_eq!(built.values, values);
    }
}
