//! The legend's classes as a QGIS layer style (`.qml`, rule-based) and an SLD 1.1 for the feature collection
//! of the indicator (`/collections/{id}/items`): the same colours a citizen sees on the web map.

use super::legend::Legend;
use super::palette::LINE_COLOR;

pub fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A colour as `#rrggbb` or `#rgb` (the palettes' CSS hex), as `[r, g, b]`; anything else is an error naming it,
/// never black. Hand-written because these two forms are all the palettes use.
fn parse_hex(color: &str) -> Result<[u8; 3], String> {
    let bad = || format!("colour `{color}` is not `#rrggbb` or `#rgb`");
    let hex = color.strip_prefix('#').ok_or_else(bad)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let digit = |i: usize, n: usize| u8::from_str_radix(&hex[i..i + n], 16).map_err(|_| bad());
    match hex.len() {
        6 => Ok([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        // `#abc` is `#aabbcc`.
        3 => Ok([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        _ => Err(bad()),
    }
}

/// QGIS's `r,g,b,a`.
fn qgis_rgba(color: &str) -> Result<String, String> {
    let [r, g, b] = parse_hex(color)?;
    Ok(format!("{r},{g},{b},255"))
}

/// SLD's `#rrggbb`.
fn sld_hex(color: &str) -> Result<String, String> {
    let [r, g, b] = parse_hex(color)?;
    Ok(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// `(label, colour, QGIS expression, SLD filter body)` for each class, then `ND`. `value` is the QGIS expression of
/// the classified value and `year_test` the QGIS condition that picks the year's features (empty: none needed);
/// the SLD filter is always on the feature collection's `year` and `value` in the legend's year.
/// An error names a class whose colour does not parse, never black.
fn rules(
    l: &Legend,
    value: &str,
    year_test: &str,
) -> Result<Vec<(String, String, String, String)>, String> {
    for (label, color) in l
        .classes
        .iter()
        .map(|c| (&c.label, &c.color))
        .chain([(&l.nd.label, &l.nd.color)])
    {
        parse_hex(color).map_err(|e| format!("class `{label}`: {e}"))?;
    }
    let year = l.year;
    let and = if year_test.is_empty() {
        String::new()
    } else {
        format!("{year_test} AND ")
    };
    let year_sld = format!("<ogc:PropertyIsEqualTo><ogc:PropertyName>year</ogc:PropertyName><ogc:Literal>{year}</ogc:Literal></ogc:PropertyIsEqualTo>");
    let last = l.classes.len().saturating_sub(1);
    let mut out: Vec<_> = l
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (op, sld_op) = if i == last { ("<=", "PropertyIsLessThanOrEqualTo") } else { ("<", "PropertyIsLessThan") };
            let expr = format!("{and}{value} >= {} AND {value} {op} {}", c.min, c.max);
            let sld = format!(
                "<ogc:And>{year_sld}<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>value</ogc:PropertyName><ogc:Literal>{}</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo><ogc:{sld_op}><ogc:PropertyName>value</ogc:PropertyName><ogc:Literal>{}</ogc:Literal></ogc:{sld_op}></ogc:And>",
                c.min, c.max
            );
            (c.label.clone(), c.color.clone(), expr, sld)
        })
        .collect();
    out.push((
        l.nd.label.clone(),
        l.nd.color.clone(),
        format!("{and}{value} IS NULL"),
        format!("<ogc:And>{year_sld}<ogc:PropertyIsNull><ogc:PropertyName>value</ogc:PropertyName></ogc:PropertyIsNull></ogc:And>"),
    ));
    Ok(out)
}

/// A QGIS 3 layer style: rule-based renderer on `year` and `value`; an error names a class whose colour does not
/// parse.
pub fn qml(l: &Legend) -> Result<String, String> {
    Ok(format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology">
  <!-- ssepot: {name} ({unit}), {year}; method {method}{sample} -->
{renderer}</qgis>
"#,
        renderer = features_renderer(l, &l.year.to_string())?,
        name = xml(&l.name),
        unit = xml(&l.unit),
        year = l.year,
        method = l.method,
        sample = if l.sample {
            " — MUESTRA SINTÉTICA"
        } else {
            ""
        },
    ))
}

/// The rule-based renderer (`<renderer-v2>`) of the indicator's feature collection, whose features are
/// territory-years: the legend's classes on `value` for the features whose `year` is `year` (a year, or a QGIS
/// expression such as `@ssepot_year`).
pub fn features_renderer(l: &Legend, year: &str) -> Result<String, String> {
    let rules = rules(l, "\"value\"", &format!("\"year\" = {year}"))?;
    let rule_xml: String = rules
        .iter()
        .enumerate()
        .map(|(i, (label, _, expr, _))| {
            format!(
                r#"      <rule key="r{i}" symbol="{i}" label="{}" filter="{}"/>"#,
                xml(label),
                xml(expr)
            ) + "\n"
        })
        .collect();
    let symbols: String = rules
        .iter()
        .enumerate()
        .map(|(i, (_, color, _, _))| fill_symbol(&i.to_string(), color))
        .collect::<Result<_, String>>()?;
    Ok(format!(
        r#"  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="root">
{rule_xml}    </rules>
    <symbols>
{symbols}    </symbols>
  </renderer-v2>
"#
    ))
}

/// A QGIS fill symbol of `color` with the web map's outline.
fn fill_symbol(name: &str, color: &str) -> Result<String, String> {
    Ok(format!(
        r#"      <symbol type="fill" name="{name}" alpha="0.9" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="color" v="{}"/>
          <prop k="outline_color" v="{}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_width" v="0.26"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="style" v="solid"/>
        </layer>
      </symbol>
"#,
        qgis_rgba(color)?,
        qgis_rgba(LINE_COLOR)?
    ))
}

/// The basic renderer (`<renderer type="basic">`) of the unit set's vector tiles, whose features carry every
/// year as `{indicator}_{year}`: the legend's classes on the value of the year `year_variable` holds (a QGIS
/// expression such as `@ssepot_year`), one style per class on `layer`, the year picked by a `CASE` over `years`
/// so QGIS decodes those properties.
pub fn tiles_renderer(
    l: &Legend,
    layer: &str,
    years: &[i32],
    year_variable: &str,
) -> Result<String, String> {
    let cases: String = years
        .iter()
        .map(|y| format!(" WHEN {year_variable} = {y} THEN \"{}_{y}\"", l.indicator))
        .collect();
    let value = format!("(CASE{cases} END)");
    let styles: String = rules(l, &value, "")?
        .iter()
        .map(|(label, color, expr, _)| {
            Ok(format!(
                r#"    <style enabled="1" name="{}" layer="{}" geometry="2" min-zoom="-1" max-zoom="-1" expression="{}">
    <symbols>
{}    </symbols>
    </style>
"#,
                xml(label),
                xml(layer),
                xml(expr),
                fill_symbol("0", color)?
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(format!(
        "  <renderer type=\"basic\">\n  <styles>\n{styles}  </styles>\n  </renderer>\n"
    ))
}

/// The same rules as SLD 1.1 / Symbology Encoding; an error names a class whose colour does not parse.
pub fn sld(l: &Legend) -> Result<String, String> {
    let rules: String = rules(l, "\"value\"", "")?
        .iter()
        .map(|(label, color, _, filter)| {
            let color = sld_hex(color)?;
            Ok(format!(
                r#"      <se:Rule>
        <se:Name>{label}</se:Name>
        <se:Description><se:Title>{label}</se:Title></se:Description>
        <ogc:Filter>{filter}</ogc:Filter>
        <se:PolygonSymbolizer>
          <se:Fill><se:SvgParameter name="fill">{color}</se:SvgParameter><se:SvgParameter name="fill-opacity">0.9</se:SvgParameter></se:Fill>
          <se:Stroke><se:SvgParameter name="stroke">{LINE_COLOR}</se:SvgParameter><se:SvgParameter name="stroke-width">0.5</se:SvgParameter></se:Stroke>
        </se:PolygonSymbolizer>
      </se:Rule>
"#,
                label = xml(label)
            ))
        })
        .collect::<Result<String, String>>()?;
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <se:Name>{id}</se:Name>
    <UserStyle>
      <se:Name>{id}_{year}</se:Name>
      <se:Description><se:Title>{name} ({unit}), {year}</se:Title></se:Description>
      <se:FeatureTypeStyle>
{rules}      </se:FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
"#,
        id = xml(&l.indicator),
        year = l.year,
        name = xml(&l.name),
        unit = xml(&l.unit),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::styles::legend::{LegendClass, NdClass};

    fn legend(colors: &[&str]) -> Legend {
        Legend {
            indicator: "x".into(),
            name: "X".into(),
            year: 2023,
            unit: "u".into(),
            method: "manual".into(),
            property: "x_2023".into(),
            city_level: false,
            sample: false,
            classes: colors
                .iter()
                .enumerate()
                .map(|(i, c)| LegendClass {
                    min: i as f64,
                    max: i as f64 + 1.0,
                    color: c.to_string(),
                    label: format!("{i} – {}", i + 1),
                    count: 1,
                })
                .collect(),
            nd: NdClass {
                color: crate::styles::palette::ND_COLOR.into(),
                label: "Sin dato (ND)".into(),
                count: 0,
            },
        }
    }

    #[test]
    fn every_palette_colour_is_written_as_it_is_shown() {
        for n in 1..=7 {
            let colors = crate::styles::palette::sequential(n);
            let qml = qml(&legend(&colors)).unwrap();
            let sld = sld(&legend(&colors)).unwrap();
            for c in colors {
                let v = u32::from_str_radix(&c[1..], 16).unwrap();
                let rgba = format!("{},{},{},255", v >> 16, (v >> 8) & 0xff, v & 0xff);
                assert!(
                    qml.contains(&format!(r#"<prop k="color" v="{rgba}"/>"#)),
                    "{c}"
                );
                assert!(sld.contains(&format!(r#"name="fill">{c}<"#)), "{c}");
            }
        }
    }

    #[test]
    fn a_short_hex_colour_is_its_long_form_not_another_colour() {
        let qml = qml(&legend(&["#abc", "#2c7fb8"])).unwrap();
        assert!(
            qml.contains(r#"<prop k="color" v="170,187,204,255"/>"#),
            "{qml}"
        );
        let sld = sld(&legend(&["#abc", "#2c7fb8"])).unwrap();
        assert!(sld.contains(r#"name="fill">#aabbcc<"#), "{sld}");
    }

    #[test]
    fn a_colour_that_does_not_parse_is_an_error_naming_its_class_not_black() {
        for bad in ["teal", "#12345", "#gg0000", "2c7fb8", "#2c7fb8ff"] {
            let e = qml(&legend(&["#ffffcc", bad])).unwrap_err();
            assert!(e.contains("class `1 – 2`") && e.contains(bad), "{bad}: {e}");
            let e = sld(&legend(&["#ffffcc", bad])).unwrap_err();
            assert!(e.contains("class `1 – 2`") && e.contains(bad), "{bad}: {e}");
        }
    }
}
