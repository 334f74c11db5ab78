//! The shared store: PostgreSQL, for several ssepot replicas behind a load balancer.
//!
//! The same tables as [`super::sqlite`], created and migrated by ssepot (under an advisory lock, so replicas
//! starting together migrate once). One connection per process behind a mutex, opened on demand with a
//! 2-second connect timeout and a 5-second statement timeout: when PostgreSQL is down, a request that needs
//! it fails fast with [`StoreError::Unavailable`] (503), and the next request reconnects by itself.
//! A commit is acknowledged only after PostgreSQL has flushed it (`synchronous_commit` stays `on`).

use super::cycle::{self, Agreement, NewAgreement, NewPeriod, OfficeInfo, Period};
use super::log::{LogEntry, LogFilter};
use super::narrative::{self, NewText, TextVersion};
use super::rules::{self, Entry, ItemRow};
use super::{
    auth, Item, ItemFilter, Principal, Published, PublishedSheetChange, PublishedSheetField, Role,
    State, Store, StoreError, Submission, SubmitOutcome,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls, Row, Transaction};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

mod texts;

const NOW: &str = r#"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#;

/// Schema versions, applied in order; `schema_migrations` records which ran.
fn migrations() -> Vec<String> {
    vec![
        format!(
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
  hash BYTEA NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('office', 'reviewer', 'admin')),
  office TEXT REFERENCES offices(id),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT {NOW},
  revoked_at TEXT,
  CHECK ((role = 'office') = (office IS NOT NULL))
);
CREATE TABLE submissions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  office TEXT NOT NULL REFERENCES offices(id),
  token TEXT NOT NULL REFERENCES tokens(id),
  idempotency_key TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT {NOW},
  UNIQUE (office, idempotency_key)
);
CREATE TABLE items (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission BIGINT NOT NULL REFERENCES submissions(id),
  row BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('value', 'sheet')),
  indicator TEXT NOT NULL,
  territory TEXT,
  year INTEGER,
  value DOUBLE PRECISION,
  field TEXT,
  before TEXT,
  after TEXT,
  why TEXT,
  state TEXT NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL DEFAULT {NOW},
  updated_at TEXT NOT NULL DEFAULT {NOW}
);
CREATE INDEX items_by_state ON items (state);
CREATE INDEX items_by_key ON items (indicator, territory, year);
CREATE TABLE published (
  indicator TEXT NOT NULL,
  territory TEXT NOT NULL,
  year INTEGER NOT NULL,
  value DOUBLE PRECISION,
  item BIGINT NOT NULL REFERENCES items(id),
  published_at TEXT NOT NULL,
  PRIMARY KEY (indicator, territory, year)
);
CREATE TABLE published_sheet (
  indicator TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  item BIGINT NOT NULL REFERENCES items(id),
  published_at TEXT NOT NULL,
  PRIMARY KEY (indicator, field)
);
CREATE TABLE change_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL DEFAULT {NOW},
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  office TEXT,
  action TEXT NOT NULL,
  submission BIGINT,
  item BIGINT,
  indicator TEXT,
  territory TEXT,
  year INTEGER,
  field TEXT,
  before TEXT,
  after TEXT,
  why TEXT
);
CREATE FUNCTION change_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the change log is append-only'; END $$;
CREATE TRIGGER change_log_is_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_log
  FOR EACH STATEMENT EXECUTE FUNCTION change_log_is_append_only();
CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta VALUES ('data_version', 0);
"#
        ),
        // 2: the review state is one the workflow knows.
        format!(
            "ALTER TABLE items ADD CONSTRAINT items_state_known CHECK (state IN ({}));",
            rules::sql_list(&State::ALL)
        ),
        // 3: the reporting cycle: periods (one per year) and concertation agreements.
        format!(
            r#"
CREATE TABLE periods (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  year INTEGER NOT NULL UNIQUE,
  title TEXT NOT NULL,
  deadline TEXT NOT NULL,
  cutoff TEXT NOT NULL CHECK (cutoff >= deadline),
  opened_by TEXT NOT NULL,
  opened_at TEXT NOT NULL DEFAULT {NOW}
);
CREATE TABLE agreements (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  date TEXT NOT NULL,
  office TEXT NOT NULL REFERENCES offices(id),
  agreed TEXT NOT NULL,
  state TEXT NOT NULL,
  action TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL DEFAULT {NOW}
);
CREATE TABLE agreement_indicators (
  agreement BIGINT NOT NULL REFERENCES agreements(id),
  indicator TEXT NOT NULL,
  PRIMARY KEY (agreement, indicator)
);
"#
        ),
        // 4: the report's narrative texts, every version, and each version's moves (append-only).
        format!(
            r#"
CREATE TABLE narrative_texts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  corte TEXT NOT NULL,
  section TEXT NOT NULL,
  version BIGINT NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ({states})),
  reason TEXT,
  author TEXT NOT NULL,
  author_token TEXT NOT NULL REFERENCES tokens(id),
  published_by TEXT,
  published_at TEXT,
  created_at TEXT NOT NULL DEFAULT {NOW},
  updated_at TEXT NOT NULL DEFAULT {NOW},
  UNIQUE (corte, section, version)
);
CREATE TABLE narrative_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  text BIGINT NOT NULL REFERENCES narrative_texts(id),
  at TEXT NOT NULL DEFAULT {NOW},
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT,
  why TEXT
);
CREATE FUNCTION narrative_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the narrative log is append-only'; END $$;
CREATE TRIGGER narrative_log_is_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON narrative_log
  FOR EACH STATEMENT EXECUTE FUNCTION narrative_log_is_append_only();
"#,
            states = rules::sql_list(&State::ALL)
        ),
    ]
}

/// The channel a publish notifies, so other replicas refresh at once instead of at their next poll.
const CHANNEL: &str = "ssepot_data_version";

/// The PostgreSQL store.
pub struct PgStore {
    config: Config,
    client: Mutex<Option<Client>>,
    /// A second connection that only `LISTEN`s.
    listener: Mutex<Option<Client>>,
}

/// Connection problems (and a server shutting down) are "unavailable"; anything else is a bug or bad data.
fn pg(e: postgres::Error) -> StoreError {
    let code = e.code().map(|c| c.code().to_string());
    let connection = e.is_closed()
        || e.as_db_error().is_none()
        || code
            .as_deref()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57"));
    if connection {
        StoreError::Unavailable(format!("PostgreSQL: {e}"))
    } else {
        StoreError::Internal(format!("PostgreSQL: {e}"))
    }
}

impl PgStore {
    /// Connects (the URL's password is never logged) and migrates.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut config = Config::from_str(url)
            .map_err(|e| StoreError::invalid("--store", format!("not a PostgreSQL URL: {e}")))?;
        config
            .connect_timeout(Duration::from_secs(2))
            .options("-c statement_timeout=5000");
        let store = Self {
            config,
            client: Mutex::new(None),
            listener: Mutex::new(None),
        };
        store.migrate()?;
        Ok(store)
    }

    fn connected(&self) -> Result<MutexGuard<'_, Option<Client>>, StoreError> {
        let mut guard = self.client.lock().expect("not poisoned");
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = None;
            *guard = Some(self.config.connect(NoTls).map_err(pg)?);
        }
        Ok(guard)
    }

    /// Runs `f` on the connection; a connection failure drops it so the next call reconnects.
    fn run<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.connected()?;
        let out = f(guard.as_mut().expect("connected"));
        if matches!(out, Err(StoreError::Unavailable(_))) {
            *guard = None;
        }
        out
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&mut Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(pg)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(pg)?;
            Ok(out)
        })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.write(|tx| {
            // Replicas starting together: one migrates, the others wait and find it done.
            tx.execute("SELECT pg_advisory_xact_lock(7301)", &[])
                .map_err(pg)?;
            tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
                .map_err(pg)?;
            let done: i64 = tx
                .query_one("SELECT count(*) FROM schema_migrations", &[])
                .map_err(pg)?
                .get(0);
            let all = migrations();
            if done as usize > all.len() {
                return Err(StoreError::Internal(format!(
                    "the store has schema version {done}; this ssepot knows {} — use a newer ssepot",
                    all.len()
                )));
            }
            if done >= 1 {
                unknown_states(tx)?;
            }
            for (i, sql) in all.iter().enumerate().skip(done as usize) {
                tx.batch_execute(sql).map_err(pg)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(i as i32 + 1)],
                )
                .map_err(pg)?;
            }
            Ok(())
        })
    }
}

const ITEM_COLUMNS: &str = "i.id, i.submission, s.office, s.source, i.row, i.kind, i.indicator, \
     i.territory, i.year, i.value, i.field, i.before, i.after, i.why, i.state, i.reason, i.created_at, i.updated_at";

fn item_from_row(r: &Row) -> Result<Item, StoreError> {
    let id: i64 = r.get(0);
    let state: String = r.get(14);
    Ok(Item {
        id,
        submission: r.get(1),
        office: r.get(2),
        source: r.get(3),
        row: r.get(4),
        kind: r.get(5),
        indicator: r.get(6),
        territory: r.get(7),
        year: r.get(8),
        value: r.get(9),
        field: r.get(10),
        before: r.get(11),
        after: r.get(12),
        why: r.get(13),
        state: rules::stored_state(id, &state)?,
        reason: r.get(15),
        created_at: r.get(16),
        updated_at: r.get(17),
    })
}

/// Items of an existing store whose state the workflow does not know: the upgrade stops and names them.
fn unknown_states(tx: &mut Transaction) -> Result<(), StoreError> {
    let known = rules::sql_list(&State::ALL);
    let bad = tx
        .query_opt(
            &format!("SELECT id, state FROM items WHERE state NOT IN ({known}) LIMIT 1"),
            &[],
        )
        .map_err(pg)?;
    match bad {
        Some(r) => Err(rules::stored_state(r.get(0), r.get(1)).unwrap_err()),
        None => Ok(()),
    }
}

/// The SQL of one transaction, for the rules above it.
struct PgTx<'a, 'c>(&'a mut Transaction<'c>);

impl rules::Tx for PgTx<'_, '_> {
    fn lock_office(&mut self, office: &str) -> Result<(), StoreError> {
        // One submission per office at a time, so a key reused concurrently (two replicas) is seen.
        self.0
            .execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&office])
            .map_err(pg)?;
        Ok(())
    }

    fn submission(&mut self, office: &str, key: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT id, payload_hash FROM submissions WHERE office = $1 AND idempotency_key = $2",
                &[&office, &key],
            )
            .map_err(pg)?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn submission_items(&mut self, submission: i64) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .0
            .query(
                "SELECT id FROM items WHERE submission = $1 ORDER BY id",
                &[&submission],
            )
            .map_err(pg)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn insert_submission(
        &mut self,
        office: &str,
        who: &Principal,
        sub: &Submission,
    ) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_one(
                "INSERT INTO submissions (office, token, idempotency_key, payload_hash, source) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&office, &who.token_id, &sub.idempotency_key, &sub.payload_hash, &sub.source],
            )
            .map_err(pg)?
            .get(0))
    }

    fn items_like(&mut self, row: &ItemRow, states: &[State]) -> Result<Vec<Item>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission
                     WHERE i.indicator = $1 AND i.territory IS NOT DISTINCT FROM $2 AND i.year IS NOT DISTINCT FROM $3
                       AND i.field IS NOT DISTINCT FROM $4 AND i.state IN ({})
                     FOR UPDATE OF i",
                    rules::sql_list(states)
                ),
                &[&row.indicator, &row.territory, &row.year, &row.field],
            )
            .map_err(pg)?
            .iter()
            .map(item_from_row)
            .collect()
    }

    fn published_value(
        &mut self,
        indicator: &str,
        territory: &str,
        year: i32,
    ) -> Result<Option<Option<f64>>, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT value FROM published WHERE indicator = $1 AND territory = $2 AND year = $3",
                &[&indicator, &territory, &year],
            )
            .map_err(pg)?
            .map(|r| r.get(0)))
    }

    fn insert_item(&mut self, r: &ItemRow) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_one(
                "INSERT INTO items (submission, row, kind, indicator, territory, year, value, field, before, after, why, state)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'reportado') RETURNING id",
                &[&r.submission, &r.row, &r.kind, &r.indicator, &r.territory, &r.year, &r.value, &r.field, &r.before, &r.after, &r.why],
            )
            .map_err(pg)?
            .get(0))
    }

    fn item(&mut self, id: i64, lock: bool) -> Result<Option<Item>, StoreError> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission WHERE i.id = $1{}",
            if lock { " FOR UPDATE OF i" } else { "" }
        );
        self.0
            .query_opt(&sql, &[&id])
            .map_err(pg)?
            .as_ref()
            .map(item_from_row)
            .transpose()
    }

    fn set_state(&mut self, id: i64, to: State, reason: Option<&str>) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "UPDATE items SET state = $1, reason = $2, updated_at = {NOW} WHERE id = $3"
                ),
                &[&to.as_str(), &reason, &id],
            )
            .map_err(pg)?;
        Ok(())
    }

    fn publish_value(&mut self, item: &Item, territory: &str, year: i32) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "INSERT INTO published (indicator, territory, year, value, item, published_at) VALUES ($1, $2, $3, $4, $5, {NOW})
                     ON CONFLICT (indicator, territory, year) DO UPDATE SET value = excluded.value, item = excluded.item, published_at = excluded.published_at"
                ),
                &[&item.indicator, &territory, &year, &item.value, &item.id],
            )
            .map_err(pg)?;
        Ok(())
    }

    fn publish_sheet(&mut self, item: &Item, field: &str, value: &str) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "INSERT INTO published_sheet (indicator, field, value, item, published_at) VALUES ($1, $2, $3, $4, {NOW})
                     ON CONFLICT (indicator, field) DO UPDATE SET value = excluded.value, item = excluded.item, published_at = excluded.published_at"
                ),
                &[&item.indicator, &field, &value, &item.id],
            )
            .map_err(pg)?;
        Ok(())
    }

    fn bump_data_version(&mut self) -> Result<(), StoreError> {
        self.0
            .execute(
                "UPDATE meta SET value = value + 1 WHERE key = 'data_version'",
                &[],
            )
            .map_err(pg)?;
        // Delivered when the transaction commits, never before.
        self.0
            .batch_execute(&format!("NOTIFY {CHANNEL}"))
            .map_err(pg)
    }

    fn append_log(&mut self, e: &Entry) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO change_log (actor, role, office, action, submission, item, indicator, territory, year, field, before, after, why)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                &[
                    &e.who.actor(),
                    &e.who.role.as_str(),
                    &e.office,
                    &e.action,
                    &e.submission,
                    &e.item.id,
                    &e.item.indicator,
                    &e.item.territory,
                    &e.item.year,
                    &e.item.field,
                    &e.before,
                    &e.after,
                    &e.why,
                ],
            )
            .map_err(pg)?;
        Ok(())
    }
}

const PERIOD_COLUMNS: &str = "id, year, title, deadline, cutoff, opened_by, opened_at";

fn period_from_row(r: &Row) -> Period {
    Period {
        id: r.get(0),
        year: r.get(1),
        title: r.get(2),
        deadline: r.get(3),
        cutoff: r.get(4),
        opened_by: r.get(5),
        opened_at: r.get(6),
    }
}

impl cycle::CycleTx for PgTx<'_, '_> {
    fn period_of_year(&mut self, year: i32) -> Result<Option<Period>, StoreError> {
        Ok(self
            .0
            .query_opt(
                &format!("SELECT {PERIOD_COLUMNS} FROM periods WHERE year = $1"),
                &[&year],
            )
            .map_err(pg)?
            .as_ref()
            .map(period_from_row))
    }

    fn insert_period(&mut self, p: &NewPeriod, opened_by: &str) -> Result<i64, StoreError> {
        // Two replicas opening the same year: the second waits here and then finds the first's.
        self.0
            .execute("LOCK TABLE periods IN SHARE ROW EXCLUSIVE MODE", &[])
            .map_err(pg)?;
        if self.period_of_year(p.year)?.is_some() {
            return Err(StoreError::conflict(
                "year",
                format!("the year {} already has a reporting period", p.year),
            ));
        }
        Ok(self
            .0
            .query_one(
                "INSERT INTO periods (year, title, deadline, cutoff, opened_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&p.year, &p.title, &p.deadline, &p.cutoff, &opened_by],
            )
            .map_err(pg)?
            .get(0))
    }

    fn office_exists(&mut self, office: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM offices WHERE id = $1)",
                &[&office],
            )
            .map_err(pg)?
            .get(0))
    }

    fn insert_agreement(&mut self, a: &NewAgreement, recorded_by: &str) -> Result<i64, StoreError> {
        let id: i64 = self
            .0
            .query_one(
                "INSERT INTO agreements (date, office, agreed, state, action, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[&a.date, &a.office, &a.agreed, &a.state, &a.action, &recorded_by],
            )
            .map_err(pg)?
            .get(0);
        for ind in &a.indicators {
            self.0
                .execute(
                    "INSERT INTO agreement_indicators (agreement, indicator) VALUES ($1, $2)",
                    &[&id, ind],
                )
                .map_err(pg)?;
        }
        Ok(id)
    }
}

impl Store for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn principal(&self, token_id: &str) -> Result<Option<(Principal, [u8; 32])>, StoreError> {
        self.run(|c| {
            let Some(row) = c
                .query_opt(
                    "SELECT hash, role, office, label FROM tokens WHERE id = $1 AND revoked_at IS NULL",
                    &[&token_id],
                )
                .map_err(pg)?
            else {
                return Ok(None);
            };
            let hash: Vec<u8> = row.get(0);
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| StoreError::Internal(format!("token {token_id}: bad stored hash")))?;
            let role: String = row.get(1);
            let office: Option<String> = row.get(2);
            let indicators = match &office {
                Some(o) => c
                    .query(
                        "SELECT indicator FROM office_indicators WHERE office = $1 ORDER BY indicator",
                        &[o],
                    )
                    .map_err(pg)?
                    .iter()
                    .map(|r| r.get(0))
                    .collect(),
                None => vec![],
            };
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Internal(format!("token {token_id}: role `{role}`")))?;
            Ok(Some((
                Principal {
                    token_id: token_id.to_string(),
                    role,
                    office,
                    label: row.get(3),
                    indicators,
                },
                hash,
            )))
        })
    }

    fn submit(&self, who: &Principal, sub: &Submission) -> Result<SubmitOutcome, StoreError> {
        rules::submitting_office(who)?;
        self.write(|tx| rules::submit(&mut PgTx(tx), who, sub))
    }

    fn transition(
        &self,
        who: &Principal,
        ids: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        rules::may_review(who, ids)?;
        self.write(|tx| rules::transition(&mut PgTx(tx), who, ids, to, reason))
    }

    fn items(&self, f: &ItemFilter) -> Result<Vec<Item>, StoreError> {
        let states: Vec<String> = f.states.iter().map(|s| s.as_str().to_string()).collect();
        self.run(|c| {
            c.query(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM items i JOIN submissions s ON s.id = i.submission
                     WHERE ($1::TEXT IS NULL OR s.office = $1)
                       AND (cardinality($2::TEXT[]) = 0 OR i.state = ANY($2))
                       AND ($3::TEXT IS NULL OR i.indicator = $3)
                     ORDER BY i.id"
                ),
                &[&f.office, &states, &f.indicator],
            )
            .map_err(pg)?
            .iter()
            .map(item_from_row)
            .collect()
        })
    }

    fn published_sheet(&self) -> Result<Vec<PublishedSheetField>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                "SELECT indicator, field, value FROM published_sheet ORDER BY indicator, field",
                &[],
            )
            .map_err(pg)?
            .iter()
            .map(|r| PublishedSheetField {
                indicator: r.get(0),
                field: r.get(1),
                value: r.get(2),
            })
            .collect())
        })
    }

    fn published_sheet_changes(&self) -> Result<Vec<PublishedSheetChange>, StoreError> {
        self.run(|c| {
            Ok(c.query("SELECT i.id, i.indicator, i.field, i.before, COALESCE(i.after, ''), o.name, i.updated_at
                 FROM items i JOIN submissions s ON s.id = i.submission JOIN offices o ON o.id = s.office
                 WHERE i.kind = 'sheet' AND i.state = 'publicado' ORDER BY i.updated_at, i.id", &[])
                .map_err(pg)?
                .iter()
                .map(|r| PublishedSheetChange {
                    item: r.get(0),
                    indicator: r.get(1),
                    field: r.get(2),
                    before: r.get(3),
                    after: r.get(4),
                    office: r.get(5),
                    published_at: r.get(6),
                })
                .collect())
        })
    }

    fn published(&self) -> Result<Vec<Published>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                "SELECT p.indicator, p.territory, p.year, p.value, p.item, i.submission, s.office, p.published_at
                 FROM published p JOIN items i ON i.id = p.item JOIN submissions s ON s.id = i.submission
                 ORDER BY p.indicator, p.year, p.territory",
                &[],
            )
            .map_err(pg)?
            .iter()
            .map(|r| Published {
                indicator: r.get(0),
                territory: r.get(1),
                year: r.get(2),
                value: r.get(3),
                item: r.get(4),
                submission: r.get(5),
                office: r.get(6),
                published_at: r.get(7),
            })
            .collect())
        })
    }

    fn data_version(&self) -> Result<i64, StoreError> {
        self.run(|c| {
            Ok(
                c.query_one("SELECT value FROM meta WHERE key = 'data_version'", &[])
                    .map_err(pg)?
                    .get(0),
            )
        })
    }

    fn log(&self, f: &LogFilter) -> Result<Vec<LogEntry>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                "SELECT id, at, actor, role, office, action, submission, item, indicator, territory, year, field, before, after, why
                 FROM change_log WHERE ($1::TEXT IS NULL OR office = $1) AND ($2::TEXT IS NULL OR indicator = $2) ORDER BY id",
                &[&f.office, &f.indicator],
            )
            .map_err(pg)?
            .iter()
            .map(|r| LogEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                role: r.get(3),
                office: r.get(4),
                action: r.get(5),
                submission: r.get(6),
                item: r.get(7),
                indicator: r.get(8),
                territory: r.get(9),
                year: r.get(10),
                field: r.get(11),
                before: r.get(12),
                after: r.get(13),
                why: r.get(14),
            })
            .collect())
        })
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
                "INSERT INTO offices (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                &[&id, &name],
            )
            .map_err(pg)?;
            tx.execute("DELETE FROM office_indicators WHERE office = $1", &[&id])
                .map_err(pg)?;
            for ind in indicators {
                tx.execute(
                    "INSERT INTO office_indicators (office, indicator) VALUES ($1, $2)",
                    &[&id, ind],
                )
                .map_err(pg)?;
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
                    .query_one("SELECT EXISTS (SELECT 1 FROM offices WHERE id = $1)", &[&o])
                    .map_err(pg)?
                    .get(0);
                if !known {
                    return Err(StoreError::invalid(
                        "office",
                        format!("no office `{o}`; add it first"),
                    ));
                }
            }
            tx.execute(
                "INSERT INTO tokens (id, hash, role, office, label) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &hash.to_vec(), &role.as_str(), &office, &label],
            )
            .map_err(pg)?;
            Ok(())
        })?;
        Ok(token)
    }

    fn wait_for_change(&self, timeout: Duration) -> Result<bool, StoreError> {
        let mut guard = self.listener.lock().expect("not poisoned");
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = None;
            let mut c = self.config.connect(NoTls).map_err(pg)?;
            c.batch_execute(&format!("LISTEN {CHANNEL}")).map_err(pg)?;
            *guard = Some(c);
        }
        let next = {
            let client = guard.as_mut().expect("connected");
            let mut notifications = client.notifications();
            let next = notifications.timeout_iter(timeout).next();
            next.map(|n| n.is_some())
        };
        next.map_err(|e| {
            *guard = None;
            pg(e)
        })
    }

    fn open_period(&self, who: &Principal, new: &NewPeriod) -> Result<Period, StoreError> {
        self.write(|tx| cycle::open_period(&mut PgTx(tx), who, new))
    }

    fn periods(&self) -> Result<Vec<Period>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                &format!("SELECT {PERIOD_COLUMNS} FROM periods ORDER BY year DESC"),
                &[],
            )
            .map_err(pg)?
            .iter()
            .map(period_from_row)
            .collect())
        })
    }

    fn offices(&self) -> Result<Vec<OfficeInfo>, StoreError> {
        self.run(|c| {
            let rows = c
                .query(
                    "SELECT o.id, o.name, oi.indicator FROM offices o
                     LEFT JOIN office_indicators oi ON oi.office = o.id ORDER BY o.id, oi.indicator",
                    &[],
                )
                .map_err(pg)?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            Ok(cycle::group_offices(rows))
        })
    }

    fn record_agreement(&self, who: &Principal, new: &NewAgreement) -> Result<i64, StoreError> {
        self.write(|tx| cycle::record_agreement(&mut PgTx(tx), who, new))
    }

    fn agreements(&self, indicator: Option<&str>) -> Result<Vec<Agreement>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                "SELECT a.id, a.date, a.office, a.agreed, a.state, a.action, a.recorded_by, a.recorded_at,
                        ARRAY(SELECT indicator FROM agreement_indicators WHERE agreement = a.id ORDER BY indicator)
                 FROM agreements a
                 WHERE $1::TEXT IS NULL OR EXISTS (SELECT 1 FROM agreement_indicators x WHERE x.agreement = a.id AND x.indicator = $1)
                 ORDER BY a.date, a.id",
                &[&indicator],
            )
            .map_err(pg)?
            .iter()
            .map(|r| Agreement {
                id: r.get(0),
                date: r.get(1),
                office: r.get(2),
                agreed: r.get(3),
                state: r.get(4),
                action: r.get(5),
                recorded_by: r.get(6),
                recorded_at: r.get(7),
                indicators: r.get(8),
            })
            .collect())
        })
    }

    fn submit_text(&self, who: &Principal, new: &NewText) -> Result<TextVersion, StoreError> {
        narrative::may_write(who)?;
        self.write(|tx| narrative::submit(&mut PgTx(tx), who, new))
    }

    fn move_texts(
        &self,
        who: &Principal,
        ids: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<TextVersion>, StoreError> {
        narrative::may_write(who)?;
        self.write(|tx| narrative::transition(&mut PgTx(tx), who, ids, to, reason))
    }

    fn narrative(&self, corte: Option<&str>) -> Result<Vec<TextVersion>, StoreError> {
        let mut texts = self.texts_where(false, corte)?;
        narrative::attach_log(&mut texts, self.text_log(corte)?);
        Ok(texts)
    }

    fn published_narrative(&self) -> Result<Vec<crate::ssepot::texts::PublishedText>, StoreError> {
        Ok(narrative::latest_published(self.texts_where(true, None)?))
    }

    fn revoke_token(&self, token_id: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    &format!(
                        "UPDATE tokens SET revoked_at = {NOW} WHERE id = $1 AND revoked_at IS NULL"
                    ),
                    &[&token_id],
                )
                .map_err(pg)?;
            Ok(n == 1)
        })
    }
}
