//! What the server holds: the current snapshot and everything rendered from it, swapped atomically.

use crate::access::Access;
use crate::features::Catalog;
use crate::ingest::{self, report::ImportReport};
use crate::model::Snapshot;
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
        // Independent work: one core renders GeoJSON while the other prepares tiles.
        let (features, tiles) = std::thread::scope(|s| {
            let tiles = s.spawn(|| TileSets::build(&snapshot));
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
    /// Token that `POST /admin/reload` asks for (`SSEPOT_ADMIN_TOKEN`).
    pub admin_token: Option<String>,
    /// Public URL, trusted proxies and local admin (set by `ssepot serve`'s flags; nothing trusted by default).
    pub access: Access,
    reload_lock: tokio::sync::Mutex<()>,
}

impl AppState {
    /// Loads a layers folder. Unit sets or indicators that fail are reported and the rest serve;
    /// only an unreadable folder is an error.
    pub fn load(layers_dir: PathBuf, admin_token: Option<String>) -> Result<Self, String> {
        let snapshot = ingest::load(&layers_dir, None)?;
        Ok(Self {
            data: ArcSwap::from_pointee(Loaded::new(snapshot)),
            layers_dir,
            admin_token,
            access: Access::default(),
            reload_lock: tokio::sync::Mutex::new(()),
        })
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

    /// Re-reads the layers folder aside and swaps the result in. Whatever fails now keeps its previous
    /// data; if the folder cannot be read at all, nothing changes. Returns the new import report.
    pub async fn reload(self: &Arc<Self>) -> Result<ImportReport, String> {
        let _one_at_a_time = self.reload_lock.lock().await;
        let previous = self.current();
        let dir = self.layers_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            ingest::load(&dir, Some(&previous.snapshot)).map(Loaded::new)
        })
        .await
        .map_err(|e| format!("reload task failed: {e}"))??;
        let report = loaded.snapshot.report.clone();
        self.data.store(Arc::new(loaded));
        Ok(report)
    }
}
