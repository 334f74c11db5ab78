//! ssepot: territorial indicators of a land-use plan, joined to their territories and served as
//! OGC API Features (and, later, vector tiles and map styles).
//!
//! The folders follow the flow of data: [`config`] (layer files) → [`ingest`] (reading and checking
//! input) → [`model`] (the immutable snapshot of unit sets × indicators × years) → [`features`]
//! (output formats) → [`http`] (a thin shell of routes and content negotiation).

pub mod access;
pub mod config;
pub mod encoding;
pub mod features;
pub mod format;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod prepared;
pub mod render;
pub mod server;
pub mod ssepot;
pub mod state;
pub mod store;

pub use http::app;
pub mod styles;
pub mod tiles;
