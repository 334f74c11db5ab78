//! Technical sheets (fichas técnicas) as documents and tables: the list, one indicator's sheet with its
//! diagnosis, change log and progress, and the report's annex (the battery with physical and percentage
//! progress per year, `ND` where not reported).

use super::dashboards::no_geometry;
use super::progress::measure::{direction, final_target, of_value, target, target_words};
use crate::config::Direction;
use crate::features::download::{Kind, Table, Value as Cell};
use crate::model::{Indicator, Snapshot, UnitRef};
use crate::ssepot::progress::PREFIX;
use serde_json::{json, Value};

/// Spanish word for a direction.
pub fn direction_text(d: Direction) -> &'static str {
    match d {
        Direction::Higher => "creciente (más es mejor)",
        Direction::Lower => "decreciente (menos es mejor)",
    }
}

/// Indicators that have a sheet page: all but the derived progress collections.
pub fn sheet_indicators(snapshot: &Snapshot) -> impl Iterator<Item = &std::sync::Arc<Indicator>> {
    snapshot
        .indicators
        .iter()
        .filter(|i| !i.id.starts_with(PREFIX))
}

fn code(ind: &Indicator) -> String {
    ind.code.clone().unwrap_or_else(|| ind.id.clone())
}

/// One entry of `/indicators`.
pub fn summary(ind: &Indicator) -> Value {
    json!({
        "id": ind.id,
        "code": code(ind),
        "name": ind.name,
        "unit": ind.unit,
        "sample": ind.sample,
        "direction_text": direction_text(direction(&ind.sheet)),
        "sheet": ind.sheet,
        "links": {
            "sheet": format!("/indicators/{}", ind.id),
            "collection": format!("/collections/{}", ind.id),
        },
    })
}

/// Why each ND value is ND, by (normalised territory key, year), in words: the reporting cycle's causes
/// (`store::cycle::nd_cause`), which the HTTP layer reads from the store. Empty without a store.
pub type NdCauses = std::collections::HashMap<(String, i32), String>;

/// The full sheet of an indicator.
pub fn sheet_doc(snapshot: &Snapshot, ind: &Indicator, causes: &NdCauses) -> Value {
    let s = &snapshot.ssepot;
    let c = code(ind);
    let diagnosis = s.diagnosis.iter().find(|d| d.code.eq_ignore_ascii_case(&c));
    let changes: Vec<_> = s
        .changes
        .iter()
        .filter(|x| x.code.eq_ignore_ascii_case(&c))
        .collect();
    let subsystem = ind.sheet.subsystem.as_ref().map(|name| {
        let system = s
            .subsystems
            .iter()
            .find(|x| &x.name == name)
            .map(|x| x.system.clone());
        json!({"name": name, "system": system, "href": format!("/ssepot/subsistemas?f=html#sub-{}", slug(name))})
    });
    let progress_map = snapshot
        .indicator(&format!("{PREFIX}{}", ind.id))
        .map(|p| p.id.clone());
    let (_, rows) = super::dashboards::plain_rows(&progress_table(snapshot, ind, causes));
    json!({
        "id": ind.id,
        "code": c,
        "name": ind.name,
        "unit": ind.unit,
        "description": ind.description,
        "sample": ind.sample,
        "attribution": ind.attribution,
        "direction": direction(&ind.sheet),
        "sheet": ind.sheet,
        // Where territories have baselines of their own, each one's progress is measured from it.
        "territory_baselines": ind
            .baselines
            .iter()
            .map(|(u, b)| json!({"code": ind.unit_set.unit(*u).code, "value": b}))
            .collect::<Vec<_>>(),
        "final_target": final_target(&ind.sheet).map(|(y, v)| json!({"year": y, "value": v})),
        // The target progress is measured against, by the layer file's rule, and the rule in words.
        "progress_target": snapshot.ssepot.progress.as_ref().and_then(|cfg| target(&ind.sheet, cfg)).map(|(y, v)| json!({"year": y, "value": v})),
        "progress_rule": snapshot.ssepot.progress.as_ref().map(target_words),
        "subsystem": subsystem,
        "diagnosis": diagnosis,
        "changes": changes,
        "progress_map": progress_map,
        "progress_columns": ["codigo", "territorio", "anio", "valor", "avance_pct", "banda", "causa_nd", "tipo_valor"],
        "progress": rows,
        "links": {
            "collection": format!("/collections/{}", ind.id),
            "map": format!("/map/#ind={}", ind.id),
        },
    })
}

/// `Espacio Público` → `espacio-publico` (anchors).
pub fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => '-',
        })
        .collect()
}

/// Every value of an indicator with its physical and percentage progress and band, and an ND's cause.
pub fn progress_table(snapshot: &Snapshot, ind: &Indicator, causes: &NdCauses) -> Table {
    let rows = ind
        .observations
        .iter()
        .map(|o| {
            let unit = ind.unit_set.unit(o.unit);
            let p = of_value(snapshot, ind, o.unit, o.value);
            let row = vec![
                Cell::Text(unit.code.clone()),
                Cell::Text(unit.name.clone()),
                Cell::Int(o.year.into()),
                Cell::Num(o.value),
                Cell::Num(
                    p.as_ref()
                        .and_then(|p| p.percent)
                        .map(|v| crate::ssepot::round(v, 2)),
                ),
                Cell::Text(
                    p.and_then(|p| p.band)
                        .unwrap_or_else(|| crate::format::ND.into()),
                ),
                Cell::Text(
                    o.value
                        .is_none()
                        .then(|| causes.get(&(crate::model::normalize_key(&unit.code), o.year)))
                        .flatten()
                        .cloned()
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    crate::model::value_kind::of(&ind.sheet, o.year)
                        .map(|k| k.as_str().to_string())
                        .unwrap_or_default(),
                ),
            ];
            (row, no_geometry())
        })
        .collect();
    Table {
        name: format!("{}_avance", ind.id),
        title: format!("{}: avance frente a la meta", ind.name),
        columns: [
            ("codigo", Kind::Text),
            ("territorio", Kind::Text),
            ("anio", Kind::Int),
            ("valor", Kind::Num),
            ("avance_pct", Kind::Num),
            ("banda", Kind::Text),
            ("causa_nd", Kind::Text),
            ("tipo_valor", Kind::Text),
        ]
        .map(|(n, k)| (n.to_string(), k))
        .to_vec(),
        rows,
    }
}

const SHEET_COLUMNS: &[(&str, Kind)] = &[
    ("codigo", Kind::Text),
    ("indicador", Kind::Text),
    ("definicion", Kind::Text),
    ("formula", Kind::Text),
    ("variables", Kind::Text),
    ("unidad", Kind::Text),
    ("sentido", Kind::Text),
    ("sistema", Kind::Text),
    ("subsistema", Kind::Text),
    ("dependencia", Kind::Text),
    ("tipo", Kind::Text),
    ("nivel_territorial", Kind::Text),
    ("periodicidad", Kind::Text),
    ("anio_linea_base", Kind::Int),
    ("linea_base", Kind::Num),
    ("metas", Kind::Text),
    ("fuentes", Kind::Text),
    ("muestra", Kind::Bool),
];

fn sheet_cells(ind: &Indicator) -> Vec<Cell> {
    let s = &ind.sheet;
    let t = |v: &Option<String>| Cell::Text(v.clone().unwrap_or_default());
    let targets: Vec<String> = s
        .targets
        .iter()
        .map(|t| format!("{}: {}", t.year, crate::ssepot::round(t.value, 2)))
        .collect();
    vec![
        Cell::Text(code(ind)),
        Cell::Text(ind.name.clone()),
        t(&s.definition),
        t(&s.formula),
        t(&s.variables),
        Cell::Text(ind.unit.clone()),
        Cell::Text(
            match direction(s) {
                Direction::Higher => "creciente",
                Direction::Lower => "decreciente",
            }
            .into(),
        ),
        t(&s.system),
        t(&s.subsystem),
        t(&s.office),
        t(&s.kind),
        t(&s.territorial_level),
        t(&s.periodicity),
        s.baseline_year
            .map_or(Cell::Text(String::new()), |y| Cell::Int(y.into())),
        Cell::Num(s.baseline_value),
        Cell::Text(targets.join("; ")),
        t(&s.sources),
        Cell::Bool(ind.sample),
    ]
}

fn columns(cols: &[(&str, Kind)]) -> Vec<(String, Kind)> {
    cols.iter().map(|(n, k)| (n.to_string(), *k)).collect()
}

/// The sheets of the given indicators, one row each.
pub fn sheets_table<'a>(
    inds: impl Iterator<Item = &'a std::sync::Arc<Indicator>>,
    name: &str,
) -> Table {
    Table {
        name: name.into(),
        title: "Fichas técnicas de los indicadores (las de la muestra sintética dicen muestra = sí). Descargado de ssepot.".into(),
        columns: columns(SHEET_COLUMNS),
        rows: inds.map(|i| (sheet_cells(i), no_geometry())).collect(),
    }
}

/// The report's annex: every battery indicator (those with a code) by territory, its sheet, and its value
/// (physical progress) and percentage progress for each annex year; `ND` where not reported.
pub fn annex_table(snapshot: &Snapshot) -> Option<Table> {
    let cfg = snapshot.ssepot.progress.as_ref()?;
    let years: Vec<i32> = (cfg.annex_years[0]..=cfg.annex_years[1]).collect();
    let mut cols = columns(SHEET_COLUMNS);
    cols.insert(2, ("codigo_territorio".into(), Kind::Text));
    cols.insert(3, ("territorio".into(), Kind::Text));
    cols.extend(
        years
            .iter()
            .map(|y| (format!("avance_fisico_{y}"), Kind::Num)),
    );
    cols.extend(years.iter().map(|y| (format!("avance_pct_{y}"), Kind::Num)));
    let mut rows = Vec::new();
    let mut sample = false;
    for ind in sheet_indicators(snapshot).filter(|i| i.code.is_some()) {
        sample |= ind.sample;
        let mut units: Vec<UnitRef> = ind.observations.iter().map(|o| o.unit).collect();
        units.sort();
        units.dedup();
        for at in units {
            let unit = ind.unit_set.unit(at);
            let mut row = sheet_cells(ind);
            row.insert(2, Cell::Text(unit.code.clone()));
            row.insert(3, Cell::Text(unit.name.clone()));
            let values: Vec<Option<f64>> =
                years.iter().map(|y| ind.value(at, *y).flatten()).collect();
            row.extend(values.iter().map(|v| Cell::Num(*v)));
            row.extend(values.iter().map(|v| {
                Cell::Num(
                    of_value(snapshot, ind, at, *v)
                        .and_then(|p| p.percent)
                        .map(|p| crate::ssepot::round(p, 2)),
                )
            }));
            rows.push((row, no_geometry()));
        }
    }
    let label = if sample {
        format!(" — {}", crate::features::collection::SAMPLE_LABEL)
    } else {
        String::new()
    };
    Some(Table {
        name: "anexo_bateria".into(),
        title: format!(
            "Anexo: batería de indicadores con avance físico y porcentual {}–{}{label}. ND: no reportado o no validado. Descargado de ssepot.",
            years[0],
            years[years.len() - 1]
        ),
        columns: cols,
        rows,
    })
}
