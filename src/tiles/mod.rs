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
//! 4. **Select**: the units whose box meets the tile box plus a buffer of [`BUFFER`] units, found through an
//!    R-tree (`rstar`) of the units' boxes; a unit whose box cannot hold one pixel after rounding is not clipped
//!    and rounded: it goes straight to the end of step 8. The geometry of every zoom is kept flat
//!    (`store`), and read from the prepared-snapshot cache when the sources did not change (`crate::prepared`).
//! 5. **Clip** (`clip`): each ring against the buffered tile (Sutherland–Hodgman), so a polygon's edge stays
//!    outside the visible tile and seams never show.
//! 6. **Quantise**: to the integer grid of [`EXTENT`] units; repeated points go.
//! 7. **Drop sub-pixel rings**: rings under one pixel (16 × 16 units at 256 px) vanish, and a polygon goes with
//!    its outer ring.
//! 8. **Keep valid** (`repair`): `geo` checks each feature in tile space; one that simplification, clipping or
//!    rounding made invalid (a ring crossing itself, a zero-width bridge along the tile edge, a hole leaving its
//!    shell, parts overlapping) is rebuilt with boolean operations and put on the grid again. The source geometry
//!    is valid by GEOS (ingest repairs it); this step keeps it valid on the grid. A ring that touches itself is
//!    cut at the touching point, also where only one of its passes there has a vertex.
//!    **Then keep every unit that meets the tile**: a unit of which nothing is left (too small, simplified away,
//!    or reaching the buffered tile by a sliver) but whose shape meets the buffered tile — at this zoom or,
//!    failing that, at its finest — becomes a pixel-sized square (16 × 16 units) centred where it meets it, drawn
//!    after the other features. No unit that meets a tile is ever left out (`tests/completeness.rs`).
//! 9. **Wind**: outer rings get positive area in tile coordinates (clockwise on screen), holes negative, as
//!    MVT 2.1 requires.
//! 10. **Encode** (`encode`): the geometry commands are written from the integer rings, keys are interned by
//!     their number in the tileset and values through a small hash (the same bytes `geozero`'s `MvtWriter` and
//!     `TagsBuilder` write, tested), and `prost` writes the protobuf.
//! 11. **Cache** (`cache`): the bytes, their gzip and an ETag (hash of the bytes, so an unchanged tile keeps it
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
mod repair;
mod simplify;
pub mod store;
pub mod tileset;

pub use cache::{EncodedTile, TileCache};
pub use tileset::{PreparedShapes, TileSets, Tileset};

/// Tile extent in integer units (MVT's customary 4096).
pub const EXTENT: u32 = 4096;
/// Buffer around each tile, in tile units, that clipped geometry keeps.
pub const BUFFER: f64 = 64.0;
/// Highest zoom served unless a layer file says otherwise (a layer-file default, so it lives in `config`).
pub use crate::config::DEFAULT_MAX_ZOOM;

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
    /// Checks `x` and `y` against the matrix of zoom `z`, and `z` against the tileset's `zooms` (min, max).
    pub fn new(z: u32, x: u32, y: u32, zooms: (u8, u8)) -> Result<Self, CoordError> {
        let (min_zoom, max_zoom) = zooms;
        if z > u32::from(max_zoom) || z < u32::from(min_zoom) {
            return Err(CoordError {
                parameter: "z",
                message: format!(
                    "zoom {z} is outside this tileset's zooms {min_zoom}..={max_zoom}"
                ),
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
