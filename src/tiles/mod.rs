//! Mapbox Vector Tiles (spec 2.1) of every unit set, carrying every indicator's values.
//!
//! The pipeline, from the snapshot's CRS84 geometry to the bytes a client gets:
//!
//! 1. **Project** (`mercator`): every vertex to Web Mercator, normalised to `[0, 1]²` with y down, once per
//!    snapshot.
//! 2. **Find shared borders** (`simplify`): a vertex used by several units is shared; a ring is cut into runs
//!    at the *nodes* where the set of units sharing it changes. A border between two comunas is then the same
//!    run in both rings (walked in opposite directions).
//! 3. **Simplify per zoom** (`simplify`): Douglas–Peucker on each run with a tolerance of half a tile unit at
//!    that zoom, keeping the nodes. Douglas–Peucker is symmetric and ties break on coordinates, so both sides of
//!    a border keep the same vertices: no slivers and no gaps appear between neighbours at any zoom. Done once
//!    per zoom at load time; zooms where nothing changes share the same geometry.
//! 4. **Select**: the units whose box meets the tile box plus a buffer of [`BUFFER`] units.
//! 5. **Clip** (`clip`): each ring against the buffered tile (Sutherland–Hodgman), so a polygon's edge stays
//!    outside the visible tile and seams never show.
//! 6. **Quantise**: to the integer grid of [`EXTENT`] units; repeated points go.
//! 7. **Drop sub-pixel rings**: rings under one pixel (16 × 16 units at 256 px) vanish, and a polygon goes with
//!    its outer ring.
//! 8. **Wind**: outer rings get positive area in tile coordinates (clockwise on screen), holes negative, as
//!    MVT 2.1 requires.
//! 9. **Encode** (`encode`): `geozero` writes the geometry commands; keys and values are interned per layer
//!    (`TagsBuilder`), and `prost` writes the protobuf.
//! 10. **Cache** (`cache`): the bytes, their gzip and an ETag (hash of the bytes, so an unchanged tile keeps it
//!     across reloads) in a size-bounded cache that belongs to one snapshot.
//!
//! Each tileset has two layers: `{unit_set}` (one feature per unit, with `code`, `name` and `{indicator}_{year}`
//! values) and `{unit_set}_ciudad` (the municipal outline with the city-level values). `ND` or a missing row is
//! an *absent* property, never 0: a style tests it with `["has", …]`.

/// Name of the vector-tile layer that holds a unit set's municipal outline and its city-level values.
pub fn city_layer(unit_set: &str) -> String {
    format!("{unit_set}_ciudad")
}

pub mod cache;
mod clip;
mod encode;
pub mod export;
pub mod mercator;
mod simplify;
pub mod tileset;

pub use cache::{EncodedTile, TileCache};
pub use tileset::{TileSets, Tileset};

/// Tile extent in integer units (MVT's customary 4096).
pub const EXTENT: u32 = 4096;
/// Buffer around each tile, in tile units, that clipped geometry keeps.
pub const BUFFER: f64 = 64.0;
/// Highest zoom served unless a layer file says otherwise.
pub const DEFAULT_MAX_ZOOM: u8 = 15;

/// A tile address in the WebMercatorQuad tile matrix set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileCoord {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// Why a tile address is not in the tile matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordError {
    pub parameter: &'static str,
    pub message: String,
}

impl TileCoord {
    /// Checks `x` and `y` against the matrix of zoom `z`, and `z` against `max_zoom`.
    pub fn new(z: u32, x: u32, y: u32, max_zoom: u8) -> Result<Self, CoordError> {
        if z > u32::from(max_zoom) {
            return Err(CoordError {
                parameter: "z",
                message: format!("zoom {z} is beyond this tileset's 0..={max_zoom}"),
            });
        }
        let n = 1u64 << z;
        for (parameter, v) in [("x", x), ("y", y)] {
            if u64::from(v) >= n {
                return Err(CoordError {
                    parameter,
                    message: format!("{parameter} = {v} is outside 0..{n} at zoom {z}"),
                });
            }
        }
        Ok(Self { z: z as u8, x, y })
    }
}
