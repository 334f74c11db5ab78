//! A MapLibre style (v8) for an indicator and a year, over the unit set's vector tiles.
//!
//! Written in the subset QGIS 3.22's converter draws: one fill layer per class with a constant colour and a
//! `filter` (`has`, `>=`, `<`), instead of data-driven `step`/`interpolate` paint expressions, which QGIS turns
//! into no fill. MapLibre draws it the same. No glyphs or sprites: the style works offline.

use super::legend::Legend;
use super::palette::LINE_COLOR;
use serde_json::{json, Value};

/// The template in `styles/choropleth.json`: background and outline layers, with `{{…}}` placeholders.
const TEMPLATE: &str = include_str!("../../styles/choropleth.json");

/// The style for `legend`'s indicator and year; `tiles_url` is the absolute XYZ template of the tileset.
pub fn style(
    legend: &Legend,
    unit_set: &str,
    tiles_url: &str,
    bounds: [f64; 4],
    max_zoom: u8,
) -> Value {
    let filled_layer = if legend.city_level {
        format!("{unit_set}_ciudad")
    } else {
        unit_set.to_string()
    };
    let mut style: Value = serde_json::from_str(
        &TEMPLATE
            .replace("{{name}}", &legend.name.replace('"', "'"))
            .replace("{{tiles}}", tiles_url)
            .replace("{{units}}", unit_set)
            .replace("{{line}}", LINE_COLOR)
            .replace("{{maxzoom}}", &max_zoom.to_string()),
    )
    .expect("styles/choropleth.json is valid JSON");
    style["sources"]["ssepot"]["bounds"] = json!(bounds);
    let prop = &legend.property;
    let mut layers: Vec<Value> = vec![json!({
        "id": "nd",
        "type": "fill",
        "source": "ssepot",
        "source-layer": filled_layer,
        "filter": ["!", ["has", prop]],
        "paint": { "fill-color": legend.nd.color, "fill-opacity": 0.9 },
        "metadata": { "ssepot:label": legend.nd.label },
    })];
    let last = legend.classes.len().saturating_sub(1);
    for (i, c) in legend.classes.iter().enumerate() {
        let upper = if i == last {
            json!(["<=", ["get", prop], c.max])
        } else {
            json!(["<", ["get", prop], c.max])
        };
        layers.push(json!({
            "id": format!("clase-{}", i + 1),
            "type": "fill",
            "source": "ssepot",
            "source-layer": filled_layer,
            "filter": ["all", ["has", prop], [">=", ["get", prop], c.min], upper],
            "paint": { "fill-color": c.color, "fill-opacity": 0.9 },
            "metadata": { "ssepot:label": c.label },
        }));
    }
    let template_layers = style["layers"].as_array().cloned().unwrap_or_default();
    let (background, rest): (Vec<Value>, Vec<Value>) = template_layers
        .into_iter()
        .partition(|l| l["type"] == "background");
    style["layers"] = Value::Array(background.into_iter().chain(layers).chain(rest).collect());
    style["metadata"] = json!({
        "ssepot:legend": legend,
        "ssepot:indicator": legend.indicator,
        "ssepot:year": legend.year,
        "ssepot:sheet": crate::ssepot::progress::sheet_path(&legend.indicator),
    });
    style
}
