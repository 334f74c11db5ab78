//! GeoPackage with GDAL's GPKG driver, in OGC:CRS84 (EPSG:4326 with longitude first) or the table's CRS (the
//! request's `crs`, transformed by PROJ from the full-precision geometry; a GeoPackage stores x = easting or
//! longitude whatever the authority's axis order). GDAL writes to a file, so this runs on a blocking thread and
//! returns the file's bytes.

use super::{Kind, Table, Value};
use crate::features::crs::Crs;
use gdal::vector::{FieldDefn, LayerOptions, OGRFieldType, ToGdal};
use gdal::DriverManager;

pub fn write_gpkg(table: &Table) -> Result<Vec<u8>, String> {
    write_gpkg_in(table, &Crs::crs84())
}

/// The table as a GeoPackage whose geometries are in `crs`.
pub fn write_gpkg_in(table: &Table, crs: &Crs) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("descarga.gpkg");
    let e = |e: gdal::errors::GdalError| e.to_string();
    {
        let driver = DriverManager::get_driver_by_name("GPKG").map_err(e)?;
        let mut ds = driver.create_vector_only(&path).map_err(e)?;
        let mut srs = if crs.is_crs84() {
            gdal::spatial_ref::SpatialRef::from_epsg(4326).map_err(e)?
        } else {
            gdal::spatial_ref::SpatialRef::from_definition(crs.code()).map_err(e)?
        };
        srs.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
        let layer = ds
            .create_layer(LayerOptions {
                name: &table.name,
                srs: Some(&srs),
                ty: gdal::vector::OGRwkbGeometryType::wkbMultiPolygon,
                options: None,
            })
            .map_err(e)?;
        for (name, kind) in &table.columns {
            let ty = match kind {
                Kind::Text => OGRFieldType::OFTString,
                Kind::Int | Kind::Bool => OGRFieldType::OFTInteger,
                Kind::Num => OGRFieldType::OFTReal,
            };
            FieldDefn::new(name, ty)
                .map_err(e)?
                .add_to_layer(&layer)
                .map_err(e)?;
        }
        let defn = gdal::vector::Defn::from_layer(&layer);
        for (row, geometry) in &table.rows {
            let mut f = gdal::vector::Feature::new(&defn).map_err(e)?;
            let geometry = crs.from_crs84_gis_order(&**geometry)?;
            f.set_geometry(geometry.to_gdal().map_err(e)?).map_err(e)?;
            for (i, v) in row.iter().enumerate() {
                match v {
                    Value::Text(s) => f.set_field_string(i, s),
                    Value::Int(n) => f.set_field_integer64(i, *n),
                    Value::Num(Some(n)) => f.set_field_double(i, *n),
                    Value::Num(None) => f.set_field_null(i),
                    Value::Bool(b) => f.set_field_integer(i, i32::from(*b)),
                }
                .map_err(e)?;
            }
            f.create(&layer).map_err(e)?;
        }
    }
    std::fs::read(&path).map_err(|e| e.to_string())
}
