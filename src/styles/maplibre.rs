//! A MapLibre style (v8) for an indicator and a year, over the unit set's vector tiles.
//!
//! Written in the subset QGIS 3.22's converter draws: one fill layer per class with a constant colour and a
//! `filter` (`has`, `>=`, `<`), instead of data-driven `step`/`interpolate` paint expressions, which QGIS turns
//! into no fill. MapLibre draws it the same. No glyphs or sprites: the style works offline. There is no
//! background layer: QGIS draws one per tile, which leaves empty tiles blank.
//!
//! The style is built as data (typed structs serialized by serde), so no text that reaches it (an indicator
//! name, a URL derived from request headers) can change its structure.

use super::legend::Legend;
use super::palette::LINE_COLOR;
use serde::Serialize;
use serde_json::{json, Value};

/// The source name every layer draws from.
const SOURCE: &str = "ssepot";

/// A MapLibre style document.
#[derive(Debug, Serialize)]
pub struct Style<'a> {
    /// Style specification version: 8.
    pub version: u8,
    /// The indicator's name.
    pub name: &'a str,
    /// The one vector source, the unit set's tiles.
    pub sources: Sources,
    /// `ND`, one fill per class, then the outlines.
    pub layers: Vec<Layer>,
    /// The legend, indicator and year (`ssepot:` members) for clients that draw a legend.
    pub metadata: Metadata<'a>,
}

#[derive(Debug, Serialize)]
pub struct Sources {
    pub ssepot: Source,
}

/// A vector tile source.
#[derive(Debug, Serialize)]
pub struct Source {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The absolute XYZ URL template.
    pub tiles: [String; 1],
    pub minzoom: u8,
    pub maxzoom: u8,
    pub attribution: &'static str,
    /// `[west, south, east, north]`, CRS84.
    pub bounds: [f64; 4],
}

/// A fill or line layer of the one source.
#[derive(Debug, Serialize)]
pub struct Layer {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub source: &'static str,
    #[serde(rename = "source-layer")]
    pub source_layer: String,
    /// A MapLibre filter expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Value>,
    pub paint: Value,
    /// `ssepot:label`, the legend text of a class layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

#[derive(Debug, Serialize)]
pub struct Metadata<'a> {
    #[serde(rename = "ssepot:legend")]
    pub legend: &'a Legend,
    #[serde(rename = "ssepot:indicator")]
    pub indicator: &'a str,
    #[serde(rename = "ssepot:year")]
    pub year: i32,
}

/// The style for `legend`'s indicator and year; `tiles_url` is the absolute XYZ template of the tileset.
pub fn style<'a>(
    legend: &'a Legend,
    unit_set: &str,
    tiles_url: &str,
    bounds: [f64; 4],
    max_zoom: u8,
) -> Style<'a> {
    let city_layer = format!("{unit_set}_ciudad");
    let filled_layer = if legend.city_level {
        city_layer.clone()
    } else {
        unit_set.to_string()
    };
    let prop = &legend.property;
    let fill = |id: String, filter: Value, color: &str, label: &str| Layer {
        id,
        kind: "fill",
        source: SOURCE,
        source_layer: filled_layer.clone(),
        filter: Some(filter),
        paint: json!({ "fill-color": color, "fill-opacity": 0.9 }),
        metadata: Some(json!({ "ssepot:label": label })),
    };
    let mut layers = vec![fill(
        "nd".into(),
        json!(["!", ["has", prop]]),
        &legend.nd.color,
        &legend.nd.label,
    )];
    let last = legend.classes.len().saturating_sub(1);
    for (i, c) in legend.classes.iter().enumerate() {
        let upper = if i == last { "<=" } else { "<" };
        let filter = json!([
            "all",
            ["has", prop],
            [">=", ["get", prop], c.min],
            [upper, ["get", prop], c.max]
        ]);
        layers.push(fill(format!("clase-{}", i + 1), filter, &c.color, &c.label));
    }
    let line = |id: &str, source_layer: String, color: &str, width: f64| Layer {
        id: id.into(),
        kind: "line",
        source: SOURCE,
        source_layer,
        filter: None,
        paint: json!({ "line-color": color, "line-width": width }),
        metadata: None,
    };
    layers.push(line("limites", unit_set.to_string(), LINE_COLOR, 0.8));
    layers.push(line("municipio", city_layer, "#1a1a1a", 2.0));
    Style {
        version: 8,
        name: &legend.name,
        sources: Sources {
            ssepot: Source {
                kind: "vector",
                tiles: [tiles_url.to_string()],
                minzoom: 0,
                maxzoom: max_zoom,
                attribution: "ssepot",
                bounds,
            },
        },
        layers,
        metadata: Metadata {
            legend,
            indicator: &legend.indicator,
            year: legend.year,
        },
    }
}
