//! The management report and the bulletins, through the router on the demo layers: every chapter with the
//! dashboards' published figures (compared with their JSON, written the Spanish way by the test itself), the
//! PDF's text layer (pdftotext) holding the same figures, one bulletin per subsystem, cut-off dates, narrative
//! texts escaped, reproducibility, and who may frame the pages.

mod common;

use common::{demo, get, layers_copy};
use serde_json::Value;
use ssepot::access::Access;
use ssepot::state::AppState;
use std::sync::Arc;

/// A dashboard figure written as a Spanish reader expects it, independently of ssepot's formatter.
fn spanish(f: &Value) -> String {
    let Some(v) = f["value"].as_f64() else {
        return "ND".into();
    };
    let d = f["decimals"].as_u64().unwrap() as usize;
    let d = if f["kind"] == "money" || f["kind"] == "count" {
        0
    } else {
        d
    };
    let plain = format!("{:.*}", d, v.abs());
    let (int, frac) = plain
        .split_once('.')
        .map_or((plain.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let n = match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    };
    match f["kind"].as_str().unwrap() {
        "percent" => format!("{n} %"),
        "money" => format!("${n} millones"),
        "points" => format!("{n} puntos"),
        _ => n,
    }
}

async fn dashboards() -> Vec<Value> {
    let state = demo();
    let list = get(&state, "/ssepot?f=json").await.json();
    let mut out = vec![];
    for d in list["dashboards"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        out.push(get(&state, &format!("/ssepot/{id}?f=json")).await.json());
    }
    assert_eq!(out.len(), 4, "the demo declares the four dashboards");
    out
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

#[tokio::test]
async fn the_report_renders_every_chapter_with_the_figures_the_dashboards_publish() {
    let state = demo();
    let r = get(&state, "/ssepot/informe?corte=2023-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.starts_with("text/html"));
    let html = r.text();
    for (id, title) in [
        ("presentacion", "Presentación"),
        ("guia", "Guía de uso"),
        ("generalidades", "Generalidades del SSEPOT"),
        ("anexo", "Anexo: indicadores"),
    ] {
        assert!(section(&html, id).contains(title), "{id}");
    }
    assert!(html.contains("corte a 31 de diciembre de 2023"));
    assert!(html.contains("MUESTRA SINTÉTICA"));
    let mut checked = 0;
    for d in dashboards().await {
        let id = d["id"].as_str().unwrap();
        let chapter = section(&html, id);
        assert!(
            chapter.contains(d["title"].as_str().unwrap()),
            "{id}: its title"
        );
        for f in d["figures"].as_array().unwrap() {
            let shown = format!(
                "<li data-key=\"{}\"><strong>{}",
                f["key"].as_str().unwrap(),
                spanish(f)
            );
            assert!(
                chapter.contains(&shown),
                "{id}: figure {} should read `{shown}`",
                f["key"]
            );
            checked += 1;
        }
        for c in d["charts"].as_array().unwrap() {
            let cid = format!("grafico-{id}-{}", c["id"].as_str().unwrap());
            let block = &chapter[chapter
                .find(&format!("id=\"{cid}\""))
                .unwrap_or_else(|| panic!("{cid}"))..];
            let block = &block[..block.find("</figure>").unwrap()];
            assert!(
                block.contains("<svg") && block.contains("role=\"img\""),
                "{cid}: an SVG chart"
            );
            assert!(block.contains("<table>"), "{cid}: with its table");
            let labels = c["labels"].as_array().unwrap();
            let rows = block.matches("<tr>").count() - 1;
            assert_eq!(rows, labels.len(), "{cid}: one table row per category");
        }
    }
    assert!(checked > 30, "{checked} figures");
    // The report's published figures, as the report prints them.
    for published in [
        "88,12 %",
        "23,0 %",
        "60,9 %",
        "$5.213.246 millones",
        "75,4 %",
        "23,0 puntos",
    ] {
        assert!(html.contains(published), "{published}");
    }
}

#[tokio::test]
async fn the_subsystems_chapter_has_server_drawn_maps_with_the_web_maps_colours() {
    let state = demo();
    let doc = get(&state, "/ssepot/informe?f=json").await.json();
    let chapter = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "subsistemas")
        .unwrap();
    let maps: Vec<&Value> = chapter["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "map")
        .collect();
    assert!(!maps.is_empty(), "progress maps in the subsystems chapter");
    for m in maps {
        let map = &m["map"];
        let (id, year) = (
            map["indicator"].as_str().unwrap(),
            map["year"].as_i64().unwrap(),
        );
        let legend = get(&state, &format!("/styles/{id}/legend.json?year={year}"))
            .await
            .json();
        let classes = legend["classes"].as_array().unwrap();
        let items = get(
            &state,
            &format!("/collections/{id}/items?year={year}&limit=1000"),
        )
        .await
        .json();
        let features = items["features"].as_array().unwrap();
        assert!(!features.is_empty());
        for f in features {
            let code = f["properties"]["code"].as_str().unwrap();
            let row = map["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["code"] == code)
                .unwrap_or_else(|| panic!("{id}: {code}"));
            // The web map's rule: a `step` over the legend's class minimums, ND grey.
            let expected = match f["properties"]["value"].as_f64() {
                None => legend["nd"]["color"].as_str().unwrap(),
                Some(v) => classes
                    .iter()
                    .skip(1)
                    .rfind(|c| v >= c["min"].as_f64().unwrap())
                    .unwrap_or(&classes[0])["color"]
                    .as_str()
                    .unwrap(),
            };
            assert_eq!(row["color"], expected, "{id} {year} {code}");
            assert!(map["svg"]
                .as_str()
                .unwrap()
                .contains(&format!("fill=\"{expected}\"")));
        }
        let svg = map["svg"].as_str().unwrap();
        assert!(
            svg.contains("<title id=") && svg.contains("<desc id=") && svg.contains(" km<"),
            "title, text alternative, scale bar"
        );
        assert!(map["alt"].as_str().unwrap().contains("sin dato"));
    }
}

#[tokio::test]
async fn the_pdf_holds_the_same_figures_in_its_text_layer() {
    let state = demo();
    let r = get(&state, "/ssepot/informe?corte=2023-12-31&f=pdf").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "application/pdf");
    assert!(r.body.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("informe.pdf");
    std::fs::write(&path, &r.body).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("corte a 31 de diciembre de 2023"));
    let mut missing = vec![];
    for d in dashboards().await {
        for f in d["figures"].as_array().unwrap() {
            let shown = spanish(f);
            // The label too, so a number is found where it belongs, not anywhere in the PDF.
            let label = f["label"].as_str().unwrap();
            if !text.contains(&format!("{shown} {label}"))
                && !text.contains(&format!("{shown} (p) {label}"))
            {
                missing.push(format!("{}: {shown} {label}", f["key"]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "figures missing from the PDF's text: {missing:#?}"
    );
    let pages = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&pages.stdout).to_string();
    assert!(
        info.contains("595.276 x 841.89") || info.contains("A4"),
        "A4 pages: {info}"
    );
}

#[tokio::test]
async fn the_same_data_give_the_same_document_and_pdf() {
    let state = demo();
    let a = get(&state, "/ssepot/informe?f=json").await.json();
    let b = get(&state, "/ssepot/informe?f=json").await.json();
    assert_eq!(a["fingerprint"], b["fingerprint"]);
    assert_eq!(a["fingerprint"].as_str().unwrap().len(), 64);
    let p1 = get(&state, "/ssepot/boletines/movilidad?f=pdf").await;
    let p2 = get(&state, "/ssepot/boletines/movilidad?f=pdf").await;
    assert_eq!(p1.status, 200, "{}", p1.text());
    assert!(
        p1.body == p2.body,
        "a PDF is byte for byte the same from the same data"
    );
    let june = get(&state, "/ssepot/informe?corte=2023-06-30&f=json")
        .await
        .json();
    assert_ne!(
        june["fingerprint"], a["fingerprint"],
        "another cut-off is another document"
    );
}

#[tokio::test]
async fn there_is_one_bulletin_per_subsystem_with_the_dashboards_progress() {
    let state = demo();
    let subs = get(&state, "/ssepot/subsistemas?f=json").await.json();
    let chart = subs["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "avance_subsistemas")
        .unwrap();
    let names = chart["labels"].as_array().unwrap();
    assert_eq!(names.len(), 20);
    let pubs = get(&state, "/ssepot/publicaciones?f=json").await.json();
    let bulletins = pubs["editions"][0]["bulletins"].as_array().unwrap();
    assert_eq!(
        bulletins.len(),
        names.len(),
        "the publications page lists one bulletin per subsystem"
    );
    for (i, name) in names.iter().enumerate() {
        let name = name.as_str().unwrap();
        let b = bulletins
            .iter()
            .find(|b| b["title"].as_str().unwrap().contains(name))
            .unwrap_or_else(|| panic!("{name}"));
        let page = get(&state, b["href"].as_str().unwrap()).await;
        assert_eq!(page.status, 200, "{name}: {}", page.text());
        let html = page.text();
        assert!(
            html.contains(&format!("Boletín del subsistema {name}")),
            "{name}"
        );
        let value = &chart["series"][0]["values"][i];
        let expected =
            spanish(&serde_json::json!({"value": value, "decimals": 1, "kind": "percent"}));
        assert!(
            html.contains(&format!(
                "<li data-key=\"avance_subsistema\"><strong>{expected}"
            )),
            "{name}: progress {expected}"
        );
    }
}

#[tokio::test]
async fn bad_cut_offs_formats_and_names_are_clear_errors() {
    let state = demo();
    for (uri, status, names) in [
        ("/ssepot/informe?corte=2022-12-31", 400, "corte"),
        ("/ssepot/informe?corte=2023-02-30", 400, "corte"),
        ("/ssepot/informe?corte=31/12/2023", 400, "corte"),
        ("/ssepot/informe?f=csv", 400, "f"),
        ("/ssepot/informe?anio=2023", 400, "anio"),
        ("/ssepot/boletines/no-existe", 404, "movilidad"),
        (
            "/ssepot/embed/grafico/compromisos/no",
            404,
            "avance_por_anio",
        ),
        ("/ssepot/embed/cifra/pdd/no", 404, "avance_conjunto"),
        ("/ssepot/embed/mapa/poblacion?year=1900", 400, "year"),
    ] {
        let r = get(&state, uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert!(r.text().contains(names), "{uri}: {}", r.text());
    }
}

#[tokio::test]
async fn a_cut_off_before_the_year_ends_marks_the_years_figures_projected() {
    let state = demo();
    let dec = get(&state, "/ssepot/informe?corte=2023-12-31").await.text();
    let june = get(&state, "/ssepot/informe?corte=2023-06-30").await.text();
    let overall = |html: &str| {
        let s = section(html, "compromisos");
        let at = s.find("data-key=\"avance_general\"").unwrap();
        s[at..at + 200].to_string()
    };
    assert!(!overall(&dec).contains("(p)"), "measured at 31 December");
    assert!(overall(&june).contains("(p)"), "projected at 30 June");
    assert!(june.contains("corte a 30 de junio de 2023"));
    // The PDD's projected progress is a projection whatever the cut-off.
    let pdd = section(&dec, "pdd");
    let at = pdd.find("data-key=\"avance_conjunto\"").unwrap();
    assert!(pdd[at..at + 200].contains("(p)"));
}

#[tokio::test]
async fn published_narrative_is_shown_escaped_and_drafts_are_not() {
    let dir = layers_copy();
    let file = dir.path().join("informe/2023-12-31.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "Texto de muestra sobre los compromisos",
        "<script>alert(1)</script> Texto de muestra sobre los compromisos",
    );
    std::fs::write(&file, text).unwrap();
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let html = get(&state, "/ssepot/informe").await.text();
    let chapter = section(&html, "compromisos");
    assert!(
        chapter.contains("&lt;script&gt;alert(1)&lt;/script&gt; Texto de muestra"),
        "escaped"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        chapter.contains("versión 1") && chapter.contains("revisado por Revisión DAP (muestra)")
    );
    assert!(!html.contains("Borrador que no se publica"));
    let pdf = get(&state, "/ssepot/informe?f=pdf").await;
    assert_eq!(
        pdf.status,
        200,
        "a text with markup characters does not break the PDF: {}",
        pdf.text()
    );
    // A file that does not read leaves the report served, and says what is wrong.
    std::fs::write(&file, "[[texto]]\nsecion = \"pdd\"\n").unwrap();
    let html = get(&state, "/ssepot/informe").await.text();
    assert!(
        html.contains("2023-12-31.toml") && html.contains("secion"),
        "the error names file and field"
    );
}

#[tokio::test]
async fn embeddable_views_may_be_framed_only_by_the_configured_origins() {
    let access = Access {
        embed_origins: vec!["https://www.medellin.gov.co".parse().unwrap()],
        ..Access::default()
    };
    let state = Arc::new(
        AppState::load(common::layers_dir(), None)
            .unwrap()
            .with_access(access),
    );
    let csp = |r: &common::Reply| {
        r.headers
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
    };
    for uri in [
        "/ssepot/embed/grafico/compromisos/avance_por_anio",
        "/ssepot/embed/cifra/compromisos/avance_general",
        "/ssepot/embed/mapa/poblacion?year=2023",
        "/map/embed",
    ] {
        let r = get(&state, uri).await;
        assert_eq!(r.status, 200, "{uri}: {}", r.text());
        assert_eq!(
            csp(&r).as_deref(),
            Some("frame-ancestors 'self' https://www.medellin.gov.co"),
            "{uri}"
        );
    }
    let figure = get(&state, "/ssepot/embed/cifra/compromisos/avance_general")
        .await
        .text();
    assert!(figure.contains("88,12 %"));
    let report = get(&state, "/ssepot/informe").await;
    assert_eq!(
        csp(&report).as_deref(),
        Some("frame-ancestors 'self'"),
        "the report page is not for framing"
    );
    let nobody = get(&demo(), "/ssepot/embed/mapa/poblacion").await;
    assert_eq!(
        csp(&nobody).as_deref(),
        Some("frame-ancestors 'self'"),
        "no origin configured: only ssepot"
    );
    let html = report.text();
    assert!(
        html.contains("&lt;iframe src=\"")
            && html.contains("/ssepot/embed/grafico/compromisos/avance_por_anio\" title="),
        "a copyable snippet"
    );
    assert!("https://a.example/ruta"
        .parse::<ssepot::access::Origin>()
        .is_err());
}

#[tokio::test]
async fn the_web_maps_label_glyphs_are_served_from_the_shipped_font() {
    let state = demo();
    let r = get(&state, "/map/glyphs/DejaVu%20Sans%20Bold/0-255.pbf").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/x-protobuf");
    // A glyph PBF: field 1 (fontstack) holding the stack's name and its range.
    assert_eq!(r.body[0], 0x0a);
    let text = String::from_utf8_lossy(&r.body);
    assert!(text.contains("DejaVu Sans Bold") && text.contains("0-255"));
    assert!(r.body.len() > 50_000, "191 signed-distance glyphs");
    assert_eq!(
        get(&state, "/map/glyphs/Arial%20Regular/0-255.pbf")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&state, "/map/glyphs/DejaVu%20Sans%20Bold/512-767.pbf")
            .await
            .status,
        404
    );
    let page = get(&state, "/map/").await.text();
    assert!(
        page.contains("/map/a11y.js"),
        "the map loads its accessibility module"
    );
    assert_eq!(get(&state, "/map/a11y.js").await.status, 200);
}
