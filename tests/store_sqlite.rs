//! The reporting store on SQLite: the shared cases through the router (`tests/store/cases.rs`).

#[path = "store/cases.rs"]
mod cases;
mod common;
#[path = "store/narrative.rs"]
mod narrative;

use ssepot::store::sqlite::SqliteStore;
use ssepot::store::Store;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn store_path() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap().keep().join("reporting.sqlite"))
}

/// A fresh store file in a temporary folder.
fn open_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(store_path()).unwrap())
}

/// Tries to change and to delete change-log entries behind the server's back; returns both errors.
fn try_to_rewrite_the_log() -> (String, String) {
    let conn = rusqlite::Connection::open(store_path()).unwrap();
    let update = conn.execute("UPDATE change_log SET after = 'x'", []);
    let delete = conn.execute("DELETE FROM change_log", []);
    (
        update.unwrap_err().to_string(),
        delete.unwrap_err().to_string(),
    )
}

/// Tries to give an item a state the workflow does not know, behind the server's back; returns the error.
fn try_to_set_state(item: i64, state: &str) -> String {
    let conn = rusqlite::Connection::open(store_path()).unwrap();
    conn.execute(
        "UPDATE items SET state = ?1 WHERE id = ?2",
        rusqlite::params![state, item],
    )
    .unwrap_err()
    .to_string()
}

/// Tries to change and to delete the report texts' log behind the server's back; returns both errors.
fn try_to_rewrite_the_narrative_log() -> (String, String) {
    let conn = rusqlite::Connection::open(store_path()).unwrap();
    let update = conn.execute("UPDATE narrative_log SET after = 'x'", []);
    let delete = conn.execute("DELETE FROM narrative_log", []);
    (
        update.unwrap_err().to_string(),
        delete.unwrap_err().to_string(),
    )
}
