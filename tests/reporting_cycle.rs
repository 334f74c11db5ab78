//! The reporting cycle through the real router, on SQLite and on PostgreSQL (a private cluster): the DAP opens
//! reporting periods with a deadline and a cut-off; offices report (or not); the period's completeness lists the
//! pending offices and each ND's cause; values after the cut-off are refused naming the period; the technical
//! sheet shows why an ND is ND; concertation agreements are recorded and shown on the sheet.
//!
//! Expected figures come from what each test did (which office sent what, when) and from the layer file's CSV
//! read here, never from the code under test.

mod common;
#[path = "common/postgres.rs"]
mod postgres_cluster;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{layers_dir, request, Reply};
use serde_json::{json, Value};
use ssepot::state::AppState;
use ssepot::store::postgres::PgStore;
use ssepot::store::sqlite::SqliteStore;
use ssepot::store::{ItemFilter, Reporting, Role, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// Runs blocking store work outside the test's async runtime (the PostgreSQL client has its own).
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// Where a test's store lives, so the test can change a row behind the server's back (a submission's time).
enum Backend {
    Sqlite(PathBuf),
    Postgres(postgres_cluster::Pg),
}

impl Backend {
    fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().unwrap().keep().join("reporting.sqlite"))
    }

    fn postgres() -> Self {
        Backend::Postgres(off_runtime(postgres_cluster::Pg::start))
    }

    fn open(&self) -> Arc<dyn Store> {
        off_runtime(|| -> Arc<dyn Store> {
            match self {
                Backend::Sqlite(p) => Arc::new(SqliteStore::open(p).unwrap()),
                Backend::Postgres(pg) => Arc::new(PgStore::open(&pg.url()).unwrap()),
            }
        })
    }

    /// Says the items were submitted at `at` (UTC): the office sent them then.
    fn submitted_at(&self, items: &[i64], at: &str) {
        let list = items
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("UPDATE items SET created_at = '{at}' WHERE id IN ({list})");
        off_runtime(|| match self {
            Backend::Sqlite(p) => {
                let conn = rusqlite::Connection::open(p).unwrap();
                assert_eq!(conn.execute(&sql, []).unwrap(), items.len());
            }
            Backend::Postgres(pg) => {
                let mut c = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
                assert_eq!(c.execute(&sql, &[]).unwrap() as usize, items.len());
            }
        })
    }
}

struct Fixture {
    backend: Backend,
    state: Arc<AppState>,
    store: Arc<dyn Store>,
    reviewer: String,
}

impl Fixture {
    fn new(backend: Backend) -> Self {
        let store = backend.open();
        let reporting = Arc::new(Reporting::new(store.clone(), 10 * 1024 * 1024));
        let state = off_runtime(|| {
            AppState::load(layers_dir(), None)
                .unwrap()
                .with_reporting(reporting)
                .unwrap()
        });
        let reviewer = off_runtime(|| {
            store
                .add_token(Role::Reviewer, None, "DAP — revisora")
                .unwrap()
        });
        Fixture {
            backend,
            state: Arc::new(state),
            store,
            reviewer,
        }
    }

    /// A new office reporting `indicators`, and its token.
    fn office(&self, id: &str, name: &str, indicators: &[&str]) -> String {
        let inds: Vec<String> = indicators.iter().map(|s| s.to_string()).collect();
        off_runtime(|| {
            self.store.add_office(id, name, &inds).unwrap();
            self.store
                .add_token(Role::Office, Some(id), &format!("enlace de {id}"))
                .unwrap()
        })
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "test.local")
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        request(&self.state, req.body(body).unwrap()).await
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send("GET", uri, None, None).await
    }

    /// Sends values of an office; returns the item ids (201 expected).
    async fn report(&self, token: &str, key: &str, values: Value) -> Vec<i64> {
        let mut req = Request::builder()
            .method("POST")
            .uri("/reporting/values")
            .header("host", "test.local")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", key);
        req = req.header("accept", "application/json");
        let r = request(
            &self.state,
            req.body(Body::from(json!({ "values": values }).to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["item"].as_i64().unwrap())
            .collect()
    }

    async fn move_to(&self, items: &[i64], to: &str) {
        let r = self
            .send(
                "POST",
                "/reporting/transitions",
                Some(&self.reviewer),
                Some(json!({"items": items, "to": to})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }

    async fn open_period(&self, year: i32, deadline: &str, cutoff: &str) -> i64 {
        let r = self
            .send(
                "POST",
                "/reporting/periods",
                Some(&self.reviewer),
                Some(json!({"year": year, "deadline": deadline, "cutoff": cutoff})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(
            r.headers["location"].to_str().unwrap(),
            format!("/reporting/periods/{id}")
        );
        id
    }

    /// The id of the battery indicator with this code, as `/indicators` lists it.
    async fn indicator_id(&self, code: &str) -> String {
        let list = self.get("/indicators?f=json").await.json();
        list["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap_or_else(|| panic!("no indicator with code {code}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// ND cells of one indicator in the battery CSV, read here: (territory code as written, year).
fn nd_cells_of(code: &str) -> Vec<(String, i32)> {
    let path = layers_dir().join("data/ssepot-muestra/bateria_indicadores_muestra.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let territory = header
        .iter()
        .position(|h| *h == "Código territorio")
        .unwrap();
    let mut out = vec![];
    for line in lines {
        let cells: Vec<&str> = line.split(';').collect();
        if cells[0] != code {
            continue;
        }
        for (i, h) in header.iter().enumerate() {
            if let (Ok(year), "ND") = (h.parse::<i32>(), cells[i]) {
                out.push((cells[territory].to_string(), year));
            }
        }
    }
    out
}

fn parse_csv(r: &Reply) -> Vec<std::collections::HashMap<String, String>> {
    let text = r.text();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if text.lines().next().unwrap_or_default().contains(';') {
            b';'
        } else {
            b','
        })
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let head: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The whole cycle of one year: who reported on time, who late, who not at all; what the completeness, its
/// CSV and its page say after the deadline.
async fn a_period_after_its_deadline_shows_the_pending_offices(f: &Fixture) {
    let ep01 = f.indicator_id("EP-01").await;
    let seguridad = f.office("seguridad", "Secretaría de Seguridad", &["homicidios"]);
    let planeacion = f.office(
        "planeacion",
        "Departamento de Planeación",
        &["hogares", "poblacion"],
    );
    let infra = f.office("infraestructura", "Secretaría de Infraestructura", &[&ep01]);
    let id = f.open_period(2023, "2024-02-15", "2099-12-31").await;

    // Seguridad: two comunas on time (the 10th of February, 10:00 in Medellín), published; one is ND.
    let items = f
        .report(
            &seguridad,
            "s-1",
            json!([
                {"indicator": "homicidios", "territory": "01", "year": 2023, "value": 100},
                {"indicator": "homicidios", "territory": "02", "year": 2023, "value": "ND"},
            ]),
        )
        .await;
    f.backend.submitted_at(&items, "2024-02-10T15:00:00.000Z");
    for to in ["verificado", "validado", "publicado"] {
        f.move_to(&items, to).await;
    }
    // Planeación: population on the deadline day itself (23:30 in Medellín is 04:30 UTC the next day), not
    // reviewed; households never.
    let pop = f
        .report(
            &planeacion,
            "p-1",
            json!([{"indicator": "poblacion", "territory": "01", "year": 2023, "value": 12345}]),
        )
        .await;
    f.backend.submitted_at(&pop, "2024-02-16T04:30:00.000Z");
    // Infraestructura: today, after the deadline (the cut-off is still open).
    f.report(
        &infra,
        "i-1",
        json!([{"indicator": ep01, "territory": "ciudad", "year": 2023, "value": 5.5}]),
    )
    .await;

    let c = f.get(&format!("/reporting/periods/{id}")).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = c.json();
    assert_eq!(c["deadline_passed"], true);
    assert_eq!(c["closed"], false);
    assert_eq!(
        c["pending_offices"],
        json!(["infraestructura", "planeacion"])
    );
    let ind = |office: &str, indicator: &str| -> Value {
        c["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["office"] == office && s["indicator"] == indicator)
            .unwrap_or_else(|| panic!("{office}/{indicator} missing"))
            .clone()
    };
    let h = ind("seguridad", "homicidios");
    assert_eq!(
        (&h["territories"], &h["on_time"], &h["published"], &h["nd"]),
        (&json!(2), &json!(true), &json!(true), &json!(false))
    );
    let p = ind("planeacion", "poblacion");
    assert_eq!(
        (&p["reported"], &p["on_time"], &p["verified"]),
        (&json!(true), &json!(true), &json!(false))
    );
    assert_eq!(p["nd_cause"], "reportado_sin_validar");
    assert_eq!(ind("planeacion", "hogares")["nd_cause"], "no_reportado");
    let e = ind("infraestructura", &ep01);
    assert_eq!(
        (&e["reported"], &e["on_time"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(e["nd_cause"], "no_reportado");
    let office = |id: &str| -> Value {
        c["offices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["office"] == id)
            .unwrap()
            .clone()
    };
    let pl = office("planeacion");
    assert_eq!(
        (
            &pl["indicators"],
            &pl["reported"],
            &pl["nd"],
            &pl["nd_no_reportado"],
            &pl["nd_reportado_sin_validar"]
        ),
        (&json!(2), &json!(1), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(
        (
            &office("seguridad")["published"],
            &office("seguridad")["pending"]
        ),
        (&json!(1), &json!(false))
    );

    // The same in CSV: one row per office and indicator.
    let csv = f.get(&format!("/reporting/periods/{id}?f=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), 4);
    let hogares = rows.iter().find(|r| r["indicador"] == "hogares").unwrap();
    assert_eq!(
        (hogares["nd"].as_str(), hogares["causa_nd"].as_str()),
        ("sí", "no reportado")
    );
    let pob = rows.iter().find(|r| r["indicador"] == "poblacion").unwrap();
    assert_eq!(
        (pob["a_tiempo"].as_str(), pob["causa_nd"].as_str()),
        ("sí", "reportado sin validar")
    );

    // The page lists the pending offices, and not the one that is done.
    let page = f
        .get(&format!("/reporting/periods/{id}?f=html"))
        .await
        .text();
    assert!(page.contains("Dependencias pendientes"), "{page}");
    assert!(page.contains("data-office=\"planeacion\""));
    assert!(page.contains("data-office=\"infraestructura\""));
    assert!(!page.contains("data-office=\"seguridad\""));

    // The office's own page reminds it of the call and its deadline.
    let req = Request::get("/reporte/oficina")
        .header("host", "test.local")
        .header("cookie", format!("ssepot_reporte={planeacion}"))
        .body(Body::empty())
        .unwrap();
    let own = request(&f.state, req).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    let own = own.text();
    assert!(
        own.contains("Reporte de la vigencia 2023")
            && own.contains("2024-02-15")
            && own.contains("plazo vencido"),
        "{own}"
    );

    // The published ND of homicides shows its cause on the sheet.
    let sheet = f.get("/indicators/homicidios?f=json").await.json();
    let cols = sheet["progress_columns"].as_array().unwrap();
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let row = sheet["progress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[at("codigo")] == "02" && r[at("anio")] == 2023)
        .unwrap()
        .clone();
    assert!(row[at("valor")].is_null(), "{row}");
    assert_eq!(row[at("causa_nd")], "reportado como ND por la dependencia");
}

/// ND cells of the battery (read from its CSV here) on EP-01's sheet: without a period, with one and nothing
/// sent, with one and a value sent on time but not validated.
async fn an_nd_value_on_the_sheet_shows_its_cause(f: &Fixture) {
    let ep01 = f.indicator_id("EP-01").await;
    let cells = nd_cells_of("EP-01");
    // A year with at least two ND cells, and an ND cell of another year.
    // Years the other cases open periods for are left out.
    let free = |y: i32| ![2022, 2023, 2030].contains(&y);
    let year = cells
        .iter()
        .map(|c| c.1)
        .filter(|y| free(*y))
        .find(|y| cells.iter().filter(|c| c.1 == *y).count() >= 2)
        .expect("the battery has a year with two ND cells of EP-01");
    let of_year: Vec<&(String, i32)> = cells.iter().filter(|c| c.1 == year).collect();
    let other = cells
        .iter()
        .find(|c| c.1 != year && free(c.1))
        .expect("another ND year");
    let token = f.office("infra-nd", "Infraestructura (ND)", &[&ep01]);
    f.open_period(year, &format!("{}-02-15", year + 1), "2099-12-31")
        .await;
    let sent = f
        .report(
            &token,
            "nd-1",
            json!([{"indicator": ep01, "territory": of_year[1].0, "year": year, "value": 1.5}]),
        )
        .await;
    f.backend
        .submitted_at(&sent, &format!("{}-02-01T15:00:00.000Z", year + 1));

    let sheet = f.get(&format!("/indicators/{ep01}?f=json")).await.json();
    let cols = sheet["progress_columns"].as_array().unwrap();
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let cause = |code: &str, y: i32| -> Value {
        let row = sheet["progress"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r[at("codigo")] == code && r[at("anio")] == y)
            .unwrap_or_else(|| panic!("no row {code} {y}"));
        assert!(row[at("valor")].is_null(), "{row}");
        row[at("causa_nd")].clone()
    };
    assert_eq!(cause(&of_year[0].0, year), "no reportado");
    assert_eq!(cause(&of_year[1].0, year), "reportado sin validar");
    assert_eq!(
        cause(&other.0, other.1),
        "sin causa registrada (ND en la tabla de origen)"
    );
    // A number is never given a cause.
    let numbers_with_a_cause = sheet["progress"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r[at("valor")].is_null() && r[at("causa_nd")] != "")
        .count();
    assert_eq!(numbers_with_a_cause, 0);
    // The series says it too, by year.
    let series = f
        .get(&format!("/collections/{ep01}/series?code={}", of_year[1].0))
        .await
        .json();
    let row = &series["rows"][0];
    assert!(row["values"][year.to_string()].is_null(), "{row}");
    assert_eq!(row["nd_causes"][year.to_string()], "reportado sin validar");
    // The page shows it too.
    let page = f.get(&format!("/indicators/{ep01}?f=html")).await.text();
    assert!(page.contains("reportado sin validar") && page.contains("no reportado"));
}

/// After the cut-off nothing more of that year is received: 409 naming the period, nothing written.
async fn values_after_the_cutoff_are_refused_naming_the_period(f: &Fixture) {
    let token = f.office("cierre", "Oficina con periodo cerrado", &["homicidios"]);
    let id = f.open_period(2022, "2023-01-31", "2023-02-28").await;
    let before = off_runtime(|| f.store.items(&ItemFilter::default()).unwrap().len());
    let r = f
        .send(
            "POST",
            "/reporting/values",
            Some(&token),
            Some(json!({"idempotency_key": "late-1", "values": [{"indicator": "homicidios", "territory": "03", "year": 2022, "value": 7}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let d = r.json()["description"].as_str().unwrap().to_string();
    assert!(
        d.contains(&format!("period {id}"))
            && d.contains("2023-02-28")
            && d.contains("Reporte de la vigencia 2022"),
        "{d}"
    );
    let after = off_runtime(|| f.store.items(&ItemFilter::default()).unwrap().len());
    assert_eq!(before, after);
    // A year without a period is still received.
    f.report(
        &token,
        "ok-1",
        json!([{"indicator": "homicidios", "territory": "03", "year": 2021, "value": 7}]),
    )
    .await;
    let page = f.get("/reporting/periods?f=html").await.text();
    assert!(page.contains("cerrado (pasó la fecha de corte)"), "{page}");
}

/// Every bad request is a 4xx naming its parameter, and writes nothing.
async fn bad_period_requests_are_refused_naming_the_parameter(f: &Fixture) {
    let token = f.office("mala", "Oficina", &["homicidios"]);
    let cases = [
        (
            json!({"year": 2030, "deadline": "2031-02-30", "cutoff": "2031-03-01"}),
            400,
            "deadline",
        ),
        (
            json!({"year": 2030, "deadline": "2031-02-15", "cutoff": "2031-02-14"}),
            400,
            "cutoff",
        ),
        (
            json!({"year": 2030, "deadline": "15/02/2031", "cutoff": "2031-03-01"}),
            400,
            "deadline",
        ),
        (
            json!({"year": 12, "deadline": "2031-02-15", "cutoff": "2031-03-01"}),
            400,
            "year",
        ),
        (
            json!({"year": 2030, "deadline": "2031-02-15", "cutoff": "2031-03-01", "plazo": 1}),
            400,
            "plazo",
        ),
        (
            json!({"year": 2030, "deadline": "2031-02-15"}),
            400,
            "cutoff",
        ),
        (
            json!({"year": "2030", "deadline": "2031-02-15", "cutoff": "2031-03-01"}),
            400,
            "year",
        ),
    ];
    for (body, status, parameter) in cases {
        let r = f
            .send(
                "POST",
                "/reporting/periods",
                Some(&f.reviewer),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text());
        assert_eq!(r.json()["parameter"], parameter, "{body}: {}", r.text());
    }
    let by_office = f
        .send(
            "POST",
            "/reporting/periods",
            Some(&token),
            Some(json!({"year": 2030, "deadline": "2031-02-15", "cutoff": "2031-03-01"})),
        )
        .await;
    assert_eq!(by_office.status, StatusCode::FORBIDDEN);
    let anonymous = f
        .send(
            "POST",
            "/reporting/periods",
            None,
            Some(json!({"year": 2030, "deadline": "2031-02-15", "cutoff": "2031-03-01"})),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    f.open_period(2030, "2031-02-15", "2031-03-01").await;
    let again = f
        .send(
            "POST",
            "/reporting/periods",
            Some(&f.reviewer),
            Some(json!({"year": 2030, "deadline": "2031-02-15", "cutoff": "2031-03-01"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let word = f.get("/reporting/periods/primero").await;
    assert_eq!(
        (word.status, word.json()["parameter"].clone()),
        (StatusCode::BAD_REQUEST, json!("id"))
    );
    assert_eq!(
        f.get("/reporting/periods/99999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        f.get("/reporting/periods?f=csv").await.status,
        StatusCode::BAD_REQUEST
    );
    let listed = f.get("/reporting/periods").await.json();
    let years: Vec<i64> = listed["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["year"].as_i64())
        .collect();
    assert!(
        years.contains(&2030) && years.windows(2).all(|w| w[0] > w[1]),
        "{years:?}"
    );
}

/// Concertation agreements: recorded by the DAP, listed, and on each named indicator's sheet, the latest giving
/// its state and proposed action; bad ones are 4xx naming the field.
async fn agreements_are_recorded_and_shown_on_each_sheet(f: &Fixture) {
    let ep01 = f.indicator_id("EP-01").await;
    let token = f.office("acuerdos", "Secretaría de Infraestructura Física", &[&ep01]);
    let agree = |body: Value, who: &str| {
        let who = who.to_string();
        async move {
            f.send("POST", "/reporting/agreements", Some(&who), Some(body))
                .await
        }
    };
    let first = json!({"date": "2022-08-16", "office": "acuerdos", "indicators": ["EP-01", "homicidios"],
        "agreed": "Revisar la meta <script>alert(1)</script>", "state": "En concertación", "action": "Ajustar la ficha técnica"});
    let r = agree(first.clone(), &f.reviewer).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let second = json!({"date": "2023-03-01", "office": "acuerdos", "indicators": ["homicidios"],
        "agreed": "La meta se mantiene", "state": "Concertado", "action": "Mantener"});
    assert_eq!(agree(second, &f.reviewer).await.status, StatusCode::CREATED);

    let h = f.get("/indicators/homicidios?f=json").await.json();
    assert_eq!(h["agreements"].as_array().unwrap().len(), 2);
    assert_eq!(
        h["concertation"],
        json!({"state": "Concertado", "action": "Mantener", "date": "2023-03-01"})
    );
    let e = f.get(&format!("/indicators/{ep01}?f=json")).await.json();
    let list = e["agreements"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["office_name"],
        "Secretaría de Infraestructura Física"
    );
    assert_eq!(list[0]["indicators"], json!([ep01.clone(), "homicidios"]));
    assert_eq!(e["concertation"]["action"], "Ajustar la ficha técnica");
    let page = f.get(&format!("/indicators/{ep01}?f=html")).await.text();
    assert!(page.contains("Ajustar la ficha técnica") && page.contains("En concertación"));
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"));
    let listed = f
        .get("/reporting/agreements?indicator=homicidios")
        .await
        .json();
    assert_eq!(listed["agreements"].as_array().unwrap().len(), 2);

    let with = |key: &str, value: Value| {
        let mut b = first.clone();
        b[key] = value;
        b
    };
    let bad = [
        (
            with("indicators", json!(["homicidios", "nada"])),
            "indicators[1]",
        ),
        (with("indicators", json!([])), "indicators"),
        (with("office", json!("nadie")), "office"),
        (with("date", json!("2022-13-01")), "date"),
        (with("agreed", json!("  ")), "agreed"),
        (with("estado", json!("x")), "estado"),
    ];
    for (body, parameter) in bad {
        let r = agree(body.clone(), &f.reviewer).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert_eq!(r.json()["parameter"], parameter, "{body}");
    }
    assert_eq!(
        agree(first.clone(), &token).await.status,
        StatusCode::FORBIDDEN
    );
    let unknown = f.get("/reporting/agreements?indicator=nada").await;
    assert_eq!(
        (unknown.status, unknown.json()["parameter"].clone()),
        (StatusCode::BAD_REQUEST, json!("indicator"))
    );
    let listed = f
        .get("/reporting/agreements?indicator=homicidios")
        .await
        .json();
    assert_eq!(
        listed["agreements"].as_array().unwrap().len(),
        2,
        "nothing more was written"
    );
}

/// Rows of the layer file's DIES-058 record, read here.
fn dies058_rows_in_the_layer_file() -> usize {
    let path = layers_dir().join("data/ssepot-muestra/control_cambios_dies058_muestra.csv");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count()
}

async fn dies058_count(f: &Fixture) -> f64 {
    let doc = f.get("/ssepot/diagnostico?f=json").await.json();
    doc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == "cambios_dies058")
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

/// A technical-sheet change published through the store joins the DIES-058 record: the diagnosis dashboard
/// counts it (once, however many times the snapshot is rebuilt) and the sheet lists it.
async fn the_dies058_count_includes_changes_published_through_the_store(f: &Fixture) {
    let ep01 = f.indicator_id("EP-01").await;
    let token = f.office(
        "dies",
        "Secretaría de Infraestructura Física (fichas)",
        &[&ep01],
    );
    let in_file = dies058_rows_in_the_layer_file() as f64;
    assert_eq!(dies058_count(f).await, in_file, "nothing published yet");
    let mut published = 0;
    for (key, field, after) in [("d-1", "target", "8"), ("d-2", "periodicity", "Semestral")] {
        let r = f
            .send("POST", "/reporting/sheet-changes", Some(&token), Some(json!({
                "idempotency_key": key,
                "changes": [{"indicator": ep01, "field": field, "after": after, "why": "Acta de concertación"}],
            })))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let items: Vec<i64> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_i64().unwrap())
            .collect();
        for to in ["verificado", "validado", "publicado"] {
            f.move_to(&items, to).await;
        }
        published += 1;
        assert_eq!(dies058_count(f).await, in_file + published as f64);
    }
    let sheet = f.get(&format!("/indicators/{ep01}?f=json")).await.json();
    let from_store: Vec<&Value> = sheet["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["item"].is_i64())
        .collect();
    assert_eq!(from_store.len(), 2);
    assert_eq!(
        (&from_store[0]["field"], &from_store[0]["after"]),
        (&json!("Meta"), &json!("8"))
    );
    assert_eq!(
        from_store[1]["office"],
        "Secretaría de Infraestructura Física (fichas)"
    );
}

/// `projected_from` of an indicator's `[indicator.sheet]` in its layer file, read here.
fn declared_projected_from(layer_file: &str) -> i64 {
    let text = std::fs::read_to_string(layers_dir().join(layer_file)).unwrap();
    let doc: toml::Value = text.parse().unwrap();
    doc["indicator"][0]["sheet"]["projected_from"]
        .as_integer()
        .unwrap()
}

/// Every feature of a collection: (year, value_kind or none).
async fn kinds(f: &Fixture, id: &str) -> Vec<(i64, Option<String>)> {
    let doc = f
        .get(&format!("/collections/{id}/items?f=json&limit=10000"))
        .await
        .json();
    doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let p = &x["properties"];
            (
                p["year"].as_i64().unwrap(),
                p["value_kind"].as_str().map(String::from),
            )
        })
        .collect()
}

/// Values are marked measured or projected where the layer file says so (DANE's projections), in features,
/// downloads and the sheet; an indicator that says nothing is unmarked until a published sheet change says it.
async fn values_are_marked_measured_or_projected_where_the_data_says_so(f: &Fixture) {
    let from = declared_projected_from("poblacion.toml");
    let pop = kinds(f, "poblacion").await;
    assert!(!pop.is_empty());
    for (year, kind) in &pop {
        let want = if *year >= from {
            "proyectado"
        } else {
            "medido"
        };
        assert_eq!(kind.as_deref(), Some(want), "poblacion {year}");
    }
    let csv = f
        .get("/collections/poblacion/items?f=csv&limit=10000")
        .await;
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), pop.len());
    assert!(rows
        .iter()
        .all(|r| r["tipo_valor"] == "proyectado" || r["anio"].parse::<i64>().unwrap() < from));
    let series = f.get("/collections/poblacion/series").await.json();
    let kinds_by_year = series["value_kinds"].as_object().unwrap();
    assert_eq!(
        kinds_by_year.len(),
        series["years"].as_array().unwrap().len()
    );
    for (year, kind) in kinds_by_year {
        let want = if year.parse::<i64>().unwrap() >= from {
            "proyectado"
        } else {
            "medido"
        };
        assert_eq!(kind, want, "{year}");
    }
    assert!(f.get("/collections/homicidios/series").await.json()["value_kinds"].is_null());
    let sheet = f.get("/indicators/poblacion?f=json").await.json();
    let cols = sheet["progress_columns"].as_array().unwrap();
    let at = cols.iter().position(|c| c == "tipo_valor").unwrap();
    assert!(sheet["progress"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r[at] == "proyectado"));

    // Homicides (records counted, the file says nothing) are unmarked, until the office declares projections
    // from 2023 with a published sheet change: then 2023 is projected and earlier years measured.
    assert!(kinds(f, "homicidios")
        .await
        .iter()
        .all(|(_, k)| k.is_none()));
    let token = f.office(
        "proyecciones",
        "Secretaría de Seguridad (proyecciones)",
        &["homicidios"],
    );
    let r = f
        .send("POST", "/reporting/sheet-changes", Some(&token), Some(json!({
            "idempotency_key": "proj-1",
            "changes": [{"indicator": "homicidios", "field": "projected_from", "after": "2023", "why": "2023 es una proyección"}],
        })))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let items: Vec<i64> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect();
    for to in ["verificado", "validado", "publicado"] {
        f.move_to(&items, to).await;
    }
    let hom = kinds(f, "homicidios").await;
    for (year, kind) in &hom {
        let want = if *year >= 2023 {
            "proyectado"
        } else {
            "medido"
        };
        assert_eq!(kind.as_deref(), Some(want), "homicidios {year}");
    }
    assert!(hom.iter().any(|(y, _)| *y < 2023) && hom.iter().any(|(y, _)| *y == 2023));
    let page = f.get("/indicators/homicidios?f=html").await.text();
    assert!(page.contains("Valores proyectados") && page.contains("desde 2023"));
}

async fn the_cycle(f: Fixture) {
    a_period_after_its_deadline_shows_the_pending_offices(&f).await;
    an_nd_value_on_the_sheet_shows_its_cause(&f).await;
    values_after_the_cutoff_are_refused_naming_the_period(&f).await;
    bad_period_requests_are_refused_naming_the_parameter(&f).await;
    agreements_are_recorded_and_shown_on_each_sheet(&f).await;
    the_dies058_count_includes_changes_published_through_the_store(&f).await;
    values_are_marked_measured_or_projected_where_the_data_says_so(&f).await;
    // The PostgreSQL client closes its connection with a runtime of its own.
    off_runtime(move || drop(f));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reporting_cycle_on_sqlite() {
    the_cycle(Fixture::new(Backend::sqlite())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reporting_cycle_on_postgres() {
    let f = Fixture::new(Backend::postgres());
    the_cycle(f).await;
}
