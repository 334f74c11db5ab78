//! The report's texts in PostgreSQL: the SQL of [`crate::store::narrative`]'s rules, and the reads of versions
//! and their log (schema: migration 4 in [`super`]).

use super::{pg, PgStore, PgTx, NOW};
use crate::store::narrative::{self, NewText, TextEvent, TextVersion};
use crate::store::{rules, Principal, State, StoreError};
use postgres::Row;

const TEXT_COLUMNS: &str =
    "id, corte, section, version, body, state, reason, author, author_token, \
     published_by, published_at, created_at, updated_at";

fn text_from_row(r: &Row) -> Result<TextVersion, StoreError> {
    let id: i64 = r.get(0);
    let state: String = r.get(5);
    Ok(TextVersion {
        id,
        corte: r.get(1),
        seccion: r.get(2),
        version: r.get(3),
        texto: r.get(4),
        state: rules::stored_state(id, &state)?,
        reason: r.get(6),
        author: r.get(7),
        author_token: r.get(8),
        published_by: r.get(9),
        published_at: r.get(10),
        created_at: r.get(11),
        updated_at: r.get(12),
        log: vec![],
    })
}

impl narrative::NarrativeTx for PgTx<'_, '_> {
    fn lock_section(&mut self, corte: &str, section: &str) -> Result<(), StoreError> {
        // Two replicas writing the same section: the second waits here, then numbers after the first.
        let key = format!("narrative:{corte}:{section}");
        self.0
            .execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])
            .map_err(pg)?;
        Ok(())
    }

    fn last_version(&mut self, corte: &str, section: &str) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM narrative_texts WHERE corte = $1 AND section = $2",
                &[&corte, &section],
            )
            .map_err(pg)?
            .get(0))
    }

    fn texts_in(
        &mut self,
        corte: &str,
        section: &str,
        states: &[State],
    ) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .0
            .query(
                &format!(
                    "SELECT id FROM narrative_texts WHERE corte = $1 AND section = $2 AND state IN ({})
                     ORDER BY id FOR UPDATE",
                    rules::sql_list(states)
                ),
                &[&corte, &section],
            )
            .map_err(pg)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn insert_text(
        &mut self,
        t: &NewText,
        version: i64,
        who: &Principal,
    ) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_one(
                "INSERT INTO narrative_texts (corte, section, version, body, state, author, author_token)
                 VALUES ($1, $2, $3, $4, 'reportado', $5, $6) RETURNING id",
                &[&t.corte, &t.seccion, &version, &t.texto, &who.label, &who.token_id],
            )
            .map_err(pg)?
            .get(0))
    }

    fn text(&mut self, id: i64, lock: bool) -> Result<Option<TextVersion>, StoreError> {
        let sql = format!(
            "SELECT {TEXT_COLUMNS} FROM narrative_texts WHERE id = $1{}",
            if lock { " FOR UPDATE" } else { "" }
        );
        self.0
            .query_opt(&sql, &[&id])
            .map_err(pg)?
            .as_ref()
            .map(text_from_row)
            .transpose()
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
                    "UPDATE narrative_texts SET state = $1, reason = $2, updated_at = {NOW},
                       published_by = COALESCE($3, published_by),
                       published_at = CASE WHEN $3::TEXT IS NULL THEN published_at ELSE {NOW} END
                     WHERE id = $4"
                ),
                &[&to.as_str(), &reason, &publisher, &id],
            )
            .map_err(pg)?;
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
                "INSERT INTO narrative_log (text, actor, role, action, before, after, why) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &who.actor(), &who.role.as_str(), &action, &before, &after, &why],
            )
            .map_err(pg)?;
        Ok(())
    }

    fn bump_version(&mut self) -> Result<(), StoreError> {
        rules::Tx::bump_data_version(self)
    }
}

impl PgStore {
    pub(super) fn texts_where(
        &self,
        published: bool,
        corte: Option<&str>,
    ) -> Result<Vec<TextVersion>, StoreError> {
        self.run(|c| {
            c.query(
                &format!(
                    "SELECT {TEXT_COLUMNS} FROM narrative_texts
                     WHERE ($1::TEXT IS NULL OR corte = $1) AND (NOT $2 OR state = 'publicado')
                     ORDER BY corte, section, version"
                ),
                &[&corte, &published],
            )
            .map_err(pg)?
            .iter()
            .map(text_from_row)
            .collect()
        })
    }

    pub(super) fn text_log(
        &self,
        corte: Option<&str>,
    ) -> Result<Vec<(i64, TextEvent)>, StoreError> {
        self.run(|c| {
            Ok(c.query(
                "SELECT l.text, l.at, l.actor, l.action, l.before, l.after, l.why
                 FROM narrative_log l JOIN narrative_texts t ON t.id = l.text
                 WHERE $1::TEXT IS NULL OR t.corte = $1 ORDER BY l.id",
                &[&corte],
            )
            .map_err(pg)?
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    TextEvent {
                        at: r.get(1),
                        actor: r.get(2),
                        action: r.get(3),
                        before: r.get(4),
                        after: r.get(5),
                        why: r.get(6),
                    },
                )
            })
            .collect())
        })
    }
}
