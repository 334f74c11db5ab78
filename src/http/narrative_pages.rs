//! The DAP's page for the management report's texts (`/reporte/textos`), in Spanish and without JavaScript: for a
//! cut-off, each section with the text the report shows now (and where it comes from), the versions under review
//! with the workflow's buttons (not for their author: four eyes), a form to write a new version, and the history.
//! The same rules as the API (`/reporting/narrative`), through the same store calls; forms carry the form token.

use super::error::ApiError;
use super::params::{Params, TextsPageParams};
use super::reporting::narrative::reportable;
use super::reporting::{blocking, check_form, Client};
use super::reporting_pages::{base, logged_in, page_error, render};
use crate::ssepot::dashboards::DASHBOARDS;
use crate::ssepot::report::informe;
use crate::ssepot::report::narrative::{Narrative, SECTIONS};
use crate::state::AppState;
use crate::store::narrative::{NewText, TextVersion, MAX_CHARS};
use crate::store::{Role, State};
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{context, Value as Ctx};
use serde_json::{json, Value};
use std::sync::Arc;

/// A section's title as the report writes it.
fn title(section: &str) -> &str {
    match section {
        "presentacion" => "Presentación",
        "generalidades" => "Generalidades del SSEPOT",
        "anexo" => "Anexo: indicadores",
        other => DASHBOARDS
            .iter()
            .find(|(id, _)| *id == other)
            .map_or(other, |(_, t)| t),
    }
}

/// `GET /reporte/textos[?corte=]`: the texts of a cut-off, section by section (reviewers).
pub async fn texts(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    Params(q): Params<TextsPageParams>,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if caller.who.role == Role::Office {
        return Redirect::to("/reporte/oficina").into_response();
    }
    let data = state.current();
    let corte = match informe::corte_for(&data.snapshot, q.corte.map(|c| c.0)) {
        Ok(c) => c,
        Err(e) => return page_error(Some(&caller), e.into()),
    };
    let iso = corte.iso();
    let store = rep.store.clone();
    let wanted = iso.clone();
    let versions = match blocking(move || store.narrative(Some(&wanted))).await {
        Ok(v) => v,
        Err(e) => return page_error(Some(&caller), e),
    };
    let (file, file_error) = match Narrative::load(&state.layers_dir, &corte) {
        Ok(n) => (n, None),
        Err(e) => (Narrative::default(), Some(e)),
    };
    let shown = file.with_stored(&data.snapshot.ssepot.texts, &corte);
    let sections: Vec<Value> = SECTIONS
        .iter()
        .map(|id| section(id, &shown, &versions, &caller.who.token_id))
        .collect();
    let cortes: Vec<String> = informe::cortes(&data.snapshot, &state.layers_dir)
        .iter()
        .map(|c| c.iso())
        .collect();
    let flash = q.hecho.map(|h| match h.as_str() {
        "escrito" => {
            "Nueva versión enviada a revisión: otra persona del DAP la verifica, valida y publica."
                .to_string()
        }
        s => format!("Hecho: las versiones marcadas pasaron a «{s}»."),
    });
    let ctx = context! {
        ..base(Some(&caller), &format!("Textos del informe, {}", corte.text())),
        ..context! {
            corte => iso, cortes, flash, file_error, max_chars => MAX_CHARS,
            sections => Ctx::from_serialize(&sections),
        }
    };
    render(StatusCode::OK, "texts.html", ctx)
}

/// One section: the text shown, the versions (newest first), which ones the caller may decide on, and the
/// text a new version starts from (the newest version, or the one shown).
fn section(id: &str, shown: &Narrative, versions: &[TextVersion], me: &str) -> Value {
    let mine: Vec<&TextVersion> = versions.iter().filter(|v| v.seccion == id).rev().collect();
    let now = shown.get(id);
    let draft = mine
        .first()
        .map(|v| v.texto.clone())
        .or_else(|| now.map(|t| t.paragraphs.join("\n\n")))
        .unwrap_or_default();
    let list: Vec<Value> = mine
        .iter()
        .map(|v| {
            let mut j = serde_json::to_value(v).expect("serialises");
            j["pending"] = v.state.is_pending().into();
            j["own"] = (v.author_token == me).into();
            j["day"] = crate::store::cycle::day_of(&v.created_at).into();
            j["paragraphs"] = v.texto.split("\n\n").collect::<Vec<_>>().into();
            j
        })
        .collect();
    json!({
        "id": id, "title": title(id), "shown": now, "draft": draft,
        "pending": list.iter().filter(|v| v["pending"] == true).cloned().collect::<Vec<_>>(),
        "versions": list,
    })
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// `POST /reporte/textos`: a new version of a section's text (form: `csrf`, `corte`, `seccion`, `texto`).
pub async fn write(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form_fields(&body);
    let get = |n: &str| field(&form, n);
    let outcome = async {
        check_form(&caller, &headers, get("csrf").as_deref())?;
        crate::store::narrative::may_write(&caller.who)?;
        let new = NewText {
            corte: get("corte").unwrap_or_default(),
            seccion: get("seccion").unwrap_or_default(),
            texto: get("texto").unwrap_or_default().replace("\r\n", "\n"),
        }
        .checked()?;
        reportable(&state, &new.corte)?;
        let (store, who) = (rep.store.clone(), caller.who.clone());
        blocking(move || store.submit_text(&who, &new)).await
    }
    .await;
    match outcome {
        Ok(t) => Redirect::to(&format!(
            "/reporte/textos?corte={}&hecho=escrito#s-{}",
            t.corte, t.seccion
        ))
        .into_response(),
        Err(e) => page_error(Some(&caller), e),
    }
}

/// `POST /reporte/textos/decision`: verify, validate, publish or return the marked versions (form: `csrf`,
/// `corte`, `accion`, `motivo`, `texto` — one per marked version id).
pub async fn decide(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form_fields(&body);
    let get = |n: &str| field(&form, n);
    let outcome = async {
        check_form(&caller, &headers, get("csrf").as_deref())?;
        let to = get("accion")
            .as_deref()
            .and_then(State::parse)
            .ok_or_else(|| {
                ApiError::bad(
                    "accion",
                    "choose verificado, validado, publicado or devuelto",
                )
            })?;
        let ids = form
            .iter()
            .filter(|(k, _)| k == "texto")
            .map(|(_, v)| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad("texto", format!("`{v}` is not a text id")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(ApiError::bad("texto", "mark at least one version"));
        }
        let reason = get("motivo").filter(|m| !m.trim().is_empty());
        if to == State::Devuelto && reason.is_none() {
            return Err(ApiError::bad(
                "motivo",
                "returning a version needs a reason",
            ));
        }
        let (store, who) = (rep.store.clone(), caller.who.clone());
        blocking(move || store.move_texts(&who, &ids, to, reason.as_deref())).await?;
        if to == State::Publicado {
            state.refresh_published().await?;
        }
        Ok(to)
    }
    .await;
    match outcome {
        Ok(to) => {
            // The cut-off goes back into the address only once it reads as one.
            let corte = get("corte")
                .and_then(|c| crate::ssepot::report::Corte::parse(c.trim()).ok())
                .map(|c| format!("corte={}&", c.iso()))
                .unwrap_or_default();
            Redirect::to(&format!("/reporte/textos?{corte}hecho={}", to.as_str())).into_response()
        }
        Err(e) => page_error(Some(&caller), e),
    }
}
