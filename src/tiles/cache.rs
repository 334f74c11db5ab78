//! The tile cache (step 10): encoded bytes, each content coding made once (gzip, Brotli, Zstandard), and the
//! ETag of each, bounded by total size.
//!
//! One cache belongs to one snapshot (it lives in `state::Loaded`), so a reload starts a new one and stale
//! tiles can never be served. The ETag is a hash of the bytes: a tile whose content did not change keeps its
//! ETag across reloads, and a client's `If-None-Match` then gets 304. Each coding of a tile is a representation
//! of its own (RFC 9110 §8.8.3), so it has an ETag of its own: the same hash with the coding's token.

use super::TileCoord;
use crate::encoding::{Coding, Effort};
use bytes::Bytes;
use std::sync::{Arc, OnceLock};

/// A tile ready to send.
#[derive(Debug)]
pub struct EncodedTile {
    pub raw: Bytes,
    /// The same bytes in each coding (indexed by [`Coding::index`]), each compressed when first asked for.
    encoded: [OnceLock<Bytes>; 3],
    /// How hard to compress: strongly when the tile is kept in the cache, fast when it is made per request.
    effort: Effort,
    /// Quoted, as the `ETag` header carries it: of the raw bytes, then of each coding.
    etags: [String; 4],
}

impl EncodedTile {
    /// A tile compressed fast when asked (made for one response, or for an export).
    pub fn new(raw: Vec<u8>) -> Self {
        Self::with_effort(raw, Effort::Fast)
    }

    /// A tile that is kept and served many times: compressed strongly, once per coding.
    pub fn kept(raw: Vec<u8>) -> Self {
        Self::with_effort(raw, Effort::Strong)
    }

    fn with_effort(raw: Vec<u8>, effort: Effort) -> Self {
        // XXH3 of the bytes: a strong validator, and fast on multi-megabyte tiles of dense sets.
        let tag = format!(
            "{:016x}-{}",
            twox_hash::XxHash3_64::oneshot(&raw),
            raw.len()
        );
        let etags = [
            format!("\"{tag}\""),
            format!("\"{tag}-{}\"", Coding::ALL[0].token()),
            format!("\"{tag}-{}\"", Coding::ALL[1].token()),
            format!("\"{tag}-{}\"", Coding::ALL[2].token()),
        ];
        Self {
            raw: raw.into(),
            encoded: Default::default(),
            effort,
            etags,
        }
    }

    /// The ETag of the tile as sent in `coding` (`None`: uncompressed).
    pub fn etag(&self, coding: Option<Coding>) -> &str {
        &self.etags[coding.map_or(0, |c| c.index() + 1)]
    }

    /// The bytes in `coding`, compressed on the first call.
    pub fn encoded(&self, coding: Coding) -> &Bytes {
        self.encoded[coding.index()].get_or_init(|| coding.compress(&self.raw, self.effort).into())
    }

    /// The bytes gzipped (MBTiles and PMTiles store gzip).
    pub fn gzipped(&self) -> &Bytes {
        self.encoded(Coding::Gzip)
    }
}

/// (tileset index, tile, year filter)
pub type TileKey = (usize, TileCoord, Option<i32>);

#[derive(Clone)]
struct Weighter;

impl quick_cache::Weighter<TileKey, Arc<EncodedTile>> for Weighter {
    fn weight(&self, _key: &TileKey, tile: &Arc<EncodedTile>) -> u64 {
        // Raw bytes, the codings clients ask for (about a third of the raw bytes each, typically one or two
        // made), and the entry's bookkeeping.
        (tile.raw.len() * 3 / 2 + 256) as u64
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
                Ok::<_, std::convert::Infallible>(Arc::new(EncodedTile::kept(make())))
            }) {
                Ok(tile) => tile,
                Err(never) => match never {},
            },
            None => Arc::new(EncodedTile::new(make())),
        }
    }
}
