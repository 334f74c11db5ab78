//! JSON documents of OGC API Features (landing page, conformance, collections) and their links.

use crate::features::{Collection, CollectionKind};
use axum::http::{header, HeaderMap, HeaderName};
use serde_json::{json, Value};

pub const GEOJSON: &str = "application/geo+json";
pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html";
pub const SCHEMA_JSON: &str = "application/schema+json";
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    // Part 3 (filtering) and the CQL2 classes its filters use; each has a test in tests/cql2.rs.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
];

/// Scheme, host and prefix the client used, as [`super::forwarded`] resolved them (it runs before every handler
/// and leaves only checked values in these headers). Checked again here, so a handler reached without the layer
/// still never writes an unchecked header into a link.
pub fn base_url(headers: &HeaderMap) -> String {
    use super::forwarded::{X_FORWARDED_HOST, X_FORWARDED_PREFIX, X_FORWARDED_PROTO};
    use crate::access::{valid_authority, valid_prefix, valid_scheme};
    let get = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let proto = get(&X_FORWARDED_PROTO)
        .and_then(valid_scheme)
        .unwrap_or("http");
    let host = get(&X_FORWARDED_HOST)
        .or_else(|| get(&header::HOST))
        .filter(|h| valid_authority(h))
        .unwrap_or("localhost");
    let prefix = get(&X_FORWARDED_PREFIX)
        .filter(|p| valid_prefix(p))
        .unwrap_or("");
    format!("{proto}://{host}{prefix}")
}

pub fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media, "title": title })
}

/// `self` (JSON) and `alternate` (HTML) links of a document.
pub fn self_links(url: &str, json_type: &str, title: &str) -> Vec<Value> {
    let sep = if url.contains('?') { '&' } else { '?' };
    vec![
        link(format!("{url}{sep}f=json"), "self", json_type, title),
        link(
            format!("{url}{sep}f=html"),
            "alternate",
            HTML,
            &format!("{title} (HTML)"),
        ),
    ]
}

/// The landing page; `tilesets` are the unit sets with tiles, as (id, title).
pub fn landing(base: &str, tilesets: &[(&str, &str)]) -> Value {
    let mut links = self_links(&format!("{base}/"), JSON, "Página de inicio");
    links.extend(tilesets.iter().map(|(id, title)| {
        link(
            format!("{base}/collections/{id}/tiles"),
            TILESETS_VECTOR,
            JSON,
            &format!("Teselas vectoriales: {title}"),
        )
    }));
    links.extend([
        link(
            format!("{base}/api"),
            "service-desc",
            OPENAPI,
            "Definición OpenAPI 3.0",
        ),
        link(
            format!("{base}/api?f=html"),
            "service-doc",
            HTML,
            "Documentación de la API",
        ),
        link(
            format!("{base}/conformance"),
            "conformance",
            JSON,
            "Clases de conformidad",
        ),
        link(
            format!("{base}/conformance"),
            "http://www.opengis.net/def/rel/ogc/1.0/conformance",
            JSON,
            "Clases de conformidad",
        ),
        link(format!("{base}/collections"), "data", JSON, "Colecciones"),
        link(
            format!("{base}/collections"),
            "http://www.opengis.net/def/rel/ogc/1.0/data",
            JSON,
            "Colecciones",
        ),
        link(
            format!("{base}/report"),
            "describedby",
            JSON,
            "Informe de importación",
        ),
    ]);
    json!({
        "title": "ssepot — indicadores territoriales del POT de Medellín",
        "description": "Indicadores del Sistema de Seguimiento y Evaluación del POT (Acuerdo 048 de 2014) unidos a comunas y corregimientos, como OGC API Features.",
        "links": links,
    })
}

/// OGC API Tiles' relation from a collection (or the landing page) to its vector tilesets.
pub const TILESETS_VECTOR: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";

/// A collection's tiles and styles: the unit set's tilesets (an indicator's values are properties of its unit
/// set's tiles, `{indicator}_{year}`), their TileJSON, and for an indicator its MapLibre, QGIS and SLD styles.
fn tile_links(base: &str, c: &Collection) -> Vec<Value> {
    let set = &c.unit_set;
    let mut links = vec![
        link(
            format!("{base}/collections/{set}/tiles"),
            TILESETS_VECTOR,
            JSON,
            "Teselas vectoriales (OGC API Tiles)",
        ),
        link(
            format!("{base}/tiles/{set}.json"),
            "describedby",
            JSON,
            "Teselas vectoriales (TileJSON 3.0)",
        ),
    ];
    if c.kind == CollectionKind::Indicator {
        let id = &c.id;
        links.extend([
            link(
                format!("{base}/styles/{id}.json"),
                "stylesheet",
                JSON,
                "Estilo MapLibre (último año)",
            ),
            link(
                format!("{base}/styles/{id}.qml"),
                "stylesheet",
                "application/xml",
                "Estilo QGIS (QML)",
            ),
            link(
                format!("{base}/styles/{id}.sld"),
                "stylesheet",
                "application/vnd.ogc.sld+xml",
                "Estilo SLD",
            ),
            link(
                format!("{base}/styles/{id}/legend.json"),
                "describedby",
                JSON,
                "Leyenda (clases y colores)",
            ),
        ]);
    }
    links
}

/// The queryables of a collection: the Part 3 relation, and the draft's plain `queryables` that GDAL 3.6
/// looks for.
fn queryables_links(collection_url: &str) -> Vec<Value> {
    let url = format!("{collection_url}/queryables");
    vec![
        link(
            url.clone(),
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            SCHEMA_JSON,
            "Propiedades filtrables (JSON Schema)",
        ),
        link(url, "queryables", JSON, "Propiedades filtrables"),
    ]
}

pub fn conformance() -> Value {
    json!({ "conformsTo": CONFORMANCE })
}

pub fn collection(base: &str, c: &Collection) -> Value {
    let url = format!("{base}/collections/{}", c.id);
    let mut links = self_links(&url, JSON, &c.title);
    links.push(link(
        format!("{url}/items?f=json"),
        "items",
        GEOJSON,
        "Elementos (GeoJSON)",
    ));
    links.push(link(
        format!("{url}/items?f=html"),
        "items",
        HTML,
        "Elementos (HTML)",
    ));
    if c.kind == CollectionKind::Indicator {
        links.push(link(
            format!("{base}/collections/{}", c.unit_set),
            "related",
            JSON,
            "Unidades territoriales",
        ));
        links.push(link(
            format!(
                "{base}{}?f=html",
                crate::ssepot::progress::sheet_path(&c.id)
            ),
            "describedby",
            HTML,
            "Ficha técnica del indicador",
        ));
        links.push(link(
            format!("{base}/collections/{}/qgis", c.id),
            "related",
            "application/zip",
            "Proyecto QGIS (.qgz): elementos y teselas con el estilo, en EPSG:9377",
        ));
    }
    links.extend(queryables_links(&url));
    links.extend(tile_links(base, c));
    let mut extent = json!({ "spatial": { "bbox": [c.bbox], "crs": CRS84 } });
    if let Some([a, b]) = c.years {
        extent["temporal"] = json!({
            "interval": [[format!("{a}-01-01T00:00:00Z"), format!("{b}-12-31T23:59:59Z")]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        });
    }
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        // Part 2: what `crs=` offers; the features are held in CRS84, so CRS84 needs no transformation.
        "crs": c.crs().iter().map(|x| x.uri()).collect::<Vec<_>>(),
        "storageCrs": CRS84,
        "extent": extent,
        "links": links,
        "ssepot": c.metadata,
    })
}

pub fn collections(base: &str, all: &[Collection]) -> Value {
    json!({
        "links": self_links(&format!("{base}/collections"), JSON, "Colecciones"),
        "collections": all.iter().map(|c| collection(base, c)).collect::<Vec<_>>(),
    })
}
