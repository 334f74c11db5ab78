//! Reading and checking everything a layers folder declares.
//!
//! Loading never stops at the first problem: each unit set and indicator loads on its own, and what
//! fails is reported. On a reload, what fails now keeps serving what was loaded before
//! ([`Status::ServingPrevious`]), so a broken file never takes data away.

pub mod cells;
mod computed;
mod crosswalk;
mod gdal_layer;
mod gdal_messages;
mod geometry;
mod hierarchy;
mod overlay;
pub mod records;
mod rollup;
mod table;
mod territory;
pub mod values;

/// The import report lives in the model, which keeps it with the snapshot; ingest fills it.
pub use crate::model::report;

use crate::config::{self, BatteryConfig, IndicatorConfig, LayerFile, TechnicalSheet};
use crate::model::{Indicator, Snapshot, UnitRef, UnitSet};
use report::{FileError, ImportReport, IndicatorReport, Status};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use geometry::read_unit_set;

/// Reads one unit set declared in a layer file: [`read_unit_set`], or a cache of its result.
pub type UnitSetReader<'a> =
    &'a mut dyn FnMut(&config::UnitSetConfig, &Path) -> (Option<UnitSet>, report::UnitSetReport);

/// Loads a layers folder. `previous` is the snapshot being served, whose items stand in for any that fail now.
pub fn load(dir: &Path, previous: Option<&Snapshot>) -> Result<Snapshot, String> {
    load_with(dir, previous, &mut read_unit_set)
}

/// [`load`], reading unit sets through `read_sets` (the prepared-snapshot cache reads them from disk).
pub fn load_with(
    dir: &Path,
    previous: Option<&Snapshot>,
    read_sets: UnitSetReader,
) -> Result<Snapshot, String> {
    let files = config::layer_files(dir)
        .map_err(|e| format!("{}: cannot list layer files: {e}", dir.display()))?;
    let mut report = ImportReport {
        layers_dir: dir.to_owned(),
        file_errors: vec![],
        unit_sets: vec![],
        indicators: vec![],
        territory: Default::default(),
    };
    let mut parsed = Vec::new();
    let mut broken_files = Vec::new();
    for file in files {
        match LayerFile::load(&file) {
            Ok(layer) => parsed.push((file, layer)),
            Err(e) => {
                report.file_errors.push(FileError {
                    file: file.clone(),
                    error: e.to_string(),
                });
                broken_files.push(file);
            }
        }
    }

    // Unit sets of layer files that do not parse now keep serving, and indicators can still join to them.
    let mut unit_sets: Vec<Arc<UnitSet>> = previous
        .map(|p| {
            p.unit_sets
                .iter()
                .filter(|s| broken_files.contains(&s.layer_file))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for (file, layer) in &parsed {
        for cfg in &layer.unit_set {
            let started = std::time::Instant::now();
            let (set, mut rep) = read_sets(cfg, file);
            tracing::info!(
                "unit set `{}`: {} units in {:.0?}",
                cfg.id,
                rep.features,
                started.elapsed()
            );
            let set = set.map(Arc::new).or_else(|| {
                let old = previous.and_then(|p| p.unit_set(&cfg.id)).cloned()?;
                rep.status = Status::ServingPrevious;
                rep.features = old.units.len();
                Some(old)
            });
            if let Some(set) = set {
                if unit_sets.iter().any(|u| u.id == set.id) {
                    rep.status = Status::Failed;
                    rep.error = Some(format!(
                        "{}: unit set id `{}` is declared twice",
                        file.display(),
                        set.id
                    ));
                } else {
                    unit_sets.push(set);
                }
            }
            report.unit_sets.push(rep);
        }
    }

    territory::place_all(&parsed, &mut unit_sets, &mut report.territory);

    let mut indicators: Vec<Arc<Indicator>> = Vec::new();
    let mut parent_rows = std::collections::HashMap::new();
    for (file, layer) in &parsed {
        for cfg in &layer.indicator {
            let mut rows = None;
            let (ind, mut rep) = load_indicator(cfg, file, &unit_sets, &mut rows);
            if let (Some(rows), Some(ind)) = (rows, &ind) {
                territory::check_parent_rows(ind, &rows, &unit_sets, &mut report.territory);
                parent_rows.insert(cfg.id.clone(), rows);
            }
            let ind = ind.or_else(|| previous.and_then(|p| p.indicator(&cfg.id)).cloned());
            rep.status = Some(match (&rep.error, &ind) {
                (None, _) => Status::Loaded,
                (Some(_), Some(_)) => Status::ServingPrevious,
                (Some(_), None) => Status::Failed,
            });
            add_indicators(ind, &mut indicators, rep, &mut report);
        }
        for cfg in &layer.battery {
            let (inds, reps) = load_battery(cfg, file, &unit_sets);
            let failed = inds.is_none();
            for (ind, rep) in inds
                .unwrap_or_default()
                .into_iter()
                .zip(reps.iter().cloned())
            {
                add_indicators(Some(ind), &mut indicators, rep, &mut report);
            }
            if failed {
                report.indicators.extend(reps);
                let table = resolve(file, &cfg.table.path);
                carry_over(previous, file, &mut indicators, &mut report, |i| {
                    i.table == table
                });
            }
        }
    }
    for file in &broken_files {
        carry_over(previous, file, &mut indicators, &mut report, |_| true);
    }
    load_computed(&parsed, previous, &mut indicators, &unit_sets, &mut report);
    territory::rollups(
        &parsed,
        &parent_rows,
        &mut indicators,
        &unit_sets,
        &mut report.territory,
        &mut report.indicators,
    );
    let crosswalks = territory::crosswalks(&parsed, &unit_sets, &mut report.territory);
    let ssepot = load_ssepot(&parsed, previous, &mut indicators, &mut report);
    let web_map = web_map(&parsed, &broken_files, previous, &mut report);

    Ok(Snapshot {
        version: previous.map_or(1, |p| p.version + 1),
        loaded_at: now_rfc3339(),
        layers_dir: dir.to_owned(),
        unit_sets,
        indicators,
        report,
        ssepot,
        web_map,
        crosswalks,
    })
}

/// The `[web_map]` section (the first file that has one; a second is reported and ignored). While a layer file
/// does not parse, the settings loaded before stay, as its other items do.
fn web_map(
    parsed: &[(PathBuf, LayerFile)],
    broken_files: &[PathBuf],
    previous: Option<&Snapshot>,
    report: &mut ImportReport,
) -> config::WebMapConfig {
    let mut sections = parsed
        .iter()
        .filter_map(|(f, l)| l.web_map.as_ref().map(|w| (f, w)));
    let Some((file, cfg)) = sections.next() else {
        return match (previous, broken_files.is_empty()) {
            (Some(p), false) => p.web_map.clone(),
            _ => config::WebMapConfig::default(),
        };
    };
    for (other, _) in sections {
        report.file_errors.push(FileError {
            file: other.clone(),
            error: format!(
                "{}: a second `[web_map]` section is ignored; {} declares it",
                other.display(),
                file.display()
            ),
        });
    }
    cfg.clone()
}

/// The `[ssepot]` section (the first file that has one): its tables, and its technical sheets merged into
/// the indicators' sheets. If its tables fail, the previous ones keep serving and the error is reported.
fn load_ssepot(
    parsed: &[(PathBuf, LayerFile)],
    previous: Option<&Snapshot>,
    indicators: &mut Vec<Arc<Indicator>>,
    report: &mut ImportReport,
) -> Arc<crate::ssepot::Ssepot> {
    let mut sections = parsed
        .iter()
        .filter_map(|(f, l)| l.ssepot.as_ref().map(|s| (f, s)));
    let Some((file, cfg)) = sections.next() else {
        return Arc::default();
    };
    for (other, _) in sections {
        report.file_errors.push(FileError {
            file: other.clone(),
            error: format!(
                "{}: a second `[ssepot]` section is ignored; {} declares it",
                other.display(),
                file.display()
            ),
        });
    }
    match crate::ssepot::read::read(cfg, file) {
        Ok((domain, sheets)) => {
            for ind in indicators.iter_mut() {
                let key = ind.code.as_deref().unwrap_or(&ind.id).to_lowercase();
                if let Some(extra) = sheets.get(&key) {
                    let mut merged = (**ind).clone();
                    merged.sheet = crate::ssepot::read::merge_sheet(&ind.sheet, extra);
                    *ind = Arc::new(merged);
                }
            }
            if let Some(p) = &domain.progress {
                crate::ssepot::progress::collections::add_progress(indicators, p);
            }
            Arc::new(domain)
        }
        Err(e) => {
            report.file_errors.push(FileError {
                file: file.clone(),
                error: format!("{}: [ssepot]: {e}", file.display()),
            });
            previous.map(|p| p.ssepot.clone()).unwrap_or_default()
        }
    }
}

/// `[[computed]]` indicators, in file order, from the indicators loaded so far (earlier computed ones too).
fn load_computed(
    parsed: &[(PathBuf, LayerFile)],
    previous: Option<&Snapshot>,
    indicators: &mut Vec<Arc<Indicator>>,
    unit_sets: &[Arc<UnitSet>],
    report: &mut ImportReport,
) {
    for (file, layer) in parsed {
        for cfg in &layer.computed {
            let mut rep = IndicatorReport {
                id: cfg.id.clone(),
                file: file.to_owned(),
                table: file.to_owned(),
                ..Default::default()
            };
            let ind = match computed::build(cfg, file, indicators, unit_sets) {
                Ok(ind) => {
                    rep.values = ind
                        .observations
                        .iter()
                        .filter(|o| o.value.is_some())
                        .count();
                    rep.nd = ind.observations.len() - rep.values;
                    rep.years = ind
                        .years()
                        .first()
                        .zip(ind.years().last())
                        .map(|(a, b)| [*a, *b]);
                    rep.status = Some(Status::Loaded);
                    Some(Arc::new(ind))
                }
                Err(e) => {
                    rep.error = Some(format!("{}: computed `{}`: {e}", file.display(), cfg.id));
                    let old = previous.and_then(|p| p.indicator(&cfg.id)).cloned();
                    rep.status = Some(if old.is_some() {
                        Status::ServingPrevious
                    } else {
                        Status::Failed
                    });
                    old
                }
            };
            add_indicators(ind, indicators, rep, report);
        }
    }
}

/// Adds an indicator and its report; an id already taken is an error, not a silent replacement.
fn add_indicators(
    ind: Option<Arc<Indicator>>,
    out: &mut Vec<Arc<Indicator>>,
    mut rep: IndicatorReport,
    report: &mut ImportReport,
) {
    if let Some(ind) = ind {
        if out.iter().any(|i| i.id == ind.id) {
            rep.status = Some(Status::Failed);
            rep.error = Some(format!(
                "{}: indicator id `{}` is declared twice (also in {})",
                rep.file.display(),
                ind.id,
                out.iter()
                    .find(|i| i.id == ind.id)
                    .map(|i| i.layer_file.display().to_string())
                    .unwrap_or_default()
            ));
        } else {
            out.push(ind);
        }
    }
    report.indicators.push(rep);
}

/// Keeps the previous snapshot's indicators declared in `file` that are not loaded now.
fn carry_over(
    previous: Option<&Snapshot>,
    file: &Path,
    out: &mut Vec<Arc<Indicator>>,
    report: &mut ImportReport,
    keep: impl Fn(&Indicator) -> bool,
) {
    let Some(p) = previous else { return };
    for old in p
        .indicators
        .iter()
        // Progress maps are made again from the indicators kept.
        .filter(|i| {
            i.layer_file == file && keep(i) && !i.id.starts_with(crate::ssepot::progress::PREFIX)
        })
    {
        if out.iter().any(|i| i.id == old.id) {
            continue;
        }
        out.push(old.clone());
        match report.indicators.iter_mut().find(|r| r.id == old.id) {
            Some(r) => r.status = Some(Status::ServingPrevious),
            None => report.indicators.push(IndicatorReport {
                id: old.id.clone(),
                file: file.to_owned(),
                table: old.table.clone(),
                status: Some(Status::ServingPrevious),
                error: Some(format!(
                    "{}: the layer file failed to load; serving the data loaded before",
                    file.display()
                )),
                ..Default::default()
            }),
        }
    }
}

fn resolve(file: &Path, p: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(p)
}

pub(crate) fn find_set(
    unit_sets: &[Arc<UnitSet>],
    id: &str,
    file: &Path,
) -> Result<Arc<UnitSet>, String> {
    unit_sets
        .iter()
        .find(|u| u.id == id)
        .cloned()
        .ok_or_else(|| {
            let known: Vec<&str> = unit_sets.iter().map(|u| u.id.as_str()).collect();
            format!(
                "{}: field `unit_set`: no unit set `{id}` is loaded; loaded are {known:?}",
                file.display()
            )
        })
}

fn load_indicator(
    cfg: &IndicatorConfig,
    file: &Path,
    unit_sets: &[Arc<UnitSet>],
    parent_rows: &mut Option<rollup::ParentRows>,
) -> (Option<Arc<Indicator>>, IndicatorReport) {
    let table_path = resolve(file, &cfg.table.path);
    let mut rep = IndicatorReport {
        id: cfg.id.clone(),
        file: file.to_owned(),
        table: table_path.clone(),
        ..Default::default()
    };
    let result = (|| {
        let set = find_set(unit_sets, &cfg.unit_set, file)?;
        let grid = read_table_grid(&table_path, &cfg.table, "table")?;
        let table = table::Table::new(&grid, &cfg.table, &table_path);
        let observations = table::observations(&table, &table.rows, &cfg.table, &set, &mut rep)?;
        below_blank_remark(table::below_blank(&table, &cfg.table, &set)?, &mut rep);
        if let Some(column) = &cfg.table.parent_column {
            *parent_rows = Some(territory::parent_rows(&table, &cfg.table, &set, column)?);
        }
        Ok::<_, String>(Indicator {
            id: cfg.id.clone(),
            code: None,
            name: cfg.name.clone(),
            unit: cfg.unit.clone(),
            description: cfg.description.clone(),
            attribution: cfg.attribution.clone(),
            sample: cfg.sample,
            sheet: cfg.sheet.clone(),
            style: cfg.style.clone(),
            layer_file: file.to_owned(),
            table: table_path.clone(),
            unit_set: set,
            observations,
            baselines: Vec::new(),
        })
    })();
    match result {
        Ok(ind) => (Some(Arc::new(ind)), rep),
        Err(e) => {
            rep.error = Some(if e.starts_with(&*file.to_string_lossy()) {
                e
            } else {
                format!("{}: indicator `{}`: {e}", file.display(), cfg.id)
            });
            (None, rep)
        }
    }
}

/// Reads a table's grid; an error names the layer-file field at fault: `{prefix}.sheet` for a sheet or layer the
/// file does not have (the message lists those it has), else `{prefix}.path`.
fn read_table_grid(
    path: &Path,
    cfg: &config::TableSource,
    prefix: &str,
) -> Result<cells::Grid, String> {
    cells::read_grid(path, cfg.sheet.as_deref(), cfg.delimiter).map_err(|e| {
        let missing_sheet = e.starts_with("no sheet `") || e.starts_with("no layer `");
        let field = if missing_sheet { "sheet" } else { "path" };
        format!("field `{prefix}.{field}`: {}: {e}", path.display())
    })
}

/// Puts what a table says of its rows below a blank row into the report: a warning or a note.
fn below_blank_remark(remark: Option<table::BelowBlank>, rep: &mut IndicatorReport) {
    match remark {
        Some(table::BelowBlank::Warning(w)) => rep.warnings.push(w),
        Some(table::BelowBlank::Note(n)) => rep.notes.push(n),
        None => {}
    }
}

/// A battery is all-or-nothing: a broken battery table keeps every indicator it declared before.
fn load_battery(
    cfg: &BatteryConfig,
    file: &Path,
    unit_sets: &[Arc<UnitSet>],
) -> (Option<Vec<Arc<Indicator>>>, Vec<IndicatorReport>) {
    let table_path = resolve(file, &cfg.table.path);
    let mut reports = Vec::new();
    let result = (|| {
        let set = find_set(unit_sets, &cfg.unit_set, file)?;
        let grid = read_table_grid(&table_path, &cfg.table, "battery.table")?;
        let table = table::Table::new(&grid, &cfg.table, &table_path);
        let below_blank = table::below_blank(&table, &cfg.table, &set)?;
        let c = &cfg.columns;
        let id_col = table.column(&c.id, "columns.id")?;
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut order = Vec::new();
        for &row in &table.rows {
            let code = table.cell(row, id_col).text();
            if !groups.contains_key(&code) {
                order.push(code.clone());
            }
            groups.entry(code).or_default().push(row);
        }
        let mut out = Vec::new();
        for code in order {
            let rows = &groups[&code];
            let id = code.to_lowercase();
            if !config::is_valid_id(&id) {
                return Err(format!(
                    "{}, row {}: indicator code `{code}` cannot be a collection id",
                    table_path.display(),
                    rows[0]
                ));
            }
            let mut rep = IndicatorReport {
                id: id.clone(),
                file: file.to_owned(),
                table: table_path.clone(),
                ..Default::default()
            };
            let observations = table::observations(&table, rows, &cfg.table, &set, &mut rep)?;
            let first = rows[0];
            let text = |col: &Option<String>, field: &str| -> Result<Option<String>, String> {
                col.as_deref()
                    .map(|name| {
                        table
                            .column(name, field)
                            .map(|c| table.cell(first, c).text())
                    })
                    .transpose()
            };
            let number = |col: &Option<String>, field: &str| -> Result<Option<f64>, String> {
                let Some(name) = col.as_deref() else {
                    return Ok(None);
                };
                let c = table.column(name, field)?;
                values::parse_value(table.cell(first, c), &cfg.table.values)
                    .map_err(|e| format!("{}: {e}", table.at(first, c)))
            };
            let baselines = battery_baselines(&table, rows, &cfg.table, c, &set)?;
            let target = number(&c.target, "columns.target")?;
            let (baseline_value, direction) = sheet_baseline(&baselines, target);
            let sheet = TechnicalSheet {
                system: text(&c.system, "columns.system")?,
                subsystem: text(&c.subsystem, "columns.subsystem")?,
                office: text(&c.office, "columns.office")?,
                kind: text(&c.kind, "columns.kind")?,
                baseline_year: number(&c.baseline_year, "columns.baseline_year")?.map(|y| y as i32),
                baseline_value,
                direction,
                target,
                target_year: c.target_year,
                ..Default::default()
            };
            rep.status = Some(Status::Loaded);
            reports.push(rep);
            out.push(Arc::new(Indicator {
                id,
                code: Some(code),
                name: text(&Some(c.name.clone()), "columns.name")?.unwrap_or_default(),
                unit: text(&Some(c.unit.clone()), "columns.unit")?.unwrap_or_default(),
                description: String::new(),
                attribution: cfg.attribution.clone(),
                sample: cfg.sample,
                sheet,
                style: cfg.style.clone(),
                layer_file: file.to_owned(),
                table: table_path.clone(),
                unit_set: set.clone(),
                observations,
                baselines: baselines
                    .into_iter()
                    .filter(|(u, _)| *u != UnitRef::City)
                    .collect(),
            }));
        }
        if let Some(first) = reports.first_mut() {
            below_blank_remark(below_blank, first);
        }
        Ok::<_, String>(out)
    })();
    match result {
        Ok(inds) => (Some(inds), reports),
        Err(e) => {
            let rep = IndicatorReport {
                id: format!("battery:{}", cfg.table.path.display()),
                file: file.to_owned(),
                table: table_path,
                error: Some(format!("{}: battery: {e}", file.display())),
                status: Some(Status::Failed),
                ..Default::default()
            };
            (None, vec![rep])
        }
    }
}

pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The `Línea base` of every row of one battery indicator, by territory: each territory's progress is measured
/// from its own baseline.
fn battery_baselines(
    table: &table::Table,
    rows: &[usize],
    source: &config::TableSource,
    columns: &config::BatteryColumns,
    set: &UnitSet,
) -> Result<Vec<(UnitRef, f64)>, String> {
    let Some(name) = columns.baseline_value.as_deref() else {
        return Ok(Vec::new());
    };
    let value_col = table.column(name, "columns.baseline_value")?;
    let key_col = table.column(&source.key_column, "key_column")?;
    let keys = table::KeyRule::new(source)?;
    let mut out = Vec::new();
    for &row in rows {
        let Some(unit) = keys.unit(&table.cell(row, key_col).text(), set) else {
            continue; // reported as unmatched by `observations`
        };
        let value = values::parse_value(table.cell(row, value_col), &source.values)
            .map_err(|e| format!("{}: {e}", table.at(row, value_col)))?;
        if let Some(v) = value {
            out.push((unit, v));
        }
    }
    Ok(out)
}

/// The baseline a battery indicator's sheet shows: the city row's, else the one every territory shares; `None`
/// when territories have baselines of their own. With territorial baselines only, the direction (higher or
/// lower is better) is read from where the target lies from them, as it is from a single baseline.
fn sheet_baseline(
    baselines: &[(UnitRef, f64)],
    target: Option<f64>,
) -> (Option<f64>, Option<config::Direction>) {
    if let Some((_, b)) = baselines.iter().find(|(u, _)| *u == UnitRef::City) {
        return (Some(*b), None);
    }
    let first = baselines.first().map(|(_, b)| *b);
    if baselines.iter().all(|(_, b)| Some(*b) == first) {
        return (first, None);
    }
    let direction = target.map(|t| {
        let mean = baselines.iter().map(|(_, b)| b).sum::<f64>() / baselines.len() as f64;
        if t < mean {
            config::Direction::Lower
        } else {
            config::Direction::Higher
        }
    });
    (None, direction)
}
