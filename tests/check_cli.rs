//! `ssepot check`: the import report, and clear errors for broken layer files and tables.

mod common;

use common::layers_copy;
use std::path::Path;
use std::process::Command;

fn check(dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .arg("check")
        .arg(dir)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The summary's counts are what the report lists: one `ERROR` line per error, one `warning:` per warning.
fn assert_counts_match_the_listing(out: &str) {
    let listed_errors = out
        .lines()
        .filter(|l| l.starts_with("ERROR ") || l.contains(" ERROR ("))
        .count();
    let listed_warnings = out.matches("warning:").count();
    let summary = format!("{listed_errors} errors, {listed_warnings} warnings");
    assert!(
        out.lines().any(|l| l == summary),
        "expected `{summary}`:\n{out}"
    );
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_demo_checks_clean_and_prints_the_report() {
    let (ok, out) = check(&common::layers_dir());
    assert!(ok, "{out}");
    assert!(
        out.contains("comunas      21 features, CRS EPSG:9377"),
        "{out}"
    );
    assert!(
        out.contains("poblacion    26 rows, 273 values, 0 ND, years 2018–2030, 1 skipped"),
        "{out}"
    );
    assert!(
        out.contains("ep-01        21 rows, 188 values, 22 ND"),
        "{out}"
    );
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn a_typo_in_a_field_name_names_the_file_line_and_field() {
    let dir = layers_copy();
    edit(
        &dir.path().join("homicidios.toml"),
        "key_column =",
        "kee_column =",
    );
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(
        out.contains("homicidios.toml:") && out.contains("unknown field `kee_column`"),
        "{out}"
    );
}

#[test]
fn a_missing_table_file_is_named() {
    let dir = layers_copy();
    std::fs::remove_file(
        dir.path()
            .join("data/medellin/homicidios_comuna_anual_2003_2023.csv"),
    )
    .unwrap();
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(
        out.contains("homicidios.toml") && out.contains("homicidios_comuna_anual_2003_2023.csv"),
        "{out}"
    );
    assert!(
        out.contains("poblacion    26 rows"),
        "the other layers still load: {out}"
    );
}

#[test]
fn a_bad_number_names_file_row_and_column() {
    let dir = layers_copy();
    edit(
        &dir.path()
            .join("data/ssepot-muestra/bateria_indicadores_muestra.csv"),
        "3,79;3,97",
        "3,79;3.97",
    );
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(
        out.contains(
            "bateria_indicadores_muestra.csv, row 2, column `2015`: `3.97` is not a number"
        ),
        "{out}"
    );
}

#[test]
fn a_wrong_decimal_separator_in_the_layer_file_is_caught_on_the_first_value() {
    let dir = layers_copy();
    edit(
        &dir.path().join("bateria-muestra.toml"),
        "decimal = \",\"",
        "decimal = \".\"",
    );
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(
        out.contains("is not a number written with decimal `.`"),
        "{out}"
    );
}

#[test]
fn unknown_codes_are_warnings_or_errors_as_the_layer_file_says() {
    let dir = layers_copy();
    let csv = dir
        .path()
        .join("data/medellin/homicidios_comuna_anual_2003_2023.csv");
    let text = std::fs::read_to_string(&csv).unwrap() + "77,2023,5\nMedellín,2023,400\n";
    std::fs::write(&csv, text).unwrap();
    let (ok, out) = check(dir.path());
    assert!(!ok, "homicidios.toml says unmatched = \"error\": {out}");
    assert!(
        out.contains("match no unit of `comunas`: [\"77\", \"Medellín\"]"),
        "{out}"
    );
    // The failed indicator's codes are its error, not warnings as well (it once said "1 errors, 2 warnings"
    // above a single error line).
    assert_counts_match_the_listing(&out);

    edit(
        &dir.path().join("homicidios.toml"),
        "unmatched = \"error\"",
        "unmatched = \"warn\"",
    );
    let (ok, out) = check(dir.path());
    assert!(ok, "{out}");
    assert!(
        out.contains("warning: code `77` matches no unit (rows [443])"),
        "{out}"
    );
    assert!(
        out.contains("warning: code `Medellín` matches no unit (rows [444])"),
        "{out}"
    );
    // The summary counts the warnings it lists (it once said "1 warnings" under three).
    assert_eq!(out.matches("warning:").count(), 2, "{out}");
    assert!(out.contains("0 errors, 2 warnings"), "{out}");
    assert_counts_match_the_listing(&out);
}

#[test]
fn a_unit_set_whose_union_has_no_polygon_of_one_hectare_is_a_report_line_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    // Two 50 m × 50 m blocks (0.25 ha each) in EPSG:9377, 100 m apart.
    let block = |x: u32| {
        format!(
            "[[[{x},2240000],[{},2240000],[{},2240050],[{x},2240050],[{x},2240000]]]",
            x + 50,
            x + 50
        )
    };
    std::fs::write(
        dir.path().join("manzanas.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","properties":{{"cod":"1","nom":"A"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
{{"type":"Feature","properties":{{"cod":"2","nom":"B"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}]}}"#,
            block(4_710_000),
            block(4_710_150)
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("manzanas.toml"),
        "[[unit_set]]\nid = \"manzanas\"\ntitle = \"Manzanas\"\nsource = \"manzanas.geojson\"\nkey_field = \"cod\"\nname_field = \"nom\"\ncrs = \"EPSG:9377\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("manzanas     2 features"), "{text}");
    assert!(
        text.contains("note: the union of all units has no polygon of at least 1 ha"),
        "{text}"
    );
}

#[test]
fn an_unknown_unit_set_and_a_missing_column_are_explained() {
    let dir = layers_copy();
    edit(
        &dir.path().join("hogares.toml"),
        "unit_set = \"comunas\"",
        "unit_set = \"barrios\"",
    );
    edit(
        &dir.path().join("homicidios.toml"),
        "value_column = \"homicidios\"",
        "value_column = \"muertes\"",
    );
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(out.contains("no unit set `barrios` is loaded"), "{out}");
    assert!(
        out.contains("field `value_column`") && out.contains("no column `muertes`"),
        "{out}"
    );
    assert_counts_match_the_listing(&out);
}

#[test]
fn an_id_declared_twice_is_an_error_not_a_silent_replacement() {
    let dir = layers_copy();
    std::fs::copy(
        dir.path().join("homicidios.toml"),
        dir.path().join("homicidios-copia.toml"),
    )
    .unwrap();
    let (ok, out) = check(dir.path());
    assert!(!ok);
    assert!(
        out.contains("indicator id `homicidios` is declared twice"),
        "{out}"
    );
}

#[test]
fn rows_that_look_like_data_below_the_blank_row_a_table_stops_at_are_a_warning() {
    let dir = layers_copy();
    let csv = dir
        .path()
        .join("data/medellin/homicidios_comuna_anual_2003_2023.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    // A blank row as Excel writes it, after spreadsheet row 200: rows 202… are below it.
    lines.insert(200, ",,");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let (ok, out) = check(dir.path());
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!(
            "data ends at blank row 201 (`stop_at_blank_row`), but {} rows (202–{}) below it, {} with codes of \
             `comunas` in `codigo`, are not read",
            total - 200,
            total + 1,
            total - 200
        )),
        "{out}"
    );
    assert!(out.contains("homicidios   199 rows"), "{out}");
    assert_counts_match_the_listing(&out);

    // Rows with no code of the unit set below it (notes, most likely) are a note, not a warning: still said.
    let text = std::fs::read_to_string(&csv).unwrap();
    let notes: String = text
        .lines()
        .take(200)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + ",,\nFuente: MEData,,\nCorte: 2023,,\n";
    std::fs::write(&csv, notes).unwrap();
    let (ok, out) = check(dir.path());
    assert!(ok, "{out}");
    assert!(
        out.contains("note: ") && out.contains("data ends at blank row 201 (`stop_at_blank_row`); 2 rows (202–203) below it, with no code of `comunas`, are not read"),
        "{out}"
    );
    assert_counts_match_the_listing(&out);
}
