//! A MapLibre style (v8) for an indicator and a year, over the unit set's vector tiles.
//!
//! Written in the subset QGIS 3.22's converter draws: one fill layer per class with a constant colour and a
//! `filter` (`has`, `>=`, `<`), instead of data-driven `step`/`interpolate` paint expressions, which QGIS turns
//! into no fill. MapLibre draws it the same. No glyphs or sprites: the style works offline.
//!
//! The base style, `styles/choropleth.json`, is plain JSON (see `styles/README.md`). It is parsed, then filled
//! as data (serde values), never as text: no indicator name and no URL derived from request headers can change
//! the document's structure.

use super::legend::Legend;
use super::palette::LINE_COLOR;
use serde_json::{json, Value};

/// The base style: source and outline layers.
const BASE: &str = include_str!("../../styles/choropleth.json");

/// The style for `legend`'s indicator and year; `tiles_url` is the absolute XYZ template of the tileset.
/// Fails only if the base style built into the binary is not what `styles/README.md` describes.
pub fn style(
    legend: &Legend,
    unit_set: &str,
    tiles_url: &str,
    bounds: [f64; 4],
    max_zoom: u8,
    outline: bool,
) -> Result<Value, String> {
    let mut style: Value = serde_json::from_str(BASE)
        .map_err(|e| format!("styles/choropleth.json is not valid JSON: {e}"))?;
    let city_layer = format!("{unit_set}_ciudad");
    style["name"] = json!(legend.name);
    let source = style
        .pointer_mut("/sources/ssepot")
        .and_then(Value::as_object_mut)
        .ok_or("styles/choropleth.json has no source `ssepot`")?;
    source.insert("tiles".into(), json!([tiles_url]));
    source.insert("maxzoom".into(), json!(max_zoom));
    source.insert("bounds".into(), json!(bounds));
    let mut outlines = match style["layers"].take() {
        Value::Array(layers) => layers,
        _ => return Err("styles/choropleth.json has no `layers` array".into()),
    };
    // A unit set whose tiles carry no outline layer (`outline = false`) draws no municipal outline, and a
    // city-level value has no polygon to fill.
    if !outline {
        outlines.retain(|l| l.pointer("/metadata/ssepot:outline") != Some(&json!("municipio")));
    }
    for layer in &mut outlines {
        let (source_layer, color) = match layer.pointer("/metadata/ssepot:outline") {
            Some(v) if v == "territorios" => (unit_set.to_string(), Some(LINE_COLOR)),
            Some(v) if v == "municipio" => (city_layer.clone(), None),
            other => {
                return Err(format!(
                    "styles/choropleth.json: layer {} has `ssepot:outline` {other:?}, not territorios or municipio",
                    layer["id"]
                ))
            }
        };
        layer["source-layer"] = json!(source_layer);
        if let Some(color) = color {
            layer["paint"]["line-color"] = json!(color);
        }
    }
    let filled_layer = if legend.city_level {
        city_layer
    } else {
        unit_set.to_string()
    };
    let fills = if legend.city_level && !outline {
        vec![]
    } else {
        fills(legend, &filled_layer)
    };
    style["layers"] = Value::Array(fills.into_iter().chain(outlines).collect());
    style["metadata"] = json!({
        "ssepot:legend": legend,
        "ssepot:indicator": legend.indicator,
        "ssepot:year": legend.year,
        "ssepot:sheet": crate::ssepot::progress::sheet_path(&legend.indicator),
    });
    Ok(style)
}

/// The `ND` layer and one fill layer per class.
fn fills(legend: &Legend, source_layer: &str) -> Vec<Value> {
    let prop = &legend.property;
    let fill = |id: String, filter: Value, color: &str, label: &str| {
        json!({
            "id": id, "type": "fill", "source": "ssepot", "source-layer": source_layer, "filter": filter,
            "paint": { "fill-color": color, "fill-opacity": 0.9 }, "metadata": { "ssepot:label": label },
        })
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
    layers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::styles::legend::{LegendClass, NdClass};

    fn legend(name: &str) -> Legend {
        let class = |min: f64, max: f64, color: &str| LegendClass {
            min,
            max,
            color: color.into(),
            label: format!("{min} – {max}"),
            count: 1,
        };
        Legend {
            indicator: "poblacion".into(),
            name: name.into(),
            year: 2023,
            unit: "habitantes".into(),
            method: "quantile".into(),
            property: "poblacion_2023".into(),
            city_level: false,
            sample: false,
            classes: vec![class(0.0, 10.0, "#ffffcc"), class(10.0, 20.0, "#41b6c4")],
            nd: NdClass {
                color: "#e0e0e0".into(),
                label: crate::format::ND.into(),
                count: 0,
            },
        }
    }

    fn layer_ids(style: &Value) -> Vec<&str> {
        style["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn the_base_style_is_filled_with_fills_before_outlines() {
        let s = style(
            &legend("Población"),
            "comunas",
            "http://h/t/{z}/{x}/{y}.mvt",
            [0.0, 1.0, 2.0, 3.0],
            15,
            true,
        )
        .unwrap();
        let ids = layer_ids(&s);
        assert_eq!(ids, ["nd", "clase-1", "clase-2", "limites", "municipio"]);
        assert_eq!(s["layers"][3]["source-layer"], "comunas");
        assert_eq!(s["layers"][3]["paint"]["line-color"], LINE_COLOR);
        assert_eq!(s["layers"][4]["source-layer"], "comunas_ciudad");
        assert_eq!(s["sources"]["ssepot"]["maxzoom"], 15);
        assert_eq!(s["layers"][2]["filter"][3][0], "<=");
    }

    #[test]
    fn without_the_outline_layer_the_style_draws_no_municipal_outline() {
        let s = style(
            &legend("Población"),
            "manzanas",
            "http://h/t/{z}/{x}/{y}.mvt",
            [0.0, 1.0, 2.0, 3.0],
            15,
            false,
        )
        .unwrap();
        let ids = layer_ids(&s);
        assert_eq!(ids, ["nd", "clase-1", "clase-2", "limites"]);
        assert!(!s.to_string().contains("manzanas_ciudad"));
    }

    #[test]
    fn quotes_in_names_and_urls_stay_inside_their_strings() {
        let hostile = r#"x"],"injected":1,"zz":[""#;
        let s = style(
            &legend(hostile),
            "comunas",
            &format!("http://{hostile}/t"),
            [0.0; 4],
            15,
            true,
        )
        .unwrap();
        let reparsed: Value = serde_json::from_str(&s.to_string()).unwrap();
        assert_eq!(reparsed["name"], hostile);
        assert!(reparsed.get("injected").is_none());
        let members: Vec<&String> = reparsed.as_object().unwrap().keys().collect();
        assert_eq!(
            members,
            ["version", "name", "sources", "layers", "metadata"]
        );
    }
}
