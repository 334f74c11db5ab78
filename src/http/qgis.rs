//! QGIS projects in one click: `GET /collections/{id}/qgis` (one indicator) and `GET /qgis` (every indicator,
//! grouped by POT system and subsystem). The project's URLs are the client's public base URL.

use super::documents::base_url;
use super::error::{ApiError, PathParams};
use super::params::{Params, StyleParams};
use super::styles::legend;
use crate::features::crs;
use crate::model::Indicator;
use crate::state::{AppState, Loaded};
use crate::styles::qgis_project::{qgz, CrsWkt, IndicatorLayers, Project};
use crate::styles::Legend;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

type Result<T> = std::result::Result<T, ApiError>;

/// A group name when the technical sheet leaves it empty.
const NO_GROUP: &str = "Sin clasificar";

/// One indicator's layers in a project whose URLs start at `base`.
fn layers<'a>(
    data: &Loaded,
    base: &str,
    ind: &Indicator,
    l: &'a Legend,
    visible: bool,
) -> Result<IndicatorLayers<'a>> {
    let set = &ind.unit_set.id;
    let (_, t) = data
        .tiles
        .get(set)
        .ok_or_else(|| ApiError::NotFound(format!("no tileset `{set}`")))?;
    let c = data
        .features
        .get(&ind.id)
        .ok_or_else(|| ApiError::NotFound(format!("no collection `{}`", ind.id)))?;
    Ok(IndicatorLayers {
        legend: l,
        years: ind.years(),
        id: ind.id.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        attribution: ind.attribution.clone(),
        sheet_url: format!(
            "{base}{}?f=html",
            crate::ssepot::progress::sheet_path(&ind.id)
        ),
        collection_url: format!("{base}/collections/{}", ind.id),
        system: ind.sheet.system.clone().unwrap_or_else(|| NO_GROUP.into()),
        subsystem: ind
            .sheet
            .subsystem
            .clone()
            .unwrap_or_else(|| NO_GROUP.into()),
        tiles_layer: if l.city_level {
            crate::tiles::city_layer(set)
        } else {
            set.clone()
        },
        tiles_url: format!("{base}/tiles/{set}/{{z}}/{{x}}/{{y}}.mvt"),
        min_zoom: t.min_zoom,
        max_zoom: t.max_zoom,
        visible,
    })
}

/// The WKT of the CRSs a project names, from the collection's offered list.
fn crs_wkt(offered: &[crs::Crs]) -> Result<CrsWkt> {
    let wkt = |code: &str| {
        crs::find(offered, code)
            .and_then(|c| c.wkt())
            .map_err(ApiError::Internal)
    };
    Ok(CrsWkt {
        project: wkt("EPSG:9377")?,
        features: wkt(crs::CRS84_CODE)?,
        tiles: wkt("EPSG:3857")?,
    })
}

/// A CRS84 box `[min lon, min lat, max lon, max lat]` in EPSG:9377, easting first (as QGIS writes extents).
fn extent_9377(bbox: [f64; 4], offered: &[crs::Crs]) -> Result<[f64; 4]> {
    let c = crs::find(offered, "EPSG:9377").map_err(ApiError::Internal)?;
    let rect = geo::Rect::new(
        geo::coord! { x: bbox[0], y: bbox[1] },
        geo::coord! { x: bbox[2], y: bbox[3] },
    );
    let r = c
        .from_crs84_gis_order(&rect.to_polygon())
        .map(|p| geo::BoundingRect::bounding_rect(&p))
        .map_err(ApiError::Internal)?
        .ok_or_else(|| ApiError::Internal("empty extent".into()))?;
    Ok([r.min().x, r.min().y, r.max().x, r.max().y])
}

fn qgz_response(p: &Project, stem: &str) -> Result<Response> {
    let bytes = qgz(p, stem).map_err(ApiError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.qgz\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /collections/{id}/qgis`: the indicator's project (`year`, `method`, `classes` as for its styles).
pub async fn collection_project(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    Params(p): Params<StyleParams>,
) -> Result<Response> {
    let data = state.current();
    let c = data.features.get(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no collection `{id}`; /collections lists them"))
    })?;
    let ind = data.snapshot.indicator(&id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "`{id}` is a unit set, not an indicator: each indicator has its project at /collections/{{indicator}}/qgis, and /qgis has them all"
        ))
    })?;
    let (l, _) = legend(&data, &id, &p)?;
    let base = base_url(&headers);
    let project = Project {
        title: format!("ssepot — {}", c.title),
        base_url: base.clone(),
        year: l.year,
        extent_9377: extent_9377(c.bbox, c.crs())?,
        wkt: crs_wkt(c.crs())?,
        layers: vec![layers(&data, &base, ind, &l, true)?],
    };
    qgz_response(&project, &format!("{id}_{}", l.year))
}

/// `GET /qgis`: every indicator, grouped by system and subsystem; the first one drawn, in `year` (its latest when
/// absent).
pub async fn service_project(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(p): Params<StyleParams>,
) -> Result<Response> {
    let data = state.current();
    let mut indicators: Vec<&Arc<Indicator>> = data.snapshot.indicators.iter().collect();
    let group = |i: &Indicator| {
        (
            i.sheet.system.clone().unwrap_or_else(|| NO_GROUP.into()),
            i.sheet.subsystem.clone().unwrap_or_else(|| NO_GROUP.into()),
        )
    };
    indicators.sort_by_key(|i| group(i));
    let Some(first) = indicators.first() else {
        return Err(ApiError::NotFound("no indicator is loaded".into()));
    };
    let year = match p.year()? {
        Some((y, _)) => y,
        None => first.years().last().copied().unwrap_or(0),
    };
    // Each indicator's classes are its own (all its years); the project draws them all in the same year.
    let by_year = StyleParams {
        year: Some(super::params::kinds::Year(year)),
        datetime: None,
        method: p.method,
        classes: p.classes,
    };
    let legends: Vec<Legend> = indicators
        .iter()
        .map(|i| {
            if i.years().contains(&year) {
                legend(&data, &i.id, &by_year).map(|(l, _)| l)
            } else {
                let latest = StyleParams {
                    year: None,
                    ..by_year.clone()
                };
                legend(&data, &i.id, &latest).map(|(l, _)| l)
            }
        })
        .collect::<Result<_>>()?;
    let base = base_url(&headers);
    let layers = indicators
        .iter()
        .zip(&legends)
        .enumerate()
        .map(|(n, (i, l))| layers(&data, &base, i, l, n == 0))
        .collect::<Result<Vec<_>>>()?;
    let bbox = data
        .features
        .get(&first.id)
        .map(|c| (c.bbox, c.crs()))
        .ok_or_else(|| ApiError::NotFound(format!("no collection `{}`", first.id)))?;
    let project = Project {
        title: "ssepot — indicadores del POT de Medellín".into(),
        base_url: base,
        year,
        extent_9377: extent_9377(bbox.0, bbox.1)?,
        wkt: crs_wkt(bbox.1)?,
        layers,
    };
    qgz_response(&project, &format!("ssepot_{year}"))
}
