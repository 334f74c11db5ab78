//! Encoding a layer with `geozero` (geometry commands, interned tags) and `prost` (step 9).

use geo::MultiPolygon;
use geozero::mvt::{tile, Message, TagsBuilder, Tile, TileValue};
use geozero::ToMvt;

/// A value of a feature property.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(std::sync::Arc<str>),
    Num(f64),
}

/// Collects the features of one layer.
pub struct LayerBuilder {
    name: String,
    tags: TagsBuilder,
    features: Vec<tile::Feature>,
}

impl LayerBuilder {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            tags: TagsBuilder::new(),
            features: Vec::new(),
        }
    }

    /// Adds a feature whose geometry is already in tile units.
    pub fn add<'a>(
        &mut self,
        id: u64,
        geometry: MultiPolygon<f64>,
        props: impl Iterator<Item = (&'a str, &'a Value)>,
    ) {
        let Ok(mut feature) = geo::Geometry::MultiPolygon(geometry).to_mvt_unscaled() else {
            return;
        };
        feature.id = Some(id);
        for (k, v) in props {
            let value = match v {
                Value::Str(s) => TileValue::Str(s.to_string()),
                Value::Num(n) => TileValue::Double(*n),
            };
            let (ki, vi) = self.tags.insert_ref(k, value);
            feature.tags.extend([ki, vi]);
        }
        self.features.push(feature);
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn finish(self) -> tile::Layer {
        let (keys, values) = self.tags.into_tags();
        tile::Layer {
            version: 2,
            name: self.name,
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
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
