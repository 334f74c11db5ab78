//! The tile cache (step 10): encoded bytes, their gzip, and an ETag, bounded by total size.
//!
//! One cache belongs to one snapshot (it lives in `state::Loaded`), so a reload starts a new one and stale
//! tiles can never be served. The ETag is a hash of the bytes: a tile whose content did not change keeps its
//! ETag across reloads, and a client's `If-None-Match` then gets 304.

use super::TileCoord;
use bytes::Bytes;
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::sync::Arc;

/// A tile ready to send.
#[derive(Debug)]
pub struct EncodedTile {
    pub raw: Bytes,
    /// The same bytes gzipped, computed when first needed.
    pub gzip: std::sync::OnceLock<Bytes>,
    /// Quoted, as the `ETag` header carries it.
    pub etag: String,
}

impl EncodedTile {
    pub fn new(raw: Vec<u8>) -> Self {
        // XXH3 of the bytes: a strong validator, and fast on multi-megabyte tiles of dense sets.
        let etag = format!(
            "\"{:016x}-{}\"",
            twox_hash::XxHash3_64::oneshot(&raw),
            raw.len()
        );
        Self {
            raw: raw.into(),
            gzip: std::sync::OnceLock::new(),
            etag,
        }
    }

    pub fn gzipped(&self) -> &Bytes {
        self.gzip.get_or_init(|| {
            let mut enc = GzEncoder::new(
                Vec::with_capacity(self.raw.len() / 2 + 32),
                Compression::fast(),
            );
            enc.write_all(&self.raw)
                .expect("writing to a Vec cannot fail");
            enc.finish().expect("writing to a Vec cannot fail").into()
        })
    }
}

/// (tileset index, tile, year filter)
pub type TileKey = (usize, TileCoord, Option<i32>);

#[derive(Clone)]
struct Weighter;

impl quick_cache::Weighter<TileKey, Arc<EncodedTile>> for Weighter {
    fn weight(&self, _key: &TileKey, tile: &Arc<EncodedTile>) -> u64 {
        // Raw bytes, the gzip once made, and the entry's bookkeeping.
        (tile.raw.len() * 3 / 2 + 128) as u64
    }
}

/// Size-bounded, concurrent tile cache; disabled when its capacity is 0.
pub struct TileCache {
    inner: Option<quick_cache::sync::Cache<TileKey, Arc<EncodedTile>, Weighter>>,
}

/// Default capacity: 64 MiB.
const DEFAULT_MB: u64 = 64;

impl TileCache {
    /// Capacity in MiB from `SSEPOT_TILE_CACHE_MB` (0 turns the cache off, for benchmarks).
    pub fn from_env() -> Self {
        let mb = std::env::var("SSEPOT_TILE_CACHE_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MB);
        Self::with_capacity_mb(mb)
    }

    pub fn with_capacity_mb(mb: u64) -> Self {
        let inner = (mb > 0).then(|| {
            let bytes = mb * 1024 * 1024;
            quick_cache::sync::Cache::with_weighter(50_000, bytes, Weighter)
        });
        Self { inner }
    }

    /// Bytes held, as the weigher counts them (0 when the cache is off).
    pub fn weight(&self) -> u64 {
        self.inner.as_ref().map_or(0, |c| c.weight())
    }

    /// The cached tile, or the one `make` renders (then cached).
    pub fn get_or_insert(&self, key: TileKey, make: impl FnOnce() -> Vec<u8>) -> Arc<EncodedTile> {
        match &self.inner {
            Some(cache) => match cache.get_or_insert_with(&key, || {
                Ok::<_, std::convert::Infallible>(Arc::new(EncodedTile::new(make())))
            }) {
                Ok(tile) => tile,
                Err(never) => match never {},
            },
            None => Arc::new(EncodedTile::new(make())),
        }
    }
}
