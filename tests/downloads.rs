//! Change between years and downloads (CSV, XLSX, GeoPackage) through the router, read back with real readers.

mod common;

use common::{demo, get, get_with};

const BELEN_2018: f64 = 205_651.0;
const BELEN_2030: f64 = 216_948.0;

#[tokio::test]
async fn change_between_two_years_is_computed_per_territory() {
    let fc = get(&demo(), "/collections/poblacion/change?from=2018&to=2030")
        .await
        .json();
    assert_eq!(fc["numberMatched"], 21);
    let belen = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "16")
        .unwrap();
    let p = &belen["properties"];
    assert_eq!(p["value_from"], BELEN_2018);
    assert_eq!(p["value_to"], BELEN_2030);
    assert_eq!(p["change"], BELEN_2030 - BELEN_2018);
    assert!(
        (p["change_pct"].as_f64().unwrap() - 100.0 * (BELEN_2030 - BELEN_2018) / BELEN_2018).abs()
            < 1e-9
    );
    assert_eq!(belen["geometry"]["type"], "MultiPolygon");
    let classes = fc["ssepot:legend"]["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 5);
    assert_eq!(
        classes[0]["min"].as_f64().unwrap(),
        -classes[4]["max"].as_f64().unwrap(),
        "centred on zero"
    );
}

#[tokio::test]
async fn no_change_is_computed_from_an_nd_value() {
    // EP-01, comuna 02: 5.88 in 2014, ND in 2015.
    let fc = get(&demo(), "/collections/ep-01/change?from=2014&to=2015")
        .await
        .json();
    let p = &fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "02")
        .unwrap()["properties"];
    assert_eq!(p["value_from"], 5.88);
    assert_eq!(p["value_to"], serde_json::Value::Null);
    assert_eq!(p["change"], serde_json::Value::Null);
    assert_eq!(p["nd"], true);
    assert_eq!(p["sample"], true);
}

#[tokio::test]
async fn bad_years_are_400_naming_from_or_to() {
    let s = demo();
    for (q, p) in [
        ("to=2030", "from"),
        ("from=2018", "to"),
        ("from=1999&to=2030", "from"),
        ("from=2018&to=dos", "to"),
        ("from=2018&to=2030&f=pdf", "f"),
        ("from=2018&to=2030&x=1", "x"),
    ] {
        let r = get(&s, &format!("/collections/poblacion/change?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.json()["parameter"], p, "{q}");
    }
}

#[tokio::test]
async fn the_csv_opens_in_spanish_excel_with_accents_and_decimal_commas() {
    let r = get(&demo(), "/collections/ep-01/change?from=2014&to=2023&f=csv").await;
    assert_eq!(r.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        r.headers["content-disposition"],
        "attachment; filename=\"ep-01_cambio_2014_2023.csv\""
    );
    assert!(
        r.body.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark"
    );
    let text = String::from_utf8(r.body[3..].to_vec()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "codigo",
            "territorio",
            "desde",
            "hasta",
            "valor_desde",
            "valor_hasta",
            "cambio",
            "cambio_pct",
            "nd",
            "unidad"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let belen = rows.iter().find(|r| &r[0] == "16").unwrap();
    assert_eq!(&belen[1], "Belén");
    assert_eq!(&belen[4], "5,53", "decimal comma");
    assert_eq!(&belen[9], "m²/habitante");
    assert!(
        rows.iter().all(|r| !r[6].contains('.')),
        "no decimal points"
    );
}

#[tokio::test]
async fn accept_text_csv_gets_a_csv_of_the_items() {
    let r = get_with(
        &demo(),
        "/collections/homicidios/items?year=2023",
        ("accept", "text/csv"),
    )
    .await;
    assert_eq!(r.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        r.headers["content-disposition"],
        "attachment; filename=\"homicidios_2023.csv\""
    );
    let text = r.text();
    assert_eq!(text.lines().count(), 22, "a header and 21 territories");
    assert!(text.contains("16;Belén;2023;"));
}

#[tokio::test]
async fn the_xlsx_holds_numbers_and_nd_as_text() {
    use calamine::{Data, Reader, Xlsx};
    let r = get(&demo(), "/collections/ep-01/items?year=2015&f=xlsx").await;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body)).unwrap();
    let range = wb.worksheet_range("ep-01").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert!(
        rows[0][0].to_string().contains("MUESTRA SINTÉTICA"),
        "{:?}",
        rows[0][0]
    );
    let header: Vec<String> = rows
        .iter()
        .find(|r| r[0] == Data::String("codigo".into()))
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let value_col = header.iter().position(|h| h == "valor").unwrap();
    let row = |code: &str| {
        rows.iter()
            .find(|r| r[0] == Data::String(code.into()))
            .unwrap()
            .clone()
    };
    assert_eq!(row("01")[value_col], Data::Float(3.97));
    assert_eq!(row("02")[value_col], Data::String("ND".into()));
}

#[test]
fn the_geopackage_has_the_same_numbers_for_gdal_and_qgis() {
    use gdal::vector::LayerAccess;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt.block_on(async {
        get(
            &demo(),
            "/collections/poblacion/change?from=2018&to=2030&f=gpkg",
        )
        .await
    });
    assert_eq!(r.content_type, "application/geopackage+sqlite3");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cambio.gpkg");
    std::fs::write(&path, &r.body).unwrap();
    let ds = gdal::Dataset::open(&path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    assert_eq!(layer.name(), "poblacion_cambio_2018_2030");
    assert_eq!(layer.feature_count(), 21);
    let srs = layer.spatial_ref().unwrap();
    assert_eq!(srs.auth_code().unwrap(), 4326);
    let text = |f: &gdal::vector::Feature, name: &str| {
        f.field_as_string(f.field_index(name).unwrap()).unwrap()
    };
    let belen = layer
        .features()
        .find(|f| text(f, "codigo").as_deref() == Some("16"))
        .unwrap();
    assert_eq!(text(&belen, "territorio").as_deref(), Some("Belén"));
    assert_eq!(
        belen
            .field_as_double(belen.field_index("cambio").unwrap())
            .unwrap(),
        Some(BELEN_2030 - BELEN_2018)
    );
    let env = belen.geometry().unwrap().envelope();
    assert!(
        env.MinX > -75.7 && env.MaxX < -75.5 && env.MinY > 6.1 && env.MaxY < 6.3,
        "longitude first: {env:?}"
    );
}

#[tokio::test]
async fn a_change_with_nothing_to_classify_has_one_class_at_zero_and_no_negative_zero() {
    let s = demo();
    // Every territory unchanged (a year against itself), and every change ND (ep-01's comuna 02 is ND in 2015, and
    // a city-level battery indicator with an ND year).
    for q in [
        "/collections/poblacion/change?from=2018&to=2018",
        "/collections/mo-02/change?from=2021&to=2023",
    ] {
        let r = get(&s, q).await;
        assert_eq!(r.status, 200, "{q}");
        let text = r.text();
        assert!(!text.contains("-0.0"), "{q}: {text}");
        let legend = &r.json()["ssepot:legend"];
        let classes = legend["classes"].as_array().unwrap();
        assert_eq!(classes.len(), 1, "{q}: {legend}");
        assert_eq!(classes[0]["min"], 0.0, "{q}");
        assert_eq!(classes[0]["max"], 0.0, "{q}");
        assert_eq!(classes[0]["label"], "Sin cambio", "{q}");
    }
}
