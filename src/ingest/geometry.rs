//! Reading a territorial unit set.
//!
//! 1. GDAL opens the source and layer; the CRS comes from the layer or the layer file's `crs` override.
//! 2. Each feature's key and name are read; features without a key or geometry are rejected and reported.
//! 3. Invalid geometries are repaired with GDAL's `MakeValid` (GEOS) and reported; unrepairable ones rejected.
//! 4. Geometries become `geo` multipolygons and PROJ reprojects them to OGC:CRS84; a feature that does not
//!    reproject (or lands on non-finite coordinates) is rejected.
//! 5. GEOS checks the reprojected geometry again (vertices that nearly touched may now cross) and `MakeValid`
//!    repairs it, reported: every geometry the model holds is valid by GEOS, so every output can rely on it.
//! 6. Rings are oriented as RFC 7946 says: outer rings counter-clockwise, holes clockwise, whatever the source
//!    wrote (Esri writes outer rings clockwise).
//! 7. True areas are computed geodesically, ring by ring in absolute value, so they do not depend on orientation; the
//!    municipality outline is the union of all units. Nothing here panics on odd input: every problem becomes a
//!    report line.

use super::gdal_messages;
use crate::config::UnitSetConfig;
use crate::ingest::report::{Status, UnitSetReport};
use crate::model::{normalize_key, Unit, UnitSet};
use gdal::vector::LayerAccess;
use gdal::vector::ToGdal;
use geo::orient::{Direction, Orient};
use geo::{BoundingRect, CoordsIter, GeodesicArea, MultiPolygon, Polygon};
use std::path::Path;
use std::sync::Arc;

/// Reads a unit set declared in `layer_file`.
pub fn read_unit_set(cfg: &UnitSetConfig, layer_file: &Path) -> (Option<UnitSet>, UnitSetReport) {
    let base = layer_file.parent().unwrap_or(Path::new("."));
    // A GDAL connection string (`PG:host=… dbname=…`) is not a path beside the layer file.
    let is_connection = cfg.source.to_str().is_some_and(|s| {
        s.split_once(':').is_some_and(|(driver, _)| {
            driver.len() > 1 && driver.chars().all(|c| c.is_ascii_uppercase())
        })
    });
    let source = if is_connection {
        cfg.source.clone()
    } else {
        base.join(&cfg.source)
    };
    let mut report = UnitSetReport {
        id: cfg.id.clone(),
        file: layer_file.to_owned(),
        status: Status::Failed,
        source: source.clone(),
        features: 0,
        crs: String::new(),
        repaired: vec![],
        rejected: vec![],
        notes: vec![],
        error: None,
    };
    match read(cfg, layer_file, &source, &mut report) {
        Ok(set) => {
            report.status = Status::Loaded;
            report.features = set.units.len();
            (Some(set), report)
        }
        Err(e) => {
            report.error = Some(format!(
                "{}: unit set `{}`: {e}",
                layer_file.display(),
                cfg.id
            ));
            (None, report)
        }
    }
}

fn read(
    cfg: &UnitSetConfig,
    layer_file: &Path,
    source: &Path,
    report: &mut UnitSetReport,
) -> Result<UnitSet, String> {
    gdal_messages::capture();
    gdal_messages::take_error();
    // Vector drivers only: a `PG:` source would otherwise be tried as PostGIS Raster first, and fail.
    let vector = gdal::DatasetOptions {
        open_flags: gdal::GdalOpenFlags::GDAL_OF_VECTOR,
        ..Default::default()
    };
    let ds = gdal::Dataset::open_ex(source, vector)
        .map_err(|e| format!("field `source`: GDAL cannot open {}: {e}", source.display()))?;
    let mut layer = super::gdal_layer::open_layer(&ds, cfg.layer.as_deref()).map_err(|e| {
        let field = if cfg.layer.is_some() {
            "field `layer`: "
        } else {
            ""
        };
        format!("{field}{}: {e}", source.display())
    })?;
    let crs = match &cfg.crs {
        Some(c) => c.clone(),
        None => layer_crs(&layer)
            .ok_or("the source has no CRS: set `crs` in the layer file (e.g. \"EPSG:9377\")")?,
    };
    report.crs = crs.clone();
    let to_crs84 = proj::Proj::new_known_crs(&crs, "OGC:CRS84", None)
        .map_err(|e| format!("field `crs`: PROJ cannot transform `{crs}` to CRS84: {e}"))?;
    let defn_fields: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    if let (true, Some(why)) = (defn_fields.is_empty(), gdal_messages::take_error()) {
        return Err(format!("field `source`: {}: GDAL: {why}", source.display()));
    }
    let key_idx = field_index(&defn_fields, &cfg.key_field, "key_field")?;
    let name_idx = field_index(&defn_fields, &cfg.name_field, "name_field")?;

    let mut units: Vec<Unit> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, feature) in layer.features().enumerate() {
        if n > 0 && n % 100_000 == 0 {
            tracing::info!("unit set `{}`: {n} features read", cfg.id);
        }
        let label = format!("feature {}", feature.fid().unwrap_or(n as u64));
        let code = feature
            .field_as_string(key_idx)
            .ok()
            .flatten()
            .unwrap_or_default()
            .trim()
            .to_string();
        if code.is_empty() {
            report
                .rejected
                .push(format!("{label}: no value in `{}`", cfg.key_field));
            continue;
        }
        let label = format!("{label} (code {code})");
        let Some(geometry) = feature.geometry() else {
            report.rejected.push(format!("{label}: no geometry"));
            continue;
        };
        let geometry = match repair(geometry) {
            Ok((g, reason)) => {
                if let Some(reason) = reason {
                    let why = if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({reason})")
                    };
                    report.repaired.push(format!(
                        "{label}: invalid geometry{why} repaired with MakeValid"
                    ));
                }
                g
            }
            Err(e) => {
                report.rejected.push(format!("{label}: {e}"));
                continue;
            }
        };
        let mut mp = match to_multipolygon(geometry) {
            Some(mp) if !mp.0.is_empty() => mp,
            _ => {
                report.rejected.push(format!("{label}: not a polygon"));
                continue;
            }
        };
        if let Err(e) = proj::Transform::transform(&mut mp, &to_crs84) {
            report
                .rejected
                .push(format!("{label}: reprojection failed: {e}"));
            continue;
        }
        if !mp.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
            report
                .rejected
                .push(format!("{label}: coordinates outside the CRS `{crs}`"));
            continue;
        }
        // Reprojection moves vertices a little: two that nearly touched may now cross.
        let mp = match valid_in_crs84(mp) {
            Ok((mp, None)) => mp,
            Ok((mp, Some(reason))) => {
                report.repaired.push(format!(
                    "{label}: invalid after reprojection to CRS84 ({reason}), repaired with MakeValid"
                ));
                mp
            }
            Err(e) => {
                report.rejected.push(format!("{label}: {e}"));
                continue;
            }
        };
        let key = normalize_key(&code);
        if !seen.insert(key.clone()) {
            report.rejected.push(format!("{label}: duplicate code"));
            continue;
        }
        let name = feature
            .field_as_string(name_idx)
            .ok()
            .flatten()
            .unwrap_or_default();
        match make_unit(code, key, name, mp) {
            Some(unit) => units.push(unit),
            None => report.rejected.push(format!("{label}: empty polygon")),
        }
    }
    if units.is_empty() {
        return Err("no usable features".into());
    }
    if let Some(names) = &cfg.names {
        apply_names(&mut units, names, layer_file, report)?;
    }
    units.sort_by(|a, b| code_order(&a.key).cmp(&code_order(&b.key)));
    let started = std::time::Instant::now();
    let city = city_outline(&units, cfg, report)?;
    tracing::debug!(
        "unit set `{}`: municipal outline in {:.0?}",
        cfg.id,
        started.elapsed()
    );
    Ok(UnitSet::new(cfg, layer_file.to_owned(), crs, units, city))
}

/// Numeric codes sort as numbers, others after them by text.
fn code_order(key: &str) -> (u64, &str) {
    (key.parse().unwrap_or(u64::MAX), key)
}

fn layer_crs(layer: &gdal::vector::Layer) -> Option<String> {
    let srs = layer.spatial_ref()?;
    match (srs.auth_name(), srs.auth_code()) {
        (Some(name), Ok(code)) => Some(format!("{name}:{code}")),
        _ => srs.to_projjson().ok(),
    }
}

fn field_index(fields: &[String], wanted: &str, config_field: &str) -> Result<usize, String> {
    fields.iter().position(|f| f == wanted).ok_or_else(|| {
        format!("field `{config_field}`: the source has no field `{wanted}`; it has {fields:?}")
    })
}

/// Returns the geometry, repaired if it was invalid, with GEOS's reason for the repair.
fn repair(
    geometry: &gdal::vector::Geometry,
) -> Result<(gdal::vector::Geometry, Option<String>), String> {
    gdal_messages::take_message();
    if geometry.is_valid() {
        return Ok((geometry.clone(), None));
    }
    let reason = gdal_messages::take_message();
    let fixed = geometry
        .make_valid(&gdal::cpl::CslStringList::new())
        .map_err(|e| format!("invalid geometry ({reason}) that MakeValid could not repair: {e}"))?;
    Ok((fixed, Some(reason)))
}

fn to_multipolygon(geometry: gdal::vector::Geometry) -> Option<MultiPolygon<f64>> {
    fn collect(g: geo::Geometry<f64>, out: &mut Vec<Polygon<f64>>) {
        match g {
            geo::Geometry::Polygon(p) => out.push(p),
            geo::Geometry::MultiPolygon(mp) => out.extend(mp.0),
            geo::Geometry::GeometryCollection(gc) => gc.0.into_iter().for_each(|g| collect(g, out)),
            _ => {}
        }
    }
    let mut polygons = Vec::new();
    collect(geometry.to_geo().ok()?, &mut polygons);
    Some(MultiPolygon(polygons))
}

/// Checks a reprojected geometry with GEOS and repairs it if needed; `None` as reason when it was valid.
fn valid_in_crs84(mp: MultiPolygon<f64>) -> Result<(MultiPolygon<f64>, Option<String>), String> {
    let g = mp
        .to_gdal()
        .map_err(|e| format!("cannot hand the geometry to GEOS: {e}"))?;
    match repair(&g)? {
        (_, None) => Ok((mp, None)),
        (fixed, Some(reason)) => match to_multipolygon(fixed) {
            Some(fixed) if !fixed.0.is_empty() => Ok((fixed, Some(reason))),
            _ => Err(format!(
                "invalid after reprojection ({reason}) and nothing is left once repaired"
            )),
        },
    }
}

/// A unit with rings oriented as RFC 7946 says (outer rings counter-clockwise, holes clockwise), whatever the
/// source wrote (Esri writes outer rings clockwise), and its true area; `None` for an empty geometry.
fn make_unit(code: String, key: String, name: String, geometry: MultiPolygon<f64>) -> Option<Unit> {
    let geometry = geometry.orient(Direction::Default);
    Some(Unit {
        bbox: geometry.bounding_rect()?,
        area_m2: geodesic_area(&geometry),
        code,
        key,
        name,
        geometry: Arc::new(geometry),
    })
}

/// Geodesic area in square metres, the same for either orientation of the rings. Each ring's *signed* area is
/// taken in absolute value: the unsigned area of a clockwise ring is the rest of the Earth.
pub fn geodesic_area(mp: &MultiPolygon<f64>) -> f64 {
    let ring =
        |r: &geo::LineString<f64>| Polygon::new(r.clone(), vec![]).geodesic_area_signed().abs();
    mp.0.iter()
        .map(|p| ring(p.exterior()) - p.interiors().iter().map(ring).sum::<f64>())
        .sum()
}

/// Display names from the `names` table. A row whose code is no unit, or whose name is empty (the unit keeps the
/// source's name), is a note in the report, never silently passed over.
fn apply_names(
    units: &mut [Unit],
    names: &crate::config::NamesTable,
    layer_file: &Path,
    report: &mut UnitSetReport,
) -> Result<(), String> {
    let path = layer_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(&names.path);
    let grid = super::cells::read_grid(&path, None, None)
        .map_err(|e| format!("field `names.path`: {}: {e}", path.display()))?;
    let header: Vec<String> = grid
        .rows
        .first()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .unwrap_or_default();
    let col = |name: &str, field: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "field `names.{field}`: {} has no column `{name}`",
                path.display()
            )
        })
    };
    let (k, n) = (
        col(&names.key_column, "key_column")?,
        col(&names.name_column, "name_column")?,
    );
    let index: std::collections::HashMap<String, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.key.clone(), i))
        .collect();
    let mut unknown = Vec::new();
    for row in (2..=grid.rows.len()).filter(|&r| !grid.is_blank_row(r)) {
        let code = grid.cell(row, k).text();
        let name = grid.cell(row, n).text();
        match index.get(&normalize_key(&code)).map(|i| &mut units[*i]) {
            Some(u) if name.is_empty() => report.notes.push(format!(
                "{}, row {row}: the name of `{code}` is empty; it keeps `{}` from the source",
                path.display(),
                u.name
            )),
            Some(u) => u.name = name,
            None => unknown.push(format!("`{code}` (row {row})")),
        }
    }
    if !unknown.is_empty() {
        report.notes.push(format!(
            "{}: names of codes that are no unit are not used: {}",
            path.display(),
            unknown.join(", ")
        ));
    }
    Ok(())
}

/// Smallest polygon, and smallest hole, the municipal outline keeps: gaps between neighbours are slivers.
const MIN_OUTLINE_PART_M2: f64 = 10_000.0;

/// The union of all units, without the sliver gaps between neighbouring polygons (holes under one hectare) and
/// specks (polygons under one hectare). A unit set whose parts are all that small (city blocks) keeps them all,
/// and the report says so.
fn city_outline(
    units: &[Unit],
    cfg: &UnitSetConfig,
    report: &mut UnitSetReport,
) -> Result<Unit, String> {
    let union = geo::unary_union(units.iter().map(|u| &*u.geometry));
    let without_slivers: Vec<Polygon<f64>> = union
        .0
        .iter()
        .map(|p| {
            let holes = p
                .interiors()
                .iter()
                .filter(|h| {
                    geodesic_area(&MultiPolygon(vec![Polygon::new((*h).clone(), vec![])]))
                        >= MIN_OUTLINE_PART_M2
                })
                .cloned()
                .collect();
            Polygon::new(p.exterior().clone(), holes)
        })
        .filter(|p| geodesic_area(&MultiPolygon(vec![p.clone()])) >= MIN_OUTLINE_PART_M2)
        .collect();
    let polygons = if without_slivers.is_empty() {
        report.notes.push(format!(
            "the union of all units has no polygon of at least 1 ha; the municipal outline `{}` keeps every part",
            cfg.city_code
        ));
        union.0
    } else {
        without_slivers
    };
    make_unit(
        cfg.city_code.clone(),
        normalize_key(&cfg.city_code),
        cfg.city_name.clone(),
        MultiPolygon(polygons),
    )
    .ok_or_else(|| "the union of all units is empty: no municipal outline".to_string())
}
