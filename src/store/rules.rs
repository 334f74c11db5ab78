//! The store's rules, once, above its two SQL backends: who may submit and review, the idempotency of a
//! submission, a newer submission superseding pending items of the same value, the review workflow
//! ([`super::workflow`]), what publishing writes, and what the change log records. A backend ([`Tx`]) only
//! speaks SQL inside one transaction; [`submit`] and [`transition`] are the same for SQLite and PostgreSQL.

use super::log::value_text;
use super::{Item, NewItem, Principal, State, StoreError, Submission, SubmitOutcome};

/// One change-log entry.
pub struct Entry<'a> {
    pub who: &'a Principal,
    pub office: &'a str,
    pub action: &'a str,
    pub submission: i64,
    pub item: &'a Item,
    pub before: Option<String>,
    pub after: Option<String>,
    pub why: Option<&'a str>,
}

/// A new item as the backends write it (state `reportado`).
pub struct ItemRow<'a> {
    pub submission: i64,
    pub row: i64,
    /// `value` or `sheet`.
    pub kind: &'static str,
    pub indicator: &'a str,
    pub territory: Option<&'a str>,
    pub year: Option<i32>,
    pub value: Option<f64>,
    pub field: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub why: Option<&'a str>,
}

/// What a backend does inside one transaction: reads and writes rows, nothing else.
pub trait Tx: super::cycle::CycleTx {
    /// Serialises the submissions of one office, so a key reused concurrently is seen (SQLite has one writer).
    fn lock_office(&mut self, office: &str) -> Result<(), StoreError>;
    /// The office's submission with this idempotency key: (id, payload hash).
    fn submission(&mut self, office: &str, key: &str) -> Result<Option<(i64, String)>, StoreError>;
    /// Item ids of a submission, in order.
    fn submission_items(&mut self, submission: i64) -> Result<Vec<i64>, StoreError>;
    fn insert_submission(
        &mut self,
        office: &str,
        who: &Principal,
        sub: &Submission,
    ) -> Result<i64, StoreError>;
    /// Items in `states` with the same key (indicator, territory, year, field), locked for update.
    fn items_like(&mut self, row: &ItemRow, states: &[State]) -> Result<Vec<Item>, StoreError>;
    /// The published value of a key: `None` when nothing is published, `Some(None)` for a published ND.
    fn published_value(
        &mut self,
        indicator: &str,
        territory: &str,
        year: i32,
    ) -> Result<Option<Option<f64>>, StoreError>;
    fn insert_item(&mut self, row: &ItemRow) -> Result<i64, StoreError>;
    /// An item, locked for update when `lock`.
    fn item(&mut self, id: i64, lock: bool) -> Result<Option<Item>, StoreError>;
    fn set_state(&mut self, id: i64, to: State, reason: Option<&str>) -> Result<(), StoreError>;
    fn publish_value(&mut self, item: &Item, territory: &str, year: i32) -> Result<(), StoreError>;
    fn publish_sheet(&mut self, item: &Item, field: &str, value: &str) -> Result<(), StoreError>;
    /// Bumps the data version (PostgreSQL also notifies the other replicas when the transaction commits).
    fn bump_data_version(&mut self) -> Result<(), StoreError>;
    fn append_log(&mut self, e: &Entry) -> Result<(), StoreError>;
}

/// The office a principal submits for; reviewers do not submit.
pub fn submitting_office(who: &Principal) -> Result<&str, StoreError> {
    who.office
        .as_deref()
        .ok_or_else(|| StoreError::Forbidden("only office tokens submit values".into()))
}

/// Reviewers and admins move items, and only some.
pub fn may_review(who: &Principal, ids: &[i64]) -> Result<(), StoreError> {
    if !who.role.reviews() {
        return Err(StoreError::Forbidden(
            "only reviewer (DAP) and admin tokens move items between states".into(),
        ));
    }
    if ids.is_empty() {
        return Err(StoreError::invalid("items", "no item ids given"));
    }
    Ok(())
}

/// A stored state, read back: an unknown one is an error, never taken for another.
pub fn stored_state(item: i64, s: &str) -> Result<State, StoreError> {
    State::parse(s).ok_or_else(|| {
        StoreError::Internal(format!(
            "item {item} has the review state `{s}`, which is none of {:?}; the database was changed by hand",
            State::ALL.map(State::as_str)
        ))
    })
}

/// `'reportado', 'verificado', …`: the states as an SQL list, for the schema's CHECK and the queries.
pub fn sql_list(states: &[State]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a checked submission of the principal's office: all of it, or — for a key already used with the
/// same payload — nothing, answering as the first time. Values of a year whose reporting period is past its
/// cut-off are refused ([`super::cycle`]).
pub fn submit(
    tx: &mut impl Tx,
    who: &Principal,
    sub: &Submission,
) -> Result<SubmitOutcome, StoreError> {
    let office = submitting_office(who)?;
    tx.lock_office(office)?;
    if let Some((id, hash)) = tx.submission(office, &sub.idempotency_key)? {
        if hash != sub.payload_hash {
            return Err(StoreError::conflict(
                "Idempotency-Key",
                format!(
                    "key `{}` was used for a different submission ({id})",
                    sub.idempotency_key
                ),
            ));
        }
        return Ok(SubmitOutcome {
            submission: id,
            replayed: true,
            items: tx.submission_items(id)?,
        });
    }
    let years = sub.items.iter().filter_map(|i| match i {
        NewItem::Value(v) => Some(v.year),
        NewItem::Sheet(_) => None,
    });
    super::cycle::refuse_after_cutoff(tx, years, &super::cycle::today())?;
    let submission = tx.insert_submission(office, who, sub)?;
    let items = sub
        .items
        .iter()
        .map(|item| insert_item(tx, who, office, submission, item))
        .collect::<Result<_, _>>()?;
    Ok(SubmitOutcome {
        submission,
        replayed: false,
        items,
    })
}

fn item_row(submission: i64, item: &NewItem) -> ItemRow<'_> {
    match item {
        NewItem::Value(v) => ItemRow {
            submission,
            row: v.row as i64,
            kind: "value",
            indicator: &v.indicator,
            territory: Some(&v.territory),
            year: Some(v.year),
            value: v.value,
            field: None,
            before: None,
            after: None,
            why: None,
        },
        NewItem::Sheet(s) => ItemRow {
            submission,
            row: 1,
            kind: "sheet",
            indicator: &s.indicator,
            territory: None,
            year: None,
            value: None,
            field: Some(&s.field),
            before: s.before.as_deref(),
            after: Some(&s.after),
            why: Some(&s.why),
        },
    }
}

/// Inserts one item, supersedes pending items of the same value (or sheet field), and logs both.
fn insert_item(
    tx: &mut impl Tx,
    who: &Principal,
    office: &str,
    submission: i64,
    item: &NewItem,
) -> Result<i64, StoreError> {
    let row = item_row(submission, item);
    let pending = [State::Reportado, State::Verificado, State::Validado];
    for old in tx.items_like(&row, &pending)? {
        tx.set_state(old.id, State::Reemplazado, None)?;
        tx.append_log(&Entry {
            who,
            office: &old.office,
            action: State::Reemplazado.as_str(),
            submission,
            item: &old,
            before: Some(old.state.as_str().into()),
            after: Some(State::Reemplazado.as_str().into()),
            why: Some("a newer submission of the same value"),
        })?;
    }
    let served_before = match (row.territory, row.year) {
        (Some(t), Some(y)) => tx.published_value(row.indicator, t, y)?.map(value_text),
        _ => row.before.map(str::to_string),
    };
    let id = tx.insert_item(&row)?;
    let stored = tx.item(id, false)?.expect("just inserted");
    tx.append_log(&Entry {
        who,
        office,
        action: State::Reportado.as_str(),
        submission,
        item: &stored,
        before: served_before,
        after: Some(match item {
            NewItem::Value(v) => value_text(v.value),
            NewItem::Sheet(s) => s.after.clone(),
        }),
        why: row.why,
    })?;
    Ok(id)
}

/// Moves items to `to`, all or nothing, by the workflow; publishing writes the published value (or sheet
/// field) and bumps the data version once.
pub fn transition(
    tx: &mut impl Tx,
    who: &Principal,
    ids: &[i64],
    to: State,
    reason: Option<&str>,
) -> Result<Vec<Item>, StoreError> {
    may_review(who, ids)?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let item = tx
            .item(id, true)?
            .ok_or_else(|| StoreError::invalid("items", format!("no item {id}")))?;
        super::workflow::check(item.state, to, reason)
            .map_err(|m| StoreError::conflict("items", format!("item {id}: {m}")))?;
        tx.set_state(id, to, reason.filter(|_| to == State::Devuelto))?;
        if to == State::Publicado {
            publish(tx, &item)?;
        }
        tx.append_log(&Entry {
            who,
            office: &item.office,
            action: to.as_str(),
            submission: item.submission,
            item: &item,
            before: Some(item.state.as_str().into()),
            after: Some(to.as_str().into()),
            why: reason,
        })?;
        out.push(tx.item(id, false)?.expect("just updated"));
    }
    if to == State::Publicado {
        tx.bump_data_version()?;
    }
    Ok(out)
}

fn publish(tx: &mut impl Tx, item: &Item) -> Result<(), StoreError> {
    match (&item.territory, item.year, &item.field) {
        (Some(t), Some(y), _) => tx.publish_value(item, t, y),
        (_, _, Some(f)) => tx.publish_sheet(item, f, item.after.as_deref().unwrap_or_default()),
        _ => Err(StoreError::Internal(format!(
            "item {} has neither a value key nor a field",
            item.id
        ))),
    }
}
