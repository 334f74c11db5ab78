//! Several real servers on one PostgreSQL: a publish through one replica reaches the other, tiles included;
//! with PostgreSQL stopped, reporting answers 503 in the OGC exception JSON, public reads keep serving the
//! last published data, and everything recovers by itself when PostgreSQL returns.

mod common;
#[path = "common/postgres.rs"]
mod postgres_cluster;
#[path = "common/serve.rs"]
mod serve;

use postgres_cluster::Pg;
use serve::{call, office_and_reviewer, public_homicides, publish_value, Serve};
use ssepot::store::postgres::PgStore;
use ssepot::store::{NewItem, NewValue, Role, State, Store, Submission};
use std::time::{Duration, Instant};

const TILE: &str = "/tiles/comunas/12/1188/1976.mvt";

#[test]
fn a_value_published_through_one_replica_is_served_by_the_other_tiles_included() {
    let pg = Pg::start();
    let url = pg.url();
    let (office, reviewer) = office_and_reviewer(&url);
    let a = Serve::start(&url);
    let b = Serve::start(&url);
    let before = public_homicides(&b, "10", 2023).unwrap();
    assert_ne!(before, serde_json::json!(777.0));
    let tile_before = call("GET", &b.url(TILE), None, None);
    assert_eq!(tile_before.status, 200);

    publish_value(&a, &office, &reviewer, "rep-1", "10", 2023, 777.0);
    let published = Instant::now();
    assert_eq!(
        public_homicides(&a, "10", 2023).unwrap(),
        777.0,
        "the replica that published serves it at once"
    );
    loop {
        if public_homicides(&b, "10", 2023).unwrap() == 777.0 {
            break;
        }
        assert!(
            published.elapsed() < Duration::from_secs(20),
            "replica B never picked up the publish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "replica B served the published value {:?} after the publish answered",
        published.elapsed()
    );
    let tile_after = call("GET", &b.url(TILE), None, None);
    assert_ne!(
        tile_before.header("etag"),
        tile_after.header("etag"),
        "replica B's tile changed"
    );
    assert_eq!(
        tile_after.header("etag"),
        call("GET", &a.url(TILE), None, None).header("etag"),
        "both replicas serve the same tile, so a cache in front sees one ETag"
    );
}

#[test]
fn with_postgresql_stopped_reporting_is_503_public_reads_keep_working_and_service_recovers() {
    let pg = Pg::start();
    let url = pg.url();
    let (office, reviewer) = office_and_reviewer(&url);
    let s = Serve::start(&url);
    publish_value(&s, &office, &reviewer, "out-1", "12", 2023, 555.0);

    pg.stop();
    let asked = Instant::now();
    let items = call("GET", &s.url("/reporting/items"), Some(&office), None);
    eprintln!("503 answered in {:?} with PostgreSQL down", asked.elapsed());
    assert_eq!(items.status, 503, "{}", items.body);
    assert_eq!(items.json()["code"], "ServiceUnavailable");
    assert!(items.json()["description"]
        .as_str()
        .unwrap()
        .contains("unavailable"));
    assert!(items.header("retry-after").is_some());
    let body = r#"{"idempotency_key":"out-2","values":[{"indicator":"homicidios","territory":"12","year":2023,"value":1}]}"#;
    let submit = call(
        "POST",
        &s.url("/reporting/values"),
        Some(&office),
        Some(body),
    );
    assert_eq!(submit.status, 503, "{}", submit.body);

    assert_eq!(
        public_homicides(&s, "12", 2023).unwrap(),
        555.0,
        "the last published value keeps serving"
    );
    assert_eq!(call("GET", &s.url(TILE), None, None).status, 200);
    let origin = call(
        "GET",
        &s.url("/reporting/origin?indicator=homicidios&territory=12&year=2023"),
        None,
        None,
    );
    assert_eq!(origin.json()["origin"]["kind"], "submission");

    pg.resume();
    let again = call("GET", &s.url("/reporting/items"), Some(&office), None);
    assert_eq!(
        again.status, 200,
        "recovers on the next request: {}",
        again.body
    );
    assert_eq!(again.json()["items"].as_array().unwrap().len(), 1);
    let submit = call(
        "POST",
        &s.url("/reporting/values"),
        Some(&office),
        Some(body),
    );
    assert_eq!(submit.status, 201, "{}", submit.body);
}

#[test]
fn a_publish_notifies_the_other_processes_listening() {
    let pg = Pg::start();
    let (a, b) = (
        PgStore::open(&pg.url()).unwrap(),
        PgStore::open(&pg.url()).unwrap(),
    );
    a.add_office("seguridad", "Seguridad", &["homicidios".into()])
        .unwrap();
    let office_token = a
        .add_token(Role::Office, Some("seguridad"), "enlace")
        .unwrap();
    let reviewer_token = a.add_token(Role::Reviewer, None, "DAP").unwrap();
    let who = |t: &str| {
        a.principal(t.split('_').nth(1).unwrap())
            .unwrap()
            .unwrap()
            .0
    };
    assert!(
        !b.wait_for_change(Duration::ZERO).unwrap(),
        "listening, nothing published yet"
    );
    let items = vec![NewItem::Value(NewValue {
        row: 1,
        indicator: "homicidios".into(),
        territory: "1".into(),
        year: 2023,
        value: Some(1.0),
    })];
    let sub = Submission {
        idempotency_key: "n-1".into(),
        payload_hash: "h".into(),
        source: "json".into(),
        items,
    };
    let id = a.submit(&who(&office_token), &sub).unwrap().items[0];
    for to in [State::Verificado, State::Validado] {
        a.transition(&who(&reviewer_token), &[id], to, None)
            .unwrap();
    }
    assert!(
        !b.wait_for_change(Duration::ZERO).unwrap(),
        "only a publish notifies"
    );
    a.transition(&who(&reviewer_token), &[id], State::Publicado, None)
        .unwrap();
    assert!(
        b.wait_for_change(Duration::from_secs(60)).unwrap(),
        "the publish was notified"
    );
    assert_eq!(b.data_version().unwrap(), 1);
}

#[test]
fn a_report_text_published_through_one_replica_is_in_the_others_report() {
    let pg = Pg::start();
    let url = pg.url();
    let (_office, publisher) = office_and_reviewer(&url);
    let author = serve::store_cli(
        &url,
        &["add-token", "--role", "reviewer", "--label", "DAP — autora"],
    )
    .lines()
    .find(|l| l.starts_with("ssepot_"))
    .unwrap()
    .trim()
    .to_string();
    let a = Serve::start(&url);
    let b = Serve::start(&url);
    let report = |s: &Serve| {
        call(
            "GET",
            &s.url("/ssepot/informe?corte=2023-09-30&f=json"),
            None,
            None,
        )
    };
    let words = "Lectura del tercer trimestre publicada por otra réplica";
    assert!(!report(&b).body.contains(words));
    let body = serde_json::json!({"corte": "2023-09-30", "seccion": "diagnostico", "texto": words});
    let sent = call(
        "POST",
        &a.url("/reporting/narrative"),
        Some(&author),
        Some(&body.to_string()),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    for to in ["verificado", "validado", "publicado"] {
        let b = serde_json::json!({"texts": [id], "to": to}).to_string();
        let moved = call(
            "POST",
            &a.url("/reporting/narrative/transitions"),
            Some(&publisher),
            Some(&b),
        );
        assert_eq!(moved.status, 200, "{to}: {}", moved.body);
    }
    assert!(
        report(&a).body.contains(words),
        "the replica that published shows it at once"
    );
    let published = Instant::now();
    loop {
        let doc = report(&b).json();
        let section = doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "diagnostico")
            .unwrap()
            .clone();
        if section["narrative"]["paragraphs"][0] == words {
            assert_eq!(section["narrative"]["reviewer"], "DAP");
            assert_eq!(
                doc["fingerprint"],
                report(&a).json()["fingerprint"],
                "the same document on both"
            );
            break;
        }
        assert!(
            published.elapsed() < Duration::from_secs(20),
            "replica B never showed the text"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
