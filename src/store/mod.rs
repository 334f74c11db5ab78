//! The reporting store: where offices' values arrive, are reviewed, published and logged.
//!
//! 1. **Submit.** An office, with a token scoped to its indicators ([`auth`]), sends values as JSON or as a
//!    CSV/XLSX upload ([`upload`], read with the layer-table rules: decimal comma, `ND`, normalised codes).
//!    Every row is checked against the served snapshot ([`check`]); one bad row rejects the whole
//!    submission with a per-row report, so nothing is half-written.
//! 2. **Write.** One transaction writes the submission, its items in state `reportado` and their change-log
//!    entries; a repeated idempotency key returns the first answer and writes nothing.
//! 3. **Review.** A reviewer (DAP) moves items along [`workflow`]: reportado → verificado → validado →
//!    publicado, or devuelto with a reason. Each transition is one transaction with its log entries.
//! 4. **Publish.** Publishing writes the `published` table and bumps the data version in the same
//!    transaction; servers lay the published values over the layers' snapshot ([`overlay`]) and swap it in.
//!
//! 5. **Report texts.** The DAP writes the management report's texts the same way ([`narrative`]): versions per
//!    cut-off and section, the same workflow, published by someone other than the author, laid over the snapshot.
//!
//! [`Store`] has two implementations: [`sqlite::SqliteStore`] (one file beside the layers, the default) and
//! [`postgres::PgStore`] (several replicas sharing one database). Nothing here knows about HTTP.

pub mod auth;
pub mod check;
pub mod cycle;
pub mod log;
pub mod narrative;
pub mod overlay;
pub mod postgres;
pub mod rules;
pub mod sheet;
pub mod sqlite;
pub mod upload;
pub mod workflow;

pub use workflow::State;

use serde::Serialize;
use std::sync::{Arc, Mutex};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An office: submits values of its own indicators and sees its own items.
    Office,
    /// The DAP: verifies, validates, returns and publishes.
    Reviewer,
    /// Everything a reviewer does.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Office => "office",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "office" => Some(Role::Office),
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Reviewers and admins move items between states.
    pub fn reviews(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }
}

/// Who is asking: an authenticated, unrevoked token.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// The token's public id (the part before the secret); logged as the actor.
    pub token_id: String,
    pub role: Role,
    /// The office of an office token.
    pub office: Option<String>,
    /// A human label for the token holder (`Secretaría de Movilidad — Ana`).
    pub label: String,
    /// Indicator ids an office token may report.
    pub indicators: Vec<String>,
}

impl Principal {
    /// `label (token id)`, as the change log records who did something.
    pub fn actor(&self) -> String {
        format!("{} ({})", self.label, self.token_id)
    }
}

/// A value checked against the snapshot, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewValue {
    /// Row of the upload (1-based, as a spreadsheet shows it) or position in the JSON list (1-based).
    pub row: usize,
    pub indicator: String,
    /// Normalised territory code (`1` for `01`), or the unit set's city code.
    pub territory: String,
    pub year: i32,
    /// `None` is `ND`.
    pub value: Option<f64>,
}

/// A proposed change to one field of an indicator's technical sheet (DIES-058 in spirit).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetChange {
    pub indicator: String,
    /// Sheet field (`target`, `baseline_value`, `office`, ...).
    pub field: String,
    /// The value the office believes is current; recorded as given.
    #[serde(default)]
    pub before: Option<String>,
    pub after: String,
    /// Why the change is needed.
    pub why: String,
}

/// One item of a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewItem {
    Value(NewValue),
    Sheet(SheetChange),
}

/// A checked submission: all of it is written, or none.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Client-chosen key; the same key from the same office writes nothing a second time.
    pub idempotency_key: String,
    /// SHA-256 of the items, to tell a replay from a different payload under a reused key.
    pub payload_hash: String,
    /// `json`, or the uploaded file's name.
    pub source: String,
    pub items: Vec<NewItem>,
}

/// What a submission wrote (or had written, when replayed).
#[derive(Debug, Clone, Serialize)]
pub struct SubmitOutcome {
    pub submission: i64,
    /// True when the idempotency key had been used for the same payload: nothing new was written.
    pub replayed: bool,
    /// Ids of the items, in row order.
    pub items: Vec<i64>,
}

/// An item as stored, with its state.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub submission: i64,
    pub office: String,
    /// Where it came from: `json` or the uploaded file's name.
    pub source: String,
    pub row: i64,
    /// `value` or `sheet`.
    pub kind: String,
    pub indicator: String,
    pub territory: Option<String>,
    pub year: Option<i32>,
    pub value: Option<f64>,
    pub field: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub why: Option<String>,
    pub state: State,
    /// Why it was returned (`devuelto`).
    pub reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only this office's items.
    pub office: Option<String>,
    /// Only items in these states (all when empty).
    pub states: Vec<State>,
    pub indicator: Option<String>,
}

/// A published value: what the public sees instead of the layer file's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub indicator: String,
    pub territory: String,
    pub year: i32,
    pub value: Option<f64>,
    /// The item that was published.
    pub item: i64,
    pub submission: i64,
    pub office: String,
    pub published_at: String,
}

/// A published technical-sheet field: it replaces what the layer file's sheet says for that field.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedSheetField {
    pub indicator: String,
    /// One of the sheet fields a change may name ([`sheet::FIELDS`]).
    pub field: String,
    pub value: String,
}

/// A technical-sheet change published through the store, as the DIES-058 change record counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedSheetChange {
    pub item: i64,
    pub indicator: String,
    pub field: String,
    pub before: Option<String>,
    pub after: String,
    /// The office's name.
    pub office: String,
    /// When it was published (UTC).
    pub published_at: String,
}

/// A store failure, without HTTP: the HTTP layer picks the status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A field of the request is wrong.
    #[error("field `{field}`: {message}")]
    Invalid { field: String, message: String },
    /// The principal may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the stored state (an item not in the state a transition needs, a reused key).
    #[error("field `{field}`: {message}")]
    Conflict { field: String, message: String },
    /// The database cannot be reached now; retrying later may work.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Where the reporting data lives. Object-safe; every method is one transaction (or one read).
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`, for logs and `/health`.
    fn kind(&self) -> &'static str;
    /// The principal of an unrevoked token id, with the SHA-256 of its secret for a constant-time check.
    fn principal(&self, token_id: &str) -> Result<Option<(Principal, [u8; 32])>, StoreError>;
    /// Writes a checked submission of an office, all or nothing.
    fn submit(&self, who: &Principal, submission: &Submission)
        -> Result<SubmitOutcome, StoreError>;
    /// Moves items to `to`, all or nothing; publishing also writes the published values and bumps the data version.
    fn transition(
        &self,
        who: &Principal,
        items: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<Item>, StoreError>;
    fn items(&self, filter: &ItemFilter) -> Result<Vec<Item>, StoreError>;
    /// Every published value.
    fn published(&self) -> Result<Vec<Published>, StoreError>;
    /// Every published technical-sheet field.
    fn published_sheet(&self) -> Result<Vec<PublishedSheetField>, StoreError>;
    /// Every technical-sheet change published, in the order it was published (the DIES-058 record).
    fn published_sheet_changes(&self) -> Result<Vec<PublishedSheetChange>, StoreError>;
    /// Increases with every publish; servers compare it to know when to rebuild.
    fn data_version(&self) -> Result<i64, StoreError>;
    /// The change log, oldest first, optionally of one office or one indicator.
    fn log(&self, filter: &log::LogFilter) -> Result<Vec<log::LogEntry>, StoreError>;
    /// Creates or updates an office and the indicators it reports.
    fn add_office(&self, id: &str, name: &str, indicators: &[String]) -> Result<(), StoreError>;
    /// Creates a token and returns it in clear, the only time it is ever shown.
    fn add_token(
        &self,
        role: Role,
        office: Option<&str>,
        label: &str,
    ) -> Result<String, StoreError>;
    /// Opens a reporting period (reviewers; one per year).
    fn open_period(
        &self,
        who: &Principal,
        new: &cycle::NewPeriod,
    ) -> Result<cycle::Period, StoreError>;
    /// Every reporting period, newest year first.
    fn periods(&self) -> Result<Vec<cycle::Period>, StoreError>;
    /// Every office and the indicators it reports.
    fn offices(&self) -> Result<Vec<cycle::OfficeInfo>, StoreError>;
    /// Records a concertation agreement (reviewers); returns its id.
    fn record_agreement(
        &self,
        who: &Principal,
        new: &cycle::NewAgreement,
    ) -> Result<i64, StoreError>;
    /// Concertation agreements, oldest first, optionally those about one indicator.
    fn agreements(&self, indicator: Option<&str>) -> Result<Vec<cycle::Agreement>, StoreError>;
    /// Writes a new version of a report text (reviewers; [`narrative::submit`]).
    fn submit_text(
        &self,
        who: &Principal,
        new: &narrative::NewText,
    ) -> Result<narrative::TextVersion, StoreError>;
    /// Moves report text versions along the workflow, all or nothing ([`narrative::transition`]).
    fn move_texts(
        &self,
        who: &Principal,
        ids: &[i64],
        to: State,
        reason: Option<&str>,
    ) -> Result<Vec<narrative::TextVersion>, StoreError>;
    /// Every version of the report's texts with its log, by cut-off, section and version; optionally of one
    /// cut-off.
    fn narrative(&self, corte: Option<&str>) -> Result<Vec<narrative::TextVersion>, StoreError>;
    /// The latest published version of each cut-off and section.
    fn published_narrative(&self) -> Result<Vec<crate::ssepot::texts::PublishedText>, StoreError>;
    /// Revokes a token by id; false if there was no such unrevoked token.
    fn revoke_token(&self, token_id: &str) -> Result<bool, StoreError>;
    /// Blocks until a publish is notified (PostgreSQL: `NOTIFY`; true) or `timeout` passes (false).
    /// Callers re-read the data version afterwards, so waking early is harmless and a lost notification only
    /// delays a refresh to the timeout. SQLite has no notifications: it sleeps.
    fn wait_for_change(&self, timeout: std::time::Duration) -> Result<bool, StoreError> {
        std::thread::sleep(timeout);
        Ok(false)
    }
}

/// The default store: `reporting.sqlite` in the layers folder.
pub fn default_path(layers_dir: &std::path::Path) -> std::path::PathBuf {
    layers_dir.join("reporting.sqlite")
}

/// Opens the store a `--store` argument names: `postgres://…` or a SQLite file path.
pub fn open(spec: &str) -> Result<Arc<dyn Store>, StoreError> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(spec)?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::open(std::path::Path::new(
            spec,
        ))?))
    }
}

/// The store as the server uses it: the store, the published values last read from it, and the failure throttle.
pub struct Reporting {
    pub store: Arc<dyn Store>,
    /// (data version, published values) last read.
    published: Mutex<(i64, Arc<Vec<Published>>)>,
    /// Published technical-sheet fields, read with the values.
    sheet: Mutex<Arc<Vec<PublishedSheetField>>>,
    /// Published technical-sheet changes, read with the values.
    sheet_changes: Mutex<Arc<Vec<PublishedSheetChange>>>,
    /// Published report texts, read with the values.
    texts: Mutex<Arc<Vec<crate::ssepot::texts::PublishedText>>>,
    pub throttle: auth::Throttle,
    /// Largest upload accepted, in bytes.
    pub upload_limit: usize,
}

/// 10 MB: the default upload limit.
pub const DEFAULT_UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

impl Reporting {
    pub fn new(store: Arc<dyn Store>, upload_limit: usize) -> Self {
        Self {
            store,
            published: Mutex::new((-1, Arc::new(Vec::new()))),
            sheet: Mutex::new(Arc::new(Vec::new())),
            sheet_changes: Mutex::new(Arc::new(Vec::new())),
            texts: Mutex::new(Arc::new(Vec::new())),
            throttle: auth::Throttle::default(),
            upload_limit,
        }
    }

    /// The published values last read.
    pub fn published(&self) -> Arc<Vec<Published>> {
        self.published.lock().expect("not poisoned").1.clone()
    }

    /// The published technical-sheet fields last read.
    pub fn published_sheet(&self) -> Arc<Vec<PublishedSheetField>> {
        self.sheet.lock().expect("not poisoned").clone()
    }

    /// The published report texts last read.
    pub fn published_texts(&self) -> Arc<Vec<crate::ssepot::texts::PublishedText>> {
        self.texts.lock().expect("not poisoned").clone()
    }

    /// Whether anything published is to be laid over the layers' snapshot.
    pub fn has_published(&self) -> bool {
        !self.published().is_empty()
            || !self.published_sheet().is_empty()
            || !self.published_texts().is_empty()
    }

    /// A snapshot with everything published laid over it: values, technical-sheet fields, the sheet
    /// changes in the DIES-058 record, and the report's texts.
    pub fn lay_over(&self, snapshot: crate::model::Snapshot) -> crate::model::Snapshot {
        let snapshot = overlay::apply(snapshot, &self.published());
        let snapshot = overlay::apply_sheet(snapshot, &self.published_sheet());
        let changes = self.sheet_changes.lock().expect("not poisoned").clone();
        let snapshot = overlay::apply_sheet_changes(snapshot, &changes);
        overlay::apply_texts(snapshot, &self.published_texts())
    }

    /// Re-reads the published values if the data version moved; returns them when they changed.
    pub fn refresh(&self) -> Result<Option<Arc<Vec<Published>>>, StoreError> {
        let version = self.store.data_version()?;
        if version == self.published.lock().expect("not poisoned").0 {
            return Ok(None);
        }
        let values = Arc::new(self.store.published()?);
        let sheet = Arc::new(self.store.published_sheet()?);
        let changes = Arc::new(self.store.published_sheet_changes()?);
        let texts = Arc::new(self.store.published_narrative()?);
        *self.texts.lock().expect("not poisoned") = texts;
        *self.sheet.lock().expect("not poisoned") = sheet;
        *self.sheet_changes.lock().expect("not poisoned") = changes;
        *self.published.lock().expect("not poisoned") = (version, values.clone());
        Ok(Some(values))
    }

    /// The data version of the published values last read.
    pub fn data_version(&self) -> i64 {
        self.published.lock().expect("not poisoned").0
    }
}
