//! Every tile holds every unit that meets it, at every zoom — checked against an independent oracle.
//!
//! The oracle is GEOS (through GDAL): each unit's full-resolution source geometry, reprojected by GDAL to
//! EPSG:3857, intersected with the tile's bounds. A tile is rendered from its *buffered* square (the tile plus
//! [`BUFFER`] units of 4096 on each side, as docs/tiles.md says), and a unit smaller than a pixel is kept as a
//! pixel-sized square, so what a tile must hold is exactly the units that meet the buffered square. Two things
//! move a border by up to a unit of the tile grid: simplification (half a unit) and rounding to the grid (half a
//! unit); so a unit that meets the buffered square shrunk by [`SLACK`] units **must** be in the tile, and a unit
//! that does not meet it grown by [`SLACK`] units **must not** be. Between the two, either is right.
//!
//! Sets: the demo boundary served through the real router (and its PMTiles and MBTiles exports), the same
//! boundary with every ring reversed, two other editions of Medellín's boundaries (barrios and veredas, 2014 and
//! catastral) and every zoom-12 tile of the 100 000-polygon synthetic set.

mod common;
mod reversed;

use common::{get, run};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{Geometry, LayerAccess};
use geozero::mvt::{Message, Tile};
use ssepot::model::normalize_key;
use ssepot::state::AppState;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Buffer of a rendered tile, in units of 4096 (docs/tiles.md).
const BUFFER: f64 = 64.0;
/// How far, in tile units, simplification and rounding may move a border.
const SLACK: f64 = 2.0;
/// Half the side of the Web Mercator square, metres.
const HALF: f64 = 20_037_508.342_789_244;

/// A unit of the source: its code and its full-resolution geometry in EPSG:3857.
struct Unit {
    code: String,
    geometry: Geometry,
    envelope: [f64; 4],
}

/// Every feature of a GDAL source as a [`Unit`], reprojected by GDAL (made valid by GEOS where it is not). A
/// feature whose code an earlier one has is left out, as the import rejects it (and reports it: see the barrio
/// test).
fn units_3857(path: &Path, key_field: &str) -> Vec<Unit> {
    let ds = gdal::Dataset::open(path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let mut source = layer.spatial_ref().unwrap();
    source.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut mercator = SpatialRef::from_epsg(3857).unwrap();
    mercator.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let to_mercator = CoordTransform::new(&source, &mercator).unwrap();
    let key = layer.defn().field_index(key_field).unwrap();
    let mut seen = BTreeSet::new();
    layer
        .features()
        .filter(|f| seen.insert(normalize_key(&f.field_as_string(key).unwrap().unwrap())))
        .map(|f| {
            let code = f.field_as_string(key).unwrap().unwrap();
            let mut g = f.geometry().unwrap().transform(&to_mercator).unwrap();
            if !g.is_valid() {
                g = g.make_valid(&gdal::cpl::CslStringList::new()).unwrap();
            }
            let e = g.envelope();
            Unit {
                code: normalize_key(&code),
                geometry: g,
                envelope: [e.MinX, e.MinY, e.MaxX, e.MaxY],
            }
        })
        .collect()
}

/// A tile address.
type Coord = (u8, u32, u32);

/// The tile's square grown by `grow` tile units on each side, in EPSG:3857 metres `[w, s, e, n]`.
fn square((z, x, y): Coord, grow: f64) -> [f64; 4] {
    let size = 2.0 * HALF / f64::from(1u32 << z);
    let g = grow * size / 4096.0;
    let (x, y) = (f64::from(x), f64::from(y));
    [
        -HALF + x * size - g,
        HALF - (y + 1.0) * size - g,
        -HALF + (x + 1.0) * size + g,
        HALF - y * size + g,
    ]
}

fn meets(u: &Unit, b: [f64; 4]) -> bool {
    let e = u.envelope;
    e[0] <= b[2]
        && e[2] >= b[0]
        && e[1] <= b[3]
        && e[3] >= b[1]
        && u.geometry
            .intersects(&Geometry::bbox(b[0], b[1], b[2], b[3]).unwrap())
}

/// The codes a tile must hold and those it may hold (see the module's documentation). `outline` adds the city
/// outline's code, which meets a square exactly when one of the units does.
fn expected(units: &[Unit], c: Coord, outline: bool) -> (BTreeSet<String>, BTreeSet<String>) {
    let inner = square(c, BUFFER - SLACK);
    let outer = square(c, BUFFER + SLACK);
    let mut must = BTreeSet::new();
    let mut may = BTreeSet::new();
    for u in units {
        if meets(u, outer) {
            may.insert(u.code.clone());
            if meets(u, inner) {
                must.insert(u.code.clone());
            }
        }
    }
    if outline {
        for set in [&mut must, &mut may] {
            if !set.is_empty() {
                set.insert("ciudad".to_string());
            }
        }
    }
    (must, may)
}

/// Every tile of zooms `zooms` that meets the units' extent (from GDAL's envelopes, not from ssepot).
fn tiles_over(units: &[Unit], zooms: std::ops::RangeInclusive<u8>) -> Vec<Coord> {
    let e = units
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, u| {
            [
                b[0].min(u.envelope[0]),
                b[1].min(u.envelope[1]),
                b[2].max(u.envelope[2]),
                b[3].max(u.envelope[3]),
            ]
        });
    let mut out = Vec::new();
    for z in zooms {
        let n = f64::from(1u32 << z);
        let col = |m: f64| ((m + HALF) / (2.0 * HALF) * n).floor() as u32;
        let row = |m: f64| ((HALF - m) / (2.0 * HALF) * n).floor() as u32;
        for x in col(e[0])..=col(e[2]) {
            for y in row(e[3])..=row(e[1]) {
                out.push((z, x, y));
            }
        }
    }
    out
}

/// The codes of the features of a tile's layers (`{set}` and `{set}_ciudad`), normalised.
fn codes(bytes: &[u8], label: &str) -> BTreeSet<String> {
    let tile = Tile::decode(bytes).unwrap_or_else(|e| panic!("{label}: not MVT: {e}"));
    let mut out = BTreeSet::new();
    for layer in &tile.layers {
        let key = layer.keys.iter().position(|k| k == "code").unwrap() as u32;
        for f in &layer.features {
            let v = f.tags.chunks(2).find(|kv| kv[0] == key).unwrap()[1];
            let code = layer.values[v as usize].string_value.clone().unwrap();
            out.insert(normalize_key(&code));
        }
    }
    out
}

/// Compares every tile of `coords` (`tiles` holds the non-empty ones) with the oracle; returns how many units
/// the tiles held in all, and fails with every tile that misses a unit or holds one that does not meet it.
fn compare(
    label: &str,
    units: &[Unit],
    outline: bool,
    coords: &[Coord],
    tiles: &BTreeMap<Coord, Vec<u8>>,
) -> usize {
    let mut problems = Vec::new();
    let mut held = 0;
    for &c in coords {
        let name = format!("{label} {}/{}/{}", c.0, c.1, c.2);
        let got = tiles.get(&c).map(|b| codes(b, &name)).unwrap_or_default();
        let (must, may) = expected(units, c, outline);
        let missing: Vec<_> = must.difference(&got).collect();
        let extra: Vec<_> = got.difference(&may).collect();
        if !missing.is_empty() || !extra.is_empty() {
            problems.push(format!(
                "{name}: holds {} of {} units; {} missing {:?}, {} not meeting it {:?}",
                got.len(),
                must.len(),
                missing.len(),
                &missing[..missing.len().min(8)],
                extra.len(),
                &extra[..extra.len().min(8)],
            ));
        }
        held += got.len();
    }
    let shown: Vec<_> = problems.iter().take(40).cloned().collect();
    assert!(
        problems.is_empty(),
        "{label}: {} of {} tiles wrong:\n{}",
        problems.len(),
        coords.len(),
        shown.join("\n")
    );
    held
}

/// The tiles of `coords` served by the router for `set` (204 is an empty tile).
async fn served(state: &Arc<AppState>, set: &str, coords: &[Coord]) -> BTreeMap<Coord, Vec<u8>> {
    let mut out = BTreeMap::new();
    for &(z, x, y) in coords {
        let r = get(state, &format!("/tiles/{set}/{z}/{x}/{y}.mvt")).await;
        match r.status.as_u16() {
            204 => {}
            200 => {
                out.insert((z, x, y), r.body);
            }
            s => panic!("{set} {z}/{x}/{y}: {s} {}", r.text()),
        }
    }
    out
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .unwrap();
    raw
}

/// Every tile of an MBTiles archive (rows are TMS: counted from the south), gunzipped.
fn read_mbtiles(path: &Path) -> BTreeMap<Coord, Vec<u8>> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db
        .prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, u8>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })
        .unwrap();
    rows.map(|r| {
        let (z, x, row, gz) = r.unwrap();
        ((z, x, (1u32 << z) - 1 - row), gunzip(&gz))
    })
    .collect()
}

/// Every tile of a PMTiles archive, read by an independent reader (the `pmtiles` package of PyPI).
fn read_pmtiles(path: &Path) -> BTreeMap<Coord, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/pmtiles_dump.py");
    run(Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(out.path()));
    let mut tiles = BTreeMap::new();
    for entry in walk(out.path()) {
        let rel = entry.strip_prefix(out.path()).unwrap().with_extension("");
        let parts: Vec<u32> = rel
            .iter()
            .map(|p| p.to_str().unwrap().parse().unwrap())
            .collect();
        tiles.insert(
            (parts[0] as u8, parts[1], parts[2]),
            gunzip(&std::fs::read(&entry).unwrap()),
        );
    }
    tiles
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Exports a layers folder's unit set to both archive kinds and compares each with the oracle.
fn check_exports(label: &str, layers: &Path, set: &str, units: &[Unit], outline: bool) {
    let dir = tempfile::tempdir().unwrap();
    let coords = tiles_over(units, 0..=15);
    for ext in ["mbtiles", "pmtiles"] {
        let out = dir.path().join(format!("{set}.{ext}"));
        run(Command::new(env!("CARGO_BIN_EXE_ssepot"))
            .args(["tiles", "export"])
            .arg(&out)
            .arg(layers)
            .args(["--set", set]));
        let tiles = match ext {
            "mbtiles" => read_mbtiles(&out),
            _ => read_pmtiles(&out),
        };
        let outside: Vec<_> = tiles.keys().filter(|c| !coords.contains(c)).collect();
        assert!(
            outside.is_empty(),
            "{label} {ext}: tiles beyond the units {outside:?}"
        );
        compare(&format!("{label} {ext}"), units, outline, &coords, &tiles);
    }
}

/// Writes a layers folder holding one unit set read from `files` (copied from `from`), for tests that need a
/// boundary other than the demo's. Returns the folder.
fn layers_with(from: &Path, files: &[&str], toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(from.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(dir.path().join("set.toml"), toml).unwrap();
    dir
}

#[tokio::test]
async fn every_demo_tile_at_every_zoom_holds_every_comuna_that_meets_it() {
    let units = units_3857(&common::layers_dir().join(reversed::SOURCE), "comuna");
    assert_eq!(units.len(), 21);
    let coords = tiles_over(&units, 0..=15);
    let tiles = served(&common::demo(), "comunas", &coords).await;
    let held = compare("demo", &units, true, &coords, &tiles);
    assert!(held > 1500, "{held}");
    // Issue 14: Santa Elena (90) was missing from this tile only.
    let santa_elena = codes(&tiles[&(11, 594, 988)], "11/594/988");
    assert!(santa_elena.contains("90"), "{santa_elena:?}");
    check_exports("demo", &common::layers_dir(), "comunas", &units, true);
}

#[tokio::test]
async fn every_tile_of_the_boundary_with_its_rings_reversed_holds_every_comuna_that_meets_it() {
    let dir = common::layers_copy();
    reversed::reverse_geojson(dir.path());
    let units = units_3857(&dir.path().join(reversed::SOURCE), "comuna");
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let coords = tiles_over(&units, 0..=15);
    let tiles = served(&state, "comunas", &coords).await;
    compare("reversed", &units, true, &coords, &tiles);
    check_exports("reversed", dir.path(), "comunas", &units, true);
}

/// The barrio and vereda layers of two editions (see layers/data/medellin-barrios/PROVENANCE.md).
const BARRIOS_TOML: &str = r#"
[[unit_set]]
id = "barrios2014"
title = "Barrios y veredas, POT 2014"
source = "medellin_barrio_vereda_2014_wgs84.shp"
key_field = "CODIGO"
name_field = "NOMBRE"
attribution = "Alcaldía de Medellín — GeoMedellín"

[[unit_set]]
id = "barrios_catastro"
title = "Barrios y veredas, edición catastral (simplificada)"
source = "medellin_limite_barrio_vereda_catastral_simplified_wgs84.geojson"
key_field = "CODIGO"
name_field = "NOMBRE_BAR"
attribution = "Alcaldía de Medellín — GeoMedellín"
"#;

#[tokio::test]
async fn every_tile_of_two_other_barrio_editions_holds_every_barrio_that_meets_it() {
    let from = common::layers_dir().join("data/medellin-barrios");
    let shp = ["shp", "shx", "dbf", "prj", "cpg"]
        .map(|e| format!("medellin_barrio_vereda_2014_wgs84.{e}"));
    let geojson = "medellin_limite_barrio_vereda_catastral_simplified_wgs84.geojson";
    let mut files: Vec<&str> = shp.iter().map(String::as_str).collect();
    files.push(geojson);
    let dir = layers_with(&from, &files, BARRIOS_TOML);
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    // The catastral edition has two features coded 0811: the import keeps the first and reports the second.
    let report = state.current().snapshot.report.to_string();
    assert!(report.contains("duplicate code"), "{report}");
    for (set, source, count) in [
        ("barrios2014", shp[0].as_str(), 332),
        ("barrios_catastro", geojson, 349),
    ] {
        let units = units_3857(&dir.path().join(source), "CODIGO");
        assert_eq!(units.len(), count);
        let coords = tiles_over(&units, 0..=15);
        let tiles = served(&state, set, &coords).await;
        let held = compare(set, &units, true, &coords, &tiles);
        assert!(held > 5_000, "{set}: {held}");
        check_exports(set, dir.path(), set, &units, true);
    }
}

#[tokio::test]
async fn every_zoom_12_tile_of_the_100_000_polygon_set_holds_every_polygon_that_meets_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("synth.geojson");
    run(Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_synthetic.py"))
        .args(["100000"])
        .arg(&source)
        .arg("42"));
    std::fs::write(
        dir.path().join("synth.toml"),
        "[[unit_set]]\nid = \"synth\"\ntitle = \"Synthetic polygons (MUESTRA SINTÉTICA)\"\nsource = \"synth.geojson\"\nkey_field = \"code\"\nname_field = \"code\"\noutline = false\n",
    )
    .unwrap();
    let units = units_3857(&source, "code");
    assert_eq!(units.len(), 100_000);
    let state = Arc::new(AppState::load(dir.path().to_owned(), None).unwrap());
    let coords = tiles_over(&units, 12..=12);
    let tiles = served(&state, "synth", &coords).await;
    let held = compare("synth", &units, false, &coords, &tiles);
    assert!(held >= 100_000, "{held}");
}
