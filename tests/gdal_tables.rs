//! Tables read through GDAL: a cell that is missing, unset or null is `ND`, never 0; wide tables whose year columns
//! carry a prefix load as published; GDAL's own error text reaches the report.
//!
//! The fixtures are built here from the real homicide table, with San Cristóbal (60) 2014–2019 and Belén (16) 2023
//! taken out, and the expected values come from that CSV, not from ssepot.

mod common;

use common::{get, layers_copy};
use gdal::vector::{FieldDefn, LayerAccess, LayerOptions, OGRFieldType};
use ssepot::ingest;
use ssepot::model::{Indicator, Snapshot, UnitRef};
use ssepot::state::AppState;
use std::path::Path;
use std::sync::Arc;

const CSV: &str = "data/medellin/homicidios_comuna_anual_2003_2023.csv";

/// `(code, year, homicides)` of the real table.
fn homicides() -> Vec<(String, i32, f64)> {
    let text = std::fs::read_to_string(common::layers_dir().join(CSV)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

/// The cells taken out: San Cristóbal 2014–2019 and Belén 2023.
fn taken_out(code: &str, year: i32) -> bool {
    (code == "60" && (2014..=2019).contains(&year)) || (code == "16" && year == 2023)
}

fn indicator_toml(id: &str, path: &str, extra: &str) -> String {
    format!(
        "[[indicator]]\nid = \"{id}\"\nname = \"Homicidios\"\nunit = \"homicidios\"\nunit_set = \"comunas\"\n\n\
         [indicator.table]\npath = \"{path}\"\nunmatched = \"error\"\n{extra}"
    )
}

const LONG: &str = "layout = \"long\"\nkey_column = \"codigo\"\nyear_column = \"anio\"\nvalue_column = \"homicidios\"\n";

/// Checks every cell of `ind` against the CSV for `years`: the taken-out ones `ND`, the others their number.
fn assert_nd_exactly_where_taken_out(
    snap: &Snapshot,
    ind: &Indicator,
    years: std::ops::RangeInclusive<i32>,
) {
    let rep = snap
        .report
        .indicators
        .iter()
        .find(|r| r.id == ind.id)
        .unwrap();
    assert!(rep.error.is_none(), "{}", snap.report);
    let rows: Vec<_> = homicides()
        .into_iter()
        .filter(|(_, y, _)| years.contains(y))
        .collect();
    let nd = rows.iter().filter(|(c, y, _)| taken_out(c, *y)).count();
    assert_eq!(nd, 7, "six years of San Cristóbal and one of Belén");
    assert_eq!(
        (rep.values, rep.nd),
        (rows.len() - nd, nd),
        "{}",
        snap.report
    );
    for (code, year, value) in rows {
        let unit = UnitRef::Unit(ind.unit_set.find(code.trim_start_matches('0')).unwrap());
        let expected = (!taken_out(&code, year)).then_some(value);
        assert_eq!(ind.value(unit, year), Some(expected), "{code} {year}");
    }
}

#[test]
fn a_geojson_table_whose_features_omit_the_property_gives_nd_not_zero() {
    let dir = layers_copy();
    let features: Vec<String> = homicides()
        .into_iter()
        .map(|(code, year, value)| {
            let value = if taken_out(&code, year) {
                String::new()
            } else {
                format!(r#","homicidios":{value}"#)
            };
            format!(r#"{{"type":"Feature","properties":{{"codigo":"{code}","anio":{year}{value}}},"geometry":null}}"#)
        })
        .collect();
    std::fs::write(
        dir.path().join("homicidios.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",\n")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("zz-geojson.toml"),
        indicator_toml("homicidios-gj", "homicidios.geojson", LONG),
    )
    .unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let ind = snap.indicator("homicidios-gj").unwrap();
    assert_nd_exactly_where_taken_out(&snap, ind, 2003..=2023);
}

#[test]
fn a_vrt_over_a_csv_with_empty_cells_gives_nd_not_zero() {
    let dir = layers_copy();
    let mut csv = String::from("codigo,anio,homicidios\n");
    for (code, year, value) in homicides() {
        let value = if taken_out(&code, year) {
            String::new()
        } else {
            value.to_string()
        };
        csv.push_str(&format!("{code},{year},{value}\n"));
    }
    std::fs::write(dir.path().join("homicidios_vacios.csv"), csv).unwrap();
    // GDAL types the columns (AUTODETECT_TYPE): an empty cell of an integer column is then *unset*, which GDAL's
    // typed getters read as 0.
    std::fs::write(
        dir.path().join("homicidios.vrt"),
        r#"<OGRVRTDataSource><OGRVRTLayer name="homicidios">
  <SrcDataSource relativeToVRT="1">homicidios_vacios.csv</SrcDataSource>
  <SrcLayer>homicidios_vacios</SrcLayer>
  <OpenOptions><OOI key="AUTODETECT_TYPE">YES</OOI></OpenOptions>
</OGRVRTLayer></OGRVRTDataSource>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("zz-vrt.toml"),
        indicator_toml("homicidios-vrt", "homicidios.vrt", LONG),
    )
    .unwrap();
    {
        let ds = gdal::Dataset::open(dir.path().join("homicidios.vrt")).unwrap();
        let layer = ds.layer(0).unwrap();
        let types: Vec<_> = layer.defn().fields().map(|f| f.field_type()).collect();
        assert_eq!(
            types[2],
            OGRFieldType::OFTInteger,
            "GDAL reads an integer column"
        );
    }
    let snap = ingest::load(dir.path(), None).unwrap();
    let ind = snap.indicator("homicidios-vrt").unwrap();
    assert_nd_exactly_where_taken_out(&snap, ind, 2003..=2023);
}

/// An ECV-style GeoPackage table: one row per territory, years in columns `i_2014 … i_2023`, NULL where taken out.
fn write_ecv_gpkg(path: &Path) {
    let driver = gdal::DriverManager::get_driver_by_name("GPKG").unwrap();
    let mut ds = driver.create_vector_only(path).unwrap();
    let layer = ds
        .create_layer(LayerOptions {
            name: "ecv_homicidios",
            ty: gdal::vector::OGRwkbGeometryType::wkbNone,
            ..Default::default()
        })
        .unwrap();
    FieldDefn::new("codigo", OGRFieldType::OFTString)
        .unwrap()
        .add_to_layer(&layer)
        .unwrap();
    for year in 2014..=2023 {
        FieldDefn::new(&format!("i_{year}"), OGRFieldType::OFTReal)
            .unwrap()
            .add_to_layer(&layer)
            .unwrap();
    }
    let defn = gdal::vector::Defn::from_layer(&layer);
    let rows = homicides();
    let mut codes: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    codes.dedup();
    for code in codes {
        let mut f = gdal::vector::Feature::new(&defn).unwrap();
        f.set_field_string(0, &code).unwrap();
        for (c, y, v) in rows.iter().filter(|r| r.0 == code && r.1 >= 2014) {
            if !taken_out(c, *y) {
                f.set_field_double((y - 2013) as usize, *v).unwrap();
            }
        }
        f.create(&layer).unwrap();
    }
}

#[tokio::test]
async fn a_wide_geopackage_with_prefixed_year_columns_loads_as_published() {
    let dir = layers_copy();
    write_ecv_gpkg(&dir.path().join("ecv.gpkg"));
    std::fs::write(
        dir.path().join("zz-ecv.toml"),
        indicator_toml(
            "homicidios-ecv",
            "ecv.gpkg",
            "layout = \"wide\"\nkey_column = \"codigo\"\nyear_columns = \"i_{year}\"\n",
        ),
    )
    .unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let snap = state.current().snapshot.clone();
    let ind = snap.indicator("homicidios-ecv").unwrap();
    assert_eq!(ind.years(), (2014..=2023).collect::<Vec<_>>());
    assert_nd_exactly_where_taken_out(&snap, ind, 2014..=2023);
    // Through the API, Belén 2023 says ND, not 0.
    let items = get(
        &state,
        "/collections/homicidios-ecv/items?datetime=2023&limit=100",
    )
    .await
    .json();
    let belen = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "16")
        .unwrap();
    assert_eq!(belen["properties"]["nd"], true, "{belen}");
    assert_eq!(belen["properties"]["value"], serde_json::Value::Null);
}

#[test]
fn without_year_columns_the_prefixed_table_is_an_error_that_says_what_to_set() {
    let dir = layers_copy();
    write_ecv_gpkg(&dir.path().join("ecv.gpkg"));
    std::fs::write(
        dir.path().join("zz-ecv.toml"),
        indicator_toml(
            "homicidios-ecv",
            "ecv.gpkg",
            "layout = \"wide\"\nkey_column = \"codigo\"\n",
        ),
    )
    .unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = snap
        .report
        .indicators
        .iter()
        .find(|r| r.id == "homicidios-ecv")
        .unwrap();
    let err = rep.error.as_deref().unwrap();
    assert!(
        err.contains("year_columns") && err.contains("i_2014"),
        "{err}"
    );
}

#[test]
fn a_vrt_whose_source_does_not_open_reports_gdals_own_error() {
    let dir = layers_copy();
    std::fs::write(
        dir.path().join("roto.vrt"),
        r#"<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource relativeToVRT="1">no_existe.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("zz-vrt.toml"),
        indicator_toml("roto", "roto.vrt", LONG),
    )
    .unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = snap
        .report
        .indicators
        .iter()
        .find(|r| r.id == "roto")
        .unwrap();
    let err = rep.error.as_deref().unwrap();
    assert!(
        err.contains("no_existe.csv") && err.contains("GDAL"),
        "{err}"
    );
    assert!(!err.contains("columns are []"), "{err}");
}

#[test]
fn a_table_layer_that_is_not_in_the_geopackage_is_an_error_listing_the_layers_it_has() {
    let dir = layers_copy();
    write_ecv_gpkg(&dir.path().join("ecv.gpkg"));
    std::fs::write(
        dir.path().join("zz-ecv.toml"),
        indicator_toml(
            "homicidios-ecv",
            "ecv.gpkg",
            "sheet = \"ecv_homicidio\"\nlayout = \"wide\"\nkey_column = \"codigo\"\nyear_columns = \"i_{year}\"\n",
        ),
    )
    .unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = snap
        .report
        .indicators
        .iter()
        .find(|r| r.id == "homicidios-ecv")
        .unwrap();
    let err = rep.error.as_deref().unwrap();
    assert!(
        err.contains("field `table.sheet`")
            && err.contains("ecv.gpkg")
            && err.contains("no layer `ecv_homicidio`")
            && err.contains("[\"ecv_homicidios\"]"),
        "{err}"
    );
    assert!(!err.contains("NULL pointer"), "{err}");
}

#[test]
fn a_boundary_layer_that_is_not_in_the_geopackage_is_an_error_listing_the_layers_it_has() {
    let dir = layers_copy();
    let gpkg = dir.path().join("data/medellin/comunas.gpkg");
    common::run(
        std::process::Command::new("ogr2ogr")
            .args(["-f", "GPKG", "-nln", "comunas_2014"])
            .arg(&gpkg)
            .arg(
                dir.path()
                    .join("data/medellin/limite_catastral_comunas_corregimientos.geojson"),
            ),
    );
    let toml = dir.path().join("medellin.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "source = \"data/medellin/limite_catastral_comunas_corregimientos.geojson\"",
        "source = \"data/medellin/comunas.gpkg\"\nlayer = \"comunas\"",
    );
    std::fs::write(&toml, text).unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let err = snap.report.unit_sets[0].error.as_deref().unwrap();
    assert!(
        err.contains("field `layer`")
            && err.contains("no layer `comunas`")
            && err.contains("[\"comunas_2014\"]"),
        "{err}"
    );
    assert!(!err.contains("NULL pointer"), "{err}");
}
