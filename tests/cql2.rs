//! CQL2 filters (OGC API Features Part 3) through the real router on the demo data, checked against an
//! independent evaluation: the same collections downloaded as GeoPackage and queried with GDAL's SQLite
//! dialect (SpatiaLite for the spatial cases). Each filter is written once in CQL2 and once in SQL by
//! hand from its meaning, never from ssepot's output.
//!
//! The corpus holds the demo cases of issue #15 (`poblacion_2023 > 150000`, `name ILIKE 'san%'`,
//! `S_INTERSECTS(geometry, POINT(-75.57 6.25))`), ND cases, and the OGC CQL2 examples that apply to
//! these collections (their property names changed to ours).

mod common;

use common::{demo, get};
use gdal::vector::sql::Dialect;
use gdal::vector::LayerAccess;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every feature id the server returns for a filter, following `next` links.
async fn ids(collection: &str, query: &str) -> Vec<String> {
    let state = demo();
    let mut url = format!("/collections/{collection}/items?limit=1000&{query}");
    let mut out = Vec::new();
    loop {
        let r = get(&state, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        let doc = r.json();
        for f in doc["features"].as_array().unwrap() {
            out.push(f["id"].as_str().unwrap().to_string());
        }
        let next = doc["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().replace("http://test.local", ""));
        match next {
            Some(n) => url = n,
            None => break,
        }
    }
    out
}

async fn filtered(collection: &str, filter: &str) -> BTreeSet<String> {
    ids(collection, &format!("filter={}", enc(filter)))
        .await
        .into_iter()
        .collect()
}

/// The collection downloaded as GeoPackage, once per test binary.
async fn gpkg(collection: &str) -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap()).path();
    let path = dir.join(format!("{collection}.gpkg"));
    if !path.exists() {
        let r = get(
            &demo(),
            &format!("/collections/{collection}/items?f=gpkg&limit=1000"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        std::fs::write(&path, &r.body).unwrap();
    }
    path
}

/// The first column of every row of an SQL query (SQLite dialect, SpatiaLite functions) on GeoPackages.
fn sql(path: &Path, query: &str) -> BTreeSet<String> {
    let ds = gdal::Dataset::open(path).unwrap();
    let mut rs = ds
        .execute_sql(query, None, Dialect::SQLITE)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .unwrap_or_else(|| panic!("{query}: no result set"));
    rs.features()
        .map(|f| f.field_as_string(0).unwrap().unwrap_or_default())
        .collect()
}

/// A territory-year's id as the oracle writes it (`{code}-{year}`).
const YEAR_ID: &str = "codigo || '-' || anio";

struct Case {
    collection: &'static str,
    cql2: &'static str,
    /// The gpkg to query and the SQL giving the expected ids.
    oracle: (&'static str, String),
}

fn case(collection: &'static str, cql2: &'static str, gpkg: &'static str, sql: String) -> Case {
    Case {
        collection,
        cql2,
        oracle: (gpkg, sql),
    }
}

async fn check(cases: Vec<Case>) {
    for c in cases {
        let got = filtered(c.collection, c.cql2).await;
        let expected = sql(&gpkg(c.oracle.0).await, &c.oracle.1);
        assert_eq!(
            got, expected,
            "{} on {}: server vs oracle `{}`",
            c.cql2, c.collection, c.oracle.1
        );
    }
}

#[tokio::test]
async fn the_issue_demo_cases_agree_with_ogr_sql_on_the_geopackage() {
    check(vec![
        case(
            "comunas",
            r#""poblacion_2023" > 150000"#,
            "poblacion",
            "SELECT codigo FROM poblacion WHERE anio = 2023 AND valor > 150000".into(),
        ),
        case(
            "comunas",
            "name ILIKE 'san%'",
            "comunas",
            "SELECT codigo FROM comunas WHERE territorio LIKE 'san%'".into(),
        ),
        case(
            "comunas",
            "S_INTERSECTS(geometry, POINT(-75.57 6.25))",
            "comunas",
            "SELECT codigo FROM comunas WHERE ST_Intersects(geom, MakePoint(-75.57, 6.25, 4326))"
                .into(),
        ),
        case(
            "poblacion",
            "S_INTERSECTS(geometry, POINT(-75.57 6.25)) AND year = 2023",
            "poblacion",
            format!("SELECT {YEAR_ID} FROM poblacion WHERE anio = 2023 AND ST_Intersects(geom, MakePoint(-75.57, 6.25, 4326))"),
        ),
    ])
    .await;
    // Not empty: the oracle agreeing on nothing would prove nothing.
    assert!(!filtered("comunas", r#""poblacion_2023" > 150000"#)
        .await
        .is_empty());
    assert_eq!(
        filtered("comunas", "S_INTERSECTS(geometry, POINT(-75.57 6.25))")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn basic_cql2_comparisons_and_logic_agree_with_the_oracle() {
    check(vec![
        case(
            "homicidios",
            "value > 100 AND year >= 2020",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE valor > 100 AND anio >= 2020"),
        ),
        case(
            "homicidios",
            "code = '10' OR code = '60'",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE codigo IN ('10', '60')"),
        ),
        case(
            "homicidios",
            "NOT (value >= 20) AND year <> 2003",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE NOT (valor >= 20) AND anio <> 2003"),
        ),
        case(
            "comunas",
            "area_km2 < 6 OR name = 'Popular'",
            "comunas",
            "SELECT codigo FROM comunas WHERE area_km2 < 6 OR territorio = 'Popular'".into(),
        ),
        case(
            "homicidios",
            "nd = false AND value <= 3",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE nd = 0 AND valor <= 3"),
        ),
    ])
    .await;
}

#[tokio::test]
async fn nd_is_null_never_zero_in_filters() {
    // The demo's computed and sample indicators have ND cells. The server only picks which collections to
    // look at (three with ND, and homicides without); the answers come from the oracle.
    let state = demo();
    let collections = get(&state, "/collections").await.json();
    let mut chosen: Vec<&'static str> = vec!["homicidios"];
    for c in collections["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if c["ssepot"]["kind"] != "indicator" || chosen.len() > 3 {
            continue;
        }
        let nd = get(
            &state,
            &format!("/collections/{id}/items?limit=1&filter=nd%20%3D%20true"),
        )
        .await
        .json();
        if nd["numberMatched"].as_u64().unwrap_or(0) > 0 {
            chosen.push(Box::leak(id.to_string().into_boxed_str()));
        }
    }
    assert!(
        chosen.len() > 1,
        "no demo collection has ND: the case proves nothing"
    );
    for id in chosen {
        let path = gpkg(id).await;
        let nulls = sql(
            &path,
            &format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE valor IS NULL"),
        );
        assert_eq!(nulls.is_empty(), id == "homicidios", "{id}");
        check(vec![
            case(
                id,
                "value IS NULL",
                id,
                format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE valor IS NULL"),
            ),
            case(
                id,
                "value IS NOT NULL",
                id,
                format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE valor IS NOT NULL"),
            ),
            // A comparison with ND is unknown, and so is its negation: ND is in neither answer.
            case(
                id,
                "NOT (value > 0)",
                id,
                format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE NOT (valor > 0)"),
            ),
            case(
                id,
                "value = 0",
                id,
                format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE valor = 0"),
            ),
            case(
                id,
                "nd = true",
                id,
                format!("SELECT {YEAR_ID} FROM \"{id}\" WHERE valor IS NULL"),
            ),
        ])
        .await;
    }
}

#[tokio::test]
async fn advanced_comparison_operators_like_between_and_in_agree_with_the_oracle() {
    check(vec![
        case(
            "comunas",
            "name LIKE 'San%'",
            "comunas",
            "SELECT codigo FROM comunas WHERE territorio GLOB 'San*'".into(),
        ),
        case(
            "comunas",
            "name LIKE '%a_a%'",
            "comunas",
            "SELECT codigo FROM comunas WHERE territorio GLOB '*a?a*'".into(),
        ),
        case(
            "comunas",
            "name NOT LIKE 'San%'",
            "comunas",
            "SELECT codigo FROM comunas WHERE NOT territorio GLOB 'San*'".into(),
        ),
        case(
            "homicidios",
            "value BETWEEN 10 AND 20",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE valor BETWEEN 10 AND 20"),
        ),
        case(
            "homicidios",
            "year NOT BETWEEN 2005 AND 2021",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio NOT BETWEEN 2005 AND 2021"),
        ),
        case(
            "comunas",
            "code IN ('01', '10', '90')",
            "comunas",
            "SELECT codigo FROM comunas WHERE codigo IN ('01', '10', '90')".into(),
        ),
        case(
            "homicidios",
            "year NOT IN (2003, 2010, 2023)",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio NOT IN (2003, 2010, 2023)"),
        ),
    ])
    .await;
}

#[tokio::test]
async fn case_insensitive_comparison_with_casei_and_ilike_agrees_with_the_oracle() {
    check(vec![
        case(
            "comunas",
            "CASEI(name) LIKE CASEI('SAN%')",
            "comunas",
            "SELECT codigo FROM comunas WHERE lower(territorio) GLOB 'san*'".into(),
        ),
        case(
            "comunas",
            "CASEI(name) = CASEI('la candelaria')",
            "comunas",
            "SELECT codigo FROM comunas WHERE lower(territorio) = 'la candelaria'".into(),
        ),
        case(
            "comunas",
            "name ILIKE '%BELÉN%'",
            "comunas",
            "SELECT codigo FROM comunas WHERE replace(lower(territorio), 'É', 'é') LIKE '%belén%'"
                .into(),
        ),
    ])
    .await;
    assert_eq!(
        filtered("comunas", "CASEI(name) = CASEI('POPULAR')")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn accent_insensitive_comparison_with_accenti_agrees_with_the_oracle() {
    check(vec![case(
        "comunas",
        "ACCENTI(CASEI(name)) = ACCENTI(CASEI('san cristobal'))",
        "comunas",
        "SELECT codigo FROM comunas WHERE replace(lower(territorio), 'ó', 'o') = 'san cristobal'"
            .into(),
    )])
    .await;
    assert_eq!(
        filtered("comunas", "ACCENTI(name) LIKE ACCENTI('%Belen%')")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn basic_spatial_functions_with_points_and_bboxes_agree_with_spatialite() {
    check(vec![
        case("comunas", "S_INTERSECTS(geometry, BBOX(-75.60, 6.22, -75.55, 6.26))", "comunas",
            "SELECT codigo FROM comunas WHERE ST_Intersects(geom, BuildMbr(-75.60, 6.22, -75.55, 6.26, 4326))".into()),
        case("comunas", "S_INTERSECTS(POINT(-75.70 6.30), geometry)", "comunas",
            "SELECT codigo FROM comunas WHERE ST_Intersects(geom, MakePoint(-75.70, 6.30, 4326))".into()),
    ])
    .await;
}

const POLYGON: &str = "POLYGON((-75.62 6.20, -75.54 6.20, -75.54 6.28, -75.62 6.28, -75.62 6.20))";
const LINE: &str = "LINESTRING(-75.75 6.25, -75.50 6.25)";

#[tokio::test]
async fn basic_spatial_functions_plus_with_lines_polygons_and_geojson_agree_with_spatialite() {
    let poly = format!("ST_GeomFromText('{POLYGON}', 4326)");
    let line = format!("ST_GeomFromText('{LINE}', 4326)");
    let cases = [
        (format!("S_INTERSECTS(geometry, {POLYGON})"), format!("ST_Intersects(geom, {poly})")),
        (format!("S_INTERSECTS(geometry, {LINE})"), format!("ST_Intersects(geom, {line})")),
        (
            "S_INTERSECTS(geometry, MULTIPOINT((-75.57 6.25), (-75.70 6.30)))".into(),
            "ST_Intersects(geom, ST_GeomFromText('MULTIPOINT((-75.57 6.25), (-75.70 6.30))', 4326))".into(),
        ),
    ];
    for (cql, where_) in cases {
        let got = filtered("comunas", &cql).await;
        let expected = sql(
            &gpkg("comunas").await,
            &format!("SELECT codigo FROM comunas WHERE {where_}"),
        );
        assert_eq!(got, expected, "{cql}");
        assert!(!got.is_empty(), "{cql} matched nothing");
    }
    // cql2-json with a GeoJSON literal gives what the same test in text gives.
    let json = r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[-75.57,6.25]}]}"#;
    let got: BTreeSet<String> = ids(
        "comunas",
        &format!("filter-lang=cql2-json&filter={}", enc(json)),
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(
        got,
        filtered("comunas", "S_INTERSECTS(geometry, POINT(-75.57 6.25))").await
    );
    // EPSG:4326 literals are latitude first.
    let got: BTreeSet<String> = ids(
        "comunas",
        &format!(
            "filter-crs={}&filter={}",
            enc("http://www.opengis.net/def/crs/EPSG/0/4326"),
            enc("S_INTERSECTS(geometry, POINT(6.25 -75.57))")
        ),
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(
        got,
        filtered("comunas", "S_INTERSECTS(geometry, POINT(-75.57 6.25))").await
    );
}

#[tokio::test]
#[expect(
    clippy::approx_constant,
    reason = "6.28 is a latitude of Medellín, not τ"
)]
async fn filter_crs_epsg_9377_literals_are_read_northing_first_and_agree_with_gdals_transformation()
{
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
    // The polygon, transformed by GDAL (not by ssepot) to MAGNA-SIRGAS / Origen-Nacional.
    let mut from = SpatialRef::from_epsg(4326).unwrap();
    from.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut to = SpatialRef::from_epsg(9377).unwrap();
    to.set_axis_mapping_strategy(AxisMappingStrategy::AuthorityCompliant);
    let t = CoordTransform::new(&from, &to).unwrap();
    let ring = [
        (-75.62, 6.20),
        (-75.54, 6.20),
        (-75.54, 6.28),
        (-75.62, 6.28),
        (-75.62, 6.20),
    ];
    let mut xs: Vec<f64> = ring.iter().map(|p| p.0).collect();
    let mut ys: Vec<f64> = ring.iter().map(|p| p.1).collect();
    t.transform_coords(&mut xs, &mut ys, &mut []).unwrap();
    // Authority order: the first coordinate is the northing (about 2.2 million), the second the easting.
    assert!(xs[0] > 2_000_000.0 && xs[0] < 2_500_000.0, "{xs:?} {ys:?}");
    let wkt = format!(
        "POLYGON(({}))",
        xs.iter()
            .zip(&ys)
            .map(|(n, e)| format!("{n:.3} {e:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let got: BTreeSet<String> = ids(
        "comunas",
        &format!(
            "filter-crs={}&filter={}",
            enc("http://www.opengis.net/def/crs/EPSG/0/9377"),
            enc(&format!("S_INTERSECTS(geometry, {wkt})"))
        ),
    )
    .await
    .into_iter()
    .collect();
    let expected = sql(
        &gpkg("comunas").await,
        &format!(
            "SELECT codigo FROM comunas WHERE ST_Intersects(geom, ST_GeomFromText('{POLYGON}', 4326))"
        ),
    );
    assert_eq!(got, expected);
    assert!(!got.is_empty());
}

#[tokio::test]
async fn spatial_functions_agree_with_spatialite() {
    let poly = format!("ST_GeomFromText('{POLYGON}', 4326)");
    let line = format!("ST_GeomFromText('{LINE}', 4326)");
    let big = "POLYGON((-75.80 6.10, -75.40 6.10, -75.40 6.40, -75.80 6.40, -75.80 6.10))";
    let cases = [
        (
            format!("S_DISJOINT(geometry, {POLYGON})"),
            format!("ST_Disjoint(geom, {poly})"),
        ),
        (
            format!("S_WITHIN(geometry, {big})"),
            format!("ST_Within(geom, ST_GeomFromText('{big}', 4326))"),
        ),
        (
            "S_CONTAINS(geometry, POINT(-75.57 6.25))".into(),
            "ST_Contains(geom, MakePoint(-75.57, 6.25, 4326))".into(),
        ),
        (
            format!("S_CROSSES(geometry, {LINE})"),
            format!("ST_Crosses(geom, {line})"),
        ),
        (
            format!("S_OVERLAPS(geometry, {POLYGON})"),
            format!("ST_Overlaps(geom, {poly})"),
        ),
        (
            format!("S_TOUCHES(geometry, {POLYGON})"),
            format!("ST_Touches(geom, {poly})"),
        ),
        (
            format!("S_EQUALS(geometry, {POLYGON})"),
            format!("ST_Equals(geom, {poly})"),
        ),
    ];
    for (cql, where_) in cases {
        let got = filtered("comunas", &cql).await;
        let expected = sql(
            &gpkg("comunas").await,
            &format!("SELECT codigo FROM comunas WHERE {where_}"),
        );
        assert_eq!(got, expected, "{cql}");
    }
}

#[tokio::test]
async fn property_property_comparisons_agree_with_a_join_in_the_oracle() {
    check(vec![
        case("comunas", "poblacion_2023 > poblacion_2018", "poblacion",
            "SELECT a.codigo FROM poblacion a JOIN poblacion b ON a.codigo = b.codigo \
             WHERE a.anio = 2023 AND b.anio = 2018 AND a.valor > b.valor".into()),
        case("homicidios", "value > homicidios_2003", "homicidios",
            "SELECT a.codigo || '-' || a.anio FROM homicidios a JOIN homicidios b ON a.codigo = b.codigo \
             WHERE b.anio = 2003 AND a.valor > b.valor".into()),
    ])
    .await;
    assert!(!filtered("comunas", "poblacion_2023 > poblacion_2018")
        .await
        .is_empty());
}

#[tokio::test]
async fn temporal_functions_over_the_years_agree_with_the_oracle() {
    check(vec![
        case(
            "homicidios",
            "T_INTERSECTS(datetime, INTERVAL('2019-06-01', '2021-02-01'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio BETWEEN 2019 AND 2021"),
        ),
        case(
            "homicidios",
            "T_BEFORE(datetime, DATE('2005-01-01'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio < 2005"),
        ),
        case(
            "homicidios",
            "T_AFTER(datetime, TIMESTAMP('2021-12-31T23:00:00Z'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio > 2021"),
        ),
        case(
            "homicidios",
            "T_DURING(datetime, INTERVAL('2010-01-01', '..'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio > 2010"),
        ),
        case(
            "homicidios",
            "T_CONTAINS(datetime, DATE('2015-06-30'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio = 2015"),
        ),
        case(
            "homicidios",
            "T_EQUALS(datetime, INTERVAL('2012-01-01', '2012-12-31'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio = 2012"),
        ),
        case(
            "homicidios",
            "T_DISJOINT(datetime, INTERVAL('..', '2020-12-31'))",
            "homicidios",
            format!("SELECT {YEAR_ID} FROM homicidios WHERE anio > 2020"),
        ),
    ])
    .await;
}

#[tokio::test]
async fn cql2_json_gives_what_the_same_filter_in_text_gives() {
    let json = r#"{"op":"and","args":[{"op":">","args":[{"property":"value"},100]},{"op":"in","args":[{"property":"code"},["10","14","15"]]}]}"#;
    let got: BTreeSet<String> = ids(
        "homicidios",
        &format!("filter-lang=cql2-json&filter={}", enc(json)),
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(
        got,
        filtered("homicidios", "value > 100 AND code IN ('10','14','15')").await
    );
    assert!(!got.is_empty());
}

#[tokio::test]
async fn cql_text_the_draft_name_gdal_sends_is_read_as_cql2_text() {
    let got: BTreeSet<String> = ids(
        "comunas",
        &format!("filter-lang=cql-text&filter={}", enc("name ILIKE 'san%'")),
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(
        got,
        filtered("comunas", "CASEI(name) LIKE CASEI('san%')").await
    );
}

#[tokio::test]
async fn sortby_orders_like_the_oracle_and_pages_keep_filter_and_sort() {
    let state = demo();
    // A small page size forces several pages; every next link must keep filter and sortby.
    let filter = enc("year >= 2018");
    let mut url =
        format!("/collections/poblacion/items?limit=7&filter={filter}&sortby=-value,code");
    let mut got = Vec::new();
    loop {
        let doc = get(&state, &url).await.json();
        for f in doc["features"].as_array().unwrap() {
            got.push(f["id"].as_str().unwrap().to_string());
        }
        match doc["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(l) => {
                let href = l["href"].as_str().unwrap();
                assert!(
                    href.contains("sortby=-value%2Ccode") && href.contains("filter="),
                    "{href}"
                );
                url = href.replace("http://test.local", "");
            }
            None => break,
        }
    }
    let ds = gdal::Dataset::open(gpkg("poblacion").await).unwrap();
    let mut rs = ds
        .execute_sql(
            format!("SELECT {YEAR_ID} FROM poblacion WHERE anio >= 2018 ORDER BY valor IS NULL, valor DESC, codigo"),
            None,
            Dialect::SQLITE,
        )
        .unwrap()
        .unwrap();
    let expected: Vec<String> = rs
        .features()
        .map(|f| f.field_as_string(0).unwrap().unwrap())
        .collect();
    assert_eq!(got, expected);
    // Ascending, ND last, ties in collection order (year, then territory).
    let asc = ids("homicidios", "sortby=value").await;
    let vals: Vec<Option<f64>> = {
        let doc = get(
            &state,
            "/collections/homicidios/items?limit=1000&sortby=value",
        )
        .await
        .json();
        doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["value"].as_f64())
            .collect()
    };
    assert_eq!(asc.len(), vals.len());
    assert!(vals.windows(2).all(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => a <= b,
        (None, Some(_)) => false,
        _ => true,
    }));
}

#[tokio::test]
async fn queryables_are_a_json_schema_naming_every_filterable_property() {
    let state = demo();
    let r = get(&state, "/collections/comunas/queryables").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/schema+json");
    let doc = r.json();
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(doc["type"], "object");
    let props = doc["properties"].as_object().unwrap();
    for name in [
        "geometry",
        "code",
        "name",
        "area_km2",
        "poblacion_2023",
        "homicidios_2003",
    ] {
        assert!(props.contains_key(name), "{name} missing");
    }
    assert_eq!(props["geometry"]["x-ogc-role"], "primary-geometry");
    let ind = get(&state, "/collections/homicidios/queryables")
        .await
        .json();
    for name in ["year", "value", "nd", "datetime", "homicidios_2023"] {
        assert!(ind["properties"].get(name).is_some(), "{name} missing");
    }
    // GDAL 3.6 asks for JSON and reads the draft's list.
    let r = common::get_with(
        &state,
        "/collections/comunas/queryables",
        ("accept", "application/geo+json, application/json"),
    )
    .await;
    assert_eq!(r.content_type, "application/json");
    assert!(r.json()["queryables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|q| q["id"] == "name"));
    // The collection links to them.
    let c = get(&state, "/collections/comunas").await.json();
    assert!(c["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"));
    let html = get(&state, "/collections/comunas/queryables?f=html").await;
    assert!(html.text().contains("poblacion_2023"));
}

#[tokio::test]
async fn the_items_page_shows_the_queryables_and_a_filter_form_that_filters() {
    let state = demo();
    let page = get(
        &state,
        &format!(
            "/collections/comunas/items?f=html&filter={}",
            enc("name LIKE 'San%'")
        ),
    )
    .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains(r#"<textarea id="filter" name="filter""#),
        "no filter form"
    );
    assert!(html.contains("poblacion_2023"), "queryables not listed");
    assert!(
        html.contains("San Javier") && !html.contains("Popular"),
        "the page is not filtered"
    );
}

/// Part 3 and CQL2 classes declared at /conformance, each with the test above that exercises it.
const TESTED: &[(&str, &str)] = &[
    (
        "ogcapi-features-3/1.0/conf/queryables",
        "queryables_are_a_json_schema_naming_every_filterable_property",
    ),
    (
        "ogcapi-features-3/1.0/conf/filter",
        "the_issue_demo_cases_agree_with_ogr_sql_on_the_geopackage",
    ),
    (
        "ogcapi-features-3/1.0/conf/features-filter",
        "basic_cql2_comparisons_and_logic_agree_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/cql2-text",
        "basic_cql2_comparisons_and_logic_agree_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/cql2-json",
        "cql2_json_gives_what_the_same_filter_in_text_gives",
    ),
    (
        "cql2/1.0/conf/basic-cql2",
        "nd_is_null_never_zero_in_filters",
    ),
    (
        "cql2/1.0/conf/advanced-comparison-operators",
        "advanced_comparison_operators_like_between_and_in_agree_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/case-insensitive-comparison",
        "case_insensitive_comparison_with_casei_and_ilike_agrees_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/accent-insensitive-comparison",
        "accent_insensitive_comparison_with_accenti_agrees_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/basic-spatial-functions",
        "basic_spatial_functions_with_points_and_bboxes_agree_with_spatialite",
    ),
    (
        "cql2/1.0/conf/basic-spatial-functions-plus",
        "basic_spatial_functions_plus_with_lines_polygons_and_geojson_agree_with_spatialite",
    ),
    (
        "cql2/1.0/conf/spatial-functions",
        "spatial_functions_agree_with_spatialite",
    ),
    (
        "cql2/1.0/conf/temporal-functions",
        "temporal_functions_over_the_years_agree_with_the_oracle",
    ),
    (
        "cql2/1.0/conf/property-property",
        "property_property_comparisons_agree_with_a_join_in_the_oracle",
    ),
];

#[tokio::test]
async fn conformance_declares_exactly_the_filter_classes_tested_here() {
    let doc = get(&demo(), "/conformance").await.json();
    let declared: BTreeSet<String> = doc["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .filter(|c| c.contains("/cql2/") || c.contains("ogcapi-features-3"))
        .map(|c| {
            c.trim_start_matches("http://www.opengis.net/spec/")
                .to_string()
        })
        .collect();
    let tested: BTreeSet<String> = TESTED.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(declared, tested);
    let source = include_str!("cql2.rs");
    for (class, test) in TESTED {
        assert!(
            source.contains(&format!("async fn {test}()")),
            "{class}: no test `{test}`"
        );
    }
}
