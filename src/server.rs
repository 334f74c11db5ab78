//! Running the server: binding, `SIGHUP` reloads, graceful shutdown.

use crate::state::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Which reporting store a server uses.
#[derive(Debug, Clone)]
pub enum StoreChoice {
    /// `reporting.sqlite` in the layers folder; if it cannot be opened the server runs without reporting.
    Default,
    /// `--store PATH|postgres://…`: a store that must open.
    Given(String),
    /// `--store none`.
    None,
}

/// Loads `layers_dir` and serves it on `addr` until SIGINT or SIGTERM.
pub async fn serve(
    layers_dir: PathBuf,
    addr: SocketAddr,
    store: StoreChoice,
    upload_limit: usize,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut state =
        AppState::load(layers_dir.clone(), admin_token()).map_err(anyhow::Error::msg)?;
    let spec = match &store {
        StoreChoice::Default => Some(
            crate::store::default_path(&layers_dir)
                .to_string_lossy()
                .into_owned(),
        ),
        StoreChoice::Given(s) => Some(s.clone()),
        StoreChoice::None => None,
    };
    if let Some(spec) = spec {
        // Opening may block (PostgreSQL connects synchronously): off the async threads.
        let (back, attached) = tokio::task::spawn_blocking(move || {
            let attached = crate::store::open(&spec).and_then(|store| {
                tracing::info!("reporting store: {} ({})", store.kind(), redact(&spec));
                let reporting = Arc::new(crate::store::Reporting::new(store, upload_limit));
                state.attach_reporting(reporting)
            });
            (
                state,
                attached.map_err(|e| format!("{}: {e}", redact(&spec))),
            )
        })
        .await?;
        state = back;
        match attached {
            Ok(()) => {}
            Err(e) if matches!(store, StoreChoice::Default) => tracing::warn!(
                "no reporting store ({e}); serving the layers only. Use --store to choose one."
            ),
            Err(e) => anyhow::bail!("--store {e}"),
        }
    }
    let state = Arc::new(state);
    let report = state.current().snapshot.report.clone();
    for line in report
        .to_string()
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("warning:"))
    {
        tracing::warn!("{line}");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "serving {} collections on http://{} (loaded in {:.0?}; {} errors, {} warnings)",
        state.current().features.collections.len(),
        listener.local_addr()?,
        started.elapsed(),
        report.error_count(),
        report.warning_count()
    );
    tokio::spawn(reload_on_sighup(state.clone()));
    if state.reporting.is_some() {
        tokio::spawn(follow_store(state.clone()));
    }
    let app = crate::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

fn admin_token() -> Option<String> {
    std::env::var("SSEPOT_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
}

async fn reload_on_sighup(state: Arc<AppState>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; reload through POST /admin/reload");
        return;
    };
    while hup.recv().await.is_some() {
        match state.reload().await {
            Ok(r) => tracing::info!(
                "reloaded on SIGHUP: {} errors, {} warnings",
                r.error_count(),
                r.warning_count()
            ),
            Err(e) => tracing::error!("reload failed, previous data keeps serving: {e}"),
        }
    }
}

/// Picks up values published by other processes sharing the store: at once on a PostgreSQL `NOTIFY`, and
/// otherwise by re-reading the data version every half second (SQLite) or two seconds (PostgreSQL, in case a
/// notification was lost while reconnecting).
async fn follow_store(state: Arc<AppState>) {
    let Some(reporting) = state.reporting.clone() else {
        return;
    };
    let timeout = if reporting.store.kind() == "postgres" {
        std::time::Duration::from_secs(2)
    } else {
        std::time::Duration::from_millis(500)
    };
    let mut failing = false;
    loop {
        let store = reporting.store.clone();
        let waited = tokio::task::spawn_blocking(move || store.wait_for_change(timeout)).await;
        if !matches!(waited, Ok(Ok(_))) {
            // The database is down: do not spin; the refresh below reports it once.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        match state.refresh_published().await {
            Ok(changed) => {
                if failing {
                    tracing::info!("reporting store reachable again");
                }
                failing = false;
                if changed {
                    tracing::info!("published values changed; snapshot rebuilt");
                }
            }
            Err(e) if !failing => {
                failing = true;
                tracing::warn!("reporting store: {e}; serving the last published data");
            }
            Err(_) => {}
        }
    }
}

/// A store spec without the password of a `postgres://user:password@host` URL.
fn redact(spec: &str) -> String {
    match (spec.find("://"), spec.rfind('@')) {
        (Some(a), Some(b)) if b > a => {
            let user_end = spec[a + 3..b].find(':').map_or(b, |i| a + 3 + i);
            format!("{}:***{}", &spec[..user_end], &spec[b..])
        }
        _ => spec.to_string(),
    }
}

async fn shutdown() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down; requests in flight finish first");
}
