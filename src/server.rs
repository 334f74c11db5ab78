//! Running the server: binding, `SIGHUP` reloads, graceful shutdown.

use crate::state::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Loads `layers_dir` and serves it on `addr` until SIGINT or SIGTERM.
pub async fn serve(layers_dir: PathBuf, addr: SocketAddr) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let token = std::env::var("SSEPOT_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let state = Arc::new(AppState::load(layers_dir, token).map_err(anyhow::Error::msg)?);
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
    let app = crate::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
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

async fn shutdown() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down; requests in flight finish first");
}
