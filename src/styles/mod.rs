//! Map styles derived from the data: classification, palettes, the legend, and the same classes as a
//! MapLibre style (for the vector tiles), a QGIS `.qml` and an SLD (for the feature collections).

pub mod classify;
pub mod legend;
pub mod maplibre;
pub mod palette;
pub mod qgis;
pub mod qgis_project;

pub use legend::Legend;
