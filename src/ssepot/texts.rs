//! The report's narrative texts published through the reporting store, as the snapshot carries them: the
//! latest published version of each cut-off and section. The store writes them (`store::narrative`), the
//! overlay puts them in the snapshot (`store::overlay::apply_narrative`), and the report shows them over the
//! layer files' texts (`ssepot::report::narrative`). Plain data, so the model knows nothing of either.

use serde::Serialize;

/// One published text version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedText {
    /// The store's id of this version.
    pub id: i64,
    /// The cut-off it is written for (`YYYY-MM-DD`).
    pub corte: String,
    /// One of the report's sections (`ssepot::report::narrative::SECTIONS`).
    pub section: String,
    /// Version number within its cut-off and section (1, 2, …).
    pub version: i64,
    /// The text as written: paragraphs separated by a blank line.
    pub text: String,
    /// Who wrote it (the token's label).
    pub author: String,
    /// Who published it (the token's label), someone other than the author.
    pub reviewer: String,
    /// When it was published (UTC, RFC 3339).
    pub published_at: String,
    /// The day it was published in Medellín (`YYYY-MM-DD`): the date the report shows.
    pub date: String,
}
