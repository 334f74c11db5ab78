//! Published values laid over the snapshot read from the layers: the published value of a territory and
//! year replaces the layer file's (or adds one where the file has none).
//!
//! Applying the same published values twice gives the same snapshot, so the server lays them over whatever
//! it serves (a fresh reload or the current snapshot) without keeping a copy of the file-only data.

use super::{Published, PublishedSheetChange, PublishedSheetField};
use crate::model::report::FileError;
use crate::model::{normalize_key, Indicator, Observation, Snapshot, UnitRef};
use crate::ssepot::diagnosis::ChangeRecord;
use crate::ssepot::texts::PublishedText;
use std::collections::HashMap;
use std::sync::Arc;

/// The snapshot with `published` laid over it; indicators without published values are shared, not copied.
/// Values of indicators or territories the snapshot no longer has are left out.
pub fn apply(mut snapshot: Snapshot, published: &[Published]) -> Snapshot {
    let mut by_indicator: HashMap<&str, Vec<&Published>> = HashMap::new();
    for p in published {
        by_indicator.entry(&p.indicator).or_default().push(p);
    }
    for slot in &mut snapshot.indicators {
        let Some(values) = by_indicator.get(slot.id.as_str()) else {
            continue;
        };
        let mut ind: Indicator = (**slot).clone();
        let mut changed = false;
        for p in values {
            let Some(unit) = unit_ref(&ind, &p.territory) else {
                continue;
            };
            let obs = Observation {
                unit,
                year: p.year,
                value: p.value,
                row: 0,
            };
            match ind
                .observations
                .binary_search_by(|o| (o.year, o.unit).cmp(&(p.year, unit)))
            {
                Ok(i) if ind.observations[i] == obs => {}
                Ok(i) => {
                    ind.observations[i] = obs;
                    changed = true;
                }
                Err(i) => {
                    ind.observations.insert(i, obs);
                    changed = true;
                }
            }
        }
        if changed {
            *slot = Arc::new(ind);
        }
    }
    snapshot
}

/// The snapshot with published technical-sheet fields laid over it (a DIES-058 change once published). The
/// submission checked each value with the same rule ([`super::sheet::parse`]); one that still does not read
/// (a store written by hand, or by an older ssepot) is not applied, and the import report says so, naming the
/// indicator, the field and why — never dropped without a word.
pub fn apply_sheet(mut snapshot: Snapshot, fields: &[PublishedSheetField]) -> Snapshot {
    let mut problems = Vec::new();
    for slot in &mut snapshot.indicators {
        let mine: Vec<&PublishedSheetField> =
            fields.iter().filter(|f| f.indicator == slot.id).collect();
        if mine.is_empty() {
            continue;
        }
        let mut ind: Indicator = (**slot).clone();
        for f in mine {
            let read = super::sheet::field(&f.field)
                .ok_or_else(|| format!("`{}` is not a sheet field", f.field))
                .and_then(|field| Ok((field, super::sheet::parse(field, &f.value)?)));
            match read {
                Ok((field, value)) => super::sheet::apply(&mut ind, field, value),
                Err(why) => problems.push(FileError {
                    file: ind.layer_file.clone(),
                    error: format!(
                        "published sheet change of `{}`, field `{}` = `{}`, not applied: {why}; the layer file's value is served",
                        ind.id, f.field, f.value
                    ),
                }),
            }
        }
        *slot = Arc::new(ind);
    }
    for p in &problems {
        tracing::warn!("{}", p.error);
    }
    snapshot.report.file_errors.extend(problems);
    snapshot
}

/// The snapshot's DIES-058 change record with the sheet changes published through the store added (after the
/// layer file's rows, in publishing order), so the diagnosis dashboard and the sheets count them. Records of a
/// previous overlay are replaced, never added twice; changes of indicators no longer served are left out.
pub fn apply_sheet_changes(mut snapshot: Snapshot, changes: &[PublishedSheetChange]) -> Snapshot {
    let had = snapshot.ssepot.changes.iter().any(|c| c.item.is_some());
    if changes.is_empty() && !had {
        return snapshot;
    }
    let mut ssepot = (*snapshot.ssepot).clone();
    ssepot.changes.retain(|c| c.item.is_none());
    for c in changes {
        let Some(ind) = snapshot.indicator(&c.indicator) else {
            continue;
        };
        ssepot.changes.push(ChangeRecord {
            code: ind.code.clone().unwrap_or_else(|| ind.id.clone()),
            form: "DIES-058".into(),
            field: super::sheet::field(&c.field)
                .map_or_else(|| c.field.clone(), |f| f.label.into()),
            before: c.before.clone().unwrap_or_default(),
            after: c.after.clone(),
            date: super::cycle::day_of(&c.published_at),
            office: c.office.clone(),
            item: Some(c.item),
        });
    }
    snapshot.ssepot = Arc::new(ssepot);
    snapshot
}

/// The snapshot with the report's texts published through the store (the latest published version of each
/// cut-off and section); those of a previous overlay are replaced. The report lays them over the layer
/// files' texts (`ssepot::report::narrative`).
pub fn apply_texts(mut snapshot: Snapshot, texts: &[PublishedText]) -> Snapshot {
    if snapshot.ssepot.texts.as_slice() == texts {
        return snapshot;
    }
    let mut ssepot = (*snapshot.ssepot).clone();
    ssepot.texts = texts.to_vec();
    snapshot.ssepot = Arc::new(ssepot);
    snapshot
}

/// The unit a stored (normalised) territory key refers to.
fn unit_ref(ind: &Indicator, territory: &str) -> Option<UnitRef> {
    let set = &ind.unit_set;
    if territory == normalize_key(&set.city.code) {
        return Some(UnitRef::City);
    }
    set.find(territory).map(UnitRef::Unit)
}

/// The published value behind a served value, if it came from the store.
pub fn origin<'a>(
    published: &'a [Published],
    indicator: &str,
    territory: &str,
    year: i32,
) -> Option<&'a Published> {
    published
        .iter()
        .find(|p| p.indicator == indicator && p.territory == territory && p.year == year)
}
