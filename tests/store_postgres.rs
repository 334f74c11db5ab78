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

/// Two replicas (two connections) writing versions of the same section at once: every version is numbered once.
#[test]
fn two_replicas_writing_the_same_section_number_every_version_once() {
    let (a, b) = (open_store(), open_store());
    let token = a
        .add_token(ssepot::store::Role::Reviewer, None, "DAP — a la vez")
        .unwrap();
    let (id, _) = ssepot::store::auth::split(&token).unwrap();
    let (who, _) = a.principal(id).unwrap().unwrap();
    let write = |store: Arc<dyn Store>, n: usize| {
        let who = who.clone();
        std::thread::spawn(move || {
            (0..n)
                .map(|i| {
                    let new = ssepot::store::narrative::NewText {
                        corte: "2023-08-31".into(),
                        seccion: "generalidades".into(),
                        texto: format!("Versión escrita a la vez, {i}"),
                    };
                    store.submit_text(&who, &new).map(|t| t.version)
                })
                .collect::<Vec<_>>()
        })
    };
    let (ta, tb) = (write(a.clone(), 10), write(b, 10));
    let mut versions: Vec<i64> = ta
        .join()
        .unwrap()
        .into_iter()
        .chain(tb.join().unwrap())
        .map(|v| v.expect("no version is refused"))
        .collect();
    versions.sort();
    assert_eq!(versions, (1..=20).collect::<Vec<i64>>());
    let stored = a.narrative(Some("2023-08-31")).unwrap();
    let pending = stored.iter().filter(|t| t.state.is_pending()).count();
    assert_eq!(
        (stored.len(), pending),
        (20, 1),
        "only the newest is still pending"
    );
}
