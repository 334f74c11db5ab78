//! The change log: append-only (the database refuses updates and deletes), one entry per submitted item,
//! transition and technical-sheet change: who, when, what, before, after, why.

use serde::Serialize;

/// One entry of the change log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogEntry {
    pub id: i64,
    /// When (RFC 3339, UTC, from the database clock).
    pub at: String,
    /// Who: the token's label and id.
    pub actor: String,
    /// `office`, `reviewer` or `admin`.
    pub role: String,
    /// The office the item belongs to.
    pub office: Option<String>,
    /// What happened: `reportado` (submitted), or the state an item moved to.
    pub action: String,
    pub submission: Option<i64>,
    pub item: Option<i64>,
    pub indicator: Option<String>,
    pub territory: Option<String>,
    pub year: Option<i32>,
    /// The technical-sheet field, for sheet changes.
    pub field: Option<String>,
    /// Before: the served value (submissions) or the previous state (transitions).
    pub before: Option<String>,
    /// After: the submitted value (submissions) or the new state (transitions).
    pub after: Option<String>,
    /// Why: the reason of a return, the justification of a sheet change.
    pub why: Option<String>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub office: Option<String>,
    pub indicator: Option<String>,
}

/// A value as the log writes it: the number, or `ND`.
pub fn value_text(v: Option<f64>) -> String {
    v.map_or_else(|| crate::format::ND.to_string(), |v| v.to_string())
}

/// The log as CSV (UTF-8, comma-separated, a header row).
pub fn to_csv(entries: &[LogEntry]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "at",
        "actor",
        "role",
        "office",
        "action",
        "submission",
        "item",
        "indicator",
        "territory",
        "year",
        "field",
        "before",
        "after",
        "why",
    ])
    .map_err(|e| e.to_string())?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for e in entries {
        w.write_record([
            e.id.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.role.clone(),
            opt(&e.office),
            e.action.clone(),
            num(e.submission),
            num(e.item),
            opt(&e.indicator),
            opt(&e.territory),
            num(e.year.map(i64::from)),
            opt(&e.field),
            opt(&e.before),
            opt(&e.after),
            opt(&e.why),
        ])
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
