//! The parameters each endpoint takes, as typed structs. A field's type is its kind ([`super::kinds`]);
//! its name (serde's) is the parameter name, so these structs are also the list of what each endpoint
//! accepts: any other name is refused, and `/api` documents the same names (a test compares them).

use super::kinds::{
    Bbox, Classes, Code, CorteParam, CrsParam, Datetime, FilterLangParam, FilterText, Id, Limit,
    MethodParam, Offset, SearchText, SortBy, Tabla, Year, F,
};
use super::ApiError;
use crate::features::crs::Crs;
use crate::features::filter::FilterRequest;
use crate::features::query::DEFAULT_LIMIT;
use crate::features::ItemsQuery;
use crate::model::normalize_key;
use crate::ssepot::dashboards::filter::Filters;
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

/// `/collections/{id}` and `/collections/{id}/items/{featureId}`: a format, and a CRS. On the collection
/// document `crs` only checks that the collection offers it: GDAL's OAPIF driver (3.6) repeats the query of the
/// URL it was given (`OAPIF:…/collections/comunas?crs=…`) on every request.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrsFormatParams {
    /// `f`: the response format.
    pub f: Option<F>,
    /// The CRS of the geometries returned (CRS84 when absent): one of the collection's `crs`.
    pub crs: Option<CrsParam>,
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
    /// The CRS of `bbox` (CRS84 when absent): one of the collection's `crs`.
    #[serde(rename = "bbox-crs")]
    pub bbox_crs: Option<CrsParam>,
    /// Only features of these years.
    pub datetime: Option<Datetime>,
    /// Only the territory with this code.
    pub code: Option<Code>,
    /// Only features of this year.
    pub year: Option<Year>,
    /// Only the territories in this parent unit (`parent=10`: the barrios of comuna 10).
    pub parent: Option<Code>,
    /// Only the territories whose name holds this text, without case or accents (`q=moravia`).
    pub q: Option<SearchText>,
    /// Only features this CQL2 expression is true for.
    pub filter: Option<FilterText>,
    /// The language of `filter`.
    #[serde(rename = "filter-lang")]
    pub filter_lang: Option<FilterLangParam>,
    /// The CRS of the geometry literals of `filter`.
    #[serde(rename = "filter-crs")]
    pub filter_crs: Option<CrsParam>,
    /// The order of the features.
    pub sortby: Option<SortBy>,
    /// The response format (GeoJSON, HTML or a download).
    pub f: Option<F>,
    /// The CRS of the geometries returned (CRS84 when absent): one of the collection's `crs`.
    pub crs: Option<CrsParam>,
}

/// The CRS a response is written in: `crs` if the collection offers it, CRS84 when absent.
pub fn response_crs<'a>(crs: Option<&CrsParam>, offered: &'a [Crs]) -> Result<&'a Crs, ApiError> {
    let code = crs.map_or(crate::features::crs::CRS84_CODE, |c| c.0.as_str());
    crate::features::crs::find(offered, code).map_err(|e| ApiError::bad("crs", e))
}

impl ItemsParams {
    /// The CRS of the response geometries.
    pub fn response_crs<'a>(&self, offered: &'a [Crs]) -> Result<&'a Crs, ApiError> {
        response_crs(self.crs.as_ref(), offered)
    }

    /// The query with `bbox` read in its CRS (`bbox-crs`, CRS84 when absent) and turned into CRS84, and the
    /// CRS of the filter's geometry literals (`filter-crs`) found among the collection's.
    pub fn query_in(&self, offered: &[Crs]) -> Result<ItemsQuery, ApiError> {
        let mut q = self.query();
        if let (Some(f), Some(code)) = (q.filter.as_mut(), self.filter_crs.as_ref()) {
            let crs = crate::features::crs::find(offered, &code.0)
                .map_err(|e| ApiError::bad("filter-crs", e))?;
            f.crs = (!crs.is_crs84()).then(|| crs.clone());
        }
        let code = self
            .bbox_crs
            .as_ref()
            .map_or(crate::features::crs::CRS84_CODE, |c| c.0.as_str());
        let crs =
            crate::features::crs::find(offered, code).map_err(|e| ApiError::bad("bbox-crs", e))?;
        let Some(Bbox(b)) = self.bbox else {
            return Ok(q);
        };
        crs.check_bbox(b).map_err(|e| ApiError::bad("bbox", e))?;
        if crs.is_crs84() {
            return Ok(q);
        }
        let shape = crs.bbox_to_crs84(b).map_err(|e| ApiError::bad("bbox", e))?;
        let r = geo::BoundingRect::bounding_rect(&shape)
            .ok_or_else(|| ApiError::bad("bbox", "the box is empty in CRS84"))?;
        q.bbox = Some([r.min().x, r.min().y, r.max().x, r.max().y]);
        q.bbox_shape = Some(shape);
        Ok(q)
    }

    /// The filters and page asked for.
    pub fn query(&self) -> ItemsQuery {
        ItemsQuery {
            limit: self.limit.map_or(DEFAULT_LIMIT, |l| l.0),
            offset: self.offset.map_or(0, |o| o.0),
            bbox: self.bbox.map(|b| b.0),
            bbox_shape: None,
            datetime: self.datetime.map(|d| d.0),
            code: self.code.as_ref().map(|c| normalize_key(&c.0)),
            year: self.year.map(|y| y.0),
            parent: self.parent.as_ref().map(|c| normalize_key(&c.0)),
            q: self.q.as_ref().map(|t| t.0.clone()),
            filter: self.filter.as_ref().map(|t| FilterRequest {
                text: t.0.clone(),
                lang: self.filter_lang.map(|l| l.0).unwrap_or_default(),
                crs: None,
            }),
            sortby: self
                .sortby
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_default(),
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

/// Styles (MapLibre, QML, SLD), legends and QGIS projects; the format is the file extension, so no `f`.
#[derive(Debug, Default, Clone, Deserialize)]
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
    /// The boundary edition (unit set) to draw the change on; values of another edition go through the declared
    /// crosswalk. The indicator's own edition when absent.
    pub edition: Option<Id>,
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
    /// The progress band (`alto o superior`).
    pub banda: Option<String>,
    /// A finding of the indicators' diagnosis.
    pub hallazgo: Option<String>,
    /// The concertation phase.
    pub fase: Option<String>,
}

impl DashboardParams {
    /// The filters given; an empty value (a form's "all") is no filter, and a year must read as one.
    pub fn filters(&self) -> Result<Filters, ApiError> {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        let anio = given(&self.anio)
            .map(|y| Year::try_from(y).map_err(|m| ApiError::bad("anio", m)))
            .transpose()?;
        Ok(Filters {
            anio: anio.map(|y| y.0),
            horizonte: given(&self.horizonte),
            tipologia: given(&self.tipologia),
            dependencia: given(&self.dependencia),
            sistema: given(&self.sistema),
            subsistema: given(&self.subsistema),
            linea: given(&self.linea),
            estado: given(&self.estado),
            banda: given(&self.banda),
            hallazgo: given(&self.hallazgo),
            fase: given(&self.fase),
        })
    }
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

/// `/reporting/narrative`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NarrativeParams {
    /// Only the versions of this cut-off (`2023-12-31`).
    pub corte: Option<CorteParam>,
    /// Only the versions of this section.
    pub seccion: Option<String>,
}

/// `/reporte/textos`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextsPageParams {
    /// The cut-off whose texts are shown; default: the end of the year the data report.
    pub corte: Option<CorteParam>,
    /// What the last action did (shown as a notice).
    pub hecho: Option<String>,
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

/// The management report and the bulletins (`/ssepot/informe`, `/ssepot/boletines/{id}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// The cut-off date (`2023-12-31`); default: the end of the year the data report.
    pub corte: Option<CorteParam>,
    /// `html`, `pdf` or `json`.
    pub f: Option<F>,
}

/// The embeddable map of an indicator (`/ssepot/embed/mapa/{id}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedMapParams {
    /// The year shown; default: the indicator's latest.
    pub year: Option<Year>,
}
