//! Static export of a tileset: PMTiles v3 (for static hosting and CDNs) or MBTiles (which QGIS opens as a file).
//!
//! Every tile of zooms `min_zoom..=max_zoom` that meets the tileset's bounds is rendered by the same pipeline the
//! server uses, in parallel, gzipped, and written in tile-id (Hilbert) order; empty tiles are left out.
//! PMTiles is written by the `pmtiles` crate, MBTiles with `rusqlite` (SQLite, as the MBTiles 1.3 spec says).

use super::mercator::project;
use super::{EncodedTile, TileCoord, Tileset};
use rayon::prelude::*;
use std::path::Path;

/// Archive formats, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    PmTiles,
    MbTiles,
}

impl Archive {
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "pmtiles" => Some(Self::PmTiles),
            "mbtiles" => Some(Self::MbTiles),
            _ => None,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tiles_rendered: usize,
    pub tiles_written: usize,
    pub bytes: u64,
    /// The largest tiles, uncompressed size in bytes, largest first (a web map wants them under ~500 KB).
    pub largest: Vec<(TileCoord, usize)>,
}

/// How many of the largest tiles a summary lists.
const LARGEST: usize = 5;

/// Every tile address of `min_zoom..=max_zoom` that meets the bounds, in PMTiles tile-id order.
pub fn coverage(t: &Tileset, max_zoom: u8) -> Vec<TileCoord> {
    let [w, s, e, n] = t.bounds;
    let (lo, hi) = (project(w, n), project(e, s));
    let mut coords = Vec::new();
    for z in t.min_zoom..=max_zoom {
        let k = f64::from(1u32 << z);
        let last = (1u32 << z) - 1;
        let (x0, x1) = ((lo[0] * k) as u32, ((hi[0] * k) as u32).min(last));
        let (y0, y1) = ((lo[1] * k) as u32, ((hi[1] * k) as u32).min(last));
        for x in x0..=x1 {
            for y in y0..=y1 {
                coords.push(TileCoord { z, x, y });
            }
        }
    }
    coords.sort_by_key(|c| tile_id(*c));
    coords
}

fn tile_id(c: TileCoord) -> u64 {
    pmtiles::TileCoord::new(c.z, c.x, c.y)
        .map(|tc| pmtiles::TileId::from(tc).value())
        .unwrap_or(u64::MAX)
}

/// Renders and writes the archive; `progress` is told after each tile.
pub fn export(
    t: &Tileset,
    max_zoom: u8,
    out: &Path,
    progress: impl Fn() + Sync,
) -> Result<Summary, String> {
    let archive = Archive::from_path(out).ok_or_else(|| {
        format!(
            "{}: the extension must be .pmtiles or .mbtiles",
            out.display()
        )
    })?;
    let coords = coverage(t, max_zoom);
    let tiles: Vec<(TileCoord, EncodedTile)> = coords
        .par_iter()
        .map(|c| {
            let tile = EncodedTile::new(t.render(*c, None));
            let _ = tile.gzipped();
            progress();
            (*c, tile)
        })
        .collect();
    let non_empty: Vec<&(TileCoord, EncodedTile)> =
        tiles.iter().filter(|(_, t)| !t.raw.is_empty()).collect();
    let mut largest: Vec<(TileCoord, usize)> =
        non_empty.iter().map(|(c, t)| (*c, t.raw.len())).collect();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then(tile_id(a.0).cmp(&tile_id(b.0))));
    largest.truncate(LARGEST);
    let metadata = serde_json::json!({
        "name": t.id, "description": t.title, "attribution": t.attribution,
        "vector_layers": t.layer_names.iter().zip(&t.fields).map(|(n, f)| serde_json::json!({
            "id": n, "minzoom": t.min_zoom, "maxzoom": max_zoom,
            "fields": f.iter().map(|f| (f.name.clone(), serde_json::Value::String(f.description.clone()))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    });
    let _ = std::fs::remove_file(out);
    match archive {
        Archive::PmTiles => write_pmtiles(t, max_zoom, out, &non_empty, &metadata.to_string())?,
        Archive::MbTiles => write_mbtiles(t, max_zoom, out, &non_empty, &metadata)?,
    }
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(Summary {
        tiles_rendered: tiles.len(),
        tiles_written: non_empty.len(),
        bytes,
        largest,
    })
}

fn write_pmtiles(
    t: &Tileset,
    max_zoom: u8,
    out: &Path,
    tiles: &[&(TileCoord, EncodedTile)],
    metadata: &str,
) -> Result<(), String> {
    let e = |e: pmtiles::PmtError| format!("{}: {e}", out.display());
    let file = std::io::BufWriter::new(
        std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?,
    );
    let [w, s, east, n] = t.bounds;
    let mut writer = pmtiles::PmTilesWriter::new(pmtiles::TileType::Mvt)
        .precompressed(pmtiles::Compression::Gzip)
        .internal_compression(pmtiles::Compression::Gzip)
        .min_zoom(t.min_zoom)
        .max_zoom(max_zoom)
        .bounds(w, s, east, n)
        .center((w + east) / 2.0, (s + n) / 2.0)
        .center_zoom(11.clamp(t.min_zoom, max_zoom))
        .metadata(metadata)
        .create(file)
        .map_err(e)?;
    for (c, tile) in tiles {
        writer
            .add_tile(
                pmtiles::TileCoord::new(c.z, c.x, c.y).map_err(e)?,
                tile.gzipped(),
            )
            .map_err(e)?;
    }
    writer.finalize().map_err(e)
}

fn write_mbtiles(
    t: &Tileset,
    max_zoom: u8,
    out: &Path,
    tiles: &[&(TileCoord, EncodedTile)],
    metadata: &serde_json::Value,
) -> Result<(), String> {
    let e = |e: rusqlite::Error| format!("{}: {e}", out.display());
    let mut db = rusqlite::Connection::open(out).map_err(e)?;
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .map_err(e)?;
    let tx = db.transaction().map_err(e)?;
    {
        let [w, s, east, n] = t.bounds;
        let meta = [
            ("name", t.id.clone()),
            ("description", t.title.clone()),
            ("attribution", t.attribution.clone()),
            ("format", "pbf".into()),
            ("type", "overlay".into()),
            ("version", "1.3".into()),
            ("minzoom", t.min_zoom.to_string()),
            ("maxzoom", max_zoom.to_string()),
            ("bounds", format!("{w},{s},{east},{n}")),
            (
                "center",
                format!(
                    "{},{},{}",
                    (w + east) / 2.0,
                    (s + n) / 2.0,
                    11.clamp(t.min_zoom, max_zoom)
                ),
            ),
            (
                "json",
                serde_json::json!({ "vector_layers": metadata["vector_layers"] }).to_string(),
            ),
        ];
        let mut stmt = tx
            .prepare("INSERT INTO metadata (name, value) VALUES (?1, ?2)")
            .map_err(e)?;
        for (k, v) in meta {
            stmt.execute((k, v)).map_err(e)?;
        }
        let mut stmt = tx.prepare("INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)").map_err(e)?;
        for (c, tile) in tiles {
            // MBTiles rows count from the south (TMS).
            let row = (1u32 << c.z) - 1 - c.y;
            stmt.execute((c.z, c.x, row, tile.gzipped().as_ref()))
                .map_err(e)?;
        }
    }
    tx.commit().map_err(e)
}
