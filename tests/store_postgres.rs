//! The reporting store on PostgreSQL: the shared cases through the router (`tests/store/cases.rs`), on a
//! private PostgreSQL 15 cluster started for this test binary.

#[path = "store/cases.rs"]
mod cases;
mod common;
#[path = "store/narrative.rs"]
mod narrative;
#[path = "common/postgres.rs"]
mod postgres_cluster;

use postgres_cluster::Pg;
use ssepot::store::postgres::PgStore;
use ssepot::store::Store;
use std::sync::{Arc, OnceLock};

fn cluster() -> &'static Pg {
    static PG: OnceLock<Pg> = OnceLock::new();
    PG.get_or_init(Pg::start)
}

/// The store on a fresh database (ssepot creates the tables).
fn open_store() -> Arc<dyn Store> {
    Arc::new(PgStore::open(&cluster().url()).unwrap())
}

/// Tries to change and to delete change-log entries behind the server's back; returns both errors.
fn try_to_rewrite_the_log() -> (String, String) {
    let mut c = postgres::Client::connect(&cluster().url(), postgres::NoTls).unwrap();
    let update = c.execute("UPDATE change_log SET after = 'x'", &[]);
    let delete = c.execute("DELETE FROM change_log", &[]);
    let text = |e: postgres::Error| {
        e.as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string())
    };
    (text(update.unwrap_err()), text(delete.unwrap_err()))
}

/// Tries to give an item a state the workflow does not know, behind the server's back; returns the error.
fn try_to_set_state(item: i64, state: &str) -> String {
    let mut c = postgres::Client::connect(&cluster().url(), postgres::NoTls).unwrap();
    let e = c
        .execute(
            "UPDATE items SET state = $1 WHERE id = $2",
            &[&state, &item],
        )
        .unwrap_err();
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

/// Tries to change and to delete the report texts' log behind the server's back; returns both errors.
fn try_to_rewrite_the_narrative_log() -> (String, String) {
    let mut c = postgres::Client::connect(&cluster().url(), postgres::NoTls).unwrap();
    let update = c.execute("UPDATE narrative_log SET after = 'x'", &[]);
    let delete = c.execute("DELETE FROM narrative_log", &[]);
    let text = |e: postgres::Error| {
        e.as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string())
    };
    (text(update.unwrap_err()), text(delete.unwrap_err()))
}
