//! A static choropleth map of an indicator in a year, as SVG, drawn on the server from the geometry:
//!
//! 1. **Classes and colours**: the web map's legend ([`Legend::new`] with the layer file's method and classes,
//!    [`Legend::color_of`] for the colour of a value), so a colour means the same on paper and on screen.
//! 2. **Project**: CRS84 → Web Mercator (the web map's projection), fitted to the frame, north up.
//! 3. **Simplify**: Douglas–Peucker at a third of a pixel (no visible change, a fraction of the vertices).
//! 4. **Draw**: one path per territory (its name and value as a tooltip), the legend with counts and `ND`,
//!    title, year and unit, a scale bar, the source, and a mark when the values are projected.
//! 5. **Text alternative**: a sentence (`<desc>`) and the table of every territory's value and class.

use super::svg::{escape, text, wrap, FONT};
use crate::format::trimmed as format_number;
use crate::model::{Indicator, UnitRef};
use crate::styles::legend::is_city_level;
use crate::styles::palette::LINE_COLOR;
use crate::styles::Legend;
use crate::tiles::mercator::project;
use geo::{Coord, MapCoords, MultiPolygon, Simplify};
use serde::Serialize;
use std::fmt::Write;

/// Frame of the drawing, in SVG units (≈ px at 96 dpi; 640 fits an A4 text column at 17 cm).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 520.0;
/// Where the territories are drawn: left part of the frame, under the title.
const MAP: [f64; 4] = [12.0, 64.0, 430.0, 470.0];
/// Left edge of the legend.
const LEGEND_X: f64 = 446.0;

/// One territory's row of the map's table (its text alternative).
#[derive(Debug, Clone, Serialize)]
pub struct MapRow {
    pub code: String,
    pub name: String,
    /// `None` is `ND`.
    pub value: Option<f64>,
    /// The value as the map writes it (`2.518.480`, `ND`).
    pub text: String,
    /// Its class in the legend (`1.500 – 3.000`, `Sin dato (ND)`).
    pub class: String,
    pub color: String,
}

/// A map ready for a page or a PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Choropleth {
    /// Unique in a document (`mapa-avance_ep-01-2023`).
    pub id: String,
    pub indicator: String,
    pub title: String,
    pub year: i32,
    pub unit: String,
    pub projected: bool,
    pub svg: String,
    /// The text alternative, one paragraph.
    pub alt: String,
    pub rows: Vec<MapRow>,
}

/// Values the way the web map writes them: no decimals from 100 up, else at most two.
pub fn value_text(v: Option<f64>) -> String {
    match v {
        Some(v) => format_number(v, if v.abs() >= 100.0 { 0 } else { 2 }),
        None => "ND".into(),
    }
}

/// The map of `ind` in `year`. `projected` marks values that are projections, not measurements.
pub fn render(ind: &Indicator, year: i32, projected: bool) -> Choropleth {
    let legend = Legend::new(ind, year, ind.style.method, ind.style.classes);
    let rows = rows(ind, year, &legend);
    let id = format!("mapa-{}-{year}", ind.id);
    let mut svg = String::with_capacity(64 * 1024);
    let title = ind.name.clone();
    let alt = alternative(ind, year, &rows, projected);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d" font-family="{FONT}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##,
        escape(&format!("{title}, {year}")),
        escape(&alt)
    );
    heading(&mut svg, ind, year, projected);
    territories(&mut svg, ind, year, &legend);
    legend_box(&mut svg, &legend, projected);
    footer(&mut svg, ind);
    svg.push_str("</svg>");
    Choropleth {
        id,
        indicator: ind.id.clone(),
        title,
        year,
        unit: ind.unit.clone(),
        projected,
        svg,
        alt,
        rows,
    }
}

fn rows(ind: &Indicator, year: i32, legend: &Legend) -> Vec<MapRow> {
    let set = &ind.unit_set;
    let units = (0..set.units.len()).map(UnitRef::Unit);
    let city = std::iter::once(UnitRef::City).filter(|_| ind.value(UnitRef::City, year).is_some());
    units
        .chain(city)
        .map(|at| {
            let unit = set.unit(at);
            let value = ind.value(at, year).flatten();
            let class = match value {
                None => legend.nd.label.clone(),
                Some(_) => {
                    let color = legend.color_of(value);
                    legend
                        .classes
                        .iter()
                        .find(|c| c.color == color)
                        .map_or_else(String::new, |c| c.label.clone())
                }
            };
            MapRow {
                code: unit.code.clone(),
                name: unit.name.clone(),
                value,
                text: value_text(value),
                class,
                color: legend.color_of(value).to_string(),
            }
        })
        .collect()
}

/// One sentence that says what the map shows: extremes and how many territories have no value.
fn alternative(ind: &Indicator, year: i32, rows: &[MapRow], projected: bool) -> String {
    let set = &ind.unit_set;
    let territorial: Vec<&MapRow> = rows.iter().filter(|r| r.code != set.city.code).collect();
    let with: Vec<&MapRow> = territorial
        .iter()
        .copied()
        .filter(|r| r.value.is_some())
        .collect();
    let nd = territorial.len() - with.len();
    let by_value = |a: &&MapRow, b: &&MapRow| {
        a.value
            .partial_cmp(&b.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let extremes = match (
        with.iter().copied().max_by(by_value),
        with.iter().copied().min_by(by_value),
    ) {
        (Some(hi), Some(lo)) => format!(
            " El valor más alto es el de {} ({}) y el más bajo el de {} ({}).",
            hi.name, hi.text, lo.name, lo.text
        ),
        _ => String::new(),
    };
    let level = if is_city_level(ind) {
        " El indicador se reporta para toda la ciudad.".to_string()
    } else {
        String::new()
    };
    format!(
        "Mapa de {} ({}) por {}, {year}{}: {} territorios con dato y {nd} sin dato (ND).{extremes}{level} Los valores de cada territorio están en la tabla que acompaña el mapa.",
        ind.name,
        ind.unit,
        set.title,
        if projected { ", valores proyectados" } else { "" },
        with.len(),
    )
}

fn heading(svg: &mut String, ind: &Indicator, year: i32, projected: bool) {
    let lines = wrap(&ind.name, 62);
    for (i, l) in lines.iter().take(2).enumerate() {
        text(
            svg,
            12.0,
            22.0 + 18.0 * i as f64,
            r##"font-size="15" font-weight="bold" fill="#1a1a1a""##,
            l,
        );
    }
    let sub = format!(
        "{} · {year}{} · {}",
        ind.unit,
        if projected { " (proyectado)" } else { "" },
        ind.unit_set.title
    );
    text(
        svg,
        12.0,
        22.0 + 18.0 * lines.len().min(2) as f64,
        r##"font-size="12" fill="#404040""##,
        &sub,
    );
}

/// Web Mercator of the unit set's extent, fitted into [`MAP`]: `(scale, offset x, offset y)`.
fn fit(ind: &Indicator) -> (f64, f64, f64) {
    let b = ind.unit_set.bbox;
    let [x0, y1] = project(b.min().x, b.min().y);
    let [x1, y0] = project(b.max().x, b.max().y);
    let (w, h) = (MAP[2] - MAP[0], MAP[3] - MAP[1]);
    let scale = (w / (x1 - x0)).min(h / (y1 - y0));
    let ox = MAP[0] + (w - (x1 - x0) * scale) / 2.0 - x0 * scale;
    let oy = MAP[1] + (h - (y1 - y0) * scale) / 2.0 - y0 * scale;
    (scale, ox, oy)
}

fn path_of(geometry: &MultiPolygon<f64>, (scale, ox, oy): (f64, f64, f64)) -> String {
    let px = geometry
        .map_coords(|c| {
            let [x, y] = project(c.x, c.y);
            Coord {
                x: x * scale + ox,
                y: y * scale + oy,
            }
        })
        .simplify(0.33);
    let mut d = String::new();
    for poly in &px {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for (i, c) in ring.coords().enumerate() {
                let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, c.x, c.y);
            }
            d.push('Z');
        }
    }
    d
}

fn territories(svg: &mut String, ind: &Indicator, year: i32, legend: &Legend) {
    let frame = fit(ind);
    let set = &ind.unit_set;
    let city_level = is_city_level(ind);
    svg.push_str(r#"<g stroke-linejoin="round" fill-rule="evenodd">"#);
    if city_level {
        let v = ind.value(UnitRef::City, year).flatten();
        let _ = write!(
            svg,
            r#"<path d="{}" fill="{}" stroke="{LINE_COLOR}" stroke-width="1.6"><title>{}</title></path>"#,
            path_of(&set.city.geometry, frame),
            legend.color_of(v),
            escape(&format!("{}: {}", set.city.name, value_text(v)))
        );
    }
    for (i, u) in set.units.iter().enumerate() {
        let v = ind.value(UnitRef::Unit(i), year).flatten();
        let fill = if city_level {
            "none"
        } else {
            legend.color_of(v)
        };
        let _ = write!(
            svg,
            r#"<path d="{}" fill="{fill}" stroke="{LINE_COLOR}" stroke-width="0.6"><title>{}</title></path>"#,
            path_of(&u.geometry, frame),
            escape(&format!("{}: {}", u.name, value_text(v)))
        );
    }
    svg.push_str("</g>");
}

fn swatch(svg: &mut String, y: f64, color: &str, label: &str) {
    let _ = write!(
        svg,
        r##"<rect x="{LEGEND_X}" y="{:.1}" width="18" height="13" fill="{color}" stroke="#666666" stroke-width="0.6"/>"##,
        y - 10.5
    );
    text(
        svg,
        LEGEND_X + 26.0,
        y,
        r##"font-size="11.5" fill="#1a1a1a""##,
        label,
    );
}

fn legend_box(svg: &mut String, legend: &Legend, projected: bool) {
    let mut y = 84.0;
    for l in wrap(&legend.unit, 26) {
        text(
            svg,
            LEGEND_X,
            y,
            r##"font-size="12" font-weight="bold" fill="#1a1a1a""##,
            &l,
        );
        y += 15.0;
    }
    y += 6.0;
    for c in &legend.classes {
        swatch(svg, y, &c.color, &format!("{} ({})", c.label, c.count));
        y += 19.0;
    }
    swatch(
        svg,
        y,
        &legend.nd.color,
        &format!("{} ({})", legend.nd.label, legend.nd.count),
    );
    y += 24.0;
    let method = match legend.method.as_str() {
        "quantile" => "cuantiles",
        "equal" => "intervalos iguales",
        "jenks" => "cortes naturales",
        _ => "cortes declarados",
    };
    let note = format!(
        "Clases por {method} de los valores de todos los años; entre paréntesis, territorios en el año.",
    );
    for l in wrap(&note, 30) {
        text(svg, LEGEND_X, y, r##"font-size="10" fill="#404040""##, &l);
        y += 13.0;
    }
    if projected {
        y += 6.0;
        for l in wrap("Valores proyectados: no son mediciones.", 30) {
            text(
                svg,
                LEGEND_X,
                y,
                r##"font-size="10.5" font-style="italic" fill="#8a4b00""##,
                &l,
            );
            y += 13.0;
        }
    }
}

/// A scale bar at the map's latitude (Web Mercator stretches distances by 1 / cos φ) and the source.
fn footer(svg: &mut String, ind: &Indicator) {
    let (scale, _, _) = fit(ind);
    let lat = ind.unit_set.bbox.center().y.to_radians();
    let metres_per_unit = 40_075_016.686 * lat.cos() / scale;
    let km = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
        .into_iter()
        .rev()
        .find(|k| k * 1000.0 / metres_per_unit <= 120.0)
        .unwrap_or(1.0);
    let len = km * 1000.0 / metres_per_unit;
    let (x, y) = (MAP[0] + 4.0, MAP[3] + 14.0);
    let _ = write!(
        svg,
        r##"<path d="M{x:.1} {:.1}V{y:.1}H{:.1}V{:.1}" fill="none" stroke="#1a1a1a" stroke-width="1.2"/>"##,
        y - 5.0,
        x + len,
        y - 5.0
    );
    text(
        svg,
        x + len + 6.0,
        y,
        r##"font-size="10.5" fill="#1a1a1a""##,
        &format!("{} km", format_number(km, 0)),
    );
    let source = format!(
        "Fuente: {}. Proyección Web Mercator. Elaborado con ssepot.",
        ind.attribution
    );
    for (i, l) in wrap(&source, 100).iter().take(2).enumerate() {
        text(
            svg,
            12.0,
            HEIGHT - 22.0 + 12.0 * i as f64,
            r##"font-size="9.5" fill="#404040""##,
            l,
        );
    }
}
