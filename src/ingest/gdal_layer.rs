//! A layer of a GDAL source by name, or the first: a name the source does not have is an error that lists the
//! layers it has (GDAL itself only returns a null layer, which the bindings report as "returned a NULL pointer").

use gdal::vector::{Layer, LayerAccess};
use gdal::Dataset;

/// The layer `name`, or the first layer when `name` is `None`.
pub fn open_layer<'a>(ds: &'a Dataset, name: Option<&str>) -> Result<Layer<'a>, String> {
    match name {
        Some(name) => ds
            .layer_by_name(name)
            .map_err(|_| format!("no layer `{name}`; its layers are {:?}", layer_names(ds))),
        None => ds
            .layer(0)
            .map_err(|_| "GDAL finds no layer in it".to_string()),
    }
}

/// The names of a source's layers, in its order.
pub fn layer_names(ds: &Dataset) -> Vec<String> {
    ds.layers().map(|l| l.name()).collect()
}
