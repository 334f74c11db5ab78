//! Checking submitted rows against the served snapshot and the office's scope, with a report per row.

use super::{sheet, NewItem, NewValue, Principal, Role, SheetChange, StoreError};
use crate::config::ValueFormat;
use crate::ingest::cells::Cell;
use crate::ingest::values::parse_value;
use crate::model::{normalize_key, Indicator, Snapshot};
use serde::Serialize;
use std::collections::HashMap;

/// One row as submitted, before checking.
#[derive(Debug, Clone)]
pub struct RawValue {
    /// 1-based row (spreadsheet row, or position in a JSON list).
    pub row: usize,
    pub indicator: Cell,
    pub territory: Cell,
    pub year: Cell,
    pub value: Cell,
}

/// The names the four fields have in the request (`indicator` in JSON, the column header in a file).
#[derive(Debug, Clone, Copy)]
pub struct FieldNames<'a> {
    pub indicator: &'a str,
    pub territory: &'a str,
    pub year: &'a str,
    pub value: &'a str,
}

pub const JSON_FIELDS: FieldNames<'static> = FieldNames {
    indicator: "indicator",
    territory: "territory",
    year: "year",
    value: "value",
};

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    pub row: usize,
    /// `aceptado` or `rechazado`.
    pub status: &'static str,
    pub indicator: String,
    pub territory: String,
    pub year: Option<i32>,
    /// The value read (`null` for ND), when it could be read.
    pub value: Option<f64>,
    pub nd: bool,
    /// The field at fault, as the request names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The outcome of checking a whole submission.
#[derive(Debug)]
pub struct Checked {
    pub values: Vec<NewValue>,
    pub rows: Vec<RowReport>,
    /// Some row names an indicator outside the office's scope.
    pub forbidden: bool,
    /// Number of rejected rows.
    pub rejected: usize,
}

impl Checked {
    /// The first rejected row, for a one-line description.
    pub fn first_error(&self) -> Option<&RowReport> {
        self.rows.iter().find(|r| r.error.is_some())
    }
}

enum Problem {
    Forbidden(String, String),
    Invalid(String, String),
}

/// Checks every row; the submission may be written only if `rejected == 0`.
pub fn check_values(
    snapshot: &Snapshot,
    who: &Principal,
    raws: &[RawValue],
    format: &ValueFormat,
    names: FieldNames,
) -> Checked {
    let mut seen: HashMap<(String, String, i32), usize> = HashMap::new();
    let mut out = Checked {
        values: vec![],
        rows: vec![],
        forbidden: false,
        rejected: 0,
    };
    for raw in raws {
        let mut report = RowReport {
            row: raw.row,
            status: "aceptado",
            indicator: raw.indicator.text(),
            territory: raw.territory.text(),
            year: None,
            value: None,
            nd: false,
            field: None,
            error: None,
        };
        match check_one(snapshot, who, raw, format, names, &mut report, &mut seen) {
            Ok(v) => out.values.push(v),
            Err(p) => {
                let (field, msg) = match p {
                    Problem::Forbidden(f, m) => {
                        out.forbidden = true;
                        (f, m)
                    }
                    Problem::Invalid(f, m) => (f, m),
                };
                report.status = "rechazado";
                report.field = Some(field);
                report.error = Some(msg);
                out.rejected += 1;
            }
        }
        out.rows.push(report);
    }
    out
}

fn check_one(
    snapshot: &Snapshot,
    who: &Principal,
    raw: &RawValue,
    format: &ValueFormat,
    names: FieldNames,
    report: &mut RowReport,
    seen: &mut HashMap<(String, String, i32), usize>,
) -> Result<NewValue, Problem> {
    let invalid = |f: &str, m: String| Problem::Invalid(f.to_string(), m);
    let wanted = raw.indicator.text();
    let indicator = find_indicator(snapshot, &wanted).ok_or_else(|| {
        invalid(
            names.indicator,
            format!("no indicator `{wanted}` is served (use the collection id, e.g. `homicidios`, or the indicator code)"),
        )
    })?;
    report.indicator = indicator.id.clone();
    if who.role == Role::Office && !who.indicators.contains(&indicator.id) {
        return Err(Problem::Forbidden(
            names.indicator.into(),
            format!(
                "office `{}` does not report indicator `{}`; it reports {:?}",
                who.office.as_deref().unwrap_or_default(),
                indicator.id,
                who.indicators
            ),
        ));
    }
    let territory = territory_key(indicator, &raw.territory.text()).ok_or_else(|| {
        invalid(
            names.territory,
            format!(
                "`{}` is no territory of `{}` (codes like `1`, `01`, `60`, or `{}`)",
                raw.territory.text(),
                indicator.unit_set.id,
                indicator.unit_set.city.code
            ),
        )
    })?;
    let year = parse_year(&raw.year).ok_or_else(|| {
        invalid(
            names.year,
            format!("`{}` is not a year (1800 to 2200)", raw.year.text()),
        )
    })?;
    report.year = Some(year);
    let value = parse_value(&raw.value, format).map_err(|e| invalid(names.value, e))?;
    report.value = value;
    report.nd = value.is_none();
    if let Some(first) = seen.insert((indicator.id.clone(), territory.clone(), year), raw.row) {
        return Err(invalid(
            names.territory,
            format!(
                "`{}` {year} of `{}` is also in row {first}; send each value once",
                raw.territory.text(),
                indicator.id
            ),
        ));
    }
    Ok(NewValue {
        row: raw.row,
        indicator: indicator.id.clone(),
        territory,
        year,
        value,
    })
}

/// An indicator by collection id or by its code, without case.
pub fn find_indicator<'a>(snapshot: &'a Snapshot, wanted: &str) -> Option<&'a Indicator> {
    let wanted = wanted.trim();
    snapshot
        .indicators
        .iter()
        .find(|i| {
            i.id.eq_ignore_ascii_case(wanted)
                || i.code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(wanted))
        })
        .map(|i| &**i)
}

/// The normalised key of a territory of the indicator's unit set, or of the whole city.
pub fn territory_key(indicator: &Indicator, raw: &str) -> Option<String> {
    let key = normalize_key(raw);
    let set = &indicator.unit_set;
    if key == normalize_key(&set.city.code) {
        return Some(key);
    }
    set.find(&key).map(|i| set.units[i].key.clone())
}

fn parse_year(cell: &Cell) -> Option<i32> {
    let y = match cell {
        Cell::Number(n) if n.fract() == 0.0 => *n as i64,
        Cell::Text(t) => t.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    (1800..=2200).contains(&y).then_some(y as i32)
}

/// Checks proposed technical-sheet changes: a served indicator the office reports, a sheet field, a new value
/// that reads as that field's kind (so nothing that passes review is dropped later) and a justification. The
/// error names the change's field (`changes[0].after`) and why.
pub fn check_sheet_changes(
    snapshot: &Snapshot,
    who: &Principal,
    changes: Vec<SheetChange>,
) -> Result<Vec<NewItem>, StoreError> {
    if changes.is_empty() {
        return Err(StoreError::invalid("changes", "the list is empty"));
    }
    let mut items = Vec::with_capacity(changes.len());
    for (i, c) in changes.into_iter().enumerate() {
        let at = |f: &str| format!("changes[{i}].{f}");
        let ind = find_indicator(snapshot, &c.indicator).ok_or_else(|| {
            StoreError::invalid(&at("indicator"), format!("no indicator `{}`", c.indicator))
        })?;
        if !who.indicators.contains(&ind.id) {
            return Err(StoreError::Forbidden(format!(
                "parameter `{}`: office `{}` does not report `{}`",
                at("indicator"),
                who.office.as_deref().unwrap_or_default(),
                ind.id
            )));
        }
        let field = sheet::field(&c.field).ok_or_else(|| {
            StoreError::invalid(
                &at("field"),
                format!(
                    "`{}` is not a sheet field; fields are {:?}",
                    c.field,
                    sheet::names()
                ),
            )
        })?;
        sheet::parse(field, &c.after).map_err(|why| {
            StoreError::invalid(
                &at("after"),
                format!("`{}` ({}): {why}", field.name, field.label),
            )
        })?;
        if c.why.trim().is_empty() {
            return Err(StoreError::invalid(
                &at("why"),
                "a change needs its justification",
            ));
        }
        items.push(NewItem::Sheet(SheetChange {
            indicator: ind.id.clone(),
            ..c
        }));
    }
    Ok(items)
}
