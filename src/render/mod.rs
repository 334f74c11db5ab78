//! Documents drawn on the server, with no browser: SVG choropleth maps and charts (for the report's pages, its
//! PDF and the embeddable views) and the PDF itself (typst, with the fonts shipped in `fonts/`).
//!
//! The maps use the web map's classes and colours ([`crate::styles::Legend`]); the charts draw the
//! dashboards' [`Chart`](crate::ssepot::dashboards::Chart)s, each followed by the table it draws.

pub mod choropleth;
pub mod fonts;
pub mod pdf;
pub(crate) mod svg;

pub use svg::escape;
