//! A QGIS project in one click (`.qgz`): each indicator as its OGC API Features layer (provider `OAPIF`) and its
//! vector tiles (provider `vectortile`, the XYZ template of `/tiles`), styled with the legend's classes
//! ([`super::qgis`]: the same rules as the `.qml`, written once), grouped by POT system and subsystem.
//!
//! The year is the project variable `@ssepot_year` (Project ▸ Properties ▸ Variables): the features layer draws
//! the territory-years whose `year` is it, the tiles layer the `{indicator}_{year}` property it names, and the
//! classes are the same for every year (a colour means the same value in every year, as on the web map), so
//! changing the variable redraws the map of another year with the web map's colours. The project CRS is
//! EPSG:9377 (MAGNA-SIRGAS / Origen-Nacional); each layer's metadata has its attribution and technical sheet.

use super::legend::Legend;
use super::qgis::{features_renderer, tiles_renderer, xml};
use std::io::Write;

/// The project variable that holds the year drawn.
pub const YEAR_VARIABLE: &str = "ssepot_year";

/// One indicator's two layers.
pub struct IndicatorLayers<'a> {
    /// Classes and colours, for the project's year.
    pub legend: &'a Legend,
    /// Every year the indicator has (the tiles carry each as `{indicator}_{year}`).
    pub years: Vec<i32>,
    /// Collection id (`poblacion`): the features layer's `typename`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub attribution: String,
    /// Absolute URLs of the technical sheet and of the collection.
    pub sheet_url: String,
    pub collection_url: String,
    /// POT system and subsystem, the project's groups.
    pub system: String,
    pub subsystem: String,
    /// The tiles' source layer the values are on (`comunas`, or `comunas_ciudad` for city-level values).
    pub tiles_layer: String,
    /// Absolute XYZ template of the unit set's tiles, and their zoom range.
    pub tiles_url: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Drawn when the project opens (the whole-service project shows one indicator, the others are a click away).
    pub visible: bool,
}

/// A project: its title, the OGC API landing page, the year first drawn and the map's extent in EPSG:9377
/// (`[min easting, min northing, max easting, max northing]`).
pub struct Project<'a> {
    pub title: String,
    pub base_url: String,
    pub year: i32,
    pub extent_9377: [f64; 4],
    /// The WKT of the CRSs the project names (QGIS does not read a CRS from its code alone).
    pub wkt: CrsWkt,
    pub layers: Vec<IndicatorLayers<'a>>,
}

/// WKT of the project's CRS (EPSG:9377), the features' (CRS84) and the tiles' (EPSG:3857).
pub struct CrsWkt {
    pub project: String,
    pub features: String,
    pub tiles: String,
}

fn checked(visible: bool) -> &'static str {
    if visible {
        "Qt::Checked"
    } else {
        "Qt::Unchecked"
    }
}

fn srs(authid: &str, wkt: &str) -> String {
    format!(
        "<spatialrefsys><wkt>{}</wkt><authid>{authid}</authid></spatialrefsys>",
        xml(wkt)
    )
}

fn tiles_source(l: &IndicatorLayers) -> String {
    format!(
        "type=xyz&url={}&zmin={}&zmax={}",
        l.tiles_url, l.min_zoom, l.max_zoom
    )
}

fn features_source(base: &str, l: &IndicatorLayers) -> String {
    format!("url='{base}' typename='{}'", l.id)
}

/// The layer tree: system ▸ subsystem ▸ (tiles, features) per indicator, in the order given.
fn layer_tree(p: &Project) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < p.layers.len() {
        let system = &p.layers[i].system;
        out += &format!(
            "    <layer-tree-group name=\"{}\" checked=\"Qt::Checked\" expanded=\"1\">\n",
            xml(system)
        );
        while i < p.layers.len() && &p.layers[i].system == system {
            let subsystem = &p.layers[i].subsystem;
            out += &format!(
                "      <layer-tree-group name=\"{}\" checked=\"Qt::Checked\" expanded=\"1\">\n",
                xml(subsystem)
            );
            while i < p.layers.len()
                && &p.layers[i].system == system
                && &p.layers[i].subsystem == subsystem
            {
                let l = &p.layers[i];
                out += &format!(
                    "        <layer-tree-group name=\"{}\" checked=\"{}\" expanded=\"{}\">\n",
                    xml(&l.title),
                    checked(l.visible),
                    u8::from(l.visible)
                );
                out += &format!(
                    "          <layer-tree-layer id=\"{id}_elementos\" name=\"{name} (elementos)\" providerKey=\"OAPIF\" source=\"{src}\" checked=\"Qt::Unchecked\" expanded=\"0\"/>\n",
                    id = xml(&l.id),
                    name = xml(&l.title),
                    src = xml(&features_source(&p.base_url, l))
                );
                out += &format!(
                    "          <layer-tree-layer id=\"{id}_teselas\" name=\"{name} (teselas)\" providerKey=\"vectortile\" source=\"{src}\" checked=\"Qt::Checked\" expanded=\"1\"/>\n",
                    id = xml(&l.id),
                    name = xml(&l.title),
                    src = xml(&tiles_source(l))
                );
                out += "        </layer-tree-group>\n";
                i += 1;
            }
            out += "      </layer-tree-group>\n";
        }
        out += "    </layer-tree-group>\n";
    }
    out
}

/// Title, abstract, rights and links of a layer (QGIS's layer metadata), and its attribution.
fn metadata(l: &IndicatorLayers) -> String {
    let link = |name: &str, url: &str, mime: &str| {
        format!(
            "<link name=\"{}\" type=\"WWW:LINK\" url=\"{}\" mimeType=\"{mime}\" description=\"\" format=\"\" size=\"\"/>",
            xml(name),
            xml(url)
        )
    };
    format!(
        "      <attribution href=\"{sheet}\">{attribution}</attribution>
      <resourceMetadata>
        <identifier>{collection}</identifier>
        <type>dataset</type>
        <title>{title}</title>
        <abstract>{description}</abstract>
        <rights>{attribution}</rights>
        <links>{sheet_link}{collection_link}</links>
      </resourceMetadata>
",
        sheet = xml(&l.sheet_url),
        attribution = xml(&l.attribution),
        collection = xml(&l.collection_url),
        title = xml(&l.title),
        description = xml(&l.description),
        sheet_link = link("Ficha técnica", &l.sheet_url, "text/html"),
        collection_link = link(
            "Colección OGC API Features",
            &l.collection_url,
            "application/json"
        ),
    )
}

fn map_layers(p: &Project, l: &IndicatorLayers) -> Result<String, String> {
    let year = format!("@{YEAR_VARIABLE}");
    Ok(format!(
        "    <maplayer type=\"vector\" geometry=\"Polygon\" wkbType=\"MultiPolygon\">
      <id>{id}_elementos</id>
      <datasource>{features_src}</datasource>
      <layername>{title} (elementos)</layername>
      <srs>{crs84}</srs>
{metadata}      <provider encoding=\"\">OAPIF</provider>
{features_renderer}    </maplayer>
    <maplayer type=\"vector-tile\">
      <id>{id}_teselas</id>
      <datasource>{tiles_src}</datasource>
      <layername>{title} (teselas)</layername>
      <srs>{mercator}</srs>
{metadata}      <provider>vectortile</provider>
{tiles_renderer}    </maplayer>
",
        id = xml(&l.id),
        title = xml(&l.title),
        features_src = xml(&features_source(&p.base_url, l)),
        tiles_src = xml(&tiles_source(l)),
        crs84 = srs("OGC:CRS84", &p.wkt.features),
        mercator = srs("EPSG:3857", &p.wkt.tiles),
        metadata = metadata(l),
        features_renderer = features_renderer(l.legend, &year)?,
        tiles_renderer = tiles_renderer(l.legend, &l.tiles_layer, &l.years, &year)?,
    ))
}

/// The project as QGIS's `.qgs` XML.
pub fn qgs(p: &Project) -> Result<String, String> {
    let [x0, y0, x1, y1] = p.extent_9377;
    let layers: String = p
        .layers
        .iter()
        .map(|l| map_layers(p, l))
        .collect::<Result<_, String>>()?;
    Ok(format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis projectname=\"{title}\" version=\"3.22.0\">
  <title>{title}</title>
  <projectCrs>{crs}</projectCrs>
  <layer-tree-group>
{tree}  </layer-tree-group>
  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">
    <units>meters</units>
    <extent><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></extent>
    <rotation>0</rotation>
    <destinationsrs>{crs}</destinationsrs>
  </mapcanvas>
  <projectlayers>
{layers}  </projectlayers>
  <properties>
    <SpatialRefSys>
      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>
    </SpatialRefSys>
    <Variables>
      <variableNames type=\"QStringList\"><value>{YEAR_VARIABLE}</value></variableNames>
      <variableValues type=\"QStringList\"><value>{year}</value></variableValues>
    </Variables>
  </properties>
</qgis>
",
        title = xml(&p.title),
        crs = srs("EPSG:9377", &p.wkt.project),
        tree = layer_tree(p),
        year = p.year,
    ))
}

/// The project zipped as QGIS saves it (`.qgz`): one `{name}.qgs` inside.
pub fn qgz(p: &Project, name: &str) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(format!("{name}.qgs"), options)
        .map_err(|e| e.to_string())?;
    zip.write_all(qgs(p)?.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
