//! Download responses (CSV, XLSX, GeoPackage) with a filename planners recognise.

use super::error::ApiError;
use super::negotiate::{Format, CSV, GPKG, XLSX};
use crate::features::crs::Crs;
use crate::features::download::{write_csv, write_gpkg_in, write_xlsx, Table};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The table as a file; `stem` names it (`poblacion_2023`, `poblacion_cambio_2018_2030`).
pub async fn download(format: Format, table: Table, stem: &str) -> Result<Response, ApiError> {
    download_in(format, table, stem, Crs::crs84()).await
}

/// The same with the GeoPackage's geometries in `crs` (CSV and XLSX carry no geometry).
pub async fn download_in(
    format: Format,
    table: Table,
    stem: &str,
    crs: Crs,
) -> Result<Response, ApiError> {
    let (bytes, mime, ext) = match format {
        Format::Csv => (write_csv(&table), CSV, "csv"),
        Format::Xlsx => (
            write_xlsx(&table).map_err(ApiError::Internal)?,
            XLSX,
            "xlsx",
        ),
        Format::Gpkg => {
            // GDAL writes files and its datasets are not `Sync`: keep it off the async workers.
            let bytes = tokio::task::spawn_blocking(move || write_gpkg_in(&table, &crs))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .map_err(ApiError::Internal)?;
            (bytes, GPKG, "gpkg")
        }
        other => {
            return Err(ApiError::Internal(format!(
                "{other:?} is not a download format"
            )))
        }
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A filename stem for a page of items: `{id}`, `{id}_{year}` or `{id}_{from}-{to}`.
pub fn items_stem(id: &str, q: &crate::features::ItemsQuery) -> String {
    match (q.year, q.datetime) {
        (Some(y), _) => format!("{id}_{y}"),
        (None, Some((Some(a), Some(b)))) if a == b => format!("{id}_{a}"),
        (None, Some((a, b))) => format!(
            "{id}_{}-{}",
            a.map_or("inicio".into(), |y| y.to_string()),
            b.map_or("fin".into(), |y| y.to_string())
        ),
        _ => id.to_string(),
    }
}
