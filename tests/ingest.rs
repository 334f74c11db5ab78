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

/// Inserts `line` after line `after` (1-based) of a text file, keeping its byte-order mark and line ends.
fn insert_line(path: &Path, after: usize, line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(after, line);
    write(path, &(lines.join("\n") + "\n"));
}

#[test]
fn blank_separator_rows_in_the_ssepot_tables_do_not_end_them() {
    let dir = layers_copy();
    let data = dir.path().join("data/ssepot-muestra");
    let before = ingest::load(dir.path(), None).unwrap();
    // Offices group their rows with blank lines: `;;;` rows as Excel saves them, or truly empty ones.
    insert_line(&data.join("compromisos_muestra.csv"), 40, ";;;;;;;;;;;;;");
    insert_line(&data.join("compromisos_muestra.csv"), 80, "");
    insert_line(&data.join("subsistemas_muestra.csv"), 5, ";;;;");
    insert_line(&data.join("relacion_pdd_pot_muestra.csv"), 100, ";");
    let after = ingest::load(dir.path(), None).unwrap();
    assert!(after.report.file_errors.is_empty(), "{}", after.report);

    let commitments = |s: &ssepot::model::Snapshot| -> Vec<String> {
        let c = s.ssepot.commitments.as_ref().unwrap();
        c.items.iter().map(|c| c.id.clone()).collect()
    };
    assert_eq!(commitments(&before).len(), 100);
    assert_eq!(commitments(&after), commitments(&before));
    let subsystems = |s: &ssepot::model::Snapshot| {
        s.ssepot
            .subsystems
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(subsystems(&before).len(), 20);
    assert_eq!(subsystems(&after), subsystems(&before));
    let relation = |s: &ssepot::model::Snapshot| s.ssepot.pdd.as_ref().unwrap().relation.clone();
    assert_eq!(relation(&before).len(), 209);
    assert_eq!(relation(&after), relation(&before));
}

#[test]
fn a_note_below_a_blank_row_of_an_ssepot_table_is_an_error_naming_file_and_row() {
    let dir = layers_copy();
    let csv = dir
        .path()
        .join("data/ssepot-muestra/subsistemas_muestra.csv");
    insert_line(&csv, 21, "");
    insert_line(&csv, 22, "Fuente: DAP, informe de gestión;;;;");
    let snap = ingest::load(dir.path(), None).unwrap();
    let errors: Vec<&str> = snap
        .report
        .file_errors
        .iter()
        .map(|e| e.error.as_str())
        .collect();
    assert!(
        errors.iter().any(
            |e| e.contains("subsistemas_muestra.csv, row 23, column `Subsistema`")
                && e.contains("blank row")
        ),
        "{errors:?}"
    );
}

#[test]
fn a_windows_1252_csv_keeps_dashes_euros_and_curly_quotes() {
    let dir = layers_copy();
    let names = dir.path().join("data/medellin/nombres_territorios.csv");
    let text = std::fs::read_to_string(&names).unwrap();
    let text = text
        .trim_start_matches('\u{feff}')
        .replace("Popular", "Popular – “Nororiental” €");
    // Excel's "CSV" in a Spanish locale: Windows-1252, where – “ ” € are 0x96 0x93 0x94 0x80.
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '–' => 0x96,
            '“' => 0x93,
            '”' => 0x94,
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u8,
            c => panic!("{c} is not in Windows-1252 here"),
        })
        .collect();
    std::fs::write(&names, bytes).unwrap();
    let snap = ingest::load(dir.path(), None).unwrap();
    let set = snap.unit_set("comunas").unwrap();
    let popular = &set.units[set.find("1").unwrap()];
    assert!(
        popular.name.contains("Popular – “Nororiental” €"),
        "{}",
        popular.name
    );
    let belen = &set.units[set.find("16").unwrap()];
    assert_eq!(belen.name, "Belén", "Latin-1 letters stay what they were");
}

fn area_only(years: &str) -> String {
    format!(
        "[[computed]]\nid = \"area_ha\"\nname = \"Área\"\nunit = \"ha\"\nunit_set = \"comunas\"\n\
         formula = \"area_km2 * 100\"\ncity = \"recompute\"\n{years}"
    )
}

#[test]
fn a_computed_indicator_over_area_alone_has_the_years_it_declares() {
    let dir = layers_copy();
    write(
        &dir.path().join("zz-area.toml"),
        &area_only("years = [2020, 2023]\n"),
    );
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = snap
        .report
        .indicators
        .iter()
        .find(|r| r.id == "area_ha")
        .unwrap();
    assert!(rep.error.is_none(), "{}", snap.report);
    let ind = snap.indicator("area_ha").unwrap();
    assert_eq!(ind.years(), vec![2020, 2021, 2022, 2023]);
    let set = &ind.unit_set;
    let belen = set.find("16").unwrap();
    let expected = set.units[belen].area_m2 / 1e4;
    for y in 2020..=2023 {
        let v = ind.value(UnitRef::Unit(belen), y).flatten().unwrap();
        assert!((v - expected).abs() < 1e-6, "{y}: {v} vs {expected}");
    }
    assert_eq!(rep.values, 4 * (set.units.len() + 1), "{}", snap.report);
}

#[test]
fn a_computed_indicator_over_area_alone_without_years_is_an_error_that_says_why() {
    let dir = layers_copy();
    write(&dir.path().join("zz-area.toml"), &area_only(""));
    let snap = ingest::load(dir.path(), None).unwrap();
    let rep = snap.report.indicators.iter().find(|r| r.id == "area_ha");
    let err = rep
        .and_then(|r| r.error.clone())
        .or_else(|| snap.report.file_errors.first().map(|e| e.error.clone()))
        .unwrap_or_else(|| panic!("no error: {}", snap.report));
    assert!(
        err.contains("zz-area.toml")
            && err.contains("field `computed.years`")
            && err.contains("area_km2"),
        "{err}"
    );
    assert!(snap.indicator("area_ha").is_none());
}

#[test]
fn a_names_table_never_blanks_a_name_and_says_which_codes_it_did_not_use() {
    let dir = layers_copy();
    let names = dir.path().join("data/medellin/nombres_territorios.csv");
    let text = std::fs::read_to_string(&names)
        .unwrap()
        .replace("02,Santa Cruz", "02,")
        + "99,Comuna inexistente\n";
    write(&names, &text);
    let snap = ingest::load(dir.path(), None).unwrap();
    let set = snap.unit_set("comunas").unwrap();
    let santa_cruz = &set.units[set.find("2").unwrap()];
    assert!(!santa_cruz.name.is_empty(), "the source's name stays");
    let notes = &snap.report.unit_sets[0].notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("nombres_territorios.csv, row 3: the name of `02` is empty")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("not used: `99` (row 23)")),
        "{notes:?}"
    );
}
