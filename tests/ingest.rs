//! Import edge cases on real and hand-made inputs: the XLSX battery, repaired geometries, CRS overrides,
//! and the documented layer-file example.

mod common;

use common::layers_copy;
use ssepot::ingest::{self, report::Status};
use ssepot::model::UnitRef;
use std::path::Path;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_xlsx_battery_gives_the_same_values_as_the_csv() {
    let dir = layers_copy();
    let csv = ingest::load(dir.path(), None).unwrap();
    let toml = dir.path().join("bateria-muestra.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "bateria_indicadores_muestra.csv\"\ndelimiter = \";\"",
        "bateria_indicadores_muestra.xlsx\"\nheader_rows = [3]",
    );
    write(&toml, &text);
    let xlsx = ingest::load(dir.path(), None).unwrap();
    assert_eq!(xlsx.report.error_count(), 0, "{}", xlsx.report);
    let battery: Vec<_> = csv
        .indicators
        .iter()
        .filter(|i| i.sample && !i.id.starts_with("avance_"))
        .collect();
    assert_eq!(battery.len(), 12);
    for a in battery {
        let b = xlsx.indicator(&a.id).unwrap();
        // The same values; the rows differ (the workbook has a title block above its header).
        let values = |o: &[ssepot::model::Observation]| -> Vec<_> {
            o.iter().map(|o| (o.unit, o.year, o.value)).collect()
        };
        assert_eq!(values(&a.observations), values(&b.observations), "{}", a.id);
        assert_eq!(a.sheet.target, b.sheet.target, "{}", a.id);
        assert_eq!(a.name, b.name);
    }
}

#[test]
fn battery_metadata_and_city_rows_are_read() {
    let snap = ingest::load(&common::layers_dir(), None).unwrap();
    let mo = snap.indicator("mo-02").unwrap();
    assert_eq!(mo.code.as_deref(), Some("MO-02"));
    assert_eq!(mo.unit, "%");
    assert_eq!(mo.sheet.subsystem.as_deref(), Some("Movilidad"));
    assert_eq!(mo.sheet.baseline_value, Some(68.5));
    assert_eq!(mo.sheet.target, Some(75.0));
    assert_eq!(mo.value(UnitRef::City, 2021), Some(None), "ND in 2021");
    assert_eq!(mo.value(UnitRef::City, 2023), Some(Some(72.27)));
    assert!(mo.sample);
}

const SQUARE_9377: &str =
    "[[4710000,2240000],[4711000,2240000],[4711000,2241000],[4710000,2241000],[4710000,2240000]]";

fn geojson(features: &[(&str, &str)]) -> String {
    let feats: Vec<String> = features
        .iter()
        .map(|(code, ring)| {
            format!(r#"{{"type":"Feature","properties":{{"cod":"{code}","nom":"U{code}"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        feats.join(",")
    )
}

#[test]
fn invalid_geometries_are_repaired_or_rejected_and_the_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let bowtie = "[[4712000,2240000],[4713000,2241000],[4713000,2240000],[4712000,2241000],[4712000,2240000]]";
    let line_like = "[[4714000,2240000],[4715000,2240000],[4714000,2240000],[4714000,2240000]]";
    write(
        &dir.path().join("u.geojson"),
        &geojson(&[
            ("1", SQUARE_9377),
            ("2", bowtie),
            ("", SQUARE_9377),
            ("3", line_like),
        ]),
    );
    write(
        &dir.path().join("u.toml"),
        "[[unit_set]]\nid = \"u\"\ntitle = \"U\"\nsource = \"u.geojson\"\nkey_field = \"cod\"\nname_field = \"nom\"\ncrs = \"EPSG:9377\"\n",
    );
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = &snap.report.unit_sets[0];
    assert_eq!(rep.status, Status::Loaded);
    assert_eq!(rep.repaired.len(), 2, "{rep:?}");
    assert!(
        rep.repaired[0].contains("code 2") && rep.repaired[0].contains("Self-intersection"),
        "{rep:?}"
    );
    assert!(
        rep.rejected.iter().any(|r| r.contains("no value in `cod`")),
        "{rep:?}"
    );
    let set = snap.unit_set("u").unwrap();
    let bow = &set.units[set.find("2").unwrap()];
    assert_eq!(bow.geometry.0.len(), 2, "the bowtie becomes two triangles");
    // 1 km × 1 km in a projected CRS: the geodesic area after reprojection is within 1 %.
    let square = &set.units[set.find("1").unwrap()];
    assert!((square.area_m2 - 1.0e6).abs() < 1.0e4, "{}", square.area_m2);
    assert!(
        square.bbox.min().x < -75.5
            && square.bbox.min().x > -75.7
            && square.bbox.min().y > 6.1
            && square.bbox.min().y < 6.4,
        "CRS override put it in Medellín: {:?}",
        square.bbox
    );
}

#[test]
fn a_source_without_a_crs_and_no_override_is_an_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("u.csv");
    write(&gpkg, "cod,nom,WKT\n1,A,\"POLYGON((0 0,1 0,1 1,0 0))\"\n");
    write(
        &dir.path().join("u.toml"),
        "[[unit_set]]\nid = \"u\"\ntitle = \"U\"\nsource = \"u.csv\"\nkey_field = \"cod\"\nname_field = \"nom\"\n",
    );
    let snap = ingest::load(dir.path(), None).unwrap();
    let err = snap.report.unit_sets[0].error.clone().unwrap();
    assert!(err.contains("u.toml") && err.contains("set `crs`"), "{err}");
}

#[test]
fn the_example_in_the_layer_reference_loads() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/layers.md"))
        .unwrap();
    let example = doc.split("## A complete example").nth(1).unwrap();
    let toml = example
        .split("```toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let dir = layers_copy();
    for f in [
        "medellin.toml",
        "hogares.toml",
        "poblacion.toml",
        "homicidios.toml",
        "bateria-muestra.toml",
        "calculados.toml",
        "ssepot-muestra.toml",
    ] {
        std::fs::remove_file(dir.path().join(f)).unwrap();
    }
    write(&dir.path().join("ejemplo.toml"), toml);
    let snap = ingest::load(dir.path(), None).unwrap();
    assert_eq!(snap.report.error_count(), 0, "{}", snap.report);
    let hogares = snap.indicator("hogares").unwrap();
    let belen = hogares.unit_set.find("16").unwrap();
    assert_eq!(
        hogares.value(UnitRef::Unit(belen), 2023),
        Some(Some(81_186.0))
    );
}
