//! What the server holds: the current snapshot and everything rendered from it, swapped atomically.

use crate::access::Access;
use crate::features::Catalog;
use crate::ingest::{self, report::ImportReport};
use crate::metrics::Metrics;
use crate::model::Snapshot;
use crate::prepared;
use crate::store::{Reporting, StoreError};
use crate::tiles::TileSets;
use arc_swap::ArcSwap;
use std::path::PathBuf;
use std::sync::Arc;

/// A snapshot with its prepared outputs. Requests hold an `Arc` of it until they finish.
pub struct Loaded {
    pub snapshot: Arc<Snapshot>,
    pub features: Catalog,
    pub tiles: TileSets,
}

impl Loaded {
    pub fn new(snapshot: Snapshot) -> Self {
        Self::with_shapes(snapshot, prepared::Shapes::new())
    }

    /// A snapshot that differs from `previous`'s only in what is laid over it (published values and sheets):
    /// unit sets that are the same keep their prepared tile shapes, so a publication does not simplify a dense
    /// set's geometry again.
    pub fn relaid(snapshot: Snapshot, previous: &Loaded) -> Self {
        let shapes = previous
            .tiles
            .sets
            .iter()
            .filter(|t| {
                snapshot
                    .unit_set(&t.id)
                    .is_some_and(|s| Arc::ptr_eq(s, t.unit_set()))
            })
            .map(|t| (t.id.clone(), t.shapes()))
            .collect();
        Self::with_shapes(snapshot, shapes)
    }

    /// [`Self::new`] with the tile shapes of some unit sets already prepared (see [`prepared`]).
    pub fn with_shapes(snapshot: Snapshot, mut shapes: prepared::Shapes) -> Self {
        // Independent work: one core renders GeoJSON while the other prepares tiles.
        let (features, tiles) = std::thread::scope(|s| {
            let tiles = s.spawn(|| TileSets::with_shapes(&snapshot, |set| shapes.remove(&set.id)));
            let features = Catalog::build(&snapshot);
            (
                features,
                tiles.join().expect("preparing tiles does not panic"),
            )
        });
        Self {
            snapshot: Arc::new(snapshot),
            features,
            tiles,
        }
    }
}

/// The outcome of a reload, for `/health`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LastReload {
    /// When it finished (RFC 3339, UTC).
    pub at: String,
    /// New data was swapped in (items that failed keep their previous data and are in the report).
    pub ok: bool,
    /// Why nothing was swapped in, when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Shared state of the HTTP layer.
pub struct AppState {
    data: ArcSwap<Loaded>,
    pub layers_dir: PathBuf,
    /// Token that `POST /admin/reload` asks for (`SSEPOT_ADMIN_TOKEN`).
    pub admin_token: Option<String>,
    /// Public URL, trusted proxies and local admin (set by `ssepot serve`'s flags; nothing trusted by default).
    pub access: Access,
    /// Request, tile-cache and reload counters, exposed at `/metrics`.
    pub metrics: Metrics,
    last_reload: std::sync::Mutex<Option<LastReload>>,
    reload_lock: tokio::sync::Mutex<()>,
    /// The reporting store, when the server has one: its published values are laid over every snapshot.
    pub reporting: Option<Arc<Reporting>>,
}

impl AppState {
    /// Loads a layers folder. Unit sets or indicators that fail are reported and the rest serve;
    /// only an unreadable folder is an error.
    pub fn load(layers_dir: PathBuf, admin_token: Option<String>) -> Result<Self, String> {
        let started = std::time::Instant::now();
        let cache = prepared::cache_dir(&layers_dir);
        let (snapshot, shapes) = prepared::load(&layers_dir, None, cache.as_deref())?;
        let loaded = Loaded::with_shapes(snapshot, shapes);
        tracing::info!(
            "{}: loaded in {:.1?}",
            layers_dir.display(),
            started.elapsed()
        );
        Ok(Self {
            data: ArcSwap::from_pointee(loaded),
            layers_dir,
            admin_token,
            access: Access::default(),
            metrics: Metrics::default(),
            last_reload: std::sync::Mutex::new(None),
            reload_lock: tokio::sync::Mutex::new(()),
            reporting: None,
        })
    }

    /// Attaches a reporting store and lays its published values over the loaded snapshot.
    pub fn with_reporting(mut self, reporting: Arc<Reporting>) -> Result<Self, StoreError> {
        self.attach_reporting(reporting)?;
        Ok(self)
    }

    /// Like [`AppState::with_reporting`]; on error the state is left as it was.
    pub fn attach_reporting(&mut self, reporting: Arc<Reporting>) -> Result<(), StoreError> {
        reporting.refresh()?;
        if reporting.has_published() {
            let current = self.current();
            let snapshot = reporting.lay_over((*current.snapshot).clone());
            self.data = ArcSwap::from_pointee(Loaded::relaid(snapshot, &current));
        }
        self.reporting = Some(reporting);
        Ok(())
    }

    /// Re-reads the store's published values and, when they changed, lays them over the served snapshot
    /// and swaps it in (as a reload does). Returns whether the served data changed.
    pub async fn refresh_published(self: &Arc<Self>) -> Result<bool, StoreError> {
        let Some(reporting) = self.reporting.clone() else {
            return Ok(false);
        };
        let _one_at_a_time = self.reload_lock.lock().await;
        let join = |e: tokio::task::JoinError| StoreError::Internal(format!("refresh task: {e}"));
        let refreshing = reporting.clone();
        let changed = tokio::task::spawn_blocking(move || refreshing.refresh())
            .await
            .map_err(join)??;
        if changed.is_none() {
            return Ok(false);
        }
        let previous = self.current();
        let loaded = tokio::task::spawn_blocking(move || {
            let mut snapshot = reporting.lay_over((*previous.snapshot).clone());
            snapshot.version = previous.snapshot.version + 1;
            Loaded::relaid(snapshot, &previous)
        })
        .await
        .map_err(join)?;
        self.data.store(Arc::new(loaded));
        Ok(true)
    }

    /// The same state under another access policy.
    pub fn with_access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// The data being served now.
    pub fn current(&self) -> Arc<Loaded> {
        self.data.load_full()
    }

    /// The same for a short synchronous use (a hot tile): no reference count is taken, so threads serving at
    /// once do not contend on one counter. Hold it briefly; use [`AppState::current`] across an `.await`.
    pub fn current_brief(&self) -> arc_swap::Guard<Arc<Loaded>> {
        self.data.load()
    }

    /// Re-reads the layers folder aside and swaps the result in. Whatever fails now keeps its previous
    /// data; if the folder cannot be read at all, nothing changes. Returns the new import report.
    pub async fn reload(self: &Arc<Self>) -> Result<ImportReport, String> {
        let _one_at_a_time = self.reload_lock.lock().await;
        let outcome = self.reload_now().await;
        self.metrics.reload(outcome.is_ok());
        let last = LastReload {
            at: ingest::now_rfc3339(),
            ok: outcome.is_ok(),
            error: outcome.as_ref().err().cloned(),
        };
        *self
            .last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(last);
        outcome
    }

    /// When the last reload since start ran, and whether it swapped new data in.
    pub fn last_reload(&self) -> Option<LastReload> {
        self.last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn reload_now(self: &Arc<Self>) -> Result<ImportReport, String> {
        let previous = self.current();
        let dir = self.layers_dir.clone();
        let reporting = self.reporting.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let cache = prepared::cache_dir(&dir);
            prepared::load(&dir, Some(&previous.snapshot), cache.as_deref()).map(|(s, shapes)| {
                let s = match &reporting {
                    Some(r) => r.lay_over(s),
                    None => s,
                };
                Loaded::with_shapes(s, shapes)
            })
        })
        .await
        .map_err(|e| format!("reload task failed: {e}"))??;
        let report = loaded.snapshot.report.clone();
        self.data.store(Arc::new(loaded));
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relaid_snapshot_shares_the_prepared_shapes_and_renders_like_a_fresh_build() {
        let snapshot = ingest::load(std::path::Path::new("layers"), None).unwrap();
        let first = Loaded::new(snapshot.clone());
        // A published value, as the reporting store lays it over: one observation of the first comunas indicator.
        let mut changed = snapshot;
        let i = changed
            .indicators
            .iter()
            .position(|ind| ind.unit_set.id == "comunas" && !ind.observations.is_empty())
            .unwrap();
        let ind = Arc::make_mut(&mut changed.indicators[i]);
        ind.observations[0].value = Some(987_654.5);
        let relaid = Loaded::relaid(changed.clone(), &first);
        let fresh = Loaded::new(changed);

        let shapes = |l: &Loaded| l.tiles.get("comunas").unwrap().1.shapes();
        assert!(Arc::ptr_eq(&shapes(&first).units, &shapes(&relaid).units));
        assert!(Arc::ptr_eq(&shapes(&first).city, &shapes(&relaid).city));
        assert!(!Arc::ptr_eq(&shapes(&first).units, &shapes(&fresh).units));

        let (_, t) = relaid.tiles.get("comunas").unwrap();
        let (_, f) = fresh.tiles.get("comunas").unwrap();
        let (_, o) = first.tiles.get("comunas").unwrap();
        let mut differs = 0;
        for c in crate::tiles::export::coverage(t, 12) {
            assert_eq!(t.render(c, None), f.render(c, None), "{c:?}");
            differs += usize::from(t.render(c, None) != o.render(c, None));
        }
        assert!(differs > 0, "the new value reaches the tiles");
    }
}
