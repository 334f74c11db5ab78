//! The parameters each endpoint takes, as typed structs. A field's type is its kind ([`super::kinds`]);
//! its name (serde's) is the parameter name, so these structs are also the list of what each endpoint
//! accepts: any other name is refused, and `/api` documents the same names (a test compares them).

use super::kinds::{
    Bbox, Classes, Code, Crs84, Datetime, Limit, MethodParam, Offset, Tabla, Year, F,
};
use super::ApiError;
use crate::features::query::DEFAULT_LIMIT;
use crate::features::ItemsQuery;
use crate::model::normalize_key;
use serde::Deserialize;

/// Resources that take no parameter (web map assets, the import report, the reload endpoint).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Documents that take only a format: landing page, conformance, `/api`, collections, one feature, tile
/// metadata.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatParams {
    /// `f`: the response format.
    pub f: Option<F>,
}

/// `/collections/{id}/items`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemsParams {
    /// Features per page.
    pub limit: Option<Limit>,
    /// Features skipped before the page.
    pub offset: Option<Offset>,
    /// Only features whose geometry touches this box.
    pub bbox: Option<Bbox>,
    /// The CRS of `bbox`: CRS84 only.
    #[serde(rename = "bbox-crs")]
    pub bbox_crs: Option<Crs84>,
    /// Only features of these years.
    pub datetime: Option<Datetime>,
    /// Only the territory with this code.
    pub code: Option<Code>,
    /// Only features of this year.
    pub year: Option<Year>,
    /// The response format (GeoJSON, HTML or a download).
    pub f: Option<F>,
}

impl ItemsParams {
    /// The filters and page asked for.
    pub fn query(&self) -> ItemsQuery {
        ItemsQuery {
            limit: self.limit.map_or(DEFAULT_LIMIT, |l| l.0),
            offset: self.offset.map_or(0, |o| o.0),
            bbox: self.bbox.map(|b| b.0),
            datetime: self.datetime.map(|d| d.0),
            code: self.code.as_ref().map(|c| normalize_key(&c.0)),
            year: self.year.map(|y| y.0),
        }
    }
}

/// Vector tiles.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileParams {
    /// One year's values; tiles take a single year.
    pub datetime: Option<Datetime>,
    /// `mvt` only.
    pub f: Option<F>,
}

impl TileParams {
    /// The year the tile shows, if one was asked for.
    pub fn year(&self) -> Result<Option<i32>, ApiError> {
        self.datetime
            .map(|d| {
                d.single_year().ok_or_else(|| {
                    ApiError::bad(
                        "datetime",
                        "tiles show one year: give a year or an instant (e.g. 2023), not an interval",
                    )
                })
            })
            .transpose()
    }
}

/// Styles (MapLibre, QML, SLD) and legends; the format is the file extension, so no `f`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleParams {
    /// The year classified (the latest when absent).
    pub year: Option<Year>,
    /// The same as `year`, written as an OGC API instant.
    pub datetime: Option<Datetime>,
    /// The classification method.
    pub method: Option<MethodParam>,
    /// The number of classes.
    pub classes: Option<Classes>,
}

impl StyleParams {
    /// The year asked for with `year` or `datetime` (not both), and the name of the parameter that gave it.
    pub fn year(&self) -> Result<Option<(i32, &'static str)>, ApiError> {
        match (self.year, self.datetime) {
            (Some(_), Some(_)) => Err(ApiError::bad(
                "datetime",
                "give the year with `year` or with `datetime`, not both",
            )),
            (Some(y), None) => Ok(Some((y.0, "year"))),
            (None, Some(d)) => d
                .single_year()
                .map(|y| Some((y, "datetime")))
                .ok_or_else(|| {
                    ApiError::bad("datetime", "a style shows one year, not an interval")
                }),
            (None, None) => Ok(None),
        }
    }
}

/// `/collections/{id}/change`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeParams {
    /// The first year (required).
    pub from: Option<Year>,
    /// The second year (required).
    pub to: Option<Year>,
    /// The response format (GeoJSON, HTML or a download).
    pub f: Option<F>,
}

/// `/collections/{id}/series`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesParams {
    /// Only the territory with this code.
    pub code: Option<Code>,
    /// `json` only.
    pub f: Option<F>,
}

/// `/ssepot/{id}`: a dashboard, and in CSV/XLSX which of its tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardParams {
    /// The response format (JSON, HTML, CSV or XLSX).
    pub f: Option<F>,
    /// In CSV and XLSX: the figures (`cifras`, default) or the rows (`filas`).
    pub tabla: Option<Tabla>,
    /// Filters (each dashboard takes those of its rows; an empty one, as a form sends "all", is left out):
    /// the report year.
    pub anio: Option<String>,
    /// The horizon (`Corto plazo`).
    pub horizonte: Option<String>,
    /// The typological class.
    pub tipologia: Option<String>,
    /// The responsible office.
    pub dependencia: Option<String>,
    /// The POT system.
    pub sistema: Option<String>,
    /// The POT subsystem.
    pub subsistema: Option<String>,
    /// The development plan's strategic line.
    pub linea: Option<String>,
    /// The state.
    pub estado: Option<String>,
}

/// `/reporting/items`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingItemsParams {
    /// Comma-separated states (`reportado,verificado`).
    pub state: Option<String>,
    /// Only this indicator's items.
    pub indicator: Option<String>,
    /// Reviewers: only this office's items.
    pub office: Option<String>,
}

/// `/reporting/log`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingLogParams {
    /// Only this indicator's entries.
    pub indicator: Option<String>,
    /// `json` (default) or `csv`.
    pub f: Option<F>,
}

/// `/reporting/agreements`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementsParams {
    /// Only the agreements about this indicator (id or code).
    pub indicator: Option<String>,
}

/// `/reporting/origin`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginParams {
    /// The indicator (required).
    pub indicator: Option<String>,
    /// The territory (required).
    pub territory: Option<Code>,
    /// The year (required).
    pub year: Option<Year>,
}

/// `/reporte/revision`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPageParams {
    /// The state the last decision moved items to (shown as a notice).
    pub hecho: Option<String>,
}
