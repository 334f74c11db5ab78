//! What the server holds: the current snapshot and everything rendered from it, swapped atomically.

use crate::features::Catalog;
use crate::ingest::report::ImportReport;
use crate::model::Snapshot;
use crate::prepared;
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

/// Shared state of the HTTP layer.
pub struct AppState {
    data: ArcSwap<Loaded>,
    pub layers_dir: PathBuf,
    /// Token that allows `/admin/reload` from other hosts than loopback.
    pub admin_token: Option<String>,
    reload_lock: tokio::sync::Mutex<()>,
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
            reload_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The data being served now.
    pub fn current(&self) -> Arc<Loaded> {
        self.data.load_full()
    }

    /// Re-reads the layers folder aside and swaps the result in. Whatever fails now keeps its previous
    /// data; if the folder cannot be read at all, nothing changes. Returns the new import report.
    pub async fn reload(self: &Arc<Self>) -> Result<ImportReport, String> {
        let _one_at_a_time = self.reload_lock.lock().await;
        let previous = self.current();
        let dir = self.layers_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let cache = prepared::cache_dir(&dir);
            prepared::load(&dir, Some(&previous.snapshot), cache.as_deref())
                .map(|(snapshot, shapes)| Loaded::with_shapes(snapshot, shapes))
        })
        .await
        .map_err(|e| format!("reload task failed: {e}"))??;
        let report = loaded.snapshot.report.clone();
        self.data.store(Arc::new(loaded));
        Ok(report)
    }
}
