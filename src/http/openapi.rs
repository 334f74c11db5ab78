//! The OpenAPI 3.0 definition of the service, generated from the collections being served: every route the
//! router answers, with every parameter it takes (the names are those of `http::params`; a test checks
//! both against each other and against the router).

use super::negotiate::{CSV, GPKG, MVT, XLSX};
use super::params::kinds::{BBOX_RULE, INSTANT};
use crate::features::crs::{ALWAYS, CRS84_URI};
use crate::features::filter::limits;
use crate::features::query::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};
use crate::features::{Collection, CollectionKind};
use serde_json::{json, Map, Value};

const JSON: &str = "application/json";
const GEOJSON: &str = "application/geo+json";
const HTML: &str = "text/html";

/// A query parameter (form style, not exploded: `bbox=1,2,3,4`).
fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema,
            "style": "form", "explode": false })
}

fn path(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

fn f(formats: &[&str]) -> Value {
    query(
        "f",
        &format!(
            "Formato de respuesta ({}); sin `f` decide la cabecera Accept (con sus valores q).",
            formats.join(", ")
        ),
        json!({ "type": "string", "enum": formats }),
    )
}

fn year(name: &str, description: &str) -> Value {
    query(
        name,
        description,
        json!({ "type": "integer", "minimum": 1000, "maximum": 9999 }),
    )
}

/// `datetime`: an interval too on `/items`, one instant elsewhere.
fn datetime(description: &str, interval: bool) -> Value {
    let i = INSTANT;
    let pattern = if interval {
        format!(r"^({i}|{i}/({i}|\.\.)?|(\.\.)?/{i}|\.\./\.\.)$")
    } else {
        format!("^{i}$")
    };
    query(
        "datetime",
        description,
        json!({ "type": "string", "pattern": pattern }),
    )
}

fn code() -> Value {
    query(
        "code",
        "Código del territorio (01, 1 y 1.0 son el mismo).",
        json!({ "type": "string", "minLength": 1, "maxLength": 64 }),
    )
}

/// The responses of an operation: 200 in `media`, and the error answers every route can give.
fn responses(media: &[&str], description: &str, extra: &[(&str, Value)]) -> Value {
    let content: Map<String, Value> = media.iter().map(|m| (m.to_string(), json!({}))).collect();
    let mut r = json!({
        "200": { "description": description, "content": content },
        "400": { "$ref": "#/components/responses/BadRequest" },
        "404": { "$ref": "#/components/responses/NotFound" },
        "405": { "$ref": "#/components/responses/MethodNotAllowed" },
        "406": { "$ref": "#/components/responses/NotAcceptable" },
        "500": { "$ref": "#/components/responses/ServerError" },
    });
    for (status, value) in extra {
        r[*status] = value.clone();
    }
    r
}

fn get(summary: &str, id: &str, parameters: Vec<Value>, responses: Value) -> Value {
    json!({ "get": { "summary": summary, "operationId": id, "parameters": parameters, "responses": responses } })
}

fn ids(collections: &[Collection], kind: CollectionKind) -> Vec<&str> {
    collections
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.id.as_str())
        .collect()
}

fn components() -> Value {
    let error = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } });
    json!({
        "schemas": {
            "Exception": {
                "type": "object",
                "description": "Excepción OGC API.",
                "required": ["code", "description"],
                "properties": {
                    "code": { "type": "string", "description": "InvalidParameterValue, NotFound, MethodNotAllowed, NotAcceptable, Unauthorized, Forbidden, PayloadTooLarge, Conflict o ServerError." },
                    "description": { "type": "string" },
                    "parameter": { "type": "string", "description": "El parámetro mal formado (solo en 400)." },
                },
            },
        },
        "responses": {
            "BadRequest": error("Parámetro mal formado, desconocido o repetido; `parameter` lo nombra."),
            "NotFound": error("Recurso inexistente."),
            "MethodNotAllowed": error("Método no admitido en esta ruta."),
            "NotAcceptable": error("La cabecera Accept rechaza todos los formatos ofrecidos."),
            "ServerError": error("Error interno (registrado en el servidor)."),
        },
    })
}

/// What `crs` does (OGC API Features Part 2).
const CRS_RULE: &str = "CRS de las geometrías de la respuesta (CRS84 si falta), uno de los `crs` de la colección, como URI \
    (http://www.opengis.net/def/crs/EPSG/0/9377), CURIE ([EPSG:9377]) o EPSG:9377. Coordenadas en el orden de ejes del CRS \
    (EPSG:4326: lat, lon; EPSG:9377: norte, este; EPSG:3857: este, norte), transformadas con PROJ desde la geometría completa; \
    1e-7° en CRS geográficos, milímetros en proyectados. La cabecera Content-Crs dice el CRS. Un CRS no ofrecido es un 400.";

/// Every CRS some collection offers, as URIs.
fn offered_crs(collections: &[Collection]) -> Vec<String> {
    let mut uris: Vec<String> = Vec::new();
    for uri in collections
        .iter()
        .flat_map(|c| c.crs().iter().map(|x| x.uri()))
    {
        if !uris.contains(&uri) {
            uris.push(uri);
        }
    }
    uris
}

/// `crs` or `bbox-crs`: a URI among `uris` (other spellings are accepted too, see `features::crs::normalize`).
fn crs_param(name: &str, description: &str, uris: &[String]) -> Value {
    query(
        name,
        description,
        json!({ "type": "string", "format": "uri", "enum": uris }),
    )
}

/// Features: landing page, conformance, collections, items, one item.
fn features_paths(collections: &[Collection]) -> Vec<(String, Value)> {
    let all: Vec<&str> = collections.iter().map(|c| c.id.as_str()).collect();
    let collection = path(
        "collectionId",
        "Identificador de la colección.",
        json!({ "type": "string", "enum": all }),
    );
    let doc = [JSON, HTML];
    let crs_uris = offered_crs(collections);
    let items_params = vec![
        collection.clone(),
        query("limit", &format!("Elementos por página (por defecto {DEFAULT_LIMIT}; valores mayores que {MAX_LIMIT} se sirven con {MAX_LIMIT})."),
            json!({ "type": "integer", "minimum": 1, "default": DEFAULT_LIMIT })),
        query("offset", "Elementos que se saltan antes de la página.", json!({ "type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0 })),
        query("bbox", BBOX_RULE, json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } })),
        crs_param("bbox-crs", "CRS de `bbox` (CRS84 si falta), en su orden de ejes: EPSG:4326 es lat, lon; EPSG:9377 es norte, este.", &crs_uris),
        crs_param("crs", CRS_RULE, &crs_uris),
        datetime("Un año (2023), un año y mes (2023-06), una fecha (2023-06-30), una fecha y hora RFC 3339 o un intervalo (2018/2023, ../2020, 2020-01-01/..).", true),
        code(),
        year("year", "Año exacto."),
        query("parent", "Solo los territorios de esta unidad del nivel superior (`parent=10`: los barrios de la comuna 10); solo en colecciones cuyo conjunto declara su conjunto padre (`ssepot.territory.parent_set`).",
            json!({ "type": "string", "minLength": 1, "maxLength": 64 })),
        query("q", "Solo los territorios cuyo nombre contiene este texto, sin distinguir mayúsculas ni tildes (`q=moravia`).",
            json!({ "type": "string", "minLength": 1, "maxLength": 100 })),
        query("filter", &format!("Filtro CQL2 (OGC API Features Parte 3) sobre las propiedades de /collections/{{collectionId}}/queryables: `poblacion_2023 > 150000`, `CASEI(name) LIKE CASEI('san%')`, `S_INTERSECTS(geometry, POINT(-75.57 6.25))`, `T_INTERSECTS(datetime, INTERVAL('2018-01-01','2020-12-31'))`. ND es nulo: `value IS NULL`. Límites: {} caracteres, {} niveles de anidamiento, {} operadores, {} vértices en geometrías literales.", limits::MAX_CHARS, limits::MAX_DEPTH, limits::MAX_OPERATORS, limits::MAX_VERTICES),
            json!({ "type": "string", "minLength": 1, "maxLength": limits::MAX_CHARS })),
        query("filter-lang", "Lenguaje de `filter`: cql2-text (por defecto) o cql2-json; cql-text (el nombre del borrador, que envía GDAL 3.6) se lee como cql2-text.",
            json!({ "type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"], "default": "cql2-text" })),
        query("filter-crs", "CRS de las geometrías literales de `filter`, en el orden de ejes de su autoridad: CRS84 (lon, lat; por defecto), EPSG:4326 (lat, lon), EPSG:3857, EPSG:9377 (norte, este) o el CRS de la fuente (los `crs` de la colección).",
            json!({ "type": "string", "enum": std::iter::once(CRS84_URI.to_string()).chain(ALWAYS.iter().map(|c| format!("http://www.opengis.net/def/crs/EPSG/0/{}", &c[5..]))).collect::<Vec<_>>(), "default": CRS84_URI })),
        query("sortby", "Orden: propiedades filtrables separadas por comas, `-` delante para orden descendente (`-poblacion_2023,name`). Los ND van al final; los empates conservan el orden de la colección.",
            json!({ "type": "string", "minLength": 1, "pattern": r"^[+ -]?[^,+ -][^,]*(,[+ -]?[^,+ -][^,]*)*$" })),
        f(&["json", "html", "csv", "xlsx", "gpkg"]),
    ];
    let feature_id = path(
        "featureId",
        "Identificador del elemento ({código}-{año} en los indicadores).",
        json!({ "type": "string" }),
    );
    vec![
        (
            "/".into(),
            get(
                "Página de inicio (un navegador sin `f` recibe el mapa web)",
                "getLandingPage",
                vec![f(&doc)],
                responses(&doc, "Página de inicio", &[]),
            ),
        ),
        (
            "/conformance".into(),
            get(
                "Clases de conformidad",
                "getConformanceDeclaration",
                vec![f(&doc)],
                responses(&doc, "Clases de conformidad", &[]),
            ),
        ),
        (
            "/api".into(),
            get(
                "Esta definición OpenAPI",
                "getAPI",
                vec![f(&doc)],
                responses(
                    &["application/vnd.oai.openapi+json;version=3.0", HTML],
                    "OpenAPI 3.0",
                    &[],
                ),
            ),
        ),
        (
            "/collections".into(),
            get(
                "Colecciones",
                "getCollections",
                vec![f(&doc)],
                responses(&doc, "Colecciones", &[]),
            ),
        ),
        (
            "/collections/{collectionId}".into(),
            get(
                "Una colección",
                "describeCollection",
                vec![collection.clone(), f(&doc), crs_param("crs", "Solo comprueba que la colección ofrece ese CRS (el controlador OAPIF de GDAL 3.6 repite en cada petición la consulta de la URL que se le da).", &crs_uris)],
                responses(&doc, "Colección", &[]),
            ),
        ),
        (
            "/collections/{collectionId}/items".into(),
            get(
                "Elementos de una colección, filtrados y paginados, o su descarga",
                "getFeatures",
                items_params,
                responses(&[GEOJSON, HTML, CSV, XLSX, GPKG], "Elementos", &[]),
            ),
        ),
        (
            "/collections/{collectionId}/queryables".into(),
            get(
                "Propiedades que admiten `filter` y `sortby` (JSON Schema)",
                "getQueryables",
                vec![collection.clone(), f(&doc)],
                responses(
                    &["application/schema+json", JSON, HTML],
                    "Propiedades filtrables",
                    &[],
                ),
            ),
        ),
        (
            "/collections/{collectionId}/items/{featureId}".into(),
            get(
                "Un elemento",
                "getFeature",
                vec![collection, feature_id, f(&doc), crs_param("crs", CRS_RULE, &crs_uris)],
                responses(&[GEOJSON, HTML], "Elemento", &[]),
            ),
        ),
    ]
}

/// Indicator series and change, styles and legends.
fn indicator_paths(collections: &[Collection]) -> Vec<(String, Value)> {
    let indicators = ids(collections, CollectionKind::Indicator);
    let indicator = |name: &str| {
        path(
            name,
            "Identificador del indicador.",
            json!({ "type": "string", "enum": indicators }),
        )
    };
    let style_params = || {
        vec![
        indicator("styleId"),
        year("year", "Año clasificado (por defecto, el último)."),
        datetime("El año clasificado como instante OGC (2023 o una fecha de ese año); no junto con `year`.", false),
        query("method", "Método de clasificación (manual solo si la capa define cortes).", json!({ "type": "string", "enum": ["quantile", "equal", "jenks", "manual"] })),
        query("classes", "Número de clases.", json!({ "type": "integer", "minimum": 2, "maximum": 7 })),
    ]
    };
    let style = |ext: &str, media: &str, what: &str, op: &str| {
        (
            format!("/styles/{{styleId}}.{ext}"),
            get(what, op, style_params(), responses(&[media], what, &[])),
        )
    };
    vec![
        (
            "/collections/{collectionId}/series".into(),
            get(
                "Serie anual de un indicador por territorio, sin geometría",
                "getSeries",
                vec![indicator("collectionId"), code(), f(&["json"])],
                responses(&[JSON], "Series", &[]),
            ),
        ),
        (
            "/collections/{collectionId}/change".into(),
            get(
                "Cambio de un indicador entre dos años, por territorio",
                "getChange",
                vec![
                    indicator("collectionId"),
                    json!({ "name": "from", "in": "query", "required": true, "description": "Primer año (uno de los del indicador).", "schema": { "type": "integer", "minimum": 1000, "maximum": 9999 }, "example": 2018, "style": "form", "explode": false }),
                    json!({ "name": "to", "in": "query", "required": true, "description": "Segundo año (uno de los del indicador).", "schema": { "type": "integer", "minimum": 1000, "maximum": 9999 }, "example": 2023, "style": "form", "explode": false }),
                    query("edition", "Edición de límites (conjunto de unidades) en que se dibuja el cambio; los valores de otra edición pasan por el cruce declarado entre ambas (`/crosswalks`), solo para conteos, y cada territorio dice si su valor es una estimación. Nunca se unen códigos entre ediciones: sin cruce declarado, 400.",
                        json!({ "type": "string", "pattern": "^[a-z0-9_-]+$" })),
                    f(&["json", "html", "csv", "xlsx", "gpkg"]),
                ],
                responses(
                    &[GEOJSON, HTML, CSV, XLSX, GPKG],
                    "Cambio por territorio, con su leyenda (`ssepot:legend`)",
                    &[],
                ),
            ),
        ),
        style(
            "json",
            JSON,
            "Estilo MapLibre (v8) del indicador y año",
            "getMapLibreStyle",
        ),
        style(
            "qml",
            "application/xml",
            "Estilo QGIS (.qml) del indicador y año",
            "getQgisStyle",
        ),
        style(
            "sld",
            "application/vnd.ogc.sld+xml",
            "Estilo SLD del indicador y año",
            "getSldStyle",
        ),
        (
            "/collections/{collectionId}/qgis".into(),
            get(
                "Proyecto QGIS (.qgz) del indicador: capa OGC API Features y teselas vectoriales con el estilo de clases, el año como variable @ssepot_year, EPSG:9377",
                "getQgisProject",
                {
                    let mut p = style_params();
                    p[0] = indicator("collectionId");
                    p
                },
                responses(&["application/zip"], "Proyecto QGIS comprimido (.qgz)", &[]),
            ),
        ),
        (
            "/qgis".into(),
            get(
                "Proyecto QGIS (.qgz) de todos los indicadores, agrupados por sistema y subsistema del POT",
                "getQgisServiceProject",
                style_params().into_iter().skip(1).collect(),
                responses(&["application/zip"], "Proyecto QGIS comprimido (.qgz)", &[]),
            ),
        ),
        (
            "/styles/{styleId}/legend.json".into(),
            get(
                "Leyenda: clases, colores y ND",
                "getLegend",
                style_params(),
                responses(&[JSON], "Leyenda", &[]),
            ),
        ),
    ]
}

/// Vector tiles: XYZ, TileJSON, OGC API Tiles.
fn tile_paths(collections: &[Collection]) -> Vec<(String, Value)> {
    let sets = ids(collections, CollectionKind::Territories);
    let set = |name: &str| {
        path(
            name,
            "Conjunto de teselas: un conjunto de unidades territoriales.",
            json!({ "type": "string", "enum": sets }),
        )
    };
    let tms = path(
        "tileMatrixSetId",
        "Matriz de teselas: solo WebMercatorQuad.",
        json!({ "type": "string", "enum": ["WebMercatorQuad"] }),
    );
    let coord = |name: &str, d: &str| {
        path(
            name,
            d,
            json!({ "type": "integer", "minimum": 0, "maximum": 16_777_215 }),
        )
    };
    let tile_params = |coords: Vec<Value>| {
        let mut p = coords;
        p.push(datetime("Solo los valores de un año (2023, o una fecha de ese año); las teselas muestran un año.", false));
        p.push(f(&["mvt"]));
        p
    };
    let tile = |d: &str| {
        responses(
            &[MVT],
            d,
            &[
                (
                    "204",
                    json!({ "description": "Tesela vacía (fuera de los datos)." }),
                ),
                (
                    "304",
                    json!({ "description": "No modificada (If-None-Match coincide con el ETag)." }),
                ),
            ],
        )
    };
    let json_doc = [JSON];
    vec![
        (
            "/tiles/{tilesetId}.json".into(),
            get(
                "TileJSON 3.0 de un conjunto de teselas",
                "getTileJson",
                vec![set("tilesetId"), f(&json_doc)],
                responses(&json_doc, "TileJSON", &[]),
            ),
        ),
        (
            "/tiles/{tilesetId}/{z}/{x}/{y}.mvt".into(),
            get(
                "Tesela vectorial (XYZ; también sin extensión o .pbf)",
                "getXyzTile",
                tile_params(vec![
                    set("tilesetId"),
                    coord("z", "Nivel de zoom."),
                    coord("x", "Columna."),
                    coord("y", "Fila."),
                ]),
                tile("Tesela Mapbox Vector Tile"),
            ),
        ),
        (
            "/collections/{collectionId}/tiles".into(),
            get(
                "Conjuntos de teselas de una colección",
                "getTilesetsList",
                vec![set("collectionId"), f(&json_doc)],
                responses(&json_doc, "Conjuntos de teselas", &[]),
            ),
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}".into(),
            get(
                "Metadatos del conjunto de teselas",
                "getTileset",
                vec![set("collectionId"), tms.clone(), f(&json_doc)],
                responses(&json_doc, "Conjunto de teselas", &[]),
            ),
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"
                .into(),
            get(
                "Tesela vectorial (OGC API Tiles)",
                "getTile",
                tile_params(vec![
                    set("collectionId"),
                    tms.clone(),
                    coord("tileMatrix", "Nivel de zoom."),
                    coord("tileRow", "Fila."),
                    coord("tileCol", "Columna."),
                ]),
                tile("Tesela Mapbox Vector Tile"),
            ),
        ),
        (
            "/tileMatrixSets".into(),
            get(
                "Matrices de teselas",
                "getTileMatrixSetsList",
                vec![f(&json_doc)],
                responses(&json_doc, "Matrices de teselas", &[]),
            ),
        ),
        (
            "/tileMatrixSets/{tileMatrixSetId}".into(),
            get(
                "Definición de WebMercatorQuad",
                "getTileMatrixSet",
                vec![tms, f(&json_doc)],
                responses(&json_doc, "Matriz de teselas", &[]),
            ),
        ),
    ]
}

/// The web map, the import report, operations.
fn service_paths() -> Vec<(String, Value)> {
    let asset = |files: &[&str]| {
        path(
            "file",
            "Archivo del mapa web.",
            json!({ "type": "string", "enum": files }),
        )
    };
    let assets = responses(&["text/javascript", "text/css"], "Archivo", &[]);
    vec![
        ("/map".into(), get("Mapa web ciudadano", "getWebMap", vec![], responses(&[HTML], "Mapa web", &[]))),
        ("/map/".into(), get("Mapa web ciudadano", "getWebMapIndex", vec![], responses(&[HTML], "Mapa web", &[]))),
        ("/map/territorios.json".into(), get("Mapa web: su título (`[web_map]` de los archivos de capas) y sus territorios: códigos, nombres, puntos de etiqueta, extensión", "getWebMapTerritories",
            vec![f(&["json"])], responses(&[JSON], "Territorios", &[]))),
        ("/map/{file}".into(), get("Código del mapa web", "getWebMapAsset", vec![asset(&["app.js", "territory.js", "app.css"])], assets.clone())),
        ("/map/vendor/{file}".into(), get("Bibliotecas del mapa web (MapLibre GL JS, PMTiles)", "getWebMapVendorAsset",
            vec![asset(&["maplibre-gl.js", "maplibre-gl.css", "pmtiles.js"])], assets)),
        ("/crosswalks".into(), get("Cruces entre ediciones de límites (barrios POT 2014 → catastral): resumen", "getCrosswalks",
            vec![f(&["json"])], responses(&[JSON], "Cruces declarados", &[]))),
        ("/crosswalks/{crosswalkId}".into(), get("Un cruce entre ediciones: la proporción de cada unidad de origen en cada unidad de destino (superposición de áreas en EPSG:9377) y si es una estimación", "getCrosswalk",
            vec![path("crosswalkId", "Identificador del cruce.", json!({ "type": "string" })), f(&["json", "csv", "xlsx", "gpkg"])],
            responses(&[JSON, CSV, XLSX, GPKG], "El cruce", &[]))),
        ("/report".into(), get("Informe de importación", "getImportReport", vec![], responses(&[JSON], "Informe", &[]))),
        ("/health".into(), get("Estado: listo, versión de los datos, última recarga", "getHealth", vec![], responses(&[JSON], "Estado", &[
            ("503", json!({ "description": "No listo: ninguna colección cargó", "content": { JSON: {} } })),
        ]))),
        ("/metrics".into(), get("Métricas Prometheus (peticiones por ruta y estado, latencias, caché de teselas, importación)", "getMetrics",
            vec![], responses(&["text/plain"], "Métricas en formato de texto Prometheus", &[]))),
        ("/admin/reload".into(), json!({ "post": {
            "summary": "Relee las capas y las cambia de una vez (los datos anteriores siguen si algo falla)",
            "operationId": "reload",
            "security": [{}, { "adminToken": [] }],
            "responses": responses(&[JSON], "Recargado: versión, errores e informe", &[
                ("401", json!({ "description": "Falta el token de administración o no es válido", "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } })),
                ("403", json!({ "description": "No permitido (petición de otro sitio)", "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } })),
                ("413", json!({ "description": "Cuerpo demasiado grande", "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } })),
                ("409", json!({ "description": "La recarga falló; siguen los datos anteriores", "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } })),
            ]),
        } })),
    ]
}

/// The filters of the dashboards, each with the dashboards that take it (`dashboards::filters_of`). A value the
/// rows do not have, or a filter the dashboard does not take, is a 400 naming it.
fn dashboard_filters() -> Vec<Value> {
    [
        (
            "anio",
            "Año del informe (la última columna de avance que cuenta; en subsistemas, el año en que se mide el avance).",
        ),
        ("horizonte", "Horizonte (`Corto plazo`, …)."),
        ("tipologia", "Tipología del compromiso."),
        (
            "dependencia",
            "Dependencia responsable (del compromiso, o de los indicadores en su ficha técnica).",
        ),
        (
            "sistema",
            "Sistema del POT (en pdd, el del programa; en los demás, el del subsistema o la ficha).",
        ),
        (
            "subsistema",
            "Subsistema del POT (en pdd, el de un proyecto del POT relacionado).",
        ),
        ("linea", "Línea estratégica del plan de desarrollo."),
        ("estado", "Estado del compromiso."),
        ("banda", "Banda de avance (`alto o superior`, `medio`, `bajo`)."),
        ("hallazgo", "Hallazgo del diagnóstico del indicador."),
        ("fase", "Fase de concertación."),
    ]
    .into_iter()
    .map(|(n, d)| {
        let takes: Vec<&str> = crate::ssepot::dashboards::DASHBOARDS
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| crate::ssepot::dashboards::filters_of(id).contains(&n))
            .collect();
        query(
            n,
            &format!("{d} Filtro de los tableros {}.", takes.join(", ")),
            json!({ "type": "string" }),
        )
    })
    .collect()
}

/// The SSEPOT's sheets, dashboards and annex (docs/ssepot.md), and the files their pages use.
fn ssepot_paths() -> Vec<(String, Value)> {
    let tables = [JSON, HTML, CSV, XLSX];
    let formats = f(&["json", "html", "csv", "xlsx"]);
    let dashboards: Vec<&str> = crate::ssepot::dashboards::DASHBOARDS
        .iter()
        .map(|(id, _)| *id)
        .chain(["anexo"])
        .collect();
    let tabla = query(
        "tabla",
        "En CSV y XLSX: las cifras del tablero (`cifras`, por defecto) o sus filas (`filas`).",
        json!({ "type": "string", "enum": ["cifras", "filas"] }),
    );
    vec![
        ("/indicators".into(), get("Fichas técnicas de los indicadores", "getIndicatorSheets",
            vec![formats.clone()], responses(&tables, "Fichas técnicas", &[]))),
        ("/indicators/{indicatorId}".into(), get(
            "Ficha técnica de un indicador, con diagnóstico, control de cambios (DIES-058) y avance frente a la meta",
            "getIndicatorSheet",
            vec![path("indicatorId", "Identificador del indicador (el de su colección).", json!({ "type": "string" })), formats.clone()],
            responses(&tables, "Ficha técnica", &[]))),
        ("/ssepot".into(), get("Tableros del informe del SSEPOT", "getDashboards",
            vec![f(&["json", "html"])], responses(&[JSON, HTML], "Tableros", &[]))),
        ("/ssepot/{dashboardId}".into(), get(
            "Un tablero del informe del SSEPOT (cifras, gráficos con sus tablas y filas) o el anexo de la batería",
            "getDashboard",
            [path("dashboardId", "Tablero.", json!({ "type": "string", "enum": dashboards })), formats, tabla]
                .into_iter()
                .chain(dashboard_filters())
                .collect(),
            responses(&tables, "Tablero", &[]))),
        ("/ssepot/static/{file}".into(), get("Hoja de estilo, Chart.js y el código de los gráficos de las páginas del SSEPOT", "getSsepotAsset",
            vec![path("file", "Archivo.", json!({ "type": "string", "enum": ["pages.css", "chart.umd.js", "dashboards.js"] }))],
            responses(&["text/javascript", "text/css"], "Archivo", &[]))),
    ]
}

/// The publications: the management report, the bulletins, the publications page and the embeddable views
/// (docs/report.md).
fn publication_paths() -> Vec<(String, Value)> {
    let corte = query(
        "corte",
        "Fecha de corte (AAAA-MM-DD) dentro del año que reportan los datos; por defecto, el 31 de diciembre de ese año. Los valores de periodos que terminan después se marcan proyectados.",
        json!({ "type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$" }),
    );
    let publication = [HTML, "application/pdf", JSON];
    let formats = f(&["html", "pdf", "json"]);
    let text = |name: &str, d: &str| path(name, d, json!({ "type": "string" }));
    vec![
        ("/ssepot/informe".into(), get(
            "Informe de gestión del SSEPOT generado de los datos: página imprimible (A4), PDF o sus datos",
            "getManagementReport", vec![corte.clone(), formats.clone()],
            responses(&publication, "Informe de gestión", &[]))),
        ("/ssepot/boletines/{bulletinId}".into(), get(
            "Boletín temático de un subsistema: página imprimible, PDF o sus datos", "getBulletin",
            vec![text("bulletinId", "Subsistema (su nombre en minúsculas, sin tildes, con guiones)."), corte, formats],
            responses(&publication, "Boletín", &[]))),
        ("/ssepot/publicaciones".into(), get(
            "Informes y boletines por fecha de corte", "getPublications",
            vec![f(&["json", "html"])], responses(&[JSON, HTML], "Publicaciones", &[]))),
        ("/ssepot/embed/grafico/{dashboardId}/{chartId}".into(), get(
            "Vista para insertar de un gráfico de un tablero, con su tabla", "getEmbeddedChart",
            vec![text("dashboardId", "Tablero."), text("chartId", "Gráfico (su `id` en el JSON del tablero).")],
            responses(&[HTML], "Gráfico para insertar", &[]))),
        ("/ssepot/embed/cifra/{dashboardId}/{figureKey}".into(), get(
            "Vista para insertar de una cifra de un tablero", "getEmbeddedFigure",
            vec![text("dashboardId", "Tablero."), text("figureKey", "Cifra (su `key` en el JSON del tablero).")],
            responses(&[HTML], "Cifra para insertar", &[]))),
        ("/ssepot/embed/mapa/{indicatorId}".into(), get(
            "Vista para insertar de un mapa coroplético dibujado en el servidor, con su tabla", "getEmbeddedMap",
            vec![text("indicatorId", "Indicador (el de su colección)."), year("year", "Año del mapa; por defecto el último.")],
            responses(&[HTML], "Mapa para insertar", &[]))),
        ("/map/embed".into(), get(
            "El mapa web para insertar (estado en el fragmento de la URL, como el mapa completo)", "getEmbeddedWebMap",
            vec![], responses(&[HTML], "Mapa web para insertar", &[]))),
        ("/map/glyphs/{fontstack}/{range}".into(), get(
            "Glifos de las etiquetas del mapa web (PBF de MapLibre, DejaVu Sans Bold)", "getGlyphs",
            vec![text("fontstack", "Fuente: `DejaVu Sans Bold`."), text("range", "Rango de caracteres: `0-255.pbf`, `256-511.pbf`, `8192-8447.pbf`.")],
            responses(&["application/x-protobuf"], "Glifos", &[]))),
        ("/ssepot/static/print.css".into(), get("Hoja de estilo de impresión (A4) del informe y los boletines", "getPrintStylesheet",
            vec![], responses(&["text/css"], "Hoja de estilo", &[]))),
        ("/ssepot/static/embed.js".into(), get("Código de la página del informe (copiar código para insertar, imprimir)", "getReportScript",
            vec![], responses(&["text/javascript"], "Código", &[]))),
        ("/ssepot/static/fonts/{file}".into(), get("Fuentes tipográficas que usan el informe y sus PDF (DejaVu Sans)", "getFont",
            vec![path("file", "Archivo.", json!({ "type": "string", "enum": crate::render::fonts::FACES.iter().map(|(n, _)| *n).collect::<Vec<_>>() }))],
            responses(&["font/ttf"], "Fuente", &[]))),
    ]
}

/// The reporting API and its pages (docs/reporting.md).
fn reporting_paths() -> Vec<(String, Value)> {
    let exception = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } });
    let errors = || {
        vec![
            ("401", exception("Sin token, o token no válido o revocado")),
            ("403", exception("El token no puede hacer esto (otra dependencia, otro rol, formulario sin su token)")),
            ("429", exception("Demasiados intentos fallidos desde esta dirección")),
            ("503", exception("La base de datos del reporte no responde; lo publicado se sigue sirviendo")),
        ]
    };
    let with = |extra: Vec<(&'static str, Value)>| {
        let mut e = errors();
        e.extend(extra);
        e
    };
    let post = |summary: &str, id: &str, body: Value, extra: Vec<(&'static str, Value)>| {
        json!({ "post": { "summary": summary, "operationId": id, "security": [{ "reportingToken": [] }],
            "requestBody": { "required": true, "content": body },
            "responses": responses(&[JSON], "Hecho", &with(extra)) } })
    };
    let submission = || {
        vec![
            (
                "201",
                json!({ "description": "Recibido: informe por fila con los ítems creados", "content": { JSON: {} } }),
            ),
            (
                "409",
                exception("La misma Idempotency-Key con otro contenido"),
            ),
            (
                "413",
                exception("Archivo sobre el límite, o XLSX que se expande más de 100 MB"),
            ),
        ]
    };
    let authed_get = |summary: &str, id: &str, parameters: Vec<Value>, media: &[&str]| {
        let mut op = get(
            summary,
            id,
            parameters,
            responses(media, summary, &errors()),
        );
        op["get"]["security"] = json!([{ "reportingToken": [] }]);
        op
    };
    let text = |name: &str, d: &str| query(name, d, json!({ "type": "string" }));
    let page = |summary: &str, id: &str, parameters: Vec<Value>| {
        get(summary, id, parameters, responses(&[HTML], summary, &[]))
    };
    let form = |summary: &str, id: &str, media: &str, schema: Value| {
        json!({ "post": { "summary": summary, "operationId": id,
            "requestBody": { "required": true, "content": { media: { "schema": schema } } },
            "responses": responses(&[HTML], summary, &with(vec![("303", json!({ "description": "Hecho: a la página siguiente" }))])) } })
    };
    let string = || json!({ "type": "string", "maxLength": 200 });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties, "additionalProperties": false });
    let value = object(
        &["indicator", "territory", "year", "value"],
        json!({
            "indicator": string(), "territory": string(), "year": { "type": "integer" },
            "value": { "oneOf": [{ "type": "number" }, { "type": "string", "maxLength": 30 }], "nullable": true,
                       "description": "Un número, null o \"ND\" (no disponible), o un número escrito con `decimal`" },
        }),
    );
    let values = object(
        &["values"],
        json!({
            "values": { "type": "array", "items": value, "maxItems": 20 },
            "decimal": { "type": "string", "enum": [",", "."] }, "idempotency_key": string(),
        }),
    );
    let change = object(
        &["indicator", "field", "after", "why"],
        json!({
            "indicator": string(), "field": string(), "before": string(), "after": string(), "why": string(),
        }),
    );
    let changes = object(
        &["changes"],
        json!({ "changes": { "type": "array", "items": change, "maxItems": 20 }, "idempotency_key": string() }),
    );
    let states =
        json!({ "type": "string", "enum": ["verificado", "validado", "publicado", "devuelto"] });
    let transition = object(
        &["items", "to"],
        json!({
            "items": { "type": "array", "items": { "type": "integer" }, "maxItems": 50 }, "to": states, "reason": string(),
        }),
    );
    let upload = |csrf: bool| {
        let mut props = json!({ "file": { "type": "string", "format": "binary" }, "idempotency_key": string(),
                                "decimal": { "type": "string", "enum": [",", "."] } });
        if csrf {
            props["csrf"] = string();
        }
        object(&["file", "idempotency_key"], props)
    };
    vec![
        ("/reporting/values".into(), post("Una dependencia envía valores (JSON)", "submitValues",
            json!({ JSON: { "schema": values } }), submission())),
        ("/reporting/uploads".into(), post("Una dependencia sube una tabla CSV o XLSX", "submitUpload",
            json!({ "multipart/form-data": { "schema": upload(false) } }), submission())),
        ("/reporting/sheet-changes".into(), post("Una dependencia propone cambios de ficha técnica", "submitSheetChanges",
            json!({ JSON: { "schema": changes } }), submission())),
        ("/reporting/transitions".into(), post("El DAP verifica, valida, publica o devuelve ítems", "transitionItems",
            json!({ JSON: { "schema": transition } }), vec![("409", exception("Algún ítem no está en el estado que el paso exige; nada cambió"))])),
        ("/reporting/items".into(), authed_get("Ítems reportados: los propios (dependencia) o todos (DAP), con el valor publicado hoy", "getReportedItems",
            vec![text("state", "Estados separados por comas (reportado, verificado, validado, publicado, devuelto, reemplazado)."),
                 text("indicator", "Solo este indicador."), text("office", "DAP: solo esta dependencia.")], &[JSON])),
        ("/reporting/log".into(), authed_get("Registro de cambios (quién, cuándo, qué, antes, después, por qué)", "getChangeLog",
            vec![text("indicator", "Solo este indicador."), f(&["json", "csv"])], &[JSON, CSV])),
        ("/reporting/me".into(), authed_get("Qué puede hacer este token", "getReportingPrincipal", vec![], &[JSON])),
        ("/reporting/origin".into(), get("Origen del valor servido: archivo de capas o reporte publicado", "getValueOrigin",
            vec![text("indicator", "Indicador (obligatorio)."), query("territory", "Territorio (obligatorio).", json!({ "type": "string", "minLength": 1, "maxLength": 64 })),
                 year("year", "Año (obligatorio).")], responses(&[JSON], "Valor y origen", &[]))),
        ("/reporte".into(), page("Reporte de indicadores: entrada con el token", "getReportingLogin", vec![])),
        ("/reporte/entrar".into(), form("Entrar con el token (cookie de sesión)", "reportingLogin", "application/x-www-form-urlencoded",
            object(&["token"], json!({ "token": string() })))),
        ("/reporte/salir".into(), form("Salir", "reportingLogout", "application/x-www-form-urlencoded",
            object(&["csrf"], json!({ "csrf": string() })))),
        ("/reporte/oficina".into(), page("Página de la dependencia: subir y ver sus valores", "getOfficePage", vec![])),
        ("/reporte/oficina/subir".into(), form("Subir una tabla desde la página", "officeUpload", "multipart/form-data", upload(true))),
        ("/reporte/oficina/valor".into(), form("Corregir un valor devuelto", "officeValue", "application/x-www-form-urlencoded",
            object(&["csrf", "idempotency_key", "indicator", "territory", "year", "value"], json!({
                "csrf": string(), "idempotency_key": string(), "indicator": string(), "territory": string(),
                "year": string(), "value": string(), "decimal": { "type": "string", "enum": [",", "."] } })))),
        ("/reporte/revision".into(), {
            let mut item = page("Cola de revisión del DAP, con el valor publicado hoy", "getReviewPage", vec![text("hecho", "Aviso del último paso.")]);
            let decision = object(&["csrf", "accion", "item"], json!({
                "csrf": string(), "accion": states.clone(), "motivo": string(), "item": { "type": "integer" } }));
            item["post"] = form("Decisión sobre los ítems marcados", "reviewDecide", "application/x-www-form-urlencoded", decision)["post"].clone();
            item
        }),
        ("/reporte/registro".into(), page("Registro de cambios", "getChangeLogPage", vec![])),
        ("/reporte/textos".into(), {
            let mut texts = page("Textos del informe de un corte: lo publicado, las versiones en revisión, escribir una versión nueva (DAP)", "getNarrativePage",
                vec![query("corte", "Fecha de corte (por omisión, el fin del año que informan los datos).", json!({ "type": "string", "format": "date" })),
                     text("hecho", "Aviso del último paso.")]);
            let write = object(&["csrf", "corte", "seccion", "texto"], json!({
                "csrf": string(), "corte": string(), "seccion": { "type": "string", "enum": crate::ssepot::report::narrative::SECTIONS }, "texto": string() }));
            texts["post"] = form("Escribir una versión nueva del texto de una sección", "writeNarrativePage", "application/x-www-form-urlencoded", write)["post"].clone();
            texts
        }),
        ("/reporte/textos/decision".into(), form("Decisión sobre las versiones marcadas (nunca las propias)", "narrativeDecide", "application/x-www-form-urlencoded",
            object(&["csrf", "accion", "texto"], json!({
                "csrf": string(), "corte": string(), "accion": states.clone(), "motivo": string(), "texto": { "type": "integer" } })))),
    ]
}

/// The reporting cycle: periods and their completeness, concertation agreements (docs/reporting.md).
fn cycle_paths() -> Vec<(String, Value)> {
    let exception = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties, "additionalProperties": false });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let text = || json!({ "type": "string", "maxLength": 4000 });
    let post = |summary: &str, id: &str, schema: Value, conflict: &str| {
        let errors = [
            (
                "201",
                json!({ "description": "Registrado", "content": { JSON: {} } }),
            ),
            ("401", exception("Sin token, o token no válido o revocado")),
            ("403", exception("Solo el DAP (revisión) o administración")),
            ("409", exception(conflict)),
            ("503", exception("La base de datos del reporte no responde")),
        ];
        json!({ "summary": summary, "operationId": id, "security": [{ "reportingToken": [] }],
            "requestBody": { "required": true, "content": { JSON: { "schema": schema } } },
            "responses": responses(&[JSON], summary, &errors) })
    };
    let period = object(
        &["year", "deadline", "cutoff"],
        json!({
            "year": { "type": "integer", "minimum": 1900, "maximum": 2200, "description": "Vigencia cuyos valores se convocan" },
            "title": { "type": "string", "maxLength": 200 },
            "deadline": date("Último día para reportar a tiempo (hora de Medellín, inclusive)"),
            "cutoff": date("Último día en que se reciben valores de la vigencia (inclusive; igual o posterior al plazo)"),
        }),
    );
    let agreement = object(
        &["date", "office", "indicators", "agreed", "state", "action"],
        json!({
            "date": date("Día de la concertación"), "office": { "type": "string" },
            "indicators": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            "agreed": text(), "state": text(), "action": text(),
        }),
    );
    let mut periods = get(
        "Periodos de reporte (convocatorias) con plazo y fecha de corte",
        "getReportingPeriods",
        vec![f(&["json", "html"])],
        responses(&[JSON, HTML], "Periodos", &[]),
    );
    periods["post"] = post(
        "El DAP abre un periodo de reporte (una vigencia, un plazo y una fecha de corte)",
        "openReportingPeriod",
        period,
        "La vigencia ya tiene un periodo",
    );
    let mut agreements = get(
        "Acuerdos de concertación (fecha, dependencia, indicadores, lo acordado, estado y acción propuesta)",
        "getAgreements",
        vec![query("indicator", "Solo los acuerdos de este indicador (id o código).", json!({ "type": "string" }))],
        responses(&[JSON], "Acuerdos", &[]),
    );
    agreements["post"] = post(
        "El DAP registra un acuerdo de concertación",
        "recordAgreement",
        agreement,
        "—",
    );
    vec![
        ("/reporting/periods".into(), periods),
        ("/reporting/periods/{id}".into(), get(
            "Completitud de un periodo: por dependencia e indicador, reportado, a tiempo, verificado, validado, publicado, ND y su causa; dependencias pendientes tras el plazo",
            "getReportingPeriod",
            vec![path("id", "Id del periodo", json!({ "type": "integer" })), f(&["json", "html", "csv", "xlsx"])],
            responses(&[JSON, HTML, CSV, XLSX], "Completitud", &[]),
        )),
        ("/reporting/agreements".into(), agreements),
    ]
}

/// The report's narrative texts: versions written and published by the DAP (docs/report.md, docs/reporting.md).
fn narrative_paths() -> Vec<(String, Value)> {
    use crate::ssepot::report::narrative::SECTIONS;
    use crate::store::narrative::MAX_CHARS;
    let exception = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Exception" } } } });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties, "additionalProperties": false });
    let errors = |ok: (&'static str, &str), forbidden: &str, conflict: Option<&str>| {
        let mut e = vec![
            (
                ok.0,
                json!({ "description": ok.1, "content": { JSON: {} } }),
            ),
            ("401", exception("Sin token, o token no válido o revocado")),
            ("403", exception(forbidden)),
            (
                "429",
                exception("Demasiados intentos fallidos desde esta dirección"),
            ),
            (
                "503",
                exception(
                    "La base de datos del reporte no responde; lo publicado se sigue sirviendo",
                ),
            ),
        ];
        if let Some(c) = conflict {
            e.push(("409", exception(c)));
        }
        e
    };
    let post = |summary: &str, id: &str, schema: Value, errors: Vec<(&str, Value)>| {
        json!({ "summary": summary, "operationId": id, "security": [{ "reportingToken": [] }],
            "requestBody": { "required": true, "content": { JSON: { "schema": schema } } },
            "responses": responses(&[JSON], summary, &errors) })
    };
    let text = object(
        &["corte", "seccion", "texto"],
        json!({
            "corte": { "type": "string", "format": "date", "description": "Fecha de corte del informe (un día del año que informan los datos)" },
            "seccion": { "type": "string", "enum": SECTIONS },
            "texto": { "type": "string", "minLength": 1, "maxLength": MAX_CHARS, "description": "Texto plano; párrafos separados por una línea en blanco" },
        }),
    );
    let transition = object(
        &["texts", "to"],
        json!({
            "texts": { "type": "array", "items": { "type": "integer" }, "minItems": 1 },
            "to": { "type": "string", "enum": ["verificado", "validado", "publicado", "devuelto"] },
            "reason": { "type": "string" },
        }),
    );
    let mut versions = get(
        "Textos del informe: todas las versiones con su estado y sus movimientos (DAP)",
        "getNarrativeTexts",
        vec![
            query(
                "corte",
                "Solo las versiones de esta fecha de corte.",
                json!({ "type": "string", "format": "date" }),
            ),
            query(
                "seccion",
                "Solo las versiones de esta sección.",
                json!({ "type": "string", "enum": SECTIONS }),
            ),
        ],
        responses(
            &[JSON],
            "Versiones",
            &errors(
                ("200", "Versiones"),
                "Solo el DAP (revisión) o administración",
                None,
            ),
        ),
    );
    versions["get"]["security"] = json!([{ "reportingToken": [] }]);
    versions["post"] = post(
        "El DAP escribe una nueva versión del texto de una sección del informe en una fecha de corte",
        "submitNarrativeText",
        text,
        errors(("201", "Versión registrada (estado reportado)"), "Solo el DAP (revisión) o administración", None),
    );
    vec![
        ("/reporting/narrative".into(), versions),
        (
            "/reporting/narrative/transitions".into(),
            json!({ "post": post(
            "Otro revisor del DAP verifica, valida, publica o devuelve versiones de textos del informe",
            "transitionNarrativeTexts",
            transition,
            errors(("200", "Hecho"), "Solo el DAP, y nunca el autor del texto (cuatro ojos)",
                Some("Alguna versión no está en el estado que el paso exige; nada cambió")),
        ) }),
        ),
    ]
}

pub fn document(base: &str, collections: &[Collection]) -> Value {
    let paths: Map<String, Value> = features_paths(collections)
        .into_iter()
        .chain(indicator_paths(collections))
        .chain(tile_paths(collections))
        .chain(service_paths())
        .chain(ssepot_paths())
        .chain(publication_paths())
        .chain(reporting_paths())
        .chain(cycle_paths())
        .chain(narrative_paths())
        .collect();
    let mut components = components();
    components["securitySchemes"] = json!({
        "adminToken": { "type": "http", "scheme": "bearer", "description": "SSEPOT_ADMIN_TOKEN" },
        "reportingToken": { "type": "http", "scheme": "bearer", "description": "Token de dependencia, DAP o administración (ssepot store add-token)" },
    });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "ssepot",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Indicadores territoriales del POT de Medellín: OGC API Features y Tiles, estilos, series, cambio y descargas. \
                Todo parámetro mal formado, desconocido o repetido es un 400 que lo nombra.",
            "license": { "name": "MIT OR Apache-2.0" },
        },
        "servers": [{ "url": base }],
        "paths": paths,
        "components": components,
    })
}
