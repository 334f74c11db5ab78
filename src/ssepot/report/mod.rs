//! The SSEPOT's publications, generated from the data: the management report (`informe`), thematic bulletins
//! per subsystem (`boletin`), and the list of both by cut-off date (`publicaciones`).
//!
//! A publication is built in four steps, the same for every kind:
//! 1. **Cut-off** ([`corte`]): the date it reports at; values of periods that end after it are *projected*,
//!    and marked so wherever they appear.
//! 2. **Figures**: the dashboards' own documents ([`Dashboard::build`](crate::ssepot::dashboards::Dashboard)),
//!    never recomputed — the report's figures are the JSON's, written the Spanish way ([`format`]).
//! 3. **Drawings**: each chart as SVG with its table ([`crate::ssepot::report::chart`]), choropleth maps drawn on the
//!    server with the web map's classes ([`crate::render::choropleth`]).
//! 4. **Narrative** ([`narrative`]): the texts the DAP writes and publishes, as plain text (escaped by every
//!    renderer).
//!
//! The result, a [`Document`], is rendered by the HTML templates (`web/templates/informe.html`) and by typst
//! (`web/templates/informe.typ`) from the same data, so the page, its print and the PDF say the same. Its
//! [`Document::fingerprint`] is a hash of everything it shows: the same data gives the same document.

pub mod bulletin;
pub mod chart;
pub mod corte;
pub mod document;
pub mod format;
pub mod informe;
pub mod narrative;
pub mod publications;

pub use corte::Corte;
pub use document::{Block, Document, Section};
