//! Downloads planners open as they are: CSV for Spanish Excel, XLSX, GeoPackage, from one table model.
//!
//! Writers are well-kept libraries: `csv`, `rust_xlsxwriter`, and GDAL's GPKG driver.

mod csv;
mod gpkg;
pub mod tables;
mod xlsx;

pub use self::csv::write_csv;
pub use gpkg::{write_gpkg, write_gpkg_in};
pub use xlsx::write_xlsx;

use geo::MultiPolygon;
use std::sync::Arc;

/// A cell of a download.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// `None` is `ND` (written `ND` in CSV and XLSX, NULL in GeoPackage).
    Num(Option<f64>),
    Bool(bool),
}

/// Column types, for GeoPackage fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Num,
    Bool,
}

/// Rows with a geometry each; column names are Spanish (the people who open the files read Spanish).
#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet / layer name.
    pub name: String,
    /// Title written above the table in XLSX (with the source and the sample warning).
    pub title: String,
    pub columns: Vec<(String, Kind)>,
    pub rows: Vec<(Vec<Value>, Arc<MultiPolygon<f64>>)>,
}
