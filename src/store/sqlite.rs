//! The embedded store: one SQLite file, created and migrated by ssepot.
//!
//! WAL journal, so readers (and a backup with `sqlite3 FILE ".backup copy"`) never block the writer, and
//! `synchronous = FULL`, so a transaction acknowledged to a client is on disk even if the machine loses power
//! (NORMAL in WAL mode survives a killed process but may lose the last commits on power loss). One
//! connection behind a mutex: writes are a few per second at most, and SQLite has one writer anyway.

use super::cycle::{self, Agreement, NewAgreement, NewPeriod, OfficeInfo, Period};
use super::log::{LogEntry, LogFilter};
use super::narrative::{self, NewText, TextVersion};
use super::rules::{self, Entry, ItemRow};
use super::{
    auth, Item, ItemFilter, Principal, Published, PublishedSheetChange, PublishedSheetField, Role,
    State, Store, StoreError, Submission, SubmitOutcome,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::Mutex;

mod texts;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
fn migrations() -> Vec<String> {
    let states = rules::sql_list(&State::ALL);
    vec![
        r#"
CREATE TABLE offices (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE office_indicators (
  office TEXT NOT NULL REFERENCES offices(id),
  indicator TEXT NOT NULL,
  PRIMARY KEY (office, indicator)
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  hash BLOB NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('office', 'reviewer', 'admin')),
  office TEXT REFERENCES offices(id),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  revoked_at TEXT,
  CHECK ((role = 'office') = (office IS NOT NULL))
);
CREATE TABLE submissions (
  id INTEGER PRIMARY KEY,
  office TEXT NOT NULL REFERENCES offices(id),
  token TEXT NOT NULL REFERENCES tokens(id),
  idempotency_key TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (office, idempotency_key)
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  submission INTEGER NOT NULL REFERENCES submissions(id),
  row INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('value', 'sheet')),
  indicator TEXT NOT NULL,
  territory TEXT,
  year INTEGER,
  value REAL,
  field TEXT,
  before TEXT,
  after TEXT,
  why TEXT,
  state TEXT NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX items_by_state ON items (state);
CREATE INDEX items_by_key ON items (indicator, territory, year);
CREATE TABLE published (
  indicator TEXT NOT NULL,
  territory TEXT NOT NULL,
  year INTEGER NOT NULL,
  value REAL,
  item INTEGER NOT NULL REFERENCES items(id),
  published_at TEXT NOT NULL,
  PRIMARY KEY (indicator, territory, year)
);
CREATE TABLE published_sheet (
  indicator TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  item INTEGER NOT NULL REFERENCES items(id),
  published_at TEXT NOT NULL,
  PRIMARY KEY (indicator, field)
);
CREATE TABLE change_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  office TEXT,
  action TEXT NOT NULL,
  submission INTEGER,
  item INTEGER,
  indicator TEXT,
  territory TEXT,
  year INTEGER,
  field TEXT,
  before TEXT,
  after TEXT,
  why TEXT
);
CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
  BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
  BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('data_version', 0);
"#
        .to_string(),
        // 2: the review state is one the workflow knows. SQLite adds a CHECK only by rebuilding the table
        // (its documented procedure, run with foreign keys off: see `migrate`).
        format!(
            r#"
CREATE TABLE items_new (
  id INTEGER PRIMARY KEY,
  submission INTEGER NOT NULL REFERENCES submissions(id),
  row INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('value', 'sheet')),
  indicator TEXT NOT NULL,
  territory TEXT,
  year INTEGER,
  value REAL,
  field TEXT,
  before TEXT,
  after TEXT,
  why TEXT,
  state TEXT NOT NULL CHECK (state IN ({states})),
  reason TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
INSERT INTO items_new SELECT * FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE INDEX items_by_state ON items (state);
CREATE INDEX items_by_key ON items (indicator, territory, year);
"#
        ),
        // 3: the reporting cycle: periods (one per year) and concertation agreements.
        r#"
CREATE TABLE periods (
  id INTEGER PRIMARY KEY,
  year INTEGER NOT NULL UNIQUE,
  title TEXT NOT NULL,
  deadline TEXT NOT NULL,
  cutoff TEXT NOT NULL CHECK (cutoff >= deadline),
  opened_by TEXT NOT NULL,
  opened_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE agreements (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL,
  office TEXT NOT NULL REFERENCES offices(id),
  agreed TEXT NOT NULL,
  state TEXT NOT NULL,
  action TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE agreement_indicators (
  agreement INTEGER NOT NULL REFERENCES agreements(id),
  indicator TEXT NOT NULL,
  PRIMARY KEY (agreement, indicator)
);
"#
        .to_string(),
        // 4: the report's narrative texts, every version, and each version's moves (append-only).
        format!(
            r#"
CREATE TABLE narrative_texts (
  id INTEGER PRIMARY KEY,
  corte TEXT NOT NULL,
  section TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ({states})),
  reason TEXT,
  author TEXT NOT NULL,
  author_token TEXT NOT NULL REFERENCES tokens(id),
  published_by TEXT,
  published_at TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (corte, section, version)
);
CREATE TABLE narrative_log (
  id INTEGER PRIMARY KEY,
  text INTEGER NOT NULL REFERENCES narrative_texts(id),
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT,
  why TEXT
);
CREATE TRIGGER narrative_log_is_append_only_update BEFORE UPDATE ON narrative_log
  BEGIN SELECT RAISE(ABORT, 'the narrative log is append-only'); END;
CREATE TRIGGER narrative_log_is_append_only_delete BEFORE DELETE ON narrative_log
  BEGIN SELECT RAISE(ABORT, 'the narrative log is append-only'); END;
"#
        ),
    ]
}

/// The SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the store file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(internal)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(internal)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(internal)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(internal)?;
        let store = Self {
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.lock().expect("not poisoned");
        // Rebuilding a table needs foreign keys off, and the pragma has no effect inside a transaction.
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(internal)?;
        let done = Self::migrate_in(&mut conn);
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(internal)?;
        done
    }

    fn migrate_in(conn: &mut Connection) -> Result<(), StoreError> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(internal)?;
        let done: usize = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(internal)?;
        let all = migrations();
        if done > all.len() {
            return Err(StoreError::Internal(format!(
                "the store has schema version {done}; this ssepot knows {} — use a newer ssepot",
                all.len()
            )));
        }
        if done >= 1 {
            unknown_states(&tx)?;
        }
        for (i, sql) in all.iter().enumerate().skip(done) {
            tx.execute_batch(sql).map_err(internal)?;
            tx.pragma_update(None, "user_version", i + 1)
                .map_err(internal)?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(internal)?;
        if let Some(table) = broken {
            return Err(StoreError::Internal(format!(
                "the store's table `{table}` refers to rows that do not exist"
            )));
        }
        tx.commit().map_err(internal)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().expect("not poisoned");
        // IMMEDIATE takes the write lock first, so two writers never both read and then conflict.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(internal)?;
        let out = f(&tx)?;
        tx.commit().map_err(internal)?;
        Ok(out)
    }
}

const ITEM_COLUMNS: &str = "i.id, i.submission, s.office, s.source, i.row, i.kind, i.indicator, \
     i.territory, i.year, i.value, i.field, i.before, i.after, i.why, i.state, i.reason, i.created_at, i.updated_at";

fn item_from_row(r: &rusqlite::Row) -> rusqlite::Result<Item> {
    let id: i64 = r.get(0)?;
    let state: String = r.get(14)?;
    let state = rules::stored_state(id, &state).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(14, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(Item {
        id,
        submission: r.get(1)?,
        office: r.get(2)?,
        source: r.get(3)?,
        row: r.get(4)?,
        kind: r.get(5)?,
        indicator: r.get(6)?,
        territory: r.get(7)?,
        year: r.get(8)?,
        value: r.get(9)?,
        field: r.get(10)?,
        before: r.get(11)?,
        after: r.get(12)?,
        why: r.get(13)?,
        state,
        reason: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

/// Items of an existing store whose state the workflow does not know: the upgrade stops and names them.
fn unknown_states(tx: &Transaction) -> Result<(), StoreError> {
    let known = rules::sql_list(&State::ALL);
    let bad: Option<(i64, String)> = tx
        .query_row(
            &format!("SELECT id, state FROM items WHERE state NOT IN ({known}) LIMIT 1"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(internal)?;
    match bad {
        Some((id, state)) => Err(rules::stored_state(id, &state).unwrap_err()),
        None => Ok(()),
    }
}

/// The SQL of one transaction, for the rules above it.
struct SqliteTx<'a, 'c>(&'a Transaction<'c>);

impl rules::Tx for SqliteTx<'_, '_> {
    fn lock_office(&mut self, _office: &str) -> Result<(), StoreError> {
        // IMMEDIATE transactions already serialise every writer.
        Ok(())
    }

    fn submission(&mut self, office: &str, key: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.0
            .query_row(
                "SELECT id, payload_hash FROM submissions WHERE office = ?1 AND idempotency_key = ?2",
                params![office, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(internal)
    }

    fn submission_items(&mut self, submission: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .0
            .prepare("SELECT id FROM items WHERE submission = ?1 ORDER BY id")
            .map_err(internal)?;
        let ids = stmt
            .query_map([submission], |r| r.get(0))
            .map_err(internal)?
            .collect::<Result<Vec<i64>, _>>()
            .map_err(internal)?;
        Ok(ids)
    }

    fn insert_submission(
        &mut self,
        office: &str,
        who: &Principal,
        sub: &Submission,
    ) -> Result<i64, StoreError> {
        self.0
            .execute(
                "INSERT INTO submissions (office, token, idempotency_key, payload_hash, source) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![office, who.token_id, sub.idempotency_key, sub.payload_hash, sub.source],
            )
            .map_err(internal)?;
        Ok(self.0.last_insert_rowid())
    }

    fn items_like(&mut self, row: &ItemRow, states: &[State]) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self
            .0
            .prepare(&format!(
                "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission
                 WHERE i.indicator = ?1 AND i.territory IS ?2 AND i.year IS ?3 AND i.field IS ?4
                   AND i.state IN ({})",
                rules::sql_list(states)
            ))
            .map_err(internal)?;
        let items = stmt
            .query_map(
                params![row.indicator, row.territory, row.year, row.field],
                item_from_row,
            )
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        Ok(items)
    }

    fn published_value(
        &mut self,
        indicator: &str,
        territory: &str,
        year: i32,
    ) -> Result<Option<Option<f64>>, StoreError> {
        self.0
            .query_row(
                "SELECT value FROM published WHERE indicator = ?1 AND territory = ?2 AND year = ?3",
                params![indicator, territory, year],
                |r| r.get::<_, Option<f64>>(0),
            )
            .optional()
            .map_err(internal)
    }

    fn insert_item(&mut self, r: &ItemRow) -> Result<i64, StoreError> {
        self.0
            .execute(
                "INSERT INTO items (submission, row, kind, indicator, territory, year, value, field, before, after, why, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'reportado')",
                params![r.submission, r.row, r.kind, r.indicator, r.territory, r.year, r.value, r.field, r.before, r.after, r.why],
            )
            .map_err(internal)?;
        Ok(self.0.last_insert_rowid())
    }

    fn item(&mut self, id: i64, _lock: bool) -> Result<Option<Item>, StoreError> {
        self.0
            .query_row(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission WHERE i.id = ?1"
                ),
                [id],
                item_from_row,
            )
            .optional()
            .map_err(internal)
    }

    fn set_state(&mut self, id: i64, to: State, reason: Option<&str>) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "UPDATE items SET state = ?1, reason = ?2, updated_at = {NOW} WHERE id = ?3"
                ),
                params![to.as_str(), reason, id],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn publish_value(&mut self, item: &Item, territory: &str, year: i32) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "INSERT INTO published (indicator, territory, year, value, item, published_at) VALUES (?1, ?2, ?3, ?4, ?5, {NOW})
                     ON CONFLICT (indicator, territory, year) DO UPDATE SET value = excluded.value, item = excluded.item, published_at = excluded.published_at"
                ),
                params![item.indicator, territory, year, item.value, item.id],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn publish_sheet(&mut self, item: &Item, field: &str, value: &str) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "INSERT INTO published_sheet (indicator, field, value, item, published_at) VALUES (?1, ?2, ?3, ?4, {NOW})
                     ON CONFLICT (indicator, field) DO UPDATE SET value = excluded.value, item = excluded.item, published_at = excluded.published_at"
                ),
                params![item.indicator, field, value, item.id],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn bump_data_version(&mut self) -> Result<(), StoreError> {
        self.0
            .execute(
                "UPDATE meta SET value = value + 1 WHERE key = 'data_version'",
                [],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn append_log(&mut self, e: &Entry) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO change_log (actor, role, office, action, submission, item, indicator, territory, year, field, before, after, why)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    e.who.actor(),
                    e.who.role.as_str(),
                    e.office,
                    e.action,
                    e.submission,
                    e.item.id,
                    e.item.indicator,
                    e.item.territory,
                    e.item.year,
                    e.item.field,
                    e.before,
                    e.after,
                    e.why
                ],
            )
            .map_err(internal)?;
        Ok(())
    }
}

const PERIOD_COLUMNS: &str = "id, year, title, deadline, cutoff, opened_by, opened_at";

fn period_from_row(r: &rusqlite::Row) -> rusqlite::Result<Period> {
    Ok(Period {
        id: r.get(0)?,
        year: r.get(1)?,
        title: r.get(2)?,
        deadline: r.get(3)?,
        cutoff: r.get(4)?,
        opened_by: r.get(5)?,
        opened_at: r.get(6)?,
    })
}

impl cycle::CycleTx for SqliteTx<'_, '_> {
    fn period_of_year(&mut self, year: i32) -> Result<Option<Period>, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {PERIOD_COLUMNS} FROM periods WHERE year = ?1"),
                [year],
                period_from_row,
            )
            .optional()
            .map_err(internal)
    }

    fn insert_period(&mut self, p: &NewPeriod, opened_by: &str) -> Result<i64, StoreError> {
        self.0
            .execute(
                "INSERT INTO periods (year, title, deadline, cutoff, opened_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.year, p.title, p.deadline, p.cutoff, opened_by],
            )
            .map_err(internal)?;
        Ok(self.0.last_insert_rowid())
    }

    fn office_exists(&mut self, office: &str) -> Result<bool, StoreError> {
        self.0
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM offices WHERE id = ?1)",
                [office],
                |r| r.get(0),
            )
            .map_err(internal)
    }

    fn insert_agreement(&mut self, a: &NewAgreement, recorded_by: &str) -> Result<i64, StoreError> {
        self.0
            .execute(
                "INSERT INTO agreements (date, office, agreed, state, action, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![a.date, a.office, a.agreed, a.state, a.action, recorded_by],
            )
            .map_err(internal)?;
        let id = self.0.last_insert_rowid();
        for ind in &a.indicators {
            self.0
                .execute(
                    "INSERT INTO agreement_indicators (agreement, indicator) VALUES (?1, ?2)",
                    params![id, ind],
                )
                .map_err(internal)?;
        }
        Ok(id)
    }
}

impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn principal(&self, token_id: &str) -> Result<Option<(Principal, [u8; 32])>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let row = conn
            .query_row(
                "SELECT hash, role, office, label FROM tokens WHERE id = ?1 AND revoked_at IS NULL",
                [token_id],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(internal)?;
        let Some((hash, role, office, label)) = row else {
            return Ok(None);
        };
        let hash: [u8; 32] = hash
            .try_into()
            .map_err(|_| StoreError::Internal(format!("token {token_id}: bad stored hash")))?;
        let indicators = match &office {
            Some(o) => {
                let mut stmt = conn
                    .prepare("SELECT indicator FROM office_indicators WHERE office = ?1 ORDER BY indicator")
                    .map_err(internal)?;
                let rows = stmt
                    .query_map([o], |r| r.get(0))
                    .map_err(internal)?
                    .collect::<Result<Vec<String>, _>>()
                    .map_err(internal)?;
                rows
            }
            None => vec![],
        };
        let role = Role::parse(&role)
            .ok_or_else(|| StoreError::Internal(format!("token {token_id}: role `{role}`")))?;
        Ok(Some((
            Principal {
                token_id: token_id.to_string(),
                role,
                office,
                label,
                indicators,
            },
            hash,
        )))
    }

    fn submit(&self, who: &Principal, sub: &Submission) -> Result<SubmitOutcome, StoreError> {
        rules::submitting_office(who)?;
        self.write(|tx| rules::submit(&mut SqliteTx(tx), who, sub))
    }

    fn transition(
        &self,
        who: &Principal,
        ids: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        rules::may_review(who, ids)?;
        self.write(|tx| rules::transition(&mut SqliteTx(tx), who, ids, to, reason))
    }

    fn items(&self, f: &ItemFilter) -> Result<Vec<Item>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let states: Vec<&str> = f.states.iter().map(|s| s.as_str()).collect();
        let states_json = serde_json::to_string(&states).expect("strings serialise");
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission
                 WHERE (?1 IS NULL OR s.office = ?1)
                   AND (?2 = '[]' OR i.state IN (SELECT value FROM json_each(?2)))
                   AND (?3 IS NULL OR i.indicator = ?3)
                 ORDER BY i.id"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![f.office, states_json, f.indicator], item_from_row)
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn published_sheet(&self) -> Result<Vec<PublishedSheetField>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT indicator, field, value FROM published_sheet ORDER BY indicator, field",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PublishedSheetField {
                    indicator: r.get(0)?,
                    field: r.get(1)?,
                    value: r.get(2)?,
                })
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn published_sheet_changes(&self) -> Result<Vec<PublishedSheetChange>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn.prepare("SELECT i.id, i.indicator, i.field, i.before, COALESCE(i.after, ''), o.name, i.updated_at
                 FROM items i JOIN submissions s ON s.id = i.submission JOIN offices o ON o.id = s.office
                 WHERE i.kind = 'sheet' AND i.state = 'publicado' ORDER BY i.updated_at, i.id").map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PublishedSheetChange {
                    item: r.get(0)?,
                    indicator: r.get(1)?,
                    field: r.get(2)?,
                    before: r.get(3)?,
                    after: r.get(4)?,
                    office: r.get(5)?,
                    published_at: r.get(6)?,
                })
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn published(&self) -> Result<Vec<Published>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT p.indicator, p.territory, p.year, p.value, p.item, i.submission, s.office, p.published_at
                 FROM published p JOIN items i ON i.id = p.item JOIN submissions s ON s.id = i.submission
                 ORDER BY p.indicator, p.year, p.territory",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Published {
                    indicator: r.get(0)?,
                    territory: r.get(1)?,
                    year: r.get(2)?,
                    value: r.get(3)?,
                    item: r.get(4)?,
                    submission: r.get(5)?,
                    office: r.get(6)?,
                    published_at: r.get(7)?,
                })
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn data_version(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        conn.query_row(
            "SELECT value FROM meta WHERE key = 'data_version'",
            [],
            |r| r.get(0),
        )
        .map_err(internal)
    }

    fn log(&self, f: &LogFilter) -> Result<Vec<LogEntry>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT id, at, actor, role, office, action, submission, item, indicator, territory, year, field, before, after, why
                 FROM change_log WHERE (?1 IS NULL OR office = ?1) AND (?2 IS NULL OR indicator = ?2) ORDER BY id",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![f.office, f.indicator], |r| {
                Ok(LogEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    role: r.get(3)?,
                    office: r.get(4)?,
                    action: r.get(5)?,
                    submission: r.get(6)?,
                    item: r.get(7)?,
                    indicator: r.get(8)?,
                    territory: r.get(9)?,
                    year: r.get(10)?,
                    field: r.get(11)?,
                    before: r.get(12)?,
                    after: r.get(13)?,
                    why: r.get(14)?,
                })
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn add_office(&self, id: &str, name: &str, indicators: &[String]) -> Result<(), StoreError> {
        if !crate::config::is_valid_id(id) {
            return Err(StoreError::invalid(
                "office",
                format!("`{id}` is not a valid id: use lower-case letters, digits, `-` and `_`"),
            ));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO offices (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                params![id, name],
            )
            .map_err(internal)?;
            tx.execute("DELETE FROM office_indicators WHERE office = ?1", [id])
                .map_err(internal)?;
            for ind in indicators {
                tx.execute(
                    "INSERT INTO office_indicators (office, indicator) VALUES (?1, ?2)",
                    params![id, ind],
                )
                .map_err(internal)?;
            }
            Ok(())
        })
    }

    fn add_token(
        &self,
        role: Role,
        office: Option<&str>,
        label: &str,
    ) -> Result<String, StoreError> {
        if (role == Role::Office) != office.is_some() {
            return Err(StoreError::invalid(
                "office",
                "an office token needs an office, and only an office token has one",
            ));
        }
        let (id, token, hash) = auth::generate().map_err(StoreError::Internal)?;
        self.write(|tx| {
            if let Some(o) = office {
                let known: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM offices WHERE id = ?1)",
                        [o],
                        |r| r.get(0),
                    )
                    .map_err(internal)?;
                if !known {
                    return Err(StoreError::invalid(
                        "office",
                        format!("no office `{o}`; add it first"),
                    ));
                }
            }
            tx.execute(
                "INSERT INTO tokens (id, hash, role, office, label) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, hash.to_vec(), role.as_str(), office, label],
            )
            .map_err(internal)?;
            Ok(())
        })?;
        Ok(token)
    }

    fn open_period(&self, who: &Principal, new: &NewPeriod) -> Result<Period, StoreError> {
        self.write(|tx| cycle::open_period(&mut SqliteTx(tx), who, new))
    }

    fn periods(&self) -> Result<Vec<Period>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {PERIOD_COLUMNS} FROM periods ORDER BY year DESC"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map([], period_from_row)
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn offices(&self) -> Result<Vec<OfficeInfo>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT o.id, o.name, oi.indicator FROM offices o
                 LEFT JOIN office_indicators oi ON oi.office = o.id ORDER BY o.id, oi.indicator",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        Ok(cycle::group_offices(rows))
    }

    fn record_agreement(&self, who: &Principal, new: &NewAgreement) -> Result<i64, StoreError> {
        self.write(|tx| cycle::record_agreement(&mut SqliteTx(tx), who, new))
    }

    fn agreements(&self, indicator: Option<&str>) -> Result<Vec<Agreement>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT a.id, a.date, a.office, a.agreed, a.state, a.action, a.recorded_by, a.recorded_at,
                        (SELECT json_group_array(indicator) FROM
                           (SELECT indicator FROM agreement_indicators WHERE agreement = a.id ORDER BY indicator))
                 FROM agreements a
                 WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM agreement_indicators x WHERE x.agreement = a.id AND x.indicator = ?1)
                 ORDER BY a.date, a.id",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([indicator], |r| {
                let inds: String = r.get(8)?;
                Ok(Agreement {
                    id: r.get(0)?,
                    date: r.get(1)?,
                    office: r.get(2)?,
                    indicators: serde_json::from_str(&inds).unwrap_or_default(),
                    agreed: r.get(3)?,
                    state: r.get(4)?,
                    action: r.get(5)?,
                    recorded_by: r.get(6)?,
                    recorded_at: r.get(7)?,
                })
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    fn submit_text(&self, who: &Principal, new: &NewText) -> Result<TextVersion, StoreError> {
        narrative::may_write(who)?;
        self.write(|tx| narrative::submit(&mut SqliteTx(tx), who, new))
    }

    fn move_texts(
        &self,
        who: &Principal,
        ids: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<TextVersion>, StoreError> {
        narrative::may_write(who)?;
        self.write(|tx| narrative::transition(&mut SqliteTx(tx), who, ids, to, reason))
    }

    fn narrative(&self, corte: Option<&str>) -> Result<Vec<TextVersion>, StoreError> {
        let mut texts = self.texts_where("?1 IS NULL OR corte = ?1", corte)?;
        narrative::attach_log(&mut texts, self.text_log(corte)?);
        Ok(texts)
    }

    fn published_narrative(&self) -> Result<Vec<crate::ssepot::texts::PublishedText>, StoreError> {
        let texts = self.texts_where("state = 'publicado' AND (?1 IS NULL OR corte = ?1)", None)?;
        Ok(narrative::latest_published(texts))
    }

    fn revoke_token(&self, token_id: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    &format!(
                        "UPDATE tokens SET revoked_at = {NOW} WHERE id = ?1 AND revoked_at IS NULL"
                    ),
                    [token_id],
                )
                .map_err(internal)?;
            Ok(n == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store file at schema version 1 (before the state CHECK) holding one item in `state`.
    fn version_1_store(state: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reporting.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&migrations()[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO offices VALUES ('o', 'Oficina');
             INSERT INTO tokens (id, hash, role, office, label) VALUES ('t', x'00', 'office', 'o', 'enlace');
             INSERT INTO submissions (office, token, idempotency_key, payload_hash, source) VALUES ('o', 't', 'k', 'h', 'json');
             INSERT INTO items (submission, row, kind, indicator, territory, year, value, state) VALUES (1, 1, 'value', 'poblacion', '1', 2023, 5, '{state}');
             INSERT INTO published VALUES ('poblacion', '1', 2023, 5, 1, '2024-01-01T00:00:00Z');"
        ))
        .unwrap();
        (dir, path)
    }

    #[test]
    fn an_existing_store_gains_the_state_check_and_keeps_its_items() {
        let (_dir, path) = version_1_store("publicado");
        let store = SqliteStore::open(&path).unwrap();
        let items = store.items(&ItemFilter::default()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].state, State::Publicado);
        assert_eq!(store.published().unwrap().len(), 1);
        let conn = store.conn.lock().unwrap();
        let refused = conn.execute("UPDATE items SET state = 'perdido'", []);
        assert!(refused.unwrap_err().to_string().contains("CHECK"));
    }

    #[test]
    fn an_unknown_state_in_an_existing_store_is_an_error_naming_it_never_reportado() {
        let (_dir, path) = version_1_store("perdido");
        let err = SqliteStore::open(&path).err().expect("refused").to_string();
        assert!(err.contains("item 1") && err.contains("`perdido`"), "{err}");
    }
}
