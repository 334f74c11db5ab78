//! The report's narrative texts through the store, the same cases for every store (included by
//! `tests/store_sqlite.rs` and `tests/store_postgres.rs`): a DAP reviewer writes a version, another reviewer
//! publishes it, and only then does the management report (page and PDF) show it; versions, history, four
//! eyes, precedence over the layer files' texts, and every refusal naming its field. Each test uses its own
//! cut-off (or section), so they run in parallel on the shared server.

use crate::cases::{fixture, get_auth, off_runtime, office, post_json, send};
use axum::body::Body;
use serde_json::{json, Value};
use ssepot::store::Role;

/// A new reviewer token (another DAP person than the fixture's `DAP — revisora`).
fn reviewer(label: &str) -> String {
    let f = fixture();
    off_runtime(|| f.store.add_token(Role::Reviewer, None, label).unwrap())
}

async fn write(token: &str, corte: &str, seccion: &str, texto: &str) -> Value {
    let r = post_json(
        "/reporting/narrative",
        token,
        None,
        json!({"corte": corte, "seccion": seccion, "texto": texto}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

async fn move_text(token: &str, id: i64, to: &str) -> crate::common::Reply {
    post_json(
        "/reporting/narrative/transitions",
        token,
        None,
        json!({"texts": [id], "to": to}),
    )
    .await
}

/// Verified, validated and published by `token`.
async fn publish(token: &str, id: i64) {
    for to in ["verificado", "validado", "publicado"] {
        let r = move_text(token, id, to).await;
        assert_eq!(r.status, 200, "{to}: {}", r.text());
    }
}

async fn report(corte: &str) -> String {
    let r = send(
        "GET",
        &format!("/ssepot/informe?corte={corte}&f=html"),
        &[],
        Body::empty(),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// The part of a page between the opening of `<section id="{id}"` and the next section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section `{id}`"));
    let rest = &html[start..];
    let end = rest[1..].find("<section id=").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

async fn history(token: &str, corte: &str) -> Vec<Value> {
    let r = get_auth(&format!("/reporting/narrative?corte={corte}"), token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["texts"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_text_shows_only_once_another_reviewer_publishes_it_never_by_its_author() {
    let author = reviewer("DAP — autora del texto");
    let other = &fixture().reviewer;
    let (corte, words) = (
        "2023-03-31",
        "Lectura del DAP sobre la relación POT–PDD al primer trimestre",
    );
    let text = write(&author, corte, "pdd", words).await;
    assert_eq!(
        (text["version"].as_i64(), text["state"].as_str()),
        (Some(1), Some("reportado"))
    );
    let id = text["id"].as_i64().unwrap();
    assert!(
        !report(corte).await.contains(words),
        "not shown while reportado"
    );

    // The author moves none of their own text, at any step.
    let own = move_text(&author, id, "verificado").await;
    assert_eq!(own.status, 403, "{}", own.text());
    assert!(own.text().contains("four eyes"), "{}", own.text());
    for to in ["verificado", "validado"] {
        assert_eq!(move_text(other, id, to).await.status, 200);
    }
    assert!(
        !report(corte).await.contains(words),
        "not shown while validado"
    );
    let own = move_text(&author, id, "publicado").await;
    assert_eq!(own.status, 403, "the author cannot publish: {}", own.text());
    assert!(!report(corte).await.contains(words));
    // A step skipped is a conflict, not a publication.
    let skipped = write(&author, "2023-03-31", "anexo", "Texto del anexo.").await;
    let skipped = skipped["id"].as_i64().unwrap();
    let r = move_text(other, skipped, "publicado").await;
    assert_eq!(r.status, 409, "{}", r.text());
    // Returned with a reason, which the history keeps.
    let returned = post_json(
        "/reporting/narrative/transitions",
        other,
        None,
        json!({"texts": [skipped], "to": "devuelto", "reason": "Falta la lectura del anexo"}),
    )
    .await;
    assert_eq!(returned.status, 200, "{}", returned.text());
    assert_eq!(
        returned.json()["texts"][0]["reason"],
        "Falta la lectura del anexo"
    );

    let published = move_text(other, id, "publicado").await;
    assert_eq!(published.status, 200, "{}", published.text());
    assert_eq!(
        published.json()["texts"][0]["published_by"],
        "DAP — revisora"
    );
    let html = report(corte).await;
    let pdd = section(&html, "pdd");
    assert!(pdd.contains(words), "shown once published");
    assert!(
        pdd.contains("versión 1")
            && pdd.contains("de DAP — autora del texto")
            && pdd.contains("revisado por DAP — revisora"),
        "with its version, author and reviewer"
    );
    assert!(!section(&html, "anexo").contains("Texto del anexo."));

    // The publications page lists the cut-off, which has no layer file of texts.
    let pubs = send(
        "GET",
        "/ssepot/publicaciones?f=json",
        &[],
        Body::empty(),
        None,
    )
    .await;
    let editions = pubs.json()["editions"].clone();
    assert!(
        editions
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["corte"] == corte),
        "{editions}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_version_supersedes_the_first_in_the_report_and_both_stay_in_the_history() {
    let author = reviewer("DAP — autor de versiones");
    let other = &fixture().reviewer;
    let corte = "2023-04-30";
    let v1 = write(
        &author,
        corte,
        "subsistemas",
        "Primera lectura de los subsistemas.",
    )
    .await;
    publish(other, v1["id"].as_i64().unwrap()).await;
    let v2 = write(
        &author,
        corte,
        "subsistemas",
        "Segunda lectura, corregida.\n\nCon dos párrafos.",
    )
    .await;
    assert_eq!(v2["version"], 2);
    let html = report(corte).await;
    assert!(
        section(&html, "subsistemas").contains("Primera lectura"),
        "the published version shows while the next one is under review"
    );
    let doc = |corte: &'static str| async move {
        let r = send(
            "GET",
            &format!("/ssepot/informe?corte={corte}&f=json"),
            &[],
            Body::empty(),
            None,
        )
        .await;
        r.json()
    };
    let before = doc(corte).await;
    assert_eq!(
        before["fingerprint"],
        doc(corte).await["fingerprint"],
        "the same data, the same document"
    );
    publish(other, v2["id"].as_i64().unwrap()).await;
    let after = doc(corte).await;
    assert_ne!(
        after["fingerprint"], before["fingerprint"],
        "the fingerprint covers the texts shown"
    );
    assert!(
        after["data_version"].as_i64() > before["data_version"].as_i64(),
        "a publication is a new data version"
    );
    let html = report(corte).await;
    let sub = section(&html, "subsistemas");
    assert!(
        sub.contains("<p>Segunda lectura, corregida.</p><p>Con dos párrafos.</p>"),
        "{sub}"
    );
    assert!(!sub.contains("Primera lectura") && sub.contains("versión 2"));

    // A pending version is superseded by a newer one; nothing is deleted.
    let v3 = write(&author, corte, "subsistemas", "Tercera, que no se publica.").await;
    let v4 = write(&author, corte, "subsistemas", "Cuarta, en revisión.").await;
    let list = history(other, corte).await;
    let states: Vec<(i64, &str)> = list
        .iter()
        .map(|t| (t["version"].as_i64().unwrap(), t["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            (1, "publicado"),
            (2, "publicado"),
            (3, "reemplazado"),
            (4, "reportado")
        ]
    );
    assert_eq!(list[0]["texto"], "Primera lectura de los subsistemas.");
    let shown: Vec<bool> = list
        .iter()
        .map(|t| t["shown_in_report"].as_bool().unwrap())
        .collect();
    assert_eq!(shown, [false, true, false, false]);
    let moves: Vec<&str> = list[0]["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(moves, ["reportado", "verificado", "validado", "publicado"]);
    assert!(list[0]["log"][3]["actor"]
        .as_str()
        .unwrap()
        .starts_with("DAP — revisora ("));
    assert_eq!(list[2]["id"], v3["id"]);
    assert_eq!(list[3]["id"], v4["id"]);
    assert!(report(corte).await.contains("Segunda lectura"));
    let (update, delete) = off_runtime(super::try_to_rewrite_the_narrative_log);
    assert!(
        update.contains("append-only") && delete.contains("append-only"),
        "{update} / {delete}"
    );
    assert_eq!(
        history(other, corte).await[0]["log"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "the moves are kept"
    );
    // Reading one section only.
    let r = get_auth(
        &format!("/reporting/narrative?corte={corte}&seccion=pdd"),
        other,
    )
    .await;
    assert_eq!(r.json()["texts"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_text_wins_over_the_files_is_escaped_on_the_page_and_typeset_in_the_pdf() {
    let author = reviewer("DAP — autora de la presentación");
    let other = &fixture().reviewer;
    let corte = "2023-12-31";
    let file_words = "El Departamento Administrativo de Planeación presenta";
    let before = report(corte).await;
    assert!(
        section(&before, "presentacion").contains(file_words),
        "the layer file's text"
    );
    let words = "<script>alert(2)</script> Presentación escrita en ssepot & publicada";
    let t = write(&author, corte, "presentacion", words).await;
    publish(other, t["id"].as_i64().unwrap()).await;
    let html = report(corte).await;
    let presentation = section(&html, "presentacion");
    assert!(
        presentation.contains(
            "&lt;script&gt;alert(2)&lt;/script&gt; Presentación escrita en ssepot &amp; publicada"
        ),
        "escaped: {presentation}"
    );
    assert!(!html.contains("<script>alert(2)"));
    assert!(
        !presentation.contains(file_words),
        "the store's text wins over the file's"
    );
    assert!(
        section(&html, "compromisos").contains("Texto de muestra sobre los compromisos"),
        "the file's texts of other sections stay"
    );
    let pdf = send(
        "GET",
        &format!("/ssepot/informe?corte={corte}&f=pdf"),
        &[],
        Body::empty(),
        None,
    )
    .await;
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("informe.pdf");
    std::fs::write(&path, &pdf.body).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(words),
        "the PDF typesets the text as it was written"
    );
    assert!(text.contains("revisado por DAP — revisora"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_report_texts_are_400_naming_the_field_and_offices_may_not_write_them() {
    let author = reviewer("DAP — autor de errores");
    let corte = "2023-05-31";
    let cases = [
        (
            json!({"corte": corte, "seccion": "resumen", "texto": "x"}),
            "seccion",
        ),
        (
            json!({"corte": "2023-02-30", "seccion": "pdd", "texto": "x"}),
            "corte",
        ),
        (
            json!({"corte": "2019-12-31", "seccion": "pdd", "texto": "x"}),
            "corte",
        ),
        (
            json!({"corte": corte, "seccion": "pdd", "texto": "  \n\n "}),
            "texto",
        ),
        (
            json!({"corte": corte, "seccion": "pdd", "texto": "a".repeat(20_001)}),
            "texto",
        ),
        (
            json!({"corte": corte, "seccion": "pdd", "texto": "x", "estado": "publicado"}),
            "estado",
        ),
        (json!({"corte": corte, "texto": "x"}), "seccion"),
    ];
    for (body, field) in cases {
        let r = post_json("/reporting/narrative", &author, None, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.json()["parameter"], field, "{body}: {}", r.text());
    }
    let office = office("narrativa", &["homicidios"]);
    let body = json!({"corte": corte, "seccion": "pdd", "texto": "Texto de una dependencia"});
    let r = post_json("/reporting/narrative", &office, None, body).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(get_auth("/reporting/narrative", &office).await.status, 403);
    let r = send("GET", "/reporting/narrative", &[], Body::empty(), None).await;
    assert_eq!(r.status, 401);
    assert!(
        history(&author, corte).await.is_empty(),
        "nothing was written"
    );
    let r = get_auth("/reporting/narrative?seccion=resumen", &author).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["parameter"].clone()),
        (400, json!("seccion"))
    );
    let r = move_text(&author, 999_999, "publicado").await;
    assert_eq!(
        (r.status.as_u16(), r.json()["parameter"].clone()),
        (400, json!("texts"))
    );
}

/// A form body, URL-encoded.
fn encoded(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

async fn page(token: &str, uri: &str) -> crate::common::Reply {
    let cookie = format!("ssepot_reporte={token}");
    send("GET", uri, &[("cookie", &cookie)], Body::empty(), None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dap_writes_and_publishes_a_text_from_its_page_without_javascript() {
    let author = reviewer("DAP — autora en la página");
    let other = fixture().reviewer.clone();
    let corte = "2023-07-31";
    let csrf = |t: &str| ssepot::store::auth::form_token(t);
    let empty = page(&author, &format!("/reporte/textos?corte={corte}")).await;
    assert_eq!(empty.status, 200, "{}", empty.text());
    assert!(empty
        .text()
        .contains("Sin texto publicado para este corte."));
    let words = "Lectura de julio <b>escrita</b> en la página";
    let form = encoded(&[
        ("csrf", &csrf(&author)),
        ("corte", corte),
        ("seccion", "compromisos"),
        ("texto", words),
    ]);
    let forged = encoded(&[
        ("csrf", "x"),
        ("corte", corte),
        ("seccion", "compromisos"),
        ("texto", words),
    ]);
    assert_eq!(
        crate::cases::form_post("/reporte/textos", &author, &forged, None)
            .await
            .status,
        403
    );
    let sent = crate::cases::form_post("/reporte/textos", &author, &form, None).await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    assert!(sent.headers["location"]
        .to_str()
        .unwrap()
        .contains("hecho=escrito#s-compromisos"));
    let id = history(&author, corte).await[0]["id"].as_i64().unwrap();

    let mine = page(&author, &format!("/reporte/textos?corte={corte}"))
        .await
        .text();
    assert!(
        mine.contains("usted la escribió") && !mine.contains(&format!("id=\"texto-{id}\"")),
        "no box for the author"
    );
    assert!(
        mine.contains("Lectura de julio &lt;b&gt;escrita&lt;/b&gt;"),
        "escaped"
    );
    let theirs = page(&other, &format!("/reporte/textos?corte={corte}"))
        .await
        .text();
    assert!(
        theirs.contains(&format!("id=\"texto-{id}\"")),
        "the other reviewer can mark it"
    );
    let own = encoded(&[
        ("csrf", &csrf(&author)),
        ("corte", corte),
        ("accion", "verificado"),
        ("texto", &id.to_string()),
    ]);
    assert_eq!(
        crate::cases::form_post("/reporte/textos/decision", &author, &own, None)
            .await
            .status,
        403
    );
    for to in ["verificado", "validado", "publicado"] {
        let f = encoded(&[
            ("csrf", &csrf(&other)),
            ("corte", corte),
            ("accion", to),
            ("texto", &id.to_string()),
        ]);
        let r = crate::cases::form_post("/reporte/textos/decision", &other, &f, None).await;
        assert_eq!(r.status, 303, "{to}: {}", r.text());
    }
    let after = page(&other, &format!("/reporte/textos?corte={corte}"))
        .await
        .text();
    let at = after.find("id=\"s-compromisos\"").unwrap();
    assert!(
        after[at..].contains("<strong>En el informe:</strong> versión 1"),
        "published"
    );
    assert!(after[at..].contains("publicado en ssepot"));
    assert!(section(&report(corte).await, "compromisos")
        .contains("Lectura de julio &lt;b&gt;escrita&lt;/b&gt; en la página"));
    // Offices have no texts page.
    let office = office("textos-oficina", &["homicidios"]);
    let r = page(&office, "/reporte/textos").await;
    assert_eq!(
        (r.status.as_u16(), r.headers["location"].to_str().unwrap()),
        (303, "/reporte/oficina")
    );
}
