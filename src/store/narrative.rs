//! The report's narrative texts, once, above the two SQL backends: the DAP writes a text for a cut-off date
//! and a section of the management report; every submission is a new version (1, 2, … per cut-off and
//! section); a version goes through the values' review workflow ([`super::workflow`]: reportado →
//! verificado → validado → publicado, or devuelto with a reason) moved only by reviewers other than its
//! author (four eyes); a newer version supersedes a pending older one (`reemplazado`), as a newer value does.
//! Publishing bumps the data version, so every replica lays the text over its snapshot and the report shows
//! the latest published version of each cut-off and section. Nothing is ever deleted: every version and
//! every move (the text's own log) stays readable.

use super::{Principal, State, StoreError};
use crate::ssepot::report::narrative::SECTIONS;
use crate::ssepot::texts::PublishedText;
use serde::{Deserialize, Serialize};

/// The longest text accepted, in characters (about eight printed pages: a section's reading, not a book).
pub const MAX_CHARS: usize = 20_000;

/// What a reviewer sends: a new version of the text of one cut-off and section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewText {
    /// The cut-off date (`YYYY-MM-DD`).
    pub corte: String,
    /// One of the report's sections.
    pub seccion: String,
    /// Plain text: paragraphs separated by a blank line.
    pub texto: String,
}

impl NewText {
    /// Checks the request; the checked text has its date and section trimmed and its text's ends trimmed.
    pub fn checked(&self) -> Result<NewText, StoreError> {
        let corte = super::cycle::date("corte", &self.corte)?;
        let seccion = self.seccion.trim();
        if !SECTIONS.contains(&seccion) {
            return Err(StoreError::invalid(
                "seccion",
                format!("`{seccion}` is not a section of the report; sections are {SECTIONS:?}"),
            ));
        }
        let texto = self.texto.trim();
        if texto.is_empty() {
            return Err(StoreError::invalid("texto", "is empty"));
        }
        let n = texto.chars().count();
        if n > MAX_CHARS {
            return Err(StoreError::invalid(
                "texto",
                format!("has {n} characters; the limit is {MAX_CHARS}"),
            ));
        }
        Ok(NewText {
            corte,
            seccion: seccion.into(),
            texto: texto.into(),
        })
    }
}

/// One move of a text version: who, when, from which state to which, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextEvent {
    /// When (UTC, from the database clock).
    pub at: String,
    /// Who: the token's label and id.
    pub actor: String,
    /// `reportado` (submitted), or the state it moved to.
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub why: Option<String>,
}

/// A text version as stored, with its state and its moves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextVersion {
    pub id: i64,
    pub corte: String,
    pub seccion: String,
    pub version: i64,
    pub texto: String,
    pub state: State,
    /// Why it was returned (`devuelto`).
    pub reason: Option<String>,
    /// The author's token label.
    pub author: String,
    /// The author's token id (the four-eyes rule compares it).
    pub author_token: String,
    /// Who published it (token label), when published.
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Its moves, oldest first (filled by [`Store::narrative`](super::Store::narrative); left out of the
    /// answers that do not read them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<TextEvent>,
}

/// What a backend does for the narrative inside one transaction.
pub trait NarrativeTx {
    /// Serialises the submissions of one cut-off and section, so two replicas never number the same version.
    fn lock_section(&mut self, corte: &str, section: &str) -> Result<(), StoreError>;
    /// The highest version of a cut-off and section (0 when it has none).
    fn last_version(&mut self, corte: &str, section: &str) -> Result<i64, StoreError>;
    /// Ids of the versions of a cut-off and section in `states`, locked for update.
    fn texts_in(
        &mut self,
        corte: &str,
        section: &str,
        states: &[State],
    ) -> Result<Vec<i64>, StoreError>;
    /// Inserts a checked text in state `reportado`; returns its id.
    fn insert_text(
        &mut self,
        t: &NewText,
        version: i64,
        who: &Principal,
    ) -> Result<i64, StoreError>;
    /// A version (without its log), locked for update when `lock`.
    fn text(&mut self, id: i64, lock: bool) -> Result<Option<TextVersion>, StoreError>;
    /// Sets the state (and the reason of a return); publishing also records who and when.
    fn set_text_state(
        &mut self,
        id: i64,
        to: State,
        reason: Option<&str>,
        publisher: Option<&str>,
    ) -> Result<(), StoreError>;
    fn append_text_log(
        &mut self,
        id: i64,
        who: &Principal,
        action: &str,
        before: Option<&str>,
        after: Option<&str>,
        why: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Bumps the data version (PostgreSQL also notifies the other replicas when the transaction commits).
    fn bump_version(&mut self) -> Result<(), StoreError>;
}

/// Only the DAP (reviewer and admin tokens) writes and reviews the report's texts.
pub fn may_write(who: &Principal) -> Result<(), StoreError> {
    if who.role.reviews() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only reviewer (DAP) and admin tokens write and review the report's texts".into(),
        ))
    }
}

/// Writes a new version of a text: the next number of its cut-off and section; pending older versions are
/// superseded (`reemplazado`), published ones stay published until the new one is.
pub fn submit(
    tx: &mut impl NarrativeTx,
    who: &Principal,
    new: &NewText,
) -> Result<TextVersion, StoreError> {
    may_write(who)?;
    let new = new.checked()?;
    tx.lock_section(&new.corte, &new.seccion)?;
    let pending = [State::Reportado, State::Verificado, State::Validado];
    for old in tx.texts_in(&new.corte, &new.seccion, &pending)? {
        let before = tx.text(old, false)?.map(|t| t.state.as_str());
        tx.set_text_state(old, State::Reemplazado, None, None)?;
        tx.append_text_log(
            old,
            who,
            State::Reemplazado.as_str(),
            before,
            Some(State::Reemplazado.as_str()),
            Some("a newer version of the same text"),
        )?;
    }
    let version = tx.last_version(&new.corte, &new.seccion)? + 1;
    let id = tx.insert_text(&new, version, who)?;
    tx.append_text_log(
        id,
        who,
        State::Reportado.as_str(),
        None,
        Some(State::Reportado.as_str()),
        None,
    )?;
    tx.text(id, false)?
        .ok_or_else(|| StoreError::Internal("the text just written is not there".into()))
}

/// Whether `who` wrote the text: the same token, or a token with the same label (one person's two tokens).
fn is_author(t: &TextVersion, who: &Principal) -> bool {
    t.author_token == who.token_id || t.author.trim().eq_ignore_ascii_case(who.label.trim())
}

/// Moves text versions to `to`, all or nothing, by the values' workflow; the author moves none of their own.
/// Publishing bumps the data version once.
pub fn transition(
    tx: &mut impl NarrativeTx,
    who: &Principal,
    ids: &[i64],
    to: State,
    reason: Option<&str>,
) -> Result<Vec<TextVersion>, StoreError> {
    may_write(who)?;
    if ids.is_empty() {
        return Err(StoreError::invalid("texts", "no text ids given"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let t = tx
            .text(id, true)?
            .ok_or_else(|| StoreError::invalid("texts", format!("no text {id}")))?;
        if is_author(&t, who) {
            return Err(StoreError::Forbidden(format!(
                "text {id} (version {} of `{}` at {}) was written by {}: a text is reviewed and published by \
                 someone other than its author (four eyes); to change it, send a new version",
                t.version, t.seccion, t.corte, t.author
            )));
        }
        super::workflow::check(t.state, to, reason)
            .map_err(|m| StoreError::conflict("texts", format!("text {id}: {m}")))?;
        let publisher = (to == State::Publicado).then_some(who.label.as_str());
        tx.set_text_state(id, to, reason.filter(|_| to == State::Devuelto), publisher)?;
        tx.append_text_log(
            id,
            who,
            to.as_str(),
            Some(t.state.as_str()),
            Some(to.as_str()),
            reason,
        )?;
        out.push(tx.text(id, false)?.expect("just updated"));
    }
    if to == State::Publicado {
        tx.bump_version()?;
    }
    Ok(out)
}

/// Gives each version its moves, from (text id, move) pairs in order.
pub fn attach_log(texts: &mut [TextVersion], log: Vec<(i64, TextEvent)>) {
    for (id, event) in log {
        if let Some(t) = texts.iter_mut().find(|t| t.id == id) {
            t.log.push(event);
        }
    }
}

/// The text the report shows for each cut-off and section: its latest published version.
pub fn latest_published(versions: Vec<TextVersion>) -> Vec<PublishedText> {
    let mut out: Vec<PublishedText> = Vec::new();
    for v in versions.into_iter().filter(|v| v.state == State::Publicado) {
        let text = PublishedText {
            id: v.id,
            corte: v.corte,
            section: v.seccion,
            version: v.version,
            text: v.texto,
            author: v.author,
            reviewer: v.published_by.unwrap_or_default(),
            date: super::cycle::day_of(v.published_at.as_deref().unwrap_or_default()),
            published_at: v.published_at.unwrap_or_default(),
        };
        match out
            .iter_mut()
            .find(|o| o.corte == text.corte && o.section == text.section)
        {
            Some(o) if o.version < text.version => *o = text,
            Some(_) => {}
            None => out.push(text),
        }
    }
    out.sort_by(|a, b| (&a.corte, &a.section).cmp(&(&b.corte, &b.section)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(corte: &str, seccion: &str, texto: &str) -> NewText {
        NewText {
            corte: corte.into(),
            seccion: seccion.into(),
            texto: texto.into(),
        }
    }

    fn field(e: StoreError) -> String {
        match e {
            StoreError::Invalid { field, .. } => field,
            other => panic!("not a 400: {other}"),
        }
    }

    #[test]
    fn a_text_names_the_field_that_is_wrong() {
        assert_eq!(
            field(new("2023-02-30", "pdd", "x").checked().unwrap_err()),
            "corte"
        );
        assert_eq!(
            field(new("2023-12-31", "resumen", "x").checked().unwrap_err()),
            "seccion"
        );
        assert_eq!(
            field(new("2023-12-31", "pdd", " \n\n ").checked().unwrap_err()),
            "texto"
        );
        let long = "a".repeat(MAX_CHARS + 1);
        assert_eq!(
            field(new("2023-12-31", "pdd", &long).checked().unwrap_err()),
            "texto"
        );
        let ok = new(" 2023-12-31 ", " pdd ", "\n Uno.\n\nDos. \n")
            .checked()
            .unwrap();
        assert_eq!(
            (ok.corte.as_str(), ok.seccion.as_str(), ok.texto.as_str()),
            ("2023-12-31", "pdd", "Uno.\n\nDos.")
        );
    }

    fn version(id: i64, section: &str, version: i64, state: State) -> TextVersion {
        TextVersion {
            id,
            corte: "2023-12-31".into(),
            seccion: section.into(),
            version,
            texto: format!("v{version}"),
            state,
            reason: None,
            author: "A".into(),
            author_token: "a".into(),
            published_by: (state == State::Publicado).then(|| "B".into()),
            published_at: (state == State::Publicado).then(|| "2024-02-15T15:00:00.000Z".into()),
            created_at: String::new(),
            updated_at: String::new(),
            log: vec![],
        }
    }

    #[test]
    fn the_report_shows_the_latest_published_version_of_each_section() {
        let shown = latest_published(vec![
            version(1, "pdd", 1, State::Publicado),
            version(2, "pdd", 2, State::Publicado),
            version(3, "pdd", 3, State::Validado),
            version(4, "anexo", 1, State::Devuelto),
        ]);
        assert_eq!(shown.len(), 1);
        assert_eq!((shown[0].version, shown[0].text.as_str()), (2, "v2"));
        assert_eq!(shown[0].reviewer, "B");
    }
}
