//! Durability of the reporting store: 1 000 values sent in a burst to the real server, which is killed
//! with SIGKILL at random moments and restarted until every submission is acknowledged. Afterwards every
//! acknowledged value is in the store, and every submission is whole (all its rows or none) — on SQLite and
//! on PostgreSQL.

mod common;
#[path = "common/postgres.rs"]
mod postgres_cluster;
#[path = "common/serve.rs"]
mod serve;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

const TERRITORIES: [&str; 21] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "50",
    "60", "70", "80", "90",
];
const SUBMISSIONS: usize = 100;
const PER_SUBMISSION: usize = 10;

fn cli(store: &str, args: &[&str]) -> String {
    common::run(
        Command::new(env!("CARGO_BIN_EXE_ssepot"))
            .args(["store", "--store", store])
            .args(args),
    )
}

/// One HTTP/1.1 POST; the status, or `None` if the connection failed or broke (the server was killed).
fn post(addr: &str, path: &str, token: &str, key: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

/// The values of submission `n`: distinct (territory, year) keys of `homicidios`.
fn values(n: usize) -> Vec<(String, i32, f64)> {
    (0..PER_SUBMISSION)
        .map(|i| {
            let k = n * PER_SUBMISSION + i;
            (
                TERRITORIES[k % 21].to_string(),
                2100 + (k / 21) as i32,
                k as f64 + 0.5,
            )
        })
        .collect()
}

fn body(n: usize) -> String {
    let values: Vec<_> = values(n)
        .into_iter()
        .map(|(t, y, v)| serde_json::json!({"indicator": "homicidios", "territory": t, "year": y, "value": v}))
        .collect();
    serde_json::json!({ "values": values }).to_string()
}

/// A pseudo-random number from the clock and a counter: kill moments differ between runs.
fn random_below(n: u64, salt: u64) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (t ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0x2545_F491_4F6C_DD1D) % n
}

fn burst_with_kills(store: &str, check: impl Fn(&BTreeMap<usize, u16>)) {
    cli(
        store,
        &[
            "add-office",
            "seguridad",
            "--name",
            "Secretaría de Seguridad",
            "--indicator",
            "homicidios",
        ],
    );
    let token = cli(
        store,
        &[
            "add-token",
            "--role",
            "office",
            "--office",
            "seguridad",
            "--label",
            "enlace",
        ],
    )
    .lines()
    .find(|l| l.starts_with("ssepot_"))
    .unwrap()
    .trim()
    .to_string();
    let acked: Arc<Mutex<BTreeMap<usize, u16>>> = Arc::default();
    let mut round = 0u64;
    let mut kills = 0;
    while acked.lock().unwrap().len() < SUBMISSIONS {
        round += 1;
        assert!(round < 30, "the burst never completes");
        let mut server = serve::Serve::start(store);
        let addr = server.addr.clone();
        let todo: Vec<usize> = (0..SUBMISSIONS)
            .filter(|n| !acked.lock().unwrap().contains_key(n))
            .collect();
        let clients: Vec<_> = (0..4)
            .map(|c| {
                let (addr, token, acked) = (addr.clone(), token.clone(), acked.clone());
                let mine: Vec<usize> = todo.iter().copied().filter(|n| n % 4 == c).collect();
                std::thread::spawn(move || {
                    for n in mine {
                        match post(
                            &addr,
                            "/reporting/values",
                            &token,
                            &format!("burst-{n}"),
                            &body(n),
                        ) {
                            Some(s @ (200 | 201)) => {
                                acked.lock().unwrap().insert(n, s);
                            }
                            Some(s) => panic!("submission {n}: status {s}"),
                            None => return,
                        }
                    }
                })
            })
            .collect();
        // In the first three rounds, kill when a random share of what is left has been acknowledged, so the
        // kill lands mid-burst with requests in flight; then let one round finish.
        if round <= 3 {
            let done = SUBMISSIONS - todo.len();
            let target = done + 1 + random_below((todo.len() / 2).max(1) as u64, round) as usize;
            while acked.lock().unwrap().len() < target {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            server.child.kill().unwrap();
            kills += 1;
        }
        for c in clients {
            c.join().unwrap();
        }
        if round > 3 {
            server.child.kill().unwrap();
        }
        eprintln!(
            "round {round}: {} of {SUBMISSIONS} submissions acknowledged",
            acked.lock().unwrap().len()
        );
        server.child.wait().unwrap();
    }
    assert!(kills >= 3);
    let acked = acked.lock().unwrap();
    eprintln!(
        "{kills} kills; {} submissions were committed before a kill cut their answer and were replayed by their key",
        acked.values().filter(|s| **s == 200).count()
    );
    check(&acked);
}

fn check_sqlite(path: &Path, acked: &BTreeMap<usize, u16>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut per_submission: BTreeMap<String, i64> = BTreeMap::new();
    let mut stmt = conn
        .prepare("SELECT s.idempotency_key, count(i.id) FROM submissions s LEFT JOIN items i ON i.submission = s.id GROUP BY s.id")
        .unwrap();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
    {
        let (key, n) = row.unwrap();
        assert_eq!(n, PER_SUBMISSION as i64, "submission {key} is half-written");
        assert!(per_submission.insert(key, n).is_none());
    }
    assert_eq!(
        per_submission.len(),
        SUBMISSIONS,
        "one submission per key, retries replayed"
    );
    for n in acked.keys() {
        for (t, y, v) in values(*n) {
            let stored: f64 = conn
                .query_row(
                    "SELECT value FROM items WHERE indicator = 'homicidios' AND territory = ?1 AND year = ?2",
                    rusqlite::params![t, y],
                    |r| r.get(0),
                )
                .unwrap_or_else(|e| panic!("acknowledged value {t}/{y} of submission {n} is missing: {e}"));
            assert_eq!(stored, v);
        }
    }
    let items: i64 = conn
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    let log: i64 = conn
        .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, (SUBMISSIONS * PER_SUBMISSION) as i64);
    assert_eq!(log, items, "one log entry per item, written with it");
}

#[test]
fn every_acknowledged_value_survives_kill_9_and_no_submission_is_half_written_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reporting.sqlite");
    let store = path.to_str().unwrap().to_string();
    burst_with_kills(&store, |acked| {
        assert_eq!(acked.len(), SUBMISSIONS);
        check_sqlite(&path, acked);
    });
}

fn check_postgres(url: &str, acked: &BTreeMap<usize, u16>) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let rows = c
        .query("SELECT s.idempotency_key, count(i.id) FROM submissions s LEFT JOIN items i ON i.submission = s.id GROUP BY s.id", &[])
        .unwrap();
    assert_eq!(
        rows.len(),
        SUBMISSIONS,
        "one submission per key, retries replayed"
    );
    for r in &rows {
        let (key, n): (String, i64) = (r.get(0), r.get(1));
        assert_eq!(n, PER_SUBMISSION as i64, "submission {key} is half-written");
    }
    for n in acked.keys() {
        for (t, y, v) in values(*n) {
            let row = c
                .query_opt(
                    "SELECT value FROM items WHERE indicator = 'homicidios' AND territory = $1 AND year = $2",
                    &[&t, &y],
                )
                .unwrap()
                .unwrap_or_else(|| panic!("acknowledged value {t}/{y} of submission {n} is missing"));
            assert_eq!(row.get::<_, f64>(0), v);
        }
    }
    let items: i64 = c
        .query_one("SELECT count(*) FROM items", &[])
        .unwrap()
        .get(0);
    let log: i64 = c
        .query_one("SELECT count(*) FROM change_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(items, (SUBMISSIONS * PER_SUBMISSION) as i64);
    assert_eq!(log, items, "one log entry per item, written with it");
}

#[test]
fn every_acknowledged_value_survives_kill_9_and_no_submission_is_half_written_on_postgresql() {
    let pg = postgres_cluster::Pg::start();
    let url = pg.url();
    burst_with_kills(&url, |acked| {
        assert_eq!(acked.len(), SUBMISSIONS);
        check_postgres(&url, acked);
    });
}
