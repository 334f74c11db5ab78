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

fn rgb(hex: &str) -> String {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    format!("{},{},{},255", v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// `(label, colour, QGIS expression, SLD filter body)` for each class, then `ND`. `value` is the QGIS expression of
/// the classified value and `year_test` the QGIS condition that picks the year's features (empty: none needed);
/// the SLD filter is always on the feature collection's `year` and `value` in the legend's year.
fn rules(l: &Legend, value: &str, year_test: &str) -> Vec<(String, String, String, String)> {
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
    out
}

/// A QGIS 3 layer style: rule-based renderer on `year` and `value`.
pub fn qml(l: &Legend) -> String {
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology">
  <!-- ssepot: {name} ({unit}), {year}; method {method}{sample} -->
{renderer}</qgis>
"#,
        renderer = features_renderer(l, &l.year.to_string()),
        name = xml(&l.name),
        unit = xml(&l.unit),
        year = l.year,
        method = l.method,
        sample = if l.sample {
            " — MUESTRA SINTÉTICA"
        } else {
            ""
        },
    )
}

/// The rule-based renderer (`<renderer-v2>`) of the indicator's feature collection, whose features are
/// territory-years: the legend's classes on `value` for the features whose `year` is `year` (a year, or a QGIS
/// expression such as `@ssepot_year`).
pub fn features_renderer(l: &Legend, year: &str) -> String {
    let rules = rules(l, "\"value\"", &format!("\"year\" = {year}"));
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
        .collect();
    format!(
        r#"  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="root">
{rule_xml}    </rules>
    <symbols>
{symbols}    </symbols>
  </renderer-v2>
"#
    )
}

/// A QGIS fill symbol of `color` with the web map's outline.
fn fill_symbol(name: &str, color: &str) -> String {
    format!(
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
        rgb(color),
        rgb(LINE_COLOR)
    )
}

/// The basic renderer (`<renderer type="basic">`) of the unit set's vector tiles, whose features carry every
/// year as `{indicator}_{year}`: the legend's classes on the value of the year `year_variable` holds (a QGIS
/// expression such as `@ssepot_year`), one style per class on `layer`, the year picked by a `CASE` over `years`
/// so QGIS decodes those properties.
pub fn tiles_renderer(l: &Legend, layer: &str, years: &[i32], year_variable: &str) -> String {
    let cases: String = years
        .iter()
        .map(|y| format!(" WHEN {year_variable} = {y} THEN \"{}_{y}\"", l.indicator))
        .collect();
    let value = format!("(CASE{cases} END)");
    let styles: String = rules(l, &value, "")
        .iter()
        .map(|(label, color, expr, _)| {
            format!(
                r#"    <style enabled="1" name="{}" layer="{}" geometry="2" min-zoom="-1" max-zoom="-1" expression="{}">
    <symbols>
{}    </symbols>
    </style>
"#,
                xml(label),
                xml(layer),
                xml(expr),
                fill_symbol("0", color)
            )
        })
        .collect();
    format!("  <renderer type=\"basic\">\n  <styles>\n{styles}  </styles>\n  </renderer>\n")
}

/// The same rules as SLD 1.1 / Symbology Encoding.
pub fn sld(l: &Legend) -> String {
    let rules: String = rules(l, "\"value\"", "")
        .iter()
        .map(|(label, color, _, filter)| {
            format!(
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
            )
        })
        .collect();
    format!(
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
    )
}
