//! The prepared-snapshot cache: what is slow to rebuild from a unit set's sources — reading and repairing the
//! geometry with GDAL, reprojecting it, the municipal outline (a union of every unit), and the tiles' shared-border
//! simplification at every zoom — kept on disk, so a restart or a reload of unchanged sources skips it.
//!
//! - **Keyed by content**: one file per unit set, `{cache dir}/{id}.prepared`, whose key is a 128-bit hash
//!   (XXH3) of the layer file, every file the unit set reads (its source with the files beside it that share its
//!   name — a shapefile's `.dbf`, `.prj` — and its names table), the cache format, and the program itself. Any
//!   change to any of them is a different key: the entry is rebuilt.
//! - **Never trusted if corrupt**: the payload carries its own checksum and every offset is checked while
//!   reading; anything that does not add up is logged and the unit set is loaded from its sources.
//! - **Only the geometry part**: units (code, key, name, geometry, area), the outline, the import report's lines
//!   for the set and the simplified shapes. Indicators, tables and anything laid over the snapshot are read fresh
//!   every time, so new snapshot fields never meet an old cache.
//!
//! The directory is `SSEPOT_CACHE_DIR`, by default `.ssepot-cache` inside the layers folder; `off` disables it.
//! A cache that cannot be written (a read-only folder) only costs the speed-up.

use crate::config::UnitSetConfig;
use crate::ingest;
use crate::model::codec::{Reader, Writer};
use crate::model::report::{Status, UnitSetReport};
use crate::model::{Snapshot, Unit, UnitSet};
use crate::tiles::store::ShapeStore;
use crate::tiles::PreparedShapes;
use geo::{coord, LineString, MultiPolygon, Polygon, Rect};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// File signature and format version: bump the digit when the layout changes.
const MAGIC: &[u8; 8] = b"SSEPOTP2";

/// Tile shapes per unit set id, prepared or read while loading.
pub type Shapes = HashMap<String, PreparedShapes>;

/// Where the cache lives for a layers folder, or `None` when it is turned off.
pub fn cache_dir(layers_dir: &Path) -> Option<PathBuf> {
    match std::env::var("SSEPOT_CACHE_DIR") {
        Ok(v) if v == "off" || v.is_empty() => None,
        Ok(v) => Some(PathBuf::from(v)),
        Err(_) => Some(layers_dir.join(".ssepot-cache")),
    }
}

/// Loads a layers folder like [`ingest::load`], taking unit sets (and their tile shapes) from the cache in `dir`
/// when their sources did not change, and writing the ones it had to read.
pub fn load(
    layers_dir: &Path,
    previous: Option<&Snapshot>,
    cache: Option<&Path>,
) -> Result<(Snapshot, Shapes), String> {
    let mut shapes = Shapes::new();
    let mut fresh: Vec<(String, u128)> = Vec::new();
    let snapshot = {
        let mut read = |cfg: &UnitSetConfig, file: &Path| {
            let key = cache.and_then(|_| content_key(cfg, file));
            if let (Some(dir), Some(key)) = (cache, key) {
                if let Some((set, report, prepared)) = read_entry(dir, cfg, file, key) {
                    shapes.insert(cfg.id.clone(), prepared);
                    return (Some(set), report);
                }
            }
            let (set, report) = ingest::read_unit_set(cfg, file);
            if let (Some(key), Some(_)) = (key, &set) {
                fresh.push((cfg.id.clone(), key));
            }
            (set, report)
        };
        ingest::load_with(layers_dir, previous, &mut read)?
    };
    for (id, key) in fresh {
        let Some(set) = snapshot.unit_set(&id) else {
            continue;
        };
        let started = Instant::now();
        let prepared = PreparedShapes::build(set);
        tracing::info!(
            "unit set `{id}`: tiles prepared in {:.1?} ({} points for the units' zooms, {} for the outline's)",
            started.elapsed(),
            prepared.units.points(),
            prepared.city.points()
        );
        let report = snapshot.report.unit_sets.iter().find(|r| r.id == id);
        if let (Some(dir), Some(report)) = (cache, report) {
            write_entry(dir, set, report, &prepared, key);
        }
        shapes.insert(id, prepared);
    }
    Ok((snapshot, shapes))
}

/// The files a unit set reads: its layer file, its source and the files beside it with the same stem, and its
/// names table.
fn inputs(cfg: &UnitSetConfig, layer_file: &Path) -> Vec<PathBuf> {
    let base = layer_file.parent().unwrap_or(Path::new("."));
    let source = base.join(&cfg.source);
    let mut files = vec![layer_file.to_owned(), source.clone()];
    if let (Some(dir), Some(stem)) = (source.parent(), source.file_stem()) {
        let mut siblings: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p != &source && p.file_stem() == Some(stem) && p.is_file())
            .collect();
        siblings.sort();
        files.extend(siblings);
    }
    if let Some(names) = &cfg.names {
        files.push(base.join(&names.path));
    }
    files
}

/// The hash of everything a unit set's prepared form depends on; `None` when a file cannot be read (the load
/// then reports it as usual).
fn content_key(cfg: &UnitSetConfig, layer_file: &Path) -> Option<u128> {
    let mut h = twox_hash::XxHash3_128::new();
    h.write(MAGIC);
    h.write(program_fingerprint());
    h.write(cfg.id.as_bytes());
    let mut buf = vec![0u8; 1 << 20];
    for file in inputs(cfg, layer_file) {
        h.write(file.as_os_str().as_encoded_bytes());
        let mut f = std::fs::File::open(&file).ok()?;
        loop {
            let n = f.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            h.write(&buf[..n]);
        }
        h.write(&[0xff]);
    }
    Some(h.finish_128())
}

/// An identity of the running executable, so a rebuilt program (whose simplification may differ) never reads what
/// an older one prepared.
fn program_fingerprint() -> &'static [u8] {
    static PRINT: std::sync::OnceLock<[u8; 16]> = std::sync::OnceLock::new();
    PRINT.get_or_init(|| {
        // The executable's path, size and modification time (a rebuilt program is a new file), not its content:
        // hashing a release build with debug information took a third of a cached start.
        let mut id = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
        if let Ok(exe) = std::env::current_exe() {
            id.extend_from_slice(exe.as_os_str().as_encoded_bytes());
            if let Ok(meta) = std::fs::metadata(&exe) {
                id.extend_from_slice(&meta.len().to_le_bytes());
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
                id.extend_from_slice(&modified.unwrap_or_default().as_nanos().to_le_bytes());
            }
        }
        twox_hash::XxHash3_128::oneshot(&id).to_le_bytes()
    })
}

fn entry_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.prepared"))
}

/// Header: magic, key, payload length, payload checksum.
const HEADER: usize = 8 + 16 + 8 + 16;

fn read_entry(
    dir: &Path,
    cfg: &UnitSetConfig,
    layer_file: &Path,
    key: u128,
) -> Option<(UnitSet, UnitSetReport, PreparedShapes)> {
    let path = entry_path(dir, &cfg.id);
    let started = Instant::now();
    let bytes = std::fs::read(&path).ok()?;
    let fail = |why: &str| {
        tracing::warn!(
            "{}: {why}; loading unit set `{}` from its sources",
            path.display(),
            cfg.id
        );
    };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        fail("not a prepared-snapshot file of this version");
        return None;
    }
    if bytes[8..24] != key.to_le_bytes() {
        tracing::info!(
            "unit set `{}`: its sources changed since {} was written",
            cfg.id,
            path.display()
        );
        return None;
    }
    let len = u64::from_le_bytes(bytes[24..32].try_into().ok()?) as usize;
    let payload = &bytes[HEADER..];
    if payload.len() != len
        || bytes[32..48] != twox_hash::XxHash3_128::oneshot(payload).to_le_bytes()
    {
        fail("damaged (length or checksum does not match)");
        return None;
    }
    let Some(entry) = read_payload(&mut Reader::new(payload), cfg, layer_file) else {
        fail("damaged (its content does not read back)");
        return None;
    };
    tracing::info!(
        "unit set `{}`: {} units and their tiles read from the prepared cache in {:.0?}",
        cfg.id,
        entry.0.units.len(),
        started.elapsed()
    );
    Some(entry)
}

fn write_entry(
    dir: &Path,
    set: &UnitSet,
    report: &UnitSetReport,
    shapes: &PreparedShapes,
    key: u128,
) {
    let mut w = Writer::default();
    w.str(&set.source_crs);
    w.str(&report.crs);
    for list in [&report.repaired, &report.rejected, &report.notes] {
        w.len(list.len());
        list.iter().for_each(|l| w.str(l));
    }
    w.len(set.units.len());
    set.units.iter().for_each(|u| write_unit(&mut w, u));
    write_unit(&mut w, &set.city);
    shapes.units.write(&mut w);
    shapes.city.write(&mut w);
    let payload = w.buf;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&twox_hash::XxHash3_128::oneshot(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    let path = entry_path(dir, &set.id);
    // Written aside and renamed, so a reader never sees half a file.
    let tmp = dir.join(format!(".{}.{}.tmp", set.id, std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&tmp, &out))
        .and_then(|_| std::fs::rename(&tmp, &path));
    match written {
        Ok(()) => tracing::info!(
            "unit set `{}`: prepared cache written to {} ({} bytes)",
            set.id,
            path.display(),
            out.len()
        ),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!("{}: cannot write the prepared cache: {e}", path.display())
        }
    }
}

fn read_payload(
    r: &mut Reader,
    cfg: &UnitSetConfig,
    layer_file: &Path,
) -> Option<(UnitSet, UnitSetReport, PreparedShapes)> {
    let source_crs = r.str()?;
    let crs = r.str()?;
    let mut lists = [Vec::new(), Vec::new(), Vec::new()];
    for list in &mut lists {
        let n = r.len(8)?;
        *list = (0..n).map(|_| r.str()).collect::<Option<_>>()?;
    }
    let n = r.len(8)?;
    let units: Vec<Unit> = (0..n).map(|_| read_unit(r)).collect::<Option<_>>()?;
    let city = read_unit(r)?;
    let shapes = PreparedShapes {
        units: std::sync::Arc::new(ShapeStore::read(r)?),
        city: std::sync::Arc::new(ShapeStore::read(r)?),
    };
    if !r.rest.is_empty() {
        return None;
    }
    let [repaired, rejected, notes] = lists;
    let base = layer_file.parent().unwrap_or(Path::new("."));
    let report = UnitSetReport {
        id: cfg.id.clone(),
        file: layer_file.to_owned(),
        status: Status::Loaded,
        source: base.join(&cfg.source),
        features: units.len(),
        crs,
        repaired,
        rejected,
        notes,
        error: None,
    };
    let set = UnitSet::new(cfg, layer_file.to_owned(), source_crs, units, city);
    shapes.fits(&set).then_some((set, report, shapes))
}

fn write_unit(w: &mut Writer, u: &Unit) {
    w.str(&u.code);
    w.str(&u.key);
    w.str(&u.name);
    w.f64(u.area_m2);
    w.len(u.geometry.0.len());
    for p in &u.geometry.0 {
        w.len(p.interiors().len() + 1);
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            let pts: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
            w.pts(&pts);
        }
    }
    for v in [
        u.bbox.min().x,
        u.bbox.min().y,
        u.bbox.max().x,
        u.bbox.max().y,
    ] {
        w.f64(v);
    }
}

fn read_unit(r: &mut Reader) -> Option<Unit> {
    let (code, key, name) = (r.str()?, r.str()?, r.str()?);
    let area_m2 = r.f64()?;
    let n = r.len(8)?;
    let mut polygons = Vec::with_capacity(n);
    for _ in 0..n {
        let rings = r.len(8)?;
        let mut ls: Vec<LineString<f64>> = (0..rings)
            .map(|_| Some(r.pts()?.into_iter().map(|p| (p[0], p[1])).collect()))
            .collect::<Option<_>>()?;
        if ls.is_empty() {
            return None;
        }
        let exterior = ls.remove(0);
        polygons.push(Polygon::new(exterior, ls));
    }
    let [a, b, c, d] = [r.f64()?, r.f64()?, r.f64()?, r.f64()?];
    Some(Unit {
        code,
        key,
        name,
        geometry: std::sync::Arc::new(MultiPolygon(polygons)),
        bbox: Rect::new(coord! { x: a, y: b }, coord! { x: c, y: d }),
        area_m2,
    })
}
