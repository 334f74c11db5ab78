//! Spanish HTML pages of the reporting workflow, without JavaScript: login, an office's upload and status
//! page, the reviewers' queue with the diff against the published value, and the change log.
//!
//! The pages log in with a token and keep it in an `HttpOnly; SameSite=Strict` cookie; every form carries a
//! form token derived from it ([`auth::form_token`]) and is refused without it or from another `Origin`.
//! Templates live in `web/templates/reporting/` and render with auto-escaping through the shared
//! [`super::templates`] module.

use super::error::ApiError;
use super::params::{NoParams, Params, ReviewPageParams};
use super::reporting::{
    apply_transition, authenticate, check_form, idempotency_key, items_with_served, process_upload,
    read_upload, reporting, require_office, value_format, write_checked, Caller, Client, COOKIE,
};
use crate::ingest::cells::Cell;
use crate::state::AppState;
use crate::store::check::{self, RawValue, JSON_FIELDS};
use crate::store::log::LogFilter;
use crate::store::{auth, ItemFilter, Reporting, Role, State};
use axum::body::Bytes;
use axum::extract::{Multipart, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Value as Ctx};
use serde_json::Value;
use std::sync::Arc;

/// Renders one of the reporting pages (`web/templates/reporting/`) through the shared templates module.
pub(super) fn render(status: StatusCode, name: &str, ctx: Ctx) -> Response {
    match super::templates::render(&format!("reporting/{name}"), ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::Internal(e).into_response(),
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Office => "dependencia",
        Role::Reviewer => "revisión DAP",
        Role::Admin => "administración",
    }
}

/// The page context every page shares: who is logged in, their form token.
pub(super) fn base(caller: Option<&Caller>, title: &str) -> Ctx {
    match caller {
        Some(c) => context! {
            title, who => Ctx::from_serialize(&c.who), role_name => role_name(c.who.role),
            csrf => auth::form_token(&c.token),
        },
        None => context! { title },
    }
}

/// An error as an HTML page with the error's status (what a person with a browser should see).
pub(super) fn page_error(caller: Option<&Caller>, e: ApiError) -> Response {
    let status = e.status();
    let message = match &e {
        ApiError::Internal(detail) => {
            tracing::error!("internal error: {detail}");
            "Error interno; vea el registro del servidor.".to_string()
        }
        other => other.to_string(),
    };
    let ctx = context! { ..base(caller, "No se pudo completar"), ..context! { message } };
    render(status, "error.html", ctx)
}

/// A random key for a form, so a double-submitted form is written once.
fn form_key() -> String {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("randomness");
    auth::hex(&b)
}

/// The logged-in caller, or a redirect to the login page.
pub(super) async fn logged_in(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    client: &str,
) -> Result<(Arc<Reporting>, Caller), Response> {
    let rep = reporting(state).map_err(|e| page_error(None, e))?;
    let has_cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains(COOKIE));
    if !has_cookie {
        return Err(Redirect::to("/reporte").into_response());
    }
    match authenticate(&rep, headers, client).await {
        Ok(c) => Ok((rep, c)),
        Err(ApiError::Unauthorized(_)) => Err(Redirect::to("/reporte").into_response()),
        Err(e) => Err(page_error(None, e)),
    }
}

/// `GET /reporte`: the login page, or the caller's home page when logged in.
pub async fn home(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    Params(NoParams {}): Params<NoParams>,
) -> Response {
    match logged_in(&state, &headers, &client).await {
        Ok((_, c)) if c.who.role == Role::Office => {
            Redirect::to("/reporte/oficina").into_response()
        }
        Ok(_) => Redirect::to("/reporte/revision").into_response(),
        Err(_) => render(
            StatusCode::OK,
            "login.html",
            base(None, "Reporte de indicadores"),
        ),
    }
}

/// `POST /reporte/entrar`: checks the token and keeps it in the session cookie.
pub async fn login(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rep = match reporting(&state) {
        Ok(r) => r,
        Err(e) => return page_error(None, e),
    };
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let token = form
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut with_bearer = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        with_bearer.insert(header::AUTHORIZATION, v);
    }
    match authenticate(&rep, &with_bearer, &client).await {
        Ok(c) => {
            let secure = headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes() == b"https");
            let cookie = format!(
                "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
                if secure { "; Secure" } else { "" }
            );
            let to = if c.who.role == Role::Office {
                "/reporte/oficina"
            } else {
                "/reporte/revision"
            };
            let mut r = Redirect::to(to).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let status = e.status();
            let ctx = context! { ..base(None, "Reporte de indicadores"), ..context! { error => "El token no es válido (desconocido, revocado o mal copiado).".to_string() + if status == StatusCode::TOO_MANY_REQUESTS { " Demasiados intentos fallidos: espere unos minutos." } else { "" } } };
            render(status, "login.html", ctx)
        }
    }
}

/// `POST /reporte/salir`: forgets the session cookie.
pub async fn logout(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(e) = check_form(&caller, &headers, form_field(&body, "csrf").as_deref()) {
        return page_error(Some(&caller), e);
    }
    let mut r = Redirect::to("/reporte").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ssepot_reporte=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    form.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn number_text(v: &Value) -> String {
    match v {
        Value::Null => crate::format::ND.into(),
        Value::Number(n) => crate::format::number(n.as_f64(), None),
        _ => String::new(),
    }
}

/// Items with display text: territory names, values in Spanish, the served value and the difference.
fn display_items(state: &AppState, rep: &Reporting, items: Vec<crate::store::Item>) -> Vec<Value> {
    let current = state.current();
    items_with_served(state, items, rep)
        .into_iter()
        .map(|mut v| {
            let ind = v["indicator"]
                .as_str()
                .and_then(|i| current.snapshot.indicator(i));
            let territory = v["territory"].as_str().unwrap_or_default().to_string();
            let name = ind.and_then(|ind| {
                let set = &ind.unit_set;
                if territory == crate::model::normalize_key(&set.city.code) {
                    return Some(set.city.name.clone());
                }
                set.find(&territory).map(|i| set.units[i].name.clone())
            });
            v["territory_name"] = match name {
                Some(n) => format!("{territory} · {n}").into(),
                None => territory.into(),
            };
            v["sample"] = ind.is_some_and(|i| i.sample).into();
            let is_value = v["kind"] == "value";
            v["value_text"] = if is_value {
                number_text(&v["value"]).into()
            } else {
                v["after"].clone()
            };
            let served = v.get("served").and_then(|s| s.get("value")).cloned();
            v["served_text"] = match (&served, is_value) {
                (Some(s), true) => number_text(s).into(),
                (None, true) => "—".into(),
                _ => v["before"].clone(),
            };
            v["diff_text"] = match (v["value"].as_f64(), served.as_ref().and_then(Value::as_f64)) {
                (Some(a), Some(b)) => {
                    let d = a - b;
                    format!(
                        "{}{}",
                        if d > 0.0 { "+" } else { "" },
                        crate::format::number(Some(d), None)
                    )
                    .into()
                }
                _ => "".into(),
            };
            v
        })
        .collect()
}

/// `GET /reporte/oficina`: the upload form and the office's own values with their state.
pub async fn office(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    Params(NoParams {}): Params<NoParams>,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(e) = require_office(&caller) {
        return page_error(Some(&caller), e);
    }
    let filter = ItemFilter {
        office: caller.who.office.clone(),
        ..Default::default()
    };
    let store = rep.store.clone();
    let read = super::reporting::blocking(move || Ok((store.items(&filter)?, store.periods()?)));
    let (items, periods) = match read.await {
        Ok(x) => x,
        Err(e) => return page_error(Some(&caller), e),
    };
    // The calls still receiving values, so the office knows its deadlines.
    let today = crate::store::cycle::today();
    let open: Vec<_> = periods.into_iter().filter(|p| today <= p.cutoff).collect();
    let title = format!(
        "Valores de {}",
        caller.who.office.clone().unwrap_or_default()
    );
    let ctx = context! {
        ..base(Some(&caller), &title),
        ..context! {
            indicators => caller.who.indicators.clone(),
            periods => Ctx::from_serialize(&open),
            today,
            items => Ctx::from_serialize(display_items(&state, &rep, items)),
            key => form_key(),
            limit_mb => rep.upload_limit / 1024 / 1024,
        }
    };
    render(StatusCode::OK, "office.html", ctx)
}

fn result_page(caller: &Caller, status: StatusCode, body: Value) -> Response {
    let error = (!status.is_success())
        .then(|| body["description"].as_str().unwrap_or_default().to_string());
    let ctx = context! {
        ..base(Some(caller), if error.is_some() { "Envío rechazado" } else { "Envío recibido" }),
        ..context! { error, rows => Ctx::from_serialize(&body["rows"]), replayed => body["replayed"].as_bool().unwrap_or(false) }
    };
    render(status, "result.html", ctx)
}

/// `POST /reporte/oficina/subir`: the upload form; answers with the per-row report.
pub async fn office_upload(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = async {
        require_office(&caller)?;
        let form = read_upload(&headers, multipart, rep.upload_limit).await?;
        check_form(&caller, &headers, form.csrf.as_deref())?;
        process_upload(&state, &rep, &caller, &headers, form).await
    }
    .await;
    match outcome {
        Ok((status, body)) => result_page(&caller, status, body),
        Err(e) => page_error(Some(&caller), e),
    }
}

/// `POST /reporte/oficina/valor`: one value (a correction of a returned one).
pub async fn office_value(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let field = |n: &str| form_field(&body, n);
    let outcome = async {
        require_office(&caller)?;
        check_form(&caller, &headers, field("csrf").as_deref())?;
        let key = idempotency_key(&headers, field("idempotency_key"))?;
        let text = |n: &str| field(n).map_or(Cell::Empty, Cell::Text);
        let raw = RawValue {
            row: 1,
            indicator: text("indicator"),
            territory: text("territory"),
            year: text("year"),
            value: text("value"),
        };
        let checked = check::check_values(
            &state.current().snapshot,
            &caller.who,
            &[raw],
            &value_format(field("decimal").as_deref())?,
            JSON_FIELDS,
        );
        write_checked(&rep, &caller, checked, key, "formulario".into()).await
    }
    .await;
    match outcome {
        Ok((status, body)) => result_page(&caller, status, body),
        Err(e) => page_error(Some(&caller), e),
    }
}

/// `GET /reporte/revision`: the reviewers' queue.
pub async fn review(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    Params(q): Params<ReviewPageParams>,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !caller.who.role.reviews() {
        return Redirect::to("/reporte/oficina").into_response();
    }
    let filter = ItemFilter {
        states: vec![State::Reportado, State::Verificado, State::Validado],
        ..Default::default()
    };
    let store = rep.store.clone();
    let items = match super::reporting::blocking(move || store.items(&filter)).await {
        Ok(i) => i,
        Err(e) => return page_error(Some(&caller), e),
    };
    let flash = q
        .hecho
        .map(|s| format!("Hecho: los ítems marcados pasaron a «{s}»."));
    let ctx = context! {
        ..base(Some(&caller), "Revisión de valores reportados"),
        ..context! { items => Ctx::from_serialize(display_items(&state, &rep, items)), flash }
    };
    render(StatusCode::OK, "review.html", ctx)
}

/// `POST /reporte/revision`: verify, validate, publish or return the checked items.
pub async fn review_decide(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
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
            .filter(|(k, _)| k == "item")
            .map(|(_, v)| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad("item", format!("`{v}` is not an item id")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(ApiError::bad("item", "mark at least one item"));
        }
        let reason = get("motivo").filter(|m| !m.trim().is_empty());
        if to == State::Devuelto && reason.is_none() {
            return Err(ApiError::bad("motivo", "returning items needs a reason"));
        }
        apply_transition(&state, &rep, &caller, ids, to, reason).await
    }
    .await;
    match outcome {
        Ok(_) => Redirect::to(&format!(
            "/reporte/revision?hecho={}",
            get("accion").unwrap_or_default()
        ))
        .into_response(),
        Err(e) => page_error(Some(&caller), e),
    }
}

/// `GET /reporte/registro`: the change log (reviewers: all; offices: their own).
pub async fn change_log(
    AxState(state): AxState<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    Params(NoParams {}): Params<NoParams>,
) -> Response {
    let (rep, caller) = match logged_in(&state, &headers, &client).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let filter = LogFilter {
        office: caller.who.office.clone(),
        indicator: None,
    };
    let store = rep.store.clone();
    match super::reporting::blocking(move || store.log(&filter)).await {
        Ok(entries) => render(
            StatusCode::OK,
            "log.html",
            context! { ..base(Some(&caller), "Registro de cambios"), ..context! { entries => Ctx::from_serialize(&entries) } },
        ),
        Err(e) => page_error(Some(&caller), e),
    }
}
