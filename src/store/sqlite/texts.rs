//! The report's texts in SQLite: the SQL of [`crate::store::narrative`]'s rules, and the reads of versions and
//! their log (schema: migration 4 in [`super`]).

use super::{internal, SqliteStore, SqliteTx, NOW};
use crate::store::narrative::{self, NewText, TextEvent, TextVersion};
use crate::store::{rules, Principal, State, StoreError};
use rusqlite::{params, OptionalExtension};

const TEXT_COLUMNS: &str =
    "id, corte, section, version, body, state, reason, author, author_token, \
     published_by, published_at, created_at, updated_at";

fn text_from_row(r: &rusqlite::Row) -> rusqlite::Result<TextVersion> {
    let id: i64 = r.get(0)?;
    let state: String = r.get(5)?;
    let state = rules::stored_state(id, &state).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(TextVersion {
        id,
        corte: r.get(1)?,
        seccion: r.get(2)?,
        version: r.get(3)?,
        texto: r.get(4)?,
        state,
        reason: r.get(6)?,
        author: r.get(7)?,
        author_token: r.get(8)?,
        published_by: r.get(9)?,
        published_at: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        log: vec![],
    })
}

impl narrative::NarrativeTx for SqliteTx<'_, '_> {
    fn lock_section(&mut self, _corte: &str, _section: &str) -> Result<(), StoreError> {
        // IMMEDIATE transactions already serialise every writer.
        Ok(())
    }

    fn last_version(&mut self, corte: &str, section: &str) -> Result<i64, StoreError> {
        self.0
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM narrative_texts WHERE corte = ?1 AND section = ?2",
                params![corte, section],
                |r| r.get(0),
            )
            .map_err(internal)
    }

    fn texts_in(
        &mut self,
        corte: &str,
        section: &str,
        states: &[State],
    ) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .0
            .prepare(&format!(
                "SELECT id FROM narrative_texts WHERE corte = ?1 AND section = ?2 AND state IN ({}) ORDER BY id",
                rules::sql_list(states)
            ))
            .map_err(internal)?;
        let ids = stmt
            .query_map(params![corte, section], |r| r.get(0))
            .map_err(internal)?
            .collect::<Result<Vec<i64>, _>>()
            .map_err(internal)?;
        Ok(ids)
    }

    fn insert_text(
        &mut self,
        t: &NewText,
        version: i64,
        who: &Principal,
    ) -> Result<i64, StoreError> {
        self.0
            .execute(
                "INSERT INTO narrative_texts (corte, section, version, body, state, author, author_token)
                 VALUES (?1, ?2, ?3, ?4, 'reportado', ?5, ?6)",
                params![t.corte, t.seccion, version, t.texto, who.label, who.token_id],
            )
            .map_err(internal)?;
        Ok(self.0.last_insert_rowid())
    }

    fn text(&mut self, id: i64, _lock: bool) -> Result<Option<TextVersion>, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {TEXT_COLUMNS} FROM narrative_texts WHERE id = ?1"),
                [id],
                text_from_row,
            )
            .optional()
            .map_err(internal)
    }

    fn set_text_state(
        &mut self,
        id: i64,
        to: State,
        reason: Option<&str>,
        publisher: Option<&str>,
    ) -> Result<(), StoreError> {
        self.0
            .execute(
                &format!(
                    "UPDATE narrative_texts SET state = ?1, reason = ?2, updated_at = {NOW},
                       published_by = COALESCE(?3, published_by),
                       published_at = CASE WHEN ?3 IS NULL THEN published_at ELSE {NOW} END
                     WHERE id = ?4"
                ),
                params![to.as_str(), reason, publisher, id],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn append_text_log(
        &mut self,
        id: i64,
        who: &Principal,
        action: &str,
        before: Option<&str>,
        after: Option<&str>,
        why: Option<&str>,
    ) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO narrative_log (text, actor, role, action, before, after, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, who.actor(), who.role.as_str(), action, before, after, why],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn bump_version(&mut self) -> Result<(), StoreError> {
        rules::Tx::bump_data_version(self)
    }
}

impl SqliteStore {
    pub(super) fn texts_where(
        &self,
        filter: &str,
        arg: Option<&str>,
    ) -> Result<Vec<TextVersion>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {TEXT_COLUMNS} FROM narrative_texts WHERE {filter} ORDER BY corte, section, version"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map([arg], text_from_row)
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }

    pub(super) fn text_log(
        &self,
        corte: Option<&str>,
    ) -> Result<Vec<(i64, TextEvent)>, StoreError> {
        let conn = self.conn.lock().expect("not poisoned");
        let mut stmt = conn
            .prepare(
                "SELECT l.text, l.at, l.actor, l.action, l.before, l.after, l.why
                 FROM narrative_log l JOIN narrative_texts t ON t.id = l.text
                 WHERE ?1 IS NULL OR t.corte = ?1 ORDER BY l.id",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([corte], |r| {
                Ok((
                    r.get(0)?,
                    TextEvent {
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        before: r.get(4)?,
                        after: r.get(5)?,
                        why: r.get(6)?,
                    },
                ))
            })
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal);
        rows
    }
}
