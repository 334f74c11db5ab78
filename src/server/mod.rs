//! Running the server: binding, accepting connections within limits, `SIGHUP` reloads, graceful shutdown.
//!
//! Connections are served by hyper's HTTP/1.1 server directly (not `axum::serve`) so that slow clients are
//! bounded: a client has [`Limits::header_read_timeout`] to send its request head (also between keep-alive
//! requests), a head may be at most [`Limits::max_header_bytes`] (431 beyond), and at most
//! [`Limits::max_connections`] connections are open at once (further clients wait in the listen backlog until one
//! closes). Large GeoJSON pages are streamed from prepared pieces, so a client that reads slowly holds a socket,
//! not a copy of the page; one that reads nothing for [`Limits::write_timeout`] is disconnected.

mod write_deadline;

use crate::access::Access;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// What `ssepot serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub addr: SocketAddr,
    pub access: Access,
    pub limits: Limits,
    /// The reporting store.
    pub store: StoreChoice,
    /// Largest upload the reporting API accepts, in bytes.
    pub upload_limit: usize,
}

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

/// Bounds on what clients may hold; see docs/api.md, "Limits".
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Time a client has to send a request's head (request line and headers).
    pub header_read_timeout: Duration,
    /// Size of a request's head in bytes; larger heads get 431.
    pub max_header_bytes: usize,
    /// Time a response may wait for a client that reads nothing before the connection is closed.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            write_timeout: Duration::from_secs(60),
        }
    }
}

/// File descriptors kept for everything but client connections: the listener, layer files and GDAL during a
/// reload, logs.
const FD_RESERVE: u64 = 256;

/// Raises the soft limit of open files so `wanted` connections fit, as far as the hard limit allows; returns how
/// many connections fit.
fn fit_open_files(wanted: usize) -> usize {
    match rlimit::increase_nofile_limit(wanted as u64 + FD_RESERVE) {
        Ok(limit) => {
            let fit = usize::try_from(limit.saturating_sub(FD_RESERVE))
                .unwrap_or(usize::MAX)
                .max(16);
            if fit < wanted {
                tracing::warn!(
                    "the open-files limit is {limit}: serving at most {fit} connections instead of {wanted}"
                );
            }
            wanted.min(fit)
        }
        Err(e) => {
            tracing::warn!("cannot read the open-files limit ({e}); keeping {wanted} connections");
            wanted
        }
    }
}

/// Loads `layers_dir` and serves it until SIGINT or SIGTERM.
pub async fn serve(layers_dir: PathBuf, options: Options) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let token = std::env::var("SSEPOT_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let mut state = AppState::load(layers_dir.clone(), token)
        .map_err(anyhow::Error::msg)?
        .with_access(options.access);
    let spec = match &options.store {
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
        let upload_limit = options.upload_limit;
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
            Err(e) if matches!(options.store, StoreChoice::Default) => tracing::warn!(
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
    let limits = options.limits;
    let max_connections = fit_open_files(limits.max_connections);
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    tracing::info!(
        "serving {} collections on http://{} (loaded in {:.0?}; {} errors, {} warnings; at most {} connections)",
        state.current().features.collections.len(),
        listener.local_addr()?,
        started.elapsed(),
        report.error_count(),
        report.warning_count(),
        max_connections,
    );
    tokio::spawn(reload_on_sighup(state.clone()));
    if state.reporting.is_some() {
        tokio::spawn(follow_store(state.clone()));
    }
    serve_connections(
        listener,
        crate::app(state),
        &limits,
        max_connections,
        shutdown(),
    )
    .await;
    Ok(())
}

/// Serves `app` on `listener` within `limits` (at most `max_connections` at once) until `stop` completes, then
/// lets requests in flight finish for up to 30 s. Public so the benchmarks' ceiling can be measured through
/// the same connection handling (`examples/fixed_bytes.rs --ssepot-loop`).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: &Limits,
    max_connections: usize,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes);
    let permits = Arc::new(Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait, do not spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut r: axum::http::Request<Incoming>| {
                r.extensions_mut().insert(ConnectInfo(peer));
                r
            });
        let io = write_deadline::WriteDeadline::new(stream, limits.write_timeout);
        let conn = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("requests still in flight after 30 s; stopping anyway");
        }
    }
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
