//! The OpenAPI 3.0 definition of the service, generated from the collections being served.

use crate::features::query::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::features::Collection;
use serde_json::{json, Value};

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema, "style": "form", "explode": false })
}

fn f_param() -> Value {
    param(
        "f",
        "Formato de respuesta: json (por defecto) o html.",
        json!({ "type": "string", "enum": ["json", "html"] }),
    )
}

fn ok(media: &[&str], description: &str) -> Value {
    let content: serde_json::Map<String, Value> =
        media.iter().map(|m| (m.to_string(), json!({}))).collect();
    json!({
        "200": { "description": description, "content": content },
        "400": { "description": "Parámetro mal formado; la respuesta nombra el parámetro.", "content": { "application/json": {} } },
        "404": { "description": "Colección o elemento inexistente.", "content": { "application/json": {} } },
    })
}

pub fn document(base: &str, collections: &[Collection]) -> Value {
    let mut doc = core_document(base, collections);
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(super::ssepot::openapi_paths());
    }
    doc
}

fn core_document(base: &str, collections: &[Collection]) -> Value {
    let ids: Vec<&str> = collections.iter().map(|c| c.id.as_str()).collect();
    let id_param = json!({ "name": "collectionId", "in": "path", "required": true, "schema": { "type": "string", "enum": ids } });
    let items_params = json!([
        id_param,
        param("limit", &format!("Elementos por página (por defecto {DEFAULT_LIMIT}, máximo {MAX_LIMIT}; valores mayores se reducen al máximo)."),
            json!({ "type": "integer", "minimum": 1, "default": DEFAULT_LIMIT })),
        param("offset", "Elementos que se saltan antes de la página.", json!({ "type": "integer", "minimum": 0, "default": 0 })),
        param("bbox", "min lon, min lat, max lon, max lat (CRS84).", json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } })),
        param("datetime", "Un año (2023), una fecha RFC 3339 o un intervalo (2018/2023, ../2020, 2020/..).", json!({ "type": "string" })),
        param("code", "Código del territorio (01, 1 y 1.0 son el mismo).", json!({ "type": "string" })),
        param("year", "Año exacto.", json!({ "type": "integer" })),
        f_param(),
    ]);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "ssepot",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Indicadores territoriales del POT de Medellín como OGC API Features.",
            "license": { "name": "MIT OR Apache-2.0" },
        },
        "servers": [{ "url": base }],
        "paths": {
            "/": { "get": { "summary": "Página de inicio", "operationId": "getLandingPage", "parameters": [f_param()], "responses": ok(&["application/json", "text/html"], "Página de inicio") } },
            "/conformance": { "get": { "summary": "Clases de conformidad", "operationId": "getConformanceDeclaration", "parameters": [f_param()], "responses": ok(&["application/json", "text/html"], "Clases de conformidad") } },
            "/api": { "get": { "summary": "Esta definición OpenAPI", "operationId": "getAPI", "parameters": [f_param()], "responses": ok(&["application/vnd.oai.openapi+json;version=3.0", "text/html"], "OpenAPI 3.0") } },
            "/collections": { "get": { "summary": "Colecciones", "operationId": "getCollections", "parameters": [f_param()], "responses": ok(&["application/json", "text/html"], "Colecciones") } },
            "/collections/{collectionId}": { "get": { "summary": "Una colección", "operationId": "describeCollection", "parameters": [id_param, f_param()], "responses": ok(&["application/json", "text/html"], "Colección") } },
            "/collections/{collectionId}/items": { "get": { "summary": "Elementos de una colección, filtrados y paginados", "operationId": "getFeatures", "parameters": items_params, "responses": ok(&["application/geo+json", "text/html"], "Elementos") } },
            "/collections/{collectionId}/items/{featureId}": { "get": { "summary": "Un elemento", "operationId": "getFeature", "parameters": [id_param, { "name": "featureId", "in": "path", "required": true, "schema": { "type": "string" } }, f_param()], "responses": ok(&["application/geo+json", "text/html"], "Elemento") } },
            "/report": { "get": { "summary": "Informe de importación", "operationId": "getImportReport", "responses": ok(&["application/json"], "Informe") } },
            "/admin/reload": { "post": { "summary": "Relee las capas (solo desde loopback o con token)", "operationId": "reload", "responses": { "200": { "description": "Recargado" }, "403": { "description": "No permitido" } } } },
        },
    })
}
